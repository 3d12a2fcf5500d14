#include "ceiling/perf/training.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ceiling/base/units.h"

namespace ceiling::perf {
namespace {

// Model FLOPs of one token's forward pass: two per matmul weight (the embedding lookup is not
// a matmul) plus the causal attention products.
double ForwardFlopsPerToken(const ModelArch& m, double seq) {
  double matmul =
      m.ActiveParams() - static_cast<double>(m.vocab) * m.hidden * (m.tied_embeddings ? 0.0 : 1.0);
  const Attention& a = m.attention;
  const double qk =
      a.kind == AttentionKind::kMla ? a.qk_nope_head_dim + a.qk_rope_head_dim : a.head_dim;
  const double v = a.kind == AttentionKind::kMla ? a.v_head_dim : a.head_dim;
  const double ctx = (seq + 1) / 2;
  const double full = m.FullAttentionLayers() - a.sliding_layers;
  const double slide_ctx = a.sliding_window > 0 ? std::min(ctx, 1.0 * a.sliding_window) : ctx;
  const double attn = 2.0 * a.heads * (qk + v) * (full * ctx + a.sliding_layers * slide_ctx);
  return 2 * matmul + attn;
}

// Micro-batches whose activations the first pipeline stage holds at its peak. 1F1B: pp (the
// warm-up forwards before the first backward). Interleaved with v chunks (Megatron-Core): the
// first rank runs 2 (pp - 1) + (v - 1) pp chunk forwards before its first backward, each chunk
// 1/v of the stage's layers.
double InFlight(int pp, int v, int micro_batches) {
  if (pp <= 1) return 1;
  if (v <= 1) return std::min(pp, micro_batches);
  const double chunks = 2.0 * (pp - 1) + (v - 1.0) * pp + 1;
  return std::min(chunks / v, static_cast<double>(micro_batches));
}

// Bytes of activations one token leaves per layer for the backward pass, on one GPU. The layer
// keeps its two blocks' inputs (for the norms' backward) and the inputs of its GEMMs (for the
// weight gradients): the norm outputs, the attention output, the activation-function output,
// and in MoE layers the dispatched copies of the token (top-k of them, spread over the
// expert-parallel ranks); plus what the nonlinear parts need: Q, K and V for flash attention
// (which keeps no scores) and the FFN's gate/up outputs. GEMM inputs are kept in the GEMM's
// format (FP8 training keeps FP8 copies), the rest in bf16. Sequence parallelism shards the
// norm region over the tensor-parallel group, tensor parallelism the rest. Selective
// recomputation redoes the norms, the activation functions and MLA's up-projections from
// what is kept (Megatron-Core's and DeepSeek-V3's choice); full recomputation keeps only the
// layer input.
double ActivationBytesPerToken(const ModelArch& m, const TrainingQuery& q, bool moe_layer) {
  const double h = m.hidden;
  const double t = q.tp;
  const double norm_region = q.sequence_parallel && q.tp > 1 ? t : 1.0;
  if (q.recompute == Recompute::kFull) return 2 * h / norm_region;
  const bool selective = q.recompute == Recompute::kSelective;
  const double gin = q.precision == DType::kFp8 ? 1.0 : 2.0;  // bytes of a kept GEMM input
  const Attention& a = m.attention;
  // The norm region: two block inputs, and unless recomputed the two norm outputs.
  double bytes = (2 * h * 2 + (selective ? 0 : 2 * h * gin)) / norm_region;
  double qkv, out;
  if (a.kind == AttentionKind::kMla) {
    const double up = a.heads * (a.qk_nope_head_dim + a.qk_rope_head_dim) +
                      a.heads * (a.qk_nope_head_dim + a.qk_rope_head_dim + a.v_head_dim);
    const double latent = a.q_lora_rank + a.kv_lora_rank + a.qk_rope_head_dim;
    qkv = (selective ? 0 : up / t) + latent;  // latents are replicated over TP ranks
    out = a.heads * a.v_head_dim / t;
  } else {
    qkv = (static_cast<double>(a.heads) * a.head_dim +
           2.0 * std::max(a.kv_heads, q.tp) * a.head_dim) /
          t;
    out = static_cast<double>(a.heads) * a.head_dim / t;
  }
  bytes += qkv * 2 + out * gin;
  const double up = m.FfnMatrices() - 1.0;  // gate and up (SwiGLU) or up (GELU)
  auto ffn = [&](double width) { return (up * width * 2 + (selective ? 0 : width * gin)) / t; };
  if (moe_layer) {
    // Routed copies land on the expert-parallel ranks in equal shares (balanced routing).
    const Moe& e = m.moe;
    bytes += e.active * (h * gin + ffn(e.expert_intermediate));
    if (e.shared_intermediate > 0) bytes += ffn(e.shared_intermediate);
  } else {
    bytes += ffn(m.intermediate);
  }
  return bytes;
}

// Compute that runs beside a collective runs slower: the collective's kernels hold SMs and
// share memory bandwidth with it. Lee et al., "Characterizing Compute-Communication Overlap
// in GPU-Accelerated Distributed Deep Learning" (arXiv 2507.03114, 2025), measured overlapped
// computation 18.9% slower on average than alone (at most 40%) over GPT and Llama training on
// A100, H100, MI250 and MI210. A published constant, not fitted here.
constexpr double kOverlapSlowdown = 0.189;

// Time that `comm` seconds of a collective add to `compute` seconds of work it overlaps: the
// work done beside it takes (1 + s) as long, and what does not fit under the work is exposed.
double OverlapCost(double comm, double compute) {
  if (comm <= 0) return 0;
  if (compute <= 0) return comm;
  constexpr double s = kOverlapSlowdown;
  return comm <= compute * (1 + s) ? comm * s / (1 + s) : comm - compute;
}

// The groups Megatron-Core reduces gradients and shards its distributed optimizer over: the
// data-parallel ranks together with the context-parallel ones, which hold the same parameters
// (its dp_cp group), and for the routed experts their own data-parallel group, dp x cp / ep.
struct DpGroups {
  int dense = 1, experts = 1;
};
DpGroups DataParallelGroups(const TrainingQuery& q, int dp) {
  const int dense = dp * q.cp;
  return {dense, std::max(1, dense / std::max(1, q.ep))};
}

// This GPU's share of its stage's parameters when sharded over those groups.
double ShardedParams(const StepModel& sm, DpGroups g) {
  const double experts = sm.ExpertParamsPerGpu();
  return (sm.ParamsPerGpu() - experts) / g.dense + experts / g.experts;
}

}  // namespace

std::string_view RecomputeName(Recompute r) {
  switch (r) {
    case Recompute::kNone:
      return "none";
    case Recompute::kSelective:
      return "selective";
    case Recompute::kFull:
      return "full";
  }
  return "?";
}

std::optional<Recompute> RecomputeFromName(std::string_view name) {
  for (Recompute r : {Recompute::kNone, Recompute::kSelective, Recompute::kFull})
    if (RecomputeName(r) == name) return r;
  return std::nullopt;
}

std::string_view GradReduceName(bool bf16_grads) { return bf16_grads ? "bf16" : "fp32"; }

std::optional<bool> Bf16GradsFromName(std::string_view name) {
  for (bool b : {false, true})
    if (GradReduceName(b) == name) return b;
  return std::nullopt;
}

Status TrainingQuery::Validate() const {
  for (auto [v, name] :
       {std::pair{gpus, "gpus"}, std::pair{tp, "tp"}, std::pair{pp, "pp"}, std::pair{cp, "cp"},
        std::pair{ep, "ep"}, std::pair{micro_batch, "micro_batch"},
        std::pair{virtual_stages, "virtual_stages"}, std::pair{seq, "seq"},
        std::pair{global_batch, "global_batch"}})
    if (v < 1) return FieldError(name, fmt::format("must be at least 1, got {}", v));
  if (zero < 0 || zero > 3) return FieldError("zero", fmt::format("must be 0 to 3, got {}", zero));
  if (gpus % (tp * pp * cp) != 0)
    return FieldError("gpus",
                      fmt::format("{} is not divisible by tp x pp x cp = {}", gpus, tp * pp * cp));
  const int dp = Dp();
  if (ep > 1 && dp % ep != 0)
    return FieldError("ep", fmt::format("{} must divide the data-parallel size {}", ep, dp));
  if (global_batch % (dp * micro_batch) != 0)
    return FieldError("global_batch",
                      fmt::format("{} is not a multiple of the data-parallel size x the "
                                  "micro-batch = {} x {}",
                                  global_batch, dp, micro_batch));
  if (seq % cp != 0) return FieldError("cp", fmt::format("{} does not divide seq {}", cp, seq));
  if (model) {
    if (pp > model->layers)
      return FieldError(
          "pp", fmt::format("{} exceeds the {} layers of {}", pp, model->layers, model->id));
    if (virtual_stages > 1) {
      if (pp == 1)
        return FieldError("virtual_stages", "interleaving needs pipeline parallelism (pp > 1)");
      // The first chunk may hold only the embedding and the last only the output layer and the
      // loss (Llama 3's balanced schedule), so pp x v may exceed the layers by two.
      if (pp * virtual_stages > model->layers + 2)
        return FieldError("virtual_stages",
                          fmt::format("{} chunks on each of {} pipeline ranks exceed the {} layers "
                                      "of {} (plus an embedding-only and an output-only chunk)",
                                      virtual_stages, pp, model->layers, model->id));
    }
    if (dualpipe && (pp < 2 || pp % 2 != 0))
      return FieldError("dualpipe", fmt::format("needs an even pipeline size, got pp {}", pp));
    if (dualpipe && virtual_stages > 1)
      return FieldError("virtual_stages", "DualPipe and interleaving are different schedules");
    if (ep > 1 && !model->moe.enabled())
      return FieldError("ep", fmt::format("{}: {} is a dense model (no experts)", ep, model->id));
  }
  if (precision != DType::kBf16 && precision != DType::kFp8)
    return FieldError("precision",
                      fmt::format("training runs in bf16 or fp8, not {}", DTypeName(precision)));
  return OkStatus();
}

double TrainingFlopsPerToken(const ModelArch& m, int seq) {
  return 3 * ForwardFlopsPerToken(m, seq);
}

Parallelism TrainingParallelism(const TrainingQuery& q) {
  Parallelism p;
  p.tp = q.tp;
  p.pp = q.pp;
  if (q.model->moe.enabled() && q.ep > 1) {
    p.dp_attn = q.ep;
    p.ep = q.ep;
  }
  return p;
}

TrainingTimes TrainTimes(const StepModel& sm, const FamilyParams& fp, const TrainingQuery& q,
                         int dp, int micro_batches) {
  TrainingTimes out;
  const ModelArch& model = *q.model;
  const double tokens_mb = static_cast<double>(q.micro_batch) * q.seq / q.cp;
  Work w;
  w.tokens = tokens_mb;
  w.prefill_tokens = w.tokens;
  w.prompt_len = q.seq;
  w.lm_rows = w.tokens;
  w.backward = q.recompute == Recompute::kFull ? 3 : 2;
  w.elementwise_recompute = q.recompute == Recompute::kSelective ? 1 : 0;
  const StepTime mb = sm.EvaluateStage(fp, w);
  const double compute = (mb.total - mb.communication).base();

  // Communication a micro-batch exposes. Tensor-parallel collectives overlap the GEMMs when
  // asked (Megatron's TP-comm overlap, which needs sequence parallelism); the expert all-to-all
  // overlaps the rest of the computation when asked (DualPipe-style).
  double tp = mb.tp_comm.base();
  if (q.tp_comm_overlap && q.sequence_parallel && q.tp > 1)
    tp = OverlapCost(tp, (mb.gemm + mb.moe).base());
  double ep = mb.ep_comm.base();
  if (q.ep_comm_overlap || q.dualpipe) ep = OverlapCost(ep, compute);
  // Context parallelism: each layer's keys and values go round the cp ranks (forward), their
  // gradients come back (backward), overlapped with the attention computation (ring attention).
  double cp = 0;
  if (q.cp > 1) {
    const Attention& a = model.attention;
    const double kv_per_token = a.kind == AttentionKind::kMla
                                    ? (a.kv_lora_rank + a.qk_rope_head_dim)
                                    : 2.0 * std::max(1, a.kv_heads / q.tp) * a.head_dim;
    const double layers = std::ceil(static_cast<double>(model.layers) / q.pp);
    const double bytes = (q.cp - 1.0) * tokens_mb * kv_per_token * 2 * layers;
    const Hardware& hw = sm.hardware();
    const bool intra = q.tp * q.cp <= hw.scale_up_domain;
    const double bw = (intra ? hw.scale_up : hw.scale_out).base() * fp.comm_efficiency;
    const double ring = 2 * (bytes / bw + (q.cp - 1) * layers * fp.comm_latency.base());
    cp = OverlapCost(ring, mb.attention.base());
  }
  const double exposed =
      mb.communication.base() - mb.tp_comm.base() - mb.ep_comm.base() + tp + ep + cp;
  // Megatron-Core numbers ranks tensor-, context-, expert-, data- then pipeline-parallel (its
  // default order, tp-cp-ep-dp-pp), so a pipeline stage is tp x cp x dp consecutive GPUs.
  const double stage_gpus = static_cast<double>(q.tp) * q.cp * dp;
  // Pipeline: activations forward and gradients back at each of the v chunk boundaries, to a
  // stage in another scale-up domain once a stage fills one. The interleaved schedule sends
  // them while the next chunk computes (Megatron-Bridge turns overlap_p2p_comm on whenever
  // virtual stages are used); plain 1F1B waits for its batched sends.
  double p2p =
      q.pp > 1 ? 2.0 * q.virtual_stages * sm.PipelineTransfer(fp, tokens_mb, stage_gpus).base()
               : 0.0;
  if (q.virtual_stages > 1) p2p = OverlapCost(p2p, compute);
  const double slot = compute + exposed + p2p;
  const double m = micro_batches;
  // DualPipe: (pp/2 - 1) x (F&B + B - 3W) with F, the input-gradient half of B and W each about
  // a third of a slot, i.e. (pp/2 - 1) x 2/3 of a slot.
  const double bubble = q.dualpipe ? std::max(0.0, q.pp / 2.0 - 1) * 2.0 / 3.0 * slot
                                   : (q.pp - 1.0) / q.virtual_stages * slot;
  // Data parallelism: gradients reduce-scattered in their buffer's format, fp32 unless asked
  // for bf16 (all-reduced without a sharded optimizer), under the last micro-batch's backward;
  // parameters all-gathered in bf16 under the next step's first forward; ZeRO-2 and -3 below.
  // Each hides under computation at the cost OverlapCost charges.
  // The groups: DataParallelGroups (dp x cp; the experts dp x cp / ep).
  const DpGroups groups = DataParallelGroups(q, dp);
  double sync = 0;
  if (groups.dense > 1) {
    const double experts = sm.ExpertParamsPerGpu();
    const double dense = sm.ParamsPerGpu() - experts;
    auto ring = [&](double bytes, int group) {
      if (group <= 1) return 0.0;
      const Hardware& hw = sm.hardware();
      // Both data-parallel groups lie inside a pipeline stage (above): the dense one strides
      // tp, the experts' tp x ep. Either stays in one scale-up domain only if the stage does.
      const bool intra = stage_gpus <= hw.scale_up_domain;
      const double bw = (intra ? hw.scale_up : hw.scale_out).base() * fp.comm_efficiency;
      return fp.comm_latency.base() * 2 + (group - 1.0) / group * bytes / bw;
    };
    const double grad_bytes = q.bf16_grads ? 2 : 4;  // the gradient buffer's format
    const double reduce =
        (q.zero >= 1 ? 1 : 2) *
        (ring(dense * grad_bytes, groups.dense) + ring(experts * grad_bytes, groups.experts));
    const double gather =
        q.zero >= 1 ? ring(dense * 2, groups.dense) + ring(experts * 2, groups.experts) : 0;
    const double fwd = compute / (1 + w.backward);
    const double bwd = compute - fwd;
    // Sharded gradients (ZeRO-2 and -3) cannot accumulate locally: each micro-batch's backward
    // ends in its reduce-scatter. ZeRO-3 keeps only a shard of the parameters, so every
    // micro-batch gathers them for its forward and again for its backward (3 model sizes of
    // traffic per micro-batch in the ZeRO paper's count, against 2 for plain data parallelism).
    if (q.zero >= 3)
      sync = m * (OverlapCost(reduce + gather, bwd) + OverlapCost(gather, fwd));
    else if (q.zero == 2)
      sync = m * OverlapCost(reduce, bwd) + OverlapCost(gather, fwd);
    else
      sync = OverlapCost(reduce, bwd) + OverlapCost(gather, fwd);
  }
  // Adam update: read and write weights, fp32 gradients and state (~32 bytes per parameter;
  // 2 fewer with bf16 gradients, 8 fewer with bf16 moments), over this GPU's shard.
  const double shard_params = q.zero >= 1 ? ShardedParams(sm, groups) : sm.ParamsPerGpu();
  const double opt_bytes = (q.bf16_moments ? 24 : 32) - (q.bf16_grads ? 2 : 0);
  const double opt = shard_params * opt_bytes /
                     (sm.hardware().memory_bandwidth.base() * fp.memory_efficiency);
  out.step = Seconds::FromBase(m * slot + bubble + sync + opt);
  out.breakdown.compute = mb.compute_limited * m;
  out.breakdown.memory = mb.memory_limited * m;
  out.breakdown.communication = Seconds::FromBase((exposed + p2p) * m + sync);
  out.breakdown.bubble = Seconds::FromBase(bubble);
  out.breakdown.optimizer = Seconds::FromBase(opt);
  out.breakdown.overhead = mb.overhead * m;
  const double tokens = static_cast<double>(q.global_batch) * q.seq;
  out.model_flops = 3 * tokens * ForwardFlopsPerToken(model, q.seq);
  return out;
}

MemoryUse TrainingMemory(const StepModel& sm, const TrainingQuery& q, int dp, int micro_batches,
                         double* in_flight_out) {
  const ModelArch& m = *q.model;
  MemoryUse mem;
  mem.capacity = q.hardware->memory_capacity;
  // Weights bf16, gradients fp32 (or bf16), Adam state (fp32 master, two moments) 12 bytes,
  // each sharded by ZeRO stage over DataParallelGroups (dp x cp; the routed experts
  // dp x cp / ep).
  const double params = sm.ParamsPerGpu();
  const double shard = ShardedParams(sm, DataParallelGroups(q, dp));
  auto sharded = [&](double per_param, int stage) {
    return per_param * (stage ? shard : params);
  };
  // DualPipe keeps two copies of the parameters (one per direction).
  mem.weights = Bytes::FromBase(sharded(2, q.zero >= 3) * (q.dualpipe ? 2 : 1));
  mem.optimizer =
      Bytes::FromBase(sharded(q.bf16_grads ? 2 : 4, q.zero >= 2) +
                      sharded(q.bf16_moments ? 8 : 12, q.zero >= 1));
  const double tokens_mb = static_cast<double>(q.micro_batch) * q.seq / q.cp;
  const double layers = std::ceil(static_cast<double>(m.layers) / q.pp);
  const double moe_share = m.moe.enabled() ? static_cast<double>(m.MoeLayers()) / m.layers : 0;
  const double per_token = (1 - moe_share) * ActivationBytesPerToken(m, q, false) +
                           moe_share * ActivationBytesPerToken(m, q, true);
  const double in_flight = q.dualpipe ? std::min<double>(q.pp + 1, micro_batches)
                                      : InFlight(q.pp, q.virtual_stages, micro_batches);
  if (in_flight_out) *in_flight_out = in_flight;
  double act = per_token * tokens_mb * layers * in_flight;
  // Full recomputation re-creates one layer's activations at a time during the backward.
  if (q.recompute == Recompute::kFull) {
    TrainingQuery none = q;
    none.recompute = Recompute::kNone;
    act += ActivationBytesPerToken(m, none, m.moe.enabled()) * tokens_mb;
  }
  // The last stage's logits in fp32 for the loss (vocabulary split over tensor parallelism).
  act += tokens_mb * static_cast<double>(m.vocab) / q.tp * 4;
  mem.activations = Bytes::FromBase(act);
  mem.reserve = mem.capacity * 0.05;
  mem.total = mem.weights + mem.optimizer + mem.activations + mem.reserve;
  mem.fits = mem.total <= mem.capacity;
  return mem;
}

namespace {

Result<TrainingResult> TrainLayout(const TrainingQuery& q) {
  const int dp = q.Dp();
  const int micro_batches = q.global_batch / (dp * q.micro_batch);
  PrecisionConfig prec = PrecisionForMode(q.precision);
  prec.kv_cache = DType::kBf16;
  ASSIGN_OR_RETURN(StepModel sm,
                   StepModel::Build(*q.model, *q.hardware, TrainingParallelism(q), prec));
  bool fitted = false;
  const FamilyParams& fp = q.calibration->Family(q.hardware->family, &fitted);
  TrainingResult r;
  r.dp = dp;
  r.micro_batches = micro_batches;
  r.notes = q.hardware->notes;
  if (!fitted)
    r.notes.push_back(
        fmt::format("family \"{}\" has no calibration data; generic efficiencies "
                    "are used",
                    q.hardware->family));
  if (q.tp_comm_overlap && q.tp > 1 && !q.sequence_parallel)
    r.notes.push_back("TP communication overlap needs sequence parallelism; not overlapped");
  DType used;
  GemmRate(*q.hardware, prec.activations, &used);  // the rate StepModel::Build gives the GEMMs
  if (used != prec.activations)
    r.notes.push_back(fmt::format("{} has no {} rate in its record; GEMMs use the {} rate",
                                  q.hardware->chip_id, DTypeName(prec.activations),
                                  DTypeName(used)));
  const TrainingTimes t = TrainTimes(sm, fp, q, dp, micro_batches);
  r.step_time = t.step;
  r.breakdown = t.breakdown;
  r.model_flops_per_step = t.model_flops;
  const double tokens = static_cast<double>(q.global_batch) * q.seq;
  r.tokens_per_s = tokens / t.step.base();
  const double peak = q.hardware->ComputeRate(DType::kBf16).base();
  r.mfu = t.model_flops / (t.step.base() * q.gpus * peak);
  if (q.tokens) r.time_to_train = Seconds::FromBase(*q.tokens / r.tokens_per_s);

  r.memory = TrainingMemory(sm, q, dp, micro_batches, &r.in_flight);
  const MemoryUse& mem = r.memory;
  r.fits = mem.fits;
  if (!r.fits)
    r.does_not_fit = fmt::format(
        "per GPU: weights {} + gradients and optimizer state {} + activations {} + reserve {} = "
        "{} > capacity {}",
        FormatQuantity(mem.weights), FormatQuantity(mem.optimizer), FormatQuantity(mem.activations),
        FormatQuantity(mem.reserve), FormatQuantity(mem.total), FormatQuantity(mem.capacity));
  r.basis = q.calibration->BasisFor(q.hardware->chip_id, q.hardware->family);
  r.uncertainty = q.calibration->Band(r.basis, PerfMetric::kTrainStep, Regime::kLargeBatch);
  return r;
}

}  // namespace

std::string FittingLayoutNote(const TrainingQuery& q) {
  if (!q.model || !q.hardware || !q.calibration || !q.Validate().ok()) return "";
  const std::vector<Recompute> recomputes =
      q.recompute == Recompute::kFull ? std::vector{q.recompute}
                                      : std::vector{q.recompute, Recompute::kFull};
  const std::vector<int> zeros = q.zero == 3 ? std::vector{3} : std::vector{q.zero, 3};
  const int max_tp = std::min(q.gpus, q.hardware->scale_up_domain);
  std::optional<TrainingQuery> best;
  double best_rate = 0, best_step = 0, best_mfu = 0;
  for (Recompute rc : recomputes)
    for (int zero : zeros)
      for (std::int64_t tp = 1; tp <= max_tp; tp *= 2)
        for (std::int64_t pp = 1; pp <= std::min(q.gpus, q.model->layers); pp *= 2) {
          TrainingQuery c = q;
          c.tp = static_cast<int>(tp);
          c.pp = static_cast<int>(pp);
          c.recompute = rc;
          c.zero = zero;
          if (!c.Validate().ok()) continue;
          auto r = TrainLayout(c);
          if (!r.ok() || !r->fits || r->tokens_per_s <= best_rate) continue;
          best = c;
          best_rate = r->tokens_per_s;
          best_step = r->step_time.base();
          best_mfu = r->mfu;
        }
  const std::string gpus = q.gpus == 1 ? "one GPU" : fmt::format("these {} GPUs", q.gpus);
  if (!best)
    return fmt::format(
        "no layout of {} fits, even with full recomputation and ZeRO-3{}: more GPUs, a shorter "
        "sequence or more context parallelism (cp)",
        gpus,
        q.gpus > 1 ? fmt::format(" (TP 1-{} within a scale-up domain, PP in powers of two, the "
                                 "same global batch and micro-batch)",
                                 max_tp)
                   : "");
  std::string flags = fmt::format("tp {}, pp {}", best->tp, best->pp);
  if (best->recompute != q.recompute)
    flags += fmt::format(", recompute {}", RecomputeName(best->recompute));
  if (best->zero != q.zero) flags += fmt::format(", zero {}", best->zero);
  return fmt::format(
      "the fastest layout of {} that fits: TP{} PP{} DP{} ({}): {} s per step, {:.0f}% MFU", gpus,
      best->tp, best->pp, best->Dp(), flags,
      best_step < 100 ? fmt::format("{:.3g}", best_step) : fmt::format("{:.0f}", best_step),
      best_mfu * 100);
}

Result<TrainingResult> Train(const TrainingQuery& q) {
  if (!q.model || !q.hardware || !q.calibration)
    return MakeError(ErrorCode::kInvalidArgument, "training query without model or hardware");
  RETURN_IF_ERROR(q.Validate());
  return TrainLayout(q);
}

}  // namespace ceiling::perf
