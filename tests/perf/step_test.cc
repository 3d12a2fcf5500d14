// The step model against hand calculations: golden cases from tests/cases/perf/golden.toml
// (explicit tolerances), and the acceptance checks of the model issue with calibrated
// efficiencies.
#include "ceiling/perf/step.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <ostream>

#include "ceiling/base/file.h"
#include "ceiling/base/toml_reader.h"
#include "fixture.h"

namespace ceiling::perf {
namespace {

using testing::Bundled;
using testing::HardwareOf;
using testing::IdealParams;
using testing::ModelOf;

struct GoldenCase {
  std::string name, chip, model, quantity, params, bound, why;
  Parallelism par;
  DType precision = DType::kFp8;
  double batch = 1, context = 0, prompt = 0, expect = 0, rel_tol = 0;
};

// gtest prints parameters; the name says which case failed.
void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.name; }

std::vector<GoldenCase> LoadCases() {
  std::vector<GoldenCase> out;
  auto doc =
      TomlTable::ParseFile(std::string(CEILING_SOURCE_DIR) + "/tests/cases/perf/golden.toml");
  if (!doc.ok()) {
    ADD_FAILURE() << doc.error().ToString();
    return out;
  }
  auto cases = doc->GetTableArray("case");
  if (!cases.ok()) return out;
  for (const TomlTable& t : *cases) {
    GoldenCase c;
    c.name = *t.GetString("name");
    c.chip = *t.GetString("chip");
    c.model = *t.GetString("model");
    c.quantity = *t.GetString("quantity");
    c.params = t.GetOptionalString("params")->value_or("calibrated");
    c.bound = t.GetOptionalString("bound")->value_or("");
    c.par.tp = static_cast<int>(t.GetOptionalInteger("tp")->value_or(1));
    c.par.ep = static_cast<int>(t.GetOptionalInteger("ep")->value_or(1));
    c.precision = *DTypeFromName(*t.GetString("precision"));
    c.batch = t.GetOptionalNumber("batch")->value_or(1);
    c.context = t.GetOptionalNumber("context")->value_or(0);
    c.prompt = t.GetOptionalNumber("prompt")->value_or(0);
    c.expect = *t.GetNumber("expect");
    c.rel_tol = *t.GetNumber("rel_tol");
    out.push_back(c);
  }
  return out;
}

class Golden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(Golden, MatchesHandCalculation) {
  const GoldenCase& c = GetParam();
  const Hardware hw = HardwareOf(c.chip);
  auto sm = StepModel::Build(ModelOf(c.model), hw, c.par, PrecisionForMode(c.precision));
  ASSERT_TRUE(sm.ok()) << sm.error().ToString();
  const FamilyParams fp =
      c.params == "ideal" ? IdealParams() : Bundled().calibration.Family(hw.family);
  double got = 0;
  std::optional<StepTime> step;
  if (c.quantity == "weight_bytes") {
    got = sm->WeightBytesPerGpu().base();
  } else if (c.quantity == "kv_bytes_per_token") {
    got = sm->KvBytesPerToken().base();
  } else if (c.quantity.rfind("decode.", 0) == 0) {
    step = sm->Decode(fp, c.batch, c.context);
  } else if (c.quantity.rfind("prefill.", 0) == 0) {
    step = sm->Prefill(fp, 1, c.prompt);
  } else {
    FAIL() << "unknown quantity " << c.quantity;
  }
  if (step) {
    const std::string part = c.quantity.substr(c.quantity.find('.') + 1);
    if (part == "roofline")
      got = (step->total - step->communication - step->overhead).base();
    else if (part == "gemm")
      got = step->gemm.base();
    else if (part == "attention")
      got = step->attention.base();
    else
      FAIL() << "unknown part " << part;
    if (c.bound == "memory") {
      EXPECT_TRUE(step->MemoryBound()) << c.name;
    } else if (c.bound == "compute") {
      EXPECT_FALSE(step->MemoryBound()) << c.name;
    }
  }
  EXPECT_NEAR(got / c.expect, 1.0, c.rel_tol)
      << c.name << ": got " << got << ", hand " << c.expect << " (" << c.why << ")";
}

INSTANTIATE_TEST_SUITE_P(Cases, Golden, ::testing::ValuesIn(LoadCases()),
                         [](const auto& param_info) {
                           return "case" + std::to_string(param_info.index);
                         });

// Acceptance: a decode step of llama-3.1-70b on 8 x H100 with the calibrated Hopper
// efficiencies is memory-bound, and its operator (roofline) time is within 10% of
// (weights + KV bytes) / achievable bandwidth. The fixed per-operator and per-collective
// latencies are reported separately (StepTime::overhead, ::communication).
TEST(StepAcceptance, LlamaDecodeOn8H100IsWeightsPlusKvOverAchievableBandwidth) {
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  const ModelArch& m = ModelOf("llama-3.1-70b");
  auto sm = StepModel::Build(m, hw, {.tp = 8}, PrecisionForMode(DType::kFp8));
  ASSERT_TRUE(sm.ok());
  const FamilyParams& fp = Bundled().calibration.Family("hopper");
  for (double batch : {1.0, 8.0, 32.0}) {
    const double ctx = 3000;
    const StepTime t = sm->Decode(fp, batch, ctx);
    EXPECT_TRUE(t.MemoryBound()) << batch;
    // Hand: fp8 weights of one GPU's shard, bf16 embedding and LM head, fp8 KV of one KV head
    // per GPU per layer.
    const double matmul = m.TotalParams() - 2.0 * m.vocab * m.hidden;
    const double bytes =
        matmul / 8 + 2.0 * m.vocab * m.hidden * 2 / 8 + batch * ctx * 80 * 2 * 128 * 1.0;
    const double expect = bytes / (hw.memory_bandwidth.base() * fp.memory_efficiency);
    const double roofline = (t.total - t.overhead - t.communication).base();
    EXPECT_NEAR(roofline / expect, 1.0, 0.10) << "batch " << batch;
  }
}

// Acceptance: a large prefill is compute-bound, and its GEMM time follows FLOPs / (peak x
// calibrated efficiency at that shape).
TEST(StepAcceptance, LargePrefillIsComputeBound) {
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  const ModelArch& m = ModelOf("llama-3.1-70b");
  auto sm = StepModel::Build(m, hw, {.tp = 8}, PrecisionForMode(DType::kFp8));
  ASSERT_TRUE(sm.ok());
  const FamilyParams& fp = Bundled().calibration.Family("hopper");
  const StepTime t = sm->Prefill(fp, 4, 8192);
  EXPECT_FALSE(t.MemoryBound());
  // Norms and residual adds of 32k tokens stream from memory, but GEMMs dominate.
  EXPECT_GT(t.compute_limited.base(), 2 * t.memory_limited.base());
  const double tokens = 4 * 8192.0;
  const double flops = 2 * tokens * (m.TotalParams() - 2.0 * m.vocab * m.hidden) / 8;
  const double expect = flops / (hw.peak[Index(DType::kFp8)].base() * fp.gemm_efficiency);
  EXPECT_NEAR(t.gemm.base() / expect, 1.0, 0.06);
}

TEST(StepAcceptance, MlaDecodeOnH20IsComputeBoundAtLargeBatch) {
  // 128 MLA heads over a long context: the H20's 148 TFLOP/s make decode attention
  // compute-bound, which is why FP8 MLA kernels matter on it (LMSYS/Ant Group, 2025).
  const Hardware hw = HardwareOf("nvidia-h20");
  auto sm = StepModel::Build(ModelOf("deepseek-r1"), hw, {.tp = 1, .dp_attn = 16, .ep = 16},
                             PrecisionForMode(DType::kFp8));
  ASSERT_TRUE(sm.ok());
  const StepTime t = sm->Decode(Bundled().calibration.Family("hopper"), 48, 4864, 2);
  EXPECT_GT(t.attention.base(), t.moe.base());
}

// 4-bit weights on a chip without a 4-bit tensor rate (MXFP4 gpt-oss on Hopper) are converted
// in software on the SMs before each 128-row tile's MMA. The H100 and H200 share those SMs, so
// the H200's 43% more bandwidth barely helps: measured, it decodes gpt-oss-120B at 0.96 of the
// H100's TPOT (vLLM 0.18, docs/perf.md §5), where a native 4-bit rate would let bandwidth
// decide. And the conversion is paid per tile of rows: 130 rows per expert cost about twice
// what 100 do, where the MMA alone grows with the padded rows.
TEST(StepAcceptance, FourBitWeightsWithoutATensorRateAreConvertedPerTile) {
  const FamilyParams& fp = Bundled().calibration.Family("hopper");
  const ModelArch& m = ModelOf("gpt-oss-120b");
  auto with_native_fp4 = [](Hardware hw) {
    hw.peak[Index(DType::kFp4)] = hw.peak[Index(DType::kFp8)] * 2.0;
    return hw;
  };
  auto moe = [&](const Hardware& hw, bool decode, double n) {
    auto sm = StepModel::Build(m, hw, {.tp = 1}, PrecisionForMode(DType::kFp4));
    EXPECT_TRUE(sm.ok());
    return (decode ? sm->Decode(fp, n, 2048) : sm->Prefill(fp, 1, n)).moe.base();
  };
  const Hardware h100 = HardwareOf("nvidia-h100-sxm"), h200 = HardwareOf("nvidia-h200-sxm");
  ASSERT_LE(h200.peak[Index(DType::kFp4)].base(), 0.0);
  EXPECT_GT(moe(h200, true, 4) / moe(h100, true, 4), 0.85);
  EXPECT_LT(moe(with_native_fp4(h200), true, 4) / moe(with_native_fp4(h100), true, 4), 0.80);
  // A prefill of T tokens puts T x 4 / 128 rows on each expert (padded by 4): 3,840 tokens fill
  // one tile per expert (124 rows), 4,352 two (140 rows). 13% more rows cost the MMA 13% more;
  // the conversion doubles. (The weight-only kernels multiply in bf16, whose MMA time at these
  // rows is of the conversion's order, so the step shows in the sum as the larger of the two.)
  EXPECT_GT(moe(h100, false, 4352) / moe(h100, false, 3840), 1.2);
  EXPECT_LT(moe(with_native_fp4(h100), false, 4352) / moe(with_native_fp4(h100), false, 3840),
            1.15);
}

// The engines' default 4-bit kernels on a chip without a 4-bit tensor rate are weight-only:
// the weights are unpacked to bf16 and multiplied with bf16 activations (vLLM's Triton and
// Marlin MXFP4 paths, TensorRT-LLM's Triton MoE backend). A compute-bound prefill in fp4 then
// takes the bf16 GEMM time on an H100, twice the FP8 one, and less than FP8 on a B200, which
// multiplies FP4 natively.
TEST(StepAcceptance, FourBitPrefillWithoutATensorRateRunsAtTheBf16Rate) {
  const ModelArch& m = ModelOf("llama-3.1-70b");
  auto gemm = [&](const char* chip, DType d) {
    auto sm = StepModel::Build(m, HardwareOf(chip), {.tp = 8}, PrecisionForMode(d));
    EXPECT_TRUE(sm.ok());
    return sm->Prefill(Bundled().calibration.Family("hopper"), 1, 8192).gemm.base();
  };
  const double fp4 = gemm("nvidia-h100-sxm", DType::kFp4);
  EXPECT_GE(fp4, gemm("nvidia-h100-sxm", DType::kBf16) * 0.999);
  EXPECT_GT(fp4, gemm("nvidia-h100-sxm", DType::kFp8) * 1.8);
  EXPECT_LT(gemm("nvidia-b200", DType::kFp4), gemm("nvidia-b200", DType::kFp8) * 0.6);
}

// Serving a block-scaled FP8 checkpoint (DeepSeek-V3's 128 x 128 weight blocks), every FP8
// GEMM's bf16 input is first quantized per token group by a kernel of its own. A decode step
// of DeepSeek-V3 at TP8 runs 305 such GEMMs: per attention layer the fused q/kv down
// projection, the q up projection and the output projection (3 x 61), the 3 dense FFNs' up and
// down projections (2 x 3) and the 58 shared experts' (2 x 58); the router and the LM head
// stay in bf16. The two absorbed latent products per layer run in bf16 on weights dequantized
// at load (twice the bytes), unless the engine multiplies them in FP8 (TensorRT-LLM on
// Hopper): then they read FP8 weights and quantize their inputs too, 427 kernels in all.
// Per-tensor FP8, FP4 and bf16 pay none of it.
TEST(StepAcceptance, BlockScaledFp8QuantizesEachGemmInputInAKernelOfItsOwn) {
  const Hardware hw = HardwareOf("nvidia-b200");
  FamilyParams p = IdealParams();
  p.kernel_overhead = Seconds::FromBase(5e-6);
  ModelArch per_tensor = ModelOf("deepseek-v3");
  ASSERT_EQ(per_tensor.fp8_block, 128);
  per_tensor.fp8_block.reset();
  auto decode = [&](const ModelArch& m, DType d, bool latent_fp8 = false) {
    PrecisionConfig prec = PrecisionForMode(d);
    prec.fp8_latent_bmm = latent_fp8;
    auto sm = StepModel::Build(m, hw, {.tp = 8}, prec);
    EXPECT_TRUE(sm.ok());
    return sm->Decode(p, 4, 2048);
  };
  const StepTime block = decode(ModelOf("deepseek-v3"), DType::kFp8);
  const StepTime latent = decode(ModelOf("deepseek-v3"), DType::kFp8, true);
  const StepTime plain = decode(per_tensor, DType::kFp8);
  EXPECT_EQ(plain.total.base(), decode(per_tensor, DType::kFp8, true).total.base());
  EXPECT_EQ(block.kernels - plain.kernels, 305);
  EXPECT_EQ(latent.kernels - plain.kernels, 427);
  EXPECT_NEAR((block.overhead - plain.overhead).base(), 305 * 5e-6, 1e-12);
  EXPECT_GT(block.elementwise.base(), plain.elementwise.base());
  EXPECT_GT(latent.elementwise.base(), block.elementwise.base());
  // Weights per GPU of the absorbed products: 16 heads x 512 x 128 x 2 matrices x 61 layers,
  // read in bf16 (2 bytes) instead of FP8 (1), at the B200's bandwidth.
  const double latent_weights = 16.0 * 512 * 128 * 2 * 61;
  EXPECT_NEAR((block.gemm - plain.gemm).base(), latent_weights / hw.memory_bandwidth.base(),
              1e-9);
  EXPECT_EQ(latent.gemm.base(), plain.gemm.base());
  for (DType d : {DType::kFp4, DType::kBf16})
    EXPECT_EQ(decode(ModelOf("deepseek-v3"), d).total.base(), decode(per_tensor, d).total.base());
}

// DeepSeek sparse attention's indexer (GLM-5) is, beyond its query projection and its scan
// of the keys, a chain of 15 small kernels per layer (nsa_indexer.py): at a small decode batch
// their launches and tails are most of what it costs.
TEST(StepAcceptance, SparseAttentionIndexerIsAChainOfSmallKernels) {
  const Hardware hw = HardwareOf("nvidia-b200");
  FamilyParams p = IdealParams();
  p.kernel_overhead = Seconds::FromBase(5e-6);
  const ModelArch sparse = ModelOf("glm-5");
  ASSERT_EQ(sparse.layers, 78);
  ModelArch dense = sparse;
  dense.attention.sparse_topk = 0;
  dense.attention.index_heads = 0;
  dense.attention.index_head_dim = 0;
  auto decode = [&](const ModelArch& m) {
    auto sm = StepModel::Build(m, hw, {.tp = 8}, PrecisionForMode(DType::kBf16));
    EXPECT_TRUE(sm.ok());
    return sm->Decode(p, 4, 1024);
  };
  const StepTime with = decode(sparse);
  const StepTime without = decode(dense);
  // Per layer: the index query's projection, the scan, and the chain.
  EXPECT_EQ(with.kernels - without.kernels, 78 * (1 + 1 + 15));
  EXPECT_GE((with.overhead - without.overhead).base(), 78 * 15 * 5e-6);
}

// SGLang on Hopper runs DeepSeek-V3's shared expert inside the routed experts' fused MoE
// kernel, as a 257th expert every token takes: per MoE layer two GEMMs (and, for the
// block-scaled FP8 checkpoint, their two input quantizations) fewer, the same weights. Not
// with expert parallelism, nor for a model whose routed experts are not 256 (Kimi-K2.5's 384,
// Qwen3.5's 512 with a gated shared expert).
TEST(StepAcceptance, AFusedSharedExpertIsOneMoreRoutedExpert) {
  const Hardware hw = HardwareOf("nvidia-h200-sxm");
  const FamilyParams p = IdealParams();
  auto step = [&](const char* model, Parallelism par, bool fused) {
    PrecisionConfig prec = PrecisionForMode(DType::kFp8);
    prec.fused_shared_expert = fused;
    auto sm = StepModel::Build(ModelOf(model), hw, par, prec);
    EXPECT_TRUE(sm.ok());
    return std::pair{sm->Decode(p, 8, 2048), sm->ServingMemory(8, 2048).weights.base()};
  };
  const Parallelism tp8{.tp = 8}, ep8{.tp = 8, .ep = 8};
  const auto [apart, apart_w] = step("deepseek-v3", tp8, false);
  const auto [fused, fused_w] = step("deepseek-v3", tp8, true);
  EXPECT_EQ(apart.kernels - fused.kernels, 4 * 58);
  // The same weights, but for one router column per layer the model adds with the expert
  // (7,168 bf16 values per MoE layer, 1e-5 of the total).
  EXPECT_NEAR(fused_w / apart_w, 1.0, 2e-5);
  EXPECT_EQ(step("deepseek-v3", ep8, true).first.kernels,
            step("deepseek-v3", ep8, false).first.kernels);
  for (const char* other : {"kimi-k2.5", "qwen3.5-397b-a17b"})
    EXPECT_EQ(step(other, tp8, true).first.total.base(), step(other, tp8, false).first.total.base())
        << other;
}

// A training micro-batch runs every MoE operator three times (forward, two backward passes);
// in FP8 the grouped expert GEMMs also pay the casts a dense GEMM pays (inputs and output
// gradients quantized, transposed copies kept), so their time grows by more than 3x.
// A tensor-parallel group wider than the scale-up domain all-reduces hierarchically: inside
// the domains (two latencies) and across them over the NICs, a ring of k domains taking
// 2 (k - 1) steps and a tree 2 ceil(log2 k), NCCL the fewer. So each all-reduce pays 4
// latencies across 2 eight-GPU domains, 6 across 4 (ring 6, tree 4 + 2: 2 + 4) and 8 across
// 8 (tree: 2 + 6), where the old formula charged 2 at any width.
TEST(StepCollectives, AllReduceAcrossDomainsPaysALatencyPerCrossDomainStep) {
  const ModelArch& m = ModelOf("llama-3.1-405b");
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  ASSERT_EQ(hw.scale_up_domain, 8);
  FamilyParams fast = IdealParams();
  FamilyParams slow = fast;
  slow.comm_latency = Seconds::FromBase(10e-6);
  auto latency = [&](int tp) {
    const StepModel sm = *StepModel::Build(m, hw, {.tp = tp, .pp = 1, .dp_attn = 1, .ep = 1},
                                           PrecisionForMode(DType::kBf16));
    return (sm.Decode(slow, 1, 1024).tp_comm - sm.Decode(fast, 1, 1024).tp_comm).base();
  };
  const double two_domains = latency(16);
  ASSERT_GT(two_domains, 0);
  EXPECT_NEAR(latency(32) / two_domains, 6.0 / 4.0, 1e-9);
  EXPECT_NEAR(latency(64) / two_domains, 8.0 / 4.0, 1e-9);
  // 4 latencies of 10 us per all-reduce, one after attention and one after the FFN per layer.
  const double per_all_reduce = 4 * 10e-6;
  EXPECT_NEAR(two_domains / per_all_reduce, 2.0 * m.layers, 1e-6);
}

TEST(StepTraining, Fp8CastsAreChargedToExpertGemmsToo) {
  const Hardware hw = HardwareOf("nvidia-b200");
  for (DType d : {DType::kBf16, DType::kFp8}) {
    PrecisionConfig prec = PrecisionForMode(d);
    prec.kv_cache = DType::kBf16;
    auto sm = StepModel::Build(ModelOf("qwen3-235b-a22b"), hw, {.dp_attn = 8, .ep = 8}, prec);
    ASSERT_TRUE(sm.ok()) << sm.error().ToString();
    const FamilyParams& fp = Bundled().calibration.Family("blackwell");
    Work w;
    w.tokens = w.prefill_tokens = w.prompt_len = w.lm_rows = 4096;
    const double forward = sm->EvaluateStage(fp, w).moe.base();
    w.backward = 2;
    const double training = sm->EvaluateStage(fp, w).moe.base();
    if (d == DType::kBf16)
      EXPECT_NEAR(training / forward, 3.0, 1e-9);
    else
      EXPECT_GT(training / forward, 3.0 * 1.05);
  }
}

TEST(Parallelism, ErrorsSayWhatToFix) {
  const ModelArch& m = ModelOf("llama-3.1-70b");
  auto e = CheckParallelism(m, {.tp = 3});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "tp");
  EXPECT_EQ(e.error().message, "3 does not divide the 64 attention heads of llama-3.1-70b");
  e = CheckParallelism(m, {.tp = 8, .ep = 2});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "ep");
  EXPECT_EQ(e.error().message, "2: llama-3.1-70b is a dense model (no experts)");
  e = CheckParallelism(ModelOf("deepseek-v3"), {.tp = 4, .ep = 3});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "ep");
  EXPECT_EQ(e.error().message, "3 does not divide the 256 experts of deepseek-v3");
  EXPECT_TRUE(CheckParallelism(ModelOf("llama-3.1-405b"), {.tp = 8, .pp = 16}).ok());
  EXPECT_EQ((Parallelism{.tp = 1, .dp_attn = 16, .ep = 16}).ToString(), "TP1 DP-attn16 EP16");
}

