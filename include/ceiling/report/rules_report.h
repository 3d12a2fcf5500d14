// Rendering rule-engine results: text for analysts, JSON for scripts, SVG charts.
//
//   rules::Classification r = rules::Classify(book, facts, query);
//   std::string text = report::ClassificationText(book, chip, facts, r);   // with the trace
//   nlohmann::json j = report::ClassificationJson(book, chip, facts, r);    // stable fields
//
// JSON field names are an interface: classification objects carry `controls`,
// `license_required` ("yes" | "no" | "cannot-decide"), `exceptions`, `review_policy`,
// `measures`, `trace` and `rules`, plus `query`, `chip`, `controlled`, `cannot_decide`,
// `caveats` and `data_checked`; `end_user` when the query names one and `import_side` when the
// destination has import measures (its own section, never part of the US answer).
// Quantities in JSON are plain numbers in the canonical units named next to them (TPP plain,
// PD per mm^2, bandwidths GB/s). Output is deterministic (same data + query, same bytes).
#ifndef CEILING_REPORT_RULES_REPORT_H_
#define CEILING_REPORT_RULES_REPORT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/rules/analysis.h"
#include "ceiling/rules/classify.h"
#include "ceiling/rules/disputes.h"
#include "ceiling/rules/imports.h"
#include "ceiling/rules/rulebook.h"
#include "ceiling/rules/status.h"

