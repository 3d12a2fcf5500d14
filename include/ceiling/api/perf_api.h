// Performance questions: LLM serving (perf serve), training (perf train), the same serving
// workload on several chips (compare), and the model's error against published measurements
// (validate, calibrate).
//
//   PerfServeRequest req;
//   req.chip.id = "nvidia-h20";  req.serving.model.id = "llama-3.1-70b";
//   req.serving.concurrency = 32;                     // or an SLA: req.serving.sla_tpot = 50 (ms)
//   ASSIGN_OR_RETURN(PerfServeResponse r, PerfServe(*kb, req));
//   r.search.result.tpot;                             // time per output token
//
// Sizes are plain counts (GPUs, tokens, clients), latency targets milliseconds, bandwidths
// quantity strings ("400 Gb/s"). Parallel sizes left unset are searched. Errors name their field
// ("gpus", "tp", "sla_tpot", "scale_out", "model" ...); a valid request for which no deployment
// fits is kNoAnswer with the reason. Responses own the chip, model and hardware their results
// point to.
#ifndef CEILING_API_PERF_API_H_
#define CEILING_API_PERF_API_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ceiling/api/fields.h"
#include "ceiling/api/knowledge_base.h"
#include "ceiling/perf/serving.h"
#include "ceiling/perf/training.h"
#include "ceiling/perf/validation.h"
#include "ceiling/report/perf_report.h"

namespace ceiling::api {

// The serving workload shared by perf serve, compare, design and capability.
struct ServingFields {
  Ref model;
  int gpus = 8;
  std::optional<int> tp, pp, ep, dp_attn;
  int isl = 1024;
  int osl = 1024;
  std::optional<int> concurrency;  // required unless an SLA is given (then the maximum searched)
  std::optional<int> requests;     // an offline run of this many requests instead of clients
  std::string precision = "fp8";
  std::string kv_precision;         // "" = per precision
  std::string attention_precision;  // "" = bf16
  std::string engine;               // "" = the average of the calibrated engines
  std::optional<double> sla_tpot;   // ms
  std::optional<double> sla_ttft;   // ms
  std::optional<int> gpus_per_node;
  std::string scale_out;  // per GPU and direction, e.g. "400 Gb/s"; "" = the data's default
  int spec_steps = 0;
  int spec_draft = 0;
  double spec_accept = 1;
  int adp_balance_timeout = 0;
  int adp_balance_wait = 0;
  int batch_wait_timeout = 0;
  double batch_wait_ratio = 0;
  int token_budget = 0;
  int postprocess_workers = 0;
  int max_batch = 0;
  double memory_share = 0;
  int recv_interval = 1;
  // Disaggregated serving (perf serve and compare): prefill workers (0: aggregated), decode
  // workers, GPUs per prefill worker (default: the GPUs shared evenly by all workers; the
  // decode workers share the rest) and the prefill worker's fixed sizes. tp, pp, ep and
  // dp_attn are then the decode worker's.
  int prefill_workers = 0;
  int decode_workers = 1;
  std::optional<int> prefill_gpus;
  std::optional<int> prefill_tp, prefill_pp, prefill_ep, prefill_dp_attn;

