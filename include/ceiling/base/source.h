// Citations: the one source schema every data file uses (chips, rules, country groups, models,
// systems, validation points, fleets), and its one reader.
//
// A source's kind says how the project saw the fact it supports:
//
//   primary    the official text or the maker's own figure (Federal Register, eCFR, a datasheet,
//              an SEC filing)
//   quoted     primary text quoted verbatim by another source (the original was not seen)
//   secondary  a description by others (law firm, press, analyst, benchmark tracker)
//   reported   a press report of something without published text (e.g. a letter to a company)
//   derived    this project's arithmetic from other cited figures; the figure carries the formula
//   inferred   this project's reading of a text; the note must say what was inferred from what
//
// Only derived and inferred sources (the project's own work) may omit `url`.
//
//   [sources.ecfr-3a090]
//   title = "eCFR, 15 CFR part 774 supplement no. 1, ECCN 3A090 (issue 2026-07-23)"
//   url = "https://www.ecfr.gov/..."
//   kind = "primary"
//   read = 2026-11-29
//
//   ASSIGN_OR_RETURN(SourceMap s, ReadSources(doc));   // [sources.*] of a parsed file
//   ASSIGN_OR_RETURN(auto keys, ReadSourceKeys(table, "source", s));
#ifndef CEILING_BASE_SOURCE_H_
#define CEILING_BASE_SOURCE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"
#include "ceiling/base/toml_reader.h"

namespace ceiling {

enum class SourceKind { kPrimary, kQuoted, kSecondary, kReported, kDerived, kInferred };
inline constexpr int kSourceKindCount = 6;
std::string_view SourceKindName(SourceKind k);  // "primary", "quoted", ...

struct Source {
  std::string key;
  std::string title;
  std::string url;  // empty only for derived and inferred sources
  SourceKind kind = SourceKind::kSecondary;
  Date read;
  std::string note;
};

using SourceMap = std::map<std::string, Source>;

// Reads the [sources] table. Errors: missing or empty table, a source without title, kind or
// read date, an unknown kind, a url missing on a source that is not the project's own work, an
// inferred source without a note.
Result<SourceMap> ReadSources(const TomlTable& doc);
// Reads `key` (a source key or a list of keys) and checks each is defined. Required: an absent
// key is an error saying every entry needs a source.
Result<std::vector<std::string>> ReadSourceKeys(const TomlTable& t, std::string_view key,
                                                const SourceMap& sources);

}  // namespace ceiling

#endif  // CEILING_BASE_SOURCE_H_
