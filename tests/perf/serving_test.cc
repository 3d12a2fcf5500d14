// Serving and training: outcomes (fits, SLA), errors for impossible layouts, and the search.
#include "ceiling/perf/serving.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <utility>

#include "ceiling/perf/training.h"
#include "fixture.h"

namespace ceiling::perf {
namespace {

using testing::Bundled;
using testing::HardwareOf;
using testing::ModelOf;

ServingQuery Query(const ModelArch& m, const Hardware& hw, int gpus, Parallelism par, DType prec,
                   int isl, int osl, int conc) {
  ServingQuery q;
  q.model = &m;
  q.hardware = &hw;
  q.calibration = &Bundled().calibration;
  q.gpus = gpus;
  q.par = par;
  q.precision = PrecisionForMode(prec);
  q.workload.isl = isl;
  q.workload.osl = osl;
  q.workload.concurrency = conc;
  return q;
}

// DeepSeek-V3 in FP8 served disaggregated on H200s: a TP8 EP8 prefill worker and an
// attention-DP8 EP8 decode worker.
std::pair<StepModel, StepModel> H200DeepSeekWorkers() {
  const ModelArch& m = ModelOf("deepseek-v3");
  const Hardware hw = HardwareOf("nvidia-h200-sxm");
  const PrecisionConfig prec = PrecisionForMode(DType::kFp8);
  return {*StepModel::Build(m, hw, {.tp = 8, .pp = 1, .dp_attn = 1, .ep = 8}, prec),
          *StepModel::Build(m, hw, {.tp = 1, .pp = 1, .dp_attn = 8, .ep = 8}, prec)};
}

TEST(Serve, Llama70bOn8H100) {
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  auto r = Serve(Query(ModelOf("llama-3.1-70b"), hw, 8, {.tp = 8}, DType::kFp8, 1024, 1024, 32));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->fits);
  // Measured on H100/H200 with vLLM and TensorRT-LLM: TPOT 8-15 ms at 32 clients, TP8.
  EXPECT_GT(MillisecondsOf(r->tpot), 5);
  EXPECT_LT(MillisecondsOf(r->tpot), 20);
  EXPECT_NEAR(r->tokens_per_s_per_user, 1.0 / r->tpot.base(), 1e-9);
  EXPECT_NEAR(r->output_tokens_per_s_per_gpu * 8, r->output_tokens_per_s, 1e-6);
  EXPECT_GT(r->uncertainty.tpot.count, 0);
  EXPECT_EQ(r->uncertainty.basis, CalibrationBasis::kProfiled);
}

// A prediction gets the band of its engine and kind of model where validation kept one (a
// slice with >= kMinSliceRows held-out rows), else its regime's; the generic engine has none.
TEST(Serve, BandsAreNarrowedToTheEngineAndKindOfModel) {
  const Calibration& cal = Bundled().calibration;
  ASSERT_FALSE(cal.slices.empty());
  for (const auto& [k, b] : cal.slices) {
    EXPECT_GE(static_cast<std::size_t>(b.count), kMinSliceRows);
    EXPECT_EQ(b.engine, k.engine);
    EXPECT_EQ(b.kind, k.kind);
  }
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  ServingQuery q =
      Query(ModelOf("qwen3-235b-a22b"), hw, 8, {.tp = 8, .ep = 8}, DType::kFp8, 1024, 1024, 128);
  q.workload.engine = "vllm";
  auto moe = Serve(q);
  ASSERT_TRUE(moe.ok()) << moe.error().ToString();
  ASSERT_EQ(moe->uncertainty.regimes.ttft, Regime::kLargeBatch);
  const ErrorBand& whole =
      cal.Band(CalibrationBasis::kProfiled, PerfMetric::kTpot, Regime::kLargeBatch);
  const ErrorBand& got = moe->uncertainty.tpot;
  EXPECT_EQ(got.engine, "vllm");
  EXPECT_EQ(got.kind, ModelKind::kMoe);
  EXPECT_NE(got.high / got.low, whole.high / whole.low);
  q.workload.engine = "";  // the generic engine: the regime's band
  auto generic = Serve(q);
  ASSERT_TRUE(generic.ok());
  EXPECT_TRUE(generic->uncertainty.tpot.engine.empty());
  EXPECT_EQ(generic->uncertainty.tpot.high, whole.high);
  // A dense model on another engine gets that engine's dense slice where there is one, and the
  // regime's band where there is none.
  q = Query(ModelOf("llama-3.1-70b"), hw, 8, {.tp = 8}, DType::kFp8, 1024, 1024, 128);
  for (const char* engine : {"trtllm", "vllm"}) {
    q.workload.engine = engine;
    auto dense = Serve(q);
    ASSERT_TRUE(dense.ok());
    ASSERT_EQ(dense->uncertainty.regimes.ttft, Regime::kLargeBatch) << engine;
    const bool sliced = cal.slices.count({0, static_cast<int>(PerfMetric::kTpot),
                                          static_cast<int>(Regime::kLargeBatch), engine,
                                          ModelKind::kDense}) > 0;
    EXPECT_EQ(dense->uncertainty.tpot.kind, sliced ? ModelKind::kDense : ModelKind::kAny)
        << engine;
    EXPECT_EQ(dense->uncertainty.tpot.engine, sliced ? engine : "") << engine;
  }
  EXPECT_TRUE(cal.slices.count({0, static_cast<int>(PerfMetric::kTpot),
                                static_cast<int>(Regime::kLargeBatch), "trtllm",
                                ModelKind::kDense}) > 0);
}

// A calibrated chip's predictions carry how often its held-out rows fell inside the bands, and
// say so in a note when that is below the 85% floor for any metric (the GB200's and B300's rows
// sit in their regimes' tails: 68-84%); a chip never measured carries none.
TEST(Serve, PredictionsSayWhenTheirChipsBandsHeldLessThanPromised) {
  const Calibration& cal = Bundled().calibration;
  ASSERT_EQ(cal.chip_coverage.size(), cal.calibrated_chips.size());
  int noted = 0;
  for (const std::string& chip : cal.calibrated_chips) {
    const auto* cov = cal.CoverageOf(chip);
    ASSERT_NE(cov, nullptr) << chip;
    bool below = false;
    for (PerfMetric m : {PerfMetric::kTtft, PerfMetric::kTpot, PerfMetric::kThroughput}) {
      const auto& c = (*cov)[static_cast<int>(m)];
      EXPECT_GT(c.count, 0) << chip;
      below |= c.coverage < kMinChipCoverage;
    }
    const auto note = CoverageNote(cal, chip);
    EXPECT_EQ(note.has_value(), below) << chip;
    if (note) {
      ++noted;
      EXPECT_NE(note->find(chip), std::string::npos) << *note;
      EXPECT_NE(note->find("TPOT"), std::string::npos) << *note;
    }
  }
  EXPECT_GE(noted, 1);  // the GB200's TPOT coverage is 68% (docs/perf.md §5)
  EXPECT_EQ(cal.CoverageOf("nvidia-h20"), nullptr);
  EXPECT_FALSE(CoverageNote(cal, "nvidia-h20").has_value());
}

// A prediction whose TTFT is mostly time outside the prompt's own iterations (queueing behind
// other clients' work, the engine's fitted costs) is in the contended regime for every metric,
// whose bands validation measured wider; TTFT keeps `queued` when clients wait for KV room.
TEST(Serve, APromptThatMostlyWaitsIsInTheContendedRegime) {
  using S = Seconds;
  LatencyParts parts;
  parts.waiting = S::FromBase(0.5), parts.request = S::FromBase(0.1);
  parts.prefill = S::FromBase(0.2);  // 25% of TTFT: the batch regime
  Regimes g = RegimesOf(64, false, parts);
  EXPECT_EQ(g.ttft, Regime::kLargeBatch);
  EXPECT_EQ(g.other, Regime::kLargeBatch);
  EXPECT_EQ(RegimesOf(8, false, parts).other, Regime::kSmallBatch);
  parts.prefill = S::FromBase(0.06);  // 9% of TTFT
  g = RegimesOf(64, false, parts);
  EXPECT_EQ(g.ttft, Regime::kContended);
  EXPECT_EQ(g.other, Regime::kContended);
  g = RegimesOf(64, true, parts);
  EXPECT_EQ(g.ttft, Regime::kQueued);
  EXPECT_EQ(g.other, Regime::kContended);
  EXPECT_EQ(RegimesOf(64, false, LatencyParts{}).other, Regime::kLargeBatch);  // no TTFT

  // 128 clients of 4,000-token prompts on one H200 under SGLang: each prompt's 0.1 s of
  // iterations waits behind the others' (the measurements: TTFT 0.82 s, the model 2.7 s).
  const Calibration& cal = Bundled().calibration;
  const Hardware hw = HardwareOf("nvidia-h200-sxm");
  ServingQuery q = Query(ModelOf("llama-3.1-8b"), hw, 1, {.tp = 1}, DType::kFp8, 4000, 1000, 128);
  q.workload.engine = "sglang";
  auto r = Serve(q);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_LT(r->latency.prefill.base(), kContendedPrefillShare * r->ttft.base());
  EXPECT_EQ(r->uncertainty.regimes.ttft, Regime::kContended);
  const auto width = [](const ErrorBand& b) { return b.high / b.low; };
  // The band of the regime, or of SGLang on dense models within it where validation kept one.
  const auto band = [&](PerfMetric m, Regime regime) -> const ErrorBand& {
    return cal.Band(CalibrationBasis::kProfiled, m, regime, "sglang", ModelKind::kDense);
  };
  const ErrorBand& contended = band(PerfMetric::kTtft, Regime::kContended);
  ASSERT_GT(contended.count, 0);
  EXPECT_EQ(width(r->uncertainty.ttft), width(contended));
  EXPECT_GT(width(contended), width(band(PerfMetric::kTtft, Regime::kLargeBatch)));
  EXPECT_EQ(width(r->uncertainty.tpot), width(band(PerfMetric::kTpot, Regime::kContended)));
  EXPECT_GT(width(r->uncertainty.tpot), width(band(PerfMetric::kTpot, Regime::kLargeBatch)));
  // At 16 clients the same prompts hardly wait: the batch regime.
  q.workload.concurrency = 16;
  r = Serve(q);
  ASSERT_TRUE(r.ok());
  EXPECT_GE(r->latency.prefill.base(), kContendedPrefillShare * r->ttft.base());
  EXPECT_EQ(r->uncertainty.regimes.ttft, Regime::kSmallBatch);
}

TEST(Serve, CoverageNoteOnlyBelowTheFloor) {
  std::array<Calibration::ChipCoverage, kMetricCount> cov;
  for (auto& c : cov) c = {0.9, 100};
  EXPECT_FALSE(CoverageNote("some-chip", cov).has_value());
  cov[static_cast<int>(PerfMetric::kThroughput)] = {0.849, 200};
  const auto note = CoverageNote("some-chip", cov);
  ASSERT_TRUE(note.has_value());
  EXPECT_NE(note->find("some-chip"), std::string::npos) << *note;
  EXPECT_NE(note->find("throughput 84% of 200"), std::string::npos) << *note;  // not "85%"
  EXPECT_NE(note->find("TTFT 90% of 100"), std::string::npos) << *note;
  // The training metric has its own band and no per-chip coverage in the note.
  cov[static_cast<int>(PerfMetric::kThroughput)] = {0.9, 200};
  cov[static_cast<int>(PerfMetric::kTrainStep)] = {0.1, 3};
  EXPECT_FALSE(CoverageNote("some-chip", cov).has_value());
}

TEST(Serve, ModelThatDoesNotFitIsAnOutcomeWithNumbers) {
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  auto r = Serve(Query(ModelOf("llama-3.1-405b"), hw, 1, {.tp = 1}, DType::kBf16, 1024, 256, 1));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->fits);
  EXPECT_NE(r->does_not_fit.find("> capacity 85.52 GB"), std::string::npos) << r->does_not_fit;
  EXPECT_GT(r->memory.weights.base(), 800e9);
}

