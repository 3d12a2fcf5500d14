#include "ceiling/report/chip_text.h"

#include <fmt/format.h>

#include "ceiling/base/units.h"
#include "ceiling/catalog/alternatives.h"

namespace ceiling::report {

using namespace ceiling::catalog;

namespace {

std::string Cites(const std::vector<std::string>& keys) {
  std::string out = "[";
  for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? ", " : "") + keys[i];
  return out + "]";
}

template <typename T, typename F>
void FigureLine(std::string* out, std::string_view label, const std::optional<Figure<T>>& f,
                F&& format) {
  if (!f) return;
  *out += fmt::format("  {:<22} {:<18} {}\n", label, format(f->value), Cites(f->sources));
  if (f->sparse) *out += fmt::format("  {:<22} {:<18} (datasheet, sparse)\n", "", format(*f->sparse));
  if (!f->formula.empty()) *out += fmt::format("  {:<22} derived: {}\n", "", f->formula);
  if (!f->note.empty()) *out += fmt::format("  {:<22} note: {}\n", "", f->note);
  for (const auto& a : f->alternatives)
    *out += fmt::format("  {:<22} disputed: {} under \"{}\" {}{}\n", "", format(a.value), a.label,
                        Cites(a.sources), a.note.empty() ? "" : " - " + a.note);
}

std::string MetricValue(MetricId id, double v) {
  switch (id) {
    case MetricId::kTpp: return FormatFixed(v, 0);
    case MetricId::kPd: return FormatFixed(v, 2);
    default: return FormatNumber(v, 4) + " " + std::string(MetricUnit(id));
  }
}

}  // namespace

std::string ChipText(const Chip& c, const ChipMetrics& m) {
  std::string out = fmt::format("{} ({})\n", c.name, c.id);
  out += fmt::format("  vendor {} | family {} | market {} | form factor {}", c.vendor, c.family,
                     MarketName(c.market), FormFactorName(c.form_factor));
  if (c.derived_from) out += fmt::format(" | derived from {}", *c.derived_from);
  out += "\n";
  if (!c.file.empty()) out += fmt::format("  file {}\n", c.file);

  out += "\nExport-control metrics\n";
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const auto id = static_cast<MetricId>(i);
    const Metric& metric = m[id];
    if (metric.value) {
      out += fmt::format("  {:<46} {:>12}  {} {}\n", MetricTitle(id), MetricValue(id, *metric.value),
                         metric.how, Cites(metric.sources));
    } else {
      out += fmt::format("  {:<46} {:>12}  {}\n", MetricTitle(id), "unknown", metric.missing);
    }
  }

  // Disputed figures: TPP and PD under each source's values (the rules see each in `classify`).
  const std::vector<Scenario> scenarios = AlternativeScenarios(c);
  if (!scenarios.empty()) {
    out += "\nDisputed figures: metrics under each source\n";
    auto tpp_pd = [](const ChipMetrics& x) {
      return fmt::format("TPP {}, PD {}", x.tpp() ? FormatDown(*x.tpp()) : "unknown",
                         x.pd() ? FormatDown(*x.pd(), 2) : "unknown");
    };
    out += fmt::format("  {:<22} {}\n", "as recorded", tpp_pd(m));
    for (const Scenario& s : scenarios) {
      std::string changes;
      for (const FigureChange& ch : s.changes)
        changes += fmt::format("{}{} {}", changes.empty() ? "" : "; ", ch.figure, ch.alternative);
      out += fmt::format("  {:<22} {} ({}) {}\n", s.label, tpp_pd(ComputeMetrics(s.chip)), changes,
                         Cites(s.sources));
    }
  }

  out += "\nIdentity\n";
  FigureLine(&out, "released", c.released, [](const Date& d) { return d.ToString(); });
  FigureLine(&out, "announced", c.announced, [](const Date& d) { return d.ToString(); });
  FigureLine(&out, "first reported", c.first_reported, [](const Date& d) { return d.ToString(); });

  if (!c.dies.empty()) {
    out += "\nDies\n";
    for (const Die& d : c.dies) {
      out += fmt::format("  {} x {} ({}, {}, {})", d.count, d.name,
                         d.kind == DieKind::kLogic ? "logic" : "memory", d.process,
                         d.non_planar ? "non-planar" : "planar");
      if (d.area)
        out += fmt::format(", {} each {}", FormatQuantity(d.area->value), Cites(d.area->sources));
      else
        out += ", area unknown";
      out += "\n";
      if (d.area && !d.area->formula.empty())
        out += fmt::format("      derived: {}\n", d.area->formula);
      if (d.area && !d.area->note.empty()) out += fmt::format("      note: {}\n", d.area->note);
      if (d.count_figure) {
        out += fmt::format("      count {}\n", Cites(d.count_figure->sources));
        for (const auto& a : d.count_figure->alternatives)
          out += fmt::format("      disputed: count {} under \"{}\" {}{}\n", FormatNumber(a.value),
                             a.label, Cites(a.sources), a.note.empty() ? "" : " - " + a.note);
      }
      if (d.area)
        for (const auto& a : d.area->alternatives)
          out += fmt::format("      disputed: area {} under \"{}\" {}{}\n", FormatQuantity(a.value),
                             a.label, Cites(a.sources), a.note.empty() ? "" : " - " + a.note);
    }
  }

  out += "\nDense throughput\n";
  bool any = false;
  for (std::size_t i = 0; i < kPrecisionCount; ++i) {
    if (!c.throughput[i]) continue;
    any = true;
    const auto p = static_cast<Precision>(i);
    FigureLine(&out, PrecisionName(p), c.throughput[i], [p](OpsPerSecond q) {
      return FormatNumber(q.In(1e12), 5) + (IsInteger(p) ? " TOP/s" : " TFLOP/s");
    });
  }
  if (!any) out += "  (none recorded)\n";

  auto q = [](auto v) { return FormatQuantity(v, 5); };
  if (c.memory) {
    out += fmt::format("\nMemory ({})\n", c.memory->type);
    FigureLine(&out, "capacity", c.memory->capacity, q);
    FigureLine(&out, "bandwidth", c.memory->bandwidth, q);
    FigureLine(&out, "stacks", c.memory->stacks, [](double v) { return FormatNumber(v); });
  }
  const auto& ic = c.interconnect;
  if (ic.scale_up || ic.pcie || ic.io_aggregate || ic.scale_up_links) {
    out += "\nInterconnect (bidirectional)\n";
    FigureLine(&out, "scale-up", ic.scale_up, q);
    FigureLine(&out, "scale-up links", ic.scale_up_links, [](double v) { return FormatNumber(v); });
    FigureLine(&out, "aggregate I/O (2022)", ic.io_aggregate, q);
    FigureLine(&out, "PCIe", ic.pcie, q);
  }
  if (c.tdp || c.compute.units || c.compute.boost_clock) {
    out += "\nPower and compute\n";
    FigureLine(&out, "TDP", c.tdp, q);
    FigureLine(&out, c.compute.unit_name.empty() ? "units" : c.compute.unit_name + "s",
               c.compute.units, [](double v) { return FormatNumber(v); });
    FigureLine(&out, "boost clock", c.compute.boost_clock, q);
  }

  out += "\nSources\n";
  for (const auto& [key, s] : c.sources) {
    out += fmt::format("  [{}] {} ({}, read {})\n", key, s.title, SourceKindName(s.kind),
                       s.read.ToString());
    if (!s.url.empty()) out += fmt::format("      {}\n", s.url);
    if (!s.note.empty()) out += fmt::format("      note: {}\n", s.note);
  }
  return out;
}

