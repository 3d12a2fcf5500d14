// Bulk classification speed (api::ClassifyMany, issue #15): the target is at least 1,000,000 rows
// per second. Run `build/bench/bulk_bench`; items/s is rows/s. The Python module's
// kb.classify_many adds the interning of the columns (pandas.factorize) to this; see
// python/bench_classify_many.py for that end-to-end figure.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "ceiling/api/bulk_api.h"

namespace {

using namespace ceiling;
using namespace ceiling::api;

const KnowledgeBase& Kb() {
  static const std::shared_ptr<const KnowledgeBase> kb = [] {
    auto k = KnowledgeBase::Load(std::string(CEILING_SOURCE_DIR) + "/data", kChips | kRules);
    if (!k.ok()) std::abort();
    return *k;
  }();
  return *kb;
}

struct Table {
  std::vector<std::int32_t> chip, date, to, hq;
  ClassifyManyRequest req;
};

// `rows` rows: every catalog chip, a date each day from 2022-01-01 over 1,700 days, and
// destinations (and, for a quarter of the rows, headquarters) among the first `countries` of the
// country table. Few countries: a shipment ledger (questions repeat); all of them: nearly every row
// a question of its own.
std::unique_ptr<Table> MakeTable(std::size_t rows, int countries) {
  auto t = std::make_unique<Table>();
  const auto& entries = Kb().chip_entries();
  for (const auto& e : entries) t->req.chip.values.push_back(e.id);
  const long start = Date{2022, 1, 1}.DaysSinceEpoch();
  for (long d = 0; d < 1700; ++d)
    t->req.date.values.push_back(Date::FromDaysSinceEpoch(start + d).ToString());
  const rules::CountryDb& db = Kb().rules().countries();
  const int n = std::min(countries, db.size());
  for (int c = 0; c < n; ++c) t->req.to.values.push_back(db.country(c).code);
  t->req.hq.values = t->req.to.values;
  std::mt19937 rng(11);
  for (std::size_t i = 0; i < rows; ++i) {
    t->chip.push_back(static_cast<std::int32_t>(rng() % entries.size()));
    t->date.push_back(static_cast<std::int32_t>(rng() % 1700));
    t->to.push_back(static_cast<std::int32_t>(rng() % static_cast<unsigned>(n)));
    t->hq.push_back(rng() % 4 == 0 ? static_cast<std::int32_t>(rng() % static_cast<unsigned>(n))
                                   : -1);
  }
  t->req.chip.codes = t->chip;
  t->req.date.codes = t->date;
  t->req.to.codes = t->to;
  t->req.hq.codes = t->hq;
  return t;
}

void BM_ClassifyMany(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  auto table = MakeTable(rows, static_cast<int>(state.range(1)));
  table->req.options.threads = static_cast<int>(state.range(2));
  std::size_t distinct = 0, outcomes = 0;
  for (auto _ : state) {
    auto r = ClassifyMany(Kb(), table->req);
    if (!r.ok()) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    distinct = r->distinct_queries;
    outcomes = r->outcomes.size();
    benchmark::DoNotOptimize(r->outcome.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
  state.counters["distinct_queries"] = static_cast<double>(distinct);
  state.counters["outcomes"] = static_cast<double>(outcomes);
}
// {rows, countries, threads (0 = all)}
BENCHMARK(BM_ClassifyMany)
    ->ArgNames({"rows", "countries", "threads"})
    ->Args({1'000'000, 20, 1})
    ->Args({1'000'000, 20, 0})
    ->Args({1'000'000, 1000, 1})
    ->Args({1'000'000, 1000, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