TEST(Hardware, FallsBackToWiderFormatsAndSaysSo) {
  const Hardware hw = HardwareOf("huawei-ascend-910c");
  DType used;
  EXPECT_GT(hw.ComputeRate(DType::kFp8, &used).base(), 0);
  EXPECT_EQ(used, DType::kBf16);
  ASSERT_FALSE(hw.notes.empty());  // scale-up bandwidth from data/perf/systems.toml
  EXPECT_NE(hw.notes[0].find("scale-up bandwidth is not in the chip record"), std::string::npos);
  EXPECT_EQ(HardwareOf("nvidia-gb200").scale_up_domain, 72);
  EXPECT_DOUBLE_EQ(HardwareOf("nvidia-h100-sxm").scale_up.base(), 450e9);
}

// Serving engines budget from the memory the driver reports (data/perf/systems.toml), not the
// datasheet's rounded figure; a derivative with another capacity keeps the ratio.
TEST(Hardware, MemoryIsWhatTheDriverReports) {
  EXPECT_DOUBLE_EQ(HardwareOf("nvidia-h100-sxm").memory_capacity.base(), 81559.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(HardwareOf("nvidia-b200").memory_capacity.base(), 183359.0 * 1024 * 1024);
  // The H800 has no printout of its own; its record derives from the H100's (same die, same 80 GB
  // of HBM3), so it takes the H100's ratio.
  EXPECT_DOUBLE_EQ(HardwareOf("nvidia-h800-sxm").memory_capacity.base(), 81559.0 * 1024 * 1024);
  catalog::Chip cut = *Bundled().chips.Find("nvidia-h100-sxm");
  cut.id = "h100-half-memory";
  cut.derived_from = "nvidia-h100-sxm";
  cut.memory->capacity->value = Bytes::FromBase(40e9);
  auto hw = HardwareFromChip(cut, Bundled().systems, {});
  ASSERT_TRUE(hw.ok()) << hw.error().ToString();
  EXPECT_DOUBLE_EQ(hw->memory_capacity.base(), 81559.0 * 1024 * 1024 / 2);
}

// The H20 keeps the GH100's units and clocks (its fp32 rate) but its tensor cores deliver about
// a quarter of what they would: its bf16 : fp32 ratio against the H100's, read as a cap. Chips
// whose ratio is their base's (to the 1% that published figures round to), and a record that
// names no base, are not capped; a lower clock is not a cap (the PCIe H100's rates both drop).
TEST(Hardware, AThrottledTensorRateIsReadAgainstTheBase) {
  const catalog::Catalog& chips = Bundled().chips;
  const double h100 = *catalog::TensorPerVector(*chips.Find("nvidia-h100-sxm"));
  const double h20 = *catalog::TensorPerVector(*chips.Find("nvidia-h20"));
  EXPECT_DOUBLE_EQ(*chips.Find("nvidia-h20")->base_tensor_per_vector, h100);
  const Hardware hw = HardwareOf("nvidia-h20");
  EXPECT_DOUBLE_EQ(hw.tensor_cap, h20 / (0.99 * h100));
  EXPECT_GT(hw.tensor_cap, 0.2);
  EXPECT_LT(hw.tensor_cap, 0.25);
  ASSERT_FALSE(hw.notes.empty());
  EXPECT_NE(hw.notes.back().find("the tensor rate is 23% of what the die's units deliver"),
            std::string::npos)
      << hw.notes.back();
  for (const char* id : {"nvidia-h100-sxm", "nvidia-h100-pcie", "nvidia-h200-sxm", "nvidia-gh200",
                         "nvidia-h800-sxm", "nvidia-a800-pcie", "nvidia-gb200", "nvidia-b200"})
    EXPECT_EQ(HardwareOf(id).tensor_cap, 1.0) << id;
  catalog::Chip alone = *chips.Find("nvidia-h20");
  alone.derived_from.reset();
  alone.base_tensor_per_vector.reset();
  auto hw_alone = HardwareFromChip(alone, Bundled().systems, {});
  ASSERT_TRUE(hw_alone.ok());
  EXPECT_EQ(hw_alone->tensor_cap, 1.0);
}

// A chip given as text takes the ratio of the nearest chip up its line that has one: the H800's
// record has no fp32 figure, so a part derived from it is read against the H100.
TEST(Hardware, AChipFileIsReadAgainstTheNearestBaseWithBothRates) {
  const catalog::Catalog& chips = Bundled().chips;
  auto read = ReadTextFile(std::filesystem::path(CEILING_SOURCE_DIR) / "data/chips/nvidia/h20.toml",
                           "h20.toml");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  std::string text = *read;
  auto swap = [&](const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  swap("id = \"nvidia-h20\"", "id = \"nvidia-h800-cut\"");
  swap("derived_from = \"nvidia-h100-sxm\"", "derived_from = \"nvidia-h800-sxm\"");
  auto chip = chips.ParseChipText(text, "nvidia-h800-cut.toml");
  ASSERT_TRUE(chip.ok()) << chip.error().ToString();
  EXPECT_DOUBLE_EQ(*chip->base_tensor_per_vector,
                   *catalog::TensorPerVector(*chips.Find("nvidia-h100-sxm")));
  auto hw = HardwareFromChip(*chip, Bundled().systems, {});
  ASSERT_TRUE(hw.ok());
  EXPECT_DOUBLE_EQ(hw->tensor_cap, HardwareOf("nvidia-h20").tensor_cap);
}

// On a capped chip, the part of a tensor-core kernel that is not matrix math runs at the die's
// native speed: a compute-bound prefill's GEMMs take (e + (1 - e) c) of the time the fitted
// efficiency e alone would give at the capped peak. Decode at batch 1 streams weights either way.
TEST(StepAcceptance, ACappedTensorRateRunsTheRestOfAKernelAtNativeSpeed) {
  const Hardware capped = HardwareOf("nvidia-h20");
  Hardware plain = capped;
  plain.tensor_cap = 1;
  const ModelArch& m = ModelOf("llama-3.1-70b");
  const FamilyParams& fp = Bundled().calibration.Family("hopper");
  auto a = StepModel::Build(m, capped, {.tp = 8}, PrecisionForMode(DType::kBf16));
  auto b = StepModel::Build(m, plain, {.tp = 8}, PrecisionForMode(DType::kBf16));
  ASSERT_TRUE(a.ok() && b.ok());
  const StepTime pa = a->Prefill(fp, 4, 8192), pb = b->Prefill(fp, 4, 8192);
  const double e = fp.gemm_efficiency, c = capped.tensor_cap;
  EXPECT_NEAR(pa.gemm.base() / pb.gemm.base(), e + (1 - e) * c, 0.01);
  EXPECT_LT(pa.attention.base(), pb.attention.base());
  const StepTime da = a->Decode(fp, 1, 2048), db = b->Decode(fp, 1, 2048);
  EXPECT_NEAR(da.total.base() / db.total.base(), 1.0, 0.01);
}

// Each device figure pairs with the capacity its chip record gives: were the record to change,
// the pair would have to be read again.
TEST(Hardware, DeviceMemoryPairsWithTheChipRecord) {
  int pairs = 0;
  for (const auto& [id, cs] : Bundled().systems.chips) {
    if (!cs.device_memory) continue;
    ++pairs;
    const catalog::Chip* chip = Bundled().chips.Find(id);
    ASSERT_NE(chip, nullptr) << id;
    ASSERT_TRUE(chip->MemoryCapacity()) << id;
    EXPECT_DOUBLE_EQ(chip->MemoryCapacity()->base(), cs.datasheet_memory->base()) << id;
  }
  EXPECT_EQ(pairs, 7);
}

TEST(Hardware, ChipWithoutBandwidthIsAnError) {
  catalog::Chip chip = *Bundled().chips.Find("nvidia-h100-sxm");
  chip.memory->bandwidth.reset();
  auto hw = HardwareFromChip(chip, Bundled().systems, {});
  ASSERT_FALSE(hw.ok());
  EXPECT_EQ(hw.error().message,
            "nvidia-h100-sxm: the performance model needs memory.bandwidth, and the chip record "
            "has none");
}

}  // namespace
}  // namespace ceiling::perf

