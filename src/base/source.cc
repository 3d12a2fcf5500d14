#include "ceiling/base/source.h"

#include <fmt/format.h>

#include <array>

namespace ceiling {
namespace {

constexpr std::array<std::string_view, kSourceKindCount> kKindNames = {
    "primary", "quoted", "secondary", "reported", "derived", "inferred"};

}  // namespace

std::string_view SourceKindName(SourceKind k) { return kKindNames[static_cast<int>(k)]; }

Result<SourceMap> ReadSources(const TomlTable& doc) {
  if (!doc.Has("sources"))
    return doc.ErrorHere("missing required table [sources]: every fact needs a source");
  ASSIGN_OR_RETURN(TomlTable table, doc.GetTable("sources"));
  SourceMap out;
  for (const std::string& key : table.Keys()) {
    if (table.KindOf(key) != TomlTable::Kind::kTable)
      return table.ErrorAt(key, fmt::format("expected a source table [sources.{}], got {}", key,
                                            table.Describe(key)));
    ASSIGN_OR_RETURN(TomlTable s, table.GetTable(key));
    RETURN_IF_ERROR(s.CheckKeys({"title", "url", "kind", "read", "note"}));
    Source src;
    src.key = key;
    ASSIGN_OR_RETURN(src.title, s.GetString("title"));
    if (src.title.empty()) return s.ErrorAt("title", "must not be empty");
    ASSIGN_OR_RETURN(std::string kind, s.GetString("kind"));
    bool known = false;
    for (int k = 0; k < kSourceKindCount; ++k)
      if (kKindNames[k] == kind) {
        src.kind = static_cast<SourceKind>(k);
        known = true;
      }
    if (!known)
      return s.ErrorAt("kind", fmt::format("expected primary, quoted, secondary, reported, derived "
                                           "or inferred, got \"{}\"",
                                           kind));
    ASSIGN_OR_RETURN(auto url, s.GetOptionalString("url"));
    src.url = url.value_or("");
    const bool own_work = src.kind == SourceKind::kDerived || src.kind == SourceKind::kInferred;
    if (src.url.empty() && !own_work)
      return s.ErrorHere(
          "missing required key \"url\" (only derived and inferred sources may omit it)");
    ASSIGN_OR_RETURN(src.read, s.GetDate("read"));
    ASSIGN_OR_RETURN(auto note, s.GetOptionalString("note"));
    src.note = note.value_or("");
    if (src.kind == SourceKind::kInferred && src.note.empty())
      return s.ErrorHere("an inferred source needs a note saying what was inferred and from what");
    out.emplace(key, std::move(src));
  }
  if (out.empty()) return table.ErrorHere("at least one source is required");
  return out;
}

Result<std::vector<std::string>> ReadSourceKeys(const TomlTable& t, std::string_view key,
                                                const SourceMap& sources) {
  if (!t.Has(key))
    return t.ErrorHere(fmt::format("missing required key \"{}\": every entry needs a source", key));
  ASSIGN_OR_RETURN(std::vector<std::string> keys, t.GetStringArray(key, /*allow_single=*/true));
  if (keys.empty()) return t.ErrorAt(key, "at least one source key is required");
  for (const std::string& k : keys)
    if (sources.find(k) == sources.end())
      return t.ErrorAt(key, fmt::format("unknown source key \"{}\" (define [sources.{}])", k, k));
  return keys;
}

}  // namespace ceiling