// SGLang's default memory heuristic keeps room for CUDA graphs of 512 sequences on each of 16
// attention ranks: DeepSeek-R1 on two nodes of H20s does not fit by default, and the answer says
// which mem_fraction_static would let it; with that share it fits. Where even the weights do
// not fit, or with a share set, there is no such hint.
TEST(Serve, SglangDefaultThatDoesNotFitSaysWhichShareWould) {
  const Hardware hw = HardwareOf("nvidia-h20");
  ServingQuery q = Query(ModelOf("deepseek-r1"), hw, 16,
                         {.tp = 1, .pp = 1, .dp_attn = 16, .ep = 16}, DType::kFp8, 4096, 1536, 128);
  q.workload.engine = "sglang";
  auto r = Serve(q);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_FALSE(r->fits);
  const std::string key = "(--memory-share ";
  const std::size_t at = r->does_not_fit.find(key);
  ASSERT_NE(at, std::string::npos) << r->does_not_fit;
  const double share = std::stod(r->does_not_fit.substr(at + key.size(), 4));
  EXPECT_GT(share, 0.5);
  EXPECT_LT(share, 0.95);
  q.workload.memory_share = share;
  auto fitted = Serve(q);
  ASSERT_TRUE(fitted.ok());
  EXPECT_TRUE(fitted->fits) << fitted->does_not_fit;
  q.workload.memory_share = share - 0.02;
  auto under = Serve(q);
  ASSERT_TRUE(under.ok());
  EXPECT_FALSE(under->fits);
  EXPECT_EQ(under->does_not_fit.find(key), std::string::npos) << under->does_not_fit;
  // Weights beyond the device: no share helps.
  ServingQuery big = Query(ModelOf("deepseek-r1"), hw, 1, {.tp = 1}, DType::kFp8, 1024, 256, 1);
  big.workload.engine = "sglang";
  auto too_big = Serve(big);
  ASSERT_TRUE(too_big.ok());
  EXPECT_FALSE(too_big->fits);
  EXPECT_EQ(too_big->does_not_fit.find(key), std::string::npos);
}

