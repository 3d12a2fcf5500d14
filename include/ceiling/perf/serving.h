// LLM serving: a closed-loop benchmark model with continuous batching, and the search for the
// best deployment under latency targets.
//
// The benchmark: `concurrency` clients each send a prompt of `isl` tokens, wait for `osl`
// output tokens, and immediately send the next one (what vLLM, SGLang and TensorRT-LLM
// benchmark scripts do with a fixed concurrency). The GPUs are split into identical instances
// of `par.Gpus()` GPUs; each attention rank of an instance serves an equal share of clients.
//
//   ServingQuery q{.model = m, .hardware = &hw, .calibration = &cal, .gpus = 8,
//                  .par = {.tp = 8}, .precision = PrecisionForMode(DType::kFp8),
//                  .workload = {.isl = 4096, .osl = 1536, .concurrency = 64}};
//   ASSIGN_OR_RETURN(ServingResult r, Serve(q));
//   if (!r.fits) ...                       // weights or one sequence's KV do not fit: outcome
//   double ms = MillisecondsOf(r.tpot);    // time per output token
//   r.output_tokens_per_s_per_gpu;         // throughput per GPU
//   r.uncertainty.tpot.p90                 // relative error band from validation
//
//   ASSIGN_OR_RETURN(SlaSearchResult best, SearchServing(q, {.sla_tpot = Seconds::FromBase(0.05)}));
//
// Model (docs/perf.md §2): b clients per attention rank run (capped by the KV cache, paged in
// by vLLM/SGLang, reserved at full length by TensorRT-LLM, and by the engine's sequence cap).
// An iteration is its GPU time plus the engine's CPU work less what overlap scheduling hides;
// decode iterations replay CUDA graphs, iterations carrying prompt tokens run eagerly and take
// at least their kernels' launch time. Arrivals are a mix (the engine's `burst`) of staggered
// clients (each prompt rides in the next iteration, or a separate prefill pass for engines
// that do not mix, and interrupts the other clients' decode) and waves (all prompts go through
// the engine's iteration token budget together: the mean client waits for half of that before
// its first token and the rest between its tokens). Clients beyond capacity queue (Little's
// law adds their wait to TTFT). Throughput = concurrency x osl / (TTFT + (osl - 1) x TPOT).
//
// Errors (kInvalidArgument): gpus not a multiple of the instance size, invalid parallelism
// (CheckParallelism), lengths or concurrency below 1. "Does not fit" is `fits == false`.
#ifndef CEILING_PERF_SERVING_H_
#define CEILING_PERF_SERVING_H_

#include <optional>
#include <string>
#include <vector>

#include "ceiling/base/quantity.h"
#include "ceiling/base/result.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"
#include "ceiling/perf/step.h"

