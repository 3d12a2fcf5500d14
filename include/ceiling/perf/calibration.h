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
#include <compare>
#include <cstddef>
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
  double gemm_efficiency = 0.70;              // fraction of dense peak for large GEMMs
  double memory_efficiency = 0.80;            // fraction of DRAM bandwidth for streaming reads
  double attention_efficiency = 0.45;         // fraction of bf16 peak in prefill (flash) attention
  double decode_attention_efficiency = 0.45;  // ... in decode attention over the KV cache
  double kv_read_efficiency = 0.8;  // fraction of memory_efficiency paged KV-cache reads reach
  Seconds kernel_overhead = Seconds::FromBase(4e-6);  // fixed cost per operator (launch, tail)
  double comm_efficiency = 0.70;                    // fraction of link bandwidth collectives reach
  Seconds comm_latency = Seconds::FromBase(12e-6);  // fixed cost per collective
};

// Scheduler defaults a serving engine ships with (data/perf/engines.toml). Plain values.
struct EngineTraits {
  bool mixed_prefill = true;  // prefill chunks share iterations (and the budget) with decodes
  // The scheduler reserves a request's full KV length (prompt + output) when admitting it,
  // rather than paging the cache in as tokens are generated.
  bool reserve_full_kv = false;
  // Overlap scheduling stays on with speculative decoding (SGLang's default speculative worker
  // turns it off: CPU work between iterations is then exposed).
  bool speculative_overlap = true;
  // CPU time per iteration added when attention data parallelism spans more than one
  // scale-up domain (the ranks' scheduler synchronization), in seconds. Derived, not read:
  // `dp_attention_hidden` over the engine's fitted overlap fraction (DpAttentionCpu), by the fit
  // and when calibration.toml is read.
  double dp_attention_cpu = 0;
  // What overlap scheduling was measured to hide of that CPU work per iteration (engines.toml's
  // `dp_attention_hidden`), in seconds.
  double dp_attention_hidden = 0;
  // Responses are post-processed (detokenized, streamed) in the server's main process unless
  // worker processes are configured (TensorRT-LLM's num_postprocess_workers, 0 by default);
  // the fixed part of TTFT then depends on that setting (EngineParams).
  bool inline_postprocessing = false;
  // Context (prefill) attention runs in FP8 when the KV cache is FP8 and the GEMMs are FP8 or
  // FP4 (TensorRT-LLM's attention backend requires it of paged context FMHA, which chunked
  // prefill and KV-cache reuse turn on): see WithEngineAttention.
  bool fp8_context_attention = false;
  // On Hopper, MLA's absorbed products of a block-scaled FP8 checkpoint run as FP8 batched
  // GEMMs with their inputs quantized per token group (TensorRT-LLM's fp8_block_scaling_bmm_out);
  // elsewhere, and in engines without the trait, on bf16 weights dequantized at load.
  bool fp8_latent_bmm = false;
  // On Hopper, a MoE model's single shared expert (as wide as a routed one, among 256 routed
  // experts, without expert parallelism) runs inside the routed experts' fused MoE kernel as one
  // more expert every token takes (SGLang's default for DeepSeek-V3/R1 and GLM): two GEMMs fewer
  // per MoE layer. On Blackwell SGLang's default MoE backend for these models turns it off.
  bool shared_expert_fusion = false;
  // How the engine sizes the memory it keeps from weights and the KV cache on each GPU
  // (EngineHeldBack, perf/serving.h): kDefault, the model's middle (8% of the device and a
  // workspace); kDeviceShare, weights, workspace and KV cache fill `memory_share` of the device
  // (vLLM's gpu_memory_utilization); kFreeShare, the KV cache takes `memory_share` of what
  // weights and workspace leave (TensorRT-LLM's free_gpu_memory_fraction); kSglang, SGLang's
  // mem_fraction_static heuristic from its token budget, CUDA-graph batch and parallel sizes.
  enum class MemoryPolicy { kDefault, kDeviceShare, kFreeShare, kSglang };
  MemoryPolicy memory_policy = MemoryPolicy::kDefault;
  double memory_share = 0.9;  // read, written and used only where UsesMemoryShare()
  // How the engine holds the KV cache of sliding-window attention layers: below 0, a sequence
  // keeps only its window (vLLM's hybrid allocator frees the blocks that slide out); otherwise
  // the pool holds this many sliding-layer tokens per token of the full-attention layers,
  // whatever the window (SGLang's hybrid SWA pool: swa_full_tokens_ratio, 0.8; TensorRT-LLM's
  // KV-cache creator caps the pool at the tokens the memory holds at every attention layer's
  // cost per token: 1.0).
  double sliding_kv_ratio = -1;
  bool UsesMemoryShare() const {
    return memory_policy == MemoryPolicy::kDeviceShare || memory_policy == MemoryPolicy::kFreeShare;
  }
  // From `from_memory` bytes of device memory on (ascending), the iteration token budget and
  // the cap on running sequences (infinity: only the KV cache limits them).
  struct Tier {
    double from_memory = 0;
    double chunk_tokens = 8192;
    double max_batch = 1e9;
    bool operator==(const Tier&) const = default;
  };
  static constexpr int kMaxTiers = 4;
  std::array<Tier, kMaxTiers> tiers{};
  int tier_count = 1;

