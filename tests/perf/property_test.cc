// Laws of the performance model, checked over many random deployments (deterministic seed):
// more memory bandwidth or more compute never slows a step; longer contexts and larger batches
// never speed one up; more GPUs never reduce the total memory a model occupies; more capacity
// never turns "fits" into "does not fit".
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "ceiling/perf/serving.h"
#include "ceiling/perf/step.h"
#include "fixture.h"

namespace ceiling::perf {
namespace {

using testing::Bundled;
using testing::HardwareOf;

struct Draw {
  const ModelArch* model;
  Hardware hw;
  Parallelism par;
  DType precision;
  double batch, context, prompt;
};

// Random valid deployments over every bundled model and the main chips.
class Deployments {
 public:
  explicit Deployments(unsigned seed) : rng_(seed) {}

  Draw Next() {
    static const char* kChips[] = {"nvidia-h100-sxm", "nvidia-h20",   "nvidia-h200-sxm",
                                   "nvidia-b200",     "nvidia-gb200", "huawei-ascend-910c"};
    static const DType kPrec[] = {DType::kFp8, DType::kBf16, DType::kFp4, DType::kInt4};
    const auto& models = Bundled().models.models();
    for (;;) {
      Draw d;
      d.model = &models[Pick(models.size())];
      d.hw = HardwareOf(kChips[Pick(6)]);
      d.par.tp = 1 << Pick(4);
      d.par.pp = 1 << Pick(2);
      if (d.model->moe.enabled()) {
        d.par.dp_attn = 1 << Pick(3);
        d.par.ep = 1 << Pick(4);
      }
      if (!CheckParallelism(*d.model, d.par).ok()) continue;
      d.precision = kPrec[Pick(4)];
      d.batch = 1 + Pick(256);
      d.context = 1 + Pick(32768);
      d.prompt = 1 + Pick(16384);
      return d;
    }
  }

