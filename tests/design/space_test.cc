#include "ceiling/design/space.h"

#include <gtest/gtest.h>

#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/catalog/writer.h"
#include "ceiling/design/search.h"
#include "ceiling/rules/rule.h"

namespace ceiling::design {
namespace {

using catalog::Catalog;
using catalog::MetricId;

const std::string kData = std::string(CEILING_SOURCE_DIR) + "/data";

class DesignTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = Catalog::Load(kData);
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    cat_ = new Catalog(std::move(c).value());
  }
  static Catalog* cat_;
};
Catalog* DesignTest::cat_ = nullptr;

TEST_F(DesignTest, BundledSpacesLoadAndCoverTheirProducts) {
  auto spaces = LoadDesignSpaces(kData, *cat_);
  ASSERT_TRUE(spaces.ok()) << spaces.error().ToString();
  ASSERT_GE(spaces->size(), 3u);
  for (const DesignSpace& s : *spaces) {
    EXPECT_GT(s.size(), 0u) << s.id;
    EXPECT_FALSE(s.products.empty()) << s.id;
  }
}

TEST_F(DesignTest, DerivativeOfGh100ReproducesTheH20Metrics) {
  auto s = LoadDesignSpace(kData + "/designs/gh100.toml", *cat_);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  // 78 SMs with a quarter of the tensor rate and the H20's memory: the H20's TPP region.
  DesignPoint p;
  p.units = static_cast<int>(std::find(s->units.begin(), s->units.end(), 78.0) - s->units.begin());
  p.tensor_rate = 24;  // 0.25
  ASSERT_NEAR(s->tensor_rate[24], 0.25, 1e-12);
  p.memory = 2;
  ASSERT_EQ(s->memory[2].from, "nvidia-h20");
  p.links = 18;
  const catalog::Chip chip = s->Build(p);
  const auto m = catalog::ComputeMetrics(chip);
  EXPECT_NEAR(*m.tpp(), 15831.2 * 78 / 132 * 0.25, 0.01);
  EXPECT_NEAR(*m.pd(), *m.tpp() / 814, 1e-9);  // the die area stays the GH100's
  EXPECT_DOUBLE_EQ(*m.value(MetricId::kDramBandwidth), 4000);
  EXPECT_DOUBLE_EQ(*m.value(MetricId::kScaleUp), 900);
  EXPECT_EQ(chip.derived_from, "nvidia-h100-sxm");

  // The derivative is an ordinary chip file: it loads back with the same metrics.
  const std::string text = catalog::ChipToToml(chip);
  auto doc = TomlTable::ParseString(text, "design.toml");
  ASSERT_TRUE(doc.ok()) << doc.error().ToString();
  auto back = catalog::ParseChip(*doc);
  ASSERT_TRUE(back.ok()) << back.error().ToString() << "\n" << text;
  EXPECT_NEAR(*catalog::ComputeMetrics(*back).tpp(), *m.tpp(), 1e-6);
}

TEST_F(DesignTest, DefaultSpaceForAnyChipWithFigures) {
  int built = 0;
  for (const catalog::Chip& c : cat_->chips()) {
    auto s = DefaultDesignSpace(c, *cat_);
    if (!s.ok()) continue;
    ++built;
    const catalog::Chip top = s->Build(s->PointAt(s->size() - 1));
    const auto m = catalog::ComputeMetrics(top);
    const auto base = catalog::ComputeMetrics(c);
    ASSERT_TRUE(m.tpp() && base.tpp()) << c.id;
    // All knobs at their maximum reproduce the base chip's TPP.
    EXPECT_NEAR(*m.tpp(), *base.tpp(), *base.tpp() * 1e-9) << c.id;
  }
  EXPECT_GE(built, 30);
}

class Toy : public Evaluator {
 public:
  explicit Toy(double limit) : limit_(limit) { clause_.full_id = "tpp-limit"; }
  bool Feasible(const catalog::Chip&, const catalog::ChipMetrics& m,
                Binding* binding) const override {
    if (*m.tpp() >= limit_) {
      *binding = Binding::Of(&clause_);
      return false;
    }
    return true;
  }
  const rules::Clause* clause() const { return &clause_; }
  int objective_count() const override { return 2; }
  void Objectives(const catalog::Chip&, const catalog::ChipMetrics& m, double* out) const override {
    out[0] = *m.tpp();
    out[1] = *m.value(MetricId::kDramBandwidth);
  }

 private:
  double limit_;
  rules::Clause clause_;
};

TEST_F(DesignTest, ExhaustiveAndMonotoneAgree) {
  auto s = LoadDesignSpace(kData + "/designs/ga100.toml", *cat_);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  Toy toy(4800);
  SearchOptions ex;
  ex.strategy = Strategy::kExhaustive;
  ex.threads = 2;
  SearchOptions mono;
  mono.strategy = Strategy::kMonotone;
  mono.threads = 1;
  const SearchResult a = Search(*s, toy, ex);
  const SearchResult b = Search(*s, toy, mono);
  ASSERT_TRUE(a.best && b.best);
  EXPECT_DOUBLE_EQ(a.best->objectives[0], b.best->objectives[0]);
  EXPECT_LT(a.best->objectives[0], 4800);
  EXPECT_GT(a.best->objectives[0], 4800 * 0.99);
  EXPECT_EQ(b.best->next_binding, Binding::Of(toy.clause()));
  EXPECT_EQ(b.best->next_binding.Name(), "tpp-limit");
  EXPECT_EQ(b.best->next_knob, Knob::kCompute);
  EXPECT_LT(b.evaluated, a.evaluated / 10);
  EXPECT_EQ(a.evaluated, s->size());
  // Two objectives (TPP, memory bandwidth): the best TPP is the same with every memory
  // configuration, so the design with the most bandwidth dominates the others and the front is
  // that one design (the front once kept a dominated design that shared the best TPP).
  ASSERT_EQ(a.front.size(), 1u);
  EXPECT_DOUBLE_EQ(a.front[0].objectives[1], s->memory.back().bandwidth.base() / 1e9);  // GB/s
}

TEST_F(DesignTest, InfeasibleSearchSaysWhichClauseBinds) {
  auto s = LoadDesignSpace(kData + "/designs/ga100.toml", *cat_);
  ASSERT_TRUE(s.ok());
  Toy toy(1);
  const SearchResult r = Search(*s, toy, {});
  EXPECT_FALSE(r.feasible());
  EXPECT_EQ(r.MostBinding(), Binding::Of(toy.clause()));
  EXPECT_EQ(r.binding_counts.at(Binding::Of(toy.clause())), r.evaluated);
  EXPECT_TRUE(r.front.empty());
}

TEST_F(DesignTest, BudgetIsReportedAndDeterministic) {
  auto s = LoadDesignSpace(kData + "/designs/gh100.toml", *cat_);
  ASSERT_TRUE(s.ok());
  Toy toy(2400);
  SearchOptions opt;
  opt.budget = 200;
  opt.threads = 2;
  const SearchResult a = Search(*s, toy, opt);
  opt.threads = 1;
  const SearchResult b = Search(*s, toy, opt);
  EXPECT_TRUE(a.budget_exhausted);
  ASSERT_TRUE(a.best && b.best);
  EXPECT_EQ(a.best->index, b.best->index);
  EXPECT_EQ(a.evaluated, b.evaluated);
}

}  // namespace
}  // namespace ceiling::design
