// Assessing designs in full, for reports: a design (or a real product) evaluated with every
// objective, its classification, the clause that binds it and its headroom; and the capability a
// rule leaves open per die.
//
//   EvaluatedDesign best = EvaluateDesign(book, evaluator, space.Build(r.best->point),
//                                         space.Describe(r.best->point), r.best->next_binding,
//                                         r.best->next_knob);
//   best.binding.clause;   // us-2023-10-acs/3A090.b.1: one more step of compute would meet it
//
//   ASSIGN_OR_RETURN(auto spaces, CapabilitySpaces(design_files, catalog, &skipped));
//   CapabilityReport cap = AssessCapability(spaces, {&ev_2023, &ev_2024}, options, market, tdp);
//
// Pure computation on immutable inputs (the report module renders the results). Pointers in the
// results point into the rule book the evaluator uses, which must outlive them.
#ifndef CEILING_DESIGN_ASSESS_H_
#define CEILING_DESIGN_ASSESS_H_

#include <optional>
#include <string>
#include <vector>

#include "ceiling/catalog/catalog.h"
#include "ceiling/design/evaluate.h"
#include "ceiling/design/search.h"
#include "ceiling/design/space.h"
#include "ceiling/rules/analysis.h"

namespace ceiling::design {

// One design (or a catalog product) evaluated in full.
struct EvaluatedDesign {
  catalog::Chip chip;
  catalog::ChipMetrics metrics;  // explained
  std::string knobs;             // the design's knob values in words ("" for a product)
  std::vector<ObjectiveReport> objectives;
  rules::Classification classification;
  bool satisfies = false;  // meets the search's requirement
  // What one more step (`binding_knob`) would meet; for a product (no step), the clause that
  // stands in the way when it does not satisfy the requirement.
  Binding binding;
  Knob binding_knob = Knob::kNone;
  std::vector<rules::HeadroomRow> headroom;
};

// Evaluates `chip` under the evaluator's rule query and objectives. `next_binding`/`next_knob`
// come from the search's Candidate (none for a product).
EvaluatedDesign EvaluateDesign(const rules::RuleBook& book, const DesignEvaluator& ev,
                               catalog::Chip chip, std::string knobs, Binding next_binding = {},
                               Knob next_knob = Knob::kNone);

// Capability: for each base die, the best compliant derivative under each of one or two rule
// settings (dates).
struct CapabilityCell {
  bool searched = false;  // false: the die could not be searched (why in `note`)
  bool feasible = false;
  std::string knobs;
  double tpp = 0, pd = 0;  // pd < 0 when unknown
  double memory_bw_tbs = 0;
  double objective = 0;
  // Infeasible: what ruled out the most designs. Feasible: what the next step up from the best
  // design would meet (`binding_knob`), none when the maximum design passes.
  Binding binding;
  Knob binding_knob = Knob::kNone;
  // Not searched: why. Searched with objective 0: why the workload does not run on the best
  // design (ObjectiveReport::why_zero).
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
  std::vector<CapabilityRow> rows;   // best last-setting objective first
  std::vector<std::string> skipped;  // dies that could not be given a space, with the reason
  bool stopped = false;              // a search stopped at its deadline
};

// One space per logic die: the design files first, then a default space for every other die of
// the catalog (base: the product with the highest TPP on that die). Dies whose chips lack the
// figures a space needs are listed in `skipped` with the reason.
std::vector<DesignSpace> CapabilitySpaces(const std::vector<DesignSpace>& design_files,
                                          const catalog::Catalog& cat,
                                          std::vector<std::string>* skipped);

// Searches every space under every evaluator (one per setting; the caller fills the report's
// labels). Spaces without the market or a TDP within the cap are left out. Rows are sorted by
// the last setting's objective, best first, then by die.
CapabilityReport AssessCapability(std::vector<DesignSpace> spaces,
                                  const std::vector<const DesignEvaluator*>& settings,
                                  const SearchOptions& options,
                                  std::optional<catalog::Market> market,
                                  std::optional<Watts> max_tdp);

}  // namespace ceiling::design

#endif  // CEILING_DESIGN_ASSESS_H_
