// Country groups, membership over time, the set language and country resolution.
#include "ceiling/rules/countries.h"

#include <gtest/gtest.h>

namespace ceiling::rules {
namespace {

const CountryDb& Db() {
  static const CountryDb db = [] {
    auto d = CountryDb::Load(std::string(CEILING_SOURCE_DIR) + "/data/countries");
    if (!d.ok()) {
      ADD_FAILURE() << d.error().ToStringWithCaret();
      std::abort();
    }
    return *d;
  }();
  return db;
}

bool In(const std::string& expr, const std::string& code, Date date) {
  auto s = Db().CompileSet(expr);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().ToStringWithCaret());
  if (!s.ok()) return false;
  return Db().Evaluate(*s, date).test(static_cast<std::size_t>(*Db().Find(code)));
}

std::string SetError(const std::string& expr) {
  auto s = Db().CompileSet(expr);
  return s.ok() ? "compiled" : s.error().ToStringWithCaret();
}

constexpr Date k2024{2024, 6, 1};

TEST(Countries, AllIsoCodesAndGroups) {
  EXPECT_EQ(Db().size(), 249);
  for (const char* g : {"D:1", "D:4", "D:5", "A:5", "A:6", "E:1", "E:2", "AID:1", "AID:2", "AID:3"})
    EXPECT_NE(Db().FindGroup(g), nullptr) << g;
  EXPECT_EQ(Db().FindGroup("D:5")->members.size(), 22u);
  EXPECT_EQ(Db().FindGroup("D:1")->members.size(), 24u);
  EXPECT_EQ(Db().FindGroup("D:4")->members.size(), 21u);
  EXPECT_EQ(Db().FindGroup("A:5")->members.size(), 38u);
}

TEST(Countries, The2023DestinationSet) {
  const std::string set = "(D:1 | D:4 | D:5) - (A:5 | A:6) | MO";
  EXPECT_TRUE(In(set, "CN", k2024));
  EXPECT_TRUE(In(set, "MO", k2024));   // named explicitly; not in D:5
  EXPECT_TRUE(In(set, "VN", k2024));   // D:1 only
  EXPECT_TRUE(In(set, "SA", k2024));   // D:4 only
  EXPECT_FALSE(In(set, "IL", k2024));  // D:4 but A:6
  EXPECT_FALSE(In(set, "AE", k2024));  // A:5
  EXPECT_FALSE(In(set, "US", k2024));
  EXPECT_FALSE(In(set, "FR", k2024));
  EXPECT_TRUE(In(set, "HK", k2024));   // treated as China
  EXPECT_FALSE(In("D:5", "MO", k2024));
}

TEST(Countries, HongKongFollowsChinaFromTheTreatmentDate) {
  EXPECT_TRUE(In("D:5", "HK", Date{2020, 12, 23}));
  EXPECT_FALSE(In("D:5", "HK", Date{2020, 12, 22}));
  EXPECT_TRUE(In("HK", "CN", k2024));  // the same destination once treated as China
  EXPECT_EQ(Db().Canonical(*Db().Find("HK"), k2024), *Db().Find("CN"));
  const auto groups = Db().GroupsOf(*Db().Find("HK"), k2024);
  EXPECT_NE(std::find(groups.begin(), groups.end(), "D:5"), groups.end());
}

TEST(Countries, CambodiaLeavesD5On20260203) {
  EXPECT_TRUE(In("D:5", "KH", Date{2026, 2, 2}));
  EXPECT_FALSE(In("D:5", "KH", Date{2026, 2, 3}));
  EXPECT_FALSE(In("D:5", "KH", Date{2021, 12, 8}));
  EXPECT_TRUE(In("D:5", "KH", Date{2021, 12, 9}));
  EXPECT_TRUE(In("D:1", "KH", Date{2026, 6, 1}));  // stays in D:1
  const auto dates = Db().ChangeDates();
  EXPECT_NE(std::find(dates.begin(), dates.end(), Date{2026, 2, 3}), dates.end());
}

TEST(Countries, AiDiffusionTiers) {
  EXPECT_TRUE(In("AID:1", "FR", k2024));
  EXPECT_TRUE(In("AID:1", "US", k2024));
  EXPECT_TRUE(In("AID:2", "IN", k2024));
  EXPECT_TRUE(In("AID:2", "SG", k2024));
  EXPECT_TRUE(In("AID:3", "CN", k2024));
  EXPECT_TRUE(In("AID:3", "MO", k2024));
  EXPECT_FALSE(In("AID:2", "CN", k2024));
  EXPECT_FALSE(In("AID:2", "FR", k2024));
}

TEST(Countries, OperatorsAndPrecedence) {
  // '|' and '-' are left-associative at one level; '&' binds tighter.
  EXPECT_TRUE(In("D:5 - D:1 | MO", "MO", k2024));     // (D:5 - D:1) | MO, not D:5 - (D:1 | MO)
  EXPECT_FALSE(In("D:1 | D:4 - A:6", "IL", k2024));   // (D:1 | D:4) - A:6
  EXPECT_TRUE(In("D:1 | (D:4 - A:6)", "VN", k2024));
  EXPECT_TRUE(In("D:4 & D:5 | MO", "MO", k2024));      // (D:4 & D:5) | MO
  EXPECT_FALSE(In("D:4 & (D:5 | MO) - MO", "MO", k2024));
  EXPECT_TRUE(In("ALL - US", "SG", k2024));
  EXPECT_FALSE(In("ALL - US", "US", k2024));
  EXPECT_TRUE(In("  CN  ", "CN", k2024));
}

TEST(Countries, SetErrorsPointAtTheColumn) {
  EXPECT_EQ(SetError("D:1 | D:6"),
            "unknown group \"D:6\" (did you mean \"D:1\"?)\n  D:1 | D:6\n        ^");
  EXPECT_EQ(SetError("D:5 | mo"), "country codes are upper case: write MO\n  D:5 | mo\n        ^");
  EXPECT_EQ(SetError("(D:1 | D:4"), "unclosed '('\n  (D:1 | D:4\n  ^");
  EXPECT_EQ(SetError("D:1 | D:4)"), "unbalanced ')'\n  D:1 | D:4)\n           ^");
  EXPECT_EQ(SetError("D:1 D:4"),
            "expected '|', '&', '-' or ')', got 'D' (missing an operator?)\n  D:1 D:4\n      ^");
  EXPECT_EQ(SetError("D:1 + D:4"),
            "'+' is not a set operator: use '|' (union), '&' (intersection) or '-' (difference)\n"
            "  D:1 + D:4\n      ^");
  EXPECT_EQ(SetError("D:1 |"), "expected a group or country code at the end\n  D:1 |\n       ^");
  EXPECT_EQ(SetError(""), "empty set expression");
  EXPECT_EQ(SetError("D:5 | QQ"),
            "unknown country code \"QQ\"; did you mean QA (Qatar)?\n  D:5 | QQ\n        ^");
  EXPECT_EQ(SetError("D:5 | XX"),
            "unknown country code \"XX\" (expected an ISO 3166-1 alpha-2 code such as CN, SG, "
            "IL)\n  D:5 | XX\n        ^");
}

TEST(Countries, ResolveSuggestsCodesAndNames) {
  EXPECT_EQ(*Db().Resolve("CN"), *Db().Find("CN"));
  auto r = Db().Resolve("China");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unknown country code \"China\"; did you mean CN (China)?");
  r = Db().Resolve("cn");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("unknown country code \"cn\"; did you mean CN (China)", 0), 0u)
      << r.error().message;
  r = Db().Resolve("Singapur");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("SG (Singapore)"), std::string::npos) << r.error().message;
  r = Db().Resolve("ZZ");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace ceiling::rules
