// Citations of rule and country-group files: what each fact rests on, and how firmly.
//
// Rule files cite regulations that were not always read directly. A source's kind says how the
// project saw the text, and a clause whose sources are all secondary (or reported, or inferred)
// is marked as such in every output:
//
//   primary    the official text itself (Federal Register, eCFR, a bis.gov page, an SEC filing)
//   quoted     primary text quoted verbatim by another source (the project did not see the original)
//   secondary  law-firm, press or tracker description of the rule
//   reported   press report of an action without published text (e.g. a letter to a company)
//   inferred   this project's reading or arithmetic; a note must say what was inferred
//
//   [sources.ecfr-3a090]
//   title = "eCFR, 15 CFR part 774 supplement no. 1, ECCN 3A090 (issue 2026-07-23)"
//   url = "https://www.ecfr.gov/..."
//   kind = "primary"
//   read = 2026-11-29
//
//   ASSIGN_OR_RETURN(SourceMap s, ReadSources(doc));   // [sources.*] of a parsed file
//   ASSIGN_OR_RETURN(auto keys, ReadSourceKeys(table, "source", s));
#ifndef CEILING_RULES_SOURCE_H_
#define CEILING_RULES_SOURCE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"
#include "ceiling/base/toml_reader.h"

namespace ceiling::rules {

enum class SourceKind { kPrimary, kQuoted, kSecondary, kReported, kInferred };
std::string_view SourceKindName(SourceKind k);  // "primary", "quoted", ...

struct Source {
  std::string key;
  std::string title;
  std::string url;  // empty only for inferred sources
  SourceKind kind = SourceKind::kSecondary;
  Date read;
  std::string note;
};

using SourceMap = std::map<std::string, Source>;

// How firmly a clause is sourced: the strongest kind among its sources.
enum class Basis { kPrimary, kQuoted, kSecondary };
std::string_view BasisName(Basis b);  // "primary", "quoted", "secondary"
Basis BasisOf(const std::vector<std::string>& keys, const SourceMap& sources);

// Reads the [sources] table. Errors: missing table, a source without title/kind/read, a url
// missing on a non-inferred source, an unknown kind, an inferred source without a note.
Result<SourceMap> ReadSources(const TomlTable& doc);
// Reads `key` (a source key or a list of keys) and checks each is defined. Required: absent
// key is an error saying every entry needs a source.
Result<std::vector<std::string>> ReadSourceKeys(const TomlTable& t, std::string_view key,
                                                const SourceMap& sources);

}  // namespace ceiling::rules

#endif  // CEILING_RULES_SOURCE_H_
