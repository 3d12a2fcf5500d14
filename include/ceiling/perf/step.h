// One forward pass ("step") of an LLM on one GPU of a deployment: the per-operator roofline at
// the heart of the performance model, and the memory a deployment needs.
//
// A `StepModel` is compiled once from (model, hardware, parallelism, precision) and then
// evaluated many times with calibrated efficiencies: a decode step, a prefill, or a mixed
// continuous-batching iteration. Evaluation does no allocation and takes well under a
// microsecond, so searches and fits can call it millions of times.
//
//   ASSIGN_OR_RETURN(StepModel sm, StepModel::Build(model, hw, {.tp = 8}, PrecisionForMode(kFp8)));
//   StepTime d = sm.Decode(params, /*batch=*/64, /*context=*/2048);
//   double ms = MillisecondsOf(d.total);        // one decode iteration, all pipeline stages
//   bool mem_bound = d.MemoryBound();           // bytes, not FLOPs, set most of its time
//   MemoryUse m = sm.ServingMemory(/*seqs=*/64, /*tokens_per_seq=*/3072);
//   if (!m.fits) ...                            // an outcome, not an error
//
// Operator time = max(arithmetic time, bytes / (bandwidth x memory_efficiency)) + the fixed
// cost of its kernels, summed over GEMMs (QKV/O projections, MLA low-rank and absorbed
// projections, dense and expert FFNs, LM head), attention (flash-style prefill over the causal
// pairs, KV-cache reads in decode; MHA, GQA, MLA, sliding-window, linear and sparse variants),
// MoE routing with the expected expert load, elementwise work (norms, activations, residuals,
// embeddings) and collectives (all-reduce, all-to-all, point-to-point) with latency + bandwidth
// on scale-up links within a domain and on the scale-out NIC beyond it. A GEMM's arithmetic
// runs on the tensor cores over its rows padded to the MMA granularity (small-M kernels swap
// operands so that tokens take the 8-wide side: at most 7 wasted rows), at gemm_efficiency x
// N/(N+64) x K/(K+64) of the peak, or for a few rows as a GEMV on the vector units, whichever
// is faster; either overlaps with streaming the weights, so a small-M GEMM costs its weight
// bytes / bandwidth on any chip whatever its tensor rate. Decode attention pads its query rows
// the same way (16-row tiles per KV head for GQA; 64-row tiles of heads for MLA).
// Thread safety: a StepModel is immutable; concurrent evaluation is safe.
#ifndef CEILING_PERF_STEP_H_
#define CEILING_PERF_STEP_H_

#include <string>

#include "ceiling/base/quantity.h"
#include "ceiling/base/result.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"

namespace ceiling::perf {

// How the GPUs of one model instance are split. GPUs = tp x dp_attn x pp. Attention and dense
// FFNs are tensor-parallel over `tp` within each of `dp_attn` attention data-parallel ranks; the
// MoE layers of all tp x dp_attn GPUs form one group, `ep`-way expert parallel and
// (tp x dp_attn / ep)-way tensor parallel inside each expert.
struct Parallelism {
  int tp = 1;
  int pp = 1;
  int dp_attn = 1;
  int ep = 1;