 private:
  std::size_t Pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  std::mt19937 rng_;
};

constexpr int kDraws = 400;

StepModel Build(const Draw& d) {
  auto sm = StepModel::Build(*d.model, d.hw, d.par, PrecisionForMode(d.precision));
  if (!sm.ok()) {
    ADD_FAILURE() << sm.error().ToString();
    std::abort();
  }
  return *sm;
}

TEST(Laws, MoreMemoryBandwidthNeverSlowsAStep) {
  Deployments gen(1);
  const FamilyParams& fp = Bundled().calibration.Family("hopper");
  for (int i = 0; i < kDraws; ++i) {
    Draw d = gen.Next();
    const StepModel base = Build(d);
    d.hw.memory_bandwidth *= 1.5;
    const StepModel fast = Build(d);
    EXPECT_LE(fast.Decode(fp, d.batch, d.context).total, base.Decode(fp, d.batch, d.context).total)
        << d.model->id << " " << d.par.ToString();
    EXPECT_LE(fast.Prefill(fp, 1, d.prompt).total, base.Prefill(fp, 1, d.prompt).total);
  }
}

TEST(Laws, MoreComputeNeverSlowsAStep) {
  Deployments gen(2);
  const FamilyParams& fp = Bundled().calibration.Family("blackwell");
  for (int i = 0; i < kDraws; ++i) {
    Draw d = gen.Next();
    const StepModel base = Build(d);
    for (auto& r : d.hw.peak) r *= 2.0;
    const StepModel fast = Build(d);
    EXPECT_LE(fast.Decode(fp, d.batch, d.context).total, base.Decode(fp, d.batch, d.context).total);
    EXPECT_LE(fast.Prefill(fp, 2, d.prompt).total, base.Prefill(fp, 2, d.prompt).total);
  }
}

TEST(Laws, MoreLinkBandwidthNeverSlowsAStep) {
  Deployments gen(3);
  const FamilyParams& fp = Bundled().calibration.Family("hopper");
  for (int i = 0; i < kDraws; ++i) {
    Draw d = gen.Next();
    const StepModel base = Build(d);
    d.hw.scale_up *= 2.0;
    d.hw.scale_out *= 2.0;
    const StepModel fast = Build(d);
    EXPECT_LE(fast.Decode(fp, d.batch, d.context).total, base.Decode(fp, d.batch, d.context).total);
  }
}

TEST(Laws, LongerContextAndLargerBatchNeverSpeedUpDecode) {
  Deployments gen(4);
  const FamilyParams& fp = Bundled().calibration.Family("hopper");
  for (int i = 0; i < kDraws; ++i) {
    const Draw d = gen.Next();
    const StepModel sm = Build(d);
    const Seconds t = sm.Decode(fp, d.batch, d.context).total;
    EXPECT_GE(sm.Decode(fp, d.batch, d.context * 2).total, t);
    EXPECT_GE(sm.Decode(fp, d.batch + 7, d.context).total, t);
  }
}

TEST(Laws, MoreGpusNeverReduceTotalMemory) {
  // Sharding over more GPUs can replicate (KV heads, MLA latents, small projections) but never
  // makes a model smaller in total.
  for (const ModelArch& m : Bundled().models.models()) {
    const Hardware hw = HardwareOf("nvidia-h200-sxm");
    double previous = 0;
    for (int tp = 1; tp <= 16; tp *= 2) {
      Parallelism par{.tp = tp};
      if (!CheckParallelism(m, par).ok()) continue;
      auto sm = StepModel::Build(m, hw, par, PrecisionForMode(DType::kFp8));
      ASSERT_TRUE(sm.ok());
      const double total = sm->ServingMemory(4, 4096).total.base() * tp -
                           sm->ServingMemory(4, 4096).reserve.base() * tp -
                           sm->ServingMemory(4, 4096).activations.base() * tp;
      EXPECT_GE(total, previous * (1 - 1e-12)) << m.id << " tp " << tp;
      previous = total;
    }
  }
}

TEST(Laws, MoreCapacityNeverTurnsFitsIntoDoesNotFit) {
  Deployments gen(5);
  for (int i = 0; i < kDraws; ++i) {
    Draw d = gen.Next();
    const bool fits = Build(d).ServingMemory(d.batch, d.context).fits;
    d.hw.memory_capacity *= 1.25;
    if (fits) {
      EXPECT_TRUE(Build(d).ServingMemory(d.batch, d.context).fits);
    }
  }
}

TEST(Laws, ServingIsFiniteAndObeysTheClosedLoopIdentity) {
  Deployments gen(6);
  const Calibration& cal = Bundled().calibration;
  int served = 0;
  for (int i = 0; i < kDraws; ++i) {
    const Draw d = gen.Next();
    ServingWorkload w;
    w.isl = static_cast<int>(d.prompt);
    w.osl = 1 + static_cast<int>(d.context) % 4096;
    w.concurrency = static_cast<int>(d.batch) * d.par.dp_attn;
    const ServingTimes t = ServeTimes(Build(d), cal.Family(d.hw.family), cal.Engine("vllm"), w, 1);
    if (!t.fits) continue;
    ++served;
    ASSERT_TRUE(std::isfinite(t.ttft.base()) && t.ttft.base() > 0);
    ASSERT_TRUE(std::isfinite(t.tpot.base()) && t.tpot.base() > 0);
    EXPECT_NEAR(t.output_tokens_per_s * (t.ttft.base() + (w.osl - 1) * t.tpot.base()),
                1.0 * w.concurrency * w.osl, 1e-6 * w.concurrency * w.osl);
  }
  EXPECT_GT(served, kDraws / 4);
}

// The memory a result shows is what its batch holds: a deployment that fits never shows more
// than the capacity, whatever the engine's KV hold (paged: the average length; reserved: the
// full length) and whether the cache or the clients set the batch. Sliding windows and recurrent
// states make the KV bytes per token depend on the length, which is what could split the two.
TEST(Laws, AFittingDeploymentNeverShowsMoreMemoryThanTheCapacity) {
  Deployments gen(7);
  const Calibration& cal = Bundled().calibration;
  int served = 0, kv_limited = 0;
  for (int i = 0; i < kDraws; ++i) {
    const Draw d = gen.Next();
    // The draws go past some models' context; the law is about memory, so lengths are free.
    ModelArch open_ended = *d.model;
    open_ended.context.reset();
    for (const char* engine : {"vllm", "trtllm"}) {
      ServingQuery q;
      q.model = &open_ended;
      q.hardware = &d.hw;
      q.calibration = &cal;
      q.par = d.par;
      q.gpus = d.par.Gpus();
      q.precision = PrecisionForMode(d.precision);
      q.workload.isl = static_cast<int>(d.prompt);
      q.workload.osl = 1 + static_cast<int>(d.context) % 8192;
      q.workload.concurrency = static_cast<int>(d.batch) * 8 * d.par.dp_attn;
      q.workload.engine = engine;
      auto r = Serve(q);
      ASSERT_TRUE(r.ok()) << r.error().ToString();
      if (!r->fits) continue;
      ++served;
      kv_limited += r->kv_limited;
      EXPECT_LE(r->memory.total.base(), r->memory.capacity.base() * (1 + 1e-9))
          << engine << " " << d.model->id << " " << d.par.ToString() << " isl " << q.workload.isl
          << " osl " << q.workload.osl << " batch " << r->batch_per_rank;
      EXPECT_TRUE(r->memory.fits);
    }
  }
  EXPECT_GT(served, kDraws / 4);
  EXPECT_GT(kv_limited, 10);  // the cache sets the batch often enough for the check to bite
}

}  // namespace
}  // namespace ceiling::perf