TEST(Serve, ImpossibleLayoutsAreErrors) {
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  auto r = Serve(Query(ModelOf("llama-3.1-70b"), hw, 6, {.tp = 6}, DType::kFp8, 128, 128, 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "tp");
  EXPECT_EQ(r.error().message, "6 does not divide the 64 attention heads of llama-3.1-70b");
  r = Serve(Query(ModelOf("llama-3.1-70b"), hw, 12, {.tp = 8}, DType::kFp8, 128, 128, 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "gpus");
  EXPECT_EQ(r.error().message,
            "12 is not a multiple of the instance size 8 (TP8 = tp x dp-attn x pp)");
}

TEST(Serve, APromptJustOverTheBudgetCostsItsTokensNotTwoBudgets) {
  // TensorRT-LLM's iteration budget is 8,192 tokens, less the running decodes: an 8,192-token
  // prompt spills a few tokens into a second iteration, which costs what those tokens cost, so
  // its TTFT is close to an 8,000-token prompt's, not twice it.
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  auto query = [&](int isl) {
    ServingQuery q = Query(ModelOf("llama-3.1-70b"), hw, 8, {.tp = 8}, DType::kFp8, isl, 256, 4);
    q.workload.engine = "trtllm";
    return q;
  };
  auto under = Serve(query(8000));
  auto over = Serve(query(8192));
  ASSERT_TRUE(under.ok() && over.ok());
  EXPECT_GT(over->ttft, under->ttft);
  EXPECT_LT(over->ttft.base(), under->ttft.base() * 1.25);
}

TEST(Serve, H20DecodesRelativelyBetterThanItPrefills) {
  // Same work, same layout, roofline efficiencies: the H20 has 15% of the H100's dense compute
  // but 119% of its memory bandwidth, so it is much slower in (compute-bound) prefill and
  // faster in (memory-bound) decode.
  const ModelArch& m = ModelOf("llama-3.1-70b");
  const FamilyParams ideal = testing::IdealParams();
  auto build = [&](const char* chip) {
    return *StepModel::Build(m, HardwareOf(chip), {.tp = 8}, PrecisionForMode(DType::kFp8));
  };
  const StepModel h20 = build("nvidia-h20");
  const StepModel h100 = build("nvidia-h100-sxm");
  const double prefill_ratio =
      h20.Prefill(ideal, 1, 4096).total / h100.Prefill(ideal, 1, 4096).total;
  const double decode_ratio =
      h20.Decode(ideal, 16, 4608).total / h100.Decode(ideal, 16, 4608).total;
  EXPECT_GT(prefill_ratio, 3.0);  // the identical NVLink all-reduces dilute the 6.7x
  EXPECT_NEAR(decode_ratio, 3.35 / 4.0, 0.03);
}

// Two engine costs of multi-node decode with attention data parallelism (data/perf/engines.toml):
// SGLang's speculative decoding turns overlap scheduling off, exposing the CPU work between
// iterations, and attention ranks on more than one node synchronize their schedulers.
TEST(Serve, SpeculativeDecodingWithoutOverlapAndCrossNodeRanksCostCpuTime) {
  const ModelArch& m = ModelOf("deepseek-v3");
  const Hardware hw = HardwareOf("nvidia-h20");
  const Parallelism dp16{.tp = 1, .pp = 1, .dp_attn = 16, .ep = 16};
  const StepModel two_nodes = *StepModel::Build(m, hw, dp16, PrecisionForMode(DType::kFp8));
  Hardware wide = hw;
  wide.scale_up_domain = 16;  // the same ranks in one scale-up domain
  const StepModel one_domain = *StepModel::Build(m, wide, dp16, PrecisionForMode(DType::kFp8));
  const FamilyParams fp = testing::IdealParams();
  EngineParams ep;
  ep.step_overhead = Seconds::FromBase(1e-3);
  ep.seq_overhead = Seconds::Zero();
  ep.overlap = 1.0;
  ep.traits.dp_attention_cpu = 6e-3;
  const Speculative none;
  const Speculative mtp{.steps = 1, .draft_tokens = 2, .accepted = 1.8};
  const double ctx = 4096;
  auto iteration = [&](const StepModel& sm, const EngineParams& e, const Speculative& spec) {
    const double accepted = spec.steps > 0 ? spec.accepted : 1.0;
    return accepted / DecodeThroughputPerGpu(sm, fp, e, 1, ctx, spec);
  };
  EngineParams no_dp = ep;
  no_dp.traits.dp_attention_cpu = 0;
  EngineParams spec_off = ep;
  spec_off.traits.speculative_overlap = false;
  // With overlap on, the CPU work (1 ms, plus 6 ms across nodes) hides behind the GPU's
  // iteration, with or without speculative decoding.
  ASSERT_GT(iteration(two_nodes, ep, none), 7e-3);
  EXPECT_NEAR(iteration(two_nodes, ep, none), iteration(two_nodes, no_dp, none), 1e-12);
  EXPECT_NEAR(iteration(two_nodes, ep, mtp), iteration(two_nodes, no_dp, mtp), 1e-12);
  // Speculative decoding in an engine without overlap for it: every CPU millisecond shows,
  // the cross-node synchronization only where the ranks span nodes.
  EXPECT_NEAR(iteration(two_nodes, spec_off, mtp) - iteration(two_nodes, ep, mtp), 7e-3, 1e-9);
  EXPECT_NEAR(iteration(one_domain, spec_off, mtp) - iteration(one_domain, ep, mtp), 1e-3, 1e-9);
  // Without speculative decoding the engine keeps its overlap.
  EXPECT_NEAR(iteration(two_nodes, spec_off, none), iteration(two_nodes, ep, none), 1e-12);
}

// The cross-node CPU work is derived from what overlap scheduling was measured to save: with an
// engine that hides the fraction `overlap` of its CPU work, turning overlap off must cost the
// measured saving again, whatever that fraction is.
TEST(Serve, CrossNodeCpuWorkReproducesTheSavingItWasDerivedFrom) {
  const ModelArch& m = ModelOf("deepseek-v3");
  const Hardware hw = HardwareOf("nvidia-h200-sxm");
  const Parallelism dp16{.tp = 1, .pp = 1, .dp_attn = 16, .ep = 16};
  const StepModel sm = *StepModel::Build(m, hw, dp16, PrecisionForMode(DType::kFp8));
  const FamilyParams fp = testing::IdealParams();
  const double hidden = 6.1e-3;
  for (double overlap : {0.59, 0.8, 1.0}) {
    EngineParams on;
    on.step_overhead = Seconds::Zero();
    on.seq_overhead = Seconds::Zero();
    on.overlap = overlap;
    on.traits.dp_attention_cpu = DpAttentionCpu(hidden, overlap);
    EngineParams off = on;
    off.overlap = 0;
    auto iteration = [&](const EngineParams& e) {
      return 2 / DecodeThroughputPerGpu(sm, fp, e, 2, 65536 + 2048, Speculative{});
    };
    // The measured deployment's GPU iteration is longer than its CPU work, as here (without
    // overlap an iteration is the two one after the other).
    ASSERT_GT(iteration(off) - on.traits.dp_attention_cpu, on.traits.dp_attention_cpu);
    EXPECT_NEAR(iteration(off) - iteration(on), hidden, 1e-9) << "overlap " << overlap;
  }
  EXPECT_EQ(DpAttentionCpu(0, 0.5), 0);
  EXPECT_NEAR(DpAttentionCpu(6.1e-3, 0), 6.1e-3 / 0.05, 1e-12);  // no division by zero
}

// The loaded calibration derives the work from the saving engines.toml states and the engine's
// stored overlap.
TEST(Serve, BundledCrossNodeCpuWorkMatchesTheFittedOverlap) {
  const EngineParams& sglang = testing::Bundled().calibration.Engine("sglang");
  const double hidden = testing::Bundled().systems.EngineTraitsFor("sglang").dp_attention_hidden;
  ASSERT_GT(hidden, 0);
  EXPECT_EQ(sglang.traits.dp_attention_hidden, hidden);
  EXPECT_NEAR(sglang.traits.dp_attention_cpu * sglang.overlap, hidden, 1e-12);
  EXPECT_GT(sglang.traits.dp_attention_cpu, hidden);
}

// A disaggregated decode worker's batch is per attention rank (aiconfigurator's exports:
// concurrency = decode batch x decode workers x attention-DP ranks): a DP8 worker given 32 runs
// 32 sequences on each rank, the iteration DecodeThroughputPerGpu times at batch 32.
// TensorRT-LLM's attention-DP context balancing holds a new prompt until every attention rank
// has one or a timeout of T iterations passes; the counter runs whether or not a prompt waits,
// so a prompt arriving alone waits T / 2 iterations on average. With many arrivals per
// iteration every rank soon has a prompt, and the wait shrinks to a few iterations plus the
// batching wait. One attention rank: nothing to balance.
TEST(Serve, AttentionDpBalancingHoldsPromptsForHalfTheTimeoutWhenArrivalsAreSparse) {
  const ModelArch& m = ModelOf("deepseek-r1");
  const Hardware hw = HardwareOf("nvidia-b200");
  const PrecisionConfig prec = PrecisionForMode(DType::kFp8);
  const Parallelism dp8{.tp = 1, .pp = 1, .dp_attn = 8, .ep = 8};
  const StepModel sm = *StepModel::Build(m, hw, dp8, prec);
  const StepModel tp8 = *StepModel::Build(m, hw, {.tp = 8, .pp = 1, .dp_attn = 1, .ep = 8}, prec);
  const FamilyParams fp = testing::IdealParams();
  EngineParams ep;
  ep.burst = 0;  // staggered clients only: a wave reaches every rank at once
  ServingWorkload w;
  w.isl = 1024;
  w.osl = 1024;
  w.concurrency = 64;  // 8 per rank: 8 / 1024 arrivals per rank per iteration
  ServingWorkload held = w;
  held.balance = {.timeout_iters = 60, .batching_wait_iters = 0};
  const ServingTimes off = ServeTimes(sm, fp, ep, w, 1), on = ServeTimes(sm, fp, ep, held, 1);
  ASSERT_TRUE(off.fits && on.fits);
  const double t_dec = 8 / DecodeThroughputPerGpu(sm, fp, ep, 8, 1024 + 512, Speculative{});
  const double waited = (on.ttft - off.ttft).base() / t_dec;
  EXPECT_GT(waited, 29.0);
  EXPECT_LT(waited, 31.0);
  EXPECT_NEAR(on.tpot.base(), off.tpot.base(), 1e-12);  // the decoding ranks do not wait
  EXPECT_LT(on.output_tokens_per_s, off.output_tokens_per_s);  // the clients do
  // A longer timeout holds longer.
  held.balance.timeout_iters = 120;
  EXPECT_GT(ServeTimes(sm, fp, ep, held, 1).ttft.base(), on.ttft.base());
  // One attention rank: no effect.
  held.balance.timeout_iters = 60;
  EXPECT_EQ(ServeTimes(tp8, fp, ep, held, 1).ttft.base(), ServeTimes(tp8, fp, ep, w, 1).ttft.base());
  // Frequent arrivals (256 per rank, 64-token outputs: ~4 per rank per iteration) fill every
  // rank within an iteration or two; then the batching wait is what holds a prompt.
  w.concurrency = held.concurrency = 2048;
  w.osl = held.osl = 64;
  held.balance = {.timeout_iters = 60, .batching_wait_iters = 0};
  const ServingTimes busy_off = ServeTimes(sm, fp, ep, w, 1), busy_on = ServeTimes(sm, fp, ep, held, 1);
  const double busy_t =
      256 / DecodeThroughputPerGpu(sm, fp, ep, 256, 1024 + 32, Speculative{});
  const double busy_wait = (busy_on.ttft - busy_off.ttft).base() / busy_t;
  EXPECT_GT(busy_wait, 0.0);
  EXPECT_LT(busy_wait, 2.0);
  held.balance.batching_wait_iters = 10;
  EXPECT_NEAR((ServeTimes(sm, fp, ep, held, 1).ttft - busy_on.ttft).base() / busy_t, 10.0, 0.5);
}

// Post-processing workers (TensorRT-LLM num_postprocess_workers): an engine that builds its
// responses in the server's main process by default has two fixed costs per request, and a
// deployment with workers pays the second. It is a front-end cost: TTFT moves by exactly the
// difference, the decode iterations do not, and the clients' cycle (throughput) follows TTFT.
// An engine whose front end already works in other processes ignores the setting, in both the
// aggregated and the disaggregated path.
TEST(Serve, PostprocessingWorkersChangeOnlyTheFixedPartOfTtftOfAnInlineEngine) {
  const ModelArch& m = ModelOf("llama-3.1-70b");
  const Hardware hw = HardwareOf("nvidia-b200");
  const PrecisionConfig prec = PrecisionForMode(DType::kFp8);
  const StepModel sm = *StepModel::Build(m, hw, {.tp = 8, .pp = 1, .dp_attn = 1, .ep = 1}, prec);
  const FamilyParams fp = testing::IdealParams();
  EngineParams inline_pp;
  inline_pp.traits.inline_postprocessing = true;
  inline_pp.request_overhead = Seconds::FromBase(140e-3);
  inline_pp.pooled_request_overhead = Seconds::FromBase(30e-3);
  EngineParams separate = inline_pp;
  separate.traits.inline_postprocessing = false;
  ServingWorkload w;
  w.isl = 1024;
  w.osl = 8192;
  w.concurrency = 4;
  ServingWorkload pooled = w;
  pooled.postprocess_workers = 2;
  const ServingTimes a = ServeTimes(sm, fp, inline_pp, w, 1);
  const ServingTimes b = ServeTimes(sm, fp, inline_pp, pooled, 1);
  ASSERT_TRUE(a.fits && b.fits);
  EXPECT_NEAR((a.ttft - b.ttft).base(), 110e-3, 1e-9);
  EXPECT_EQ(a.tpot.base(), b.tpot.base());
  EXPECT_GT(b.output_tokens_per_s, a.output_tokens_per_s);
  // More workers are no cheaper than two: the model knows where the work runs, not how it
  // scales with the pool.
  pooled.postprocess_workers = 8;
  EXPECT_EQ(ServeTimes(sm, fp, inline_pp, pooled, 1).ttft.base(), b.ttft.base());
  // Front end in other processes already: no effect.
  EXPECT_EQ(ServeTimes(sm, fp, separate, pooled, 1).ttft.base(),
            ServeTimes(sm, fp, separate, w, 1).ttft.base());
  // Disaggregated serving pays the same front-end cost. There the decode workers hold only the
  // clients that are decoding (Little's law), so a longer TTFT leaves a hair fewer of them and
  // the decode iterations a hair shorter: TTFT moves by the difference within a millisecond.
  const ServingTimes da = ServeDisaggTimes(sm, sm, fp, inline_pp, w, 1, 1, 1, 4);
  const ServingTimes db = ServeDisaggTimes(sm, sm, fp, inline_pp, pooled, 1, 1, 1, 4);
  ASSERT_TRUE(da.fits && db.fits);
  EXPECT_NEAR((da.ttft - db.ttft).base(), 110e-3, 1e-3);
  EXPECT_LE(da.batch, db.batch);
  EXPECT_LE(da.tpot.base(), db.tpot.base());
}

// An engine's batch cap (max-num-seqs, max_batch_size): the clients beyond it queue. Little's
// law on the rank: with 64 clients and 32 slots, the 32 running ones are the 32-client workload
// (same batch, TPOT and throughput) and every request first waits one full cycle of it, since
// the other 32 clients' requests are ahead of it. A cap at or above the clients changes nothing,
// and a cap the KV cache undercuts is not what limits the batch.
TEST(Serve, AnEngineBatchCapQueuesTheClientsBeyondIt) {
  const ModelArch& m = ModelOf("llama-3.1-8b");
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  const StepModel sm = *StepModel::Build(m, hw, {.tp = 1, .pp = 1, .dp_attn = 1, .ep = 1},
                                         PrecisionForMode(DType::kBf16));
  const FamilyParams fp = testing::IdealParams();
  const EngineParams ep;
  ServingWorkload w;
  w.isl = 1024;
  w.osl = 1024;
  w.concurrency = 64;
  const ServingTimes open = ServeTimes(sm, fp, ep, w, 1);
  ASSERT_TRUE(open.fits);
  EXPECT_FALSE(open.kv_limited);
  EXPECT_EQ(open.batch, 64);

  ServingWorkload capped = w;
  capped.max_batch = 32;
  ServingWorkload half = w;
  half.concurrency = 32;
  const ServingTimes c = ServeTimes(sm, fp, ep, capped, 1);
  const ServingTimes h = ServeTimes(sm, fp, ep, half, 1);
  ASSERT_TRUE(c.fits && h.fits);
  EXPECT_EQ(c.batch, 32);
  EXPECT_TRUE(c.kv_limited);
  EXPECT_TRUE(c.engine_capped);
  EXPECT_EQ(c.tpot.base(), h.tpot.base());
  EXPECT_NEAR(c.output_tokens_per_s / h.output_tokens_per_s, 1.0, 1e-12);
  const double cycle = h.ttft.base() + (w.osl - 1) * h.tpot.base();
  EXPECT_NEAR((c.ttft - h.ttft).base() / cycle, 1.0, 1e-12);
  EXPECT_LT(c.output_tokens_per_s, open.output_tokens_per_s);  // a smaller batch, memory-bound
  EXPECT_LT(c.tpot.base(), open.tpot.base());

  capped.max_batch = 64;
  const ServingTimes same = ServeTimes(sm, fp, ep, capped, 1);
  EXPECT_EQ(same.ttft.base(), open.ttft.base());
  EXPECT_EQ(same.tpot.base(), open.tpot.base());
  EXPECT_FALSE(same.kv_limited);

  // Far more clients than the KV cache holds: a cap above the cache's capacity is not the limit.
  w.concurrency = capped.concurrency = 100000;
  capped.max_batch = 50000;
  const ServingTimes kv = ServeTimes(sm, fp, ep, w, 1);
  const ServingTimes kv_capped = ServeTimes(sm, fp, ep, capped, 1);
  ASSERT_TRUE(kv.kv_limited && kv_capped.kv_limited);
  EXPECT_LT(kv.batch, 50000);
  EXPECT_FALSE(kv.engine_capped);
  EXPECT_FALSE(kv_capped.engine_capped);
  EXPECT_EQ(kv_capped.ttft.base(), kv.ttft.base());
}

// What each engine keeps from weights and KV cache (EngineHeldBack), by hand: SGLang's
// heuristic in MiB (512 + 1.5 x budget + 2 x CUDA-graph batch + 1024 x tp x pp / 8, DP
// attention's graph padding, a 10 GiB floor), vLLM's 10% of the device, TensorRT-LLM's 10% of
// what weights and workspace leave.
TEST(Serve, EnginesKeepBackWhatTheirMemoryDefaultsSay) {
  constexpr double kMib = 1024.0 * 1024.0;
  const Hardware h100 = HardwareOf("nvidia-h100-sxm");
  const Hardware b200 = HardwareOf("nvidia-b200");
  const SystemDefaults& sys = Bundled().systems;
  const EngineTraits& sglang = sys.EngineTraitsFor("sglang");
  auto build = [](const ModelArch& m, const Hardware& hw, Parallelism par, DType prec) {
    auto sm = StepModel::Build(m, hw, par, PrecisionForMode(prec));
    EXPECT_TRUE(sm.ok());
    return *sm;
  };
  auto mib = [&](const HeldBack& h) { return (h.reserve + h.workspace).base() / kMib; };
  const ModelArch& qwen = ModelOf("qwen3-32b");
  const StepModel h100_tp1 = build(qwen, h100, {.tp = 1}, DType::kBf16);
  // H100 (80 GiB), TP1, budget 8,192: graph batch 256.
  EXPECT_DOUBLE_EQ(mib(EngineHeldBack(sglang, h100_tp1, 8192)), 512 + 12288 + 512 + 128);
  EXPECT_DOUBLE_EQ(EngineHeldBack(sglang, h100_tp1, 8192).workspace.base() / kMib, 12288);
  // A small budget: the 10 GiB floor of a device over 60 GiB.
  EXPECT_DOUBLE_EQ(mib(EngineHeldBack(sglang, h100_tp1, 1024)), 10240);
  const ModelArch& ds = ModelOf("deepseek-v3");
  // B200 (over 160 GiB), TP8: graph batch 512, budget 16,384.
  const StepModel b200_tp8 = build(ds, b200, {.tp = 8, .ep = 8}, DType::kFp8);
  EXPECT_DOUBLE_EQ(mib(EngineHeldBack(sglang, b200_tp8, 16384)), 512 + 24576 + 1024 + 1024);
  // ... with attention data parallelism over the 8 GPUs: + 512 x 8 x (3 + 1.5).
  const StepModel b200_dp8 = build(ds, b200, {.tp = 1, .dp_attn = 8, .ep = 8}, DType::kFp8);
  EXPECT_DOUBLE_EQ(mib(EngineHeldBack(sglang, b200_dp8, 16384)),
                   512 + 24576 + 1024 + 1024 + 512 * 8 * 4.5);
  // ... decoding with an MTP head: 2 GiB more for the draft and its graphs.
  EXPECT_DOUBLE_EQ(mib(EngineHeldBack(sglang, b200_dp8, 16384, /*speculative=*/true)),
                   512 + 24576 + 1024 + 1024 + 512 * 8 * 4.5 + 2048);
  const HeldBack model_default = h100_tp1.DefaultHeldBack();
  EXPECT_DOUBLE_EQ(EngineHeldBack(sys.default_engine, h100_tp1, 8192).reserve.base(),
                   model_default.reserve.base());
  const HeldBack vllm = EngineHeldBack(sys.EngineTraitsFor("vllm"), h100_tp1, 8192);
  EXPECT_NEAR(vllm.reserve.base(), 0.1 * h100.memory_capacity.base(), 1);
  EXPECT_EQ(vllm.workspace.base(), model_default.workspace.base());
  const HeldBack trt = EngineHeldBack(sys.EngineTraitsFor("trtllm"), h100_tp1, 8192);
  const double free =
      (h100.memory_capacity - h100_tp1.WeightBytesPerGpu() - model_default.workspace).base();
  EXPECT_NEAR(trt.reserve.base(), 0.1 * free, 1);
}

// gpt-oss's 18 sliding-window layers (128 tokens) as each engine holds them: vLLM keeps each
// sequence's window, SGLang's hybrid pool 0.8 sliding-layer tokens per token of the sequence,
// TensorRT-LLM's pool as many as the full-attention layers (its KV-cache creator counts every
// layer per token). One 2,048-token sequence in bf16 on one H200: 18 layers x 2 x 8 KV heads x
// 64 x 2 bytes per token per group of layers.
TEST(Serve, EnginesHoldSlidingWindowLayersAsTheySizeTheirPools) {
  const Hardware h200 = HardwareOf("nvidia-h200-sxm");
  const SystemDefaults& sys = Bundled().systems;
  auto sm = StepModel::Build(ModelOf("gpt-oss-120b"), h200, {.tp = 1},
                             PrecisionForMode(DType::kBf16));
  ASSERT_TRUE(sm.ok());
  const double group = 18.0 * 2 * 8 * 64 * 2;  // bytes per token of 18 layers
  auto kv = [&](const char* engine) {
    const HeldBack held = EngineHeldBack(sys.EngineTraitsFor(engine), *sm, 8192);
    return sm->ServingMemory(1, 2048, held).kv_cache.base();
  };
  EXPECT_DOUBLE_EQ(kv("vllm"), group * 2048 + group * 128);
  EXPECT_DOUBLE_EQ(kv("sglang"), group * 2048 * 1.8);
  EXPECT_DOUBLE_EQ(kv("trtllm"), group * 2048 * 2);
  EXPECT_DOUBLE_EQ(sm->ServingMemory(1, 2048).kv_cache.base(), kv("vllm"));
  // A model without sliding-window layers is held alike by every engine.
  auto llama = StepModel::Build(ModelOf("llama-3.1-8b"), h200, {.tp = 1},
                                PrecisionForMode(DType::kBf16));
  ASSERT_TRUE(llama.ok());
  for (const char* e : {"vllm", "sglang", "trtllm"})
    EXPECT_DOUBLE_EQ(
        llama->ServingMemory(1, 2048, EngineHeldBack(sys.EngineTraitsFor(e), *llama, 8192))
            .kv_cache.base(),
        llama->ServingMemory(1, 2048).kv_cache.base());
  // Through a query whose cache binds: TensorRT-LLM runs about half the sequences and says why.
  ServingQuery q =
      Query(ModelOf("gpt-oss-120b"), h200, 1, {.tp = 1}, DType::kFp4, 8192, 1024, 1500);
  q.workload.engine = "trtllm";
  auto trt = Serve(q);
  q.workload.engine = "vllm";
  auto vllm = Serve(q);
  ASSERT_TRUE(trt.ok() && vllm.ok());
  ASSERT_TRUE(trt->kv_limited && vllm->kv_limited);
  EXPECT_LT(trt->batch_per_rank, 0.6 * vllm->batch_per_rank);
  EXPECT_TRUE(std::any_of(trt->notes.begin(), trt->notes.end(), [](const std::string& n) {
    return n.find("keeps 100% of each sequence's tokens in the KV cache of the 18 "
                  "sliding-window layers") != std::string::npos;
  }));
  EXPECT_FALSE(std::any_of(vllm->notes.begin(), vllm->notes.end(), [](const std::string& n) {
    return n.find("sliding-window layers") != std::string::npos;
  }));
  // A disaggregated decode worker whose cache binds says it too.
  q.workload.engine = "trtllm";
  q.gpus = 2;
  q.disagg = Disaggregation{.prefill = {.tp = 1}, .prefill_workers = 1, .decode_workers = 1};
  auto split = Serve(q);
  ASSERT_TRUE(split.ok()) << split.error().ToString();
  ASSERT_TRUE(split->kv_limited);
  EXPECT_TRUE(std::any_of(split->notes.begin(), split->notes.end(), [](const std::string& n) {
    return n.find("keeps 100% of each sequence's tokens in the KV cache of the 18 "
                  "sliding-window layers") != std::string::npos;
  }));
}

// SGLang's request polling (--scheduler-recv-interval N): while the batch decodes, a prompt
// waits for the scheduler's next poll, N / 2 decode iterations on average instead of half the
// running one, so TTFT grows by (N - 1) / 2 decode iterations in the staggered share of the
// blend (a wave arrives at an idle scheduler, which polls at once); TPOT and the decode stay as
// they were while fewer than one prompt arrives per interval. An offline run takes every
// request at its start and is unchanged. Outside 1 to kMaxRecvInterval it is an error.
TEST(Serve, ASchedulerThatPollsForRequestsEveryNIterationsDelaysTheFirstToken) {
  const Hardware b200 = HardwareOf("nvidia-b200");
  const ModelArch& m = ModelOf("deepseek-r1");
  // SGLang serving `clients` of 1,024-token prompts and `osl` outputs, polling every `n`.
  auto serve = [&](int clients, int osl, int n) {
    ServingQuery q = Query(m, b200, 8, {.tp = 8, .ep = 8}, DType::kFp4, 1024, osl, clients);
    q.workload.engine = "sglang";
    q.workload.recv_interval = n;
    return Serve(q);
  };
  auto every = serve(4, 1024, 1), polled = serve(4, 1024, 30);
  ASSERT_TRUE(every.ok() && polled.ok());
  const double burst = Bundled().calibration.Engine("sglang").burst;
  const double t_dec = every->latency.decode.base();
  EXPECT_NEAR(polled->ttft.base() - every->ttft.base(), (1 - burst) * 14.5 * t_dec, 1e-9);
  EXPECT_NEAR(polled->latency.waiting.base() - every->latency.waiting.base(),
              (1 - burst) * 14.5 * t_dec, 1e-9);
  EXPECT_DOUBLE_EQ(polled->tpot.base(), every->tpot.base());
  EXPECT_LT(polled->output_tokens_per_s, every->output_tokens_per_s);
  // Many clients: the prompts of one interval are prefilled together, so a prompt's own
  // iterations carry more than itself.
  auto busy1 = serve(256, 128, 1), busy30 = serve(256, 128, 30);
  ASSERT_TRUE(busy1.ok() && busy30.ok());
  EXPECT_GT(busy30->latency.prefill.base(), busy1->latency.prefill.base());
  // An offline run is unchanged.
  ServingQuery q = Query(m, b200, 8, {.tp = 8, .ep = 8}, DType::kFp4, 1024, 1024, 4);
  q.workload.engine = "sglang";
  q.workload.recv_interval = 30;
  q.workload.requests = 64;
  auto offline_polled = Serve(q);
  q.workload.recv_interval = 1;
  auto offline = Serve(q);
  ASSERT_TRUE(offline.ok() && offline_polled.ok());
  EXPECT_DOUBLE_EQ(offline_polled->ttft.base(), offline->ttft.base());
  EXPECT_DOUBLE_EQ(offline_polled->run_s, offline->run_s);
  for (int bad : {0, -3, kMaxRecvInterval + 1}) {
    q.workload.recv_interval = bad;
    auto r = Serve(q);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "recv_interval");
  }
}

// A memory setting (--memory-share) read in each engine's own sense: vLLM's and the generic
// engine's share of the device, TensorRT-LLM's share of what weights and workspace leave,
// SGLang's mem-fraction-static (weights and KV pool fill the share; the heuristic's activations
// are the workspace within the rest, all of the rest when it is smaller).
TEST(Serve, EnginesReadAMemorySettingInTheirOwnSense) {
  constexpr double kMib = 1024.0 * 1024.0;
  const Hardware h200 = HardwareOf("nvidia-h200-sxm");
  const SystemDefaults& sys = Bundled().systems;
  auto sm =
      StepModel::Build(ModelOf("deepseek-r1"), h200, {.tp = 8}, PrecisionForMode(DType::kFp8));
  ASSERT_TRUE(sm.ok());
  const double cap = h200.memory_capacity.base();
  const HeldBack base = sm->DefaultHeldBack();
  const EngineTraits& sg = sys.EngineTraitsFor("sglang");
  const HeldBack sglang = EngineHeldBack(sg, *sm, 32768, false, 0.6);
  EXPECT_NEAR((sglang.reserve + sglang.workspace).base(), 0.4 * cap, 1);
  EXPECT_DOUBLE_EQ(sglang.workspace.base() / kMib, 1.5 * 32768);
  // The InferenceX scripts' 0.82 leaves 27 GB, less than the heuristic's activations for a
  // 32,768-token budget (48 GiB): all of it is workspace. The heuristic alone keeps ~24 GB more
  // back, which left the KV cache 11.5 GB where the setting leaves 38.5 GB.
  const HeldBack scripts = EngineHeldBack(sg, *sm, 32768, false, 0.82);
  EXPECT_NEAR(scripts.workspace.base(), 0.18 * cap, 1);
  EXPECT_EQ(scripts.reserve.base(), 0);
  const HeldBack heuristic = EngineHeldBack(sg, *sm, 32768);
  EXPECT_GT((heuristic.reserve + heuristic.workspace).base(), 0.18 * cap + 20e9);
  const HeldBack vllm = EngineHeldBack(sys.EngineTraitsFor("vllm"), *sm, 8192, false, 0.6);
  EXPECT_NEAR(vllm.reserve.base(), 0.4 * cap, 1);
  EXPECT_EQ(vllm.workspace.base(), base.workspace.base());
  const HeldBack generic = EngineHeldBack(sys.default_engine, *sm, 8192, false, 0.6);
  EXPECT_NEAR(generic.reserve.base(), 0.4 * cap, 1);
  const HeldBack trt = EngineHeldBack(sys.EngineTraitsFor("trtllm"), *sm, 8192, false, 0.5);
  const double free = (h200.memory_capacity - sm->WeightBytesPerGpu() - base.workspace).base();
  EXPECT_NEAR(trt.reserve.base(), 0.5 * free, 1);
  // Through a query: the KV cache grows with the share and the deployment reports it.
  ServingQuery q = Query(ModelOf("deepseek-r1"), h200, 8, {.tp = 8}, DType::kFp8, 8192, 1024, 64);
  q.workload.engine = "sglang";
  q.workload.token_budget = 32768;
  auto by_default = Serve(q);
  q.workload.memory_share = 0.82;
  auto set = Serve(q);
  ASSERT_TRUE(by_default.ok() && set.ok());
  EXPECT_TRUE(by_default->kv_limited);  // 64 clients hold 19.6 GB of FP8 KV: 11.5 GB room
  EXPECT_FALSE(set->kv_limited);
  EXPECT_LT(set->ttft.base(), by_default->ttft.base() / 5);
}

// Qwen3-32B in bf16 on one H100 leaves 20 GB beside its weights: SGLang's reserve (13.1 GiB)
// leaves its KV cache too small for 16 clients of 2,048 + 512 tokens, so they queue; vLLM's 10%
// does not. Measured with SGLang (aiconfigurator gap analysis, 0.5.8.post1): TTFT 16-89 s at
// 2,048-token prompts and 128-512 output tokens.
TEST(Serve, SglangsReserveQueuesClientsThatVllmsHolds) {
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  ServingQuery q = Query(ModelOf("qwen3-32b"), hw, 1, {.tp = 1}, DType::kBf16, 2048, 512, 16);
  q.workload.engine = "sglang";
  auto sglang = Serve(q);
  q.workload.engine = "vllm";
  auto vllm = Serve(q);
  ASSERT_TRUE(sglang.ok() && vllm.ok());
  ASSERT_TRUE(sglang->fits && vllm->fits);
  EXPECT_TRUE(sglang->kv_limited);
  EXPECT_LT(sglang->batch_per_rank, 16);
  EXPECT_GT(sglang->latency.slot.base(), 0);
  EXPECT_FALSE(vllm->kv_limited);
  EXPECT_EQ(vllm->batch_per_rank, 16);
  EXPECT_GT(sglang->memory.reserve + sglang->memory.activations,
            vllm->memory.reserve + vllm->memory.activations);
}

// Where a request's time goes (LatencyParts) adds up to its TTFT and TPOT in every pattern: each
// engine's burst blend, prompts within and beyond the iteration budget, speculative decoding,
// clients queued for a slot, and a disaggregated deployment. No part is negative; the slot wait
// appears exactly when clients queue and is all of what the queue adds.
TEST(Serve, LatencyPartsAddUpToTtftAndTpot) {
  const ModelArch& m = ModelOf("llama-3.1-8b");
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  const StepModel sm = *StepModel::Build(m, hw, {.tp = 1, .pp = 1, .dp_attn = 1, .ep = 1},
                                         PrecisionForMode(DType::kBf16));
  const Calibration& cal = Bundled().calibration;
  const FamilyParams& fp = cal.Family(hw.family);
  auto check = [](const ServingTimes& t, const std::string& what) {
    ASSERT_TRUE(t.fits) << what;
    const LatencyParts& l = t.parts;
    EXPECT_NEAR(l.Ttft().base(), t.ttft.base(), 1e-9 * t.ttft.base()) << what;
    EXPECT_NEAR(l.Tpot().base(), t.tpot.base(), 1e-9 * t.tpot.base()) << what;
    for (Seconds p : {l.waiting, l.prefill, l.kv_transfer, l.request, l.clients, l.slot,
                      l.decode, l.prompts})
      EXPECT_GE(p.base(), -1e-12) << what;
    EXPECT_GT(l.prefill.base(), 0) << what;
    EXPECT_GT(l.decode.base(), 0) << what;
    EXPECT_EQ(l.slot.base() > 0, t.kv_limited) << what;
  };
  for (const char* engine : {"", "vllm", "sglang", "trtllm"}) {
    const EngineParams& ep = cal.Engine(engine);
    for (int isl : {512, 20000})
      for (int conc : {1, 16, 256, 1000000})
        for (bool spec : {false, true}) {
          ServingWorkload w;
          w.engine = engine;
          w.isl = isl;
          w.osl = 512;
          w.concurrency = conc;
          if (spec) w.speculative = {.steps = 1, .draft_tokens = 2, .accepted = 1.7};
          const ServingTimes t = ServeTimes(sm, fp, ep, w, 1);
          check(t, fmt::format("{} isl {} clients {} spec {}", engine, isl, conc, spec));
          EXPECT_NEAR(t.parts.request.base(), ep.request_overhead.base(), 1e-15);
        }
  }
  // Clients beyond an engine cap: what the queue adds to TTFT is the slot wait, nothing else.
  const EngineParams& ep = cal.Engine("vllm");
  ServingWorkload w;
  w.engine = "vllm";
  w.concurrency = 64;
  w.max_batch = 32;
  ServingWorkload half = w;
  half.concurrency = 32;
  const ServingTimes c = ServeTimes(sm, fp, ep, w, 1), h = ServeTimes(sm, fp, ep, half, 1);
  ASSERT_TRUE(c.kv_limited);
  EXPECT_NEAR(c.parts.slot.base(), (c.ttft - h.ttft).base(), 1e-12);
  EXPECT_EQ(c.parts.waiting.base(), h.parts.waiting.base());
  EXPECT_EQ(c.parts.prefill.base(), h.parts.prefill.base());
  // Disaggregated: the prefill batch, the KV hand-off and the prefill workers' queue, which
  // grows when more clients than the workers keep up with wait for them.
  const auto [pre, dec] = H200DeepSeekWorkers();
  ServingWorkload dw;
  dw.engine = "sglang";
  dw.concurrency = 256;
  const ServingTimes d = ServeDisaggTimes(pre, dec, fp, cal.Engine("sglang"), dw, 1, 1, 1, 32);
  check(d, "disaggregated");
  EXPECT_GT(d.parts.kv_transfer.base(), 0);
  EXPECT_EQ(d.parts.prompts.base(), 0);
  dw.concurrency = 256 * 16;
  const ServingTimes busy = ServeDisaggTimes(pre, dec, fp, cal.Engine("sglang"), dw, 1, 1, 1, 32);
  check(busy, "disaggregated, 16x the clients");
  EXPECT_GT(busy.parts.waiting.base(), 10 * d.parts.waiting.base());
  EXPECT_EQ(busy.parts.prefill.base(), d.parts.prefill.base());
}

// An engine that multiplies MLA's absorbed products in FP8 (TensorRT-LLM) does so on Hopper
// only; on Blackwell, and in the engines without the trait, they run in bf16. The bundled
// traits say which engine does what.
TEST(Serve, Fp8LatentProductsAreTensorRtLlmsOnHopper) {
  const ModelArch& dsv3 = ModelOf("deepseek-v3");
  const PrecisionConfig fp8 = PrecisionForMode(DType::kFp8);
  const Calibration& cal = Bundled().calibration;
  const Hardware h200 = HardwareOf("nvidia-h200-sxm"), b200 = HardwareOf("nvidia-b200");
  EXPECT_TRUE(WithEngineAttention(fp8, cal.Engine("trtllm").traits, dsv3, h200).fp8_latent_bmm);
  EXPECT_FALSE(WithEngineAttention(fp8, cal.Engine("trtllm").traits, dsv3, b200).fp8_latent_bmm);
  for (const char* engine : {"vllm", "sglang"})
    EXPECT_FALSE(WithEngineAttention(fp8, cal.Engine(engine).traits, dsv3, h200).fp8_latent_bmm)
        << engine;
  // SGLang folds the shared expert into the routed experts' kernel on Hopper only.
  EXPECT_TRUE(WithEngineAttention(fp8, cal.Engine("sglang").traits, dsv3, h200).fused_shared_expert);
  EXPECT_FALSE(WithEngineAttention(fp8, cal.Engine("sglang").traits, dsv3, b200).fused_shared_expert);
  for (const char* engine : {"vllm", "trtllm"})
    EXPECT_FALSE(
        WithEngineAttention(fp8, cal.Engine(engine).traits, dsv3, h200).fused_shared_expert)
        << engine;
}

// An engine that runs context attention in FP8 (TensorRT-LLM) does so only with an FP8 KV
// cache, FP8 or FP4 GEMMs, an FP8 tensor rate and softmax attention over per-head keys; the
// long prompt's prefill then gets faster and nothing else changes.
TEST(Serve, Fp8ContextAttentionNeedsAnFp8KvCacheQuantizedGemmsAndAnFp8Rate) {
  const ModelArch& llama = ModelOf("llama-3.1-70b");
  const Hardware h100 = HardwareOf("nvidia-h100-sxm");
  EngineTraits fp8_ctx;
  fp8_ctx.fp8_context_attention = true;
  const PrecisionConfig fp8 = PrecisionForMode(DType::kFp8);
  EXPECT_EQ(WithEngineAttention(fp8, fp8_ctx, llama, h100).attention, DType::kFp8);
  EXPECT_EQ(WithEngineAttention(PrecisionForMode(DType::kFp4), fp8_ctx, llama, h100).attention,
            DType::kFp8);
  EXPECT_EQ(WithEngineAttention(fp8, EngineTraits{}, llama, h100).attention, DType::kBf16);
  PrecisionConfig bf16_kv = fp8;
  bf16_kv.kv_cache = DType::kBf16;
  EXPECT_EQ(WithEngineAttention(bf16_kv, fp8_ctx, llama, h100).attention, DType::kBf16);
  EXPECT_EQ(WithEngineAttention(PrecisionForMode(DType::kBf16), fp8_ctx, llama, h100).attention,
            DType::kBf16);
  PrecisionConfig w4a16 = PrecisionForMode(DType::kInt4);
  w4a16.kv_cache = DType::kFp8;
  EXPECT_EQ(WithEngineAttention(w4a16, fp8_ctx, llama, h100).attention, DType::kBf16);
  // MLA and linear attention keep their kernels' format; an explicit format is kept.
  EXPECT_EQ(WithEngineAttention(fp8, fp8_ctx, ModelOf("deepseek-v3"), h100).attention,
            DType::kBf16);
  EXPECT_EQ(WithEngineAttention(fp8, fp8_ctx, ModelOf("qwen3.5-397b-a17b"), h100).attention,
            DType::kBf16);
  PrecisionConfig fp16_attn = fp8;
  fp16_attn.attention = DType::kFp16;
  EXPECT_EQ(WithEngineAttention(fp16_attn, fp8_ctx, llama, h100).attention, DType::kFp16);
  // No FP8 tensor rate (A100): nothing to gain.
  EXPECT_EQ(WithEngineAttention(fp8, fp8_ctx, llama, HardwareOf("nvidia-a100-sxm-80gb")).attention,
            DType::kBf16);
  // The physics: an 8k-token prefill's attention takes half as long; decode does not change.
  const Parallelism tp8{.tp = 8, .pp = 1, .dp_attn = 1, .ep = 1};
  const StepModel base = *StepModel::Build(llama, h100, tp8, fp8);
  const StepModel fast =
      *StepModel::Build(llama, h100, tp8, WithEngineAttention(fp8, fp8_ctx, llama, h100));
  const FamilyParams fp = testing::IdealParams();
  const StepTime p0 = base.Prefill(fp, 1, 8192), p1 = fast.Prefill(fp, 1, 8192);
  EXPECT_NEAR(p1.attention.base(), p0.attention.base() / 2, p0.attention.base() * 0.02);
  EXPECT_EQ(p1.gemm.base(), p0.gemm.base());
  EXPECT_LT(p1.total.base(), p0.total.base());
  EXPECT_NEAR(fast.Decode(fp, 32, 2048).total.base(), base.Decode(fp, 32, 2048).total.base(),
              base.Decode(fp, 32, 2048).total.base() * 1e-3);
}

// The precision note says what the step model does: FP4 weights on a chip without an FP4
// tensor rate run weight-only kernels at the bf16 rate (StepAcceptance.
// FourBitPrefillWithoutATensorRateRunsAtTheBf16Rate), not at the FP8 rate.
TEST(Serve, Fp4WithoutAnFp4RateIsNotedAsBf16Math) {
  auto notes_for = [](const char* chip) {
    const Hardware hw = HardwareOf(chip);
    auto r = Serve(Query(ModelOf("gpt-oss-120b"), hw, 1, {.tp = 1}, DType::kFp4, 1024, 1024, 8));
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    std::string all;
    for (const std::string& n : r->notes) all += n + "\n";
    return all;
  };
  const std::string h200 = notes_for("nvidia-h200-sxm");
  EXPECT_NE(h200.find("no fp4 rate"), std::string::npos) << h200;
  EXPECT_NE(h200.find("bf16 rate"), std::string::npos) << h200;
  EXPECT_EQ(h200.find("fp8 rate"), std::string::npos) << h200;
  EXPECT_EQ(notes_for("nvidia-b200").find("fp4 rate"), std::string::npos);
}

// More instances than clients: the idle ones are named, since the per-GPU throughput counts them
// (4 clients on 100,000 H100s once read as 0.0045 tokens/s per GPU with no word why).
TEST(Serve, IdleInstancesAreNoted) {
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  auto idle = Serve(Query(ModelOf("llama-3.1-8b"), hw, 8, {.tp = 1}, DType::kBf16, 1024, 1024, 3));
  ASSERT_TRUE(idle.ok()) << idle.error().ToString();
  std::string all;
  for (const std::string& n : idle->notes) all += n + "\n";
  EXPECT_NE(all.find("3 clients for 8 instances: 5 of them have none"), std::string::npos) << all;
  auto busy = Serve(Query(ModelOf("llama-3.1-8b"), hw, 8, {.tp = 1}, DType::kBf16, 1024, 1024, 8));
  ASSERT_TRUE(busy.ok()) << busy.error().ToString();
  for (const std::string& n : busy->notes) EXPECT_EQ(n.find("have none"), std::string::npos) << n;
}

// A request longer than the model's context is refused, as an engine refuses it; one that
// fills it exactly is served. Past a native context the maker extends (Qwen3's YaRN), a note.
TEST(Serve, RequestsLongerThanTheContextAreRefused) {
  const Hardware hw = HardwareOf("nvidia-h200-sxm");
  auto at = [&](const char* model, int isl, int osl) {
    return Serve(Query(ModelOf(model), hw, 8, {.tp = 8}, DType::kFp8, isl, osl, 4));
  };
  auto over = at("llama-2-70b", 3500, 597);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().field, "isl");
  EXPECT_NE(over.error().message.find("4,097 tokens exceed the 4,096-token context of Llama 2 70B"),
            std::string::npos)
      << over.error().message;
  EXPECT_TRUE(at("llama-2-70b", 3500, 596).ok());
  EXPECT_TRUE(at("llama-3.1-70b", 130000, 1072).ok());
  EXPECT_FALSE(at("llama-3.1-70b", 130000, 1073).ok());
  // The contexts confirmed from the makers' deployment texts (MiniMax's guide, Qwen's README).
  EXPECT_TRUE(at("minimax-m2.5", 195608, 1000).ok());
  EXPECT_FALSE(at("minimax-m2.5", 195608, 1001).ok());
  EXPECT_TRUE(at("qwen3.5-397b-a17b", 261144, 1000).ok());
  EXPECT_FALSE(at("qwen3.5-397b-a17b", 261144, 1001).ok());
  auto notes = [](const ServingResult& r) {
    std::string all;
    for (const std::string& n : r.notes) all += n + "\n";
    return all;
  };
  auto native = at("qwen3-32b", 32000, 768);
  ASSERT_TRUE(native.ok()) << native.error().ToString();
  EXPECT_EQ(notes(*native).find("native context"), std::string::npos) << notes(*native);
  auto yarn = at("qwen3-32b", 64000, 1000);
  ASSERT_TRUE(yarn.ok()) << yarn.error().ToString();
  EXPECT_NE(notes(*yarn).find("65,000 tokens per request are past Qwen3 32B's native context of "
                              "32,768: it reaches 131,072 only"),
            std::string::npos)
      << notes(*yarn);
  // A model whose context is not in its file is not checked.
  ModelArch open_ended = ModelOf("llama-2-70b");
  open_ended.context.reset();
  EXPECT_TRUE(
      Serve(Query(open_ended, hw, 8, {.tp = 8}, DType::kFp8, 100000, 1000, 4)).ok());
}

