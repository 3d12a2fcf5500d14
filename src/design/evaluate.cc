#include "ceiling/design/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <utility>

#include "ceiling/base/text.h"
#include "ceiling/rules/facts.h"

namespace ceiling::design {

namespace {

constexpr std::pair<Requirement, std::string_view> kRequirementNames[] = {
    {Requirement::kNoLicense, "no-license"},
    {Requirement::kNot3A090, "not-3a090"},
    {Requirement::kExceptionEligible, "exception-eligible"},
    {Requirement::kCaseByCase, "case-by-case"},
};

constexpr std::pair<ObjectiveKind, std::string_view> kObjectiveNames[] = {
    {ObjectiveKind::kDecode, "decode"},
    {ObjectiveKind::kPrefill, "prefill"},
    {ObjectiveKind::kTrain, "train"},
};

bool ExceptionEligible(const rules::Classification& c) {
  if (c.exceptions_blocked) return false;
  return std::any_of(c.exceptions.begin(), c.exceptions.end(), [](const rules::ExceptionHit& e) {
    return e.eligible.tri == rules::Tri::kTrue;
  });
}

// The clause to blame when a design falls short: the control paragraph that brought it in,
// else the license clause or measure that requires the license.
const rules::Clause* Blame(const rules::Classification& c) {
  if (!c.controls.empty()) return c.controls.front();
  if (!c.license_basis.empty()) return c.license_basis.front();
  return nullptr;
}

std::atomic<std::uint64_t> next_generation{1};

// Per-thread facts and classification, refilled for every design (no allocation once warm).
struct Scratch {
  std::uint64_t generation = 0;
  rules::ChipFacts facts;
  rules::Classification result;
};

}  // namespace

std::string_view RequirementName(Requirement r) {
  for (const auto& [k, n] : kRequirementNames)
    if (k == r) return n;
  return "?";
}

std::string_view RequirementTitle(Requirement r) {
  switch (r) {
    case Requirement::kNoLicense:
      return "no license required";
    case Requirement::kNot3A090:
      return "outside 3A090 (no control paragraph met)";
    case Requirement::kExceptionEligible:
      return "no license required, or a license exception "
             "is eligible";
    case Requirement::kCaseByCase:
      return "case-by-case review or better";
  }
  return "?";
}

Result<Requirement> RequirementFromName(std::string_view name) {
  for (const auto& [k, n] : kRequirementNames)
    if (n == name) return k;
  return FieldError("require", fmt::format("expected no-license, not-3a090, exception-eligible or "
                                           "case-by-case, got \"{}\"",
                                           name));
}

bool Satisfies(const rules::Classification& c, Requirement r, const rules::Clause** binding) {
  using rules::Tri;
  *binding = nullptr;
  if (c.before_first_rule) return true;
  switch (r) {
    case Requirement::kNot3A090:
      if (c.controlled.tri == Tri::kFalse) return true;
      if (c.controlled.tri == Tri::kTrue) *binding = c.controls.front();
      return false;
    case Requirement::kNoLicense:
      if (c.license_required.tri == Tri::kFalse) return true;
      if (c.license_required.tri == Tri::kTrue) *binding = Blame(c);
      return false;
    case Requirement::kExceptionEligible:
      if (c.license_required.tri == Tri::kFalse) return true;
      if (c.license_required.tri == Tri::kUnknown) return false;
      if (ExceptionEligible(c)) return true;
      *binding = Blame(c);
      return false;
    case Requirement::kCaseByCase: {
      if (c.license_required.tri == Tri::kFalse) return true;
      if (c.license_required.tri == Tri::kUnknown) return false;
      if (ExceptionEligible(c)) return true;
      const bool reviewed = c.review_decided.tri == Tri::kTrue &&
                            (c.review_policy == rules::ReviewPolicy::kCaseByCase ||
                             c.review_policy == rules::ReviewPolicy::kPresumptionOfApproval);
      if (reviewed) return true;
      *binding = c.review_clause != nullptr ? c.review_clause : Blame(c);
      return false;
    }
  }
  return false;
}

std::string_view ObjectiveName(ObjectiveKind k) {
  for (const auto& [o, n] : kObjectiveNames)
    if (o == k) return n;
  return "?";
}

std::string_view ObjectiveUnit(ObjectiveKind k) {
  switch (k) {
    case ObjectiveKind::kDecode:
      return "output tokens/s per GPU";
    case ObjectiveKind::kPrefill:
      return "input tokens/s per GPU (prefill)";
    case ObjectiveKind::kTrain:
      return "training tokens/s per GPU";
  }
  return "?";
}

Result<std::vector<ObjectiveKind>> ParseObjectives(std::string_view list) {
  std::vector<ObjectiveKind> out;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    const std::size_t comma = std::min(list.find(',', pos), list.size());
    const std::string_view name = list.substr(pos, comma - pos);
    const auto* it = std::find_if(std::begin(kObjectiveNames), std::end(kObjectiveNames),
                                  [&](const auto& p) { return p.second == name; });
    if (it == std::end(kObjectiveNames))
      return FieldError("objective", fmt::format("expected decode, prefill or train (several "
                                                 "comma-separated), got \"{}\"",
                                                 name));
    if (std::find(out.begin(), out.end(), it->first) != out.end())
      return FieldError("objective", fmt::format("\"{}\" is given twice", name));
    out.push_back(it->first);
    pos = comma + 1;
  }
  if (out.size() > static_cast<std::size_t>(kMaxObjectives))
    return FieldError("objective", fmt::format("at most {} objectives", kMaxObjectives));
  return out;
}

