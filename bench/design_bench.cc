// Design-search speed (issue #5: designs evaluated per second including the rule check and the
// performance objective; target >= 100,000 per second per core). Run `build/bench/design_bench`;
// items/s is designs/s on one thread.
//
// - BM_RuleCheck: rebuild a GH100 derivative, compute its metrics, classify it (2024-06-01, CN)
//   and test "no license required": the constraint alone.
// - BM_FullEvaluation/<objective>: the same plus one objective evaluation per design (decode at
//   TPOT <= 50 ms for DeepSeek-R1 and Llama-3.1-8B, prefill, training), cycling over designs
//   of different compute and memory so nothing is cached.
// - BM_Search: the whole H20-move search (monotone strategy, one thread); items are grid
//   designs covered, with the checks and objective evaluations it took as counters.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "ceiling/catalog/catalog.h"
#include "ceiling/design/evaluate.h"
#include "ceiling/design/search.h"
#include "ceiling/design/space.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"
#include "ceiling/rules/rulebook.h"

namespace {

using namespace ceiling;
using namespace ceiling::design;

struct World {
  catalog::Catalog cat;
  rules::RuleBook book;
  perf::ModelCatalog models;
  perf::SystemDefaults systems;
  perf::Calibration cal;
  DesignSpace gh100;
};

const World& W() {
  static const World* w = [] {
    const std::string dir = std::string(CEILING_SOURCE_DIR) + "/data";
    auto cat = catalog::Catalog::Load(dir);
    auto book = rules::RuleBook::Load(dir);
    auto models = perf::ModelCatalog::Load(dir);
    auto systems = perf::LoadSystemDefaults(dir);
    auto cal = perf::LoadCalibration(dir);
    if (!cat.ok() || !book.ok() || !models.ok() || !systems.ok() || !cal.ok()) std::abort();
    auto space = DesignSpaceFor(dir, *cat, *cat->Find("nvidia-h100-sxm"));
    if (!space.ok() || !space->PinTdp(std::nullopt).ok()) std::abort();
    return new World{std::move(*cat),     std::move(*book), std::move(*models),
                     std::move(*systems), std::move(*cal),  std::move(*space)};
  }();
  return *w;
}

DesignEvaluator MakeEvaluator(ObjectiveKind kind, const char* model) {
  const World& w = W();
  DesignEvaluator::Setup s;
  s.book = &w.book;
  auto q = rules::MakeQuery(w.book, Date{2024, 6, 1}, "CN");
  if (!q.ok()) std::abort();
  s.query = *q;
  s.requirement = Requirement::kNoLicense;
  s.objectives = {kind};
  auto m = w.models.Resolve(model);
  if (!m.ok()) std::abort();
  s.workload.model = *m;
  s.workload.calibration = &w.cal;
  s.workload.systems = &w.systems;
  s.workload.serving_search.sla.tpot = Seconds::FromBase(0.05);
  s.workload.training.tp = 8;
  s.workload.training.global_batch = 256;
  s.workload.training.seq = 4096;
  auto ev = DesignEvaluator::Create(std::move(s));
  if (!ev.ok()) std::abort();
  return std::move(*ev);
}

// Designs spread over the grid (different compute, memory and links).
std::vector<DesignPoint> Points() {
  const DesignSpace& s = W().gh100;
  std::vector<DesignPoint> pts;
  for (std::uint64_t i = 0; i < 1024; ++i) pts.push_back(s.PointAt((i * 7919u) % s.size()));
  return pts;
}

void BM_RuleCheck(benchmark::State& state) {
  const DesignSpace& s = W().gh100;
  const DesignEvaluator ev = MakeEvaluator(ObjectiveKind::kDecode, "deepseek-r1");
  const std::vector<DesignPoint> pts = Points();
  catalog::Chip chip = s.Build(pts[0]);
  std::size_t i = 0, feasible = 0;
  for (auto _ : state) {
    s.Rebuild(pts[i++ % pts.size()], &chip);
    const catalog::ChipMetrics m = catalog::ComputeMetrics(chip, catalog::MetricDetail::kValues);
    design::Binding binding;
    feasible += ev.Feasible(chip, m, &binding) ? 1 : 0;
  }
  benchmark::DoNotOptimize(feasible);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RuleCheck);

void BM_FullEvaluation(benchmark::State& state, ObjectiveKind kind, const char* model) {
  const DesignSpace& s = W().gh100;
  const DesignEvaluator ev = MakeEvaluator(kind, model);
  const std::vector<DesignPoint> pts = Points();
  catalog::Chip chip = s.Build(pts[0]);
  std::size_t i = 0;
  double sum = 0;
  for (auto _ : state) {
    s.Rebuild(pts[i++ % pts.size()], &chip);
    const catalog::ChipMetrics m = catalog::ComputeMetrics(chip, catalog::MetricDetail::kValues);
    design::Binding binding;
    ev.Feasible(chip, m, &binding);
    double v = 0;
    ev.Objectives(chip, m, &v);
    sum += v;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_FullEvaluation, decode_deepseek_r1, ObjectiveKind::kDecode, "deepseek-r1");
BENCHMARK_CAPTURE(BM_FullEvaluation, decode_llama_8b, ObjectiveKind::kDecode, "llama-3.1-8b");
BENCHMARK_CAPTURE(BM_FullEvaluation, prefill_deepseek_r1, ObjectiveKind::kPrefill, "deepseek-r1");
BENCHMARK_CAPTURE(BM_FullEvaluation, train_llama_8b, ObjectiveKind::kTrain, "llama-3.1-8b");

void BM_Search(benchmark::State& state) {
  const DesignEvaluator ev = MakeEvaluator(ObjectiveKind::kDecode, "deepseek-r1");
  SearchOptions opt;
  opt.strategy = Strategy::kMonotone;
  opt.threads = 1;
  SearchResult r;
  for (auto _ : state) r = Search(W().gh100, ev, opt);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(W().gh100.size()));
  state.counters["rule_checks"] = static_cast<double>(r.evaluated);
  state.counters["objective_evaluations"] = static_cast<double>(r.objective_evaluations);
}
BENCHMARK(BM_Search)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
