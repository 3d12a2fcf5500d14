// Rows of `ceiling rules status` (see status.h).
#include "ceiling/rules/status.h"

#include <algorithm>

namespace ceiling::rules {
namespace {

std::array<int, 5> Count(const std::vector<std::string>& keys, const SourceMap& sources) {
  std::array<int, 5> out{};
  for (const std::string& k : keys) {
    auto it = sources.find(k);
    if (it != sources.end()) ++out[static_cast<std::size_t>(it->second.kind)];
  }
  return out;
}

std::vector<std::string> AllKeys(const SourceMap& sources) {
  std::vector<std::string> out;
  for (const auto& [k, s] : sources) out.push_back(k);
  return out;
}

Date LatestRead(const SourceMap& sources, const std::vector<std::string>& keys) {
  Date d{1970, 1, 1};
  for (const std::string& k : keys) {
    auto it = sources.find(k);
    if (it != sources.end()) d = std::max(d, it->second.read);
  }
  return d;
}

}  // namespace

std::vector<StatusRow> RulesStatus(const RuleBook& book) {
  std::vector<StatusRow> out;
  for (const RuleVersion& r : book.rules()) {
    StatusRow row;
    row.kind = "rule";
    row.id = r.id;
    row.title = r.short_title;
    row.citation = r.citation;
    row.effective = r.effective;
    row.checked = r.LastChecked();
    row.checked_given = r.checked.has_value();
    row.sources = Count(AllKeys(r.source_map), r.source_map);
    out.push_back(row);
    for (const Clause& c : r.clauses) {
      if (c.kind != ClauseKind::kMeasure) continue;
      StatusRow m;
      m.kind = "measure";
      m.id = c.full_id;
      m.title = c.title;
      m.citation = r.citation;
      m.effective = c.effective ? *c.effective : r.effective;
      m.checked = r.checked ? *r.checked : LatestRead(r.source_map, c.sources);
      m.checked_given = r.checked.has_value();
      m.sources = Count(c.sources, r.source_map);
      m.pending_products = c.pending_products;
      out.push_back(m);
    }
  }
  for (const EntityNotice& n : book.entities().notices()) {
    StatusRow row;
    row.kind = "entity-notice";
    row.id = n.id;
    row.title = n.title;
    row.citation = n.citation;
    row.effective = n.effective;
    row.checked = n.LastChecked();
    row.checked_given = n.checked.has_value();
    row.sources = Count(AllKeys(n.source_map), n.source_map);
    out.push_back(row);
  }
  if (const auto& a = book.entities().affiliates()) {
    StatusRow row;
    row.kind = "affiliates-rule";
    row.id = a->id;
    row.title = a->title;
    row.citation = a->citation;
    row.effective = a->effective;
    row.checked = a->LastChecked();
    row.checked_given = a->checked.has_value();
    row.sources = Count(AllKeys(a->source_map), a->source_map);
    out.push_back(row);
  }
  for (const ImportMeasure& m : book.imports().measures()) {
    StatusRow row;
    row.kind = "import-measure";
    row.id = m.id;
    row.title = m.title;
    row.citation = m.authority;
    row.effective = m.date;
    row.checked = m.LastChecked();
    row.checked_given = m.checked.has_value();
    row.sources = Count(m.sources, m.source_map);
    row.pending_products = m.pending_products;
    out.push_back(row);
  }
  for (const CountryGroup& g : book.countries().groups()) {
    StatusRow row;
    row.kind = "country-group";
    row.id = g.id;
    row.title = g.title;
    row.citation = g.citation;
    row.checked = LatestRead(g.source_map, AllKeys(g.source_map));
    row.sources = Count(AllKeys(g.source_map), g.source_map);
    out.push_back(row);
  }
  return out;
}

Date DataChecked(const std::vector<StatusRow>& rows) {
  Date d{9999, 12, 31};
  for (const StatusRow& r : rows) d = std::min(d, r.checked);
  return d;
}

}  // namespace ceiling::rules