Table ChipsTable() {
  // At 100 columns the name and vendor give way to the figures (the id names the vendor).
  return Table({{"id"},
                {.header = "name", .drop = 2},
                {.header = "vendor", .drop = 1},
                {"market"},
                {"TPP", Align::kRight},
                {"PD", Align::kRight},
                {"mem BW GB/s", Align::kRight},
                {"mem GB", Align::kRight},
                {"TDP W", Align::kRight},
                {"released"}});
}

std::vector<std::string> ChipsRow(const Chip& c, const ChipMetrics& m) {
  auto fixed = [&](MetricId id, int decimals) {
    auto v = m.value(id);
    return v ? FormatFixed(*v, decimals) : std::string("-");
  };
  return {c.id,
          c.name,
          c.vendor,
          std::string(MarketName(c.market)),
          fixed(MetricId::kTpp, 0),
          fixed(MetricId::kPd, 2),
          fixed(MetricId::kDramBandwidth, 0),
          fixed(MetricId::kMemoryCapacity, 0),
          fixed(MetricId::kTdp, 0),
          c.released ? c.released->value.ToString() : "-"};
}

std::vector<std::string> ChipsCsvRow(const Chip& c, const ChipMetrics& m) {
  auto raw = [&](MetricId id) {
    auto v = m.value(id);
    return v ? FormatNumber(*v, 8) : std::string();
  };
  return {c.id,
          c.name,
          c.vendor,
          std::string(MarketName(c.market)),
          raw(MetricId::kTpp),
          raw(MetricId::kPd),
          raw(MetricId::kDramBandwidth),
          raw(MetricId::kMemoryCapacity),
          raw(MetricId::kTdp),
          c.released ? c.released->value.ToString() : ""};
}

}  // namespace ceiling::report
