// The API's cost per request, in process (what `ceiling serve` adds on top is HTTP): decode a
// JSON body, answer, render the JSON text. Run `build/bench/api_bench`; items/s is requests/s.
// The HTTP figures (wrk over loopback) come from bench/http/run.sh.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "ceiling/api/operations.h"

namespace {

using namespace ceiling;
using nlohmann::json;

const api::KnowledgeBase& Kb() {
  static const std::shared_ptr<const api::KnowledgeBase> kb = [] {
    auto k = api::KnowledgeBase::Load(std::string(CEILING_SOURCE_DIR) + "/data");
    if (!k.ok()) std::abort();
    return *k;
  }();
  return *kb;
}

void Ask(benchmark::State& state, const char* op, const json& body) {
  const api::Operation* o = api::FindOperation(op);
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto r = o->run(Kb(), body, {});
    if (!r.ok()) state.SkipWithError(r.error().message.c_str());
    bytes = r->size();
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["response_bytes"] = static_cast<double>(bytes);
}

void BM_ClassifyWithTrace(benchmark::State& state) {
  Ask(state, "classify", {{"chip", "nvidia-h20"}, {"date", "2025-05-01"}, {"to", "CN"}});
}
void BM_ClassifyNoTrace(benchmark::State& state) {
  Ask(state, "classify",
      {{"chip", "nvidia-h20"}, {"date", "2025-05-01"}, {"to", "CN"}, {"trace", false}});
}
void BM_PerfServeSla(benchmark::State& state) {
  Ask(state, "perf/serve",
      {{"chip", "nvidia-h20"}, {"model", "llama-3.1-70b"}, {"gpus", 8}, {"isl", 2048},
       {"osl", 512}, {"sla_tpot", 50}});
}
void BM_DesignH20Move(benchmark::State& state) {
  Ask(state, "design",
      {{"base", "nvidia-h100-sxm"}, {"date", "2024-06-01"}, {"to", "CN"}, {"model", "deepseek-r1"},
       {"sla_tpot", 50}});
}

BENCHMARK(BM_ClassifyWithTrace);
BENCHMARK(BM_ClassifyNoTrace);
BENCHMARK(BM_PerfServeSla);
BENCHMARK(BM_DesignH20Move)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
