// Fleet speed. The target (issue 14): one million shipment rows aggregated with the TPP yardstick
// in at most 2 s on one core. Run `build/bench/fleet_bench`; items/s is rows/s.
//
//   BM_Aggregate          1M rows already parsed: chips resolved, each row classified over its
//                         period (one timeline per chip x destination x headquarters), totals,
//                         quarters, vendors, chips, buyers, license status, revenue shares
//   BM_AggregateWhatIf    the same with an as-of what-if
//   BM_ParseCsv           parsing the same rows from CSV text (reported, not part of the target)
//   BM_Throughput*        the decode and training yardsticks: a cold cache (one model evaluation
//                         per chip and yardstick) and a warm one (none)
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdlib>
#include <random>

#include "ceiling/catalog/catalog.h"
#include "ceiling/fleet/fleet.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"

namespace {

using namespace ceiling;

struct Kb {
  catalog::Catalog chips;
  rules::RuleBook book;
  perf::ModelCatalog models;
  perf::Calibration calibration;
  perf::SystemDefaults systems;
};

const Kb& Data() {
  static const Kb* kb = [] {
    const std::string dir = std::string(CEILING_SOURCE_DIR) + "/data";
    auto chips = catalog::Catalog::Load(dir);
    auto book = rules::RuleBook::Load(dir);
    auto models = perf::ModelCatalog::Load(dir);
    auto cal = perf::LoadCalibration(dir);
    auto sys = perf::LoadSystemDefaults(dir);
    if (!chips.ok() || !book.ok() || !models.ok() || !cal.ok() || !sys.ok()) std::abort();
    return new Kb{std::move(*chips), std::move(*book), std::move(*models), std::move(*cal),
                  std::move(*sys)};
  }();
  return *kb;
}

fleet::Knowledge Knowledge(bool throughput) {
  fleet::Knowledge k;
  k.chips = &Data().chips;
  k.rules = &Data().book;
  if (throughput) {
    k.models = &Data().models;
    k.calibration = &Data().calibration;
    k.systems = &Data().systems;
  }
  return k;
}

constexpr const char* kChips[] = {"nvidia-h20",         "nvidia-h100-sxm", "nvidia-a800-sxm",
                                  "nvidia-h200-sxm",    "nvidia-h800-sxm", "huawei-ascend-910b",
                                  "huawei-ascend-910c", "amd-mi308x",      "nvidia-rtx-4090d",
                                  "nvidia-l20"};
constexpr const char* kPlaces[] = {"CN", "SG", "MY", "AE", "US", "HK"};
constexpr const char* kBuyers[] = {"ByteDance", "Alibaba", "Tencent", "Baidu", ""};

// A million rows spread over 2022-2026: mixed chips, destinations, buyers, periods (days,
// quarters, years and ranges), statuses and prices; reproducible (fixed seed).
const std::string& CsvText() {
  static const std::string* text = [] {
    std::mt19937 rng(14);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    auto* s = new std::string(
        "id,chip,quantity,quantity_low,quantity_high,unit_price,date,destination,hq,buyer,status,"
        "kind,source,price_source\n");
    s->reserve(110u * 1000000u);
    for (int i = 0; i < 1000000; ++i) {
      const int year = 2022 + pick(5);
      std::string date;
      switch (pick(4)) {
        case 0:
          date = fmt::format("{}-{:02d}-{:02d}", year, 1 + pick(12), 1 + pick(28));
          break;
        case 1:
          date = fmt::format("{}Q{}", year, 1 + pick(4));
          break;
        case 2:
          date = std::to_string(year);
          break;
        default:
          date = fmt::format("{}-{:02d}/{}Q4", year, 1 + pick(12), year);
      }
      const int q = 1 + pick(100000);
      const bool priced = pick(2) == 0;
      *s += fmt::format("r{},{},{},{},{},{},{},{},{},{},{},estimate,https://example.org/{},{}\n", i,
                        kChips[pick(std::size(kChips))], q, q / 2, q * 2, priced ? "12500 USD" : "",
                        date, kPlaces[pick(std::size(kPlaces))], pick(3) == 0 ? "CN" : "",
                        kBuyers[pick(std::size(kBuyers))], pick(4) == 0 ? "ordered" : "shipped",
                        i % 97, priced ? "https://example.org/price" : "");
    }
    return s;
  }();
  return *text;
}

const fleet::ShipmentSet& Parsed() {
  static const fleet::ShipmentSet* set = [] {
    auto s = fleet::ParseShipmentsCsv(CsvText(), "bench.csv");
    if (!s.ok()) std::abort();
    return new fleet::ShipmentSet(std::move(s).value());
  }();
  return *set;
}

void Aggregate(benchmark::State& state, bool what_if) {
  const fleet::ShipmentSet& set = Parsed();
  fleet::FleetQuery req;
  req.shipments_name = "bench.csv";
  req.throughput = false;
  if (what_if) req.as_of = Date{2025, 5, 1};
  for (auto _ : state) {
    state.PauseTiming();
    fleet::ShipmentSet copy = set;
    state.ResumeTiming();
    auto r = fleet::EvaluateFleet(Knowledge(false), std::move(copy), req);
    if (!r.ok()) state.SkipWithError(r.error().ToString().c_str());
    benchmark::DoNotOptimize(r->total.sum[0].value);
    state.PauseTiming();
    r = fleet::FleetResult{};  // freeing a million rows is not aggregation
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(set.rows.size()));
}

void BM_Aggregate(benchmark::State& state) { Aggregate(state, false); }
BENCHMARK(BM_Aggregate)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_AggregateWhatIf(benchmark::State& state) { Aggregate(state, true); }
BENCHMARK(BM_AggregateWhatIf)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_ParseCsv(benchmark::State& state) {
  const std::string& text = CsvText();
  for (auto _ : state) {
    auto s = fleet::ParseShipmentsCsv(text, "bench.csv");
    if (!s.ok()) state.SkipWithError(s.error().ToString().c_str());
    benchmark::DoNotOptimize(s->rows.size());
  }
  state.SetItemsProcessed(state.iterations() * 1000000);
}
BENCHMARK(BM_ParseCsv)->Unit(benchmark::kMillisecond)->Iterations(2);

// The throughput yardsticks for a file naming all ten chips (the H100 is also the reference).
fleet::FleetQuery ThroughputRequest() {
  fleet::FleetQuery req;
  req.shipments_name = "ten.csv";
  req.shipments_text = "chip,quantity,date,destination,kind,source\n";
  for (const char* c : kChips) req.shipments_text += fmt::format("{},100,2024,CN,estimate,x\n", c);
  return req;
}

void BM_ThroughputColdCache(benchmark::State& state) {
  const fleet::FleetQuery req = ThroughputRequest();
  int evaluations = 0;
  for (auto _ : state) {
    fleet::ThroughputCache cache;
    auto r = fleet::RunFleet(Knowledge(true), req, &cache);
    if (!r.ok()) state.SkipWithError(r.error().ToString().c_str());
    evaluations = r->evaluations;
  }
  state.counters["model_evaluations"] = evaluations;
}
BENCHMARK(BM_ThroughputColdCache)->Unit(benchmark::kMillisecond);

void BM_ThroughputWarmCache(benchmark::State& state) {
  const fleet::FleetQuery req = ThroughputRequest();
  fleet::ThroughputCache cache;
  (void)fleet::RunFleet(Knowledge(true), req, &cache);
  int evaluations = 0;
  for (auto _ : state) {
    auto r = fleet::RunFleet(Knowledge(true), req, &cache);
    if (!r.ok()) state.SkipWithError(r.error().ToString().c_str());
    evaluations = r->evaluations;
  }
  state.counters["model_evaluations"] = evaluations;
}
BENCHMARK(BM_ThroughputWarmCache)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
