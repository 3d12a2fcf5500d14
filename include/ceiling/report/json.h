// JSON output: the nlohmann::json adapter.
//
//   nlohmann::json j = ChipJson(chip, metrics);
//   std::string text = DumpJson(j);   // 2-space indent, never throws (bad UTF-8 is replaced)
//
// Field names are an interface for scripts: keep them stable.
#ifndef CEILING_REPORT_JSON_H_
#define CEILING_REPORT_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ceiling/catalog/chip.h"
#include "ceiling/catalog/metrics.h"

namespace ceiling::report {

std::string DumpJson(const nlohmann::json& j, int indent = 2);

// Pieces of DumpJson's 2-space text for writers that stream part of a document instead of
// building its tree (report::ClassificationJsonText): `j` appended as a value nested `level`
// containers deep, and one string with its quotes and escapes.
void AppendJson(const nlohmann::json& j, int level, std::string& out);
void AppendJsonString(std::string_view s, std::string& out);

// A metric: {"value": 15831.2, "unit": "", "how": "..."} or {"value": null, "missing": "..."}.
nlohmann::json MetricJson(catalog::MetricId id, const catalog::Metric& m);
// All metrics keyed by MetricName() plus "tpp_precision".
nlohmann::json MetricsJson(const catalog::ChipMetrics& m);
// The full record: identity, dies, throughput (dense, TFLOP/s or TOP/s), memory (GB, GB/s),
// interconnect (GB/s), power (W), compute, sources, and "metrics".
nlohmann::json ChipJson(const catalog::Chip& chip, const catalog::ChipMetrics& metrics);

}  // namespace ceiling::report

#endif  // CEILING_REPORT_JSON_H_
