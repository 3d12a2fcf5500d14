#include "ceiling/perf/step.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ceiling::perf {
namespace {

// Accumulates operator times into the breakdown of a step.
struct Acc {
  double gemm = 0, attn = 0, moe = 0, comm = 0, elem = 0, overhead = 0, comp = 0, mem = 0;
  double kernels = 0;               // kernel launches
  double ko = 0;                    // fixed GPU cost per kernel
  double tp_comm = 0, ep_comm = 0;  // parts of `comm`: tensor-parallel collectives, all-to-all
};

// Roofline of one operator executed `count` times whose arithmetic takes `tc` seconds and whose
// traffic takes `tm`: adds max(tc, tm) to `bucket` (the kernel overlaps its loads with its math)
// and the fixed cost of its `launches` kernels to `overhead`.
inline void RoofTimes(Acc& a, double& bucket, double count, double tc, double tm, double launches) {
  const double t = (tc > tm ? tc : tm) * count;
  if (tc > tm)
    a.comp += t;
  else
    a.mem += t;
  bucket += t;
  a.overhead += a.ko * launches * count;
  a.kernels += launches * count;
}

inline void Roof(Acc& a, double& bucket, double count, double flops, double rate, double bytes,
                 double bw, double launches) {
  RoofTimes(a, bucket, count, flops > 0 ? flops / rate : 0.0, bytes / bw, launches);
}

// Rows a tensor-core GEMM really computes for `m` token rows. Small-M kernels swap the operands
// (swap-AB: the weight matrix fills the 64-row side of Hopper/Blackwell MMA instructions and the
// tokens its N side, which comes in multiples of 8), so at most 7 rows are wasted; large M is
// padded to the same granularity.
inline double PaddedRows(double m) { return 8.0 * std::ceil(m / 8.0); }

// Average number of keys a prompt token attends to in a causal prompt of `n` tokens when each
// query sees at most `limit` keys (0 = unlimited).
inline double AvgContext(double n, double limit) {
  if (n <= 0) return 0;
  if (limit <= 0 || n <= limit) return (n + 1) / 2;
  return (limit * (limit + 1) / 2 + (n - limit) * limit) / n;
}

StepTime Finish(const Acc& a) {
  StepTime t;
  t.gemm = Seconds::FromBase(a.gemm);
  t.attention = Seconds::FromBase(a.attn);
  t.moe = Seconds::FromBase(a.moe);
  t.communication = Seconds::FromBase(a.comm);
  t.elementwise = Seconds::FromBase(a.elem);
  t.overhead = Seconds::FromBase(a.overhead);
  t.compute_limited = Seconds::FromBase(a.comp);
  t.memory_limited = Seconds::FromBase(a.mem);
  t.total = Seconds::FromBase(a.gemm + a.attn + a.moe + a.comm + a.elem + a.overhead);
  t.kernels = a.kernels;
  t.tp_comm = Seconds::FromBase(a.tp_comm);
  t.ep_comm = Seconds::FromBase(a.ep_comm);
  return t;
}

StepTime Scale(StepTime t, double k) {
  t.total *= k;
  t.gemm *= k;
  t.attention *= k;
  t.moe *= k;
  t.communication *= k;
  t.elementwise *= k;
  t.overhead *= k;
  t.compute_limited *= k;
  t.memory_limited *= k;
  t.kernels *= k;
  t.tp_comm *= k;
  t.ep_comm *= k;
  return t;
}

}  // namespace

std::string Parallelism::ToString() const {
  std::string s = fmt::format("TP{}", tp);
  if (dp_attn > 1) s += fmt::format(" DP-attn{}", dp_attn);
  if (ep > 1) s += fmt::format(" EP{}", ep);
  if (pp > 1) s += fmt::format(" PP{}", pp);
  return s;
}

Status CheckParallelism(const ModelArch& m, const Parallelism& p) {
  auto bad = [](std::string msg) { return MakeError(ErrorCode::kInvalidArgument, std::move(msg)); };
  if (p.tp < 1 || p.pp < 1 || p.dp_attn < 1 || p.ep < 1)
    return bad("parallel sizes must be at least 1");
  const Attention& a = m.attention;
  if (a.heads % p.tp != 0)
    return FieldError(
        "tp", fmt::format("{} does not divide the {} attention heads of {}", p.tp, a.heads, m.id));
  if (a.kind == AttentionKind::kGqa && a.kv_heads % p.tp != 0 && p.tp % a.kv_heads != 0)
    return FieldError("tp", fmt::format("{} neither divides nor is a multiple of the {} KV heads "
                                        "of {}",
                                        p.tp, a.kv_heads, m.id));
  if (a.linear_layers > 0 && a.linear_value_heads % p.tp != 0)
    return FieldError("tp", fmt::format("{} does not divide the {} linear-attention heads of {}",
                                        p.tp, a.linear_value_heads, m.id));
  if (p.pp > m.layers)
    return FieldError("pp", fmt::format("{} exceeds the {} layers of {}", p.pp, m.layers, m.id));
  if (!m.moe.enabled()) {
    if (p.ep > 1)
      return FieldError("ep", fmt::format("{}: {} is a dense model (no experts)", p.ep, m.id));
    return OkStatus();
  }
  if (m.moe.experts % p.ep != 0)
    return FieldError(
        "ep", fmt::format("{} does not divide the {} experts of {}", p.ep, m.moe.experts, m.id));
  if (p.MoeGroup() % p.ep != 0)
    return FieldError("ep", fmt::format("{} does not divide the MoE group of tp x dp-attn = {} "
                                        "GPUs",
                                        p.ep, p.MoeGroup()));
  if (m.moe.expert_intermediate % p.MoeTp() != 0)
    return bad(
        fmt::format("the expert width {} of {} is not divisible by the MoE tensor-parallel "
                    "size {} (tp x dp-attn / ep)",
                    m.moe.expert_intermediate, m.id, p.MoeTp()));
  return OkStatus();
}