namespace ceiling::report {

struct ChipLabel {
  std::string id;
  std::string name;
};

// "China (CN)".
std::string CountryLabel(const rules::CountryDb& db, int country);
// One line: "3A090.a.1, 4A090.a; license required; NAC; presumption of denial".
std::string StatusLine(const rules::Classification& c);
// A compact matrix cell: "a LIC deny +NAC", "free", "- LIC(M) n.p.", "a LIC cbc 25%".
std::string StatusCode(const rules::Classification& c);
// What StatusCode's letters mean, one unwrapped paragraph (the matrix, whatif and rules diff
// print it under their tables).
std::string_view StatusCodeLegend();
// Reasons a result could not be decided ("PD unknown because ..."), deduplicated.
std::vector<std::string> CannotDecideReasons(const rules::ChipFacts& facts,
                                             const rules::Classification& c);

std::string ClassificationText(const rules::RuleBook& book, const ChipLabel& chip,
                               const rules::ChipFacts& facts, const rules::Classification& c);
nlohmann::json ClassificationJson(const rules::RuleBook& book, const ChipLabel& chip,
                                  const rules::ChipFacts& facts, const rules::Classification& c);

// Disputed figures. `d` comes from rules::ClassifyDisputed for the same chip and query; its
// outcomes[0] is `c`. When the chip has no alternatives (d.agreement == kNone) these give exactly
// the output of the functions above. Otherwise the text gains a "Disputed figures" section
// (the verdict, then each source's values, metrics and answer) before the trace, and the trace
// gains, per source, the clauses that come out differently; the JSON gains `disputed_figures`:
// {agreement: "identical" | "same-paragraphs" | "depends", verdict, differing: [...],
//  outcomes: [{label, sources: [{key, title, url, kind}], changes: [{figure, recorded,
//  alternative, note, formula}], tpp, pd, status, code, controls, license_required, exceptions,
//  review_policy, measures, trace_differences: [trace steps as in `trace`]}]}.
std::string ClassificationText(const rules::RuleBook& book, const ChipLabel& chip,
                               const rules::ChipFacts& facts, const rules::Classification& c,
                               const rules::DisputedClassification& d);
nlohmann::json ClassificationJson(const rules::RuleBook& book, const ChipLabel& chip,
                                  const rules::ChipFacts& facts, const rules::Classification& c,
                                  const rules::DisputedClassification& d);
// DumpJson(ClassificationJson(...)), byte for byte, with the trace written straight to text
// rather than built as a tree first (most of a served classification is its trace).
std::string ClassificationJsonText(const rules::RuleBook& book, const ChipLabel& chip,
                                   const rules::ChipFacts& facts, const rules::Classification& c);
std::string ClassificationJsonText(const rules::RuleBook& book, const ChipLabel& chip,
                                   const rules::ChipFacts& facts, const rules::Classification& c,
                                   const rules::DisputedClassification& d);
// The verdict in one line: "robust: 3A090.a, 4A090.a, license required, under every source (4)"
// or "depends on the source: 3A090.a, 4A090.a under as recorded, gitee; 3A090.b, 4A090.b under
// cset" (each group names the aspects that differ); "" when the chip has no alternatives.
std::string DisputeVerdict(const rules::DisputedClassification& d);

std::string TimelineText(const rules::RuleBook& book, const ChipLabel& chip,
                         const rules::Query& query,
                         const std::vector<rules::TimelineEntry>& timeline);
nlohmann::json TimelineJson(const rules::RuleBook& book, const ChipLabel& chip,
                            const rules::Query& query,
                            const std::vector<rules::TimelineEntry>& timeline);
// The same with the import side as its own section ("Import side: China") / `import_side`.
std::string TimelineText(const rules::RuleBook& book, const ChipLabel& chip,
                         const rules::Query& query,
                         const std::vector<rules::TimelineEntry>& timeline,
                         const std::vector<rules::ImportTimelineEntry>& imports);
nlohmann::json TimelineJson(const rules::RuleBook& book, const ChipLabel& chip,
                            const rules::Query& query,
                            const std::vector<rules::TimelineEntry>& timeline,
                            const std::vector<rules::ImportTimelineEntry>& imports);

// `rules status`: every rule version, measure, Entity List notice, the Affiliates rule, import
// measure and country group with the date it was last checked and the kinds of its sources.
std::string RulesStatusText(const std::vector<rules::StatusRow>& rows);
nlohmann::json RulesStatusJson(const std::vector<rules::StatusRow>& rows);

std::string MatrixText(const rules::RuleBook& book, const std::vector<rules::ChipEntry>& chips,
                       const rules::Query& query, const rules::Matrix& m);
std::string MatrixCsv(const std::vector<rules::ChipEntry>& chips, const rules::Matrix& m);
nlohmann::json MatrixJson(const rules::RuleBook& book, const std::vector<rules::ChipEntry>& chips,
                          const rules::Query& query, const rules::Matrix& m);

std::string RuleListText(const rules::RuleBook& book);
nlohmann::json RuleListJson(const rules::RuleBook& book);
std::string RuleText(const rules::RuleBook& book, const rules::RuleVersion& rule);
nlohmann::json RuleJson(const rules::RuleBook& book, const rules::RuleVersion& rule);

std::string RuleDiffText(const rules::RuleBook& book, const rules::RuleVersion& a,
                         const rules::RuleVersion& b, const std::vector<rules::ChipEntry>& chips,
                         const rules::Query& query, const std::vector<rules::ChipChange>& changes);
// `settings` describes what was changed ("tpp_a = 4000", "rule file my.toml").
std::string WhatIfText(const rules::RuleBook& book, const std::vector<std::string>& settings,
                       const std::vector<rules::ChipEntry>& chips, const rules::Query& query,
                       const std::vector<rules::ChipChange>& changes);
nlohmann::json ChangesJson(const std::vector<rules::ChipEntry>& chips,
                           const std::vector<rules::ChipChange>& changes);
nlohmann::json WhatIfJson(const rules::RuleBook& book, const std::vector<std::string>& settings,
                          const std::vector<rules::ChipEntry>& chips, const rules::Query& query,
                          const std::vector<rules::ChipChange>& changes);
nlohmann::json RuleDiffJson(const rules::RuleBook& book, const rules::RuleVersion& a,
                            const rules::RuleVersion& b,
                            const std::vector<rules::ChipEntry>& chips, const rules::Query& query,
                            const std::vector<rules::ChipChange>& changes);

std::string HeadroomText(const ChipLabel& chip, const rules::Query& query,
                         const std::vector<rules::HeadroomRow>& rows);
// One object per threshold: clause, rule, metric, unit, value, op, threshold, ratio and holds
// ("yes", "no" or "cannot-decide"); the headroom command's rows and a design's.
nlohmann::json HeadroomRowsJson(const std::vector<rules::HeadroomRow>& rows);
nlohmann::json HeadroomJson(const ChipLabel& chip, const rules::Query& query,
                            const std::vector<rules::HeadroomRow>& rows);
// "49%" (one decimal when rounding would reach a round boundary it does not meet).
std::string Percent(double ratio);

// The chip map: log TPP (x) against log PD (y), threshold regions shaded by paragraph, chips as
// labelled points coloured by status. Self-contained SVG 1.1.
std::string ChipMapSvg(const rules::RuleBook& book, const std::vector<rules::ChipEntry>& chips,
                       const rules::MapData& map);
nlohmann::json ChipMapJson(const rules::RuleBook& book, const std::vector<rules::ChipEntry>& chips,
                           const rules::MapData& map);

}  // namespace ceiling::report

#endif  // CEILING_REPORT_RULES_REPORT_H_
