#include "ceiling/catalog/metrics.h"

#include <gtest/gtest.h>

#include "ceiling/catalog/catalog.h"

namespace ceiling::catalog {
namespace {

Figure<OpsPerSecond> Rate(double tera) {
  Figure<OpsPerSecond> f;
  f.value = OpsPerSecond::FromTera(tera);
  f.sources = {"s"};
  return f;
}

Die LogicDie(std::string name, double mm2, bool non_planar = true, int count = 1) {
  Die d;
  d.name = std::move(name);
  d.kind = DieKind::kLogic;
  d.non_planar = non_planar;
  d.count = count;
  Figure<SquareMetres> a;
  a.value = FromSquareMillimetres(mm2);
  a.sources = {"s"};
  d.area = a;
  return d;
}

TEST(Metrics, TppTakesHighestPrecisionProduct) {
  Chip c;
  c.throughput[Index(Precision::kFp16)] = Rate(312);   // 4992
  c.throughput[Index(Precision::kInt8)] = Rate(624);   // 4992
  c.throughput[Index(Precision::kFp64)] = Rate(19.5);  // 1248
  c.dies.push_back(LogicDie("GA100", 826));
  ChipMetrics m = ComputeMetrics(c);
  ASSERT_TRUE(m.tpp());
  EXPECT_DOUBLE_EQ(*m.tpp(), 4992);
  EXPECT_NEAR(*m.pd(), 6.04, 0.005);
}

TEST(Metrics, PdCountsOnlyNonPlanarLogicDies) {
  Chip c;
  c.throughput[Index(Precision::kBf16)] = Rate(1000);  // TPP 16000
  c.dies.push_back(LogicDie("compute", 400, true, 2));
  c.dies.push_back(LogicDie("io-planar", 300, false));
  Die hbm;
  hbm.name = "HBM";
  hbm.kind = DieKind::kMemory;
  hbm.count = 8;
  c.dies.push_back(hbm);
  ChipMetrics m = ComputeMetrics(c);
  EXPECT_DOUBLE_EQ(*m.value(MetricId::kApplicableArea), 800);
  EXPECT_DOUBLE_EQ(*m.pd(), 20);
}

TEST(Metrics, MissingInputsGiveReasonsNotZero) {
  Chip c;
  ChipMetrics empty = ComputeMetrics(c);
  EXPECT_FALSE(empty.tpp());
  EXPECT_EQ(empty[MetricId::kTpp].missing, "no dense throughput figure in the record");
  EXPECT_FALSE(empty.pd());

  c.throughput[Index(Precision::kFp8)] = Rate(4500);
  Die unknown;
  unknown.name = "GB100";
  c.dies.push_back(unknown);
  ChipMetrics m = ComputeMetrics(c);
  EXPECT_DOUBLE_EQ(*m.tpp(), 36000);
  EXPECT_FALSE(m.pd());
  EXPECT_EQ(m[MetricId::kPd].missing,
            "die area unknown: the area of logic die GB100 is not in the record");
  EXPECT_FALSE(m.value(MetricId::kDramBandwidth));
  EXPECT_FALSE(m.value(MetricId::kIoAggregate));
}

TEST(Metrics, IoAggregateIsScaleUpPlusPcieUnlessPublished) {
  Chip c;
  Figure<BytesPerSecond> su, pcie, pub;
  su.value = BytesPerSecond::FromGiga(400);
  pcie.value = BytesPerSecond::FromGiga(64);
  pub.value = BytesPerSecond::FromGiga(600);
  c.interconnect.scale_up = su;
  c.interconnect.pcie = pcie;
  EXPECT_DOUBLE_EQ(*ComputeMetrics(c).value(MetricId::kIoAggregate), 464);
  c.interconnect.io_aggregate = pub;
  EXPECT_DOUBLE_EQ(*ComputeMetrics(c).value(MetricId::kIoAggregate), 600);
}

// Known values from the issue, pinned on the bundled catalog.
struct Known {
  const char* id;
  double tpp, tpp_tol;
  double pd, pd_tol;  // pd < 0: not pinned
};

class CatalogMetrics : public ::testing::TestWithParam<Known> {
 protected:
  static void SetUpTestSuite() {
    auto c = Catalog::Load(std::string(CEILING_SOURCE_DIR) + "/data");
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    catalog_ = new Catalog(std::move(c).value());
  }
  static Catalog* catalog_;
};
Catalog* CatalogMetrics::catalog_ = nullptr;

TEST_P(CatalogMetrics, MatchesPublishedValue) {
  const Known& k = GetParam();
  const ChipMetrics* m = catalog_->MetricsOf(k.id);
  ASSERT_NE(m, nullptr) << k.id << " not in the catalog";
  // The fast path used by search loops agrees with the explained one.
  const ChipMetrics fast = ComputeMetrics(*catalog_->Find(k.id), MetricDetail::kValues);
  for (std::size_t i = 0; i < kMetricCount; ++i)
    EXPECT_EQ(fast.metrics[i].value, m->metrics[i].value) << k.id << " metric " << i;
  ASSERT_TRUE(m->tpp()) << k.id;
  EXPECT_NEAR(*m->tpp(), k.tpp, k.tpp_tol) << k.id;
  if (k.pd >= 0) {
    ASSERT_TRUE(m->pd()) << k.id << ": " << (*m)[MetricId::kPd].missing;
    EXPECT_NEAR(*m->pd(), k.pd, k.pd_tol) << k.id;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Issue, CatalogMetrics,
    ::testing::Values(Known{"nvidia-h100-sxm", 15832, 1, 19.45, 0.01},
                      Known{"nvidia-a100-sxm-80gb", 4992, 0.5, 6.04, 0.01},
                      Known{"nvidia-h20", 2368, 0.5, 2.91, 0.01},
                      Known{"nvidia-rtx-4090", 5285, 1, -1, 0},
                      Known{"nvidia-l20", 1912, 0.5, -1, 0}),
    [](const auto& param_info) {
      std::string n = param_info.param.id;
      for (char& ch : n)
        if (ch == '-') ch = '_';
      return n;
    });

}  // namespace
}  // namespace ceiling::catalog

namespace ceiling::catalog {
namespace {

// One definition: the values-only pass (search loops) gives exactly the explained pass's values
// for every catalog chip, and explains nothing.
TEST(Metrics, ValuesOnlyMatchesExplainedForEveryChip) {
  auto cat = Catalog::Load(std::string(CEILING_SOURCE_DIR) + "/data");
  ASSERT_TRUE(cat.ok()) << cat.error().ToString();
  for (const Chip& c : cat->chips()) {
    const ChipMetrics full = ComputeMetrics(c, MetricDetail::kExplain);
    const ChipMetrics values = ComputeMetrics(c, MetricDetail::kValues);
    EXPECT_EQ(full.tpp_precision, values.tpp_precision) << c.id;
    for (std::size_t i = 0; i < kMetricCount; ++i) {
      EXPECT_EQ(full.metrics[i].value, values.metrics[i].value) << c.id << " " << i;
      EXPECT_EQ(full.metrics[i].value.has_value(), full.metrics[i].missing.empty()) << c.id;
      EXPECT_TRUE(values.metrics[i].how.empty() && values.metrics[i].missing.empty()) << c.id;
    }
  }
}

}  // namespace
}  // namespace ceiling::catalog
