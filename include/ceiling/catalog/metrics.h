// Export-control metrics computed from a chip record, in one place.
//
//   ChipMetrics m = ComputeMetrics(chip);
//   if (m.tpp()) fmt::print("TPP {} ({})\n", *m.tpp(), m[MetricId::kTpp].how);
//   // "TPP 15831.2 (fp8 1978.9 TFLOP/s dense x 8 bit = 15831.2)"
//
// Definitions (ECCN 3A090 Technical Notes, eCFR 2026-07-23):
// - TPP: for each precision, the dense peak rate in tera-operations/s (2 x MacTOPS convention)
//   times the bit length of the operation's largest input; the highest value over precisions.
//   Datasheet rates are for the whole package, i.e. already summed over its processing units.
// - PD: TPP / applicable die area in mm^2, where the area is that of every logic die made on a
//   non-planar (FinFET/GAA) node; memory dies and planar-node dies are excluded.
// - Aggregate bidirectional transfer rate (the Oct 2022 rule's interconnect prong): all I/O to
//   ICs other than volatile memory = the published figure, or scale-up + PCIe bandwidth.
// - DRAM bandwidth, memory capacity, TDP: the record's figures.
// A metric whose inputs are unknown is absent, with `missing` saying which input; never zero.
// Units as rules use them: TPP plain, PD per mm^2, bandwidths GB/s, capacity GB, TDP W.
// Thread safety: pure functions.
#ifndef CEILING_CATALOG_METRICS_H_
#define CEILING_CATALOG_METRICS_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/catalog/chip.h"

namespace ceiling::catalog {

enum class MetricId {
  kTpp,             // total processing performance
  kPd,              // performance density, TPP / mm^2
  kIoAggregate,     // 2022 aggregate bidirectional transfer rate, GB/s
  kDramBandwidth,   // GB/s
  kMemoryCapacity,  // GB
  kApplicableArea,  // mm^2 of non-planar logic dies
  kScaleUp,         // GB/s bidirectional
  kTdp,             // W
};
inline constexpr std::size_t kMetricCount = 8;
constexpr std::size_t Index(MetricId id) { return static_cast<std::size_t>(id); }

std::string_view MetricName(MetricId id);   // "tpp", "pd", "io_bw", "dram_bw", ...
std::string_view MetricUnit(MetricId id);   // "", "/mm^2", "GB/s", "GB", "mm^2", "W"
std::string_view MetricTitle(MetricId id);  // "Total processing performance"
std::optional<MetricId> MetricFromName(std::string_view name);

struct Metric {
  std::optional<double> value;  // in MetricUnit()
  std::string how;              // how it was computed, with inputs and units
  std::string missing;          // why it is absent (when !value)
  std::vector<std::string> sources;  // source keys of the figures it was computed from
};

struct ChipMetrics {
  std::array<Metric, kMetricCount> metrics;
  std::optional<Precision> tpp_precision;  // which precision set the TPP

  const Metric& operator[](MetricId id) const { return metrics[Index(id)]; }
  Metric& operator[](MetricId id) { return metrics[Index(id)]; }
  std::optional<double> value(MetricId id) const { return metrics[Index(id)].value; }
  std::optional<double> tpp() const { return value(MetricId::kTpp); }
  std::optional<double> pd() const { return value(MetricId::kPd); }
};

enum class MetricDetail {
  kExplain,  // fill `how`, `missing` and `sources` (CLI, reports)
  kValues,   // values only, no strings or allocations (search loops)
};
ChipMetrics ComputeMetrics(const Chip& chip, MetricDetail detail = MetricDetail::kExplain);

// The TPP of one precision's dense rate: rate [TOP/s] x bit length.
double TppOf(OpsPerSecond dense_rate, Precision p);

}  // namespace ceiling::catalog

#endif  // CEILING_CATALOG_METRICS_H_