  template <class V>
  void Visit(V& v, bool model_required = true, bool disaggregation = false) {
    v(Field{"model", "Model id (data/models, e.g. llama-3.1-70b), or the model as TOML",
            model_required ? kRequired : 0u},
      model);
    v(Field{"gpus", "GPUs in the deployment"}, gpus);
    v(Field{"tp", "Tensor-parallel size (default: searched)"}, tp);
    v(Field{"pp", "Pipeline-parallel size (default: searched)"}, pp);
    v(Field{"ep", "Expert-parallel size (default: searched)"}, ep);
    v(Field{"dp_attn", "Attention data-parallel ranks (default: searched)"}, dp_attn);
    v(Field{"isl", "Input (prompt) tokens per request"}, isl);
    v(Field{"osl", "Output tokens per request"}, osl);
    v(Field{"concurrency",
            "Concurrent clients (required unless an SLA is given; then the most searched)"},
      concurrency);
    v(Field{"requests",
            "Offline run: this many requests queued at once, served until the last is done "
            "(trtllm-bench throughput, vLLM's offline LLM.generate); instead of concurrency"},
      requests);
    v(Field{"precision", "Weights/activations format", 0, "fp4|fp8|int8|int4|bf16|fp16"},
      precision);
    v(Field{"kv_precision", "KV-cache format (default: per precision)", kAdvanced | kMayBeEmpty,
            "fp4|fp8|int8|int4|bf16|fp16"},
      kv_precision);
    v(Field{"attention_precision",
            "Attention math format, e.g. fp8 for FP8 FlashMLA/FA3 (default bf16; the engine's "
            "where it has one: TensorRT-LLM's fp8 with an fp8 KV cache and quantized GEMMs)",
            kAdvanced | kMayBeEmpty, "fp4|fp8|int8|int4|bf16|fp16"},
      attention_precision);
    v(Field{"engine",
            "Serving engine whose calibration to use: vllm, sglang or trtllm (default: their "
            "average)",
            kAdvanced},
      engine);
    v(Field{"sla_tpot", "Search for the best deployment with TPOT <= this many ms"}, sla_tpot);
    v(Field{"sla_ttft", "Search for the best deployment with TTFT <= this many ms"}, sla_ttft);
    v(Field{"gpus_per_node", "GPUs per scale-up domain (default: data/perf/systems.toml)",
            kAdvanced},
      gpus_per_node);
    v(Field{"scale_out", "Scale-out bandwidth per GPU and direction, e.g. \"400 Gb/s\"",
            kAdvanced},
      scale_out);
    v(Field{"spec_steps", "Speculative decoding: draft steps", kAdvanced}, spec_steps);
    v(Field{"spec_draft", "Speculative decoding: tokens verified per step", kAdvanced},
      spec_draft);
    v(Field{"spec_accept", "Speculative decoding: mean tokens accepted per step", kAdvanced},
      spec_accept);
    v(Field{"adp_balance_timeout",
            "Attention-DP context balancing: iterations a prompt is held until every attention "
            "rank has one (TensorRT-LLM attention_dp_config timeout_iters; 0 = off)",
            kAdvanced},
      adp_balance_timeout);
    v(Field{"adp_balance_wait",
            "Attention-DP context balancing: iterations more once every rank has one "
            "(batching_wait_iters)",
            kAdvanced},
      adp_balance_wait);
    v(Field{"batch_wait_timeout",
            "Batch waiting without attention DP: iterations a prompt is held while sequences "
            "decode (TensorRT-LLM batch_wait_timeout_iters; 0 = off)",
            kAdvanced},
      batch_wait_timeout);
    v(Field{"batch_wait_ratio",
            "Batch waiting: held prompts are released once the iteration's tokens reach this "
            "share of the token budget (batch_wait_max_tokens_ratio, 0-1)",
            kAdvanced},
      batch_wait_ratio);
    v(Field{"token_budget",
            "Tokens one iteration may carry per attention rank (vLLM max-num-batched-tokens, "
            "TensorRT-LLM max_num_tokens, SGLang chunked-prefill-size; 0 = the engine's)",
            kAdvanced},
      token_budget);
    v(Field{"postprocess_workers",
            "Worker processes that detokenize and build responses outside the server's main "
            "process (TensorRT-LLM num_postprocess_workers; 0 = in the main process, its default)",
            kAdvanced},
      postprocess_workers);
    v(Field{"max_batch",
            "Sequences the engine runs at once per attention rank; more clients queue (vLLM "
            "max-num-seqs, SGLang max-running-requests, TensorRT-LLM max_batch_size; 0 = the "
            "engine's)",
            kAdvanced},
      max_batch);
    v(Field{"memory_share",
            "The engine's memory setting, 0 to 1 in its own sense (vLLM gpu-memory-utilization, "
            "SGLang mem-fraction-static, TensorRT-LLM free_gpu_memory_fraction; 0 = the "
            "engine's default)",
            kAdvanced},
      memory_share);
    v(Field{"recv_interval",
            "Decode iterations between the scheduler's polls for new requests (SGLang "
            "scheduler-recv-interval; 1 = every iteration, the default)",
            kAdvanced},
      recv_interval);
    if (!disaggregation) return;
    v(Field{"prefill_workers",
            "Disaggregated serving: workers that only prefill prompts and hand their KV cache "
            "to the decode workers (0: aggregated, prefill and decode on the same GPUs)"},
      prefill_workers);
    v(Field{"decode_workers", "Disaggregated serving: workers that only decode"},
      decode_workers);
    v(Field{"prefill_gpus",
            "Disaggregated serving: GPUs per prefill worker (default: the GPUs shared evenly "
            "by all workers); the decode workers share the rest, and tp, pp, ep and dp_attn "
            "are a decode worker's"},
      prefill_gpus);
    v(Field{"prefill_tp", "Prefill worker's tensor-parallel size (default: searched)",
            kAdvanced},
      prefill_tp);
    v(Field{"prefill_pp", "Prefill worker's pipeline-parallel size (default: searched)",
            kAdvanced},
      prefill_pp);
    v(Field{"prefill_ep", "Prefill worker's expert-parallel size (default: searched)",
            kAdvanced},
      prefill_ep);
    v(Field{"prefill_dp_attn",
            "Prefill worker's attention data-parallel ranks (default: searched)", kAdvanced},
      prefill_dp_attn);
  }
  bool sla() const { return sla_tpot.has_value() || sla_ttft.has_value(); }
  bool disaggregated() const { return prefill_workers > 0; }
  // GPUs per decode worker (disaggregated), else `gpus`; valid after Check.
  int InstanceGpus() const;
  int PrefillGpus() const;  // GPUs per prefill worker (disaggregated); valid after Check
  // Ranges and consistency; `need_concurrency`: without an SLA, concurrency is required.
  Status Check(bool need_concurrency) const;
  Status CheckWorkers() const;  // the disaggregated settings
  Result<perf::SystemOptions> System() const;
  // The serving query (model, hardware and calibration pointers as given).
  Result<perf::ServingQuery> Query(const perf::ModelArch* m, const perf::Hardware* hw,
                                   const perf::Calibration* cal) const;
  perf::SlaSearchOptions Search() const;
  // "deepseek-r1, 8 GPUs, fp8 serving, input 1024 / output 1024 tokens, TPOT <= 50 ms".
  std::string Describe() const;
};

// perf serve -------------------------------------------------------------------------------------

struct PerfServeRequest {
  Ref chip;
  ServingFields serving;

