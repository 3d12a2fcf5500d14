#include "ceiling/api/index_api.h"

#include <fmt/format.h>

#include "ceiling/report/table.h"

namespace ceiling::api {

using nlohmann::json;

Result<IndexResponse> Index(const KnowledgeBase& kb, IndexRequest request) {
  RETURN_IF_ERROR(request.Validate());
  IndexResponse r;
  const rules::RuleBook& book = kb.rules();
  for (Date d : book.change_dates()) r.dates.push_back({d, book.EventsOn(d)});
  r.latest = kb.LatestRuleDate();
  const rules::CountryDb& db = book.countries();
  for (int i = 0; i < db.size(); ++i)
    r.countries.push_back({db.country(i).code, db.country(i).name, db.GroupsOf(i, r.latest)});
  if (auto models = kb.models(); models.ok())
    for (const perf::ModelArch& m : (*models)->models())
      r.models.push_back({m.id, m.name, m.family, m.published_total_params,
                          m.published_active_params, m.context, m.native_context, m.fp8_block});
  if (auto spaces = kb.design_spaces(); spaces.ok())
    for (const design::DesignSpace& s : **spaces)
      r.designs.push_back({s.id, s.title, s.base.id, s.products, s.size()});
  if (auto fleets = kb.fleets(); fleets.ok())
    for (const FleetFile& f : **fleets) r.fleets.push_back({f.id, f.title, f.rows});
  r.version = kb.version();
  return r;
}

json ToJson(const IndexResponse& r) {
  json dates = json::array();
  for (const auto& d : r.dates)
    dates.push_back({{"date", d.date.ToString()}, {"events", d.events}});
  json countries = json::array();
  for (const auto& c : r.countries)
    countries.push_back({{"code", c.code}, {"name", c.name}, {"groups", c.groups}});
  auto opt = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  json models = json::array();
  for (const auto& m : r.models)
    models.push_back({{"id", m.id},
                      {"name", m.name},
                      {"family", m.family},
                      {"total_params", opt(m.total_params)},
                      {"active_params", opt(m.active_params)},
                      {"context", opt(m.context)},
                      {"native_context", opt(m.native_context)},
                      {"fp8_block", opt(m.fp8_block)}});
  json designs = json::array();
  for (const auto& s : r.designs)
    designs.push_back({{"id", s.id},
                       {"title", s.title},
                       {"base", s.base},
                       {"products", s.products},
                       {"size", s.size}});
  json fleets = json::array();
  for (const auto& f : r.fleets)
    fleets.push_back({{"id", f.id}, {"title", f.title}, {"rows", f.rows}});
  return {{"dates", dates},
          {"latest_date", r.latest.ToString()},
          {"countries", countries},
          {"models", models},
          {"designs", designs},
          {"fleets", fleets},
          {"chips", r.version.chips},
          {"rule_versions", r.version.rule_versions},
          {"current_as_of",
           r.version.sources_read ? json(r.version.sources_read->ToString()) : json(nullptr)}};
}

std::string ToText(const IndexResponse& r) {
  std::string out = "Dates on which a rule or a country group changes\n";
  for (const auto& d : r.dates) {
    out += fmt::format("{}  {}\n", d.date.ToString(), d.events.empty() ? "" : d.events.front());
    for (std::size_t i = 1; i < d.events.size(); ++i)
      out += fmt::format("            {}\n", d.events[i]);
  }
  out += fmt::format(
      "\n{} destinations, {} models, {} design spaces, {} fleet{}, {} chips; latest change {}",
      r.countries.size(), r.models.size(), r.designs.size(), r.fleets.size(),
      r.fleets.size() == 1 ? "" : "s", r.version.chips, r.latest.ToString());
  if (r.version.sources_read)
    out += fmt::format("; sources read up to {}", r.version.sources_read->ToString());
  out += "\n";
  return report::WrapReport(out);
}

}  // namespace ceiling::api
