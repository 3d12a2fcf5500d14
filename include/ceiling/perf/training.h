// LLM training: step time, throughput, model FLOPs utilisation, memory per GPU and time to
// train, for a 3D/4D-parallel layout (tensor, pipeline, data with ZeRO, expert, context).
//
//   TrainingQuery q{.model = m, .hardware = &hw, .calibration = &cal, .gpus = 8192,
//                   .par = {.tp = 8, .pp = 16}, .global_batch = 2048, .seq = 8192};
//   ASSIGN_OR_RETURN(TrainingResult r, Train(q));
//   r.step_time; r.tokens_per_s; r.mfu;       // MFU against the dense bf16 peak
//   if (!r.fits) ...                          // an outcome with the numbers in does_not_fit
//
// Model (docs/perf.md): a micro-batch's forward + backward on one pipeline stage is the
// operator model of step.h run with backward passes (x3 FLOPs, x4 with full recomputation);
// a step is (m + pp - 1) micro-batch slots of the 1F1B schedule (the pp - 1 are the bubble),
// plus the data-parallel gradient reduction not hidden under the last backward pass, plus the
// optimizer update (memory-bound over this GPU's shard). Memory: weights (bf16) + fp32
// gradients + Adam state (12 bytes/param), sharded by ZeRO stage over the data-parallel
// replicas, plus activations (34 x seq x micro_batch x hidden bytes per layer / tp with flash
// attention, per in-flight micro-batch; 2 x ... with full recomputation).
//
// Errors (kInvalidArgument): gpus not divisible by tp x pp x cp, global batch not a multiple of
// dp x micro_batch, invalid parallelism (CheckParallelism), lengths below 1.
#ifndef CEILING_PERF_TRAINING_H_
#define CEILING_PERF_TRAINING_H_

#include <optional>
#include <string>
#include <vector>

#include "ceiling/base/quantity.h"
#include "ceiling/base/result.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"
#include "ceiling/perf/step.h"

namespace ceiling::perf {

struct TrainingQuery {
  const ModelArch* model = nullptr;
  const Hardware* hardware = nullptr;
  const Calibration* calibration = nullptr;
  int gpus = 8;
  int tp = 1;
  int pp = 1;
  int ep = 1;              // expert parallel (MoE): experts split over ep data-parallel ranks
  int cp = 1;              // context parallel: the sequence split over cp GPUs
  int zero = 1;            // ZeRO stage 0-3
  int micro_batch = 1;     // sequences per micro-batch
  bool recompute = false;  // full activation recomputation
  int global_batch = 1;    // sequences per step
  int seq = 4096;
  DType precision = DType::kBf16;  // GEMM format (bf16 or fp8 mixed precision)
  std::optional<double> tokens;    // for time to train
};

struct TrainingBreakdown {
  Seconds compute;        // operator time limited by FLOPs
  Seconds memory;         // operator time limited by bytes
  Seconds communication;  // TP/EP collectives, pipeline transfers, exposed gradient sync
  Seconds bubble;         // pipeline fill and drain
  Seconds optimizer;
  Seconds overhead;  // per-operator fixed costs
};

struct TrainingResult {
  bool fits = false;
  std::string does_not_fit;
  Seconds step_time;
  double tokens_per_s = 0;
  double mfu = 0;  // model FLOPs / (step time x GPUs x dense bf16 peak)
  double model_flops_per_step = 0;
  Memory memory;  // per GPU
  std::optional<Seconds> time_to_train;
  TrainingBreakdown breakdown;
  int dp = 1;
  int micro_batches = 1;  // per pipeline per step
  ErrorBand uncertainty;
  Basis basis = Basis::kProfiled;
  std::vector<std::string> notes;
};

Result<TrainingResult> Train(const TrainingQuery& q);

// The arithmetic core for an already-built StepModel (used by validation).
struct TrainingTimes {
  Seconds step;
  TrainingBreakdown breakdown;
  double model_flops = 0;
};
TrainingTimes TrainTimes(const StepModel& sm, const FamilyParams& fp, const TrainingQuery& q,
                         int dp, int micro_batches);

// Model FLOPs of training on one token at sequence length `seq`: forward and backward passes
// (3 x the forward pass: two per matmul weight, plus the causal attention products), the
// numerator of MFU. Used for FLOP budgets of named runs (model x tokens).
double TrainingFlopsPerToken(const ModelArch& m, int seq);

// Parallel layout of a training query as a StepModel sees it (attention ranks = ep when the
// experts are spread over data-parallel ranks).
Parallelism TrainingParallelism(const TrainingQuery& q);

}  // namespace ceiling::perf

#endif  // CEILING_PERF_TRAINING_H_
