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
  // The 2026-07-23 snapshot: undated members plus those with dated records in it.
  auto in_snapshot = [](const char* g) {
    const auto gi = static_cast<std::size_t>(Db().FindGroup(g) - Db().groups().data());
    return Db().GroupMembers(gi, Date{2026, 7, 23}).count();
  };
  EXPECT_EQ(in_snapshot("D:5"), 22u);  // the eCFR table of 2026-07-23 lists 22, 24, 21, 38, 8
  EXPECT_EQ(in_snapshot("D:1"), 24u);
  EXPECT_EQ(in_snapshot("D:4"), 21u);
  EXPECT_EQ(in_snapshot("A:5"), 38u);
  EXPECT_EQ(in_snapshot("A:6"), 8u);
}

TEST(Countries, The2023DestinationSet) {
  const std::string set = "(D:1 | D:4 | D:5) - (A:5 | A:6) | MO";
  EXPECT_TRUE(In(set, "CN", k2024));
  EXPECT_TRUE(In(set, "MO", k2024));   // named explicitly; not in D:5
  EXPECT_TRUE(In(set, "VN", k2024));   // D:1 only
  EXPECT_TRUE(In(set, "SA", k2024));   // D:4 only
  EXPECT_FALSE(In(set, "IL", k2024));  // D:4 but A:6
  EXPECT_TRUE(In(set, "AE", k2024));   // D:4 in 2024; A:5 only from the 2026-07-23 snapshot
  EXPECT_FALSE(In(set, "AE", Date{2026, 7, 23}));
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

// Every dated change in the bundled data: membership flips exactly at its bounds (the day before
// the other state), and undated bounds report the days between the last evidence and the
// snapshot as assumed. A change added to the data is tested without writing a new test.
TEST(Countries, EveryDatedChangeFlipsAtItsBounds) {
  int checked = 0;
  for (std::size_t g = 0; g < Db().groups().size(); ++g) {
    const CountryGroup& group = Db().groups()[g];
    for (const Membership& m : group.changes) {
      SCOPED_TRACE(group.id + " " + Db().country(m.country).code);
      if (m.added) {
        EXPECT_TRUE(Db().MembershipOf(g, m.country, *m.added).member);
        EXPECT_FALSE(Db().MembershipOf(g, m.country, m.added->AddDays(-1)).member);
        EXPECT_EQ(Db().MembershipOf(g, m.country, *m.added).change, &m);
        EXPECT_EQ(Db().MembershipOf(g, m.country, m.added->AddDays(-1)).assumed, m.added_undated);
        EXPECT_FALSE(Db().MembershipOf(g, m.country, *m.added).assumed && !m.removed);
        if (m.added_after) {
          EXPECT_TRUE(Db().MembershipOf(g, m.country, *m.added_after).assumed);
          EXPECT_FALSE(Db().MembershipOf(g, m.country, m.added_after->AddDays(-1)).assumed);
        }
        ++checked;
      }
      if (m.removed) {
        EXPECT_FALSE(Db().MembershipOf(g, m.country, *m.removed).member);
        EXPECT_TRUE(Db().MembershipOf(g, m.country, m.removed->AddDays(-1)).member);
        EXPECT_EQ(Db().MembershipOf(g, m.country, m.removed->AddDays(-1)).assumed,
                  m.removed_undated);
        EXPECT_FALSE(Db().MembershipOf(g, m.country, *m.removed).assumed);
        if (m.removed_after) {
          EXPECT_TRUE(Db().MembershipOf(g, m.country, *m.removed_after).assumed);
          EXPECT_FALSE(Db().MembershipOf(g, m.country, m.removed_after->AddDays(-1)).assumed);
        }
        ++checked;
      }
      const auto dates = Db().ChangeDates();
      for (const auto& d : {m.added, m.removed, m.added_after, m.removed_after})
        if (d) {
          EXPECT_NE(std::find(dates.begin(), dates.end(), *d), dates.end());
        }
    }
  }
  EXPECT_GE(checked, 8);  // NI (D:1, D:5), KH (D:5 in, out), AE (D:4, A:5), CY and MX (A:6)
}

TEST(Countries, UaeInD4UntilThe2026SnapshotThenA5) {
  const auto d4 = static_cast<std::size_t>(Db().FindGroup("D:4") - Db().groups().data());
  const auto a5 = static_cast<std::size_t>(Db().FindGroup("A:5") - Db().groups().data());
  const int ae = *Db().Find("AE");
  // Under the October 2023 rule: in D:4, not in A:5, and known (no assumption).
  EXPECT_TRUE(In("D:4", "AE", Date{2023, 11, 17}));
  EXPECT_FALSE(In("A:5", "AE", Date{2023, 11, 17}));
  EXPECT_FALSE(Db().MembershipOf(d4, ae, Date{2024, 6, 1}).assumed);
  // Between the last evidence (2025-11-19) and the snapshot: the earlier state, assumed.
  EXPECT_TRUE(Db().MembershipOf(d4, ae, Date{2026, 3, 1}).member);
  EXPECT_TRUE(Db().MembershipOf(d4, ae, Date{2026, 3, 1}).assumed);
  EXPECT_FALSE(Db().MembershipOf(a5, ae, Date{2026, 3, 1}).member);
  EXPECT_TRUE(Db().MembershipOf(a5, ae, Date{2026, 3, 1}).assumed);
  EXPECT_EQ(Db().UncertainMemberships(ae, Date{2026, 3, 1}).size(), 2u);
  EXPECT_TRUE(Db().UncertainMemberships(ae, Date{2025, 11, 18}).empty());
  // From the snapshot on: A:5, not D:4.
  EXPECT_TRUE(In("A:5", "AE", Date{2026, 7, 23}));
  EXPECT_FALSE(In("D:4", "AE", Date{2026, 7, 23}));
  EXPECT_TRUE(Db().UncertainMemberships(ae, Date{2026, 7, 23}).empty());
}

TEST(Countries, NicaraguaJoinsD1AndD5On20240315) {
  EXPECT_FALSE(In("D:1", "NI", Date{2024, 3, 14}));
  EXPECT_FALSE(In("D:5", "NI", Date{2024, 3, 14}));
  EXPECT_TRUE(In("D:1", "NI", Date{2024, 3, 15}));
  EXPECT_TRUE(In("D:5", "NI", Date{2024, 3, 15}));
  EXPECT_FALSE(In("(D:1 | D:4 | D:5) - (A:5 | A:6) | MO", "NI", Date{2023, 11, 17}));
  EXPECT_TRUE(In("AID:3", "NI", Date{2025, 1, 15}));  // tier 3 follows D:5
}

TEST(Countries, CyprusAndMexicoJoinA6On20201228) {
  EXPECT_TRUE(In("A:6", "CY", Date{2020, 12, 28}));
  EXPECT_FALSE(In("A:6", "CY", Date{2020, 12, 27}));
  EXPECT_TRUE(In("A:6", "MX", Date{2020, 12, 28}));
  EXPECT_FALSE(In("A:6", "MX", Date{2020, 12, 27}));
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
