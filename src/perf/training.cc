#include "ceiling/perf/training.h"

#include <fmt/format.h>

#include <algorithm>

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

}  // namespace

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
  Work w;
  w.tokens = static_cast<double>(q.micro_batch) * q.seq / q.cp;
  w.prefill_tokens = w.tokens;
  w.prompt_len = q.seq;
  w.lm_rows = w.tokens;
  w.backward = q.recompute ? 3 : 2;
  const StepTime mb = sm.EvaluateStage(fp, w);
  const double p2p = q.pp > 1 ? 2 * sm.PipelineTransfer(fp, w.tokens).base() : 0.0;
  const double slot = mb.total.base() + p2p;
  const double m = micro_batches;
  const double bubble = (q.pp - 1) * slot;
  // Gradient reduction overlaps the backward pass of the last micro-batch.
  const double sync = sm.GradientSync(fp, dp, q.zero).base();
  const double exposed = std::max(0.0, sync - mb.total.base() * 2.0 / 3.0);
  // Adam update: read and write weights, fp32 gradients and state (~32 bytes per parameter),
  // over this GPU's shard.
  const double shard = q.zero >= 1 ? dp : 1;
  const double opt = sm.ParamsPerGpu() * 32 / shard /
                     (sm.hardware().memory_bandwidth.base() * fp.memory_efficiency);
  out.step = Seconds::FromBase(m * slot + bubble + exposed + opt);
  out.breakdown.compute = mb.compute_limited * m;
  out.breakdown.memory = mb.memory_limited * m;
  out.breakdown.communication = (mb.communication) * m + Seconds::FromBase(p2p * m + exposed);
  out.breakdown.bubble = Seconds::FromBase(bubble);
  out.breakdown.optimizer = Seconds::FromBase(opt);
  out.breakdown.overhead = mb.overhead * m;
  const double tokens = static_cast<double>(q.global_batch) * q.seq;
  out.model_flops = 3 * tokens * ForwardFlopsPerToken(*q.model, q.seq);
  return out;
}

Result<TrainingResult> Train(const TrainingQuery& q) {
  auto bad = [](std::string msg) { return MakeError(ErrorCode::kInvalidArgument, std::move(msg)); };
  if (q.gpus < 1 || q.tp < 1 || q.pp < 1 || q.cp < 1 || q.ep < 1 || q.micro_batch < 1)
    return bad("gpus, tp, pp, ep, cp and micro_batch must be at least 1");
  if (q.seq < 1) return FieldError("seq", "must be at least 1");
  if (q.global_batch < 1) return FieldError("global_batch", "must be at least 1");
  if (q.zero < 0 || q.zero > 3) return FieldError("zero", fmt::format("must be 0 to 3, got {}", q.zero));
  if (q.gpus % (q.tp * q.pp * q.cp) != 0)
    return FieldError("gpus", fmt::format("{} is not divisible by tp x pp x cp = {}", q.gpus,
                                          q.tp * q.pp * q.cp));
  const int dp = q.gpus / (q.tp * q.pp * q.cp);
  if (q.ep > 1 && dp % q.ep != 0)
    return FieldError("ep", fmt::format("{} must divide the data-parallel size {}", q.ep, dp));
  if (q.global_batch % (dp * q.micro_batch) != 0)
    return FieldError("global_batch",
                      fmt::format("{} is not a multiple of dp x micro_batch = {} x {}",
                                  q.global_batch, dp, q.micro_batch));
  if (q.seq % q.cp != 0)
    return FieldError("cp", fmt::format("{} does not divide seq {}", q.cp, q.seq));
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
  const TrainingTimes t = TrainTimes(sm, fp, q, dp, micro_batches);
  r.step_time = t.step;
  r.breakdown = t.breakdown;
  r.model_flops_per_step = t.model_flops;
  const double tokens = static_cast<double>(q.global_batch) * q.seq;
  r.tokens_per_s = tokens / t.step.base();
  const double peak = q.hardware->ComputeRate(DType::kBf16).base();
  r.mfu = t.model_flops / (t.step.base() * q.gpus * peak);
  if (q.tokens) r.time_to_train = Seconds::FromBase(*q.tokens / r.tokens_per_s);

  // Memory per GPU.
  const double params = sm.ParamsPerGpu();
  const double shard = dp;
  Memory& mem = r.memory;
  mem.capacity = q.hardware->memory_capacity;
  mem.weights = Bytes::FromBase(params * 2 / (q.zero >= 3 ? shard : 1));
  mem.optimizer = Bytes::FromBase(params * 4 / (q.zero >= 2 ? shard : 1) +
                                  params * 12 / (q.zero >= 1 ? shard : 1));
  const double tokens_mb = static_cast<double>(q.micro_batch) * q.seq / q.cp;
  const double per_layer =
      q.recompute ? 2 * tokens_mb * q.model->hidden
                  : 34 * tokens_mb * q.model->hidden / q.tp * (q.model->moe.enabled() ? 1.5 : 1.0);
  const double in_flight = std::min(micro_batches, q.pp);
  mem.activations = Bytes::FromBase(per_layer * q.model->layers / q.pp * in_flight);
  mem.reserve = mem.capacity * 0.05;
  mem.total = mem.weights + mem.optimizer + mem.activations + mem.reserve;
  mem.fits = mem.total <= mem.capacity;
  r.fits = mem.fits;
  if (!r.fits)
    r.does_not_fit = fmt::format(
        "per GPU: weights {} + gradients and optimizer state {} + activations {} + reserve {} = "
        "{} > capacity {}",
        FormatQuantity(mem.weights), FormatQuantity(mem.optimizer), FormatQuantity(mem.activations),
        FormatQuantity(mem.reserve), FormatQuantity(mem.total), FormatQuantity(mem.capacity));
  r.basis = q.calibration->BasisFor(q.hardware->chip_id, q.hardware->family);
  r.uncertainty = q.calibration->Band(r.basis, Metric::kTrainStep, Regime::kLargeBatch);
  return r;
}

}  // namespace ceiling::perf
