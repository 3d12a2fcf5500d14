// LLM training: step time, throughput, model FLOPs utilisation, memory per GPU and time to
// train, for a 5D-parallel layout (tensor with sequence parallelism, pipeline with interleaved
// stages, data with ZeRO, context, expert).
//
//   TrainingQuery q{.model = m, .hardware = &hw, .calibration = &cal, .gpus = 8192,
//                   .tp = 8, .pp = 16, .global_batch = 2048, .seq = 8192};
//   RETURN_IF_ERROR(q.Validate());            // field-level errors before any work
//   ASSIGN_OR_RETURN(TrainingResult r, Train(q));
//   r.step_time; r.tokens_per_s; r.mfu;       // MFU against the dense bf16 peak
//   if (!r.fits) ...                          // an outcome with the numbers in does_not_fit
//
// Model (docs/perf.md §3): a micro-batch's forward and backward on one pipeline stage is the
// operator model of step.h with backward passes (GEMMs x3, flash attention x3.5, a second
// forward with full recomputation). A step is m micro-batch slots plus the pipeline bubble
// ((pp - 1) / v slots with v virtual stages, about (pp/2 - 1) x 2/3 with DualPipe), the
// exposed part of the data-parallel gradient
// reduce-scatter and parameter all-gather (overlapped with one micro-batch's backward and
// forward), and the optimizer update. Tensor-parallel collectives, the expert-parallel
// all-to-all and the context-parallel key/value ring are exposed except where they overlap
// computation (always for the ring; for TP and EP when asked). Memory: bf16 weights, fp32
// gradients, 12 bytes/param of Adam state sharded by ZeRO stage over the data-parallel ranks
// (routed experts over their own data-parallel group), and activations from the layer's tensor
// shapes (Korthikanti et al. 2022), sharded by sequence parallelism, reduced by recomputation,
// times the micro-batches in flight (more with interleaving).
//
// Defaults follow what Megatron-Core/NeMo performance recipes do: sequence parallelism with
// tensor parallelism, selective recomputation (norms and activation functions), distributed
// optimizer (ZeRO-1), TP communication overlapped with GEMMs, gradient and parameter
// collectives overlapped, MoE routing balanced; expert all-to-all not overlapped.
//
// Errors (kInvalidArgument, with the offending field in Error::field): sizes below 1, gpus not
// divisible by tp x pp x cp, global batch not a multiple of dp x micro_batch, ep not dividing
// dp, more pipeline chunks (pp x virtual stages) than layers, seq not divisible by cp, invalid
// parallelism (CheckParallelism).
#ifndef CEILING_PERF_TRAINING_H_
#define CEILING_PERF_TRAINING_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/quantity.h"
#include "ceiling/base/result.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"
#include "ceiling/perf/step.h"

