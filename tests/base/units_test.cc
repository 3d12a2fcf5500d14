#include "ceiling/base/units.h"

#include <gtest/gtest.h>

namespace ceiling {
namespace {

struct UnitCase {
  const char* text;
  double base;
  DimVector dim;
};

class ParseQuantityTest : public ::testing::TestWithParam<UnitCase> {};

TEST_P(ParseQuantityTest, ParsesToSiBase) {
  const UnitCase& c = GetParam();
  auto q = ParseQuantity(c.text);
  ASSERT_TRUE(q.ok()) << c.text << ": " << q.error().message;
  EXPECT_NEAR(q->base, c.base, std::abs(c.base) * 1e-12) << c.text;
  EXPECT_EQ(q->dim, c.dim) << c.text;
}

constexpr DimVector kBw{1, -1, 0, 0, 0};
constexpr DimVector kB{1, 0, 0, 0, 0};
constexpr DimVector kRate{0, -1, 1, 0, 0};
constexpr DimVector kArea{0, 0, 0, 0, 2};

INSTANTIATE_TEST_SUITE_P(
    Units, ParseQuantityTest,
    ::testing::Values(UnitCase{"3.35 TB/s", 3.35e12, kBw}, UnitCase{"80 GB", 80e9, kB},
                      UnitCase{"96 GiB", 96.0 * 1073741824.0, kB},
                      UnitCase{"814 mm^2", 814e-6, kArea},
                      UnitCase{"989.4 TFLOP/s", 989.4e12, kRate},
                      UnitCase{"1979 TOP/s", 1979e12, kRate},
                      UnitCase{"400 W", 400, DimVector{0, 0, 0, 1, 0}},
                      UnitCase{"900 GB/s", 900e9, kBw},
                      UnitCase{"1.98 GHz", 1.98e9, DimVector{0, -1, 0, 0, 0}},
                      UnitCase{"400 Gb/s", 50e9, kBw}, UnitCase{"624 TOPS", 624e12, kRate},
                      UnitCase{"1.2 PFLOPS", 1.2e15, kRate}, UnitCase{"20 ms", 0.02,
                                                                       DimVector{0, 1, 0, 0, 0}},
                      UnitCase{"3 us", 3e-6, DimVector{0, 1, 0, 0, 0}},
                      UnitCase{"1.5 h", 5400, DimVector{0, 1, 0, 0, 0}},
                      UnitCase{"2 min", 120, DimVector{0, 1, 0, 0, 0}},
                      UnitCase{"3.1e23 FLOP", 3.1e23, DimVector{0, 0, 1, 0, 0}},
                      UnitCase{"64 GiB/s", 64.0 * 1073741824.0, kBw},
                      UnitCase{"1755MHz", 1755e6, DimVector{0, -1, 0, 0, 0}},
                      UnitCase{"8.1 cm^2", 8.1e-4, kArea}, UnitCase{"3 EB", 3e18, kB},
                      UnitCase{"1.2 kW", 1200, DimVector{0, 0, 0, 1, 0}},
                      UnitCase{"2 GB/s/mm^2", 2e9 / 1e-6, DimVector{1, -1, 0, 0, -2}}),
    [](const auto& param_info) {
      std::string n = param_info.param.text;
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

struct BadCase {
  const char* text;
  const char* message;
};
class BadQuantityTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadQuantityTest, ExplainsTheProblem) {
  auto q = ParseQuantity(GetParam().text);
  ASSERT_FALSE(q.ok()) << GetParam().text;
  EXPECT_EQ(q.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Units, BadQuantityTest,
    ::testing::Values(BadCase{"", "empty quantity"},
                      BadCase{"4.0", "missing unit in \"4.0\""},
                      BadCase{"TB/s", "expected a number at the start of \"TB/s\""},
                      BadCase{"3.35 TB/sec", "unknown unit \"TB/sec\" in \"3.35 TB/sec\""},
                      BadCase{"3.35 furlongs", "unknown unit \"furlongs\" in \"3.35 furlongs\""},
                      BadCase{"1,979 TOP/s", "thousands separators are not allowed in \"1,979 TOP/s\""},
                      BadCase{"5 KiW", "unknown unit \"KiW\" in \"5 KiW\""},
                      BadCase{"5 GB//s", "unknown unit \"GB//s\" in \"5 GB//s\""},
                      BadCase{"5 mm^", "unknown unit \"mm^\" in \"5 mm^\""}),
    [](const auto& param_info) { return "case" + std::to_string(param_info.index); });

TEST(ParseQuantityAs, RejectsWrongDimension) {
  auto q = ParseQuantityAs<BytesPerSecond>("80 GB");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().message,
            "expected a bandwidth such as \"3.35 TB/s\", got a data size");
  auto ok = ParseQuantityAs<BytesPerSecond>("3.35 TB/s");
  ASSERT_TRUE(ok.ok());
  EXPECT_DOUBLE_EQ(ok->In(1e12), 3.35);
}

TEST(Quantity, DimensionsCompose) {
  const Bytes weights = Bytes::FromGiga(140);
  const BytesPerSecond bw = BytesPerSecond::FromTera(3.5);
  const Seconds t = weights / bw;
  EXPECT_NEAR(MillisecondsOf(t), 40.0, 1e-9);
  const OpsPerSecond rate = OpsPerSecond::FromTera(1000);
  const Ops work = rate * Seconds::FromBase(2);
  EXPECT_DOUBLE_EQ(work.In(1e12), 2000);
  EXPECT_DOUBLE_EQ(bw / BytesPerSecond::FromTera(1.75), 2.0);
}

TEST(FormatQuantity, PicksReadablePrefixes) {
  EXPECT_EQ(FormatQuantity(BytesPerSecond::FromTera(3.35)), "3.35 TB/s");
  EXPECT_EQ(FormatQuantity(BytesPerSecond::FromGiga(900)), "900 GB/s");
  EXPECT_EQ(FormatQuantity(Bytes::FromGiga(80)), "80 GB");
  EXPECT_EQ(FormatQuantity(OpsPerSecond::FromTera(989.4)), "989.4 TFLOP/s");
  EXPECT_EQ(FormatQuantity(FromSquareMillimetres(814)), "814 mm^2");
  EXPECT_EQ(FormatQuantity(Watts::FromBase(700)), "700 W");
  EXPECT_EQ(FormatQuantity(Seconds::FromBase(0.0123)), "12.3 ms");
  EXPECT_EQ(FormatQuantity(Hertz::FromGiga(1.98)), "1.98 GHz");
}

TEST(FormatNumber, SignificantDigits) {
  EXPECT_EQ(FormatNumber(15831.2, 4), "15830");
  EXPECT_EQ(FormatNumber(15831.2, 6), "15831.2");
  EXPECT_EQ(FormatNumber(2.9091, 3), "2.91");
  EXPECT_EQ(FormatNumber(0.0), "0");
  EXPECT_EQ(FormatFixed(15831.2, 0), "15,831");
  EXPECT_EQ(FormatFixed(-1234.5, 1), "-1,234.5");
  EXPECT_EQ(FormatFixed(999, 0), "999");
}

// A metric just under an "or more" threshold must not print as the threshold.
TEST(FormatDown, NeverRoundsUpToAThreshold) {
  EXPECT_EQ(FormatDown(4799.708), "4,799");
  EXPECT_EQ(FormatDown(4800.0), "4,800");
  EXPECT_EQ(FormatDown(5.918, 2), "5.91");
  EXPECT_EQ(FormatDown(5.92, 2), "5.92") << "binary 5.9199999... is still 5.92";
  EXPECT_EQ(FormatDown(0.1 + 0.2, 1), "0.3");
  EXPECT_EQ(FormatDown(1600.0 - 1e-9), "1,600") << "a millionth of a unit is float noise";
  EXPECT_EQ(FormatDown(0.0), "0");
}

}  // namespace
}  // namespace ceiling
