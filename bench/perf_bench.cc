// Performance-model evaluation speed: decode-step evaluations of a 70B model per second on one
// core (the model issue's target is 1,000,000), a full closed-loop serving evaluation, and the
// SLA search over parallelism x concurrency.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "ceiling/catalog/catalog.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/serving.h"
#include "ceiling/perf/step.h"

namespace {

using namespace ceiling;
using namespace ceiling::perf;

struct Data {
  catalog::Catalog chips;
  ModelCatalog models;
  SystemDefaults systems;
  Calibration cal;
};

const Data& D() {
  static const Data* d = [] {
    const std::string dir = std::string(CEILING_SOURCE_DIR) + "/data";
    auto c = catalog::Catalog::Load(dir);
    auto m = ModelCatalog::Load(dir);
    auto s = LoadSystemDefaults(dir);
    auto k = LoadCalibration(dir);
    if (!c.ok() || !m.ok() || !s.ok() || !k.ok()) std::abort();
    return new Data{std::move(*c), std::move(*m), std::move(*s), std::move(*k)};
  }();
  return *d;
}

Hardware Hw(const char* id) {
  auto hw = HardwareFromChip(*D().chips.Find(id), D().systems, {});
  if (!hw.ok()) std::abort();
  return *hw;
}

void BM_DecodeStep70B(benchmark::State& state) {
  const Hardware hw = Hw("nvidia-h100-sxm");
  auto sm =
      StepModel::Build(*D().models.Find("llama-3.1-70b"), hw,
                       {.tp = static_cast<int>(state.range(0))}, PrecisionForMode(DType::kFp8));
  if (!sm.ok()) std::abort();
  const FamilyParams& fp = D().cal.Family("hopper");
  double batch = 1, ctx = 512;
  for (auto _ : state) {
    benchmark::DoNotOptimize(sm->Decode(fp, batch, ctx));
    batch = batch < 256 ? batch + 1 : 1;  // vary the inputs so nothing is hoisted
    ctx = ctx < 8192 ? ctx + 17 : 512;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeStep70B)->Arg(1)->Arg(8);

void BM_DecodeStepDeepSeekMoe(benchmark::State& state) {
  const Hardware hw = Hw("nvidia-h20");
  auto sm = StepModel::Build(*D().models.Find("deepseek-r1"), hw,
                             {.tp = 1, .dp_attn = 16, .ep = 16}, PrecisionForMode(DType::kFp8));
  if (!sm.ok()) std::abort();
  const FamilyParams& fp = D().cal.Family("hopper");
  double batch = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(sm->Decode(fp, batch, 4864, 2));
    batch = batch < 64 ? batch + 1 : 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeStepDeepSeekMoe);

void BM_ServeClosedLoop70B(benchmark::State& state) {
  const Hardware hw = Hw("nvidia-h200-sxm");
  auto sm = StepModel::Build(*D().models.Find("llama-3.1-70b"), hw, {.tp = 8},
                             PrecisionForMode(DType::kFp8));
  if (!sm.ok()) std::abort();
  ServingWorkload w;
  w.isl = 4096, w.osl = 1024, w.concurrency = 64, w.engine = "vllm";
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ServeTimes(*sm, D().cal.Family("hopper"), D().cal.Engine("vllm"), w, 1));
    w.concurrency = w.concurrency < 256 ? w.concurrency + 1 : 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServeClosedLoop70B);

// SearchServing for the best deployment with TPOT <= 50 ms and TTFT <= 2 s, repeated.
void Search(benchmark::State& state, const ServingQuery& q) {
  SlaSearchOptions o;
  o.sla.tpot = Seconds::FromBase(0.05);
  o.sla.ttft = Seconds::FromBase(2.0);
  int evaluated = 0;
  for (auto _ : state) {
    auto r = SearchServing(q, o);
    if (!r.ok()) std::abort();
    evaluated = r->evaluated;
    benchmark::DoNotOptimize(r);
  }
  state.counters["deployments_per_search"] = evaluated;
  state.SetItemsProcessed(state.iterations());
}

void BM_SlaSearch(benchmark::State& state, const char* chip, const char* model) {
  const Hardware hw = Hw(chip);
  ServingQuery q;
  q.model = D().models.Find(model);
  q.hardware = &hw;
  q.calibration = &D().cal;
  q.gpus = 8;
  q.precision = PrecisionForMode(DType::kFp8);
  q.workload.isl = 4096, q.workload.osl = 1024, q.workload.concurrency = 1;
  Search(state, q);
}
BENCHMARK_CAPTURE(BM_SlaSearch, llama70b_h200, "nvidia-h200-sxm", "llama-3.1-70b")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SlaSearch, deepseek_r1_h20, "nvidia-h20", "deepseek-r1")
    ->Unit(benchmark::kMillisecond);

// A disaggregated deployment's search: every layout pair of a prefill and a decode worker of 8
// GPUs each (one prefill and two decode workers), at every client count the SLA allows.
void BM_SlaSearchDisaggregated(benchmark::State& state) {
  const Hardware hw = Hw("nvidia-h200-sxm");
  ServingQuery q;
  q.model = D().models.Find("deepseek-r1");
  q.hardware = &hw;
  q.calibration = &D().cal;
  q.gpus = 24;
  q.par = {.tp = 8};
  q.disagg = Disaggregation{.prefill = {.tp = 8}, .prefill_workers = 1, .decode_workers = 2};
  q.precision = PrecisionForMode(DType::kFp8);
  q.workload.isl = 4096, q.workload.osl = 1024, q.workload.concurrency = 1;
  q.workload.engine = "sglang";
  Search(state, q);
}
BENCHMARK(BM_SlaSearchDisaggregated)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
