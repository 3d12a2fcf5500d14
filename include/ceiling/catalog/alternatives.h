// Disputed figures: the alternatives other sources give for a chip's figures, grouped into
// scenarios ("what the record says if that source is right").
//
//   for (const Scenario& s : AlternativeScenarios(chip)) {
//     ChipMetrics m = ComputeMetrics(s.chip);       // metrics under that source
//     s.label;                                      // "gitee"
//     s.changes[0].figure;                          // "throughput.fp16"
//     s.changes[0].recorded;                        // "320 TFLOP/s"
//     s.changes[0].alternative;                     // "280 TFLOP/s"
//   }
//
// A figure written with `alternatives = [{ value, source, label? }, ...]` keeps its recorded
// value; each alternative names the sources that give another value. Alternatives that share a
// label, across all figures of the chip, belong to one scenario (a source that gives several
// figures differently); without a label, an alternative's label is its source keys joined by '+'.
// A scenario's chip is a copy of the record with those values substituted (and their sources,
// notes and formulas), with no alternatives left, so every metric and rule applies to it
// unchanged. Scenarios come in the order their labels first appear in the file (VisitFigures
// order). Pure functions; thread-safe.
#ifndef CEILING_CATALOG_ALTERNATIVES_H_
#define CEILING_CATALOG_ALTERNATIVES_H_

#include <string>
#include <vector>

#include "ceiling/catalog/chip.h"

namespace ceiling::catalog {

// One figure that a scenario changes.
struct FigureChange {
  std::string figure;       // "throughput.fp16", "dies[Ascend 910C compute die].count"
  std::string recorded;     // the recorded value, formatted with its unit: "320 TFLOP/s"
  std::string alternative;  // the scenario's value: "280 TFLOP/s"
  std::string note;         // the alternative's note (may be empty)
  std::string formula;      // the alternative's formula, when derived
  SourceLocation location;  // where the alternative is written
};

struct Scenario {
  std::string label;                 // the alternatives' label
  std::vector<std::string> sources;  // keys cited by its alternatives, first-seen order
  std::vector<FigureChange> changes;
  Chip chip;  // the record with the alternatives substituted; no alternatives left
};

// True when any figure of `chip` carries alternatives.
bool HasAlternatives(const Chip& chip);
// The scenarios of `chip` (empty when it has no alternatives). The recorded values are not a
// scenario here: callers pair these with the record itself.
std::vector<Scenario> AlternativeScenarios(const Chip& chip);

}  // namespace ceiling::catalog

#endif  // CEILING_CATALOG_ALTERNATIVES_H_
