// Rendering of design searches: the best compliant derivative, the Pareto front, a named product's
// distance from the optimum (text, JSON, SVG), and the capability a rule leaves open per die.
//
//   DesignReport rep = BuildDesignReport(book, space, evaluator, result, compare_chip);
//   std::string text = DesignText(rep);
//   nlohmann::json j = DesignJson(rep);   // best, front, compare, evaluated, budget_exhausted
//   std::string svg = DesignFrontSvg(rep);
//
// JSON field names are an interface: `best` is a full chip record (ChipJson, with `metrics`)
// plus `knobs`, `objective` (per objective: value, unit, band, deployment), `binding_clause`
// (null when no clause binds) and `headroom`; `front` lists the non-dominated designs;
// `compare` holds the named product's record, objective, classification and its distance from
// `best`. Deterministic output for the same inputs.
#ifndef CEILING_REPORT_DESIGN_REPORT_H_
#define CEILING_REPORT_DESIGN_REPORT_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ceiling/catalog/chip.h"
#include "ceiling/catalog/metrics.h"
#include "ceiling/design/evaluate.h"
#include "ceiling/design/search.h"
#include "ceiling/design/space.h"
#include "ceiling/rules/analysis.h"

namespace ceiling::report {

// One design (or a catalog product) evaluated in full.
struct EvaluatedDesign {
  catalog::Chip chip;
  catalog::ChipMetrics metrics;  // explained
  std::string knobs;             // the design's knob values in words ("" for a product)
  std::vector<design::ObjectiveReport> objectives;
  rules::Classification classification;
  bool satisfies = false;                  // meets the search's requirement
  const rules::Clause* binding = nullptr;  // the clause one more step would meet
  std::string binding_text;                // a binding that is not a clause ("cap: TDP")
  std::string binding_knob;                // the step: "compute", "links" or "memory"
  std::vector<rules::HeadroomRow> headroom;
};

struct DesignReport {
  const rules::RuleBook* book = nullptr;
  const design::DesignSpace* space = nullptr;
  const design::DesignEvaluator* evaluator = nullptr;
  const design::SearchResult* result = nullptr;
  std::string
      workload;  // "deepseek-r1, 8 GPUs, fp8, input 1024 / output 1024 tokens, TPOT <= 50 ms"
  double seconds = 0;
  int threads = 1;
  std::optional<EvaluatedDesign> best;
  std::optional<EvaluatedDesign> compare;
};

// Evaluates the best design and the product to compare with (nullptr: none) in full.
DesignReport BuildDesignReport(const rules::RuleBook& book, const design::DesignSpace& space,
                               const design::DesignEvaluator& ev,
                               const design::SearchResult& result, const catalog::Chip* compare);
EvaluatedDesign EvaluateDesign(const rules::RuleBook& book, const design::DesignEvaluator& ev,
                               catalog::Chip chip, std::string knobs, const char* next_binding,
                               const char* next_knob);

std::string DesignText(const DesignReport& r);
nlohmann::json DesignJson(const DesignReport& r);
// Two or more objectives: the front in the plane of the first two. One objective: every
// evaluated design (TPP against the objective) with the binding TPP line. The compared product
// is marked in both.
std::string DesignFrontSvg(const DesignReport& r);

// Capability: for each base die, the best compliant derivative under each of one or two rule
// settings (dates).
struct CapabilityCell {
  bool searched = false;  // false: the die could not be searched (why in `note`)
  bool feasible = false;
  std::string knobs;
  double tpp = 0, pd = 0;  // pd < 0 when unknown
  double memory_bw_tbs = 0;
  double objective = 0;
  std::string binding;  // clause id, cap, or "" when the maximum design passes
  std::string note;
};
struct CapabilityRow {
  std::string die;                    // space id ("gh100") or the base chip's die name
  std::string base;                   // base chip id
  std::vector<CapabilityCell> cells;  // one per setting
};
struct CapabilityReport {
  std::vector<std::string> settings;  // "2023-06-01", ...
  std::string requirement, destination, objective, workload;
  std::vector<CapabilityRow> rows;
};
std::string CapabilityText(const CapabilityReport& r);
nlohmann::json CapabilityJson(const CapabilityReport& r);

}  // namespace ceiling::report

#endif  // CEILING_REPORT_DESIGN_REPORT_H_
