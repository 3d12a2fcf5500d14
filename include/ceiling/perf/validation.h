// The validation set, the calibration fit, and the error tables of `ceiling validate`.
//
// Measurements come from data/validation/: aiconfigurator's silicon_sample.csv (measured TTFT
// and TPOT of vLLM, SGLang and TensorRT-LLM on H100/H200/B200/B300/GB200/GB300) and
// points.toml (the H20, other published serving anchors and training runs). Rows that cannot be
// modelled are excluded and counted with the reason.
//
//   ASSIGN_OR_RETURN(ValidationSet set, LoadValidationSet("data", catalog, models));
//   ASSIGN_OR_RETURN(ValidationReport rep, RunValidation(set, catalog, models, systems, {}));
//   rep.overall[0].stats[PerfMetric::kTpot]    // count, median and p90 absolute % error
//   rep.fitted                             // the calibration `ceiling calibrate` writes
//
// Procedure (deterministic, docs/perf.md "Calibration"): CSV rows are split by a hash of their
// id into a fit half and a held-out half. The per-family efficiencies and per-engine
// parameters minimise a robust loss (soft-L1 of log(predicted/measured), TTFT and TPOT) over the
// fit half by a bounded coordinate pattern search from fixed starting values. Tables report
// the held-out half only. Leave-one-chip-out refits without chip X (all of its rows) and
// predicts X's held-out rows; leave-one-family-out refits on the other families and predicts
// with their average (the case of a family never measured, like Huawei's). points.toml is
// never fitted.
//
// Thread safety: RunValidation uses `threads` worker threads internally; inputs are read-only.
#ifndef CEILING_PERF_VALIDATION_H_
#define CEILING_PERF_VALIDATION_H_

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ceiling/base/executor.h"
#include "ceiling/base/quantity.h"
#include "ceiling/base/result.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"
#include "ceiling/perf/serving.h"
#include "ceiling/perf/step.h"
#include "ceiling/perf/training.h"

