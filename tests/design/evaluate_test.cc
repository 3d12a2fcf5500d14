// The design search with the real rule book and performance model: data-driven cases in
// tests/cases/design/*.toml (the acceptance moves, an infeasible search, fronts), plus
// the requirement semantics and the evaluator's failure modes.
#include "ceiling/design/evaluate.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>

#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/design/assess.h"
#include "ceiling/design/search.h"
#include "ceiling/design/space.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"
#include "ceiling/perf/step.h"
#include "ceiling/rules/rulebook.h"

namespace ceiling::design {
namespace {

namespace fs = std::filesystem;
using catalog::MetricId;

const fs::path kData = fs::path(CEILING_SOURCE_DIR) / "data";

struct World {
  catalog::Catalog cat;
  rules::RuleBook book;
  perf::ModelCatalog models;
  perf::SystemDefaults systems;
  perf::Calibration calibration;
};

const World& W() {
  static const World* w = [] {
    auto cat = catalog::Catalog::Load(kData);
    auto book = rules::RuleBook::Load(kData);
    auto models = perf::ModelCatalog::Load(kData);
    auto systems = perf::LoadSystemDefaults(kData);
    auto cal = perf::LoadCalibration(kData);
    if (!cat.ok() || !book.ok() || !models.ok() || !systems.ok() || !cal.ok()) std::abort();
    return new World{std::move(*cat), std::move(*book), std::move(*models), std::move(*systems),
                     std::move(*cal)};
  }();
  return *w;
}

struct Case {
  std::string name;
  TomlTable t;
};

std::vector<Case> LoadCases() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(CEILING_SOURCE_DIR) / "tests/cases/design"))
    if (e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<Case> out;
  for (const fs::path& f : files) {
    auto doc = TomlTable::ParseFile(f, "cases/design/" + f.filename().string());
    if (!doc.ok()) {
      ADD_FAILURE() << doc.error().ToString();
      continue;
    }
    out.push_back({f.stem().string(), *doc});
  }
  return out;
}

// Small readers for the case files (a wrong type or a typo fails the case).
std::string Str(const TomlTable& t, std::string_view key, std::string def = "") {
  auto v = t.GetOptionalString(key);
  EXPECT_TRUE(v.ok()) << v.error().ToString();
  return v.ok() && *v ? **v : def;
}
std::optional<double> Num(const TomlTable& t, std::string_view key) {
  auto v = t.GetOptionalNumber(key);
  EXPECT_TRUE(v.ok()) << v.error().ToString();
  return v.ok() ? *v : std::nullopt;
}
bool Flag(const TomlTable& t, std::string_view key, bool def = false) {
  auto v = t.GetOptionalBool(key);
  EXPECT_TRUE(v.ok()) << v.error().ToString();
  return v.ok() && *v ? **v : def;
}
std::vector<std::string> List(const TomlTable& t, std::string_view key) {
  if (!t.Has(key)) return {};
  auto v = t.GetStringArray(key);
  EXPECT_TRUE(v.ok()) << v.error().ToString();
  return v.ok() ? *v : std::vector<std::string>{};
}

Workload MakeWorkload(const TomlTable& t, const perf::ModelArch* model) {
  Workload w;
  w.model = model;
  w.calibration = &W().calibration;
  w.systems = &W().systems;
  w.gpus = static_cast<int>(Num(t, "gpus").value_or(8));
  w.precision = perf::PrecisionForMode(perf::DType::kFp8);
  w.serving.isl = static_cast<int>(Num(t, "isl").value_or(1024));
  w.serving.osl = static_cast<int>(Num(t, "osl").value_or(1024));
  w.serving.concurrency = 1;
  if (auto ms = Num(t, "sla_tpot_ms")) w.serving_search.sla.tpot = Seconds::FromBase(*ms * 1e-3);
  w.training.gpus = w.gpus;
  w.training.tp = static_cast<int>(Num(t, "tp").value_or(8));
  w.training.global_batch = 256;
  w.training.seq = 4096;
  w.training.zero = 1;
  return w;
}

