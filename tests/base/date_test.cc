#include "ceiling/base/date.h"

#include <gtest/gtest.h>

namespace ceiling {
namespace {

TEST(Date, ParsesAndOrders) {
  auto d = ParseDate("2023-11-17");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ToString(), "2023-11-17");
  EXPECT_LT(*d, (Date{2024, 4, 4}));
  EXPECT_EQ(d->AddDays(14).ToString(), "2023-12-01");
  EXPECT_EQ((Date{2024, 2, 28}).AddDays(1).ToString(), "2024-02-29");
  EXPECT_EQ((Date{1970, 1, 1}).DaysSinceEpoch(), 0);
  EXPECT_EQ(Date::FromDaysSinceEpoch((Date{2026, 1, 15}).DaysSinceEpoch()).ToString(),
            "2026-01-15");
}

TEST(Date, RejectsMalformed) {
  for (const char* bad : {"2023-1-17", "2023/11/17", "", "20231117", "2023-11-1x"}) {
    auto d = ParseDate(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.error().message, std::string("expected a date as YYYY-MM-DD, got \"") + bad + "\"");
  }
  auto feb = ParseDate("2023-02-29");
  ASSERT_FALSE(feb.ok());
  EXPECT_EQ(feb.error().message, "no such date: \"2023-02-29\"");
  EXPECT_TRUE(ParseDate("2024-02-29").ok());
}

}  // namespace
}  // namespace ceiling