namespace ceiling::perf {

// The largest deployment the serving model accepts.
inline constexpr int kMaxGpus = 1 << 20;
// The most requests an offline run may queue (ServingWorkload::requests).
inline constexpr int kMaxRequests = 1'000'000;
// The most decode iterations a scheduler may go without taking new requests.
inline constexpr int kMaxRecvInterval = 100'000;

// Whether `n` is a receive interval the model takes (ServingWorkload::recv_interval).
Status CheckRecvInterval(int n);

struct Speculative {
  int steps = 0;          // draft forward passes per iteration (0 = no speculative decoding)
  int draft_tokens = 0;   // tokens verified per sequence per iteration
  double accepted = 1.0;  // mean tokens accepted per sequence per iteration
};

// Context balancing across attention data-parallel ranks (TensorRT-LLM's attention_dp_config
// with enable_balance): a new prompt is held until every attention rank has one, for at most
// `timeout_iters` iterations, and once they all do, for `batching_wait_iters` more. Zero
// timeout = off (the engines' default).
struct ContextBalance {
  int timeout_iters = 0;
  int batching_wait_iters = 0;
};

// Batch waiting without attention data parallelism (TensorRT-LLM's batch_wait_timeout_iters
// and batch_wait_max_tokens_ratio): while sequences are decoding, new prompts are held until
// the iteration's tokens (held prompts plus one per decoding sequence) reach `max_tokens_ratio`
// of the iteration token budget, for at most `timeout_iters` iterations. Zero timeout = off
// (the engine's default).
struct BatchWait {
  int timeout_iters = 0;
  double max_tokens_ratio = 0;
};

struct ServingWorkload {
  int isl = 1024;
  int osl = 1024;
  int concurrency = 1;
  // An offline run instead of a closed loop: this many requests are all queued at once (as
  // trtllm-bench throughput and vLLM's offline LLM.generate do) and the run ends when the last
  // one does; throughput is their output over that span. 0 = the closed loop of `concurrency`
  // clients.
  int requests = 0;
  std::string engine;  // calibration key: "vllm", "sglang", "trtllm"; "" = generic engine
  Speculative speculative;
  ContextBalance balance;
  BatchWait batch_wait;
  // Tokens one iteration may carry per attention rank (vLLM max-num-batched-tokens,
  // TensorRT-LLM max_num_tokens, SGLang chunked-prefill-size); 0 = the engine's own
  // (data/perf/engines.toml tiers).
  int token_budget = 0;
  // Worker processes that post-process responses (detokenization, streaming) outside the
  // server's main process: TensorRT-LLM's num_postprocess_workers, 0 by default, when the one
  // Python process that serves HTTP and drives the executor also builds every response. Used
  // only by engines with inline post-processing (data/perf/engines.toml).
  int postprocess_workers = 0;
  // Sequences the engine runs at once per attention rank (vLLM max-num-seqs, SGLang
  // max-running-requests, TensorRT-LLM max_batch_size); 0 = the engine's own (its tier's
  // max_batch, data/perf/engines.toml). Clients beyond it, or beyond what the KV cache holds,
  // queue for a slot.
  int max_batch = 0;
  // The engine's memory setting, in its own sense (0 = its default, data/perf/engines.toml):
  // vLLM gpu-memory-utilization (weights, workspace and KV cache fill this share of the
  // device), SGLang mem-fraction-static (weights and the KV pool fill it; the rest is the
  // workspace and CUDA graphs), TensorRT-LLM free_gpu_memory_fraction (the KV cache takes this
  // share of what weights and workspace leave); the generic engine reads it as vLLM does.
  double memory_share = 0;
  // SGLang's --scheduler-recv-interval: while the batch decodes, the scheduler takes new
  // requests only once every this many decode iterations (any other iteration, a prefill,
  // lets it take them at once); 1 = every iteration, the engines' behaviour. A prompt that
  // arrives while the batch decodes waits half the interval on average, and the prompts that
  // arrived in one interval are prefilled together.
  int recv_interval = 1;
};

// Disaggregated serving: prompts are prefilled on `prefill_workers` workers of layout `prefill`
// and their KV caches handed to `decode_workers` decode workers (the query's `par`), as
// NVIDIA Dynamo, SGLang's PD disaggregation and vLLM's disaggregated prefill deploy them.
struct Disaggregation {
  Parallelism prefill;
  int prefill_workers = 1;
  int decode_workers = 1;
  // Prompts a prefill worker batches per attention rank at light load (under load it takes
  // the waiting prompts its iteration token budget holds).
  double prefill_batch = 1;
  int Gpus(const Parallelism& decode) const {
    return prefill_workers * prefill.Gpus() + decode_workers * decode.Gpus();
  }
};

struct ServingQuery {
  const ModelArch* model = nullptr;
  const Hardware* hardware = nullptr;
  const Calibration* calibration = nullptr;
  int gpus = 1;  // every GPU of the deployment (disaggregated: prefill and decode workers')
  Parallelism par;  // an instance's layout; disaggregated: a decode worker's
  PrecisionConfig precision;
  ServingWorkload workload;
  std::optional<Disaggregation> disagg;  // unset: aggregated (prefill and decode share GPUs)
};

// What an engine with `traits` keeps from weights and the KV cache on each GPU of `sm`'s
// deployment when an iteration carries at most `chunk` tokens, `speculative` when it decodes
// with a draft model or MTP head (EngineTraits::memory_policy; docs/perf.md §1 "Memory"), and
// `share` its memory setting (ServingWorkload::memory_share; 0 = the engine's default). What
// is left after weights and this is the KV cache, whose sliding-window layers the engine holds
// as EngineTraits::sliding_kv_ratio says.
HeldBack EngineHeldBack(const EngineTraits& traits, const StepModel& sm, double chunk,
                        bool speculative = false, double share = 0);

// The regimes of an aggregated prediction's bands, TTFT's and the other metrics': contended
// when the prompt's own iterations are under kContendedPrefillShare of its TTFT, else set by
// the decode batch per attention rank; TTFT's is kQueued instead when clients wait for
// KV-cache room (RegimesOf). An offline run's throughput takes the kOffline band where the
// calibration has one (the published offline runs measure throughput only); its TTFT and TPOT
// keep these regimes.
struct Regimes {
  Regime ttft = Regime::kSmallBatch;
  Regime other = Regime::kSmallBatch;
  bool offline = false;
};

// Uncertainty of each prediction: relative error quantiles of its metric and regime, and the
// basis they come from.
struct Uncertainty {
  ErrorBand ttft, tpot, throughput;
  CalibrationBasis basis = CalibrationBasis::kProfiled;
  Regimes regimes;
};

// Coverage below this on a chip's held-out rows is said with its predictions: the floor issue
// #11 sets for a band's 90% promise.
inline constexpr double kMinChipCoverage = kMinSliceCoverage;

// "the 90% bands held for fewer of nvidia-gb200's held-out measurements than promised: TTFT 75%
// of 76, ..." when the chip's coverage of TTFT, TPOT or throughput is below kMinChipCoverage;
// nothing otherwise. The first form looks the chip up in the calibration (Calibration::CoverageOf).
std::optional<std::string> CoverageNote(const Calibration& cal, std::string_view chip_id);
std::optional<std::string> CoverageNote(
    std::string_view chip_id, const std::array<Calibration::ChipCoverage, kMetricCount>& cov);

// Where one request's time goes, as the model adds it up (docs/perf.md §2). Each part is the
// blend of its staggered and waves values by the engine's burst, as TTFT and TPOT are, so the
// first six parts sum to TTFT and the last two to TPOT.
//
//   r.latency.waiting + r.latency.prefill + ... + r.latency.slot == r.ttft
struct LatencyParts {
  // Before the prompt's first iteration: the iteration in progress (and the one overlap
  // scheduling has prepared), prompts prefilled ahead of it, prompts held for batching or
  // balancing; disaggregated: the prefill workers' queue.
  Seconds waiting;
  // The iterations that carry the prompt, with whatever rides in them (other prompts of a wave,
  // the running decodes); disaggregated: the prefill batch.
  Seconds prefill;
  Seconds kv_transfer;  // disaggregated: the prompt's KV cache to its decode worker
  // The engine's work per request outside its iterations (HTTP, tokenization, streaming) and
  // per running client: constants fitted per engine (data/perf/calibration.toml).
  Seconds request, clients;
  Seconds slot;     // waiting for a KV-cache or batch slot (Little's law on the request rate)
  Seconds decode;   // TPOT: a decode iteration, per token it yields (speculative acceptance)
  Seconds prompts;  // TPOT: other clients' prompts in or between the request's iterations

