// Training: what each parallelism and memory option does (sequence parallelism, recomputation,
// interleaving, DualPipe, context and expert parallelism, FP8, ZeRO), the published layouts
// that must fit, and field-level errors.
#include "ceiling/perf/training.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "ceiling/perf/validation.h"
#include "fixture.h"

namespace ceiling::perf {
namespace {

using testing::Bundled;
using testing::HardwareOf;
using testing::ModelOf;

class TrainingTest : public ::testing::Test {
 protected:
  TrainingQuery Query(const char* model, const char* chip) {
    hw_ = HardwareOf(chip);
    TrainingQuery q;
    q.model = &ModelOf(model);
    q.hardware = &hw_;
    q.calibration = &Bundled().calibration;
    return q;
  }
  TrainingResult Run(const TrainingQuery& q) {
    auto r = Train(q);
    if (!r.ok()) {
      ADD_FAILURE() << r.error().ToString();
      return {};
    }
    return *r;
  }
  Hardware hw_;
};

// Llama 3 70B on 64 H100s, TP8 PP2: the reference layout the option tests vary.
TrainingQuery Llama70b(TrainingQuery q) {
  q.gpus = 64, q.tp = 8, q.pp = 2, q.global_batch = 256, q.seq = 8192;
  return q;
}

// For a layout that does not fit, FittingLayoutNote names the fastest one of the same GPUs that
// does: running that layout fits, takes the step time the note states, and no other tensor /
// pipeline split of the same GPUs fits and runs faster. A model no layout can hold is said so.
TEST_F(TrainingTest, ALayoutThatDoesNotFitNamesTheFastestThatDoes) {
  TrainingQuery q = Llama70b(Query("llama-3.1-70b", "nvidia-h100-sxm"));
  q.tp = 1, q.pp = 1;
  ASSERT_FALSE(Run(q).fits);
  const std::string note = FittingLayoutNote(q);
  // "the fastest layout of these 64 GPUs that fits: TP4 PP4 DP4 (tp 4, pp 4): 55.9 s per step, ..."
  int tp = 0, pp = 0, dp = 0, tp2 = 0, pp2 = 0;
  double step = 0;
  ASSERT_EQ(std::sscanf(note.c_str(),
                        "the fastest layout of these 64 GPUs that fits: TP%d PP%d DP%d (tp %d, "
                        "pp %d): %lf s per step",
                        &tp, &pp, &dp, &tp2, &pp2, &step),
            6)
      << note;
  EXPECT_EQ(tp2, tp);
  EXPECT_EQ(pp2, pp);
  q.tp = tp, q.pp = pp;
  EXPECT_EQ(q.Dp(), dp);
  const TrainingResult named = Run(q);
  EXPECT_TRUE(named.fits) << note;
  EXPECT_NEAR(named.step_time.base(), step, 0.006 * named.step_time.base()) << note;
  for (int t : {1, 2, 4, 8})
    for (int p : {1, 2, 4, 8, 16, 32, 64}) {
      TrainingQuery c = q;
      c.tp = t, c.pp = p;
      if (!c.Validate().ok()) continue;
      const TrainingResult other = Run(c);
      if (other.fits) {
        EXPECT_LE(other.tokens_per_s, named.tokens_per_s * (1 + 1e-12)) << t << " " << p;
      }
    }
  TrainingQuery one = Query("llama-3.1-70b", "nvidia-h100-sxm");
  one.gpus = 1, one.global_batch = 8, one.seq = 4096;
  ASSERT_FALSE(Run(one).fits);
  EXPECT_EQ(FittingLayoutNote(one).rfind(
                "no layout of one GPU fits, even with full recomputation and ZeRO-3", 0),
            0u)
      << FittingLayoutNote(one);
  one.tp = 3;  // a query Train() refuses gets no sentence
  EXPECT_EQ(FittingLayoutNote(one), "");
}

TEST_F(TrainingTest, SequenceParallelismShardsTheNormRegion) {
  TrainingQuery q = Llama70b(Query("llama-3.1-70b", "nvidia-h100-sxm"));
  const TrainingResult sp = Run(q);
  q.sequence_parallel = false;
  const TrainingResult no_sp = Run(q);
  EXPECT_LT(sp.memory.activations, no_sp.memory.activations);
  // Without sequence parallelism the TP collectives cannot overlap the GEMMs.
  EXPECT_LE(sp.step_time, no_sp.step_time);
}

TEST_F(TrainingTest, RecomputationTradesMemoryForCompute) {
  TrainingQuery q = Llama70b(Query("llama-3.1-70b", "nvidia-h100-sxm"));
  q.recompute = Recompute::kNone;
  const TrainingResult none = Run(q);
  q.recompute = Recompute::kSelective;
  const TrainingResult selective = Run(q);
  q.recompute = Recompute::kFull;
  const TrainingResult full = Run(q);
  EXPECT_GT(none.memory.activations, selective.memory.activations);
  EXPECT_GT(selective.memory.activations, full.memory.activations * 5);
  EXPECT_LE(none.step_time, selective.step_time);
  // Selective recomputation redoes elementwise work only; full redoes the forward GEMMs.
  EXPECT_LT(selective.step_time.base(), none.step_time.base() * 1.05);
  EXPECT_GT(full.step_time.base(), selective.step_time.base() * 1.2);
}

TEST_F(TrainingTest, InterleavingShrinksTheBubbleAndHoldsMoreActivations) {
  TrainingQuery q = Query("llama-3.1-405b", "nvidia-h100-sxm");
  q.gpus = 8192, q.tp = 8, q.pp = 16, q.global_batch = 2048, q.seq = 8192;
  const TrainingResult plain = Run(q);
  q.virtual_stages = 4;
  const TrainingResult interleaved = Run(q);
  EXPECT_NEAR(interleaved.breakdown.bubble / plain.breakdown.bubble, 0.25, 0.05);
  EXPECT_LT(interleaved.step_time, plain.step_time);
  // Megatron-Core's interleaved warm-up: (2 (pp - 1) + (v - 1) pp + 1) / v = 19.75 stages.
  EXPECT_DOUBLE_EQ(interleaved.in_flight, 19.75);
  EXPECT_GT(interleaved.memory.activations, plain.memory.activations);
}

TEST_F(TrainingTest, ContextParallelismSplitsTheSequence) {
  TrainingQuery q = Query("llama-3.1-405b", "nvidia-h100-sxm");
  q.gpus = 16384, q.tp = 8, q.pp = 16, q.global_batch = 128, q.seq = 131072;
  q.cp = 16;
  const TrainingResult r = Run(q);
  // Llama 3's 128K-token layout fits with CP16: each GPU holds 8,192 tokens of each sequence.
  EXPECT_TRUE(r.fits) << r.does_not_fit;
  q.cp = 8, q.gpus = 8192;
  const TrainingResult half = Run(q);
  EXPECT_GT(half.memory.activations.base(), r.memory.activations.base() * 1.8);
}

TEST_F(TrainingTest, PublishedLayoutsFit) {
  // Llama 3 405B, Table 4 of the Llama 3 paper: TP8 PP16 on 8,192 and 16,384 H100s (80 GB).
  for (int gpus : {8192, 16384}) {
    TrainingQuery q = Query("llama-3.1-405b", "nvidia-h100-sxm");
    q.gpus = gpus, q.tp = 8, q.pp = 16, q.global_batch = 2048, q.seq = 8192;
    const TrainingResult r = Run(q);
    EXPECT_TRUE(r.fits) << gpus << ": " << r.does_not_fit;
    // The paper's interleaved schedule (section 3.3.2): the first chunk holds only the
    // embedding, the last only the output layer, so a chunk is one layer and 126 + 2 = 128
    // chunks make 8 per rank. It is accepted and still fits, with a bubble of 15 / (8 m).
    q.virtual_stages = 8;
    const TrainingResult v8 = Run(q);
    EXPECT_TRUE(v8.fits) << gpus << ": " << v8.does_not_fit;
    EXPECT_NEAR(v8.breakdown.bubble / r.breakdown.bubble, 1.0 / 8, 0.02);
  }
  // DeepSeek-V3 on 2,048 H800s: PP16 DualPipe, EP64, FP8, BF16 Adam moments.
  TrainingQuery q = Query("deepseek-v3", "nvidia-h800-sxm");
  q.gpus = 2048, q.pp = 16, q.ep = 64, q.global_batch = 15360, q.seq = 4096;
  q.precision = DType::kFp8, q.dualpipe = true, q.bf16_moments = true;
  const TrainingResult r = Run(q);
  EXPECT_TRUE(r.fits) << r.does_not_fit;
  EXPECT_DOUBLE_EQ(r.in_flight, 17);  // pp + 1 micro-batches
}

// Megatron-Core reduces gradients and shards its distributed optimizer over the data-parallel
// ranks together with the context-parallel ones (its dp_cp group): they hold the same
// parameters. NeMo's Llama 3.1 405B layout on 128 B200s (TP4 PP8 CP2, two data-parallel
// ranks) only fits so: fp32 gradients (4 bytes per parameter, unsharded under ZeRO-1) and Adam
// state (12, sharded) come to 4 + 12 / 4 = 7 bytes per parameter, against 4 + 12 / 2 = 10 when
// only the two data-parallel ranks share the state.
TEST_F(TrainingTest, ContextParallelRanksShareTheOptimizerShard) {
  TrainingQuery q = Query("llama-3.1-405b", "nvidia-b200");
  q.gpus = 128, q.tp = 4, q.pp = 8, q.cp = 2, q.virtual_stages = 8;
  q.global_batch = 64, q.seq = 8192, q.precision = DType::kFp8;
  const TrainingResult cp2 = Run(q);
  EXPECT_TRUE(cp2.fits) << cp2.does_not_fit;
  q.cp = 1, q.gpus = 64;  // the same two data-parallel ranks, no context parallelism
  const TrainingResult cp1 = Run(q);
  EXPECT_NEAR(cp1.memory.optimizer.base() / cp2.memory.optimizer.base(), 10.0 / 7.0, 1e-9);
}

// Every training run in data/validation ran, so its published layout fits in the model's
// memory accounting, with the settings its source records. The one exception is NeMo's Llama 3
// 70B on GB200s (FSDP, micro-batch 2 of 8,192 tokens), whose recipe keeps the activations of
// 40 of the 80 layers in the Grace CPU's memory (cpu_offloading_num_layers), which the model
// does not represent: it must not fit without that, and this test says so when it changes.
TEST_F(TrainingTest, PublishedTrainingRunsFit) {
  auto set = LoadValidationSet(testing::DataDir(), Bundled().chips, Bundled().models);
  ASSERT_TRUE(set.ok()) << set.error().message;
  int runs = 0;
  for (const ValidationPoint& p : set->points) {
    if (p.kind != PointKind::kTraining) continue;
    ++runs;
    const TrainingQuery bound = Query(p.model.c_str(), p.chip.c_str());
    TrainingQuery q = p.training;  // the point's layout and settings, pointers unset
    q.model = bound.model, q.hardware = bound.hardware, q.calibration = bound.calibration;
    const TrainingResult r = Run(q);
    if (p.id == "nemo-gb200-llama3-70b")
      EXPECT_FALSE(r.fits) << p.id << " fits: the model now offloads activations?";
    else
      EXPECT_TRUE(r.fits) << p.id << ": " << r.does_not_fit;
  }
  EXPECT_EQ(runs, 20);
}

TEST_F(TrainingTest, DualPipeHidesTheAllToAllAndHalvesTheBubble) {
  TrainingQuery q = Query("deepseek-v3", "nvidia-h800-sxm");
  q.gpus = 2048, q.pp = 16, q.ep = 64, q.global_batch = 15360, q.seq = 4096;
  q.precision = DType::kFp8;
  const TrainingResult plain = Run(q);
  q.ep_comm_overlap = true;
  const TrainingResult overlapped = Run(q);
  EXPECT_LT(overlapped.breakdown.communication, plain.breakdown.communication);
  q.ep_comm_overlap = false, q.dualpipe = true;
  const TrainingResult dualpipe = Run(q);
  EXPECT_LT(dualpipe.breakdown.bubble.base(), plain.breakdown.bubble.base() * 0.5);
  EXPECT_NEAR(dualpipe.memory.weights / plain.memory.weights, 2.0, 1e-9);  // two copies
  q.bf16_moments = true;
  EXPECT_LT(Run(q).memory.optimizer, dualpipe.memory.optimizer);
}

// Gradients kept and reduced in bf16 (Megatron-Core's grad_reduce_in_fp32 off): the buffer holds
// 2 bytes per parameter instead of 4, so the saving equals the bf16 weights themselves while
// FP8 GEMMs on a chip whose record has no FP8 rate run at its bf16 rate, and the answer says so;
// on a chip with one, no such note.
TEST_F(TrainingTest, AGemmFormatTheChipLacksIsNoted) {
  auto fp8_note = [](const TrainingResult& r) {
    for (const std::string& n : r.notes)
      if (n.find("has no fp8 rate in its record; GEMMs use the bf16 rate") != std::string::npos)
        return true;
    return false;
  };
  TrainingQuery q = Llama70b(Query("llama-3.1-70b", "huawei-ascend-910c"));
  q.precision = DType::kFp8;
  const TrainingResult fp8 = Run(q);
  EXPECT_TRUE(fp8_note(fp8));
  q.precision = DType::kBf16;
  EXPECT_FALSE(fp8_note(Run(q)));
  EXPECT_NEAR(fp8.breakdown.compute.base() / Run(q).breakdown.compute.base(), 1.0, 0.05)
      << "no fp8 rate: the GEMMs run at the bf16 rate";
  TrainingQuery h100 = Llama70b(Query("llama-3.1-70b", "nvidia-h100-sxm"));
  h100.precision = DType::kFp8;
  EXPECT_FALSE(fp8_note(Run(h100)));
}

// ZeRO leaves both whole; the data-parallel reduction moves half the bytes and the optimizer
// reads 30 bytes per parameter instead of 32. The same holds without a sharded optimizer.
TEST_F(TrainingTest, Bf16GradientsHalveTheBufferAndTheReduction) {
  for (int zero : {0, 1}) {
    TrainingQuery q = Llama70b(Query("llama-3.1-70b", "nvidia-h100-sxm"));
    q.zero = zero;
    const TrainingResult fp32 = Run(q);
    q.bf16_grads = true;
    const TrainingResult bf16 = Run(q);
    EXPECT_NEAR((fp32.memory.optimizer - bf16.memory.optimizer) / fp32.memory.weights, 1.0, 1e-9)
        << "zero " << zero;
    EXPECT_EQ(bf16.memory.weights, fp32.memory.weights);
    EXPECT_LT(bf16.breakdown.communication, fp32.breakdown.communication) << "zero " << zero;
    EXPECT_LT(bf16.step_time, fp32.step_time) << "zero " << zero;
    EXPECT_NEAR(bf16.breakdown.optimizer / fp32.breakdown.optimizer, 30.0 / 32, 1e-9);
    EXPECT_EQ(bf16.breakdown.compute, fp32.breakdown.compute);
  }
}

TEST_F(TrainingTest, ExpertAllToAllCostsMoreOverTheNics) {
  // EP8 inside one HGX node (NVLink) against EP64 across eight nodes (400 Gb/s NICs).
  TrainingQuery q = Query("deepseek-v3", "nvidia-h800-sxm");
  q.gpus = 2048, q.pp = 16, q.global_batch = 15360, q.seq = 4096, q.precision = DType::kFp8;
  q.ep = 8;
  const TrainingResult local = Run(q);
  q.ep = 64;
  const TrainingResult spread = Run(q);
  const double local_comm = local.breakdown.communication.base();
  EXPECT_GT(spread.breakdown.communication.base(), local_comm);
}

// Megatron-Core puts the pipeline outermost in its rank order, so the GPUs of one stage
// (tp x cp x dp) are consecutive and the experts' data-parallel group strides over the expert-
// parallel ranks: gpt-oss-120b with EP8 on 64 B200s (eight 8-GPU nodes) reduces each expert's
// gradients across the eight nodes over the NICs (NeMo's published layout, 3.99 s per step; the
// model put that traffic on NVLink and the step at 1.20 s). On the 8 GPUs of one node the same
// layout never touches the NICs.
TEST_F(TrainingTest, ExpertGradientsCrossTheNodesTheirStageSpans) {
  TrainingQuery q = Query("gpt-oss-120b", "nvidia-b200");
  q.gpus = 64, q.ep = 8, q.micro_batch = 4, q.global_batch = 512, q.seq = 4096;
  const TrainingResult nics = Run(q);
  hw_.scale_out = hw_.scale_up;
  const TrainingResult nvlink_only = Run(q);
  EXPECT_GT(nics.step_time.base(), 1.5 * nvlink_only.step_time.base());

  q = Query("gpt-oss-120b", "nvidia-b200");
  q.gpus = 8, q.ep = 8, q.micro_batch = 4, q.global_batch = 64, q.seq = 4096;
  const TrainingResult node = Run(q);
  hw_.scale_out = hw_.scale_up;
  EXPECT_EQ(node.step_time.base(), Run(q).step_time.base());
}

// With the pipeline outermost, TP4 PP4 DP4 on 64 H100s makes stages of 16 GPUs, so adjacent
// stages talk over the NICs: slower NICs lengthen a plain 1F1B step, which waits for its
// batched sends, by more than an interleaved one's, whose sends run beside the next chunk
// (Megatron-Bridge turns overlap_p2p_comm on for virtual stages) though it sends twice as often.
TEST_F(TrainingTest, InterleavedPipelineSendsRunBesideTheNextChunk) {
  TrainingQuery q = Query("llama-3.1-70b", "nvidia-h100-sxm");
  q.gpus = 64, q.tp = 4, q.pp = 4, q.global_batch = 512, q.seq = 8192;
  auto nic_cost = [&](int v) {
    q.virtual_stages = v;
    hw_ = HardwareOf("nvidia-h100-sxm");
    const double fast = Run(q).step_time.base();
    hw_.scale_out = hw_.scale_out * 0.25;
    return Run(q).step_time.base() - fast;
  };
  const double plain = nic_cost(1);
  const double interleaved = nic_cost(2);
  EXPECT_GT(plain, 0);
  EXPECT_LT(interleaved, plain);
}

TEST_F(TrainingTest, Fp8GemmsAreFasterButNotTwiceAsFast) {
  TrainingQuery q = Llama70b(Query("llama-3.1-70b", "nvidia-h100-sxm"));
  const TrainingResult bf16 = Run(q);
  q.precision = DType::kFp8;
  const TrainingResult fp8 = Run(q);
  EXPECT_LT(fp8.step_time, bf16.step_time);
  // Attention, elementwise work and the FP8 casts stay at 16-bit speeds.
  EXPECT_GT(fp8.step_time.base(), bf16.step_time.base() * 0.5);
}

TEST_F(TrainingTest, ZeroShardsOptimizerGradientsAndWeights) {
  TrainingQuery q = Llama70b(Query("llama-3.1-70b", "nvidia-h100-sxm"));
  q.zero = 0;
  const MemoryUse z0 = Run(q).memory;
  q.zero = 1;
  const MemoryUse z1 = Run(q).memory;
  q.zero = 3;
  const MemoryUse z3 = Run(q).memory;
  EXPECT_GT(z0.optimizer, z1.optimizer);
  EXPECT_GT(z1.optimizer, z3.optimizer);
  EXPECT_GT(z1.weights, z3.weights);
}

// An overlapped collective is not free: the computation beside it runs 18.9% slower (the
// published mean the model uses), so a hidden all-gather or reduce-scatter of c seconds costs
// c x 0.189 / 1.189, and overlapping still beats running them in turn.
TEST_F(TrainingTest, OverlappedCollectivesSlowTheComputationBesideThem) {
  TrainingQuery q = Query("llama-3.1-70b", "nvidia-h100-sxm");
  q.gpus = 8, q.tp = 8, q.global_batch = 16, q.seq = 8192;  // no pipeline, no data parallelism
  const TrainingResult overlapped = Run(q);
  q.tp_comm_overlap = false;
  const TrainingResult serial = Run(q);
  ASSERT_GT(serial.breakdown.communication.base(), 0);
  EXPECT_NEAR(overlapped.breakdown.communication / serial.breakdown.communication,
              0.189 / 1.189, 1e-9);
  EXPECT_LT(overlapped.step_time, serial.step_time);
}

// ZeRO-2 reduce-scatters each micro-batch's gradients; ZeRO-3 also gathers the parameters for
// each micro-batch's forward and backward: more traffic beside the computation, a longer step.
TEST_F(TrainingTest, ShardedGradientsAndWeightsMoveEveryMicroBatch) {
  TrainingQuery q = Query("llama-3.1-8b", "nvidia-h100-sxm");
  q.gpus = 8, q.global_batch = 128, q.seq = 8192;  // DP8, 16 micro-batches per step
  q.zero = 1;
  const TrainingResult z1 = Run(q);
  q.zero = 2;
  const TrainingResult z2 = Run(q);
  q.zero = 3;
  const TrainingResult z3 = Run(q);
  EXPECT_LT(z1.breakdown.communication, z2.breakdown.communication);
  EXPECT_LT(z2.breakdown.communication, z3.breakdown.communication);
  EXPECT_LT(z1.step_time, z3.step_time);
}

TEST_F(TrainingTest, BadFieldsAreErrorsThatNameTheField) {
  struct Case {
    void (*edit)(TrainingQuery&);
    const char* field;
    const char* message;
  };
  const Case cases[] = {
      {[](TrainingQuery& q) { q.virtual_stages = 0; }, "virtual_stages",
       "must be at least 1, got 0"},
      {[](TrainingQuery& q) { q.zero = 4; }, "zero", "must be 0 to 3, got 4"},
      {[](TrainingQuery& q) { q.pp = 1, q.virtual_stages = 2; }, "virtual_stages",
       "interleaving needs pipeline parallelism (pp > 1)"},
      {[](TrainingQuery& q) { q.virtual_stages = 42; }, "virtual_stages",
       "42 chunks on each of 2 pipeline ranks exceed the 80 layers of "
       "llama-3.1-70b (plus an embedding-only and an output-only chunk)"},
      {[](TrainingQuery& q) { q.ep = 2; }, "ep", "2: llama-3.1-70b is a dense model (no experts)"},
      {[](TrainingQuery& q) { q.cp = 3, q.gpus = 48, q.global_batch = 2; }, "cp",
       "3 does not divide seq 8192"},
      {[](TrainingQuery& q) { q.dualpipe = true, q.pp = 1; }, "dualpipe",
       "needs an even pipeline size, got pp 1"},
      {[](TrainingQuery& q) { q.precision = DType::kFp4; }, "precision",
       "training runs in bf16 or fp8, not fp4"},
  };
  for (const Case& c : cases) {
    TrainingQuery q = Llama70b(Query("llama-3.1-70b", "nvidia-h100-sxm"));
    c.edit(q);
    auto r = Train(q);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.error().field, c.field) << c.message;
    EXPECT_EQ(r.error().message, c.message);
    EXPECT_EQ(r.error().message.find("--"), std::string::npos);  // no CLI flag names
  }
}

TEST(Recompute, NamesRoundTrip) {
  for (Recompute r : {Recompute::kNone, Recompute::kSelective, Recompute::kFull})
    EXPECT_EQ(RecomputeFromName(RecomputeName(r)), r);
  EXPECT_FALSE(RecomputeFromName("partial").has_value());
}

}  // namespace
}  // namespace ceiling::perf
