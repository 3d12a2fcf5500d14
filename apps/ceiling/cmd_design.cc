// design, capability: thin adapters over ceiling::design.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "ceiling/catalog/writer.h"
#include "ceiling/design/evaluate.h"
#include "ceiling/design/search.h"
#include "ceiling/design/space.h"
#include "ceiling/perf/training.h"
#include "ceiling/report/design_report.h"
#include "ceiling/report/json.h"
#include "perf_options.h"
#include "rule_options.h"

namespace ceiling::cli {
namespace {

using design::ObjectiveKind;

// Grids up to this size are searched exhaustively under --strategy auto; larger ones with the
// monotone search (each design costs a full deployment search, about 0.2 ms).
constexpr std::uint64_t kExhaustiveLimit = 20'000;
constexpr double kDefaultSlaTpotMs = 50;

// Flags shared by design and capability: the constraint, the objectives and their workload.
struct DesignFlags : ServeFlags {
  RuleOptions rules;
  std::string require = "no-license", objective = "decode", strategy = "auto";
  std::string max_tdp, max_memory, market;
  std::uint64_t budget = 50'000'000;
  int threads = 0;
  // Training objective.
  int seq = 4096, global_batch = 256, micro_batch = 1, zero = 1;
  bool recompute = false;
  std::string train_precision = "bf16";

  void DeclareDesign(CLI::App* sub) {
    sub->add_option("--require", require,
                    "Constraint: no-license (default), not-3a090, exception-eligible, "
                    "case-by-case");
    sub->add_option("--objective", objective,
                    "decode (default), prefill or train; several comma-separated give a Pareto "
                    "front");
    Declare(sub);
    sub->add_option("--seq", seq, "Training objective: sequence length (default 4096)");
    sub->add_option("--global-batch", global_batch,
                    "Training objective: sequences per step (default 256)");
    sub->add_option("--micro-batch", micro_batch, "Training objective: micro-batch (default 1)");
    sub->add_option("--zero", zero, "Training objective: ZeRO stage (default 1)");
    sub->add_flag("--recompute", recompute, "Training objective: full activation recomputation");
    sub->add_option("--train-precision", train_precision,
                    "Training objective: bf16 (default) or fp8");
    sub->add_option("--max-tdp", max_tdp, "Cap on TDP, e.g. \"400 W\"");
    sub->add_option("--max-memory", max_memory, "Cap on memory capacity, e.g. \"96 GB\"");
    sub->add_option("--market", market,
                    "Only derivatives marketed as datacenter or consumer parts (default: the "
                    "design space's markets)")
        ->check(CLI::IsMember({"datacenter", "consumer"}));
    sub->add_option("--strategy", strategy,
                    "auto (default: exhaustive up to 20,000 designs, else monotone), exhaustive "
                    "or monotone")
        ->check(CLI::IsMember({"auto", "exhaustive", "monotone"}));
    sub->add_option("--budget", budget, "At most this many designs checked (default 50,000,000)");
    sub->add_option("--threads", threads, "Worker threads (default: all cores)");
  }