  Seconds Ttft() const { return waiting + prefill + kv_transfer + request + clients + slot; }
  Seconds Tpot() const { return decode + prompts; }
};

struct ServingResult {
  bool fits = false;
  std::string does_not_fit;  // why, with the numbers, when !fits
  MemoryUse memory;             // per GPU at the served batch
  Seconds ttft, tpot;
  double output_tokens_per_s = 0;
  double output_tokens_per_s_per_gpu = 0;
  double tokens_per_s_per_user = 0;  // 1 / TPOT
  int instances = 0;
  double batch_per_rank = 0;  // decode sequences per attention rank actually batched
  bool kv_limited = false;    // the KV cache (or the engine's batch cap) could not hold every
                              // client; the rest queued
  StepTime decode_step;       // one decode iteration at that batch
  StepTime prefill_step;      // one prompt alone
  LatencyParts latency;       // where TTFT and TPOT go
  double run_s = 0;           // an offline run (workload.requests): its span, first to last token
  Uncertainty uncertainty;
  std::vector<std::string> notes;  // assumptions (hardware fallbacks, precision fallbacks)
};

// A disaggregated deployment: prefill and decode on separate workers with their own
// parallelism (used by validation; the CLI serves aggregated deployments).
struct DisaggQuery {
  const ModelArch* model = nullptr;
  const Hardware* hardware = nullptr;
  const Calibration* calibration = nullptr;
  Parallelism prefill, decode;
  int prefill_workers = 1, decode_workers = 1;
  // Per attention rank, as aiconfigurator's exports count them (concurrency = decode_batch x
  // decode workers x decode attention-DP ranks in every such row).
  double prefill_batch = 1;  // prompts per prefill batch per attention rank of a worker
  double decode_batch = 1;   // sequences per attention rank of a decode worker
  PrecisionConfig precision;
  ServingWorkload workload;
};

Result<ServingResult> Serve(const ServingQuery& q);
// A request of `isl` prompt and `osl` output tokens (0: prefill only) against the model's
// context, as an engine checks it: an error on field "isl" when longer (Serve checks it too).
Status CheckContext(const ModelArch& m, long long isl, long long osl);
Result<ServingResult> ServeDisaggregated(const DisaggQuery& q);

// The arithmetic core of Serve() for an already-built StepModel and explicit parameters
// (no allocation; what calibration fits call). `instances` identical instances share the
// workload's concurrency.
struct ServingTimes {
  bool fits = false;
  bool kv_limited = false;     // clients queue: the KV cache or the engine's batch cap is full
  bool engine_capped = false;  // ... and the engine's cap is the smaller of the two
  double batch = 0;
  Seconds ttft, tpot;
  LatencyParts parts;  // ttft and tpot, part by part
  double output_tokens_per_s = 0;
  double run_s = 0;  // an offline run: from the start to its last token
};
ServingTimes ServeTimes(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                        const ServingWorkload& w, int instances);
ServingTimes ServeDisaggTimes(const StepModel& prefill, const StepModel& decode,
                              const FamilyParams& fp, const EngineParams& ep,
                              const ServingWorkload& w, int prefill_workers, int decode_workers,
                              double prefill_batch, double decode_batch);
// Decode-only throughput per GPU at a fixed batch per attention rank (tokens/s/GPU), with
// speculative decoding; and prefill-only input tokens/s per GPU for chunks of `chunk` tokens.
double DecodeThroughputPerGpu(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                              double batch, double context, const Speculative& spec);
double PrefillThroughputPerGpu(const StepModel& sm, const FamilyParams& fp, const EngineParams& ep,
                               double prompt, double chunk);

struct SlaTargets {
  std::optional<Seconds> ttft;
  std::optional<Seconds> tpot;
};

struct SlaSearchOptions {
  SlaTargets sla;
  // Fixed parallel sizes (from the command line); unset ones are searched. Disaggregated: the
  // decode worker's, and the prefill worker's in prefill_*; each worker is one instance of
  // its layout.
  std::optional<int> tp, pp, ep, dp_attn;
  std::optional<int> prefill_tp, prefill_pp, prefill_ep, prefill_dp_attn;
  // With an SLA, client counts up to this are searched (the workload's concurrency when set).
  int max_concurrency = 4096;
};

struct SlaSearchResult {
  bool found = false;  // some deployment fits and meets the targets
  ServingQuery query;  // the winning deployment (par and concurrency filled in)
  ServingResult result;
  int evaluated = 0;     // deployments evaluated
  Seconds elapsed;       // wall time of the search
  std::string why_none;  // when !found
  // When nothing could be evaluated because of a size the caller fixed: that field ("tp").
  std::string why_none_field;
};

// Best output tokens/s per GPU over parallelism (and, with an SLA, concurrency), among
// deployments that fit and meet the targets. Deterministic: ties go to the smaller instance.
Result<SlaSearchResult> SearchServing(const ServingQuery& base, const SlaSearchOptions& options);

// The objective of a search over chips (design search): the same deployment search for many
// hardware variants of one workload, with the layouts and client grid prepared once.
//
//   ServingPlan plan(*model, 8, {.sla = {.tpot = Seconds::FromBase(0.05)}}, query);
//   double v = plan.BestThroughputPerGpu(query_with_other_hardware);  // == SearchServing's
//                                                                     // output tokens/s per GPU
// Values are those SearchServing finds (0 when nothing fits or meets the targets), without the
// final report. Thread safety: const methods may be called concurrently.
class ServingPlan {
 public:
  ServingPlan(const ModelArch& model, int gpus, const SlaSearchOptions& options,
              const ServingQuery& base);
  double BestThroughputPerGpu(const ServingQuery& q) const;
  // Prefill-only input tokens/s per GPU of one prompt of workload.isl tokens, best over the
  // layouts in which it fits.
  double BestPrefillPerGpu(const ServingQuery& q) const;