// Batch waiting (TensorRT-LLM batch_wait_timeout_iters / batch_wait_max_tokens_ratio, no
// attention DP): the scheduler's counter starts with the first held prompt, so with sparse
// arrivals every prompt waits out the whole timeout; a token threshold one prompt reaches, a
// lone client (nothing decoding) or attention data parallelism hold nothing; frequent
// arrivals reach the threshold sooner and wait less.
TEST(Serve, BatchWaitingHoldsSparsePromptsForTheWholeTimeout) {
  const ModelArch& m = ModelOf("llama-3.1-70b");
  const Hardware hw = HardwareOf("nvidia-h200-sxm");
  const PrecisionConfig prec = PrecisionForMode(DType::kFp8);
  const StepModel sm = *StepModel::Build(m, hw, {.tp = 1, .pp = 1, .dp_attn = 1, .ep = 1}, prec);
  const FamilyParams fp = testing::IdealParams();
  EngineParams ep;
  ep.burst = 0;  // staggered clients only: a wave fills the threshold at once
  ServingWorkload w;
  w.isl = 1024;
  w.osl = 1024;
  w.concurrency = 4;  // 4 / 1024 arrivals per iteration: ~0.08 in 20 iterations
  ServingWorkload held = w;
  held.batch_wait = {.timeout_iters = 20, .max_tokens_ratio = 0.9};
  w.token_budget = held.token_budget = 16384;
  const ServingTimes off = ServeTimes(sm, fp, ep, w, 1), on = ServeTimes(sm, fp, ep, held, 1);
  ASSERT_TRUE(off.fits && on.fits);
  const double t_dec = 4 / DecodeThroughputPerGpu(sm, fp, ep, 4, 1024 + 512, Speculative{});
  const double waited = (on.ttft - off.ttft).base() / t_dec;
  EXPECT_GT(waited, 19.0);
  EXPECT_LE(waited, 20.0 + 1e-9);
  EXPECT_NEAR(on.tpot.base(), off.tpot.base(), 1e-12);
  EXPECT_LT(on.output_tokens_per_s, off.output_tokens_per_s);
  // A threshold that one prompt and the decodes reach: no wait.
  ServingWorkload low = held, low_off = w;
  low.token_budget = low_off.token_budget = 1024;
  EXPECT_EQ(ServeTimes(sm, fp, ep, low, 1).ttft.base(), ServeTimes(sm, fp, ep, low_off, 1).ttft.base());
  // One client: nothing decodes while its prompt waits, so the engine does not hold it.
  ServingWorkload one = held, one_off = w;
  one.concurrency = one_off.concurrency = 1;
  EXPECT_EQ(ServeTimes(sm, fp, ep, one, 1).ttft.base(), ServeTimes(sm, fp, ep, one_off, 1).ttft.base());
  // Attention data parallelism: the engine balances instead (ContextBalance), no batch wait.
  const StepModel adp = *StepModel::Build(ModelOf("deepseek-r1"), HardwareOf("nvidia-b200"),
                                          {.tp = 1, .pp = 1, .dp_attn = 8, .ep = 8}, prec);
  ServingWorkload moe = held, moe_off = w;
  moe.concurrency = moe_off.concurrency = 64;
  EXPECT_EQ(ServeTimes(adp, fp, ep, moe, 1).ttft.base(), ServeTimes(adp, fp, ep, moe_off, 1).ttft.base());
  // 256 clients with 64-token outputs (~4 arrivals per iteration) reach two prompts' worth
  // (ratio 0.9 of 2048 tokens) within an iteration or so.
  w.concurrency = held.concurrency = 256;
  w.osl = held.osl = 64;
  w.token_budget = held.token_budget = 2048;
  const ServingTimes busy_off = ServeTimes(sm, fp, ep, w, 1), busy_on = ServeTimes(sm, fp, ep, held, 1);
  const double busy_t = 256 / DecodeThroughputPerGpu(sm, fp, ep, 256, 1024 + 32, Speculative{});
  const double busy_wait = (busy_on.ttft - busy_off.ttft).base() / busy_t;
  EXPECT_GT(busy_wait, 0.0);
  EXPECT_LT(busy_wait, 1.0);
}