OpsPerSecond GemmRate(const Hardware& hw, DType activations, DType* used) {
  DType mma = activations;
  OpsPerSecond rate = hw.ComputeRate(activations, &mma);
  // The engines' weight-only kernels by default: vLLM's Triton and Marlin MXFP4 / NVFP4 paths
  // and TensorRT-LLM's Triton MoE backend unpack 4-bit weights to bf16 and multiply them with
  // bf16 activations.
  if (activations == DType::kFp4 && mma != DType::kFp4) rate = hw.ComputeRate(DType::kBf16, &mma);
  if (used) *used = mma;
  return rate;
}

bool GroupQuantized(const ModelArch& m, const Hardware& hw, const PrecisionConfig& prec) {
  if (!m.fp8_block || prec.weights != DType::kFp8 || prec.activations != DType::kFp8) return false;
  DType mma;
  GemmRate(hw, prec.activations, &mma);
  return mma == DType::kFp8;
}

PrecisionConfig PrecisionForMode(DType mode) {
  PrecisionConfig c;
  c.attention = DType::kBf16;
  switch (mode) {
    case DType::kFp4:
      c.weights = DType::kFp4, c.activations = DType::kFp4, c.kv_cache = DType::kFp8;
      break;
    case DType::kFp8:
      c.weights = DType::kFp8, c.activations = DType::kFp8, c.kv_cache = DType::kFp8;
      break;
    case DType::kInt8:
      c.weights = DType::kInt8, c.activations = DType::kInt8, c.kv_cache = DType::kBf16;
      break;
    case DType::kInt4:
      c.weights = DType::kInt4, c.activations = DType::kBf16, c.kv_cache = DType::kBf16;
      break;
    case DType::kFp16:
      c.weights = c.activations = c.kv_cache = c.attention = DType::kFp16;
      break;
    case DType::kBf16:
    case DType::kFp32:
      c.weights = c.activations = c.kv_cache = DType::kBf16;
      break;
  }
  return c;
}