namespace ceiling::perf {
namespace {

using testing::Bundled;
using testing::HardwareOf;
using testing::ModelOf;

// Every catalog chip the performance model can describe (bandwidth, capacity and a tensor rate).
std::vector<Hardware> CatalogHardware() {
  std::vector<Hardware> out;
  for (const catalog::Chip& chip : Bundled().chips.chips()) {
    auto hw = HardwareFromChip(chip, Bundled().systems, {});
    if (hw.ok()) out.push_back(*hw);
  }
  return out;
}

// Whether the chip has a rate for the math of `prec` (a record with only fp8/fp4 figures cannot
// run bf16 math).
bool Runs(const Hardware& hw, DType prec) {
  return StepModel::Build(ModelOf("llama-3.1-8b"), hw, {}, PrecisionForMode(prec)).ok();
}

// One decode iteration of one sequence (TPOT at concurrency 1), with the engine's CPU work.
double BatchOneTpot(const Hardware& hw, const ModelArch& m, DType prec, double ctx) {
  auto sm = StepModel::Build(m, hw, {}, PrecisionForMode(prec));
  if (!sm.ok()) {
    ADD_FAILURE() << sm.error().ToString();
    return 0;
  }
  const Calibration& cal = Bundled().calibration;
  return 1.0 / DecodeThroughputPerGpu(*sm, cal.Family(hw.family), cal.Engine(""), 1, ctx, {});
}

TEST(CatalogLaws, ThereAreManyChipsToCheck) { EXPECT_GE(CatalogHardware().size(), 40u); }

// Whether batch-1 decode is bandwidth-bound on `hw` with `rate_scale` of its tensor rate (the
// vector units untouched), by the kernels engines ship for one token row: a tensor-core GEMM on
// the smallest tile (8 rows with swap-AB: 16 FLOPs per weight) or a GEMV on the vector units
// (2 FLOPs per weight at the fp32 rate). One of them must keep pace with the weights streaming
// in: a ridge point (FLOP/s over bytes/s) above its FLOPs per weight byte. GPUs sit far above
// (H100 bf16: 295 FLOP/byte on the tensor cores); a chip whose weights stream from on-chip SRAM
// at tens of TB/s may not (Groq LPU: 188 TFLOP/s over 80 TB/s, 2.4 FLOP/byte, no fp32 figure),
// and there batch-1 decode is compute-bound: the bandwidth laws below do not describe it.
bool BandwidthBoundAtBatchOne(const Hardware& hw, DType prec, double rate_scale) {
  const double weight_bytes = prec == DType::kFp8 ? 1.0 : 2.0;
  const double bw = hw.memory_bandwidth.base();
  const bool tiles = rate_scale * hw.ComputeRate(prec).base() / bw >= 16.0 / weight_bytes;
  const bool gemv = hw.peak[Index(DType::kFp32)].base() / bw >= 2.0 / weight_bytes;
  return tiles || gemv;
}

// Batch-1 decode of a dense model streams its weights and KV cache once per token: its TPOT is at
// least (weights + KV bytes) / bandwidth, and at most 1.3x that plus the step's fixed costs
// (per-kernel overheads, scaled by the engine's kernel fusion as the model runs them, and the
// engine's CPU work per iteration).
TEST(CatalogLaws, BatchOneDecodeIsBoundByTheBytesItReads) {
  const Calibration& cal = Bundled().calibration;
  int checked = 0;
  std::set<std::string> compute_bound;
  for (const Hardware& hw : CatalogHardware()) {
    ASSERT_TRUE(Runs(hw, DType::kBf16) || Runs(hw, DType::kFp8)) << hw.chip_id;
    for (DType prec : {DType::kBf16, DType::kFp8}) {
      if (!Runs(hw, prec)) continue;
      const ModelArch& m = ModelOf("llama-3.1-8b");
      const double ctx = 1536;
      auto sm = StepModel::Build(m, hw, {}, PrecisionForMode(prec));
      ASSERT_TRUE(sm.ok());
      const EngineParams& ep = cal.Engine("");
      // The family's cost per kernel as the engine's kernels incur it (fused or not).
      FamilyParams fp = cal.Family(hw.family);
      fp.kernel_overhead *= ep.kernel_fusion;
      const double bytes = sm->WeightBytesPerGpu().base() + sm->KvBytesPerToken().base() * ctx;
      const double floor = bytes / hw.memory_bandwidth.base();
      const double fixed =
          sm->Decode(fp, 1, ctx).overhead.base() + ep.step_overhead.base() + ep.seq_overhead.base();
      const double tpot = BatchOneTpot(hw, m, prec, ctx);
      EXPECT_GE(tpot, floor) << hw.chip_id << " " << DTypeName(prec);
      if (!BandwidthBoundAtBatchOne(hw, prec, 1.0)) {
        compute_bound.insert(hw.chip_id);
        continue;
      }
      ++checked;
      EXPECT_LE(tpot, 1.3 * floor + fixed) << hw.chip_id << " " << DTypeName(prec);
    }
  }
  EXPECT_GE(checked, 60);
  // Only SRAM-streaming parts fall outside the law's premise.
  EXPECT_LE(compute_bound.size(), 2u) << ::testing::PrintToString(compute_bound);
}

// A design-space derivative that keeps 20% of the tensor rate (every tensor format; vector
// units untouched) decodes one sequence at the same speed: batch-1 decode is bandwidth-bound.
TEST(CatalogLaws, CuttingTheTensorRateTo20PercentBarelyMovesBatchOneDecode) {
  int checked = 0;
  std::set<std::string> compute_bound;
  for (const Hardware& hw : CatalogHardware()) {
    Hardware cut = hw;
    for (DType d :
         {DType::kFp4, DType::kInt4, DType::kFp8, DType::kInt8, DType::kBf16, DType::kFp16})
      cut.peak[Index(d)] *= 0.2;
    for (DType prec : {DType::kBf16, DType::kFp8}) {
      if (!Runs(hw, prec)) continue;
      const ModelArch& m = ModelOf("llama-3.1-8b");
      const double base = BatchOneTpot(hw, m, prec, 1536);
      const double derived = BatchOneTpot(cut, m, prec, 1536);
      // Less compute never speeds decode up.
      EXPECT_GE(derived, base * (1 - 1e-12)) << hw.chip_id << " " << DTypeName(prec);
      if (!BandwidthBoundAtBatchOne(hw, prec, 0.2)) {
        compute_bound.insert(hw.chip_id);
        continue;
      }
      ++checked;
      EXPECT_LT(std::abs(derived / base - 1), 0.05)
          << hw.chip_id << " " << DTypeName(prec) << ": " << base << " -> " << derived;
    }
  }
  EXPECT_GE(checked, 60);
  EXPECT_LE(compute_bound.size(), 2u) << ::testing::PrintToString(compute_bound);
}

// More memory bandwidth never slows decode, more compute never slows prefill: on every chip,
// for dense and MoE models, at several batches and in the closed-loop benchmark.
TEST(CatalogLaws, BandwidthNeverSlowsDecodeAndComputeNeverSlowsPrefill) {
  const Calibration& cal = Bundled().calibration;
  for (const Hardware& hw : CatalogHardware()) {
    Hardware fast_mem = hw, fast_compute = hw;
    fast_mem.memory_bandwidth *= 1.5;
    for (auto& r : fast_compute.peak) r *= 2.0;
    const FamilyParams& fp = cal.Family(hw.family);
    for (const char* id : {"llama-3.1-8b", "qwen3-235b-a22b"}) {
      const ModelArch& m = ModelOf(id);
      const Parallelism par = m.moe.enabled() ? Parallelism{.tp = 8, .ep = 8} : Parallelism{};
      auto build = [&](const Hardware& h) {
        return *StepModel::Build(m, h, par, PrecisionForMode(DType::kFp8));
      };
      const StepModel base = build(hw), mem = build(fast_mem), comp = build(fast_compute);
      for (double batch : {1.0, 16.0, 256.0}) {
        EXPECT_LE(mem.Decode(fp, batch, 2048).total, base.Decode(fp, batch, 2048).total)
            << hw.chip_id << " " << id << " batch " << batch;
        ServingWorkload w;
        w.isl = 1024, w.osl = 256, w.concurrency = static_cast<int>(batch);
        const ServingTimes a = ServeTimes(base, fp, cal.Engine(""), w, 1);
        const ServingTimes b = ServeTimes(mem, fp, cal.Engine(""), w, 1);
        if (a.fits && b.fits) {
          EXPECT_LE(b.tpot.base(), a.tpot.base() * (1 + 1e-12)) << hw.chip_id;
        }
      }
      for (double prompt : {128.0, 4096.0}) {
        EXPECT_LE(comp.Prefill(fp, 1, prompt).total, base.Prefill(fp, 1, prompt).total)
            << hw.chip_id << " " << id << " prompt " << prompt;
      }
    }
  }
}

// The H20 against the H100 SXM (issue #11): batch-1 decode of Llama-3.1-8B in bf16 follows the
// bandwidth ratio (3.35 / 4.0 = 0.84) diluted by the fixed per-step costs both pay.
TEST(H20VersusH100, BatchOneDecodeIsFasterOnTheH20) {
  const ModelArch& m = ModelOf("llama-3.1-8b");
  const double ratio = BatchOneTpot(HardwareOf("nvidia-h20"), m, DType::kBf16, 1536) /
                       BatchOneTpot(HardwareOf("nvidia-h100-sxm"), m, DType::kBf16, 1536);
  EXPECT_GE(ratio, 0.80);
  EXPECT_LE(ratio, 0.92);
}

}  // namespace
}  // namespace ceiling::perf

