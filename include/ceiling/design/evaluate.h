// The evaluator of a compliance-constrained design search: a rule outcome as the constraint and
// performance-model figures as the objectives.
//
//   DesignEvaluator::Setup s;
//   s.book = &book;  s.query = *rules::MakeQuery(book, date, "CN");
//   s.requirement = Requirement::kNoLicense;
//   s.objectives = {ObjectiveKind::kDecode};
//   s.workload = workload;                     // model, GPUs, lengths, TPOT target ...
//   ASSIGN_OR_RETURN(DesignEvaluator ev, DesignEvaluator::Create(std::move(s)));
//   SearchResult r = Search(space, ev);
//   ObjectiveReport rep = ev.Report(ObjectiveKind::kDecode, space.Build(r.best->point));
//
// Constraint (Requirement): the classification of the derivative on the query's date, for its
// destination and end-user headquarters, must be at least as good as
//   kNoLicense          no license required;
//   kNot3A090           outside the controls (no 3A090/4A090 paragraph met);
//   kExceptionEligible  no license required, or a license exception (NAC/ACA ...) is eligible and
//                       no measure blocks exceptions;
//   kCaseByCase         any of the above, or licenses reviewed case by case or with a
//                       presumption of approval (not denial).
// An undecided classification (a metric unknown) never satisfies a requirement. Optional caps
// (TDP, memory capacity) come first. When a design fails, the binding clause is the control
// paragraph that brought it in (else the license clause or measure, else the review clause).
//
// Objectives (higher is better), all per GPU:
//   kDecode   output tokens/s of the best serving deployment that fits and meets the SLA
//             (exactly what `ceiling perf serve --sla-tpot` finds for that chip);
//   kPrefill  prefill-only input tokens/s for prompts of `isl` tokens, best layout that fits;
//   kTrain    training tokens/s of the given layout (0 when it does not fit).
// A design on which the workload does not fit scores 0.
//
// Thread safety: Feasible and Objectives may be called concurrently (the search does).
#ifndef CEILING_DESIGN_EVALUATE_H_
#define CEILING_DESIGN_EVALUATE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/quantity.h"
#include "ceiling/base/result.h"
#include "ceiling/design/search.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"
#include "ceiling/perf/serving.h"
#include "ceiling/perf/training.h"
#include "ceiling/rules/classify.h"

namespace ceiling::design {

enum class Requirement { kNoLicense, kNot3A090, kExceptionEligible, kCaseByCase };
std::string_view RequirementName(Requirement r);   // "no-license"
std::string_view RequirementTitle(Requirement r);  // "no license required"
// Errors: kInvalidArgument listing the accepted names.
Result<Requirement> RequirementFromName(std::string_view name);

// Whether `c` satisfies `r`. When it does not, `*binding` is the clause that stands in the way
// (nullptr when the classification is undecided or no clause is to blame).
bool Satisfies(const rules::Classification& c, Requirement r, const rules::Clause** binding);

enum class ObjectiveKind { kDecode, kPrefill, kTrain };
std::string_view ObjectiveName(ObjectiveKind k);  // "decode"
std::string_view ObjectiveUnit(ObjectiveKind k);  // "output tokens/s per GPU"
// "decode,prefill" -> {kDecode, kPrefill}. Errors: unknown or repeated names, more than
// kMaxObjectives, an empty list.
Result<std::vector<ObjectiveKind>> ParseObjectives(std::string_view list);

// The workload the objectives measure.
struct Workload {
  const perf::ModelArch* model = nullptr;
  const perf::Calibration* calibration = nullptr;
  const perf::SystemDefaults* systems = nullptr;
  perf::SystemOptions system;
  // Serving (decode, prefill): GPUs, formats, lengths, engine; the SLA and fixed sizes.
  int gpus = 8;
  perf::PrecisionConfig precision;
  // The attention format is the engine's on each design (perf::WithEngineAttention), unless the
  // request named one.
  bool engine_attention = true;
  perf::ServingWorkload serving;
  perf::SlaSearchOptions serving_search;
  // Training: the layout and batch (model, hardware and calibration are filled per chip).
  perf::TrainingQuery training;
};

// An objective evaluated in full for a report: the value, its 90% band and how it was reached.
struct ObjectiveReport {
  ObjectiveKind kind = ObjectiveKind::kDecode;
  double value = 0;
  perf::ErrorBand band;
  std::string deployment;  // "TP8 EP8, 24 clients", "TP8, micro-batch 1"
  std::string why_zero;    // when value == 0: does not fit, SLA not met ...
};

class DesignEvaluator final : public Evaluator {
 public:
  struct Setup {
    const rules::RuleBook* book = nullptr;
    rules::Query query;
    Requirement requirement = Requirement::kNoLicense;
    std::optional<Watts> max_tdp;
    std::optional<Bytes> max_memory;
    std::vector<ObjectiveKind> objectives;
    Workload workload;
  };
  // Errors: no objectives, a missing model/calibration/systems for a performance objective.
  static Result<DesignEvaluator> Create(Setup setup);

  bool Feasible(const catalog::Chip& chip, const catalog::ChipMetrics& metrics,
                Binding* binding) const override;
  int objective_count() const override { return static_cast<int>(setup_.objectives.size()); }
  void Objectives(const catalog::Chip& chip, const catalog::ChipMetrics& metrics,
                  double* out) const override;

  // One objective's value (what the search ranks by).
  double Objective(ObjectiveKind k, const catalog::Chip& chip) const;
  // The same in full, for reports.
  ObjectiveReport Report(ObjectiveKind k, const catalog::Chip& chip) const;
  // The classification of a chip for the query (trace off).
  rules::Classification Classify(const catalog::Chip& chip) const;

  const Setup& setup() const { return setup_; }

 private:
  explicit DesignEvaluator(Setup setup);
  perf::ServingQuery ServingQueryFor(const perf::Hardware& hw) const;
  perf::TrainingQuery TrainingQueryFor(const perf::Hardware& hw) const;

  Setup setup_;
  std::shared_ptr<const perf::ServingPlan> plan_;
  std::uint64_t generation_ = 0;  // tags per-thread scratch facts with their evaluator
};

}  // namespace ceiling::design

#endif  // CEILING_DESIGN_EVALUATE_H_
