// Fleet totals computed by hand for tests/cases/fleets/small.csv (and its TOML twin), range
// propagation, quarter and license splits, revenue shares, unknown metrics, the what-if and the
// throughput cache.
//
// Catalog figures used below: TPP H100 SXM 15,831.2 (1,978.9 x 8), H20 2,368, A800 4,992,
// Ascend 910B 5,120; TDP H100 700 W, H20 400 W, A800 400 W, 910B unknown; memory 80, 96, 80,
// 64 GB; bandwidth 3,350, 4,000, 2,040 GB/s, 910B unknown.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ceiling/perf/serving.h"
#include "ceiling/perf/training.h"
#include "fixture.h"

namespace ceiling::fleet {
namespace {

constexpr double kH100Tpp = 15831.2;

FleetResult RunCase(const FleetQuery& req, ThroughputCache* cache = nullptr) {
  auto r = RunFleet(Kb().kb(req.throughput), req, cache);
  if (!r.ok()) ADD_FAILURE() << r.error().ToString();
  return r.ok() ? std::move(r).value() : FleetResult{};
}

class SmallFleet : public ::testing::TestWithParam<std::string> {};

TEST_P(SmallFleet, HandComputedTotals) {
  const FleetResult r = RunCase(CaseRequest(GetParam()));
  ASSERT_EQ(r.rows.size(), 7u);
  // Counted: h100-2024, h20-2024, h20-2025-licensed, a800-split, ascend-domestic. Not counted:
  // h20-restated (restates h20-2024) and h200-order (ordered).
  EXPECT_EQ(r.total.rows, 5);
  const Range& units = Sum(r.total, Measure::kUnits);
  EXPECT_DOUBLE_EQ(units.value, 1000 + 3000 + 100 + 610 + 366);  // 5,076
  EXPECT_DOUBLE_EQ(units.low, 1000 + 2000 + 100 + 610 + 366);    // 4,076
  EXPECT_DOUBLE_EQ(units.high, 1000 + 4000 + 100 + 610 + 366);   // 6,076
  // TPP: 1000 x 15,831.2 + 3,100 x 2,368 + 610 x 4,992 + 366 x 5,120.
  const Range& tpp = Sum(r.total, Measure::kTpp);
  EXPECT_NEAR(tpp.value, 15831200 + 7340800 + 3045120 + 1873920, 1e-3);  // 28,091,040
  EXPECT_NEAR(tpp.low, 15831200 + 4972800 + 3045120 + 1873920, 1e-3);    // 25,723,040
  EXPECT_NEAR(tpp.high, 15831200 + 9708800 + 3045120 + 1873920, 1e-3);   // 30,459,040
  // H100-equivalents by TPP: the TPP total over the H100's.
  const Range& h100 = Sum(r.total, Measure::kH100Tpp);
  EXPECT_NEAR(h100.value, 1774.4100, 1e-3);  // 28,091,040 / 15,831.2
  EXPECT_NEAR(h100.low, 1624.8320, 1e-3);
  EXPECT_NEAR(h100.high, 1923.9881, 1e-3);
  // Memory: 1000 x 80 + 3,100 x 96 + 610 x 80 + 366 x 64 GB.
  EXPECT_NEAR(Sum(r.total, Measure::kMemory).value, 80000 + 297600 + 48800 + 23424, 1e-6);
  // Bandwidth and power: the 910B's are unknown, so its 366 units are left out and reported.
  EXPECT_NEAR(Sum(r.total, Measure::kBandwidth).value, 3350000 + 12400000 + 1244400, 1e-3);
  EXPECT_NEAR(Sum(r.total, Measure::kPower).value, (700000.0 + 1240000 + 244000) / 1e6, 1e-9);
  EXPECT_DOUBLE_EQ(r.total.unknown_units[Index(Measure::kBandwidth)], 366);
  EXPECT_DOUBLE_EQ(r.total.unknown_units[Index(Measure::kPower)], 366);
  EXPECT_DOUBLE_EQ(r.total.unknown_units[Index(Measure::kTpp)], 0);
}

TEST_P(SmallFleet, QuarterAndLicenseSplits) {
  const FleetResult r = RunCase(CaseRequest(GetParam()));
  // The 910B row covers 2024 (366 days): 91, 91, 92 and 92 days.
  auto q = [&](const std::string& key) {
    const Group* g = FindGroup(r.by_quarter, key);
    return g == nullptr ? -1.0 : Sum(g->totals, Measure::kUnits).value;
  };
  EXPECT_NEAR(q("2023Q4"), 610, 1e-9);
  EXPECT_NEAR(q("2024Q1"), 91, 1e-9);
  EXPECT_NEAR(q("2024Q2"), 1000 + 3000 + 91, 1e-9);
  EXPECT_NEAR(q("2024Q3"), 92, 1e-9);
  EXPECT_NEAR(q("2024Q4"), 92, 1e-9);
  EXPECT_NEAR(q("2025Q3"), 100, 1e-9);
  EXPECT_EQ(r.by_quarter.size(), 6u);
  // The A800 row spans the October 2023 rule's effective date (2023-11-17): 16 of its 61 days
  // before (no license), 45 after (license required, presumption of denial).
  const RowResult* a800 = FindRow(r, "a800-split");
  ASSERT_NE(a800, nullptr);
  ASSERT_EQ(a800->base.size(), 2u);
  EXPECT_EQ(a800->base[0].last, (Date{2023, 11, 16}));
  EXPECT_NEAR(a800->base[0].fraction, 16.0 / 61, 1e-12);
  EXPECT_EQ(LicenseOf(a800->base[0]), License::kNo);
  EXPECT_EQ(LicenseOf(a800->base[1]), License::kYes);
  EXPECT_EQ(a800->base[1].c->review_policy, rules::ReviewPolicy::kPresumptionOfDenial);
  auto lic = [&](const std::string& key) {
    const Group* g = FindGroup(r.by_license, key);
    return g == nullptr ? -1.0 : Sum(g->totals, Measure::kUnits).value;
  };
  EXPECT_NEAR(lic("no"), 160 + 1000 + 3000, 1e-9);
  EXPECT_NEAR(lic("yes"), 450 + 100, 1e-9);
  EXPECT_NEAR(lic("not-an-export"), 366, 1e-9);
  // Groups by chip and buyer.
  EXPECT_NEAR(Sum(FindGroup(r.by_chip, "nvidia-h20")->totals, Measure::kUnits).value, 3100, 1e-9);
  EXPECT_NEAR(Sum(FindGroup(r.by_buyer, "Buyer B")->totals, Measure::kUnits).value, 3100, 1e-9);
  EXPECT_NEAR(Sum(FindGroup(r.by_buyer, "(not reported)")->totals, Measure::kUnits).value,
              610 + 366, 1e-9);
  EXPECT_NEAR(Sum(FindGroup(r.by_vendor, "huawei")->totals, Measure::kUnits).value, 366, 1e-9);
}

TEST_P(SmallFleet, RevenueSharesAndCounting) {
  const FleetResult r = RunCase(CaseRequest(GetParam()));
  // 100 H20s at $10,000 on 2025-09-01 fall under the 15% measure: 0.15 x 100 x 10,000.
  const RowResult* h20 = FindRow(r, "h20-2025-licensed");
  ASSERT_NE(h20, nullptr);
  ASSERT_EQ(h20->shares.size(), 1u);
  EXPECT_EQ(h20->shares[0].measure->full_id, "us-2025-08-h20-licensing/revenue-share");
  ASSERT_TRUE(h20->shares[0].owed.has_value());
  EXPECT_NEAR(h20->shares[0].owed->value, 150000, 1e-6);
  EXPECT_EQ(h20->shares[0].currency, "USD");
  // 10 H200s at $27,000 on 2026-02-01: 25%, computed for the row though it is only ordered.
  const RowResult* h200 = FindRow(r, "h200-order");
  ASSERT_NE(h200, nullptr);
  EXPECT_FALSE(h200->counted);
  EXPECT_EQ(h200->not_counted, "status ordered");
  ASSERT_EQ(h200->shares.size(), 1u);
  EXPECT_NEAR(h200->shares[0].owed->value, 67500, 1e-6);
  // Totals count only counted rows: one measure, $150,000.
  ASSERT_EQ(r.shares.size(), 1u);
  EXPECT_NEAR(r.shares[0].owed.value, 150000, 1e-6);
  EXPECT_EQ(r.shares[0].rows, 1);
  const RowResult* restated = FindRow(r, "h20-restated");
  EXPECT_FALSE(restated->counted);
  EXPECT_EQ(restated->not_counted, "restates h20-2024");
  // The 910B is made where it is used: no US classification.
  const RowResult* ascend = FindRow(r, "ascend-domestic");
  ASSERT_EQ(ascend->base.size(), 1u);
  EXPECT_EQ(ascend->base[0].c, nullptr);
  EXPECT_EQ(LicenseOf(ascend->base[0]), License::kNotExport);
}

TEST_P(SmallFleet, CountingOrderedRowsAddsThem) {
  FleetQuery req = CaseRequest(GetParam());
  req.count = {ShipmentStatus::kShipped, ShipmentStatus::kProduced, ShipmentStatus::kOrdered};
  const FleetResult r = RunCase(req);
  EXPECT_DOUBLE_EQ(Sum(r.total, Measure::kUnits).value, 5076 + 10);
  ASSERT_EQ(r.shares.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Formats, SmallFleet, ::testing::Values("small.csv", "small.toml"),
                         [](const auto& p) { return p.param == "small.csv" ? "csv" : "toml"; });

TEST(FleetWhatIf, H20LetterFrom2024NeedsLicensesForThe2024H20s) {
  FleetQuery req = CaseRequest("small.csv");
  std::ifstream in(std::string(CEILING_SOURCE_DIR) + "/docs/examples/h20-letter-from-2024.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  req.rules.push_back({"h20-letter-from-2024.toml", ss.str()});
  const FleetResult r = RunCase(req);
  ASSERT_TRUE(r.what_if.has_value());
  // Only h20-2024 (3,000; 2,000-4,000) newly needs a license; the 2025 H20s needed one anyway.
  const Range& u = Sum(r.what_if->needs_license, Measure::kUnits);
  EXPECT_DOUBLE_EQ(u.value, 3000);
  EXPECT_DOUBLE_EQ(u.low, 2000);
  EXPECT_DOUBLE_EQ(u.high, 4000);
  EXPECT_NEAR(Sum(r.what_if->needs_license, Measure::kH100Tpp).value, 448.734145, 1e-5);
  // The letter's review policy was not published: nothing faces a presumption of denial.
  EXPECT_DOUBLE_EQ(Sum(r.what_if->denial, Measure::kUnits).value, 0);
  const RowResult* h20 = FindRow(r, "h20-2024");
  EXPECT_DOUBLE_EQ(h20->newly_licensed, 1);
  ASSERT_EQ(h20->newly_policies.size(), 1u);
  EXPECT_EQ(h20->newly_policies[0], rules::ReviewPolicy::kNotPublished);
  // The restating row is flagged too, but not added.
  EXPECT_DOUBLE_EQ(FindRow(r, "h20-restated")->newly_licensed, 1);
}

TEST(FleetWhatIf, AsOfAnEarlierDateFreesRows) {
  FleetQuery req = CaseRequest("small.csv");
  req.as_of = Date{2023, 6, 1};  // the October 2022 rule: the A800 and H20 need no license
  const FleetResult r = RunCase(req);
  ASSERT_TRUE(r.what_if.has_value());
  // Freed: the A800's 45 licensed days (450 units) and the 2025 H20s (100).
  EXPECT_NEAR(Sum(r.what_if->freed, Measure::kUnits).value, 450 + 100, 1e-9);
  EXPECT_DOUBLE_EQ(Sum(r.what_if->needs_license, Measure::kUnits).value, 0);
  EXPECT_NEAR(FindRow(r, "a800-split")->freed, 45.0 / 61, 1e-12);
}

TEST(FleetWhatIf, AsOfALaterDateDeniesTheA800s) {
  FleetQuery req = CaseRequest("small.csv");
  req.as_of = Date{2025, 5, 1};
  const FleetResult r = RunCase(req);
  // Newly licensed: the A800's first 16 days (160, presumption of denial) and the 2024 H20s
  // (3,000, letter: policy not published).
  EXPECT_NEAR(Sum(r.what_if->needs_license, Measure::kUnits).value, 160 + 3000, 1e-9);
  EXPECT_NEAR(Sum(r.what_if->denial, Measure::kUnits).value, 160, 1e-9);
  EXPECT_NEAR(Sum(r.what_if->denial, Measure::kTpp).value, 160 * 4992.0, 1e-6);
}

TEST(FleetWhatIf, ParameterOverridesMoveTheA800FromAToB) {
  FleetQuery req = CaseRequest("small.csv");
  // TPP 4,992 and PD 6.04 on 826 mm^2: raising both 3A090.a lines past them leaves the A800 in
  // 3A090.b (license to China still required) - so also move the .b PD band's top.
  req.sets = {"tpp_a=6000", "pd_a=7"};
  const FleetResult r = RunCase(req);
  ASSERT_TRUE(r.what_if.has_value());
  EXPECT_EQ(r.what_if->description, "tpp_a=6000; pd_a=7");
  const RowResult* a800 = FindRow(r, "a800-split");
  EXPECT_EQ(a800->alt.size(), 2u);
  EXPECT_EQ(a800->alt[1].c->controls.empty(), false);  // 3A090.b now
  for (const rules::Clause* c : a800->alt[1].c->controls)
    EXPECT_EQ(c->paragraph.rfind("3A090.a", 0), std::string::npos) << c->paragraph;
}

TEST(FleetUnknown, InlineChipWithMissingFiguresIsReportedNotGuessed) {
  const FleetResult r = RunCase(CaseRequest("inline-chip.toml", true));
  ASSERT_EQ(r.chips.size(), 1u);
  const ChipInfo& x1 = r.chips[0];
  EXPECT_EQ(x1.chip->id, "acme-x1");
  // TPP: fp16 100 x 16 = 1,600 per unit; 75 units.
  EXPECT_DOUBLE_EQ(Sum(r.total, Measure::kTpp).value, 75 * 1600.0);
  EXPECT_NEAR(Sum(r.total, Measure::kH100Tpp).value, 75 * 1600.0 / kH100Tpp, 1e-9);
  for (Measure m : {Measure::kBandwidth, Measure::kPower, Measure::kH100Decode, Measure::kH100Train,
                    Measure::kTrainRate}) {
    EXPECT_FALSE(x1.per_unit[Index(m)].has_value()) << MeasureName(m);
    EXPECT_FALSE(x1.missing[Index(m)].empty()) << MeasureName(m);
    EXPECT_DOUBLE_EQ(Sum(r.total, m).value, 0) << MeasureName(m);
    EXPECT_DOUBLE_EQ(r.total.unknown_units[Index(m)], 75) << MeasureName(m);
  }
  EXPECT_NE(x1.missing[Index(Measure::kH100Decode)].find("memory.bandwidth"), std::string::npos)
      << x1.missing[Index(Measure::kH100Decode)];
  // No counted chip has a training rate: no time to train, and no number made up.
  ASSERT_TRUE(r.time_to_train.has_value());
  EXPECT_FALSE(r.time_to_train->days.has_value());
  EXPECT_DOUBLE_EQ(r.time_to_train->unknown_units, 75);
}

TEST(FleetDerived, RevenueOverPriceWithBounds) {
  const FleetResult r = RunCase(CaseRequest("derived.csv"));
  const Shipment& s = *r.rows[0].shipment;
  EXPECT_TRUE(s.derived);
  EXPECT_DOUBLE_EQ(s.quantity.value, 4.6e9 / 12500);  // 368,000
  EXPECT_DOUBLE_EQ(s.quantity.low, 4.6e9 / 13000);
  EXPECT_DOUBLE_EQ(s.quantity.high, 4.6e9 / 12000);
  EXPECT_EQ(s.formula, "revenue 4,600,000,000 USD / unit price 12,500 (12,000 - 13,000) USD");
  EXPECT_EQ(r.set.sources.at("row-1").title, "Results, quoted \"as is\"");
  EXPECT_EQ(r.set.sources.at("row-1").read, (Date{2026, 12, 1}));
}

TEST(FleetBeforeRules, ShipmentsBeforeTheFirstRuleNeedNoLicense) {
  FleetQuery req;
  req.shipments_name = "old.csv";
  req.shipments_text =
      "chip,quantity,date,destination,kind,source\nnvidia-a100-sxm-80gb,10000,2021,CN,reported,x\n";
  req.throughput = false;
  const FleetResult r = RunCase(req);
  ASSERT_EQ(r.rows[0].base.size(), 1u);
  EXPECT_TRUE(r.rows[0].base[0].c->before_first_rule);
  EXPECT_EQ(LicenseOf(r.rows[0].base[0]), License::kNo);
}

// The throughput yardsticks: ratios of the performance model's per-GPU figures, one model
// evaluation per chip and yardstick, none when the cache already holds them.
TEST(FleetThroughput, RatiosToTheReferenceAndCaching) {
  ThroughputCache cache;
  FleetQuery req = CaseRequest("small.csv", true);
  const FleetResult r = RunCase(req, &cache);
  // Chips: H100 (also the reference), H20, A800, H200: 4 chips x 2 yardsticks. The 910B cannot
  // be modelled (no memory bandwidth), so it costs no evaluation; its reason is cached too.
  EXPECT_EQ(r.evaluations, 8);
  EXPECT_EQ(cache.evaluations(), 8);
  const FleetResult again = RunCase(req, &cache);
  EXPECT_EQ(again.evaluations, 0);
  EXPECT_EQ(cache.evaluations(), 8);

  const ChipInfo* h100 = nullptr;
  const ChipInfo* h20 = nullptr;
  const ChipInfo* a800 = nullptr;
  for (const ChipInfo& c : r.chips) {
    if (c.chip->id == "nvidia-h100-sxm") h100 = &c;
    if (c.chip->id == "nvidia-h20") h20 = &c;
    if (c.chip->id == "nvidia-a800-sxm") a800 = &c;
  }
  ASSERT_TRUE(h100 && h20 && a800);
  ASSERT_TRUE(h100->decode_tps && h20->decode_tps && a800->decode_tps);
  EXPECT_DOUBLE_EQ(*h100->per_unit[Index(Measure::kH100Decode)], 1.0);
  EXPECT_DOUBLE_EQ(*h100->per_unit[Index(Measure::kH100Train)], 1.0);
  // The H20's decode figure is what a direct deployment search finds.
  const Knowledge kb = Kb().kb();
  auto hw = perf::HardwareFromChip(*h20->chip, *kb.systems, {});
  ASSERT_TRUE(hw.ok());
  perf::ServingQuery q;
  q.model = kb.models->Find("llama-3.1-70b");
  q.hardware = &*hw;
  q.calibration = kb.calibration;
  q.gpus = 8;
  q.precision = perf::PrecisionForMode(perf::DType::kFp8);
  q.workload.isl = q.workload.osl = 1024;
  perf::SlaSearchOptions so;
  so.sla.tpot = Seconds::FromBase(0.05);
  auto s = perf::SearchServing(q, so);
  ASSERT_TRUE(s.ok() && s->found);
  EXPECT_DOUBLE_EQ(*h20->decode_tps, s->result.output_tokens_per_s_per_gpu);
  // Totals: 1,000 H100s count 1,000; the H20s and A800s by their ratios; the 910B is unknown.
  const double want = 1000 + 3100 * *h20->decode_tps / *h100->decode_tps +
                      610 * *a800->decode_tps / *h100->decode_tps;
  EXPECT_NEAR(Sum(r.total, Measure::kH100Decode).value, want, 1e-6);
  EXPECT_DOUBLE_EQ(r.total.unknown_units[Index(Measure::kH100Decode)], 366);
  // More bandwidth per FLOP: the H20 counts for more by decode than by TPP.
  EXPECT_GT(*h20->per_unit[Index(Measure::kH100Decode)], *h20->per_unit[Index(Measure::kH100Tpp)]);
  // Time to train 2e25 FLOP at the modelled MFU: FLOPs / the fleet's effective rate.
  ASSERT_TRUE(r.time_to_train && r.time_to_train->days);
  const Range& rate = r.time_to_train->pflops;
  EXPECT_NEAR(r.time_to_train->days->value, 2e25 / (rate.value * 1e15) / 86400, 1e-9);
  EXPECT_LT(r.time_to_train->days->low, r.time_to_train->days->value);   // more chips, faster
  EXPECT_GT(r.time_to_train->days->high, r.time_to_train->days->value);  // fewer, slower
}

TEST(FleetThroughput, NamedRunUsesTheModelsTrainingFlops) {
  FleetQuery req = CaseRequest("small.csv", true);
  req.run.flops.reset();
  req.run.model = "llama-3.1-8b";
  req.run.tokens = 15e12;
  const FleetResult r = RunCase(req);
  const auto* m = Kb().models.Find("llama-3.1-8b");
  ASSERT_TRUE(r.time_to_train.has_value());
  EXPECT_DOUBLE_EQ(r.time_to_train->flops, perf::TrainingFlopsPerToken(*m, 4096) * 15e12);
  // About 6 x 8e9 parameters x 15e12 tokens plus attention: between 7e23 and 9e23.
  EXPECT_GT(r.time_to_train->flops, 7e23);
  EXPECT_LT(r.time_to_train->flops, 9e23);
}

TEST(FleetChart, CumulativeSeriesEndsAtTheTotals) {
  FleetQuery req = CaseRequest("small.csv");
  req.as_of = Date{2025, 5, 1};
  const FleetResult r = RunCase(req);
  const ChartSeries s = CumulativeSeries(r, Yardstick::kTpp);
  double end = 0;
  for (const auto& f : s.cumulative) end += f.back();
  EXPECT_NEAR(end, Sum(r.total, Measure::kH100Tpp).value, 1e-6);
  // The what-if line ends short by what the alternative newly requires a license for.
  ASSERT_EQ(s.what_if.size(), s.dates.size());
  EXPECT_NEAR(s.what_if.back(), end - Sum(r.what_if->needs_license, Measure::kH100Tpp).value, 1e-6);
  // Cumulative lines never fall.
  for (const auto& f : s.cumulative)
    for (std::size_t i = 1; i < f.size(); ++i) EXPECT_GE(f[i], f[i - 1] - 1e-9);
}

}  // namespace
}  // namespace ceiling::fleet

namespace ceiling::fleet {
namespace {

TEST(FleetShares, ZeroShipmentsOweNothingWithoutAPrice) {
  FleetQuery req;
  req.shipments_name = "h200.csv";
  req.shipments_text =
      "chip,quantity,unit_price,date,destination,kind,source,price_source\n"
      "nvidia-h200-sxm,0,,2026-02-01,CN,official,a,\n"
      "nvidia-h200-sxm,10,27000 USD,2026-02-01,CN,reported,b,p\n";
  req.throughput = false;
  auto r = RunFleet(Kb().kb(false), req);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->shares.size(), 1u);
  EXPECT_EQ(r->shares[0].currency, "USD");
  EXPECT_EQ(r->shares[0].rows, 2);
  EXPECT_EQ(r->shares[0].rows_without_price, 0);
  EXPECT_DOUBLE_EQ(r->shares[0].owed.value, 0.25 * 10 * 27000);
}

}  // namespace
}  // namespace ceiling::fleet

namespace ceiling::fleet {
namespace {

// Every file under data/fleets loads against the knowledge base, and every row is cited.
TEST(BundledFleets, LoadAndCiteEveryRow) {
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(DataDir() + "/fleets")) {
    if (e.path().extension() != ".toml") continue;
    ++files;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    FleetQuery req;
    req.shipments_name = e.path().string();
    req.shipments_text = ss.str();
    req.throughput = false;
    auto r = RunFleet(Kb().kb(false), req);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_GE(r->rows.size(), 15u) << e.path();
    for (const RowResult& row : r->rows) {
      const Shipment& s = *row.shipment;
      EXPECT_FALSE(s.id.empty()) << e.path() << " row " << s.index + 1;
      ASSERT_FALSE(s.sources.empty()) << s.label();
      for (const std::string& k : s.sources) {
        const Source& src = r->set.sources.at(k);
        EXPECT_FALSE(src.url.empty()) << s.label();
        EXPECT_GE(src.read.year, 2026) << s.label();
      }
      if (s.derived) {
        EXPECT_FALSE(s.price_sources.empty()) << s.label();
      }
      EXPECT_FALSE(s.note.empty()) << s.label() << ": say what the figure is";
    }
  }
  EXPECT_GE(files, 1);
}

}  // namespace
}  // namespace ceiling::fleet