Result<StepModel> StepModel::Build(const ModelArch& m, const Hardware& hw, const Parallelism& par,
                                   const PrecisionConfig& prec) {
  RETURN_IF_ERROR(CheckParallelism(m, par));
  StepModel sm;
  sm.model_ = &m;
  sm.hw_ = hw;
  sm.par_ = par;
  sm.prec_ = prec;
  Shape& s = sm.s_;
  const Attention& a = m.attention;
  DType mma = prec.activations;  // the format the GEMMs' MMA instructions consume
  s.gemm_rate = GemmRate(hw, prec.activations, &mma).base();
  const bool weight_only_fp4 = prec.activations == DType::kFp4 && mma != DType::kFp4;
  s.attn_rate = hw.ComputeRate(prec.attention).base();
  s.index_rate = hw.ComputeRate(DType::kFp8).base();
  s.vec_rate = hw.peak[Index(DType::kFp32)].base();
  s.tensor_cap = std::clamp(hw.tensor_cap, 0.0, 1.0);
  s.bw = hw.memory_bandwidth.base();
  if (s.gemm_rate <= 0 || s.attn_rate <= 0 || s.bw <= 0)
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: no usable tensor rate or memory bandwidth", hw.chip_id));
  s.wb = BytesPerElement(prec.weights);
  s.moe_wb = s.wb;
  // 4-bit weights that the MMA does not consume as they are (MXFP4 / NVFP4 on Hopper and int4
  // weight-only on every chip, both multiplied in bf16) are unpacked and
  // scaled in software on the SMs before each MMA tile uses them: about 15 fp32
  // FLOP-equivalents per element, from an H20 measurement of one MXFP4 expert layer with a
  // W4A16 kernel (docs/perf.md §1 and §5, round 5), for every 128-row tile of the GEMM's rows.
  // Streaming the weights then no longer bounds a small batch alone.
  constexpr double kConvertFlops = 15;
  const bool four_bit = prec.weights == DType::kFp4 || prec.weights == DType::kInt4;
  if (four_bit && mma != prec.weights && s.vec_rate > 0) s.convert = kConvertFlops / s.vec_rate;
  s.ab = weight_only_fp4 ? BytesPerElement(DType::kBf16) : BytesPerElement(prec.activations);
  s.kvb = BytesPerElement(prec.kv_cache);
  s.state_b = 2.0;  // linear-attention state kept in bf16
  s.tp = par.tp, s.pp = par.pp, s.dp_attn = par.dp_attn, s.ep = par.ep;
  s.moe_group = par.MoeGroup();
  s.hidden = m.hidden;
  s.mla = a.kind == AttentionKind::kMla;
  s.group_quant = GroupQuantized(m, hw, prec);
  s.latent_fp8 = s.group_quant && prec.fp8_latent_bmm;
  s.heads_l = static_cast<double>(a.heads) / par.tp;
  s.kvh_l = std::max(1.0, static_cast<double>(a.kv_heads) / par.tp);
  s.hd = a.head_dim;
  s.gate = a.output_gate ? 2.0 : 1.0;
  s.q_lora = a.q_lora_rank, s.kvr = a.kv_lora_rank, s.nope = a.qk_nope_head_dim;
  s.rope = a.qk_rope_head_dim, s.vdim = a.v_head_dim;
  s.index_heads = a.index_heads, s.index_dim = a.index_head_dim, s.topk = a.sparse_topk;
  s.window = a.sliding_window;
  s.lin_kh = static_cast<double>(a.linear_key_heads) / par.tp;
  s.lin_vh_l = static_cast<double>(a.linear_value_heads) / par.tp;
  s.lin_dk = a.linear_key_head_dim, s.lin_dv = a.linear_value_head_dim;
  // Uneven splits give the busiest stage ceil(layers / pp) layers.
  const double per_stage =
      std::ceil(static_cast<double>(m.layers) / par.pp) / (static_cast<double>(m.layers));
  s.n_linear = a.linear_layers * per_stage;
  s.n_sliding = a.sliding_layers * per_stage;
  s.n_full = (m.layers - a.linear_layers - a.sliding_layers) * per_stage;
  s.n_moe = m.MoeLayers() * per_stage;
  s.n_dense = m.DenseFfnLayers() * per_stage;
  s.ffn_up = m.ffn == FfnKind::kSwiGlu ? 2.0 : 1.0;
  s.inter_l = static_cast<double>(m.intermediate) / par.tp;
  if (m.moe.enabled()) {
    s.experts = m.moe.experts;
    s.experts_l = static_cast<double>(m.moe.experts) / par.ep;
    s.active = m.moe.active;
    s.expert_inter_l = static_cast<double>(m.moe.expert_intermediate) / par.MoeTp();
    s.shared_inter_l = static_cast<double>(m.moe.shared_intermediate) / par.tp;
    // SGLang's condition for DeepSeek-V3-style models (determine_num_fused_shared_experts).
    if (prec.fused_shared_expert && par.ep == 1 && m.moe.experts == 256 && m.moe.shared == 1 &&
        m.moe.shared_intermediate == m.moe.expert_intermediate) {
      s.experts += 1, s.experts_l += 1, s.active += 1;
      s.shared_inter_l = 0;
    }
  }
  s.vocab_l = static_cast<double>(m.vocab) / par.tp;
  // Embedding and LM head live on the first and last stage; a GPU holds both only when pp = 1.
  s.embed_share = par.pp == 1 ? 1.0 : 0.5;
  s.scale_up = hw.scale_up.base();
  s.scale_out = hw.scale_out.base();
  s.domain = std::max(1, hw.scale_up_domain);

  // Weights per GPU (elements and bytes), in the worst pipeline stage.
  const double h = s.hidden;
  double attn_full = 0, attn_linear = 0;
  if (s.mla) {
    const double qa = s.q_lora > 0 ? h * s.q_lora + s.q_lora * s.heads_l * (s.nope + s.rope)
                                   : h * s.heads_l * (s.nope + s.rope);
    attn_full =
        qa + h * (s.kvr + s.rope) + s.kvr * s.heads_l * (s.nope + s.vdim) + s.heads_l * s.vdim * h;
    if (s.topk > 0)
      attn_full +=
          std::max(s.q_lora, 1.0) * s.index_heads * s.index_dim + h * (s.index_dim + s.index_heads);
  } else {
    attn_full = h * (s.heads_l * s.gate + 2 * s.kvh_l) * s.hd + s.heads_l * s.hd * h;
  }
  if (s.n_linear > 0)
    attn_linear = h * (2 * s.lin_kh * s.lin_dk + 2 * s.lin_vh_l * s.lin_dv + 2 * s.lin_vh_l) +
                  s.lin_vh_l * s.lin_dv * h;
  const double mats = m.FfnMatrices();
  const double dense_ffn = mats * h * s.inter_l;
  const double moe_layer =
      s.experts_l * mats * h * s.expert_inter_l + mats * h * s.shared_inter_l + h * s.experts;
  const double embed = s.vocab_l * h * (m.tied_embeddings ? 1 : 2) * s.embed_share;
  const double attn_elems = (s.n_full + s.n_sliding) * attn_full + s.n_linear * attn_linear;
  s.weight_elems = attn_elems + s.n_dense * dense_ffn + s.n_moe * moe_layer + embed;
  s.weight_bytes = (attn_elems + s.n_dense * dense_ffn) * s.wb +
                   s.n_moe * (s.experts_l * mats * h * s.expert_inter_l * s.moe_wb +
                              mats * h * s.shared_inter_l * s.wb + h * s.experts * 2) +
                   embed * 2;
  // KV cache: MLA keeps the whole latent on every tensor-parallel rank.
  double kv_layer = s.mla ? (s.kvr + s.rope) * s.kvb : 2 * s.kvh_l * s.hd * s.kvb;
  if (s.topk > 0) kv_layer += s.index_dim * 1.0;  // fp8 indexer keys
  s.kv_token_bytes = kv_layer * s.n_full;
  s.kv_sliding_token_bytes = kv_layer * s.n_sliding;
  s.state_seq_bytes = s.n_linear * s.lin_vh_l * s.lin_dk * s.lin_dv * s.state_b;
  return sm;
}

