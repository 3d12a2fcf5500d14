// Rendering of performance-model results: text for people, JSON for scripts.
//
//   std::string text = ServingText(query, result, &search);   // search may be nullptr
//   nlohmann::json j = ServingJson(query, result, &search);   // ttft_ms, tpot_ms, ... fits
//   std::string v = ValidationText(report);                    // the error tables
//
// JSON field names are an interface (the model issue fixes them): serving results carry
// ttft_ms, tpot_ms, output_tokens_per_s, output_tokens_per_s_per_gpu, tokens_per_s_per_user,
// fits, memory_per_gpu_bytes, breakdown, uncertainty; training results carry step_time_s,
// tokens_per_s, mfu, memory_per_gpu_bytes, time_to_train_s, breakdown. Deterministic output.
#ifndef CEILING_REPORT_PERF_REPORT_H_
#define CEILING_REPORT_PERF_REPORT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ceiling/perf/serving.h"
#include "ceiling/perf/training.h"
#include "ceiling/perf/validation.h"

namespace ceiling::report {

// The 90% band of a prediction: a measured value lies in [pred x low, pred x high] for 90% of
// held-out validation points (JSON: low, high, p50/p90 relative error, count; low and high are
// null without validation points; text: "42.5 - 128.0", "-" without validation points).
nlohmann::json BandJson(double predicted, const perf::ErrorBand& b);
std::string BandText(double predicted, const perf::ErrorBand& b, int decimals);

std::string ServingText(const perf::ServingQuery& q, const perf::ServingResult& r,
                        const perf::SlaSearchResult* search);
nlohmann::json ServingJson(const perf::ServingQuery& q, const perf::ServingResult& r,
                           const perf::SlaSearchResult* search);

std::string TrainingText(const perf::TrainingQuery& q, const perf::TrainingResult& r);
nlohmann::json TrainingJson(const perf::TrainingQuery& q, const perf::TrainingResult& r);

// One column per chip, ratios to the first.
struct CompareColumn {
  perf::ServingQuery query;
  perf::ServingResult result;      // the best deployment found for this chip
  perf::ReferenceSteps reference;  // the same work on every chip
};
// A chip the comparison could not model (a figure the model needs is missing from its record,
// or no deployment of it serves the workload), with the reason.
struct CompareLeftOut {
  std::string chip;
  std::string reason;
};
std::string CompareText(const std::vector<CompareColumn>& columns,
                        const std::vector<CompareLeftOut>& left_out = {});
nlohmann::json CompareJson(const std::vector<CompareColumn>& columns,
                           const std::vector<CompareLeftOut>& left_out = {});

// `calibration_status` says whether data/perf/calibration.toml matches the fresh fit.
std::string ValidationText(const perf::ValidationReport& r, const std::string& calibration_status);
nlohmann::json ValidationJson(const perf::ValidationReport& r,
                              const std::string& calibration_status);

}  // namespace ceiling::report

#endif  // CEILING_REPORT_PERF_REPORT_H_