namespace ceiling::perf {
namespace {

// data/perf/engines.toml: the bundled file loads with its documented values; malformed files
// are errors at file:line:col.
TEST(EngineTraits, BundledDefaultsAndTiers) {
  const SystemDefaults& sys = testing::Bundled().systems;
  const EngineTraits& vllm = sys.EngineTraitsFor("vllm");
  EXPECT_TRUE(vllm.mixed_prefill);
  EXPECT_FALSE(vllm.reserve_full_kv);
  EXPECT_EQ(vllm.ChunkTokens(Bytes::FromBase(48e9)), 2048);  // below 70 GiB
  EXPECT_EQ(vllm.MaxBatch(Bytes::FromBase(80e9)), 1024);
  const EngineTraits& sglang = sys.EngineTraitsFor("sglang");
  EXPECT_FALSE(sglang.mixed_prefill);
  EXPECT_EQ(sglang.ChunkTokens(Bytes::FromBase(141e9)), 8192);
  EXPECT_EQ(sglang.ChunkTokens(Bytes::FromBase(180e9)), 16384);
  EXPECT_TRUE(sys.EngineTraitsFor("trtllm").reserve_full_kv);
  EXPECT_EQ(&sys.EngineTraitsFor("unknown-engine"), &sys.default_engine);
  // SGLang's speculative decoding runs without overlap scheduling, and its attention ranks on
  // more than one node have CPU work of which overlap scheduling was measured to hide 6.1 ms per
  // iteration (the work itself is derived with the fitted overlap); the others keep the
  // defaults.
  EXPECT_FALSE(sglang.speculative_overlap);
  EXPECT_DOUBLE_EQ(sglang.dp_attention_hidden, 6.1e-3);
  EXPECT_EQ(sglang.dp_attention_cpu, 0);
  EXPECT_TRUE(vllm.speculative_overlap);
  EXPECT_EQ(vllm.dp_attention_hidden, 0);
  EXPECT_TRUE(sys.default_engine.speculative_overlap);
  // trtllm-serve post-processes responses in its main process unless given workers; vLLM's and
  // SGLang's front ends detokenize in processes of their own.
  EXPECT_TRUE(sys.EngineTraitsFor("trtllm").inline_postprocessing);
  EXPECT_FALSE(vllm.inline_postprocessing);
  EXPECT_FALSE(sglang.inline_postprocessing);
  EXPECT_FALSE(sys.default_engine.inline_postprocessing);
  // TensorRT-LLM's attention backend runs paged context FMHA in FP8 with an FP8 KV cache.
  EXPECT_TRUE(sys.EngineTraitsFor("trtllm").fp8_context_attention);
  EXPECT_FALSE(vllm.fp8_context_attention);
  EXPECT_FALSE(sglang.fp8_context_attention);
  EXPECT_FALSE(sys.default_engine.fp8_context_attention);
  // What each engine keeps from weights and KV cache: vLLM's gpu_memory_utilization and
  // TensorRT-LLM's free_gpu_memory_fraction (0.9 each), SGLang's heuristic; the model's
  // default where no engine is named.
  using M = EngineTraits::MemoryPolicy;
  EXPECT_EQ(vllm.memory_policy, M::kDeviceShare);
  EXPECT_DOUBLE_EQ(vllm.memory_share, 0.9);
  EXPECT_EQ(sys.EngineTraitsFor("trtllm").memory_policy, M::kFreeShare);
  EXPECT_DOUBLE_EQ(sys.EngineTraitsFor("trtllm").memory_share, 0.9);
  EXPECT_EQ(sglang.memory_policy, M::kSglang);
  EXPECT_EQ(sys.default_engine.memory_policy, M::kDefault);
}

TEST(EngineTraits, MalformedFilesAreErrorsAtTheirLocation) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / "engines_case";
  fs::create_directories(dir / "perf");
  fs::copy_file(testing::DataDir() / "perf" / "systems.toml", dir / "perf" / "systems.toml",
                fs::copy_options::overwrite_existing);
  struct Case {
    const char* text;
    const char* error;
  };
  const char* head = "[default]\nmixed_prefill = true\nreserve_full_kv = false\n";
  const Case cases[] = {
      {"[[default.tier]]\nfrom_memory = \"1 GB\"\nchunk_tokens = 8\n[engines]\n",
       "engines.toml:5:15: default.tier[0].from_memory: the first tier must start at \"0 GB\""},
      {"[[default.tier]]\nfrom_memory = \"0 GB\"\nchunk_tokens = 8\n[[default.tier]]\n"
       "from_memory = \"0 GB\"\nchunk_tokens = 8\n[engines]\n",
       "engines.toml:8:15: default.tier[1].from_memory: tiers must be in ascending order of "
       "memory"},
      {"[[default.tier]]\nfrom_memory = \"0 GB\"\nchunk_tokens = 0\n[engines]\n",
       "engines.toml:6:16: default.tier[0].chunk_tokens: must be between 1 and 10000000, got 0"},
      {"[[default.tier]]\nfrom_memory = \"0 GB\"\nchunk_tokens = 8\nwarp = 1\n[engines]\n",
       "engines.toml:7:1: default.tier[0].warp: unknown key"},
      {"dp_attention_hidden = \"2 s\"\n[[default.tier]]\nfrom_memory = \"0 GB\"\n"
       "chunk_tokens = 8\n[engines]\n",
       "engines.toml:4:23: default.dp_attention_hidden: \"2 s\" is outside 0 .. 1 s per "
       "iteration"},
      {"dp_attention_hidden = \"6 GB\"\n[[default.tier]]\nfrom_memory = \"0 GB\"\n"
       "chunk_tokens = 8\n[engines]\n",
       "engines.toml:4:23: default.dp_attention_hidden: expected a time"},
      {"dp_attention_cpu = \"6.1 ms\"\n[[default.tier]]\nfrom_memory = \"0 GB\"\n"
       "chunk_tokens = 8\n[engines]\n",
       "engines.toml:4:1: default.dp_attention_cpu: unknown key"},
      {"speculative_overlap = 1\n[[default.tier]]\nfrom_memory = \"0 GB\"\nchunk_tokens = 8\n"
       "[engines]\n",
       "engines.toml:4:23: default.speculative_overlap"},
      {"inline_postprocessing = \"yes\"\n[[default.tier]]\nfrom_memory = \"0 GB\"\n"
       "chunk_tokens = 8\n[engines]\n",
       "engines.toml:4:25: default.inline_postprocessing"},
      {"fp8_context_attention = 1\n[[default.tier]]\nfrom_memory = \"0 GB\"\n"
       "chunk_tokens = 8\n[engines]\n",
       "engines.toml:4:25: default.fp8_context_attention"},
      {"fp8_latent_bmm = \"hopper\"\n[[default.tier]]\nfrom_memory = \"0 GB\"\n"
       "chunk_tokens = 8\n[engines]\n",
       "engines.toml:4:18: default.fp8_latent_bmm"},
      {"sliding_kv_ratio = 1.5\n[[default.tier]]\nfrom_memory = \"0 GB\"\n"
       "chunk_tokens = 8\n[engines]\n",
       "engines.toml:4:20: default.sliding_kv_ratio: must be between 0 and 1, got 1.5"},
      {"sliding_kv_ratio = \"window\"\n[[default.tier]]\nfrom_memory = \"0 GB\"\n"
       "chunk_tokens = 8\n[engines]\n",
       "engines.toml:4:20: default.sliding_kv_ratio"},
      {"shared_expert_fusion = 2\n[[default.tier]]\nfrom_memory = \"0 GB\"\n"
       "chunk_tokens = 8\n[engines]\n",
       "engines.toml:4:24: default.shared_expert_fusion"},
      {"memory = \"vllm\"\n[[default.tier]]\nfrom_memory = \"0 GB\"\nchunk_tokens = 8\n"
       "[engines]\n",
       "engines.toml:4:10: default.memory: unknown policy \"vllm\": expected default, "
       "device_share, free_share or sglang"},
      {"memory = \"device_share\"\n[[default.tier]]\nfrom_memory = \"0 GB\"\n"
       "chunk_tokens = 8\n[engines]\n",
       "engines.toml:1:1: default: missing required key \"memory_share\""},
      {"memory = \"free_share\"\nmemory_share = 1.5\n[[default.tier]]\nfrom_memory = \"0 GB\"\n"
       "chunk_tokens = 8\n[engines]\n",
       "engines.toml:5:16: default.memory_share"},
      {"memory = \"sglang\"\nmemory_share = 0.9\n[[default.tier]]\nfrom_memory = \"0 GB\"\n"
       "chunk_tokens = 8\n[engines]\n",
       "engines.toml:5:16: default.memory_share: applies only to memory = \"device_share\" or "
       "\"free_share\""},
  };
  for (const Case& c : cases) {
    {
      std::ofstream(dir / "perf" / "engines.toml")
          << head << c.text
          << "[sources.s]\ntitle = \"t\"\nurl = \"https://example.org\"\nkind = \"primary\"\n"
             "read = 2026-11-30\n";
    }
    auto sys = LoadSystemDefaults(dir);
    ASSERT_FALSE(sys.ok()) << c.error;
    const std::string got = sys.error().ToString();
    EXPECT_NE(got.find(c.error), std::string::npos) << got;
  }
}

}  // namespace
}  // namespace ceiling::perf