StepTime StepModel::EvaluateStage(const FamilyParams& p, const Work& w) const {
  const Shape& s = s_;
  Acc a;
  const double bw = s.bw * p.memory_efficiency;
  a.ko = p.kernel_overhead.base();
  // Passes over the work: the forward, and in training the backward (twice the forward's
  // GEMM FLOPs), plus a second forward with full recomputation. Flash attention's backward
  // recomputes the scores: 2.5x its forward. Collectives run once forward and once backward
  // (again when the forward is recomputed); recomputed norms and activations add elementwise
  // passes (selective recomputation).
  const double pass = 1.0 + w.backward;
  const double attn_pass = 1.0 + 1.25 * w.backward;
  const double comm_pass = w.backward > 0 ? w.backward : 1.0;
  const double elem_pass = pass + w.elementwise_recompute;
  const double h = s.hidden;
  const double T = w.tokens;
  if (T <= 0) return Finish(a);
  const double Td = w.decode_seqs * w.decode_width;  // decode query tokens
  const double Tp = w.prefill_tokens;
  const double ab = s.ab;
  const double ge = p.gemm_efficiency;
  // A fitted efficiency e splits a tensor-core kernel's time into the matrix math at the peak
  // rate (1) and the rest ((1 - e) / e of it: operand staging, softmax, epilogues), which runs at
  // the die's native speed. On a chip whose tensor rate is capped at a fraction c of native, the
  // rest takes c times as long relative to the math: efficiency e / (e + (1 - e) c), which is
  // e itself when c = 1 and rises toward 1 as the cap tightens (the H20 reaches 0.91 of its peak
  // where an H100 reaches 0.71). Kernels on the vector units keep e.
  const auto on_tensor = [c = s.tensor_cap](double e) {
    return c < 1 ? e / (e + (1 - e) * c) : e;
  };
  const double ge_tc = on_tensor(ge);

  // FP8 training quantizes each GEMM's input (forward) and output gradient (backward) and
  // keeps transposed copies for the other GEMMs of the backward: read bf16, write fp8 twice,
  // in separate memory-bound kernels. An input that arrives quantized (MoE dispatch) is only
  // read and written transposed.
  auto fp8_casts = [&](double& bucket, double count, double in_elems, double out_elems,
                       bool in_quantized) {
    if (w.backward <= 0 || ab >= 2) return;
    const double in_bytes = in_elems * (in_quantized ? 2 * ab : 2 + 2 * ab);
    Roof(a, bucket, count, 0, 1, in_bytes + out_elems * (2 + 2 * ab), bw, 2);
  };

  // A dense GEMM [M x K] x [K x N] with weights of `wbytes` per element, `count` times. Its
  // arithmetic runs on the tensor cores over the padded rows, or, for a few rows, as a GEMV on
  // the vector units when that is faster (engines ship both kernels); either overlaps with
  // streaming the weights, which bounds it below.
  auto gemm = [&](double& bucket, double count, double M, double N, double K, double wbytes,
                  bool quantize_input = true) {
    if (M <= 0 || count <= 0) return;
    const double shape = (N / (N + 64)) * (K / (K + 64));
    double tc = 2 * PaddedRows(M) * N * K * pass / (s.gemm_rate * ge_tc * shape);
    if (s.vec_rate > 0) tc = std::min(tc, 2 * M * N * K * pass / (s.vec_rate * ge));
    tc = std::max(tc, std::ceil(M / 128) * N * K * pass * s.convert);
    RoofTimes(a, bucket, count, tc, (N * K * wbytes + M * K * ab + M * N * 2) * pass / bw, 1);
    fp8_casts(a.elem, count, M * K, M * N, false);
    // Serving a block-scaled FP8 checkpoint, the bf16 input is first quantized per token in
    // groups of the block width (fp8 values plus one fp32 scale per group): a memory-bound
    // kernel of its own before every FP8 GEMM, which the engines do not fuse into the norm or
    // activation before it as they do a per-tensor scale.
    if (s.group_quant && quantize_input && w.backward <= 0 && wbytes == s.wb)
      Roof(a, a.elem, count, 0, 1, M * K * (2 + ab), bw, 1);
  };

  // Attention: projections and core, per attention kind.
  const double attn_eff = on_tensor(p.attention_efficiency);
  const double dec_eff = p.decode_attention_efficiency;
  const double dec_eff_tc = on_tensor(dec_eff);
  const double kv_bw = bw * p.kv_read_efficiency;
  const double prompt_eff = w.prompt_len / (w.prompt_len + 128);
  const double n_softmax = s.n_full + s.n_sliding;
  if (n_softmax > 0) {
    const double ctx_full = w.decode_ctx;
    const double ctx_slide = s.window > 0 ? std::min(w.decode_ctx, s.window) : w.decode_ctx;
    const double pairs_full = Tp * AvgContext(w.prompt_len, 0);
    const double pairs_slide = Tp * AvgContext(w.prompt_len, s.window);
    if (s.mla) {
      const double qk = s.nope + s.rope;
      const double idx = s.topk > 0 ? s.index_dim + s.index_heads : 0;
      gemm(a.gemm, n_softmax, T, s.q_lora + s.kvr + s.rope + idx, h, s.wb);
      gemm(a.gemm, n_softmax, T, s.heads_l * qk, s.q_lora > 0 ? s.q_lora : h, s.wb);
      // Decode in the absorbed (latent) form; prefill in the expanded multi-head form. The
      // absorbed products are batched matmuls per head, on a block-scaled checkpoint's weights
      // dequantized to bf16 at load unless the engine multiplies them in FP8 (s.latent_fp8).
      const double latent_wb = s.group_quant && !s.latent_fp8 ? 2.0 : s.wb;
      gemm(a.gemm, n_softmax, Td, s.heads_l * s.kvr, s.nope, latent_wb, s.latent_fp8);
      gemm(a.gemm, n_softmax, Td, s.heads_l * s.vdim, s.kvr, latent_wb, s.latent_fp8);
      gemm(a.gemm, n_softmax, Tp, s.heads_l * (s.nope + s.vdim), s.kvr, s.wb);
      const double ctx_core = s.topk > 0 ? std::min(ctx_full, s.topk) : ctx_full;
      // Decode attention is multi-query over the latent: the rank's heads (x the tokens verified
      // per sequence) are the rows of its MMA tiles, 64 at a time (FlashMLA), so tensor
      // parallelism that leaves fewer heads per GPU wastes tile rows.
      if (w.decode_seqs > 0) {
        const double rows = 64 * std::ceil(s.heads_l * w.decode_width / 64);
        RoofTimes(
            a, a.attn, n_softmax,
            w.decode_seqs * ctx_core * 2 * rows * (2 * s.kvr + s.rope) / (s.attn_rate * dec_eff_tc),
            w.decode_seqs * ctx_core * (s.kvr + s.rope) * s.kvb / kv_bw, 1);
      }
      if (Tp > 0) {
        const double core_pairs =
            s.topk > 0 ? Tp * std::min(AvgContext(w.prompt_len, 0), s.topk) : pairs_full;
        Roof(a, a.attn, n_softmax, core_pairs * 2 * s.heads_l * (qk + s.vdim) * attn_pass,
             s.attn_rate * attn_eff * prompt_eff, Tp * s.heads_l * (qk + s.vdim) * 2 * 2, bw, 1);
      }
      if (s.topk > 0) {
        // The sparse-attention indexer scores every key in fp8.
        gemm(a.gemm, n_softmax, T, s.index_heads * s.index_dim, std::max(s.q_lora, 1.0), s.wb);
        const double scan = Td * ctx_full + pairs_full;
        Roof(a, a.attn, n_softmax, scan * 2 * s.index_heads * s.index_dim, s.index_rate * attn_eff,
             w.decode_seqs * ctx_full * s.index_dim, bw, 1);
        // The rest of the indexer is a chain of small kernels, each a launch and a tail that
        // the work above does not count (SGLang's nsa_indexer.py, forward_cuda): the key's
        // projection and its input quantization (their arithmetic is in the fused projection
        // above, their launches are not), the key's LayerNorm, rotary embedding, the two
        // rotated halves written back, the Hadamard rotation and the per-block FP8
        // quantization of the query and of the key, the head gates scaled by the query's scales
        // (two products; the gates' projection runs beside the chain on a second stream), the
        // key's write into the index cache, the top-k selection and its translation into
        // KV-cache positions: 15 kernels on the critical path, streaming the index query and
        // key.
        Roof(a, a.attn, n_softmax, 0, 1, T * (s.index_heads + 1) * s.index_dim * 2 * 4, bw, 15);
      }
      gemm(a.gemm, n_softmax, T, h, s.heads_l * s.vdim, s.wb);
    } else {
      gemm(a.gemm, n_softmax, T, (s.heads_l * s.gate + 2 * s.kvh_l) * s.hd, h, s.wb);
      const double kv_tok = 2 * s.kvh_l * s.hd * s.kvb;
      const double fl = 4 * s.heads_l * s.hd;
      if (w.decode_seqs > 0) {
        // Per KV head, the query heads sharing it (x the tokens verified per sequence) are the
        // rows of a tensor-core tile of 16, or the kernel runs on the vector units; engines pick
        // the faster.
        const double group = s.heads_l / s.kvh_l * w.decode_width;
        double per_key =
            4 * s.hd * s.kvh_l * 16 * std::ceil(group / 16) / (s.attn_rate * dec_eff_tc);
        if (s.vec_rate > 0)
          per_key = std::min(per_key, 4 * s.hd * s.kvh_l * group / (s.vec_rate * dec_eff));
        if (s.n_full > 0)
          RoofTimes(a, a.attn, s.n_full, w.decode_seqs * ctx_full * per_key,
                    w.decode_seqs * ctx_full * kv_tok / kv_bw, 1);
        if (s.n_sliding > 0)
          RoofTimes(a, a.attn, s.n_sliding, w.decode_seqs * ctx_slide * per_key,
                    w.decode_seqs * ctx_slide * kv_tok / kv_bw, 1);
      }
      if (Tp > 0) {
        const double io = Tp * (2 * s.heads_l + 2 * s.kvh_l) * s.hd * 2;
        if (s.n_full > 0)
          Roof(a, a.attn, s.n_full, pairs_full * fl * attn_pass,
               s.attn_rate * attn_eff * prompt_eff, io, bw, 1);
        if (s.n_sliding > 0)
          Roof(a, a.attn, s.n_sliding, pairs_slide * fl * attn_pass,
               s.attn_rate * attn_eff * prompt_eff, io, bw, 1);
      }
      gemm(a.gemm, n_softmax, T, h, s.heads_l * s.hd, s.wb);
    }
  }
  if (s.n_linear > 0) {
    const double in_n = 2 * s.lin_kh * s.lin_dk + 2 * s.lin_vh_l * s.lin_dv + 2 * s.lin_vh_l;
    gemm(a.gemm, s.n_linear, T, in_n, h, s.wb);
    const double state = s.lin_vh_l * s.lin_dk * s.lin_dv;
    const double seqs = w.decode_seqs + (w.prompt_len > 0 ? Tp / w.prompt_len : 0);
    const double flops =
        (Td * 4 * state + Tp * (4 * state + 2 * s.lin_vh_l * 64 * (s.lin_dk + s.lin_dv))) * pass;
    Roof(a, a.attn, s.n_linear, flops, s.attn_rate * attn_eff,
         seqs * 2 * state * s.state_b + T * in_n * 2, bw, 1);
    gemm(a.gemm, s.n_linear, T, h, s.lin_vh_l * s.lin_dv, s.wb);
  }

  // Norms, residual adds, rotary embedding: ~8 hidden-sized bf16 reads/writes per token, in
  // 3 kernels per layer.
  const double layers = s.n_full + s.n_sliding + s.n_linear;
  Roof(a, a.elem, layers, 0, 1, T * h * 2 * 8 * elem_pass, bw, 3);

  // Collectives: tensor-parallel all-reduces of the hidden states; expert-parallel all-to-all.
  constexpr int kOneShotMaxGpus = 8;
  const double cl = p.comm_latency.base();
  const double ce = p.comm_efficiency;
  auto all_reduce = [&](double count, double bytes, int n) {
    if (n <= 1 || count <= 0) return;
    double t;
    if (n <= s.domain) {
      // Inside a scale-up domain engines pick the faster of two algorithms: one-shot (each GPU
      // reads every peer's whole buffer and reduces it: one latency, (n-1) x bytes of traffic)
      // for small messages, and two-shot / ring (reduce-scatter then all-gather: two latencies,
      // 2 (n-1)/n x bytes) for large ones. The engines' one-shot kernels serve up to 8 GPUs
      // (one HGX board); wider groups use the two-phase algorithm.
      const double bw_up = s.scale_up * ce;
      const double two_shot = 2 * cl + 2.0 * (n - 1) / n * bytes / bw_up;
      t = n <= kOneShotMaxGpus ? std::min(cl + (n - 1) * bytes / bw_up, two_shot) : two_shot;
    } else {
      // Hierarchical: reduce-scatter inside each domain, an all-reduce of each shard across the
      // domains over the NICs, all-gather inside. The cross-domain part pays a latency per
      // step: 2 (k - 1) steps as a ring of k domains, 2 ceil(log2 k) as a tree (NCCL takes
      // the faster; both 2 at k = 2).
      const double nodes = static_cast<double>(n) / s.domain;
      const double k = std::ceil(nodes);
      const double steps = 2 * std::min(k - 1, std::ceil(std::log2(k)));
      t = (2 + steps) * cl + 2.0 * (s.domain - 1) / s.domain * bytes / (s.scale_up * ce) +
          2.0 * (nodes - 1) / nodes * (bytes / s.domain) / (s.scale_out * ce);
    }
    a.comm += t * count * comm_pass;
    a.tp_comm += t * count * comm_pass;
    a.kernels += count * comm_pass;
  };
  auto all_to_all = [&](double count, double bytes, int n) {
    if (n <= 1 || count <= 0) return;
    const double local = std::min(n, s.domain);
    const double intra = bytes * (local - 1) / n / (s.scale_up * ce);
    const double inter = bytes * (n - local) / n / (s.scale_out * ce);
    const double t = (cl * (n > s.domain ? 2 : 1) + std::max(intra, inter)) * count * comm_pass;
    a.comm += t;
    a.ep_comm += t;
    a.kernels += count * comm_pass;
  };
  const double hs_bytes = T * h * 2;
  all_reduce(layers, hs_bytes, s.tp);     // after attention
  all_reduce(s.n_dense, hs_bytes, s.tp);  // after a dense FFN

  // Dense FFN layers.
  if (s.n_dense > 0) {
    gemm(a.gemm, s.n_dense, T, s.ffn_up * s.inter_l, h, s.wb);
    Roof(a, a.elem, s.n_dense, 0, 1, T * s.inter_l * 2 * 3 * elem_pass, bw, 1);
    gemm(a.gemm, s.n_dense, T, h, s.inter_l, s.wb);
  }

  // MoE layers: router, routed experts with the expected load, shared experts.
  if (s.n_moe > 0) {
    gemm(a.moe, s.n_moe, T, s.experts, h, 2.0);
    const bool distinct = s.dp_attn > 1;  // each attention rank brings its own tokens
    const double t_group = distinct ? T * s.dp_attn : T;
    const double mean = t_group * s.active / s.ep;
    double load = mean;
    if (s.ep > 1) load += std::sqrt(mean * (1.0 - 1.0 / s.ep)) * std::sqrt(2.0 * std::log(s.ep));
    const double untouched = std::pow(1.0 - s.active / s.experts, t_group);
    const double active_l = std::max(1.0, s.experts_l * (1.0 - untouched));
    // Routing: top-k selection, the permutation of each token's copies into expert order (and
    // their quantization for low-precision GEMMs), and the weighted un-permutation back: three
    // kernels (four when quantizing) streaming the token copies.
    Roof(a, a.moe, s.n_moe, 0, 1, (load * h * (2 + ab) + load * h * 2 + T * h * 2) * pass, bw,
         ab < 2 ? 4 : 3);
    const double me = load / active_l;  // rows per active expert's grouped GEMM
    // Each active expert's rows are padded to the MMA granularity: on average half a tile of 8
    // beyond the rows, and never fewer than 8.
    const double me_pad = std::max(8.0, me + 4.0);
    const double mats_up = s.ffn_up * s.expert_inter_l;
    const double shape_up = (mats_up / (mats_up + 64)) * (h / (h + 64));
    const double shape_dn = (h / (h + 64)) * (s.expert_inter_l / (s.expert_inter_l + 64));
    const double tiles = std::ceil(me_pad / 128);  // weight conversions per active expert
    RoofTimes(a, a.moe, s.n_moe,
              std::max(2 * active_l * me_pad * mats_up * h * pass /
                           (s.gemm_rate * ge_tc * shape_up),
                       active_l * tiles * mats_up * h * pass * s.convert),
              (active_l * mats_up * h * s.moe_wb + load * h * ab + load * mats_up * 2) * pass / bw,
              1);
    Roof(a, a.moe, s.n_moe, 0, 1, load * s.expert_inter_l * 2 * 3 * elem_pass, bw, 1);
    // The grouped GEMMs' casts in FP8 training, as for a dense GEMM; the dispatch above has
    // already quantized the up-projection's input.
    fp8_casts(a.moe, s.n_moe, load * h, load * mats_up, true);
    fp8_casts(a.moe, s.n_moe, load * s.expert_inter_l, load * h, false);
    RoofTimes(
        a, a.moe, s.n_moe,
        std::max(
            2 * active_l * me_pad * s.expert_inter_l * h * pass / (s.gemm_rate * ge_tc * shape_dn),
            active_l * tiles * s.expert_inter_l * h * pass * s.convert),
        (active_l * s.expert_inter_l * h * s.moe_wb + load * s.expert_inter_l * ab + load * h * 2) *
            pass / bw,
        1);
    if (s.shared_inter_l > 0) {
      gemm(a.moe, s.n_moe, T, s.ffn_up * s.shared_inter_l, h, s.wb);
      gemm(a.moe, s.n_moe, T, h, s.shared_inter_l, s.wb);
    }
    if (distinct) {
      // Two exchanges, each paying its latency: dispatch in the GEMM input format before the
      // experts, combine in bf16 after them; each token goes to `active` experts.
      all_to_all(s.n_moe, T * s.active * h * ab, s.moe_group);
      all_to_all(s.n_moe, T * s.active * h * 2.0, s.moe_group);
    } else {
      all_reduce(s.n_moe, hs_bytes, s.tp);
    }
  }

  // Embedding lookup, final norm and LM head (on the first and last pipeline stages).
  if (w.lm_rows > 0) gemm(a.gemm, s.embed_share, w.lm_rows, s.vocab_l, h, 2.0);
  Roof(a, a.elem, s.embed_share, 0, 1, T * h * 2 * 2, bw, 1);
  return Finish(a);
}

