// The hardware view of a chip that the performance model needs, and the number formats it runs.
//
// A `Hardware` is resolved once from a catalog chip record plus system facts the record does not
// hold (how many GPUs share a scale-up domain, the scale-out NIC per GPU): dense peak rates per
// number format, memory bandwidth and capacity, and link bandwidths per direction.
//
//   ASSIGN_OR_RETURN(SystemDefaults sys, LoadSystemDefaults("data"));   // data/perf/systems.toml
//   ASSIGN_OR_RETURN(Hardware hw, HardwareFromChip(*chip, sys, {}));
//   DType used;
//   OpsPerSecond r = hw.ComputeRate(DType::kFp8, &used);  // falls back to bf16 on a chip
//                                                          // without fp8 (used == kBf16)
//
// Errors (kInvalidArgument): a chip without memory bandwidth, memory capacity or any dense
// tensor rate cannot be modelled; the message names the missing figure. Every fallback the
// resolution makes (a missing scale-up bandwidth, a format computed at a wider rate) is listed
// in `Hardware::notes` so reports can show it. Thread safety: plain values.
#ifndef CEILING_PERF_HARDWARE_H_
#define CEILING_PERF_HARDWARE_H_

#include <array>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/quantity.h"
#include "ceiling/base/result.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/chip.h"
#include "ceiling/perf/calibration.h"

namespace ceiling::perf {

// Number formats of weights, activations and the KV cache. kInt4 is weight-only (its math runs
// at the activation format).
enum class DType { kFp4, kInt4, kFp8, kInt8, kBf16, kFp16, kFp32 };
inline constexpr std::size_t kDTypeCount = 7;
constexpr std::size_t Index(DType d) { return static_cast<std::size_t>(d); }
std::string_view DTypeName(DType d);
std::optional<DType> DTypeFromName(std::string_view name);
// Storage per element including block scales: NVFP4 stores one 8-bit scale per 16 values.
double BytesPerElement(DType d);

struct Hardware {
  std::string chip_id;
  std::string chip_name;
  std::string family;                            // calibration key ("hopper", "blackwell", ...)
  std::array<OpsPerSecond, kDTypeCount> peak{};  // dense; zero when the record has no rate
  BytesPerSecond memory_bandwidth;
  Bytes memory_capacity;
  BytesPerSecond scale_up;   // per GPU and direction (half the record's bidirectional figure)
  BytesPerSecond scale_out;  // per GPU and direction (the NIC)
  int scale_up_domain = 8;   // GPUs that reach each other over scale-up links
  // The fraction of its die's native tensor rate the chip delivers: below 1 when its dense bf16
  // rate per unit of fp32 rate is below that of the chip it derives from (the H20's tensor cores
  // are throttled to about a quarter; a design's kept tensor_rate). The part of a tensor-core
  // kernel that is not matrix math (staging operands, softmax, epilogues) still runs at the die's
  // native speed. 1 for every chip that is not such a derivative.
  double tensor_cap = 1.0;
  std::vector<std::string> notes;

  // Dense rate for math in `dt` (kInt4 weights compute in bf16). A chip without that format
  // uses the next wider one it has: fp4 -> fp8 -> bf16 -> fp16 -> fp32; a record with no 16- or
  // 32-bit figure at all computes 16-bit math at its fp8 (else fp4) rate. `used` reports which.
  OpsPerSecond ComputeRate(DType dt, DType* used = nullptr) const;
};

// Per-chip system facts from data/perf/systems.toml (cited), with defaults.
struct SystemDefaults {
  int scale_up_domain = 8;
  BytesPerSecond scale_out = BytesPerSecond::FromGiga(50);  // 400 Gb/s NIC per GPU
  struct ChipSystem {
    std::optional<int> scale_up_domain;
    std::optional<BytesPerSecond> scale_up_fallback;  // bidirectional, when the record has none
    // Device memory as the driver reports it (nvidia-smi, cudaMemGetInfo's total), which serving
    // engines budget from, and the datasheet capacity of the chip record it pairs with: a
    // datasheet "80 GB" H100 exposes 81,559 MiB (85.5e9 bytes). A derivative built from the chip
    // with another capacity keeps the ratio.
    std::optional<Bytes> device_memory;
    std::optional<Bytes> datasheet_memory;
    std::string note;
  };
  std::map<std::string, ChipSystem> chips;  // by chip id
  // Scheduler defaults of the serving engines (data/perf/engines.toml), by engine name, and
  // those assumed when no engine is named.
  std::map<std::string, EngineTraits> engines;
  EngineTraits default_engine;
  const EngineTraits& EngineTraitsFor(std::string_view engine) const;
};
// Reads data/perf/systems.toml and data/perf/engines.toml.
Result<SystemDefaults> LoadSystemDefaults(const std::filesystem::path& data_dir);
// systems.toml alone, parsed or as text (`display_name` stands for the file); the engines keep
// their built-in defaults (no engines.toml).
Result<SystemDefaults> ParseSystemDefaults(const TomlTable& doc);
Result<SystemDefaults> ParseSystemDefaultsText(std::string_view text, std::string display_name);

// The scale-out bandwidths the model accepts, per GPU and direction: from a 1 Mb/s link (far
// below any datacenter NIC) to 1 PB/s (far above any). Outside, HardwareFromChip fails.
inline const BytesPerSecond kMinScaleOut = BytesPerSecond::FromBase(125e3);
inline const BytesPerSecond kMaxScaleOut = BytesPerSecond::FromBase(1e15);
// kInvalidArgument naming field "scale_out" when `scale_out` is outside the range above.
Status CheckScaleOut(BytesPerSecond scale_out);

// Command-line overrides of the system (all optional).
struct SystemOptions {
  std::optional<int> scale_up_domain;       // --gpus-per-node
  std::optional<BytesPerSecond> scale_out;  // --scale-out, per GPU and direction
};

// Errors (kInvalidArgument): the missing figures above; a scale-up domain outside 1..100000 or a
// scale-out bandwidth outside kMinScaleOut..kMaxScaleOut (from the options or the defaults).
Result<Hardware> HardwareFromChip(const catalog::Chip& chip, const SystemDefaults& defaults,
                                  const SystemOptions& options);

}  // namespace ceiling::perf

#endif  // CEILING_PERF_HARDWARE_H_