DesignEvaluator::DesignEvaluator(Setup setup)
    : setup_(std::move(setup)), generation_(next_generation.fetch_add(1)) {}

Result<DesignEvaluator> DesignEvaluator::Create(Setup setup) {
  if (setup.book == nullptr)
    return MakeError(ErrorCode::kInvalidArgument, "design search: no rule book");
  if (setup.objectives.empty())
    return MakeError(ErrorCode::kInvalidArgument, "design search: no objective");
  const Workload& w = setup.workload;
  if (w.model == nullptr || w.calibration == nullptr || w.systems == nullptr)
    return MakeError(ErrorCode::kInvalidArgument,
                     "design search: the objectives need a model, the calibration and the "
                     "system defaults");
  setup.query.trace = false;
  DesignEvaluator ev(std::move(setup));
  perf::ServingQuery base;
  base.model = ev.setup_.workload.model;
  base.gpus = ev.setup_.workload.gpus;
  base.workload = ev.setup_.workload.serving;
  ev.plan_ = std::make_shared<perf::ServingPlan>(*base.model, base.gpus,
                                                 ev.setup_.workload.serving_search, base);
  return ev;
}

bool DesignEvaluator::Feasible(const catalog::Chip& chip, const catalog::ChipMetrics& metrics,
                               Binding* binding) const {
  if (setup_.max_tdp && (!chip.tdp || chip.tdp->value > *setup_.max_tdp)) {
    *binding = {Binding::Kind::kTdpCap, nullptr};
    return false;
  }
  if (setup_.max_memory) {
    const auto cap = chip.MemoryCapacity();
    if (!cap || *cap > *setup_.max_memory) {
      *binding = {Binding::Kind::kMemoryCap, nullptr};
      return false;
    }
  }
  thread_local Scratch scratch;
  if (scratch.generation != generation_) {
    scratch.facts = rules::ChipFacts();
    scratch.generation = generation_;
  }
  rules::FillFacts(chip, metrics, &scratch.facts);
  rules::ClassifyInto(*setup_.book, scratch.facts, setup_.query, &scratch.result);
  const rules::Clause* clause = nullptr;
  if (Satisfies(scratch.result, setup_.requirement, &clause)) return true;
  const rules::Classification& c = scratch.result;
  const bool undecided =
      c.license_required.tri == rules::Tri::kUnknown ||
      (setup_.requirement == Requirement::kNot3A090 && c.controlled.tri == rules::Tri::kUnknown);
  *binding = clause != nullptr ? Binding::Of(clause)
             : undecided       ? Binding{Binding::Kind::kUndecided, nullptr}
                               : Binding{Binding::Kind::kNoClause, nullptr};
  return false;
}

perf::ServingQuery DesignEvaluator::ServingQueryFor(const perf::Hardware& hw) const {
  const Workload& w = setup_.workload;
  perf::ServingQuery q;
  q.model = w.model;
  q.hardware = &hw;
  q.calibration = w.calibration;
  q.gpus = w.gpus;
  q.precision = w.engine_attention ? perf::WithEngineAttention(
                                         w.precision, w.calibration->Engine(w.serving.engine).traits,
                                         *w.model, hw)
                                   : w.precision;
  q.workload = w.serving;
  return q;
}