Seconds StepModel::PipelineTransfer(const FamilyParams& p, double tokens,
                                    double stage_gpus) const {
  if (s_.pp <= 1) return Seconds::Zero();
  const double bytes = tokens * s_.hidden * 2;
  const double ranks = s_.tp * s_.dp_attn;
  if (stage_gpus <= 0) stage_gpus = ranks;
  const double bw = (stage_gpus < s_.domain ? s_.scale_up : s_.scale_out) * p.comm_efficiency;
  return Seconds::FromBase(p.comm_latency.base() + bytes / ranks / bw);
}

StepTime StepModel::Evaluate(const FamilyParams& p, const Work& w) const {
  StepTime t = EvaluateStage(p, w);
  if (s_.pp <= 1) return t;
  t = Scale(t, s_.pp);
  const Seconds xfer = PipelineTransfer(p, w.tokens) * (s_.pp - 1);
  t.communication += xfer;
  t.total += xfer;
  return t;
}

StepTime StepModel::Decode(const FamilyParams& p, double batch, double context,
                           double width) const {
  Work w;
  w.tokens = batch * width;
  w.decode_seqs = batch;
  w.decode_ctx = context;
  w.decode_width = width;
  w.lm_rows = batch * width;
  return Evaluate(p, w);
}

StepTime StepModel::Prefill(const FamilyParams& p, double requests, double prompt) const {
  Work w;
  w.tokens = requests * prompt;
  w.prefill_tokens = requests * prompt;
  w.prompt_len = prompt;
  w.lm_rows = requests;
  return Evaluate(p, w);
}