namespace ceiling::perf {
namespace {

using testing::Bundled;
using testing::HardwareOf;
using testing::ModelOf;

// Llama-2-13B bf16 on one GPU, 512/512 tokens, 16 clients (issue #11). Decoding 16 sequences, the
// H20 is faster than the H100 by its bandwidth (diluted by fixed per-step costs); in the closed
// loop every client's 512-token prompt must also be prefilled, which takes the H20 ~6x longer
// (148 vs 989 dense bf16 TFLOP/s), so its output throughput ends just below the H100's. The
// issue expected 1.0-1.3x for the closed loop; the model's 0.9-1.0 is what the physics gives
// (docs/perf.md §6).
TEST(H20VersusH100, DecodesFasterButPrefillsSlowerAtSixteenClients) {
  const ModelArch& m = ModelOf("llama-2-13b");
  const Calibration& cal = Bundled().calibration;
  auto decode_rate = [&](const char* chip) {
    const Hardware hw = HardwareOf(chip);
    auto sm = StepModel::Build(m, hw, {}, PrecisionForMode(DType::kBf16));
    return DecodeThroughputPerGpu(*sm, cal.Family(hw.family), cal.Engine(""), 16, 768, {});
  };
  const double decode = decode_rate("nvidia-h20") / decode_rate("nvidia-h100-sxm");
  EXPECT_GE(decode, 1.0);
  EXPECT_LE(decode, 1.3);
  auto closed_loop = [&](const char* chip) {
    const Hardware hw = HardwareOf(chip);
    auto sm = StepModel::Build(m, hw, {}, PrecisionForMode(DType::kBf16));
    ServingWorkload w;
    w.isl = 512, w.osl = 512, w.concurrency = 16;
    return ServeTimes(*sm, cal.Family(hw.family), cal.Engine(""), w, 1).output_tokens_per_s;
  };
  const double loop = closed_loop("nvidia-h20") / closed_loop("nvidia-h100-sxm");
  EXPECT_GE(loop, 0.85);
  EXPECT_LT(loop, decode);
}

}  // namespace
}  // namespace ceiling::perf
