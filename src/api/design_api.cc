#include "ceiling/api/design_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "ceiling/api/catalog_api.h"
#include "ceiling/base/text.h"
#include "ceiling/base/units.h"
#include "ceiling/catalog/writer.h"

namespace ceiling::api {

using design::ObjectiveKind;

namespace {

// The decode objective without a client count searches under this TPOT target.
constexpr double kDefaultSlaTpotMs = 50;
// Training objective: tensor parallelism over at most one 8-GPU node by default.
constexpr int kDefaultTrainingTp = 8;

template <typename Q>
Result<std::optional<Q>> OptionalQuantity(const std::string& s, const char* field) {
  if (s.empty()) return std::optional<Q>();
  auto q = ParseQuantityAs<Q>(s);
  if (!q.ok()) return FieldError(field, q.error().message);
  if (!(std::isfinite(q->In(1.0)) && q->In(1.0) > 0))
    return FieldError(field, fmt::format("must be a positive quantity, got \"{}\"", s));
  return std::optional<Q>(*q);
}

// Everything a search needs that does not depend on the design space.
struct Setup {
  std::shared_ptr<const perf::ModelArch> model;
  std::vector<ObjectiveKind> objectives;
  design::Requirement requirement = design::Requirement::kNoLicense;
  std::optional<Watts> max_tdp;
  std::optional<Bytes> max_memory;
  design::Workload workload;
  design::SearchOptions search;
  std::optional<catalog::Market> market;
  std::string describe;
};

// Resolves the goal against the knowledge base; `goal` receives the dependent defaults.
Result<Setup> Prepare(const KnowledgeBase& kb, DesignGoal& goal, const CallOptions& call) {
  Setup s;
  ASSIGN_OR_RETURN(s.objectives, design::ParseObjectives(goal.objective));
  ASSIGN_OR_RETURN(s.requirement, design::RequirementFromName(goal.require));
  const auto has = [&](ObjectiveKind k) {
    return std::find(s.objectives.begin(), s.objectives.end(), k) != s.objectives.end();
  };
  ServingFields& sv = goal.serving;
  if (has(ObjectiveKind::kDecode) && !sv.sla() && !sv.concurrency) sv.sla_tpot = kDefaultSlaTpotMs;
  RETURN_IF_ERROR(sv.Check(false));
  RETURN_IF_ERROR(goal.Check());
  ASSIGN_OR_RETURN(s.max_tdp, OptionalQuantity<Watts>(goal.max_tdp, "max_tdp"));
  ASSIGN_OR_RETURN(s.max_memory, OptionalQuantity<Bytes>(goal.max_memory, "max_memory"));
  if (!goal.market.empty())
    s.market = goal.market == "consumer" ? catalog::Market::kConsumer
                                         : catalog::Market::kDatacenter;
  ASSIGN_OR_RETURN(const perf::Calibration* cal, kb.calibration());
  ASSIGN_OR_RETURN(const perf::SystemDefaults* systems, kb.systems());
  ASSIGN_OR_RETURN(s.model, ResolveModel(kb, sv.model, "model"));
  // A request the model cannot take is the workload's error, not every design's zero.
  if (has(ObjectiveKind::kDecode)) RETURN_IF_ERROR(perf::CheckContext(*s.model, sv.isl, sv.osl));
  if (has(ObjectiveKind::kPrefill)) RETURN_IF_ERROR(perf::CheckContext(*s.model, sv.isl, 0));
  design::Workload& w = s.workload;
  w.model = s.model.get();
  w.systems = systems;
  w.calibration = cal;
  ASSIGN_OR_RETURN(w.system, sv.System());
  w.gpus = sv.gpus;
  ASSIGN_OR_RETURN(perf::ServingQuery sq, sv.Query(s.model.get(), nullptr, cal));
  w.precision = sq.precision;
  w.engine_attention = sv.attention_precision.empty();
  w.serving = sq.workload;
  w.serving_search = sv.Search();
  perf::TrainingQuery& t = w.training;
  t.gpus = sv.gpus;
  t.tp = sv.tp.value_or(std::min(kDefaultTrainingTp, sv.gpus));
  t.pp = sv.pp.value_or(1);
  t.ep = sv.ep.value_or(1);
  t.zero = goal.zero;
  t.micro_batch = goal.micro_batch;
  t.recompute = goal.recompute ? perf::Recompute::kFull : perf::Recompute::kSelective;
  t.global_batch = goal.global_batch;
  t.seq = goal.seq;
  ASSIGN_OR_RETURN(t.precision, ParsePrecision(goal.train_precision, "train_precision"));
  s.search.budget = static_cast<std::uint64_t>(goal.budget);
  s.search.threads = goal.threads;
  s.search.stop = call.stop;
  s.search.progress = call.progress;
  s.search.strategy = goal.strategy == "exhaustive"  ? design::Strategy::kExhaustive
                      : goal.strategy == "monotone" ? design::Strategy::kMonotone
                                                    : design::Strategy::kAuto;

  // The workload in words.
  std::vector<std::string> parts = {sv.model.Label("model"), Counted(sv.gpus, "GPU")};
  if (has(ObjectiveKind::kDecode) || has(ObjectiveKind::kPrefill)) {
    parts.push_back(
        fmt::format("{} serving, input {} / output {} tokens", sv.precision, sv.isl, sv.osl));
    if (sv.sla_tpot) parts.push_back(fmt::format("TPOT <= {} ms", *sv.sla_tpot));
    if (sv.sla_ttft) parts.push_back(fmt::format("TTFT <= {} ms", *sv.sla_ttft));
    if (!sv.sla() && sv.concurrency) parts.push_back(Counted(*sv.concurrency, "client"));
  }
  if (has(ObjectiveKind::kTrain))
    parts.push_back(fmt::format("training {} x {} tokens per step, {}", goal.global_batch,
                                goal.seq, goal.train_precision));
  s.describe = fmt::format("{}", fmt::join(parts, ", "));
  return s;
}

Result<std::shared_ptr<const design::DesignEvaluator>> MakeEvaluator(
    const Setup& s, const rules::RuleBook& book, const rules::Query& q) {
  design::DesignEvaluator::Setup es;
  es.book = &book;
  es.query = q;
  es.requirement = s.requirement;
  es.max_tdp = s.max_tdp;
  es.max_memory = s.max_memory;
  es.objectives = s.objectives;
  es.workload = s.workload;
  ASSIGN_OR_RETURN(design::DesignEvaluator ev, design::DesignEvaluator::Create(std::move(es)));
  return std::shared_ptr<const design::DesignEvaluator>(
      std::make_shared<design::DesignEvaluator>(std::move(ev)));
}

Error Stopped(const char* what) {
  return MakeError(ErrorCode::kDeadlineExceeded,
                   fmt::format("the {} search stopped at its deadline", what));
}

}  // namespace

Status DesignGoal::Check() const {
  if (budget < 1) return FieldError("budget", "must be at least 1");
  if (threads < 0 || threads > 1024) return FieldError("threads", "must be 0 to 1024");
  if (seq < 1 || seq > 1 << 24) return FieldError("seq", "must be between 1 and 16777216");
  if (global_batch < 1) return FieldError("global_batch", "must be at least 1");
  if (micro_batch < 1) return FieldError("micro_batch", "must be at least 1");
  if (zero < 0 || zero > 3) return FieldError("zero", fmt::format("must be 0 to 3, got {}", zero));
  return OkStatus();
}

// design -----------------------------------------------------------------------------------------

Status DesignRequest::Validate() { return CheckFields(*this); }

Result<DesignResponse> Design(const KnowledgeBase& kb, DesignRequest request,
                              const CallOptions& call) {
  RETURN_IF_ERROR(request.Validate());
  DesignResponse r;
  r.kb = kb.shared_from_this();
  ASSIGN_OR_RETURN(Setup s, Prepare(kb, request.goal, call));
  ASSIGN_OR_RETURN(rules::RuleBook book, BookFor(kb, request.rules));
  r.book = std::make_shared<const rules::RuleBook>(std::move(book));
  ASSIGN_OR_RETURN(rules::Query q, QueryFor(*r.book, request.at, request.rules.view));
  ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Chip> base,
                   ResolveChip(kb, request.base, "base"));
  std::shared_ptr<const catalog::Chip> compare;
  if (!request.compare.empty()) {
    ASSIGN_OR_RETURN(compare, ResolveChip(kb, request.compare, "compare"));
  }
  design::DesignSpace space;
  if (request.design) {
    auto parsed = design::ParseDesignSpaceText(
        request.design->text, request.design->name.empty() ? "design" : request.design->name,
        kb.catalog());
    if (!parsed.ok()) return WithField(parsed.error(), "design");
    space = std::move(*parsed);
  } else {
    ASSIGN_OR_RETURN(const std::vector<design::DesignSpace>* files, kb.design_spaces());
    auto found = design::DesignSpaceFor(*files, kb.catalog(), *base);
    if (!found.ok()) {
      Error e = WithField(found.error(), "base");
      if (e.code == ErrorCode::kInvalidArgument) e.code = ErrorCode::kNoAnswer;  // figures missing
      return e;
    }
    space = std::move(*found);
  }
  if (s.market) RETURN_IF_ERROR(space.RestrictMarket(*s.market));
  RETURN_IF_ERROR(space.PinTdp(s.max_tdp));
  r.space = std::make_shared<const design::DesignSpace>(std::move(space));
  ASSIGN_OR_RETURN(r.evaluator, MakeEvaluator(s, *r.book, q));
  r.model = s.model;
  r.workload = s.describe;
  s.search.keep_candidates = request.keep_candidates;