  // The workload in words, for reports.
  std::string Describe(const std::vector<ObjectiveKind>& kinds) const {
    std::vector<std::string> parts = {model, fmt::format("{} GPUs", gpus)};
    const bool serving = std::any_of(kinds.begin(), kinds.end(),
                                     [](ObjectiveKind k) { return k != ObjectiveKind::kTrain; });
    if (serving) {
      parts.push_back(fmt::format("{} serving, input {} / output {} tokens", precision, isl, osl));
      if (sla_tpot_ms) parts.push_back(fmt::format("TPOT <= {} ms", *sla_tpot_ms));
      if (sla_ttft_ms) parts.push_back(fmt::format("TTFT <= {} ms", *sla_ttft_ms));
      if (!sla()) parts.push_back(fmt::format("{} clients", concurrency));
    }
    if (std::find(kinds.begin(), kinds.end(), ObjectiveKind::kTrain) != kinds.end())
      parts.push_back(
          fmt::format("training {} x {} tokens per step, {}", global_batch, seq, train_precision));
    return fmt::format("{}", fmt::join(parts, ", "));
  }
};

// An optional quantity flag ("400 W", "96 GB"); empty means not given.
template <typename Q>
Result<std::optional<Q>> OptionalQuantity(const std::string& s, const char* flag) {
  if (s.empty()) return std::optional<Q>();
  auto q = ParseQuantityAs<Q>(s);
  if (!q.ok())
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}: {}", flag, q.error().message));
  return std::optional<Q>(*q);
}

// Everything a search needs that does not depend on the design space.
struct Loaded {
  PerfData perf;
  std::optional<rules::RuleBook> book;
  const perf::ModelArch* model = nullptr;
  std::vector<ObjectiveKind> objectives;
  design::Requirement requirement = design::Requirement::kNoLicense;
  std::optional<Watts> max_tdp;
  std::optional<Bytes> max_memory;
  design::Workload workload;
};

// Fills `l` in place: the workload points into it.
Status Load(Context& ctx, DesignFlags& f, Loaded& l) {
  ASSIGN_OR_RETURN(l.objectives, design::ParseObjectives(f.objective));
  ASSIGN_OR_RETURN(l.requirement, design::RequirementFromName(f.require));
  const bool decode = std::find(l.objectives.begin(), l.objectives.end(), ObjectiveKind::kDecode) !=
                      l.objectives.end();
  if (decode && !f.sla() && f.concurrency < 1) f.sla_tpot_ms = kDefaultSlaTpotMs;
  if (!f.sla() && f.concurrency < 1) f.concurrency = 64;  // prefill/train only: unused
  RETURN_IF_ERROR(f.Check());
  ASSIGN_OR_RETURN(l.max_tdp, OptionalQuantity<Watts>(f.max_tdp, "--max-tdp"));
  ASSIGN_OR_RETURN(l.max_memory, OptionalQuantity<Bytes>(f.max_memory, "--max-memory"));
  if (f.budget < 1) return MakeError(ErrorCode::kInvalidArgument, "--budget must be at least 1");
  if (f.threads < 0) return MakeError(ErrorCode::kInvalidArgument, "--threads must be at least 0");
  if (f.seq < 1 || f.global_batch < 1 || f.micro_batch < 1)
    return MakeError(ErrorCode::kInvalidArgument,
                     "--seq, --global-batch and --micro-batch must be at least 1");
  ASSIGN_OR_RETURN(l.perf, LoadPerfData(ctx, true));
  ASSIGN_OR_RETURN(l.book, BookFor(ctx, f.rules));
  ASSIGN_OR_RETURN(l.model, l.perf.models.Resolve(f.model));
  design::Workload& w = l.workload;
  w.model = l.model;
  w.systems = &l.perf.systems;
  w.calibration = &*l.perf.calibration;
  ASSIGN_OR_RETURN(w.system, f.System());
  w.gpus = f.gpus;
  // The serving part of the query (hardware is per design).
  ASSIGN_OR_RETURN(perf::ServingQuery sq, f.Query(l.model, nullptr, w.calibration));
  w.precision = sq.precision;
  w.serving = sq.workload;
  w.serving_search = f.Search();
  perf::TrainingQuery& t = w.training;
  t.gpus = f.gpus;
  t.tp = f.tp.value_or(std::min(8, f.gpus));
  t.pp = f.pp.value_or(1);
  t.ep = f.ep.value_or(1);
  t.zero = f.zero;
  t.micro_batch = f.micro_batch;
  t.recompute = f.recompute ? perf::Recompute::kFull : perf::Recompute::kSelective;
  t.global_batch = f.global_batch;
  t.seq = f.seq;
  ASSIGN_OR_RETURN(t.precision, ParsePrecision(f.train_precision, "--train-precision"));
  return OkStatus();
}

Result<design::DesignEvaluator> MakeEvaluator(const Loaded& l, const rules::Query& q) {
  design::DesignEvaluator::Setup s;
  s.book = &*l.book;
  s.query = q;
  s.requirement = l.requirement;
  s.max_tdp = l.max_tdp;
  s.max_memory = l.max_memory;
  s.objectives = l.objectives;
  s.workload = l.workload;
  return design::DesignEvaluator::Create(std::move(s));
}

Status RestrictMarket(design::DesignSpace* space, const std::string& market) {
  if (market.empty()) return OkStatus();
  return space->RestrictMarket(market == "consumer" ? catalog::Market::kConsumer
                                                    : catalog::Market::kDatacenter);
}

design::SearchOptions SearchOptionsFor(const DesignFlags& f, const design::DesignSpace& space,
                                       bool keep_candidates) {
  design::SearchOptions o;
  o.budget = f.budget;
  o.threads = f.threads;
  o.keep_candidates = keep_candidates;
  if (f.strategy == "exhaustive") {
    o.strategy = design::Strategy::kExhaustive;
  } else if (f.strategy == "monotone") {
    o.strategy = design::Strategy::kMonotone;
  } else {
    o.strategy = space.size() <= kExhaustiveLimit ? design::Strategy::kExhaustive
                                                  : design::Strategy::kMonotone;
  }
  return o;
}

int Threads(int requested) {
  return requested > 0 ? requested
                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace

Runner SetupDesign(CLI::App* sub) {
  struct Opts : DesignFlags {
    std::string base, design_file, compare, svg, save;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("--base", o->base, "Base chip: catalog id or chip file")->required();
  sub->add_option("--design", o->design_file,
                  "Design-space file (default: data/designs/ file for the base's die, else a "
                  "default space)");
  AddRuleOptions(sub, &o->rules, true, nullptr);
  o->DeclareDesign(sub);
  sub->add_option("--compare", o->compare, "A product to measure against the optimum");
  sub->add_option("-o,--output", o->svg, "Write the Pareto front / design chart (SVG) here");
  sub->add_option("--save", o->save, "Write the best design as a chip file (TOML) here");
  return [o](Context& ctx) -> int {
    Loaded l;
    if (auto st = Load(ctx, *o, l); !st.ok()) return ctx.Fail(st.error());
    auto q = QueryFor(*l.book, o->rules, std::nullopt, nullptr);
    if (!q.ok()) return ctx.Fail(q.error());
    const catalog::Catalog& cat = *l.perf.chips;
    auto base = cat.Resolve(o->base);
    if (!base.ok()) return ctx.Fail(base.error());
    const catalog::Chip* compare = nullptr;
    if (!o->compare.empty()) {
      auto c = cat.Resolve(o->compare);
      if (!c.ok()) return ctx.Fail(c.error());
      compare = *c;
    }
    auto space = o->design_file.empty() ? design::DesignSpaceFor(ctx.data_dir, cat, **base)
                                        : design::LoadDesignSpace(o->design_file, cat);
    if (!space.ok()) return ctx.Fail(space.error());
    if (auto st = RestrictMarket(&*space, o->market); !st.ok()) return ctx.Fail(st.error());
    if (auto st = space->PinTdp(l.max_tdp); !st.ok()) return ctx.Fail(st.error());
    auto ev = MakeEvaluator(l, *q);
    if (!ev.ok()) return ctx.Fail(ev.error());
    design::SearchOptions so = SearchOptionsFor(*o, *space, !o->svg.empty());
    const bool tty = isatty(fileno(stderr)) != 0;
    if (tty)
      so.progress = [&ctx](std::uint64_t done, std::uint64_t total) {
        ctx.err << fmt::format("\r  searching: {} of about {} designs checked", done, total)
                << std::flush;
      };
    const auto start = std::chrono::steady_clock::now();
    const design::SearchResult result = design::Search(*space, *ev, so);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (tty) ctx.err << "\r" << std::string(60, ' ') << "\r" << std::flush;
    report::DesignReport rep = report::BuildDesignReport(*l.book, *space, *ev, result, compare);
    rep.workload = o->Describe(l.objectives);
    rep.seconds = seconds;
    rep.threads = Threads(o->threads);
    // Files first (atomically), so that a failure leaves nothing half-written.
    if (!o->save.empty()) {
      if (!rep.best)
        return ctx.Fail(
            MakeError(ErrorCode::kInvalidArgument, "--save: no design satisfies the constraint"));
      if (auto st = WriteOutput(o->save, catalog::ChipToToml(rep.best->chip), ctx.out); !st.ok())
        return ctx.Fail(st.error());
    }
    if (!o->svg.empty())
      if (auto st = WriteOutput(o->svg, report::DesignFrontSvg(rep), ctx.out); !st.ok())
        return ctx.Fail(st.error());
    ctx.out << (o->json ? report::DumpJson(report::DesignJson(rep)) + "\n"
                        : report::DesignText(rep));
    return kExitOk;
  };
}

namespace {

// One space per logic die: the design files, then the catalog's other dies (base: the product
// with the highest TPP on that die).
Result<std::vector<design::DesignSpace>> CapabilitySpaces(Context& ctx, const catalog::Catalog& cat,
                                                          std::vector<std::string>* skipped) {
  ASSIGN_OR_RETURN(std::vector<design::DesignSpace> spaces,
                   design::LoadDesignSpaces(ctx.data_dir, cat));
  std::set<std::string> covered;
  for (const auto& s : spaces) covered.insert(s.products.begin(), s.products.end());
  std::map<std::string, std::vector<std::size_t>> by_die;
  for (std::size_t i = 0; i < cat.chips().size(); ++i) {
    const catalog::Chip& c = cat.chips()[i];
    if (covered.count(c.id)) continue;
    std::string die;
    for (const auto& d : c.dies)
      if (d.kind == catalog::DieKind::kLogic) {
        die = d.name;
        break;
      }
    by_die[die.empty() ? c.id : die].push_back(i);
  }
  for (const auto& [die, idx] : by_die) {
    std::size_t best = idx.front();
    for (std::size_t i : idx)
      if (cat.metrics(i)[catalog::MetricId::kTpp].value.value_or(0) >
          cat.metrics(best)[catalog::MetricId::kTpp].value.value_or(0))
        best = i;
    auto s = design::DefaultDesignSpace(cat.chips()[best], cat);
    if (!s.ok()) {
      skipped->push_back(s.error().message);
      continue;
    }
    s->id = die;
    spaces.push_back(std::move(*s));
  }
  return spaces;
}

}  // namespace

Runner SetupCapability(CLI::App* sub) {
  struct Opts : DesignFlags {
    std::vector<std::string> dates;
  };
  auto o = std::make_shared<Opts>();
  sub->add_option("--date", o->dates, "Date(s), YYYY-MM-DD: one, or two to show the change")
      ->required()
      ->expected(1, 2);
  sub->add_option("--to", o->rules.to, "Destination, ISO 3166 alpha-2 code (e.g. CN)")->required();
  sub->add_option("--hq", o->rules.hq,
                  "Country of the end user's headquarters (default: the destination)");
  sub->add_option("--view", o->rules.view, "enforced (default) or text")
      ->check(CLI::IsMember({"enforced", "text"}));
  sub->add_option("--set", o->rules.sets, "Override a rule parameter: NAME=VALUE (repeatable)");
  sub->add_option("--rules", o->rules.rule_files, "Add a rule version from a TOML file");
  o->DeclareDesign(sub);
  return [o](Context& ctx) -> int {
    Loaded l;
    if (auto st = Load(ctx, *o, l); !st.ok()) return ctx.Fail(st.error());
    if (l.objectives.size() != 1)
      return ctx.Fail(MakeError(ErrorCode::kInvalidArgument,
                                "capability takes one --objective (decode, prefill or train)"));
    std::vector<design::DesignEvaluator> evs;
    std::vector<rules::Query> queries;
    for (const std::string& d : o->dates) {
      RuleOptions r = o->rules;
      r.date = d;
      auto q = QueryFor(*l.book, r, std::nullopt, nullptr);
      if (!q.ok()) return ctx.Fail(q.error());
      auto ev = MakeEvaluator(l, *q);
      if (!ev.ok()) return ctx.Fail(ev.error());
      queries.push_back(*q);
      evs.push_back(std::move(*ev));
    }
    const catalog::Catalog& cat = *l.perf.chips;
    std::vector<std::string> skipped;
    auto spaces = CapabilitySpaces(ctx, cat, &skipped);
    if (!spaces.ok()) return ctx.Fail(spaces.error());
    report::CapabilityReport rep;
    rep.settings = o->dates;
    rep.requirement = std::string(design::RequirementTitle(l.requirement));
    rep.destination = report::CountryLabel(l.book->countries(), queries.front().destination);
    rep.objective = fmt::format("{} ({})", design::ObjectiveName(l.objectives.front()),
                                design::ObjectiveUnit(l.objectives.front()));
    rep.workload = o->Describe(l.objectives);
    for (design::DesignSpace& space : *spaces) {
      if (!RestrictMarket(&space, o->market).ok() || !space.PinTdp(l.max_tdp).ok()) continue;
      report::CapabilityRow row;
      row.die = space.id;
      row.base = space.base.id;
      for (const design::DesignEvaluator& ev : evs) {
        report::CapabilityCell cell;
        cell.searched = true;
        const design::SearchResult r =
            design::Search(space, ev, SearchOptionsFor(*o, space, false));
        cell.feasible = r.feasible();
        if (!r.best) {
          cell.binding = r.MostBinding();
        } else {
          const catalog::Chip chip = space.Build(r.best->point);
          const auto m = catalog::ComputeMetrics(chip, catalog::MetricDetail::kValues);
          cell.knobs = space.Describe(r.best->point);
          cell.tpp = m[catalog::MetricId::kTpp].value.value_or(0);
          cell.pd = m[catalog::MetricId::kPd].value.value_or(-1);
          cell.memory_bw_tbs = m[catalog::MetricId::kDramBandwidth].value.value_or(0) / 1000;
          cell.objective = r.best->objectives[0];
          cell.binding = *r.best->next_binding == '\0'
                             ? std::string()
                             : fmt::format("{} ({})", r.best->next_binding, r.best->next_knob);
          if (cell.objective <= 0) cell.note = "workload does not fit or misses the SLA";
        }
        row.cells.push_back(std::move(cell));
      }
      rep.rows.push_back(std::move(row));
    }
    std::sort(rep.rows.begin(), rep.rows.end(),
              [](const report::CapabilityRow& a, const report::CapabilityRow& b) {
                const double va = a.cells.back().feasible ? a.cells.back().objective : -1;
                const double vb = b.cells.back().feasible ? b.cells.back().objective : -1;
                return va != vb ? va > vb : a.die < b.die;
              });
    if (o->json) {
      nlohmann::json j = report::CapabilityJson(rep);
      j["skipped"] = skipped;
      ctx.out << report::DumpJson(j) << "\n";
    } else {
      ctx.out << report::CapabilityText(rep);
      for (const std::string& s : skipped) ctx.out << "skipped: " << s << "\n";
    }
    return kExitOk;
  };
}

}  // namespace ceiling::cli