TEST(Serve, DisaggregatedDecodeBatchIsPerAttentionRank) {
  const auto [prefill, decode] = H200DeepSeekWorkers();
  const FamilyParams fp = testing::IdealParams();
  const EngineParams ep;
  ServingWorkload w;
  w.isl = 1024;
  w.osl = 1024;
  w.concurrency = 256;  // 32 per rank x 8 ranks x 1 worker
  const ServingTimes t = ServeDisaggTimes(prefill, decode, fp, ep, w, 1, 1, 1, 32);
  ASSERT_TRUE(t.fits);
  // 32 clients per rank, of which those not waiting for their first token decode: nearly all
  // of them when a prompt's turn is short against 1,023 decode iterations.
  const double decode_time = 1023 * t.tpot.base();
  EXPECT_NEAR(t.batch, 32 * decode_time / (t.ttft.base() + decode_time), 0.01 * 32);
  EXPECT_GT(t.batch, 30);
  EXPECT_LE(t.batch, 32);
  const double per_gpu =
      DecodeThroughputPerGpu(decode, fp, ep, t.batch, 1024 + 512, Speculative{});
  EXPECT_NEAR(t.tpot.base(), t.batch / per_gpu, 1e-12);
  // More sequences per rank take longer per token.
  EXPECT_GT(t.tpot.base(), ServeDisaggTimes(prefill, decode, fp, ep, w, 1, 1, 1, 4).tpot.base());
}