 private:
  SlaSearchOptions options_;
  std::vector<Parallelism> layouts_;
  std::vector<int> clients_;
};

// The same work on any chip, for like-for-like comparisons: every GPU in one tensor-parallel
// instance (and expert-parallel over the same GPUs for MoE models), the prefill of one prompt
// and one decode iteration of all `concurrency` clients at the mean context, whether or not
// that deployment fits in memory.
struct ReferenceSteps {
  Parallelism par;
  StepTime prefill;
  StepTime decode;
  double batch = 0;
};
Result<ReferenceSteps> ReferenceStepsFor(const ServingQuery& q);

// The regimes of an aggregated prediction (struct Regimes).
Regimes RegimesOf(double batch_per_rank, bool kv_limited, const LatencyParts& parts,
                  bool offline = false);
// The regime of a metric's band under `g` (throughput: kOffline for an offline run).
Regime RegimeFor(const Regimes& g, PerfMetric m);
// Fills `uncertainty` of a result from the calibration's bands in the regimes RegimesOf gives;
// within a regime, the band of the engine and kind of model where the calibration has one.
Uncertainty UncertaintyFor(const Calibration& cal, const Hardware& hw, double batch_per_rank,
                           bool kv_limited, const LatencyParts& parts, std::string_view engine,
                           ModelKind kind, bool offline = false);
// Dense or mixture-of-experts, as the bands distinguish them.
ModelKind KindOf(const ModelArch& m);

// The attention math format an engine actually runs `prec` in: FP8 where the engine runs
// context attention in FP8 with an FP8 KV cache (EngineTraits::fp8_context_attention), the
// GEMMs are FP8 or FP4, the chip has an FP8 tensor rate and the model's attention is softmax
// attention over a per-head KV cache (not MLA, no linear-attention layers); `prec` otherwise.
// Only a bf16 default is raised: an explicit attention format is kept. MLA's absorbed products
// run in FP8 where the engine does that on the chip's family (EngineTraits::fp8_latent_bmm, on
// Hopper), and a shared expert runs inside the routed experts' kernel where the engine folds it
// (EngineTraits::shared_expert_fusion, on Hopper).
PrecisionConfig WithEngineAttention(PrecisionConfig prec, const EngineTraits& traits,
                                    const ModelArch& m, const Hardware& hw);

}  // namespace ceiling::perf

#endif  // CEILING_PERF_SERVING_H_
