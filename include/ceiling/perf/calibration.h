// Calibrated parameters of the performance model: a few achievable-efficiency parameters per
// chip FAMILY (never per chip), a few parameters per serving engine, and the validation error
// bands that turn every prediction into a range.
//
// The numbers live in data/perf/calibration.toml, written by `ceiling calibrate --write` (a
// deterministic fit, see validation.h) and read by every `perf` command:
//
//   ASSIGN_OR_RETURN(Calibration cal, LoadCalibration("data"));
//   bool fitted = false;
//   const FamilyParams& p = cal.Family("hopper", &fitted);   // generic set if unknown family
//   const EngineParams& e = cal.Engine("sglang");             // generic engine if unknown
//
// Errors: kIo/kParse/kSchema with file:line:col when the file is malformed; a missing file is
// kNotFound (the defaults below are then the documented starting point of the fit).
#ifndef CEILING_PERF_CALIBRATION_H_
#define CEILING_PERF_CALIBRATION_H_

#include <array>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/quantity.h"
#include "ceiling/base/result.h"
#include "ceiling/base/toml_reader.h"

namespace ceiling::perf {

// Achievable efficiencies of one chip family. Every operator time is
//   max(flops / (peak x compute efficiency), bytes / (bandwidth x memory_efficiency))
//   + kernel_overhead,
// with the compute efficiency a smooth function of the operator's shape (see step.h).
struct FamilyParams {
  double gemm_efficiency = 0.70;       // fraction of dense peak for large GEMMs
  double gemm_m_half = 64;             // GEMM rows (tokens) at which efficiency is half of that
  double memory_efficiency = 0.80;     // fraction of DRAM bandwidth for streaming reads
  double attention_efficiency = 0.45;  // fraction of bf16 peak in prefill (flash) attention
  double decode_attention_efficiency = 0.45;  // ... in decode attention over the KV cache
  double kv_read_efficiency = 0.8;  // fraction of memory_efficiency paged KV-cache reads reach
  Seconds kernel_overhead = Seconds::FromBase(4e-6);  // fixed cost per operator (launch, tail)
  double comm_efficiency = 0.70;                    // fraction of link bandwidth collectives reach
  Seconds comm_latency = Seconds::FromBase(12e-6);  // fixed cost per collective
};

// Behaviour of a serving engine (vLLM, SGLang, TensorRT-LLM) that is not a chip property.
struct EngineParams {
  Seconds step_overhead = Seconds::FromBase(1.5e-3);  // CPU scheduling + sampling per iteration
  Seconds seq_overhead = Seconds::FromBase(10e-6);    // ... plus this per running sequence
  // Fixed part of every time to first token: request handling, tokenization, scheduling
  // and returning the first token to the client.
  Seconds request_overhead = Seconds::FromBase(30e-3);
  // ... growing with the clients an engine's front end and scheduler juggle at once.
  Seconds client_overhead = Seconds::FromBase(0.5e-3);
  // Fraction of requests that arrive in synchronized waves (all prompts of a wave prefilled
  // together, decode undisturbed) rather than staggered (chunked prefill mixed into decode).
  double burst = 0.5;
};

// Relative error quantiles of a metric in a regime, from validation.
struct ErrorBand {
  double p50 = 0.0;  // median |predicted/measured - 1|
  double p90 = 0.0;
  int count = 0;
};

enum class Metric { kTtft, kTpot, kThroughput, kTrainStep };
inline constexpr int kMetricCount = 4;
std::string_view MetricName(Metric m);  // "ttft", "tpot", "throughput", "train_step"

// Regimes an error band is kept for.
enum class Regime { kSmallBatch, kLargeBatch };  // decode batch per attention rank <= 16, > 16
std::string_view RegimeName(Regime r);
// How a chip relates to the calibration data: its data was fitted (in-sample held-out error);
// its family was fitted without it (leave-one-chip-out error); its family was never fitted
// (leave-one-family-out error).
enum class Basis { kProfiled, kUnprofiledChip, kUnprofiledFamily };
std::string_view BasisName(Basis b);

struct Calibration {
  std::map<std::string, FamilyParams> families;
  FamilyParams generic;  // fitted on every chip: used for families without data
  std::map<std::string, EngineParams> engines;
  EngineParams generic_engine;
  // bands[basis][metric][regime]
  std::array<std::array<std::array<ErrorBand, 2>, kMetricCount>, 3> bands{};
  std::vector<std::string> calibrated_chips;  // chips whose measurements were fitted
  std::string produced_by;                    // the command that wrote the file

  const FamilyParams& Family(std::string_view family, bool* fitted = nullptr) const;
  const EngineParams& Engine(std::string_view engine) const;
  const ErrorBand& Band(Basis b, Metric m, Regime r) const;
  Basis BasisFor(std::string_view chip_id, std::string_view family) const;
};

Result<Calibration> LoadCalibration(const std::filesystem::path& data_dir);
Result<Calibration> ParseCalibrationFile(const std::filesystem::path& path);
// The same from a parsed document, or from TOML text (`display_name` stands for the file).
Result<Calibration> ParseCalibration(const TomlTable& doc);
Result<Calibration> ParseCalibrationText(std::string_view text, std::string display_name);
// TOML text for data/perf/calibration.toml (stable order, 6 significant digits).
std::string CalibrationToToml(const Calibration& c);

}  // namespace ceiling::perf

#endif  // CEILING_PERF_CALIBRATION_H_