  int Gpus() const { return tp * dp_attn * pp; }
  int MoeGroup() const { return tp * dp_attn; }
  int MoeTp() const { return ep > 0 ? MoeGroup() / ep : 0; }
  std::string ToString() const;  // "TP8", "TP1 DP-attn16 EP16", "TP4 PP2"
  bool operator==(const Parallelism&) const = default;
};

// Errors (kInvalidArgument, one line saying which constraint fails and how to fix it): sizes
// below 1; tp not dividing the attention heads (or KV heads for GQA, unless tp is a multiple);
// pp above the layer count (uneven splits are fine: the busiest stage sets the pace); ep not
// dividing the experts or the MoE group; ep > 1 on a dense model.
Status CheckParallelism(const ModelArch& m, const Parallelism& p);

// Number formats of one deployment.
struct PrecisionConfig {
  DType weights = DType::kFp8;      // dense and expert GEMM weights
  DType activations = DType::kFp8;  // GEMM inputs (the math format)
  DType kv_cache = DType::kFp8;
  DType attention = DType::kBf16;  // attention math
  // MLA's absorbed products (W_UK, W_UV) of a block-scaled FP8 checkpoint multiply in FP8, their
  // inputs quantized per token group first (TensorRT-LLM on Hopper); otherwise they run in bf16
  // on weights the engine dequantized when it loaded them (WithEngineAttention).
  bool fp8_latent_bmm = false;
  // The engine runs a MoE model's one shared expert inside the routed experts' fused kernel, as
  // one more expert every token takes, where the model qualifies (StepModel::Build: 256 routed
  // experts, a shared one as wide, no expert parallelism; SGLang on Hopper).
  bool fused_shared_expert = false;
};
// The conventions of the `--precision` flag: fp8 = fp8 weights, activations and KV cache;
// fp4 = fp4 weights and activations, fp8 KV; int8 = int8 weights/activations, bf16 KV;
// int4 = weight-only int4 with bf16 math and KV; bf16/fp16 = everything in 16 bits.
// Attention math is bf16 in every mode.
PrecisionConfig PrecisionForMode(DType mode);

// The rate a GEMM with `activations` inputs runs at on `hw`, and in `*used` the format it
// multiplies in. 4-bit inputs on a chip without a 4-bit tensor rate (Hopper, Ada, Ampere) run
// the engines' weight-only kernels, which unpack the weights to bf16 (W4A16), not in FP8;
// other formats take Hardware::ComputeRate's fallback.
OpsPerSecond GemmRate(const Hardware& hw, DType activations, DType* used = nullptr);
// Whether the FP8 GEMMs of `m` quantize their inputs per token group in kernels of their own:
// a block-scaled checkpoint (ModelArch::fp8_block) in FP8 on a chip that multiplies in FP8 (one
// without an FP8 tensor rate multiplies in a wider format: nothing to quantize).
bool GroupQuantized(const ModelArch& m, const Hardware& hw, const PrecisionConfig& prec);

// Time of one step on one GPU, with where it went.
struct StepTime {
  Seconds total;
  Seconds gemm;             // dense projections and FFNs, LM head
  Seconds attention;        // attention core (score and value products, KV reads)
  Seconds moe;              // routed and shared experts, router
  Seconds communication;    // collectives and pipeline transfers
  Seconds tp_comm;          // ... of which tensor-parallel collectives
  Seconds ep_comm;          // ... of which expert-parallel all-to-all exchanges
  Seconds elementwise;      // norms, activations, residual adds, embeddings
  Seconds overhead;         // fixed per-operator and per-iteration costs
  Seconds compute_limited;  // operator time where FLOPs were the binding limit
  Seconds memory_limited;   // operator time where bytes were the binding limit
  double kernels = 0;       // kernel launches (what a CPU issues when not replaying a graph)
  bool MemoryBound() const { return memory_limited > compute_limited; }
};

// Per-GPU memory of a deployment.
struct MemoryUse {
  Bytes weights;
  Bytes kv_cache;     // for the sequences asked about
  Bytes activations;  // serving workspace or training activations
  Bytes optimizer;    // training only: gradients and optimizer state
  Bytes reserve;      // runtime, communication buffers, fragmentation
  Bytes total;
  Bytes capacity;
  bool fits = false;
  // KV-cache tokens that fit per attention rank after everything else.
  double kv_token_capacity = 0;
};

// Device memory a serving engine keeps from weights and KV cache on each GPU: the runtime, CUDA
// graphs, communication buffers and fragmentation (`reserve`), and the forward pass's
// activations (`workspace`).
struct HeldBack {
  Bytes reserve;
  Bytes workspace;
  // How the engine holds sliding-window layers' KV cache (EngineTraits::sliding_kv_ratio):
  // below 0, each sequence keeps its window; otherwise that share of its tokens.
  double sliding_kv_ratio = -1;
};

// The work of one step on one attention rank (what Decode/Prefill/Mixed fill in).
struct Work {
  double tokens = 0;          // rows through the GEMMs (decode + prefill tokens)
  double decode_seqs = 0;     // decode queries
  double decode_ctx = 0;      // KV tokens each decode query attends to
  double decode_width = 1;    // tokens verified per decode sequence (speculative decoding)
  double prefill_tokens = 0;  // prompt tokens processed
  double prompt_len = 0;      // length of the prompts they belong to
  double lm_rows = 0;         // rows through the LM head
  double backward = 0;        // training: extra passes (2 = backward, 3 = backward + recompute)
  double elementwise_recompute = 0;  // training: norms and activations recomputed (selective)
};

class StepModel {
 public:
  static Result<StepModel> Build(const ModelArch& model, const Hardware& hw, const Parallelism& par,
                                 const PrecisionConfig& prec);

