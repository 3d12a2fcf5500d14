// Metrics and derivative construction: the per-design cost the design search pays before the
// rule check and the performance objective.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "ceiling/catalog/catalog.h"
#include "ceiling/design/space.h"

namespace {

using namespace ceiling;

const catalog::Catalog& Cat() {
  static const catalog::Catalog* cat = [] {
    auto c = catalog::Catalog::Load(std::string(CEILING_SOURCE_DIR) + "/data");
    if (!c.ok()) std::abort();
    return new catalog::Catalog(std::move(c).value());
  }();
  return *cat;
}

void BM_MetricsExplained(benchmark::State& state) {
  const catalog::Chip& h20 = *Cat().Find("nvidia-h20");
  for (auto _ : state) benchmark::DoNotOptimize(catalog::ComputeMetrics(h20));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MetricsExplained);

void BM_MetricsValues(benchmark::State& state) {
  const catalog::Chip& h20 = *Cat().Find("nvidia-h20");
  for (auto _ : state)
    benchmark::DoNotOptimize(catalog::ComputeMetrics(h20, catalog::MetricDetail::kValues));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MetricsValues);

void BM_RebuildDerivative(benchmark::State& state) {
  auto space = design::LoadDesignSpace(std::string(CEILING_SOURCE_DIR) + "/data/designs/gh100.toml",
                                       Cat());
  if (!space.ok()) std::abort();
  catalog::Chip chip = space->Build(space->PointAt(0));
  std::uint64_t i = 0;
  for (auto _ : state) {
    space->Rebuild(space->PointAt(i++ % space->size()), &chip);
    benchmark::DoNotOptimize(catalog::ComputeMetrics(chip, catalog::MetricDetail::kValues));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RebuildDerivative);

}  // namespace

BENCHMARK_MAIN();
