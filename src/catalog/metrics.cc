#include "ceiling/catalog/metrics.h"

#include <fmt/format.h>

#include <algorithm>

#include "ceiling/base/units.h"

namespace ceiling::catalog {
namespace {

struct MetricInfo {
  std::string_view name, unit, title;
};
constexpr std::array<MetricInfo, kMetricCount> kInfo = {{
    {"tpp", "", "Total processing performance"},
    {"pd", "/mm^2", "Performance density"},
    {"io_bw", "GB/s", "Aggregate bidirectional transfer rate (2022)"},
    {"dram_bw", "GB/s", "DRAM bandwidth"},
    {"mem_capacity", "GB", "Memory capacity"},
    {"die_area", "mm^2", "Applicable die area"},
    {"scale_up_bw", "GB/s", "Scale-up bandwidth"},
    {"tdp", "W", "Thermal design power"},
}};

Metric Known(double v, std::string how, std::vector<std::string> sources = {}) {
  return Metric{v, std::move(how), {}, std::move(sources)};
}
Metric Missing(std::string why) { return Metric{std::nullopt, {}, std::move(why), {}}; }

void AddSources(std::vector<std::string>* out, const std::vector<std::string>& keys) {
  for (const std::string& k : keys)
    if (std::find(out->begin(), out->end(), k) == out->end()) out->push_back(k);
}

}  // namespace

std::string_view MetricName(MetricId id) { return kInfo[Index(id)].name; }
std::string_view MetricUnit(MetricId id) { return kInfo[Index(id)].unit; }
std::string_view MetricTitle(MetricId id) { return kInfo[Index(id)].title; }
std::optional<MetricId> MetricFromName(std::string_view name) {
  for (std::size_t i = 0; i < kMetricCount; ++i)
    if (kInfo[i].name == name) return static_cast<MetricId>(i);
  return std::nullopt;
}

double TppOf(OpsPerSecond dense_rate, Precision p) {
  return dense_rate.In(1e12) * BitLength(p);
}

namespace {

// The numbers alone: the same definitions as ComputeMetrics, without explanations.
ChipMetrics ComputeValues(const Chip& chip) {
  ChipMetrics m;
  double best = -1;
  for (std::size_t i = 0; i < kPrecisionCount; ++i) {
    if (!chip.throughput[i]) continue;
    const auto p = static_cast<Precision>(i);
    const double tpp = TppOf(chip.throughput[i]->value, p);
    if (tpp > best) best = tpp, m.tpp_precision = p;
  }
  if (m.tpp_precision) m[MetricId::kTpp].value = best;
  double area = 0;
  bool area_known = false;
  for (const Die& d : chip.dies) {
    if (d.kind != DieKind::kLogic || !d.non_planar) continue;
    if (!d.area) {
      area_known = false;
      area = 0;
      break;
    }
    area += SquareMillimetresOf(d.area->value) * d.count;
    area_known = true;
  }
  if (area_known) {
    m[MetricId::kApplicableArea].value = area;
    if (m.tpp_precision) m[MetricId::kPd].value = best / area;
  }
  const auto& ic = chip.interconnect;
  if (ic.io_aggregate)
    m[MetricId::kIoAggregate].value = ic.io_aggregate->value.In(1e9);
  else if (ic.scale_up && ic.pcie)
    m[MetricId::kIoAggregate].value = ic.scale_up->value.In(1e9) + ic.pcie->value.In(1e9);
  if (auto bw = chip.MemoryBandwidth()) m[MetricId::kDramBandwidth].value = bw->In(1e9);
  if (auto cap = chip.MemoryCapacity()) m[MetricId::kMemoryCapacity].value = cap->In(1e9);
  if (ic.scale_up) m[MetricId::kScaleUp].value = ic.scale_up->value.In(1e9);
  if (chip.tdp) m[MetricId::kTdp].value = chip.tdp->value.In(1.0);
  return m;
}

}  // namespace

ChipMetrics ComputeMetrics(const Chip& chip, MetricDetail detail) {
  if (detail == MetricDetail::kValues) return ComputeValues(chip);
  ChipMetrics m;

  // TPP: the highest dense rate x bit length over all precisions (Technical Note 2).
  double best = -1;
  for (std::size_t i = 0; i < kPrecisionCount; ++i) {
    const auto& rate = chip.throughput[i];
    if (!rate) continue;
    const Precision p = static_cast<Precision>(i);
    const double tpp = TppOf(rate->value, p);
    if (tpp > best) {
      best = tpp;
      m.tpp_precision = p;
    }
  }
  if (m.tpp_precision) {
    const Precision p = *m.tpp_precision;
    const double rate = chip.throughput[Index(p)]->value.In(1e12);
    m[MetricId::kTpp] = Known(
        best, fmt::format("{} {} {}/s dense x {} bit = {}", PrecisionName(p), FormatNumber(rate, 6),
                          IsInteger(p) ? "TOP" : "TFLOP", BitLength(p), FormatNumber(best, 6)),
        chip.throughput[Index(p)]->sources);
  } else {
    m[MetricId::kTpp] = Missing("no dense throughput figure in the record");
  }

  // Applicable die area: logic dies on non-planar nodes; memory and planar dies excluded.
  double area_mm2 = 0;
  std::string area_how;
  std::string area_missing;
  int counted = 0;
  std::vector<std::string> area_sources;
  for (const Die& d : chip.dies) {
    if (d.kind != DieKind::kLogic || !d.non_planar) continue;
    if (!d.area) {
      area_missing = fmt::format("the area of logic die {} is not in the record", d.name);
      break;
    }
    const double a = SquareMillimetresOf(d.area->value);
    area_mm2 += a * d.count;
    if (!area_how.empty()) area_how += " + ";
    area_how += d.count == 1 ? fmt::format("{} {} mm^2", d.name, FormatNumber(a, 6))
                             : fmt::format("{} x {} {} mm^2", d.count, d.name, FormatNumber(a, 6));
    AddSources(&area_sources, d.area->sources);
    ++counted;
  }
  if (area_missing.empty() && counted == 0)
    area_missing = chip.dies.empty() ? "no dies are listed in the record"
                                     : "no logic die on a non-planar node is listed";
  if (area_missing.empty()) {
    m[MetricId::kApplicableArea] =
        Known(area_mm2, fmt::format("{} (non-planar logic dies; memory and planar dies excluded)",
                                    area_how),
              area_sources);
  } else {
    m[MetricId::kApplicableArea] = Missing(area_missing);
  }

  // PD = TPP / applicable area.
  if (!m.tpp()) {
    m[MetricId::kPd] = Missing("TPP unknown: " + m[MetricId::kTpp].missing);
  } else if (!m.value(MetricId::kApplicableArea)) {
    m[MetricId::kPd] = Missing("die area unknown: " + area_missing);
  } else {
    const double pd = *m.tpp() / area_mm2;
    std::vector<std::string> src = m[MetricId::kTpp].sources;
    AddSources(&src, area_sources);
    m[MetricId::kPd] = Known(pd,
                             fmt::format("TPP {} / {} mm^2 = {}", FormatNumber(*m.tpp(), 6),
                                         FormatNumber(area_mm2, 6), FormatNumber(pd, 4)),
                             std::move(src));
  }

  // 2022 aggregate bidirectional transfer rate.
  const auto& ic = chip.interconnect;
  if (ic.io_aggregate) {
    const double v = ic.io_aggregate->value.In(1e9);
    m[MetricId::kIoAggregate] =
        Known(v, fmt::format("published: {} GB/s", FormatNumber(v, 6)), ic.io_aggregate->sources);
  } else if (ic.scale_up && ic.pcie) {
    const double su = ic.scale_up->value.In(1e9), pcie = ic.pcie->value.In(1e9);
    m[MetricId::kIoAggregate] =
        Known(su + pcie, fmt::format("scale-up {} GB/s + PCIe {} GB/s = {} GB/s",
                                     FormatNumber(su, 6), FormatNumber(pcie, 6),
                                     FormatNumber(su + pcie, 6)),
              ic.scale_up->sources);
    AddSources(&m[MetricId::kIoAggregate].sources, ic.pcie->sources);
  } else {
    m[MetricId::kIoAggregate] = Missing(!ic.scale_up ? "scale-up bandwidth is not in the record"
                                                     : "PCIe bandwidth is not in the record");
  }

  if (auto bw = chip.MemoryBandwidth()) {
    m[MetricId::kDramBandwidth] =
        Known(bw->In(1e9), "memory.bandwidth", chip.memory->bandwidth->sources);
  } else {
    m[MetricId::kDramBandwidth] = Missing("memory bandwidth is not in the record");
  }
  if (auto cap = chip.MemoryCapacity()) {
    m[MetricId::kMemoryCapacity] =
        Known(cap->In(1e9), "memory.capacity", chip.memory->capacity->sources);
  } else {
    m[MetricId::kMemoryCapacity] = Missing("memory capacity is not in the record");
  }
  if (ic.scale_up) {
    m[MetricId::kScaleUp] =
        Known(ic.scale_up->value.In(1e9), "interconnect.scale_up", ic.scale_up->sources);
  } else {
    m[MetricId::kScaleUp] = Missing("scale-up bandwidth is not in the record");
  }
  if (chip.tdp) {
    m[MetricId::kTdp] = Known(chip.tdp->value.In(1.0), "power.tdp", chip.tdp->sources);
  } else {
    m[MetricId::kTdp] = Missing("TDP is not in the record");
  }
  return m;
}

}  // namespace ceiling::catalog