namespace ceiling::perf {

// Activation recomputation: none; selective (norms and activation functions, cheap to redo and
// large to keep; attention scores are never kept with flash attention); full (only each layer's
// input is kept and the forward pass runs twice).
enum class Recompute { kNone, kSelective, kFull };
std::string_view RecomputeName(Recompute r);
std::optional<Recompute> RecomputeFromName(std::string_view name);  // "none" | "selective" | "full"
// The gradient format of TrainingQuery::bf16_grads by name: "fp32" (false) or "bf16" (true).
std::string_view GradReduceName(bool bf16_grads);
std::optional<bool> Bf16GradsFromName(std::string_view name);

struct TrainingQuery {
  const ModelArch* model = nullptr;
  const Hardware* hardware = nullptr;
  const Calibration* calibration = nullptr;
  int gpus = 8;
  int tp = 1;
  int pp = 1;
  int ep = 1;              // expert parallel (MoE): experts split over ep data-parallel ranks
  int cp = 1;              // context parallel: the sequence split over cp GPUs (ring attention)
  int zero = 1;            // ZeRO stage 0-3 (1 = Megatron's distributed optimizer, 3 = FSDP)
  int micro_batch = 1;     // sequences per micro-batch
  int virtual_stages = 1;  // interleaved 1F1B: model chunks per pipeline rank
  bool sequence_parallel = true;  // shard norms/residuals over the TP group (when tp > 1)
  Recompute recompute = Recompute::kSelective;
  bool tp_comm_overlap = true;   // TP collectives overlapped with GEMMs (needs sequence parallel)
  bool ep_comm_overlap = false;  // all-to-all hidden under computation
  // DeepSeek-V3's DualPipe: micro-batches fed from both pipeline ends, forward and backward
  // chunks overlapped so the all-to-all hides under computation; bubble (pp/2 - 1) x
  // (F&B + B - 3W), activations of pp + 1 micro-batches, two copies of the parameters.
  bool dualpipe = false;
  // Adam moments kept in bf16 (DeepSeek-V3) rather than fp32: 8 bytes of optimizer state per
  // parameter (fp32 master + two bf16 moments) instead of 12.
  bool bf16_moments = false;
  // Gradients accumulated and reduced over data parallelism in bf16 rather than fp32
  // (Megatron-Core's grad_reduce_in_fp32 off): a 2-byte gradient buffer per parameter instead
  // of 4, and half the bytes in each data-parallel reduction.
  bool bf16_grads = false;
  int global_batch = 1;  // sequences per step
  int seq = 4096;
  DType precision = DType::kBf16;  // GEMM format (bf16 or fp8 mixed precision)
  std::optional<double> tokens;    // for time to train

  int Dp() const { return tp * pp * cp > 0 ? gpus / (tp * pp * cp) : 0; }
  // Checks the fields against each other and the model; the error names the field.
  Status Validate() const;
};

struct TrainingBreakdown {
  Seconds compute;        // operator time limited by FLOPs
  Seconds memory;         // operator time limited by bytes
  Seconds communication;  // exposed TP/EP/CP collectives, pipeline transfers, gradient sync
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
  MemoryUse memory;  // per GPU, the busiest pipeline stage
  std::optional<Seconds> time_to_train;
  TrainingBreakdown breakdown;
  int dp = 1;
  int micro_batches = 1;  // per pipeline per step
  double in_flight = 1;   // micro-batches whose activations the first stage holds at peak
  ErrorBand uncertainty;
  CalibrationBasis basis = CalibrationBasis::kProfiled;
  std::vector<std::string> notes;
};

Result<TrainingResult> Train(const TrainingQuery& q);

// For a layout that does not fit: a sentence naming the fastest layout of the same
// GPUs, global batch and micro-batch that fits, or saying that none does. It searches tensor
// parallelism in powers of two within one scale-up domain (as Megatron-style frameworks keep
// it), pipeline parallelism in powers of two up to the layers, and the recomputation and ZeRO
// stage as given or the memory-saving ones (full, 3): about a hundred Train() evaluations, so it
// is for answers a person reads (the API adds it as a note), not for inner loops. Empty for a
// query Train() would refuse.
std::string FittingLayoutNote(const TrainingQuery& q);

// The arithmetic core for an already-built StepModel (used by validation).
struct TrainingTimes {
  Seconds step;
  TrainingBreakdown breakdown;
  double model_flops = 0;
};
TrainingTimes TrainTimes(const StepModel& sm, const FamilyParams& fp, const TrainingQuery& q,
                         int dp, int micro_batches);
// Per-GPU memory of a training layout (busiest stage).
MemoryUse TrainingMemory(const StepModel& sm, const TrainingQuery& q, int dp, int micro_batches,
                      double* in_flight = nullptr);

// Model FLOPs of training on one token at sequence length `seq`: forward and backward passes
// (3 x the forward pass: two per matmul weight, plus the causal attention products), the
// numerator of MFU. Used for FLOP budgets of named runs (model x tokens).
double TrainingFlopsPerToken(const ModelArch& m, int seq);

// Parallel layout of a training query as a StepModel sees it (attention ranks = ep when the
// experts are spread over data-parallel ranks).
Parallelism TrainingParallelism(const TrainingQuery& q);

}  // namespace ceiling::perf

#endif  // CEILING_PERF_TRAINING_H_