StepTime StepModel::Mixed(const FamilyParams& p, double batch, double context,
                          double prefill_tokens, double prompt) const {
  Work w;
  w.tokens = batch + prefill_tokens;
  w.decode_seqs = batch;
  w.decode_ctx = context;
  w.prefill_tokens = prefill_tokens;
  w.prompt_len = prompt;
  w.lm_rows = batch + (prompt > 0 ? prefill_tokens / prompt : 0);
  return Evaluate(p, w);
}

Bytes StepModel::KvBytesPerToken() const {
  return Bytes::FromBase(s_.kv_token_bytes + s_.kv_sliding_token_bytes);
}
Bytes StepModel::StateBytesPerSeq() const { return Bytes::FromBase(s_.state_seq_bytes); }
Bytes StepModel::WeightBytesPerGpu() const { return Bytes::FromBase(s_.weight_bytes); }
double StepModel::ParamsPerGpu() const { return s_.weight_elems; }
double StepModel::ExpertParamsPerGpu() const {
  return s_.n_moe * s_.experts_l * model_->FfnMatrices() * s_.hidden * s_.expert_inter_l;
}

HeldBack StepModel::DefaultHeldBack() const {
  // A middle between the engines (perf/serving.cc, EngineHeldBack): 8% of the device, plus a
  // workspace of 16 hidden-size bf16 vectors per token of an 8,192-token chunk.
  return {.reserve = hw_.memory_capacity * 0.08,
          .workspace = Bytes::FromBase(8192.0 * s_.hidden * 2 * 16)};
}