  const Tier& TierFor(Bytes memory) const {
    int t = 0;
    for (int i = 1; i < tier_count; ++i)
      if (memory.base() >= tiers[i].from_memory) t = i;
    return tiers[t];
  }
  double ChunkTokens(Bytes memory) const { return TierFor(memory).chunk_tokens; }
  double MaxBatch(Bytes memory) const { return TierFor(memory).max_batch; }
  bool operator==(const EngineTraits&) const = default;
};

// "default", "device_share", "free_share", "sglang".
std::string_view EngineMemoryName(EngineTraits::MemoryPolicy m);
// Reads a table's `memory` (one of the names above; absent: default), `memory_share` (0.5
// to 1; required by the two share policies and refused by the others) and `sliding_kv_ratio`
// (0 to 1; absent: windowed) into `e`. Errors name the key, with file:line:col.
Status ReadEngineMemory(const TomlTable& t, EngineTraits* e);
// Reads the optional on/off traits (speculative_overlap, inline_postprocessing,
// fp8_context_attention, fp8_latent_bmm, shared_expert_fusion) into `e`; absent ones keep
// their values. Both engines.toml and calibration.toml carry them.
Status ReadEngineSwitches(const TomlTable& t, EngineTraits* e);

// Behaviour of a serving engine (vLLM, SGLang, TensorRT-LLM) that is not a chip property: fitted
// CPU overheads and benchmark behaviour, and the scheduler defaults the engine ships with
// (data/perf/engines.toml, copied here by the fit; not fitted).
struct EngineParams {
  // CPU work per iteration (scheduling, sampling, detokenization): fixed plus per sequence.
  Seconds step_overhead = Seconds::FromBase(1.5e-3);
  Seconds seq_overhead = Seconds::FromBase(10e-6);
  // Fraction of that CPU work hidden behind the GPU's previous iteration (overlap scheduling).
  double overlap = 0.5;
  // CPU time to issue one kernel in an iteration that is not replayed from a CUDA graph
  // (prefill and mixed iterations; decode iterations replay graphs). Such an iteration takes
  // max(GPU time, kernels x launch_overhead): the CPU runs ahead of the GPU unless the kernels
  // are shorter than their launches.
  Seconds launch_overhead = Seconds::FromBase(20e-6);
  // Fixed part of every time to first token: request handling, tokenization, returning the
  // first token to the client.
  Seconds request_overhead = Seconds::FromBase(30e-3);
  // ... in an engine with inline post-processing that was given post-processing workers
  // (ServingWorkload::postprocess_workers > 0); request_overhead is then the default's.
  Seconds pooled_request_overhead = Seconds::FromBase(30e-3);
  // ... growing with the clients an engine's front end juggles at once.
  Seconds client_overhead = Seconds::FromBase(0.5e-3);
  // Weight of the benchmark's first wave in the mean TTFT: all clients send their first
  // request at once, and those prompts queue through the prefill budget together. A run of
  // N requests per client gives about 1/N.
  double burst = 0.1;
  // How many of the model's operators the engine's kernels cover at once: scales the family's
  // fixed cost per kernel (fused norms, residuals, activations and quantization).
  double kernel_fusion = 1.0;

  // Scheduler defaults (data/perf/engines.toml; not fitted).
  EngineTraits traits;
};

// The cross-domain CPU work per iteration (EngineTraits::dp_attention_cpu) behind a measured
// saving: an iteration whose GPU time exceeds its CPU work hides the fraction `overlap` of that
// work (serving.cc, Iteration), so overlap scheduling that saved `hidden` seconds hid that
// fraction of hidden / overlap. An overlap below 0.05 is taken as 0.05 (the fit's range is 0 to
// 1; no engine is near it).
double DpAttentionCpu(double hidden, double overlap);

// How wrong a metric's predictions are in a regime, from validation on held-out measurements:
// the 90% band is [predicted x low, predicted x high], low and high being the 5th and 95th
// percentiles of measured / predicted. A band is kept per regime and, where the regime's
// held-out rows of one serving engine and one kind of model number at least kMinSliceRows, for
// that slice too (`engine` and `kind` say which; empty / kAny: the whole regime), provided the
// slice's band is stable between measurement sweeps: set on either half of its rows (split by
// sweep), it covers at least kMinSliceCoverage of the other half. 100 rows leave each half ~50
// rows, 2-3 in each 5% tail; with 30, slices' halves came from too few sweeps and covered
// 58-80% of each other.
enum class ModelKind { kAny, kDense, kMoe };
inline constexpr int kModelKindCount = 3;
std::string_view ModelKindName(ModelKind k);  // "any", "dense", "moe"
inline constexpr std::size_t kMinSliceRows = 100;
inline constexpr double kMinSliceCoverage = 0.85;  // the floor issue #11 sets for a band

