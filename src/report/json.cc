#include "ceiling/report/json.h"

#include "ceiling/base/units.h"

namespace ceiling::report {

using nlohmann::json;
using namespace ceiling::catalog;

std::string DumpJson(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

namespace {

template <typename T>
json FigureMeta(const Figure<T>& f) {
  json j;
  j["sources"] = f.sources;
  if (!f.note.empty()) j["note"] = f.note;
  if (!f.formula.empty()) j["formula"] = f.formula;
  return j;
}

// `alternatives` (only for disputed figures): each with value, label, sources, note, formula.
template <typename T, typename V>
void AddAlternatives(json* j, const Figure<T>& f, V value) {
  if (f.alternatives.empty()) return;
  json alts = json::array();
  for (const Alternative<T>& a : f.alternatives) {
    json x = {{"value", value(a.value)}, {"label", a.label}, {"sources", a.sources}};
    if (!a.note.empty()) x["note"] = a.note;
    if (!a.formula.empty()) x["formula"] = a.formula;
    alts.push_back(x);
  }
  (*j)["alternatives"] = alts;
}

template <typename D>
json QuantityFigure(const std::optional<Figure<Quantity<D>>>& f, double unit,
                    const char* unit_name) {
  if (!f) return nullptr;
  json j = FigureMeta(*f);
  j["value"] = f->value.In(unit);
  j["unit"] = unit_name;
  j["text"] = FormatQuantity(f->value);
  if (f->sparse) j["sparse"] = f->sparse->In(unit);
  AddAlternatives(&j, *f, [unit](const Quantity<D>& q) { return q.In(unit); });
  return j;
}

json CountFigure(const std::optional<Figure<double>>& f) {
  if (!f) return nullptr;
  json j = FigureMeta(*f);
  j["value"] = f->value;
  AddAlternatives(&j, *f, [](double v) { return v; });
  return j;
}

json DateFigure(const std::optional<Figure<Date>>& f) {
  if (!f) return nullptr;
  json j = FigureMeta(*f);
  j["value"] = f->value.ToString();
  return j;
}

}  // namespace

json MetricJson(MetricId id, const Metric& m) {
  json j;
  j["title"] = MetricTitle(id);
  j["unit"] = MetricUnit(id);
  if (m.value) {
    j["value"] = *m.value;
    j["how"] = m.how;
    j["sources"] = m.sources;
  } else {
    j["value"] = nullptr;
    j["missing"] = m.missing;
  }
  return j;
}

json MetricsJson(const ChipMetrics& m) {
  json j = json::object();
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const auto id = static_cast<MetricId>(i);
    j[std::string(MetricName(id))] = MetricJson(id, m[id]);
  }
  j["tpp_precision"] = m.tpp_precision ? json(PrecisionName(*m.tpp_precision)) : json(nullptr);
  return j;
}

json ChipJson(const Chip& c, const ChipMetrics& metrics) {
  json j;
  j["id"] = c.id;
  j["name"] = c.name;
  j["vendor"] = c.vendor;
  j["family"] = c.family;
  j["market"] = MarketName(c.market);
  j["form_factor"] = FormFactorName(c.form_factor);
  j["derived_from"] = c.derived_from ? json(*c.derived_from) : json(nullptr);
  j["released"] = DateFigure(c.released);
  j["announced"] = DateFigure(c.announced);
  if (c.first_reported) j["first_reported"] = DateFigure(c.first_reported);
  j["dies"] = json::array();
  for (const Die& d : c.dies) {
    json dj;
    dj["name"] = d.name;
    dj["kind"] = d.kind == DieKind::kLogic ? "logic" : "memory";
    dj["process"] = d.process;
    dj["non_planar"] = d.non_planar;
    dj["count"] = d.count;
    if (d.count_figure) dj["count_figure"] = CountFigure(d.count_figure);
    dj["area_mm2"] = nullptr;
    if (d.area) {
      dj["area_mm2"] = SquareMillimetresOf(d.area->value);
      dj["area"] = FigureMeta(*d.area);
      AddAlternatives(&dj["area"], *d.area,
                      [](const SquareMetres& a) { return SquareMillimetresOf(a); });
    }
    j["dies"].push_back(dj);
  }
  json tp = json::object();
  for (std::size_t i = 0; i < kPrecisionCount; ++i) {
    const auto p = static_cast<Precision>(i);
    if (c.throughput[i])
      tp[std::string(PrecisionName(p))] =
          QuantityFigure(c.throughput[i], 1e12, IsInteger(p) ? "TOP/s" : "TFLOP/s");
  }
  j["throughput"] = tp;
  if (c.memory) {
    j["memory"] = {{"type", c.memory->type},
                   {"capacity", QuantityFigure(c.memory->capacity, 1e9, "GB")},
                   {"bandwidth", QuantityFigure(c.memory->bandwidth, 1e9, "GB/s")},
                   {"stacks", CountFigure(c.memory->stacks)}};
  } else {
    j["memory"] = nullptr;
  }
  j["interconnect"] = {
      {"scale_up", QuantityFigure(c.interconnect.scale_up, 1e9, "GB/s")},
      {"scale_up_links", CountFigure(c.interconnect.scale_up_links)},
      {"io_aggregate", QuantityFigure(c.interconnect.io_aggregate, 1e9, "GB/s")},
      {"pcie", QuantityFigure(c.interconnect.pcie, 1e9, "GB/s")}};
  j["power"] = {{"tdp", QuantityFigure(c.tdp, 1.0, "W")}};
  j["compute"] = {{"units", CountFigure(c.compute.units)},
                  {"unit_name", c.compute.unit_name},
                  {"boost_clock", QuantityFigure(c.compute.boost_clock, 1e9, "GHz")}};
  json sources = json::object();
  for (const auto& [key, s] : c.sources) {
    json sj = {{"title", s.title},
               {"kind", SourceKindName(s.kind)},
               {"read", s.read.ToString()}};
    sj["url"] = s.url.empty() ? json(nullptr) : json(s.url);
    if (!s.note.empty()) sj["note"] = s.note;
    sources[key] = sj;
  }
  j["sources"] = sources;
  j["metrics"] = MetricsJson(metrics);
  j["file"] = c.file.empty() ? json(nullptr) : json(c.file);
  return j;
}

}  // namespace ceiling::report
