// What the rule engine knows about one chip: the variables a rule condition may read.
//
// Conditions in rule files read numeric metrics (`tpp`, `pd`, `dram_bw`, ...) and string
// attributes (`market`, `id`, ...). A `ChipFacts` holds one value per variable, or the reason it
// is unknown, so that classification can say "cannot decide: PD unknown because ..." instead of
// guessing. Facts come from a catalog record (FactsOf) or are written inline (tests, what-if).
//
//   catalog::ChipMetrics m = catalog::ComputeMetrics(chip);
//   rules::ChipFacts facts = rules::FactsOf(chip, m);
//   facts.Known(Var::kPd);                  // false when a die area is missing
//   facts.missing(Var::kPd);                // "die area unknown: the area of logic die ..."
//
//   rules::ChipFacts inline_facts;          // everything unknown ("not given")
//   inline_facts.Set(Var::kTpp, 4800);
//   inline_facts.SetText(Var::kMarket, "datacenter");
//
// Units: numeric variables are held in canonical units (see CanonicalScale): TPP and PD plain
// numbers (PD being TPP per mm^2 by the 3A090 convention), bandwidths GB/s, capacity GB, area
// mm^2, power W, memory bandwidth density GB/s/mm^2. Thread safety: a plain value.
#ifndef CEILING_RULES_FACTS_H_
#define CEILING_RULES_FACTS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ceiling/base/units.h"
#include "ceiling/catalog/chip.h"
#include "ceiling/catalog/metrics.h"

namespace ceiling::rules {

// Variables, numeric first. The numeric ones mirror catalog::MetricId plus `mbd`.
enum class Var : std::uint8_t {
  kTpp,          // total processing performance
  kPd,           // performance density (TPP / mm^2 of non-planar logic dies)
  kIoBw,         // 2022 aggregate bidirectional transfer rate, GB/s
  kDramBw,       // DRAM bandwidth, GB/s
  kMemCapacity,  // GB
  kDieArea,      // applicable die area, mm^2
  kScaleUpBw,    // GB/s
  kTdp,          // W
  kMbd,          // memory bandwidth density of an HBM item, GB/s/mm^2 (3A090.c)
  kId,           // catalog id, e.g. "nvidia-h20"
  kVendor,
  kFamily,
  kMarket,      // datacenter | consumer | workstation | edge
  kFormFactor,  // sxm | oam | pcie | module | superchip | card | chip
  kItem,        // processor | hbm: what kind of integrated circuit the record describes
};
inline constexpr std::size_t kNumericVarCount = 9;
inline constexpr std::size_t kVarCount = 15;
constexpr std::size_t Index(Var v) { return static_cast<std::size_t>(v); }
constexpr bool IsNumeric(Var v) { return Index(v) < kNumericVarCount; }
constexpr std::uint32_t Bit(Var v) { return std::uint32_t{1} << Index(v); }

std::string_view VarName(Var v);    // "tpp", "dram_bw", "market"
std::string_view VarTitle(Var v);   // "TPP", "DRAM bandwidth", "market"
std::string_view VarUnit(Var v);    // "", "GB/s", "mm^2", ...
DimVector VarDim(Var v);            // dimension of a numeric variable
std::optional<Var> VarFromName(std::string_view name);
// The values a string variable may take (empty for id, vendor, family: free text).
const std::vector<std::string_view>& VarValues(Var v);

// Base SI units per canonical unit of a dimension: GB for bytes, s, tera-operations, W, mm.
// CanonicalScale(bandwidth) == 1e9 (GB/s), CanonicalScale(area) == 1e-6 (mm^2).
double CanonicalScale(const DimVector& dim);
// Formats a canonical value with its unit for the trace: "4,000 GB/s", "2,368", "2.91".
std::string FormatCanonical(double value, const DimVector& dim);

class ChipFacts {
 public:
  ChipFacts();  // every variable unknown, reason "not given"

  bool Known(Var v) const { return (known_ & Bit(v)) != 0; }
  std::uint32_t known_mask() const { return known_; }
  // Precondition: Known(v) and IsNumeric(v).
  double number(Var v) const { return number_[Index(v)]; }
  // Precondition: Known(v) and !IsNumeric(v).
  const std::string& text(Var v) const { return text_[Index(v) - kNumericVarCount]; }
  // Why the variable is unknown ("" when known).
  const std::string& missing(Var v) const { return missing_[Index(v)]; }
  // How a known metric was computed ("fp8 296 TFLOP/s dense x 8 bit = 2368"), may be empty.
  const std::string& how(Var v) const { return how_[Index(v)]; }

  // Setters reuse the strings' storage: refilling the same facts does not allocate.
  void Set(Var v, double value, std::string_view how = "");
  void SetText(Var v, std::string_view value);
  void SetUnknown(Var v, std::string_view why);

 private:
  std::array<double, kNumericVarCount> number_{};
  std::array<std::string, kVarCount - kNumericVarCount> text_;
  std::array<std::string, kVarCount> missing_;
  std::array<std::string, kVarCount> how_;
  std::uint32_t known_ = 0;
};

// Facts of a catalog record: every metric of `m` (absent ones keep ChipMetrics' reason), the
// record's attributes, item = "processor", and mbd unknown (catalog records are processors).
ChipFacts FactsOf(const catalog::Chip& chip, const catalog::ChipMetrics& m);
// The same into existing facts, reusing their storage (search loops refill one ChipFacts).
void FillFacts(const catalog::Chip& chip, const catalog::ChipMetrics& m, ChipFacts* f);

}  // namespace ceiling::rules

#endif  // CEILING_RULES_FACTS_H_
