#include "ceiling/rules/facts.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

namespace ceiling::rules {
namespace {

struct VarInfo {
  std::string_view name, title, unit;
  DimVector dim;
};

constexpr DimVector kPlain{};
constexpr DimVector kBandwidth{1, -1, 0, 0, 0};
constexpr DimVector kBytes{1, 0, 0, 0, 0};
constexpr DimVector kArea{0, 0, 0, 0, 2};
constexpr DimVector kPower{0, 0, 0, 1, 0};
constexpr DimVector kBandwidthDensity{1, -1, 0, 0, -2};

const std::array<VarInfo, kVarCount> kVars = {{
    {"tpp", "TPP", "", kPlain},
    {"pd", "PD", "", kPlain},
    {"io_bw", "aggregate I/O transfer rate", "GB/s", kBandwidth},
    {"dram_bw", "DRAM bandwidth", "GB/s", kBandwidth},
    {"mem_capacity", "memory capacity", "GB", kBytes},
    {"die_area", "applicable die area", "mm^2", kArea},
    {"scale_up_bw", "scale-up bandwidth", "GB/s", kBandwidth},
    {"tdp", "TDP", "W", kPower},
    {"mbd", "memory bandwidth density", "GB/s/mm^2", kBandwidthDensity},
    {"id", "id", "", kPlain},
    {"vendor", "vendor", "", kPlain},
    {"family", "family", "", kPlain},
    {"market", "market", "", kPlain},
    {"form_factor", "form factor", "", kPlain},
    {"item", "item", "", kPlain},
}};

// catalog::MetricId for the numeric variables that come from ChipMetrics.
constexpr std::array<catalog::MetricId, 8> kFromMetric = {
    catalog::MetricId::kTpp,           catalog::MetricId::kPd,
    catalog::MetricId::kIoAggregate,   catalog::MetricId::kDramBandwidth,
    catalog::MetricId::kMemoryCapacity, catalog::MetricId::kApplicableArea,
    catalog::MetricId::kScaleUp,       catalog::MetricId::kTdp,
};

}  // namespace

std::string_view VarName(Var v) { return kVars[Index(v)].name; }
std::string_view VarTitle(Var v) { return kVars[Index(v)].title; }
std::string_view VarUnit(Var v) { return kVars[Index(v)].unit; }
DimVector VarDim(Var v) { return kVars[Index(v)].dim; }

std::optional<Var> VarFromName(std::string_view name) {
  for (std::size_t i = 0; i < kVarCount; ++i)
    if (kVars[i].name == name) return static_cast<Var>(i);
  return std::nullopt;
}

const std::vector<std::string_view>& VarValues(Var v) {
  static const std::vector<std::string_view> kNone;
  static const std::vector<std::string_view> kMarkets = {"datacenter", "consumer", "workstation",
                                                         "edge"};
  static const std::vector<std::string_view> kForms = {"sxm",       "oam",  "pcie", "module",
                                                       "superchip", "card", "chip"};
  static const std::vector<std::string_view> kItems = {"processor", "hbm"};
  switch (v) {
    case Var::kMarket: return kMarkets;
    case Var::kFormFactor: return kForms;
    case Var::kItem: return kItems;
    default: return kNone;
  }
}

double CanonicalScale(const DimVector& dim) {
  // GB, s, tera-operations, W, mm.
  return std::pow(1e9, dim.bytes) * std::pow(1.0, dim.seconds) * std::pow(1e12, dim.ops) *
         std::pow(1.0, dim.watts) * std::pow(1e-3, dim.metres);
}

std::string FormatCanonical(double value, const DimVector& dim) {
  std::string num;
  if (std::fabs(value) >= 1000) {
    num = FormatFixed(value, value == std::floor(value) ? 0 : 1);
  } else {
    num = FormatNumber(value, 3);
  }
  for (const VarInfo& info : kVars) {
    if (info.dim == dim && !info.unit.empty()) return num + " " + std::string(info.unit);
  }
  if (dim == DimVector{}) return num;
  return FormatQuantity(value * CanonicalScale(dim), dim);
}

ChipFacts::ChipFacts() {
  for (auto& m : missing_) m = "not given";
}

void ChipFacts::Set(Var v, double value, std::string_view how) {
  number_[Index(v)] = value;
  known_ |= Bit(v);
  missing_[Index(v)].clear();
  how_[Index(v)].assign(how);
}

void ChipFacts::SetText(Var v, std::string_view value) {
  text_[Index(v) - kNumericVarCount].assign(value);
  known_ |= Bit(v);
  missing_[Index(v)].clear();
}

void ChipFacts::SetUnknown(Var v, std::string_view why) {
  known_ &= ~Bit(v);
  missing_[Index(v)].assign(why);
}

void FillFacts(const catalog::Chip& chip, const catalog::ChipMetrics& m, ChipFacts* f) {
  for (std::size_t i = 0; i < kFromMetric.size(); ++i) {
    const catalog::Metric& metric = m[kFromMetric[i]];
    const Var v = static_cast<Var>(i);
    if (metric.value) {
      f->Set(v, *metric.value, metric.how);
    } else {
      f->SetUnknown(v, metric.missing);
    }
  }
  f->SetUnknown(Var::kMbd,
                "memory bandwidth density applies to HBM items; the record is a processor");
  f->SetText(Var::kId, chip.id);
  f->SetText(Var::kVendor, chip.vendor);
  f->SetText(Var::kFamily, chip.family);
  f->SetText(Var::kMarket, catalog::MarketName(chip.market));
  f->SetText(Var::kFormFactor, catalog::FormFactorName(chip.form_factor));
  f->SetText(Var::kItem, "processor");
}

ChipFacts FactsOf(const catalog::Chip& chip, const catalog::ChipMetrics& m) {
  ChipFacts f;
  FillFacts(chip, m, &f);
  return f;
}

}  // namespace ceiling::rules