struct ErrorBand {
  double p50 = 0.0;  // median |predicted/measured - 1|
  double p90 = 0.0;  // 90th percentile of the same
  double low = 1.0;
  double high = 1.0;
  int count = 0;                     // held-out measurements behind it (0: no band)
  std::string engine;                // the slice's engine ("": every engine)
  ModelKind kind = ModelKind::kAny;  // the slice's kind of model
};

enum class PerfMetric { kTtft, kTpot, kThroughput, kTrainStep };
inline constexpr int kMetricCount = 4;
std::string_view PerfMetricName(PerfMetric m);  // "ttft", "tpot", "throughput", "train_step"

// Regimes an error band is kept for: decode batch per attention rank <= 16 or > 16; clients
// queueing for KV-cache room (the wait is Little's law on an estimated capacity, the least
// certain part of the model); disaggregated prefill/decode serving; contended: an aggregated
// deployment whose predicted TTFT is mostly time outside the prompt's own iterations (the
// queue of other clients' work ahead of it and the engine's fitted per-request costs, which
// the step model does not bound), see kContendedPrefillShare; offline: a batch of requests
// queued at once (ServingWorkload::requests), every metric, whose errors are those of such runs.
enum class Regime { kSmallBatch, kLargeBatch, kQueued, kDisaggregated, kContended, kOffline };
inline constexpr int kRegimeCount = 6;
// "small_batch", "large_batch", "queued", "disaggregated", "contended", "offline"
std::string_view RegimeName(Regime r);
// An aggregated prediction whose prompt iterations (LatencyParts::prefill) are less than this
// share of its TTFT is in the contended regime, for every metric (TTFT keeps `queued` when
// clients wait for KV room). Held-out rows below a tenth erred 2-6x as widely as the rest of
// their batch regime, in TTFT, TPOT and throughput alike (docs/perf.md section 5, round 35).
inline constexpr double kContendedPrefillShare = 0.1;
// How a chip relates to the calibration data: its data was fitted (in-sample held-out error);
// its family was fitted without it (leave-one-chip-out error); its family was never fitted
// (leave-one-family-out error).
enum class CalibrationBasis { kProfiled, kUnprofiledChip, kUnprofiledFamily };
std::string_view CalibrationBasisName(CalibrationBasis b);

struct Calibration {
  std::map<std::string, FamilyParams> families;
  FamilyParams generic;  // fitted on every chip: used for families without data
  std::map<std::string, EngineParams> engines;
  EngineParams generic_engine;
  // bands[basis][metric][regime]
  std::array<std::array<std::array<ErrorBand, kRegimeCount>, kMetricCount>, 3> bands{};
  // Narrower bands of one engine and kind of model within a regime, where the evidence is
  // enough to set them: slices[{basis, metric, regime, engine, kind}].
  struct SliceKey {
    int basis = 0, metric = 0, regime = 0;
    std::string engine;
    ModelKind kind = ModelKind::kAny;
    auto operator<=>(const SliceKey&) const = default;
  };
  std::map<SliceKey, ErrorBand> slices;
  // How often a calibrated chip's held-out rows fell inside the bands they got (profiled
  // basis, every regime, each row with its slice's or regime's band): the bands promise 90%,
  // and a chip whose rows sit in the regimes' tails gets less. chip_coverage[chip][metric];
  // count 0: no rows of that metric.
  struct ChipCoverage {
    double coverage = 0;
    int count = 0;
  };
  std::map<std::string, std::array<ChipCoverage, kMetricCount>, std::less<>> chip_coverage;
  std::vector<std::string> calibrated_chips;  // chips whose measurements were fitted
  std::string produced_by;                    // the command that wrote the file

  const FamilyParams& Family(std::string_view family, bool* fitted = nullptr) const;
  const EngineParams& Engine(std::string_view engine) const;
  const ErrorBand& Band(CalibrationBasis b, PerfMetric m, Regime r) const;
  // The band of a prediction by `engine` of a model of `kind`: its slice's when there is one,
  // else the regime's.
  const ErrorBand& Band(CalibrationBasis b, PerfMetric m, Regime r, std::string_view engine,
                        ModelKind kind) const;
  CalibrationBasis BasisFor(std::string_view chip_id, std::string_view family) const;
  // A calibrated chip's coverage of the bands per metric; null for a chip never measured.
  const std::array<ChipCoverage, kMetricCount>* CoverageOf(std::string_view chip_id) const;
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