MemoryUse StepModel::ServingMemory(double seqs, double tokens_per_seq) const {
  return ServingMemory(seqs, tokens_per_seq, DefaultHeldBack());
}

MemoryUse StepModel::ServingMemory(double seqs, double tokens_per_seq,
                                   const HeldBack& held) const {
  const Shape& s = s_;
  MemoryUse m;
  m.capacity = hw_.memory_capacity;
  m.weights = Bytes::FromBase(s.weight_bytes);
  m.reserve = held.reserve;
  m.activations = held.workspace;
  // A sliding-window layer holds its window, or the engine's share of every token.
  const double ratio = held.sliding_kv_ratio;
  const double sliding_tokens = s.window <= 0 ? 0
                                : ratio >= 0  ? ratio * tokens_per_seq
                                              : std::min(tokens_per_seq, s.window);
  const double kv_seq = s.kv_token_bytes * tokens_per_seq +
                        s.kv_sliding_token_bytes * sliding_tokens + s.state_seq_bytes;
  m.kv_cache = Bytes::FromBase(kv_seq * seqs);
  m.total = m.weights + m.reserve + m.activations + m.kv_cache;
  const double free = (m.capacity - m.weights - m.reserve - m.activations).base();
  const double per_token = tokens_per_seq > 0 ? kv_seq / tokens_per_seq : s.kv_token_bytes;
  m.kv_token_capacity = free > 0 && per_token > 0 ? free / per_token : 0;
  m.fits = m.total <= m.capacity;
  return m;
}

}  // namespace ceiling::perf