  const auto start = std::chrono::steady_clock::now();
  r.result = design::Search(*r.space, *r.evaluator, s.search);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (r.result.stopped) return Stopped("design");
  if (r.result.best)
    r.best = design::EvaluateDesign(*r.book, *r.evaluator, r.space->Build(r.result.best->point),
                                    r.space->Describe(r.result.best->point),
                                    r.result.best->next_binding, r.result.best->next_knob);
  if (compare)
    r.compare = design::EvaluateDesign(*r.book, *r.evaluator, *compare, "");
  return r;
}

namespace {

report::DesignReport View(const DesignResponse& r) {
  report::DesignReport v;
  v.book = r.book.get();
  v.space = r.space.get();
  v.evaluator = r.evaluator.get();
  v.result = &r.result;
  v.workload = r.workload;
  v.seconds = r.seconds;
  v.best = r.best ? &*r.best : nullptr;
  v.compare = r.compare ? &*r.compare : nullptr;
  return v;
}

}  // namespace

nlohmann::json ToJson(const DesignResponse& r) { return report::DesignJson(View(r)); }
std::string ToText(const DesignResponse& r) { return report::DesignText(View(r)); }
std::string ToSvg(const DesignResponse& r) { return report::DesignFrontSvg(View(r)); }

Result<std::string> BestChipToml(const DesignResponse& r) {
  if (!r.best) return MakeError(ErrorCode::kNoAnswer, "no design satisfies the constraint");
  return catalog::ChipToToml(r.best->chip);
}