namespace ceiling::perf {

enum class PointKind { kServing, kDisaggregated, kDecode, kPrefill, kTraining };

struct ValidationPoint {
  std::string id;
  std::string source;  // "aiconfigurator" or the source keys of points.toml
  PointKind kind = PointKind::kServing;
  std::string chip;    // catalog id
  std::string model;   // model id
  std::string engine;  // "vllm", "sglang", "trtllm" (training: "")
  std::string engine_version;  // as the export records it (backend_version; "": not recorded)
  PrecisionConfig precision;
  Parallelism par;          // aggregated, decode worker, prefill-only or training layout
  Parallelism prefill_par;  // disaggregated prefill worker
  int prefill_workers = 0, decode_workers = 0;
  double prefill_batch = 0, decode_batch = 0;
  int gpus = 0;
  ServingWorkload workload;
  double batch_per_gpu = 0;  // decode points
  double chunk = 0;          // prefill points
  TrainingQuery training;    // model/hardware/calibration pointers unset
  // The measured system where it differs from data/perf/systems.toml (points.toml's
  // `scale_out`, e.g. a node with fewer NICs than GPUs).
  SystemOptions system;
  bool overlap_schedule = true;  // false: the run turned the engine's overlap scheduling off
  bool fit = false;  // in the fit half (CSV rows only)
  int fold = 0;      // 0 or 1: the halves the 90% bands' coverage is cross-checked on
  // Measured values (absent: not measured). Throughput is output tokens/s per GPU (input
  // tokens/s per GPU for prefill points); for CSV rows it is derived from TTFT and TPOT by the
  // closed-loop identity concurrency x osl / (ttft + (osl - 1) x tpot) / gpus.
  std::optional<double> ttft_s, tpot_s, throughput, step_s;
  std::optional<double> tflops_per_gpu;  // training points quoting model TFLOP/s per GPU
};

struct Exclusion {
  std::string reason;
  int count = 0;
};

struct ValidationSet {
  std::vector<ValidationPoint> points;
  std::vector<Exclusion> excluded;
  int csv_rows = 0;
  int extra_points = 0;
  int repaired = 0;  // CSV rows whose deployment columns were repaired (validation_data.cc)
};

// Reads data_dir/validation/ and, for the systems' scale-up domains, data_dir/perf/systems.toml
// and engines.toml.
Result<ValidationSet> LoadValidationSet(const std::filesystem::path& data_dir,
                                        const catalog::Catalog& chips, const ModelCatalog& models);
// Only the points of one points.toml given as text (`display_name` stands for the file).
Result<ValidationSet> ParseValidationPointsText(std::string_view text, std::string display_name,
                                                const catalog::Catalog& chips,
                                                const ModelCatalog& models);

struct ErrorStats {
  int count = 0;
  double median = 0;  // of |predicted / measured - 1|
  double p90 = 0;
};

struct ReportRow {
  std::string group;
  std::array<ErrorStats, kMetricCount> stats{};
};

struct ValidationOptions {
  int threads = 2;
  bool leave_one_out = true;  // also run leave-one-chip-out and leave-one-family-out
  StopToken stop;             // a deadline: the fits end early and RunValidation fails with
                              // kDeadlineExceeded
};

// One point's prediction under the full fit (for `ceiling validate --dump`).
struct PredictionRow {
  ValidationPoint point;
  bool held_out = true;
  Regime regime = Regime::kSmallBatch;
  bool kv_limited = false;  // clients queue for KV-cache room
  bool fits = true;
  double ttft_s = 0, tpot_s = 0, throughput = 0, step_s = 0;  // predicted (0: not applicable)
  double measured_step_s = 0;
  LatencyParts parts;  // serving rows: the prediction's TTFT and TPOT, part by part
};

// The 90% band of a metric in a regime (basis: profiled = in-sample held-out rows,
// unprofiled_chip = leave-one-chip-out predictions): its factors, and how it holds on held-out
// rows. `coverage` is cross-fitted: the band derived from one fold of rows is checked on the
// other, so no row is judged by a band it helped to set. Regime "all" (regime = -1) pools the
// metric's rows, each judged by its own regime's band.
struct BandRow {
  CalibrationBasis basis = CalibrationBasis::kProfiled;
  PerfMetric metric = PerfMetric::kTpot;
  int regime = -1;  // a Regime, or -1 for all regimes pooled
  int count = 0;
  double coverage = 0;       // fraction of rows whose measurement lies inside the band
  double median_width = 0;   // median over rows of high / low
  double low = 1, high = 1;  // the band factors (regime and slice rows)
  // A slice row (one engine and kind of model within the regime) when `engine` is set; a
  // regime row's coverage and width are over all its rows, each with the band it gets.
  std::string engine;
  ModelKind kind = ModelKind::kAny;
  // A per-chip row (profiled basis, regime -1: all of the chip's held-out rows, each with the
  // band it gets) when `chip` is set.
  std::string chip;
};

// Whether a published training run's layout fits in the model's memory accounting (every
// such run ran, so it should): the busiest stage's total against the device.
struct TrainingFit {
  std::string id;
  bool fits = true;
  Bytes needed, capacity;
};

struct ValidationReport {
  std::vector<ReportRow> overall;  // held-out CSV rows + points.toml
  std::vector<ReportRow> per_chip;
  std::vector<ReportRow> per_family;  // model families
  std::vector<ReportRow> per_engine;
  std::vector<ReportRow> loco;            // leave-one-chip-out, one row per chip
  std::vector<ReportRow> loco_in_sample;  // the same chips' held-out error with the full fit
  std::vector<ReportRow> lofo;            // leave-one-family-out, one row per chip family
  std::vector<ReportRow> repeats;         // how far repeat measurements lie apart (RepeatSpread)
  Calibration fitted;                     // full fit + error bands
  std::vector<BandRow> bands;             // coverage and width of the 90% bands
  std::vector<BandRow> band_chips;        // the same per calibrated chip (profiled basis)
  int fit_rows = 0, test_rows = 0, extra_points = 0, csv_rows = 0, repaired = 0;
  std::vector<Exclusion> excluded;
  std::vector<PredictionRow> predictions;  // every modelled point, fit and held-out
  std::vector<TrainingFit> training_fits;  // every published training run, in file order
  Seconds elapsed;
};

// Fits on `set` and reports. `systems` supplies scale-up domains.
Result<ValidationReport> RunValidation(const ValidationSet& set, const catalog::Catalog& chips,
                                       const ModelCatalog& models, const SystemDefaults& systems,
                                       const ValidationOptions& options);

// How far apart two measurements of one serving configuration lie: the points with the same
// chip, model, engine, formats, lengths, clients and deployment (prefill and decode workers
// too), taken in pairs; per metric the spread of a pair is larger / smaller - 1, summarized
// as median and 90th percentile over the pairs (count = pairs). Rows: "same engine version",
// "another engine version", "a version not recorded" (either point's), each only where it
// has pairs. Within one version the spread is the runs' noise and any setting the export does
// not record; across versions the engine's changes add to it, which the model, blind to
// versions, cannot follow.
std::vector<ReportRow> RepeatSpread(const std::vector<const ValidationPoint*>& points);

// Percentile helpers (exposed for tests): median and 90th percentile by linear interpolation.
ErrorStats Summarize(std::vector<double> abs_errors);

}  // namespace ceiling::perf

#endif  // CEILING_PERF_VALIDATION_H_