  template <class V>
  void Visit(V& v) {
    v(Field{"chip", "Catalog id of the chip, or the chip as TOML", kRequired}, chip);
    serving.Visit(v, true, true);
  }
  Status Validate();
};

struct PerfServeResponse {
  std::shared_ptr<const KnowledgeBase> kb;
  std::shared_ptr<const perf::ModelArch> model;
  std::shared_ptr<const perf::Hardware> hardware;
  perf::SlaSearchResult search;  // its query points at model, hardware and kb's calibration
  bool searched = false;      // some parallel size or the client count was searched
  std::optional<double> sla_tpot, sla_ttft;
};

Result<PerfServeResponse> PerfServe(const KnowledgeBase& kb, PerfServeRequest request);
nlohmann::json ToJson(const PerfServeResponse& r);
std::string ToText(const PerfServeResponse& r);

// perf train -------------------------------------------------------------------------------------

struct PerfTrainRequest {
  Ref chip;
  Ref model;
  int gpus = 8;
  int tp = 1, pp = 1, ep = 1, cp = 1;
  std::optional<int> dp;
  int zero = 1;
  int micro_batch = 1;
  int virtual_stages = 1;
  std::string recompute = "selective";  // Megatron-Core's default
  bool sequence_parallel = true;
  bool tp_comm_overlap = true;
  bool ep_comm_overlap = false;
  bool dualpipe = false;
  bool bf16_moments = false;
  std::string grad_reduce = "fp32";  // Megatron-LM's and Megatron-Bridge's for bf16 training
  std::optional<int> global_batch;  // required
  std::optional<int> seq;           // required
  std::optional<double> tokens;
  std::string precision = "bf16";
  std::optional<int> gpus_per_node;
  std::string scale_out;