  // A decode iteration of `batch` sequences per attention rank, each attending to `context`
  // tokens, through all pipeline stages. `width` > 1 verifies that many tokens per sequence.
  StepTime Decode(const FamilyParams& p, double batch, double context, double width = 1) const;
  // Prefill of `requests` prompts of `prompt` tokens on one attention rank, as one batch.
  StepTime Prefill(const FamilyParams& p, double requests, double prompt) const;
  // A continuous-batching iteration: `batch` decode sequences at `context` plus
  // `prefill_tokens` chunked-prefill tokens of prompts of `prompt` tokens.
  StepTime Mixed(const FamilyParams& p, double batch, double context, double prefill_tokens,
                 double prompt) const;
  // Any step described by `work`, through all pipeline stages.
  StepTime Evaluate(const FamilyParams& p, const Work& work) const;
  // One stage only (what one GPU of a pipeline does for one micro-batch).
  StepTime EvaluateStage(const FamilyParams& p, const Work& work) const;
  // Time to move one micro-batch's activations between pipeline stages of `stage_gpus` GPUs
  // each (0: the stage's tensor x attention-data-parallel ranks, as in serving); adjacent
  // stages share a scale-up domain only if a stage is smaller than one.
  Seconds PipelineTransfer(const FamilyParams& p, double tokens, double stage_gpus = 0) const;

  // Serving memory per GPU with `seqs` sequences of `tokens_per_seq` tokens per attention rank,
  // the rest of the device kept back as `held` says (default: DefaultHeldBack()).
  MemoryUse ServingMemory(double seqs, double tokens_per_seq) const;
  MemoryUse ServingMemory(double seqs, double tokens_per_seq, const HeldBack& held) const;
  // What a serving engine keeps from weights and KV cache by default here: 8% of the device
  // (runtime, communication buffers, fragmentation) and a forward-pass workspace for an
  // 8,192-token chunk. Engines size it their own way (perf/serving.h, EngineHeldBack).
  HeldBack DefaultHeldBack() const;
  // Bytes of one token's KV cache on one GPU (all layers of its stage), and of one sequence's
  // constant state (linear-attention layers).
  Bytes KvBytesPerToken() const;
  Bytes StateBytesPerSeq() const;
  Bytes WeightBytesPerGpu() const;
  // Parameters of this GPU's shard (for optimizer state), and the routed experts' part of them.
  double ParamsPerGpu() const;
  double ExpertParamsPerGpu() const;

  const ModelArch& model() const { return *model_; }
  const Hardware& hardware() const { return hw_; }
  const Parallelism& parallelism() const { return par_; }
  const PrecisionConfig& precision() const { return prec_; }

 private:
  const ModelArch* model_ = nullptr;
  Hardware hw_;
  Parallelism par_;
  PrecisionConfig prec_;

  // Per-GPU shapes and rates, precomputed by Build() so that evaluation is arithmetic only.
  struct Shape {
    double gemm_rate = 0, attn_rate = 0, index_rate = 0, vec_rate = 0, bw = 0;
    double tensor_cap = 1;  // Hardware::tensor_cap
    // Seconds to convert one 4-bit weight element the MMA cannot take as it is (0: it can),
    // paid once per 128-row tile of the GEMM's rows (StepModel::Build).
    double convert = 0;
    double wb = 1, moe_wb = 1, ab = 1, kvb = 1, state_b = 2;
    double hidden = 0, hd = 0, heads_l = 0, kvh_l = 0, gate = 1;
    double q_lora = 0, kvr = 0, nope = 0, rope = 0, vdim = 0;
    double index_heads = 0, index_dim = 0, topk = 0, window = 0;
    double lin_kh = 0, lin_vh_l = 0, lin_dk = 0, lin_dv = 0;
    double n_full = 0, n_sliding = 0, n_linear = 0, n_dense = 0, n_moe = 0;  // per stage
    double ffn_up = 2, inter_l = 0;
    double experts = 0, experts_l = 0, active = 0, expert_inter_l = 0, shared_inter_l = 0;
    double vocab_l = 0, embed_share = 1;
    double scale_up = 0, scale_out = 0;
    int domain = 8, tp = 1, pp = 1, dp_attn = 1, ep = 1, moe_group = 1;
    bool mla = false;
    // FP8 GEMMs of a block-scaled checkpoint quantize their input per token group first, in a
    // kernel of its own (ModelArch::fp8_block).
    bool group_quant = false;
    bool latent_fp8 = false;  // PrecisionConfig::fp8_latent_bmm
    double weight_elems = 0, weight_bytes = 0, kv_token_bytes = 0, kv_sliding_token_bytes = 0,
           state_seq_bytes = 0;
  };
  Shape s_;
};

}  // namespace ceiling::perf

#endif  // CEILING_PERF_STEP_H_