class DesignCase : public ::testing::TestWithParam<Case> {};

TEST_P(DesignCase, MeetsExpectations) {
  const TomlTable& t = GetParam().t;
  ASSERT_TRUE(t.CheckKeys({"title", "base", "market", "date", "to", "require", "objectives",
                           "model", "gpus", "isl", "osl", "sla_tpot_ms", "tp", "set", "expect"})
                  .ok());
  SCOPED_TRACE(Str(t, "title"));
  const World& w = W();
  rules::RuleBook book = w.book;
  for (const std::string& kv : List(t, "set")) {
    const auto eq = kv.find('=');
    auto b = book.WithParameter(kv.substr(0, eq), kv.substr(eq + 1));
    ASSERT_TRUE(b.ok()) << b.error().message;
    book = std::move(*b);
  }
  const catalog::Chip* base = w.cat.Find(Str(t, "base"));
  ASSERT_NE(base, nullptr);
  auto space = DesignSpaceFor(kData, w.cat, *base);
  ASSERT_TRUE(space.ok()) << space.error().message;
  if (const std::string m = Str(t, "market"); !m.empty()) {
    ASSERT_TRUE(space
                    ->RestrictMarket(m == "consumer" ? catalog::Market::kConsumer
                                                     : catalog::Market::kDatacenter)
                    .ok());
  }
  ASSERT_TRUE(space->PinTdp(std::nullopt).ok());
  auto model = w.models.Resolve(Str(t, "model"));
  ASSERT_TRUE(model.ok()) << model.error().message;

  DesignEvaluator::Setup s;
  s.book = &book;
  auto q = rules::MakeQuery(book, *ParseDate(Str(t, "date")), Str(t, "to"));
  ASSERT_TRUE(q.ok()) << q.error().message;
  s.query = *q;
  auto req = RequirementFromName(Str(t, "require"));
  ASSERT_TRUE(req.ok());
  s.requirement = *req;
  for (const std::string& o : List(t, "objectives")) {
    auto k = ParseObjectives(o);
    ASSERT_TRUE(k.ok());
    s.objectives.push_back(k->front());
  }
  s.workload = MakeWorkload(t, *model);
  auto ev = DesignEvaluator::Create(std::move(s));
  ASSERT_TRUE(ev.ok()) << ev.error().message;
  SearchOptions opt;
  opt.strategy = Strategy::kMonotone;
  const SearchResult r = Search(*space, *ev, opt);

  auto xt = t.GetTable("expect");
  ASSERT_TRUE(xt.ok()) << xt.error().ToString();
  const TomlTable& x = *xt;
  ASSERT_TRUE(x.CheckKeys({"feasible", "binding_everywhere", "binding", "binding_knob", "tpp_below",
                           "tpp_within", "tpp_at_least", "links_max", "memory_max_bandwidth",
                           "compute_max", "io_bw_below", "at_least_as_good_as"})
                  .ok());
  ASSERT_EQ(r.feasible(), Flag(x, "feasible", true));
  if (!r.feasible()) {
    EXPECT_EQ(r.MostBinding().Name(), Str(x, "binding_everywhere"));
    return;
  }
  const catalog::Chip best = space->Build(r.best->point);
  const catalog::ChipMetrics m = catalog::ComputeMetrics(best);
  const DesignValues v = space->ValuesOf(r.best->point);
  const double tpp = *m[MetricId::kTpp].value;
  EXPECT_GT(r.best->objectives[0], 0) << "the workload runs on the best design";
  if (x.Has("binding_knob")) {
    EXPECT_EQ(KnobName(r.best->next_knob), Str(x, "binding_knob"));
  }
  if (x.Has("binding")) {
    EXPECT_EQ(r.best->next_binding.Name(), Str(x, "binding"));
    // A clause binding points at the rule book's own clause.
    if (r.best->next_binding.kind == Binding::Kind::kClause) {
      bool owned = false;
      for (const rules::RuleVersion& rule : book.rules())
        for (const rules::Clause& c : rule.clauses) owned |= &c == r.best->next_binding.clause;
      EXPECT_TRUE(owned);
    }
  }
  if (auto below = Num(x, "tpp_below")) {
    EXPECT_LT(tpp, *below);
    EXPECT_GE(tpp, *below * (1 - Num(x, "tpp_within").value_or(0.0))) << "TPP " << tpp;
  }
  if (auto at_least = Num(x, "tpp_at_least")) {
    EXPECT_GE(tpp, *at_least);
  }
  if (Flag(x, "links_max")) {
    EXPECT_EQ(v.links, space->links.back());
  }
  if (Flag(x, "memory_max_bandwidth")) {
    EXPECT_EQ(v.memory->bandwidth, space->memory.back().bandwidth);
  }
  if (Flag(x, "compute_max")) {
    EXPECT_EQ(v.units, space->units.back());
    EXPECT_EQ(v.tensor_rate, space->tensor_rate.back());
  }
  if (auto io = Num(x, "io_bw_below")) {
    ASSERT_TRUE(m[MetricId::kIoAggregate].value.has_value());
    EXPECT_LT(*m[MetricId::kIoAggregate].value, *io);
  }
  if (const std::string other = Str(x, "at_least_as_good_as"); !other.empty()) {
    const catalog::Chip* product = w.cat.Find(other);
    ASSERT_NE(product, nullptr);
    EXPECT_GE(r.best->objectives[0], ev->Objective(ev->setup().objectives[0], *product));
  }
  // Every front member satisfies the constraint; none dominates another.
  for (const Candidate& c : r.front) {
    const catalog::Chip chip = space->Build(c.point);
    Binding binding;
    EXPECT_TRUE(ev->Feasible(chip, catalog::ComputeMetrics(chip), &binding));
    EXPECT_FALSE(binding);
    for (const Candidate& d : r.front) {
      if (&c == &d) continue;
      bool ge = true, gt = false;
      for (int i = 0; i < ev->objective_count(); ++i) {
        ge = ge &&
             c.objectives[static_cast<std::size_t>(i)] >= d.objectives[static_cast<std::size_t>(i)];
        gt = gt ||
             c.objectives[static_cast<std::size_t>(i)] > d.objectives[static_cast<std::size_t>(i)];
      }
      EXPECT_FALSE(ge && gt) << "front member dominates another";
    }
  }
  // The decode objective is exactly what a deployment search on the design finds.
  if (ev->setup().objectives[0] == ObjectiveKind::kDecode) {
    const ObjectiveReport rep = ev->Report(ObjectiveKind::kDecode, best);
    EXPECT_NEAR(rep.value, r.best->objectives[0], 1e-9 * rep.value);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, DesignCase, ::testing::ValuesIn(LoadCases()),
                         [](const auto& param_info) {
                           std::string n = param_info.param.name;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// On a coarse GH100 grid the monotone search finds the optimum the exhaustive one does, with the
// real rule book and the decode objective (the monotonicity the strategy relies on).
TEST(DesignSearch, MonotoneMatchesExhaustiveWithTheRealEvaluator) {
  const World& w = W();
  auto space = DesignSpaceFor(kData, w.cat, *w.cat.Find("nvidia-h100-sxm"));
  ASSERT_TRUE(space.ok());
  ASSERT_TRUE(space->PinTdp(std::nullopt).ok());
  auto every = [](auto v, std::size_t n) {
    decltype(v) out;
    for (std::size_t i = 0; i < v.size(); i += n) out.push_back(v[i]);
    if (out.back() != v.back()) out.push_back(v.back());
    return out;
  };
  space->units = every(space->units, 6);
  space->tensor_rate = every(space->tensor_rate, 6);
  space->links = {0, 9, 18};
  DesignEvaluator::Setup s;
  s.book = &w.book;
  s.query = *rules::MakeQuery(w.book, Date{2024, 6, 1}, "CN");
  s.requirement = Requirement::kNoLicense;
  s.objectives = {ObjectiveKind::kDecode};
  const auto model = w.models.Resolve("llama-3.1-70b");
  ASSERT_TRUE(model.ok());
  TomlTable none = *TomlTable::ParseString("sla_tpot_ms = 50.0", "inline");
  s.workload = MakeWorkload(none, *model);
  auto ev = DesignEvaluator::Create(std::move(s));
  ASSERT_TRUE(ev.ok());
  SearchOptions ex, mono;
  ex.strategy = Strategy::kExhaustive;
  mono.strategy = Strategy::kMonotone;
  const SearchResult a = Search(*space, *ev, ex);
  const SearchResult b = Search(*space, *ev, mono);
  ASSERT_TRUE(a.best && b.best);
  EXPECT_DOUBLE_EQ(a.best->objectives[0], b.best->objectives[0]);
  EXPECT_LT(b.evaluated, a.evaluated);
  EXPECT_EQ(a.best->next_binding, b.best->next_binding);
  EXPECT_EQ(a.best->next_knob, b.best->next_knob);
}

// What the monotone search relies on, on the GH100's grid: a prefill never gets slower with more
// tensor rate at the same units, nor with more units at the same total tensor rate (the lower
// kept fraction leaves more of each kernel at the die's native speed), and a design that keeps
// the whole rate is read as uncapped.
TEST(DesignSearch, MoreUnitsAtTheSameComputeNeverSlowAPrefill) {
  const World& w = W();
  auto space = DesignSpaceFor(kData, w.cat, *w.cat.Find("nvidia-h100-sxm"));
  ASSERT_TRUE(space.ok());
  const auto model = w.models.Resolve("llama-3.1-70b");
  ASSERT_TRUE(model.ok());
  const perf::FamilyParams& fp = w.calibration.Family("hopper");
  catalog::Chip chip = space->Build(space->PointAt(0));
  auto prefill = [&](std::size_t u, std::size_t t) {
    DesignPoint p = space->PointAt(0);
    p.units = static_cast<int>(u);
    p.tensor_rate = static_cast<int>(t);
    space->Rebuild(p, &chip);
    auto hw = perf::HardwareFromChip(chip, w.systems, {});
    EXPECT_TRUE(hw.ok());
    if (t + 1 == space->tensor_rate.size()) {
      EXPECT_EQ(hw->tensor_cap, 1.0);
    }
    auto sm = perf::StepModel::Build(**model, *hw, {.tp = 8},
                                     perf::PrecisionForMode(perf::DType::kBf16));
    EXPECT_TRUE(sm.ok());
    return sm->Prefill(fp, 1, 4096).total.base();
  };
  const std::vector<double>& units = space->units;
  const std::vector<double>& rate = space->tensor_rate;
  int pairs = 0;
  for (std::size_t u = 0; u < units.size(); u += 7) {
    double last = prefill(u, 0);
    for (std::size_t t = 1; t < rate.size(); t += 3) {
      const double now = prefill(u, t);
      EXPECT_LE(now, last * (1 + 1e-12)) << units[u] << " units, rate " << rate[t];
      last = now;
    }
    // Twice the units at half the rate: the same compute.
    for (std::size_t t = 0; t < rate.size(); ++t)
      for (std::size_t u2 = 0; u2 < units.size(); ++u2)
        for (std::size_t t2 = 0; t2 < rate.size(); ++t2)
          if (units[u2] == 2 * units[u] && std::abs(rate[t2] * 2 - rate[t]) < 1e-9) {
            EXPECT_LT(prefill(u2, t2), prefill(u, t)) << units[u] << " x " << rate[t];
            ++pairs;
          }
  }
  EXPECT_GT(pairs, 20);
}

// Each design gets the engine's attention format: TensorRT-LLM's FP8 context attention speeds
// an 8k-token prefill on an FP8 chip, unless the request named bf16 attention.
TEST(DesignEvaluator, DesignsRunAttentionInTheEnginesFormat) {
  const World& w = W();
  const auto model = w.models.Resolve("llama-3.1-70b");
  ASSERT_TRUE(model.ok());
  auto prefill = [&](bool engine_attention) {
    DesignEvaluator::Setup s;
    s.book = &w.book;
    s.query = *rules::MakeQuery(w.book, Date{2024, 6, 1}, "CN");
    s.requirement = Requirement::kCaseByCase;
    s.objectives = {ObjectiveKind::kPrefill};
    s.workload = MakeWorkload(*TomlTable::ParseString("isl = 8192.0", "inline"), *model);
    s.workload.serving.engine = "trtllm";
    s.workload.engine_attention = engine_attention;
    auto ev = DesignEvaluator::Create(std::move(s));
    EXPECT_TRUE(ev.ok());
    return ev.ok() ? ev->Objective(ObjectiveKind::kPrefill, *w.cat.Find("nvidia-h100-sxm")) : 0;
  };
  const double fp8 = prefill(true), bf16 = prefill(false);
  EXPECT_GT(bf16, 0);
  EXPECT_GT(fp8, bf16 * 1.05);
}

// Requirement semantics on hand-built classifications.
rules::Clause MakeClause(const char* id) {
  rules::Clause c;
  c.id = id;
  c.full_id = std::string("r/") + id;
  return c;
}

TEST(Satisfies, LadderOfRequirements) {
  using rules::Tri;
  const rules::Clause control = MakeClause("3A090.b.1");
  const rules::Clause review = MakeClause("review");
  const rules::Clause nac = MakeClause("nac");
  const rules::Clause* binding = nullptr;

  rules::Classification free;
  free.controlled = {Tri::kFalse, 0};
  free.license_required = {Tri::kFalse, 0};
  for (Requirement r : {Requirement::kNoLicense, Requirement::kNot3A090,
                        Requirement::kExceptionEligible, Requirement::kCaseByCase})
    EXPECT_TRUE(Satisfies(free, r, &binding));

  rules::Classification nac_ok;
  nac_ok.controlled = {Tri::kTrue, 0};
  nac_ok.controls = {&control};
  nac_ok.license_required = {Tri::kTrue, 0};
  nac_ok.exceptions = {{&nac, {Tri::kTrue, 0}}};
  nac_ok.review_policy = rules::ReviewPolicy::kPresumptionOfDenial;
  nac_ok.review_decided = {Tri::kTrue, 0};
  nac_ok.review_clause = &review;
  EXPECT_FALSE(Satisfies(nac_ok, Requirement::kNoLicense, &binding));
  EXPECT_EQ(binding, &control);
  EXPECT_FALSE(Satisfies(nac_ok, Requirement::kNot3A090, &binding));
  EXPECT_TRUE(Satisfies(nac_ok, Requirement::kExceptionEligible, &binding));
  EXPECT_TRUE(Satisfies(nac_ok, Requirement::kCaseByCase, &binding));

  rules::Classification blocked = nac_ok;
  blocked.exceptions_blocked = true;
  EXPECT_FALSE(Satisfies(blocked, Requirement::kExceptionEligible, &binding));
  EXPECT_FALSE(Satisfies(blocked, Requirement::kCaseByCase, &binding));
  EXPECT_EQ(binding, &review) << "presumption of denial: the review clause binds";

  rules::Classification cbc = blocked;
  cbc.review_policy = rules::ReviewPolicy::kCaseByCase;
  EXPECT_TRUE(Satisfies(cbc, Requirement::kCaseByCase, &binding));

  rules::Classification unknown;
  unknown.controlled = {Tri::kUnknown, 0};
  unknown.license_required = {Tri::kUnknown, 0};
  EXPECT_FALSE(Satisfies(unknown, Requirement::kNoLicense, &binding));
  EXPECT_EQ(binding, nullptr) << "undecided never satisfies and blames no clause";
  EXPECT_FALSE(Satisfies(unknown, Requirement::kCaseByCase, &binding));
}

TEST(ParseObjectives, AcceptsListsAndRejectsBadNames) {
  auto ok = ParseObjectives("decode,prefill,train");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 3u);
  EXPECT_EQ(ParseObjectives("speed").error().field, "objective");
  EXPECT_EQ(ParseObjectives("speed").error().message,
            "expected decode, prefill or train (several comma-separated), got \"speed\"");
  EXPECT_EQ(ParseObjectives("decode,decode").error().message, "\"decode\" is given twice");
  EXPECT_FALSE(ParseObjectives("").ok());
  EXPECT_FALSE(ParseObjectives("decode,").ok());
  EXPECT_EQ(RequirementFromName("free").error().field, "require");
  EXPECT_EQ(RequirementFromName("free").error().message,
            "expected no-license, not-3a090, exception-eligible or case-by-case, got \"free\"");
}

TEST(DesignEvaluator, CreateRejectsMissingParts) {
  DesignEvaluator::Setup s;
  EXPECT_FALSE(DesignEvaluator::Create(s).ok());
  s.book = &W().book;
  EXPECT_EQ(DesignEvaluator::Create(s).error().message, "design search: no objective");
  s.objectives = {ObjectiveKind::kDecode};
  EXPECT_FALSE(DesignEvaluator::Create(s).ok());
}

TEST(DesignSpaceFor, FindsTheDieFileOrFallsBack) {
  const World& w = W();
  auto h20 = DesignSpaceFor(kData, w.cat, *w.cat.Find("nvidia-h20"));
  ASSERT_TRUE(h20.ok());
  EXPECT_EQ(h20->id, "gh100") << "a product on the GH100 die searches the GH100 space";
  auto mi300 = DesignSpaceFor(kData, w.cat, *w.cat.Find("amd-mi300x"));
  ASSERT_TRUE(mi300.ok());
  EXPECT_EQ(mi300->id, "amd-mi300x-default");
  auto none = DesignSpaceFor(kData, w.cat, *w.cat.Find("amd-mi308x"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "amd-mi308x: no default design space: no throughput figure");
}

TEST(CapabilitySpaces, OneSpacePerDie) {
  const World& w = W();
  auto files = LoadDesignSpaces(kData, w.cat);
  ASSERT_TRUE(files.ok());
  std::vector<std::string> skipped;
  const std::vector<DesignSpace> spaces = CapabilitySpaces(*files, w.cat, &skipped);
  std::map<std::string, std::string> die_of_space;  // logic die name -> space id
  for (const DesignSpace& s : spaces) {
    EXPECT_NE(s.base.id, "nvidia-h100-nvl") << "a GH100 part: the gh100 file stands for it";
    for (const auto& d : s.base.dies) {
      if (d.kind != catalog::DieKind::kLogic) continue;
      auto [it, fresh] = die_of_space.emplace(d.name, s.id);
      EXPECT_TRUE(fresh) << "die " << d.name << " has two rows: " << it->second << " and " << s.id;
      break;
    }
  }
  EXPECT_EQ(die_of_space["GH100"], "gh100");
  EXPECT_EQ(die_of_space["AD102"], "ad102");
}

TEST(DesignSpace, PinTdpAndMarket) {
  auto s = DesignSpaceFor(kData, W().cat, *W().cat.Find("nvidia-rtx-4090"));
  ASSERT_TRUE(s.ok());
  DesignSpace a = *s;
  ASSERT_TRUE(a.PinTdp(std::nullopt).ok());
  ASSERT_EQ(a.tdp.size(), 1u);
  EXPECT_EQ(a.tdp[0], W().cat.Find("nvidia-rtx-4090")->tdp->value) << "the base's TDP";
  DesignSpace b = *s;
  ASSERT_TRUE(b.PinTdp(Watts::FromBase(400)).ok());
  EXPECT_EQ(b.tdp[0], Watts::FromBase(350)) << "the largest value within the cap";
  DesignSpace c = *s;
  EXPECT_EQ(c.PinTdp(Watts::FromBase(100)).error().message,
            "100 W: the design space ad102 has no TDP value within it (lowest 275 W)");
  EXPECT_EQ(c.PinTdp(Watts::FromBase(100)).error().field, "max_tdp");
  DesignSpace g = *DesignSpaceFor(kData, W().cat, *W().cat.Find("nvidia-h100-sxm"));
  EXPECT_EQ(g.RestrictMarket(catalog::Market::kConsumer).error().message,
            "consumer: the design space gh100 has no such market value");
}

}  // namespace
}  // namespace ceiling::design
