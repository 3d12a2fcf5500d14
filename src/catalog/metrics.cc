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

// One pass over the record computes every metric; with MetricDetail::kExplain it also says how
// (the inputs with their units) and from which sources, else it only fills the values (search
// loops rebuild millions of derivatives and must not allocate).
ChipMetrics ComputeMetrics(const Chip& chip, MetricDetail detail) {
  const bool explain = detail == MetricDetail::kExplain;
  ChipMetrics m;
  auto known = [&](MetricId id, double v, auto&& how, const std::vector<std::string>& sources) {
    Metric& out = m[id];
    out.value = v;
    if (explain) {
      out.how = how();
      out.sources = sources;
    }
  };
  auto missing = [&](MetricId id, auto&& why) {
    if (explain) m[id].missing = why();
  };

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
    const auto& rate = *chip.throughput[Index(p)];
    known(
        MetricId::kTpp, best,
        [&] {
          return fmt::format("{} {} {}/s dense x {} bit = {}", PrecisionName(p),
                             FormatNumber(rate.value.In(1e12), 6), IsInteger(p) ? "TOP" : "TFLOP",
                             BitLength(p), FormatNumber(best, 6));
        },
        rate.sources);
  } else {
    missing(MetricId::kTpp, [] { return std::string("no dense throughput figure in the record"); });
  }

  // Applicable die area: logic dies on non-planar nodes; memory and planar dies excluded.
  double area_mm2 = 0;
  int counted = 0;
  const Die* unknown_die = nullptr;
  std::string area_how;
  std::vector<std::string> area_sources;
  for (const Die& d : chip.dies) {
    if (d.kind != DieKind::kLogic || !d.non_planar) continue;
    if (!d.area) {
      unknown_die = &d;
      break;
    }
    const double a = SquareMillimetresOf(d.area->value);
    area_mm2 += a * d.count;
    ++counted;
    if (explain) {
      if (!area_how.empty()) area_how += " + ";
      area_how += d.count == 1 ? fmt::format("{} {} mm^2", d.name, FormatNumber(a, 6))
                               : fmt::format("{} x {} {} mm^2", d.count, d.name, FormatNumber(a, 6));
      AddSources(&area_sources, d.area->sources);
    }
  }
  const bool area_known = unknown_die == nullptr && counted > 0;
  auto area_missing = [&] {
    if (unknown_die != nullptr)
      return fmt::format("the area of logic die {} is not in the record", unknown_die->name);
    return std::string(chip.dies.empty() ? "no dies are listed in the record"
                                         : "no logic die on a non-planar node is listed");
  };
  if (area_known) {
    known(
        MetricId::kApplicableArea, area_mm2,
        [&] {
          return fmt::format("{} (non-planar logic dies; memory and planar dies excluded)",
                             area_how);
        },
        area_sources);
  } else {
    missing(MetricId::kApplicableArea, area_missing);
  }

  // PD = TPP / applicable area.
  if (!m.tpp_precision) {
    missing(MetricId::kPd, [&] { return "TPP unknown: " + m[MetricId::kTpp].missing; });
  } else if (!area_known) {
    missing(MetricId::kPd, [&] { return "die area unknown: " + area_missing(); });
  } else {
    const double pd = best / area_mm2;
    std::vector<std::string> src;
    if (explain) {
      src = m[MetricId::kTpp].sources;
      AddSources(&src, area_sources);
    }
    known(
        MetricId::kPd, pd,
        [&] {
          return fmt::format("TPP {} / {} mm^2 = {}", FormatNumber(best, 6),
                             FormatNumber(area_mm2, 6), FormatNumber(pd, 4));
        },
        src);
  }

  // 2022 aggregate bidirectional transfer rate.
  const auto& ic = chip.interconnect;
  if (ic.io_aggregate) {
    const double v = ic.io_aggregate->value.In(1e9);
    known(
        MetricId::kIoAggregate, v,
        [&] { return fmt::format("published: {} GB/s", FormatNumber(v, 6)); },
        ic.io_aggregate->sources);
  } else if (ic.scale_up && ic.pcie) {
    const double su = ic.scale_up->value.In(1e9), pcie = ic.pcie->value.In(1e9);
    std::vector<std::string> src;
    if (explain) {
      src = ic.scale_up->sources;
      AddSources(&src, ic.pcie->sources);
    }
    known(
        MetricId::kIoAggregate, su + pcie,
        [&] {
          return fmt::format("scale-up {} GB/s + PCIe {} GB/s = {} GB/s", FormatNumber(su, 6),
                             FormatNumber(pcie, 6), FormatNumber(su + pcie, 6));
        },
        src);
  } else {
    missing(MetricId::kIoAggregate, [&] {
      return std::string(!ic.scale_up ? "scale-up bandwidth is not in the record"
                                      : "PCIe bandwidth is not in the record");
    });
  }

  auto figure = [&](MetricId id, std::optional<double> v, const char* how,
                    const std::vector<std::string>* sources, const char* why) {
    if (v)
      known(id, *v, [how] { return std::string(how); }, *sources);
    else
      missing(id, [why] { return std::string(why); });
  };
  static const std::vector<std::string> kNoSources;
  const auto bw = chip.MemoryBandwidth();
  figure(MetricId::kDramBandwidth, bw ? std::optional(bw->In(1e9)) : std::nullopt,
         "memory.bandwidth", bw ? &chip.memory->bandwidth->sources : &kNoSources,
         "memory bandwidth is not in the record");
  const auto cap = chip.MemoryCapacity();
  figure(MetricId::kMemoryCapacity, cap ? std::optional(cap->In(1e9)) : std::nullopt,
         "memory.capacity", cap ? &chip.memory->capacity->sources : &kNoSources,
         "memory capacity is not in the record");
  figure(MetricId::kScaleUp, ic.scale_up ? std::optional(ic.scale_up->value.In(1e9)) : std::nullopt,
         "interconnect.scale_up", ic.scale_up ? &ic.scale_up->sources : &kNoSources,
         "scale-up bandwidth is not in the record");
  figure(MetricId::kTdp, chip.tdp ? std::optional(chip.tdp->value.In(1.0)) : std::nullopt,
         "power.tdp", chip.tdp ? &chip.tdp->sources : &kNoSources, "TDP is not in the record");
  return m;
}

}  // namespace ceiling::catalog