// capability -------------------------------------------------------------------------------------

Status CapabilityRequest::Validate() {
  RETURN_IF_ERROR(CheckFields(*this));
  if (dates.size() > 2) return FieldError("dates", "give one date, or two to show the change");
  return OkStatus();
}

Result<CapabilityResponse> Capability(const KnowledgeBase& kb, CapabilityRequest request,
                                      const CallOptions& call) {
  RETURN_IF_ERROR(request.Validate());
  ASSIGN_OR_RETURN(Setup s, Prepare(kb, request.goal, call));
  if (s.objectives.size() != 1)
    return FieldError("objective", "capability takes one objective (decode, prefill or train)");
  ASSIGN_OR_RETURN(rules::RuleBook book, BookFor(kb, request.rules));
  std::vector<std::shared_ptr<const design::DesignEvaluator>> evaluators;
  std::vector<const design::DesignEvaluator*> settings;
  std::vector<rules::Query> queries;
  for (const std::string& d : request.dates) {
    Place at = request.at;
    at.date = d;
    auto q = QueryFor(book, at, request.rules.view);
    if (!q.ok()) {
      Error e = q.error();
      if (e.field == "date") e.field = "dates";
      return e;
    }
    ASSIGN_OR_RETURN(auto ev, MakeEvaluator(s, book, *q));
    settings.push_back(ev.get());
    evaluators.push_back(std::move(ev));
    queries.push_back(*q);
  }
  ASSIGN_OR_RETURN(const std::vector<design::DesignSpace>* files, kb.design_spaces());
  std::vector<std::string> skipped;
  std::vector<design::DesignSpace> spaces = design::CapabilitySpaces(*files, kb.catalog(), &skipped);
  CapabilityResponse r;
  r.kb = kb.shared_from_this();
  r.report = design::AssessCapability(std::move(spaces), settings, s.search, s.market, s.max_tdp);
  if (r.report.stopped) return Stopped("capability");
  r.report.skipped = std::move(skipped);
  r.report.settings = request.dates;
  r.report.requirement = std::string(design::RequirementTitle(s.requirement));
  r.report.destination = report::CountryLabel(book.countries(), queries.front().destination);
  r.report.objective = fmt::format("{} ({})", design::ObjectiveName(s.objectives.front()),
                                   design::ObjectiveUnit(s.objectives.front()));
  r.report.workload = s.describe;
  return r;
}

nlohmann::json ToJson(const CapabilityResponse& r) {
  nlohmann::json j = report::CapabilityJson(r.report);
  j["skipped"] = r.report.skipped;
  return j;
}

std::string ToText(const CapabilityResponse& r) {
  std::string out = report::CapabilityText(r.report);
  for (const std::string& s : r.report.skipped) out += "skipped: " + s + "\n";
  return out;
}

}  // namespace ceiling::api
