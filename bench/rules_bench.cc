// Classification speed: the target is at least 1,000,000 classifications per second on one core
// for a catalog chip (issue #3). Run `build/bench/rules_bench`; items/s is classifications/s.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "ceiling/catalog/catalog.h"
#include "ceiling/rules/analysis.h"
#include "ceiling/rules/classify.h"
#include "ceiling/rules/disputes.h"

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

const rules::RuleBook& Book() {
  static const rules::RuleBook* book = [] {
    auto b = rules::RuleBook::Load(std::string(CEILING_SOURCE_DIR) + "/data");
    if (!b.ok()) std::abort();
    return new rules::RuleBook(std::move(b).value());
  }();
  return *book;
}

rules::ChipFacts Facts(const char* id) {
  const catalog::Chip& c = *Cat().Find(id);
  return rules::FactsOf(c, catalog::ComputeMetrics(c));
}

rules::Query MakeQ(const char* date, const char* to, bool trace) {
  auto q = rules::MakeQuery(Book(), *ParseDate(date), to);
  if (!q.ok()) std::abort();
  q->trace = trace;
  return *q;
}

// The hot path: a reused result, no trace. H200 to China on 2026-02-01 exercises the most
// clauses (controls, HQ and destination licenses, exceptions, case-by-case review, a measure).
void BM_ClassifyNoTrace(benchmark::State& state, const char* chip, const char* date,
                        const char* to) {
  const rules::ChipFacts facts = Facts(chip);
  const rules::Query q = MakeQ(date, to, false);
  rules::Classification out;
  for (auto _ : state) {
    rules::ClassifyInto(Book(), facts, q, &out);
    benchmark::DoNotOptimize(out.license_required);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_ClassifyNoTrace, h200_cn_2026, "nvidia-h200-sxm", "2026-02-01", "CN");
BENCHMARK_CAPTURE(BM_ClassifyNoTrace, h20_cn_2025, "nvidia-h20", "2025-09-01", "CN");
BENCHMARK_CAPTURE(BM_ClassifyNoTrace, a100_cn_2022, "nvidia-a100-sxm-80gb", "2022-11-01", "CN");
BENCHMARK_CAPTURE(BM_ClassifyNoTrace, rtx4090_vn_2024, "nvidia-rtx-4090", "2024-06-01", "VN");

// With the full trace (what `ceiling classify` renders).
void BM_ClassifyWithTrace(benchmark::State& state) {
  const rules::ChipFacts facts = Facts("nvidia-h200-sxm");
  const rules::Query q = MakeQ("2026-02-01", "CN", true);
  rules::Classification out;
  for (auto _ : state) {
    rules::ClassifyInto(Book(), facts, q, &out);
    benchmark::DoNotOptimize(out.trace.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClassifyWithTrace);

// Every catalog chip to every destination on one date: the migration-matrix workload.
void BM_ClassifyCatalogAllCountries(benchmark::State& state) {
  std::vector<rules::ChipFacts> facts;
  for (std::size_t i = 0; i < Cat().chips().size(); ++i)
    facts.push_back(rules::FactsOf(Cat().chips()[i], Cat().metrics(i)));
  rules::Query q = MakeQ("2026-02-01", "CN", false);
  rules::Classification out;
  const int countries = Book().countries().size();
  for (auto _ : state) {
    for (const rules::ChipFacts& f : facts)
      for (int c = 0; c < countries; ++c) {
        q.destination = q.headquarters = c;
        rules::ClassifyInto(Book(), f, q, &out);
        benchmark::DoNotOptimize(out.license_required);
      }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(facts.size()) * countries);
}
BENCHMARK(BM_ClassifyCatalogAllCountries)->Unit(benchmark::kMillisecond);

// A chip with disputed figures under every source (issue 13): the Ascend 910B has three alternatives,
// so four scenarios are built (record copies), their metrics computed and each classified with its
// trace. This is `ceiling classify`'s cost for such a chip; Classify itself is untouched.
void BM_ClassifyDisputed(benchmark::State& state) {
  const catalog::Chip& chip = *Cat().Find("huawei-ascend-910b");
  const rules::Query q = MakeQ("2024-06-01", "CN", state.range(0) != 0);
  for (auto _ : state) {
    rules::DisputedClassification d = rules::ClassifyDisputed(Book(), chip, q);
    benchmark::DoNotOptimize(d.agreement);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClassifyDisputed)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Building the rule book once (load, compile, precompute intervals) and a what-if recompile.
void BM_WithParameter(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Book().WithParameter("tpp_a", "4000"));
}
BENCHMARK(BM_WithParameter)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
