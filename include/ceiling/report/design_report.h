// Rendering of design searches: the best compliant derivative, the Pareto front, a named product's
// distance from the optimum (text, JSON, SVG), and the capability a rule leaves open per die.
//
//   DesignReport rep{...};                 // the API fills it from a design response
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
#include "ceiling/design/assess.h"
#include "ceiling/design/evaluate.h"
#include "ceiling/design/search.h"
#include "ceiling/design/space.h"
#include "ceiling/rules/analysis.h"

namespace ceiling::report {

using design::EvaluatedDesign;

// What a design search found, as the renderers take it (built by the API from its response).
struct DesignReport {
  const rules::RuleBook* book = nullptr;
  const design::DesignSpace* space = nullptr;
  const design::DesignEvaluator* evaluator = nullptr;
  const design::SearchResult* result = nullptr;
  std::string
      workload;  // "deepseek-r1, 8 GPUs, fp8, input 1024 / output 1024 tokens, TPOT <= 50 ms"
  double seconds = 0;  // wall time, shown in text only (JSON is reproducible byte for byte)
  const EvaluatedDesign* best = nullptr;     // none when nothing is feasible
  const EvaluatedDesign* compare = nullptr;  // the product to compare with, if any
};

std::string DesignText(const DesignReport& r);
nlohmann::json DesignJson(const DesignReport& r);
// Two or more objectives: the front in the plane of the first two. One objective: every
// evaluated design (TPP against the objective) with the binding TPP line. The compared product
// is marked in both.
std::string DesignFrontSvg(const DesignReport& r);

using design::CapabilityCell;
using design::CapabilityReport;
using design::CapabilityRow;
std::string CapabilityText(const CapabilityReport& r);
nlohmann::json CapabilityJson(const CapabilityReport& r);

}  // namespace ceiling::report

#endif  // CEILING_REPORT_DESIGN_REPORT_H_
