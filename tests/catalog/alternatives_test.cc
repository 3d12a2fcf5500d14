// Disputed figures: scenarios group alternatives by label, substitute their values and sources,
// and every metric follows; the checker looks inside each scenario too.
#include "ceiling/catalog/alternatives.h"

#include <gtest/gtest.h>

#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/catalog/check.h"
#include "ceiling/catalog/metrics.h"
#include "ceiling/catalog/writer.h"

namespace ceiling::catalog {
namespace {

// Two figures disputed by the same report (label "press"), one by a blog, and a die count.
constexpr const char* kChip = R"(
id = "acme-x1"
name = "Acme X1"
vendor = "acme"
family = "x"
market = "datacenter"
form_factor = "oam"

[[dies]]
name = "X1"
kind = "logic"
process = "N5"
non_planar = true
count = { value = 2, source = "ds", alternatives = [{ value = 1, source = "blog", note = "one die" }] }
area = { value = "400 mm^2", source = "ds" }

[throughput]
bf16 = { value = "300 TFLOP/s", source = "ds", alternatives = [{ value = "280 TFLOP/s", source = "press", label = "press" }] }
fp8 = { value = "600 TFLOP/s", sparse = "1200 TFLOP/s", source = "ds", alternatives = [{ value = "560 TFLOP/s", source = ["press", "ds"], label = "press" }] }

[memory]
type = "HBM3"
bandwidth = { value = "3 TB/s", source = "ds" }

[sources.ds]
title = "Acme X1 datasheet"
url = "https://example.com/x1"
kind = "primary"
read = 2026-11-29

[sources.press]
title = "Launch report"
url = "https://example.com/press"
kind = "secondary"
read = 2026-11-29

[sources.blog]
title = "Teardown blog"
url = "https://example.com/blog"
kind = "secondary"
read = 2026-11-29
)";

Chip Parse(const char* text) {
  auto doc = TomlTable::ParseString(text, "x1.toml");
  EXPECT_TRUE(doc.ok()) << doc.error().ToString();
  auto chip = ParseChip(*doc);
  EXPECT_TRUE(chip.ok()) << chip.error().ToString();
  return *chip;
}

TEST(Alternatives, GroupsByLabelInFileOrder) {
  const Chip c = Parse(kChip);
  ASSERT_TRUE(HasAlternatives(c));
  const std::vector<Scenario> s = AlternativeScenarios(c);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].label, "blog");  // the die count comes first in file order
  EXPECT_EQ(s[1].label, "press");
  ASSERT_EQ(s[1].changes.size(), 2u);
  EXPECT_EQ(s[1].changes[0].figure, "throughput.bf16");
  EXPECT_EQ(s[1].changes[0].recorded, "300 TFLOP/s");
  EXPECT_EQ(s[1].changes[0].alternative, "280 TFLOP/s");
  EXPECT_EQ(s[1].changes[1].figure, "throughput.fp8");
  EXPECT_EQ(s[1].sources, (std::vector<std::string>{"press", "ds"}));
  EXPECT_EQ(s[0].changes[0].figure, "dies[X1].count");
  EXPECT_EQ(s[0].changes[0].note, "one die");
}

TEST(Alternatives, ScenarioChipCarriesTheValuesAndMetricsFollow) {
  const Chip c = Parse(kChip);
  const std::vector<Scenario> s = AlternativeScenarios(c);
  // Record: TPP 600 x 8 = 4800 on 2 x 400 mm^2 -> PD 6.
  const ChipMetrics base = ComputeMetrics(c);
  EXPECT_DOUBLE_EQ(*base.tpp(), 4800);
  EXPECT_DOUBLE_EQ(*base.pd(), 6);
  // "blog": one die -> PD 12, TPP unchanged.
  const ChipMetrics blog = ComputeMetrics(s[0].chip);
  EXPECT_DOUBLE_EQ(*blog.tpp(), 4800);
  EXPECT_DOUBLE_EQ(*blog.pd(), 12);
  EXPECT_EQ(s[0].chip.dies[0].count, 1);
  // "press": fp8 560 -> TPP 4480, cited by the press sources; the sparse rate is dropped.
  const ChipMetrics press = ComputeMetrics(s[1].chip);
  EXPECT_DOUBLE_EQ(*press.tpp(), 4480);
  const auto& fp8 = s[1].chip.Rate(Precision::kFp8);
  EXPECT_EQ(fp8->sources, (std::vector<std::string>{"press", "ds"}));
  EXPECT_FALSE(fp8->sparse.has_value());
  EXPECT_FALSE(HasAlternatives(s[1].chip));
  // The record itself is untouched.
  EXPECT_EQ(c.dies[0].count, 2);
  EXPECT_TRUE(c.Rate(Precision::kFp8)->sparse.has_value());
}

TEST(Alternatives, UnlabelledAlternativesAreNamedByTheirSources) {
  const Chip c = Parse(kChip);
  EXPECT_EQ(c.dies[0].count_figure->alternatives[0].label, "blog");
}

TEST(Alternatives, ChipsWithoutAlternativesHaveNoScenarios) {
  auto cat = Catalog::Load(std::string(CEILING_SOURCE_DIR) + "/data");
  ASSERT_TRUE(cat.ok()) << cat.error().ToString();
  const Chip* h100 = cat->Find("nvidia-h100-sxm");
  ASSERT_NE(h100, nullptr);
  EXPECT_FALSE(HasAlternatives(*h100));
  EXPECT_TRUE(AlternativeScenarios(*h100).empty());
}

TEST(Alternatives, WriterRoundTripsAlternativesAndDieCountFigures) {
  const Chip c = Parse(kChip);
  const std::string text = ChipToToml(c);
  auto doc = TomlTable::ParseString(text, "x1.toml");
  ASSERT_TRUE(doc.ok()) << doc.error().ToString() << "\n" << text;
  auto back = ParseChip(*doc);
  ASSERT_TRUE(back.ok()) << back.error().ToString() << "\n" << text;
  ASSERT_EQ(AlternativeScenarios(*back).size(), 2u);
  EXPECT_EQ(ChipToToml(*back), text);
}

TEST(Alternatives, CheckerFindsPrecisionOrderBrokenByAnAlternative) {
  std::string text = kChip;
  // Make fp8 under "press" (250) slower than bf16 under "press" (280).
  text.replace(text.find("\"560 TFLOP/s\""), 13, "\"250 TFLOP/s\"");
  const Chip c = Parse(text.c_str());
  const std::vector<Finding> f = CheckConsistency({c});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("under \"press\": throughput.fp8 (250 TFLOP/s) is below "
                              "throughput.bf16 (280 TFLOP/s)"),
            std::string::npos)
      << f[0].message;
}

TEST(Alternatives, AlternativeSourcesCountAsUsed) {
  // "blog" is cited only by an alternative: no "defined but no figure cites it" finding.
  const Chip c = Parse(kChip);
  EXPECT_TRUE(CheckConsistency({c}).empty());
}

}  // namespace
}  // namespace ceiling::catalog