// A closed loop whose prefill workers cannot keep up: most clients wait for a prompt's turn, and
// the decode workers run what the prefill rate feeds them, not every client the export counts
// per rank (GB200 SGLang DeepSeek runs at 6,144-8,192 clients measured TPOT 21-26 ms where
// decoding every client at once takes 43-79 ms, and TTFT 75-104 s). Little's law holds on the
// decode stage: sequences decoding = completions per second x decode time. Under load a
// prefill worker batches the prompts waiting for it up to its token budget (SGLang's 8,192 on
// an H200: four 2,048-token prompts), so its capacity is that batch's rate, above one prompt
// at a time's.
TEST(Serve, APrefillBoundDisaggregatedLoopDecodesWhatThePrefillWorkersFeedIt) {
  const auto [prefill, decode] = H200DeepSeekWorkers();
  const FamilyParams fp = testing::IdealParams();
  EngineParams ep;
  ep.traits = Bundled().systems.EngineTraitsFor("sglang");
  ServingWorkload w;
  w.engine = "sglang";
  w.isl = 2048;
  w.osl = 1024;
  w.concurrency = 8 * 512;  // 512 clients per rank of one DP8 decode worker
  const ServingTimes t = ServeDisaggTimes(prefill, decode, fp, ep, w, 1, 1, 1, 512);
  ASSERT_TRUE(t.fits);
  const double rate = t.output_tokens_per_s / w.osl;  // completions per second
  const double decode_time = (w.osl - 1) * t.tpot.base();
  EXPECT_NEAR(8 * t.batch, rate * decode_time, 0.01 * 8 * t.batch);
  EXPECT_LT(t.batch, 512 / 2.0);
  EXPECT_NEAR(t.tpot.base(),
              t.batch / DecodeThroughputPerGpu(decode, fp, ep, t.batch, 2048 + 512, Speculative{}),
              1e-12);
  // The loop runs at the prefill workers' batched capacity: full batches of four prompts,
  // faster than one prompt at a time.
  const double one = prefill.Prefill(fp, 1, 2048).total.base() + ep.step_overhead.base();
  const double four = prefill.Prefill(fp, 4, 2048).total.base() + ep.step_overhead.base();
  EXPECT_GT(rate, 1.2 / one);
  EXPECT_NEAR(rate, 4 / four, 1e-6 * rate);
  // Half the clients: the prefill workers still bound the loop, so the same rate and batch.
  w.concurrency /= 2;
  const ServingTimes half = ServeDisaggTimes(prefill, decode, fp, ep, w, 1, 1, 1, 256);
  EXPECT_NEAR(half.output_tokens_per_s, t.output_tokens_per_s, 1e-6 * t.output_tokens_per_s);
  EXPECT_NEAR(half.batch, t.batch, 0.01 * t.batch);
  EXPECT_LT(half.ttft.base(), t.ttft.base());
}