perf::TrainingQuery DesignEvaluator::TrainingQueryFor(const perf::Hardware& hw) const {
  perf::TrainingQuery q = setup_.workload.training;
  q.model = setup_.workload.model;
  q.hardware = &hw;
  q.calibration = setup_.workload.calibration;
  return q;
}

double DesignEvaluator::Objective(ObjectiveKind k, const catalog::Chip& chip) const {
  const Workload& w = setup_.workload;
  auto hw = perf::HardwareFromChip(chip, *w.systems, w.system);
  if (!hw.ok()) return 0;
  switch (k) {
    case ObjectiveKind::kDecode:
      return plan_->BestThroughputPerGpu(ServingQueryFor(*hw));
    case ObjectiveKind::kPrefill:
      return plan_->BestPrefillPerGpu(ServingQueryFor(*hw));
    case ObjectiveKind::kTrain: {
      const perf::TrainingQuery q = TrainingQueryFor(*hw);
      auto r = perf::Train(q);
      if (!r.ok() || !r->fits) return 0;
      return r->tokens_per_s / q.gpus;
    }
  }
  return 0;
}

void DesignEvaluator::Objectives(const catalog::Chip& chip, const catalog::ChipMetrics&,
                                 double* out) const {
  for (std::size_t i = 0; i < setup_.objectives.size(); ++i)
    out[i] = Objective(setup_.objectives[i], chip);
}

ObjectiveReport DesignEvaluator::Report(ObjectiveKind k, const catalog::Chip& chip) const {
  ObjectiveReport rep;
  rep.kind = k;
  const Workload& w = setup_.workload;
  auto hw = perf::HardwareFromChip(chip, *w.systems, w.system);
  if (!hw.ok()) {
    // "<design id>: the performance model needs ...": the generated id says nothing here.
    rep.why_zero = hw.error().message;
    if (rep.why_zero.starts_with(chip.id + ": ")) rep.why_zero.erase(0, chip.id.size() + 2);
    return rep;
  }
  switch (k) {
    case ObjectiveKind::kDecode: {
      auto s = perf::SearchServing(ServingQueryFor(*hw), w.serving_search);
      if (!s.ok()) {
        rep.why_zero = s.error().message;
      } else if (!s->found) {
        rep.why_zero = s->why_none;
      } else {
        rep.value = s->result.output_tokens_per_s_per_gpu;
        rep.band = s->result.uncertainty.throughput;
        const int instances = s->query.gpus / s->query.par.Gpus();
        rep.deployment = fmt::format("{}, {} on {}, {}", s->query.par.ToString(),
                                     Counted(instances, "instance"), Counted(s->query.gpus, "GPU"),
                                     Counted(s->query.workload.concurrency, "client"));
      }
      break;
    }
    case ObjectiveKind::kPrefill:
      rep.value = plan_->BestPrefillPerGpu(ServingQueryFor(*hw));
      if (rep.value <= 0) rep.why_zero = "one prompt does not fit any layout of these GPUs";
      // Prefill time is what TTFT measures; its band is the TTFT band for this kind of chip.
      rep.band = w.calibration->Band(w.calibration->BasisFor(chip.id, chip.family),
                                     perf::PerfMetric::kTtft, perf::Regime::kSmallBatch);
      rep.deployment =
          fmt::format("{} tokens per prompt, {}", w.serving.isl, Counted(w.gpus, "GPU"));
      break;
    case ObjectiveKind::kTrain: {
      const perf::TrainingQuery q = TrainingQueryFor(*hw);
      auto r = perf::Train(q);
      if (!r.ok()) {
        rep.why_zero = r.error().message;
      } else if (!r->fits) {
        rep.why_zero = r->does_not_fit;
      } else {
        rep.value = r->tokens_per_s / q.gpus;
        // The band is the step-time error; throughput is its inverse, the relative error the same
        // to first order.
        rep.band = r->uncertainty;
      }
      rep.deployment = fmt::format(
          "{}, TP{} PP{} DP{}, micro-batch {}, global batch {} x "
          "{} tokens",
          Counted(q.gpus, "GPU"), q.tp, q.pp, r.ok() ? r->dp : 0, q.micro_batch, q.global_batch,
          q.seq);
      break;
    }
  }
  return rep;
}

rules::Classification DesignEvaluator::Classify(const catalog::Chip& chip) const {
  const rules::ChipFacts facts =
      rules::FactsOf(chip, catalog::ComputeMetrics(chip, catalog::MetricDetail::kExplain));
  return rules::Classify(*setup_.book, facts, setup_.query);
}

}  // namespace ceiling::design
