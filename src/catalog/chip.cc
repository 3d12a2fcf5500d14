#include "ceiling/catalog/chip.h"

namespace ceiling::catalog {
namespace {

constexpr std::array<std::string_view, kPrecisionCount> kPrecisionNames = {
    "fp64", "fp64_tensor", "fp32", "tf32", "fp16", "bf16",
    "fp8",  "fp6",         "fp4",  "int16", "int8", "int4"};
constexpr std::array<int, kPrecisionCount> kBits = {64, 64, 32, 32, 16, 16, 8, 6, 4, 16, 8, 4};
constexpr std::array<std::string_view, 4> kMarkets = {"datacenter", "consumer", "workstation",
                                                      "edge"};
constexpr std::array<std::string_view, 7> kFormFactors = {"sxm",       "oam",  "pcie", "module",
                                                          "superchip", "card", "chip"};

template <typename E, std::size_t N>
std::optional<E> FromName(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace

std::string_view PrecisionName(Precision p) { return kPrecisionNames[Index(p)]; }
std::optional<Precision> PrecisionFromName(std::string_view name) {
  return FromName<Precision>(kPrecisionNames, name);
}
int BitLength(Precision p) { return kBits[Index(p)]; }
bool IsInteger(Precision p) {
  return p == Precision::kInt16 || p == Precision::kInt8 || p == Precision::kInt4;
}

std::string_view MarketName(Market m) { return kMarkets[static_cast<std::size_t>(m)]; }
std::optional<Market> MarketFromName(std::string_view name) {
  return FromName<Market>(kMarkets, name);
}
std::string_view FormFactorName(FormFactor f) { return kFormFactors[static_cast<std::size_t>(f)]; }
std::optional<FormFactor> FormFactorFromName(std::string_view name) {
  return FromName<FormFactor>(kFormFactors, name);
}

std::optional<BytesPerSecond> Chip::MemoryBandwidth() const {
  if (memory && memory->bandwidth) return memory->bandwidth->value;
  return std::nullopt;
}
std::optional<Bytes> Chip::MemoryCapacity() const {
  if (memory && memory->capacity) return memory->capacity->value;
  return std::nullopt;
}

std::optional<double> TensorPerVector(const Chip& chip) {
  const auto& t16 = chip.Rate(Precision::kBf16) ? chip.Rate(Precision::kBf16)
                                                 : chip.Rate(Precision::kFp16);
  const auto& f32 = chip.Rate(Precision::kFp32);
  if (!t16 || !f32 || !(t16->value.base() > 0) || !(f32->value.base() > 0)) return std::nullopt;
  return t16->value.base() / f32->value.base();
}

}  // namespace ceiling::catalog