TEST(Search, SlaSearchMeetsTheTargetAndBeatsOrMatchesEveryFixedLayout) {
  const Hardware hw = HardwareOf("nvidia-h200-sxm");
  const ModelArch& m = ModelOf("llama-3.1-70b");
  ServingQuery q = Query(m, hw, 8, {}, DType::kFp8, 1024, 1024, 1);
  SlaSearchOptions o;
  o.sla.tpot = Seconds::FromBase(0.025);
  o.max_concurrency = 512;
  auto best = SearchServing(q, o);
  ASSERT_TRUE(best.ok());
  ASSERT_TRUE(best->found);
  EXPECT_LE(best->result.tpot.base(), 0.025);
  EXPECT_GT(best->evaluated, 10);
  for (int tp : {1, 2, 4, 8}) {
    SlaSearchOptions fixed = o;
    fixed.tp = tp;
    auto r = SearchServing(q, fixed);
    ASSERT_TRUE(r.ok());
    if (r->found) {
      EXPECT_LE(r->result.output_tokens_per_s_per_gpu,
                best->result.output_tokens_per_s_per_gpu * (1 + 1e-9));
    }
  }
}

TEST(Search, UnreachableSlaIsAnOutcome) {
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  ServingQuery q = Query(ModelOf("llama-3.1-405b"), hw, 8, {}, DType::kFp8, 1024, 1024, 1);
  SlaSearchOptions o;
  o.sla.tpot = Seconds::FromBase(0.0001);
  auto r = SearchServing(q, o);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->found);
  // What is shown is the deployment nearest the target, and the reason says by how much it
  // misses: no layout at any client count has a lower TPOT.
  EXPECT_EQ(r->query.workload.concurrency, 1);
  EXPECT_GT(r->result.tpot.base(), 0.0001);
  EXPECT_EQ(r->why_none.rfind("no deployment meets the latency targets; the nearest, " +
                                  r->query.par.ToString() + " at 1 client, has TPOT ",
                              0),
            0u)
      << r->why_none;
  EXPECT_NE(r->why_none.find(" ms against 0.1 ms"), std::string::npos) << r->why_none;
  EXPECT_EQ(r->why_none.find("TTFT"), std::string::npos) << r->why_none;  // no TTFT target
  for (int tp : {1, 2, 4, 8}) {
    ServingQuery one = q;
    one.par = {.tp = tp};
    auto each = Serve(one);
    ASSERT_TRUE(each.ok());
    if (each->fits) {
      EXPECT_GE(each->tpot.base(), r->result.tpot.base()) << "TP" << tp;
    }
  }
  // With both targets, the one the nearest deployment meets is not named.
  o.sla.ttft = Seconds::FromBase(100);
  r = SearchServing(q, o);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->found);
  EXPECT_EQ(r->why_none.find("TTFT"), std::string::npos) << r->why_none;
  // When nothing fits at all there is no nearest deployment.
  ServingQuery alone = Query(ModelOf("llama-3.1-405b"), hw, 1, {}, DType::kBf16, 1024, 1024, 1);
  r = SearchServing(alone, o);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->found);
  EXPECT_EQ(r->why_none, "no deployment fits and meets the latency targets");
}

TrainingQuery Training(const ModelArch& m, const Hardware& hw) {
  TrainingQuery q;
  q.model = &m;
  q.hardware = &hw;
  q.calibration = &Bundled().calibration;
  return q;
}

TEST(Train, Llama405bOn8192H100) {
  // Llama 3's 8,192-GPU layout (TP8 PP16 DP64, 8,192-token sequences): with the Megatron-style
  // defaults (sequence parallelism, selective recomputation, 1F1B) it fits in 80 GB; without
  // recomputation the 16 in-flight micro-batches of 8 layers do not; full recomputation fits
  // with a third more compute.
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  TrainingQuery q = Training(ModelOf("llama-3.1-405b"), hw);
  q.gpus = 8192, q.tp = 8, q.pp = 16, q.global_batch = 2048, q.seq = 8192;
  q.tokens = 15.6e12;
  auto r = Train(q);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->fits) << r->does_not_fit;
  EXPECT_GT(r->mfu, 0.3);
  EXPECT_LT(r->mfu, 0.6);
  EXPECT_EQ(r->dp, 64);
  EXPECT_EQ(r->micro_batches, 32);
  EXPECT_DOUBLE_EQ(r->in_flight, 16);
  EXPECT_GT(r->breakdown.bubble.base(), 0);
  ASSERT_TRUE(r->time_to_train.has_value());
  EXPECT_NEAR(r->time_to_train->base() * r->tokens_per_s, 15.6e12, 1e3);
  const double selective = r->step_time.base();
  q.recompute = Recompute::kNone;
  r = Train(q);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->fits);
  EXPECT_LT(r->step_time.base(), selective);
  q.recompute = Recompute::kFull;
  r = Train(q);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->fits);
  EXPECT_GT(r->step_time.base(), selective * 1.15);
}

TEST(Train, NoBubbleWithoutPipelineAndErrorsForBadLayouts) {
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  TrainingQuery q = Training(ModelOf("llama-3.1-8b"), hw);
  q.gpus = 8, q.tp = 1, q.global_batch = 64, q.seq = 4096;
  auto r = Train(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->breakdown.bubble.base(), 0);
  q.global_batch = 60;
  r = Train(q);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "global_batch");
  EXPECT_EQ(r.error().message,
            "60 is not a multiple of the data-parallel size x the micro-batch = 8 x 1");
  q.global_batch = 64, q.tp = 3;
  r = Train(q);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "gpus");
  EXPECT_EQ(r.error().message, "8 is not divisible by tp x pp x cp = 3");
}

TEST(Train, DoesNotFitIsAnOutcome) {
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  TrainingQuery q = Training(ModelOf("llama-3.1-70b"), hw);
  q.gpus = 8, q.tp = 8, q.zero = 0, q.global_batch = 8, q.seq = 4096;
  auto r = Train(q);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->fits);  // 70B x 18 bytes of weights, gradients and Adam state / 8 GPUs
  EXPECT_NE(r->does_not_fit.find("> capacity 85.52 GB"), std::string::npos);
}


// A disaggregated ServingQuery is served as the worker query it describes: the decode workers'
// clients per attention rank are the query's clients spread over them.
TEST(ServeDisaggregated, AQueryWithWorkersIsServedAsTheWorkerQuery) {
  const ModelArch& m = ModelOf("deepseek-v3");
  const Hardware hw = HardwareOf("nvidia-h200-sxm");
  const Parallelism pre{.tp = 8, .ep = 8}, dec{.tp = 1, .dp_attn = 8, .ep = 8};
  ServingQuery q = Query(m, hw, 24, dec, DType::kFp8, 4096, 1024, 512);
  q.workload.engine = "sglang";
  q.disagg = Disaggregation{.prefill = pre, .prefill_workers = 1, .decode_workers = 2};
  auto r = Serve(q);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_TRUE(r->fits);
  DisaggQuery dq{.model = &m, .hardware = &hw, .calibration = &Bundled().calibration,
                 .prefill = pre, .decode = dec, .prefill_workers = 1, .decode_workers = 2,
                 .prefill_batch = 1, .decode_batch = 512.0 / 16,
                 .precision = q.precision, .workload = q.workload};
  auto direct = ServeDisaggregated(dq);
  ASSERT_TRUE(direct.ok());
  EXPECT_DOUBLE_EQ(r->ttft.base(), direct->ttft.base());
  EXPECT_DOUBLE_EQ(r->tpot.base(), direct->tpot.base());
  EXPECT_NEAR(r->output_tokens_per_s_per_gpu * 24, r->output_tokens_per_s, 1e-6);
  EXPECT_EQ(r->uncertainty.regimes.other, Regime::kDisaggregated);
  EXPECT_GT(r->latency.kv_transfer.base(), 0);
  // The GPUs must be the workers': 1 x 8 + 2 x 8.
  q.gpus = 16;
  auto wrong = Serve(q);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().field, "gpus");
  EXPECT_NE(wrong.error().message.find("1 prefill x 8"), std::string::npos)
      << wrong.error().message;
}

// A decode worker runs at most what its KV cache holds; the other clients wait for a slot, so
// past that point more clients add only TTFT (Little's law) and the throughput stays.
TEST(ServeDisaggregated, ADecodeWorkerRunsWhatItsKvCacheHoldsAndTheRestWait) {
  const Calibration& cal = Bundled().calibration;
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  const ModelArch& m = ModelOf("llama-3.1-70b");
  const PrecisionConfig prec = PrecisionForMode(DType::kFp8);
  const StepModel pre = *StepModel::Build(m, hw, {.tp = 4}, prec);
  const StepModel dec = *StepModel::Build(m, hw, {.tp = 4}, prec);
  const FamilyParams& fp = cal.Family(hw.family);
  const EngineParams& ep = cal.Engine("vllm");
  ServingWorkload w;
  w.engine = "vllm";
  w.isl = 8192;
  w.osl = 2048;
  // Clients per decode rank from 64 to 4,096: the slots run out on the way.
  std::vector<ServingTimes> runs;
  for (int c : {64, 256, 1024, 4096}) {
    w.concurrency = c;
    runs.push_back(ServeDisaggTimes(pre, dec, fp, ep, w, 4, 1, 1, c));
  }
  ASSERT_TRUE(runs.back().fits);
  EXPECT_FALSE(runs.front().kv_limited);
  ASSERT_TRUE(runs.back().kv_limited);
  const ServingTimes& full = runs.back();
  // A TP4 H100 worker holds a few dozen 10k-token sequences of Llama 70B, not thousands.
  const MemoryUse one = dec.ServingMemory(1, 8192 + 2048, dec.DefaultHeldBack());
  EXPECT_LT(full.batch, one.kv_token_capacity / 8192);  // each holds at least its prompt
  EXPECT_GT(full.batch, 8);
  EXPECT_GT(full.parts.slot.base(), 0);
  EXPECT_NEAR(full.parts.Ttft().base(), full.ttft.base(), 1e-9 * full.ttft.base());
  // Little's law: clients x decode time / cycle = the batch that decodes.
  const double decode_time = 2047 * full.tpot.base();
  EXPECT_NEAR(4096 * decode_time / (full.ttft.base() + decode_time), full.batch,
              1e-6 * full.batch);
  const ServingTimes& before = runs[runs.size() - 2];
  if (before.kv_limited) {
    EXPECT_EQ(full.batch, before.batch);
    EXPECT_NEAR(full.output_tokens_per_s, before.output_tokens_per_s,
                1e-6 * full.output_tokens_per_s);
  }
  for (std::size_t i = 1; i < runs.size(); ++i)
    EXPECT_GE(runs[i].ttft.base(), runs[i - 1].ttft.base()) << i;
}