  template <class V>
  void Visit(V& v) {
    v(Field{"chip", "Catalog id of the chip, or the chip as TOML", kRequired}, chip);
    v(Field{"model", "Model id (data/models), or the model as TOML", kRequired}, model);
    v(Field{"gpus", "GPUs"}, gpus);
    v(Field{"tp", "Tensor-parallel size"}, tp);
    v(Field{"pp", "Pipeline-parallel size"}, pp);
    v(Field{"dp", "Data-parallel size (default: gpus / (tp x pp x cp))"}, dp);
    v(Field{"ep", "Expert-parallel size"}, ep);
    v(Field{"cp", "Context-parallel size"}, cp);
    v(Field{"zero", "ZeRO stage 0-3"}, zero);
    v(Field{"micro_batch", "Sequences per micro-batch"}, micro_batch);
    v(Field{"virtual_stages", "Interleaved 1F1B: model chunks per pipeline rank"}, virtual_stages);
    v(Field{"recompute",
            "Activation recomputation: none, selective (norms, activation functions, MLA "
            "up-projections) or full (each layer from its input)",
            0, "none|selective|full"},
      recompute);
    v(Field{"sequence_parallel", "Shard norms and residuals over the tensor-parallel group"},
      sequence_parallel);
    v(Field{"tp_comm_overlap",
            "Overlap tensor-parallel collectives with GEMMs (needs sequence parallelism)",
            kAdvanced},
      tp_comm_overlap);
    v(Field{"ep_comm_overlap", "Hide the expert-parallel all-to-all under computation", kAdvanced},
      ep_comm_overlap);
    v(Field{"dualpipe", "DeepSeek-V3's DualPipe schedule (even pp; overlaps the all-to-all)",
            kAdvanced},
      dualpipe);
    v(Field{"bf16_moments",
            "Adam moments in bf16 (8 bytes of optimizer state per parameter, "
            "not 12)",
            kAdvanced},
      bf16_moments);
    v(Field{"grad_reduce",
            "Format of the gradient buffer and its data-parallel reduction: fp32 or bf16 "
            "(4 or 2 bytes per parameter)",
            kAdvanced, "fp32|bf16"},
      grad_reduce);
    v(Field{"global_batch", "Sequences per step (required)"}, global_batch);
    v(Field{"seq", "Sequence length in tokens (required)"}, seq);
    v(Field{"tokens", "Tokens to train on (for the time to train)"}, tokens);
    v(Field{"precision", "GEMM format", 0, "bf16|fp8"}, precision);
    v(Field{"gpus_per_node", "GPUs per scale-up domain", kAdvanced}, gpus_per_node);
    v(Field{"scale_out", "Scale-out bandwidth per GPU and direction, e.g. \"400 Gb/s\"",
            kAdvanced},
      scale_out);
  }
  Status Validate();
};

struct PerfTrainResponse {
  std::shared_ptr<const KnowledgeBase> kb;
  std::shared_ptr<const perf::ModelArch> model;
  std::shared_ptr<const perf::Hardware> hardware;
  perf::TrainingQuery query;  // points at model, hardware and kb's calibration
  perf::TrainingResult result;
};

Result<PerfTrainResponse> PerfTrain(const KnowledgeBase& kb, PerfTrainRequest request);
nlohmann::json ToJson(const PerfTrainResponse& r);
std::string ToText(const PerfTrainResponse& r);

// compare ----------------------------------------------------------------------------------------

struct CompareRequest {
  std::vector<Ref> chips;  // ratios are to the first
  ServingFields serving;

  template <class V>
  void Visit(V& v) {
    v(Field{"chips", "Chips to compare, ratios to the first: catalog ids or chips as TOML",
            kRequired},
      chips);
    serving.Visit(v, true, true);
  }
  Status Validate();
};

struct CompareResponse {
  std::shared_ptr<const KnowledgeBase> kb;
  std::shared_ptr<const perf::ModelArch> model;
  std::vector<std::shared_ptr<const perf::Hardware>> hardware;  // one per chip
  std::vector<report::CompareColumn> columns;  // their queries point at the above
  // Chips the model has no answer for (ErrorCode::kNoAnswer: a figure it needs is missing from
  // the chip's record, or no deployment serves the workload); the others are still compared.
  // When every chip is, Compare returns the first one's error.
  std::vector<report::CompareLeftOut> left_out;
};

Result<CompareResponse> Compare(const KnowledgeBase& kb, CompareRequest request,
                                const CallOptions& call = {});
nlohmann::json ToJson(const CompareResponse& r);
std::string ToText(const CompareResponse& r);

// validate / calibrate ---------------------------------------------------------------------------

struct ValidateRequest {
  int threads = 0;  // 0 = every core of the shared executor

  template <class V>
  void Visit(V& v) {
    v(Field{"threads", "Worker threads for the fits (0: all cores)", kAdvanced}, threads);
  }
  Status Validate();
};

struct ValidateResponse {
  perf::ValidationReport report;
  std::string calibration_status;  // whether data/perf/calibration.toml matches this fit
};

Result<ValidateResponse> Validate(const KnowledgeBase& kb, ValidateRequest request,
                                  const CallOptions& call = {});
nlohmann::json ToJson(const ValidateResponse& r);
std::string ToText(const ValidateResponse& r);
// Every point's prediction, one CSV row each.
std::string PredictionsCsv(const ValidateResponse& r);

struct CalibrateRequest {
  int threads = 0;
  template <class V>
  void Visit(V& v) {
    v(Field{"threads", "Worker threads for the fits (0: all cores)", kAdvanced}, threads);
  }
  Status Validate();
};

struct CalibrateResponse {
  perf::Calibration calibration;  // the fresh fit
  std::string toml;               // as data/perf/calibration.toml would hold it
};

Result<CalibrateResponse> Calibrate(const KnowledgeBase& kb, CalibrateRequest request,
                                    const CallOptions& call = {});
nlohmann::json ToJson(const CalibrateResponse& r);

// Helpers shared by the operations ---------------------------------------------------------------

Result<std::shared_ptr<const perf::ModelArch>> ResolveModel(const KnowledgeBase& kb, const Ref& ref,
                                                            std::string_view field);
// "fp8" -> DType (errors in `field`).
Result<perf::DType> ParsePrecision(const std::string& s, std::string_view field);

}  // namespace ceiling::api

#endif  // CEILING_API_PERF_API_H_
