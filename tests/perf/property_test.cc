// Laws of the performance model, checked over many random deployments (deterministic seed):
// more memory bandwidth or more compute never slows a step; longer contexts and larger batches
// never speed one up; more GPUs never reduce the total memory a model occupies; more capacity
// never turns "fits" into "does not fit".
#include <gtest/gtest.h>

#include <random>

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

}  // namespace
}  // namespace ceiling::perf