// The disaggregated search keeps each worker's GPU count, honours the sizes fixed for either
// worker and names a prefill size the model rejects by its own field.
TEST(SearchServing, SearchesBothWorkersLayoutsOfADisaggregatedDeployment) {
  const ModelArch& m = ModelOf("deepseek-v3");
  const Hardware hw = HardwareOf("nvidia-h200-sxm");
  ServingQuery q = Query(m, hw, 24, {.tp = 8}, DType::kFp8, 4096, 1024, 256);
  q.workload.engine = "sglang";
  q.disagg = Disaggregation{.prefill = {.tp = 8}, .prefill_workers = 1, .decode_workers = 2};
  SlaSearchOptions o;
  auto best = SearchServing(q, o);
  ASSERT_TRUE(best.ok()) << best.error().ToString();
  ASSERT_TRUE(best->found);
  EXPECT_GT(best->evaluated, 1);
  ASSERT_TRUE(best->query.disagg.has_value());
  EXPECT_EQ(best->query.disagg->prefill.Gpus(), 8);
  EXPECT_EQ(best->query.par.Gpus(), 8);
  EXPECT_EQ(best->query.disagg->decode_workers, 2);
  // No layout pair does better than the one found.
  for (const Parallelism& p : {Parallelism{.tp = 8, .ep = 8}, Parallelism{.dp_attn = 8, .ep = 8}})
    for (const Parallelism& d :
         {Parallelism{.tp = 8, .ep = 8}, Parallelism{.dp_attn = 8, .ep = 8}}) {
      ServingQuery one = q;
      one.par = d;
      one.disagg->prefill = p;
      auto r = Serve(one);
      ASSERT_TRUE(r.ok());
      EXPECT_LE(r->output_tokens_per_s_per_gpu,
                best->result.output_tokens_per_s_per_gpu * (1 + 1e-9));
    }
  SlaSearchOptions fixed;
  fixed.prefill_tp = 8, fixed.prefill_ep = 8, fixed.dp_attn = 8;
  auto f = SearchServing(q, fixed);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->query.disagg->prefill.tp, 8);
  EXPECT_EQ(f->query.disagg->prefill.ep, 8);
  EXPECT_EQ(f->query.par.dp_attn, 8);
  // Qwen3-32B's 64 attention heads do not split over 6 GPUs.
  const ModelArch& qwen = ModelOf("qwen3-32b");
  const Hardware h100 = HardwareOf("nvidia-h100-sxm");
  ServingQuery dense = Query(qwen, h100, 12, {.tp = 6}, DType::kFp8, 4096, 1024, 64);
  dense.disagg = Disaggregation{.prefill = {.tp = 6}};
  SlaSearchOptions bad;
  bad.prefill_tp = 6;
  auto b = SearchServing(dense, bad);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->evaluated, 0);
  EXPECT_EQ(b->why_none_field, "prefill_tp");
  EXPECT_NE(b->why_none.find("attention heads"), std::string::npos) << b->why_none;
}


// An offline run (ServingWorkload::requests): every request queued at the start, served until
// the last is done.
struct OfflineCase {
  StepModel sm;
  EngineParams ep;
  ServingWorkload w;
};
OfflineCase OfflineLlama8b(int max_batch) {
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  OfflineCase c{*StepModel::Build(ModelOf("llama-3.1-8b"), hw, {.tp = 1},
                                  PrecisionForMode(DType::kFp8)),
                Bundled().calibration.Engine("trtllm"), {}};
  c.w.isl = 1024;
  c.w.osl = 256;
  c.w.engine = "trtllm";
  c.w.max_batch = max_batch;
  return c;
}
const FamilyParams& Hopper() { return Bundled().calibration.Family("hopper"); }

// One request: its prompt, then its decodes at batch 1; the run ends with its last token, and
// its TPOT is the closed loop's at one client (attention is linear in the context, so the
// stride at its mean context is the mean of the steps).
TEST(Offline, OneRequestRunsItsPrefillThenItsDecodes) {
  OfflineCase c = OfflineLlama8b(0);
  c.w.requests = c.w.concurrency = 1;
  const ServingTimes t = ServeTimes(c.sm, Hopper(), c.ep, c.w, 1);
  ASSERT_TRUE(t.fits);
  EXPECT_EQ(t.batch, 1);
  EXPECT_FALSE(t.kv_limited);
  const double first = (t.ttft - t.parts.request).base();
  EXPECT_NEAR(t.run_s, first + (c.w.osl - 1) * t.tpot.base(), 1e-12);
  EXPECT_NEAR(t.output_tokens_per_s * t.run_s, c.w.osl, 1e-9);
  ServingWorkload loop = c.w;
  loop.requests = 0;
  const ServingTimes l = ServeTimes(c.sm, Hopper(), c.ep, loop, 1);
  EXPECT_NEAR(t.tpot.base() / l.parts.decode.base(), 1.0, 0.01);
}

// Many waves through a fixed batch: the ramp and the tail are a small share of the run, so its
// rate approaches the closed loop's at that batch; one wave loses a visible share to them. (A
// closed-loop client also idles through the engine's fixed costs per request, which an offline
// run, its requests tokenized up front, does not wait for: they are zero here.)
TEST(Offline, ManyWavesApproachTheClosedLoopAndOneWaveDoesNot) {
  OfflineCase c = OfflineLlama8b(32);
  c.ep.request_overhead = c.ep.pooled_request_overhead = Seconds::Zero();
  c.ep.client_overhead = Seconds::Zero();
  ServingWorkload loop = c.w;
  loop.concurrency = 32;
  const ServingTimes l = ServeTimes(c.sm, Hopper(), c.ep, loop, 1);
  ASSERT_TRUE(l.fits);
  ASSERT_EQ(l.batch, 32);
  ServingWorkload many = c.w;
  many.requests = many.concurrency = 32 * 50;
  const ServingTimes m = ServeTimes(c.sm, Hopper(), c.ep, many, 1);
  ServingWorkload one = c.w;
  one.requests = one.concurrency = 32;
  const ServingTimes o = ServeTimes(c.sm, Hopper(), c.ep, one, 1);
  ASSERT_TRUE(m.fits && o.fits);
  EXPECT_EQ(m.batch, 32);
  EXPECT_TRUE(m.kv_limited);
  EXPECT_TRUE(m.engine_capped);
  EXPECT_NEAR(m.output_tokens_per_s / l.output_tokens_per_s, 1.0, 0.05);
  // The queue is in TTFT: the last of 50 waves waits for 49 before it.
  EXPECT_GT(m.ttft.base(), 20 * o.ttft.base());
  // Short outputs behind a small budget (two prompts an iteration): the wave's ramp and tail
  // are a large share of one wave, a small one of fifty.
  for (ServingWorkload* w : {&many, &one}) w->osl = 64, w->token_budget = 2048;
  const double rate_many = ServeTimes(c.sm, Hopper(), c.ep, many, 1).output_tokens_per_s;
  const double rate_one = ServeTimes(c.sm, Hopper(), c.ep, one, 1).output_tokens_per_s;
  EXPECT_LT(rate_one, 0.92 * rate_many);
}

// More requests never end a run sooner, on one rank or several; the rate counts every token.
TEST(Offline, MoreRequestsNeverShortenTheRun) {
  OfflineCase c = OfflineLlama8b(16);
  for (int instances : {1, 3}) {
    double last = 0;
    for (int n : {1, 2, 3, 15, 16, 17, 31, 32, 33, 100, 1000}) {
      ServingWorkload w = c.w;
      w.requests = w.concurrency = n;
      const ServingTimes t = ServeTimes(c.sm, Hopper(), c.ep, w, instances);
      ASSERT_TRUE(t.fits) << n;
      EXPECT_GE(t.run_s, last) << instances << " instances, " << n << " requests";
      EXPECT_NEAR(t.output_tokens_per_s * t.run_s, static_cast<double>(n) * c.w.osl, 1e-6 * n)
          << n;
      last = t.run_s;
    }
  }
}


// An offline run's throughput takes the band of the published offline runs (the offline
// regime, 56 of them); its TTFT and TPOT, which those runs do not publish, keep the bands of
// the closed-loop regimes its batch and latency parts fall in.
TEST(Offline, ThroughputTakesTheOfflineRunsBandLatencyTheClosedLoops) {
  const Calibration& cal = Bundled().calibration;
  const ErrorBand& off = cal.Band(CalibrationBasis::kProfiled, PerfMetric::kThroughput,
                                  Regime::kOffline);
  EXPECT_EQ(off.count, 56);
  const Hardware hw = HardwareOf("nvidia-h200-sxm");
  ServingQuery q =
      Query(ModelOf("llama-3.1-70b"), hw, 2, {.tp = 2}, DType::kFp8, 1024, 1024, 3000);
  q.workload.engine = "trtllm";
  q.workload.requests = 3000;
  auto r = Serve(q);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const Regimes& g = r->uncertainty.regimes;
  EXPECT_TRUE(g.offline);
  EXPECT_EQ(RegimeFor(g, PerfMetric::kThroughput), Regime::kOffline);
  EXPECT_NE(g.other, Regime::kOffline);
  EXPECT_EQ(r->uncertainty.throughput.low, off.low);
  EXPECT_EQ(r->uncertainty.throughput.high, off.high);
  EXPECT_EQ(r->uncertainty.tpot.low,
            cal.Band(CalibrationBasis::kProfiled, PerfMetric::kTpot, g.other, "trtllm",
                     ModelKind::kDense)
                .low);
  // The same clients in a closed loop never take the offline band.
  q.workload.requests = 0;
  auto loop = Serve(q);
  ASSERT_TRUE(loop.ok());
  EXPECT_FALSE(loop->uncertainty.regimes.offline);
  EXPECT_NE(RegimeFor(loop->uncertainty.regimes, PerfMetric::kThroughput), Regime::kOffline);
}

// One-token requests: an offline run of them ends with their prompts; no TPOT, no rate per user
// after the first token (0, not infinity), and the run's rate counts their one token each.
TEST(Offline, OneTokenRequestsHaveNoTpot) {
  const Hardware hw = HardwareOf("nvidia-h100-sxm");
  ServingQuery q = Query(ModelOf("llama-3.1-8b"), hw, 1, {.tp = 1}, DType::kFp8, 128, 1, 10);
  q.workload.requests = 10;
  auto r = Serve(q);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->tpot.base(), 0);
  EXPECT_EQ(r->tokens_per_s_per_user, 0);
  EXPECT_GT(r->run_s, 0);
  EXPECT_NEAR(r->output_tokens_per_s * r->run_s, 10, 1e-9);
}

// A prompt far longer than the iteration budget fills whole iterations with its chunks, taken in
// strides: a thousand 100,000-token prompts through a one-token budget end (a step-by-step
// simulation would take 10^8 iterations), and later than through a budget that holds them.
TEST(Offline, LongPromptsThroughATinyBudgetAreStrided) {
  OfflineCase c = OfflineLlama8b(0);
  c.w.isl = 100000;
  c.w.osl = 16;
  c.w.requests = c.w.concurrency = 1000;
  c.w.token_budget = 1;
  const ServingTimes tiny = ServeTimes(c.sm, Hopper(), c.ep, c.w, 1);
  ASSERT_TRUE(tiny.fits);
  EXPECT_TRUE(std::isfinite(tiny.run_s));
  c.w.token_budget = 200000;
  const ServingTimes whole = ServeTimes(c.sm, Hopper(), c.ep, c.w, 1);
  ASSERT_TRUE(whole.fits);
  EXPECT_GT(tiny.run_s, whole.run_s);
  EXPECT_NEAR(tiny.output_tokens_per_s * tiny.run_s, 1000.0 * c.w.osl, 1e-6);
}
}  // namespace
}  // namespace ceiling::perf
