// Metamorphic tests of the rules: relations between classifications that must hold whatever the
// rule data says, checked over every bundled chip, rule version and date.
//
// 1. Within one rule version, raising TPP (PD held) or PD (TPP held) never gives a less
//    controlled outcome: `controlled` and `license_required` never move down the order
//    false < unknown < true.
// 2. Moving a destination into a stricter group (D:5, or D:1 / D:4) never removes a license
//    requirement.
// 3. An identity what-if (RuleBook::WithParameter of a parameter to its own text) changes
//    nothing at all.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bundled.h"
#include "ceiling/catalog/metrics.h"
#include "ceiling/rules/classify.h"
#include "ceiling/rules/facts.h"
#include "ceiling/rules/rule.h"

namespace ceiling::hostile {
namespace {

namespace fs = std::filesystem;
using rules::Tri;

int Rank(Tri t) { return t == Tri::kFalse ? 0 : t == Tri::kUnknown ? 1 : 2; }

std::vector<rules::ChipFacts> AllFacts() {
  std::vector<rules::ChipFacts> out;
  for (const catalog::Chip& c : Data().chips.chips())
    out.push_back(rules::FactsOf(c, catalog::ComputeMetrics(c)));
  return out;
}

// Dates on which each rule version is in force in some view: its effective date, compliance
// date and every later change date while it applies.
std::vector<std::pair<Date, rules::View>> RuleDates(const rules::RuleBook& book) {
  std::vector<std::pair<Date, rules::View>> out;
  for (const Date d : book.change_dates())
    for (rules::View v : {rules::View::kEnforced, rules::View::kText}) out.push_back({d, v});
  return out;
}

// Every TPP (or PD) threshold of the bundled rules, and a little either side.
std::vector<double> Sweep(rules::Var var, double own) {
  std::vector<double> v = {own * 0.25, own * 0.5, own, own * 2, own * 4, 0.1, 1e6};
  for (const rules::ParameterInfo& p : Data().book.Parameters()) {
    if (!(p.parameter->dim == DimVector{})) continue;
    const bool tpp_like = p.parameter->name.find("tpp") != std::string::npos;
    if (tpp_like != (var == rules::Var::kTpp)) continue;
    for (double k : {0.99, 1.0, 1.01}) v.push_back(p.value * k);
  }
  std::sort(v.begin(), v.end());
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !(x > 0); }), v.end());
  return v;
}

TEST(Metamorphic, RaisingTppOrPdNeverLowersControl) {
  const rules::RuleBook& book = Data().book;
  const std::vector<rules::ChipFacts> facts = AllFacts();
  int checked = 0;
  for (const char* dest : {"CN", "RU", "AE", "IN", "DE"}) {
    for (const auto& [date, view] : RuleDates(book)) {
      auto q = rules::MakeQuery(book, date, dest, "", view);
      ASSERT_TRUE(q.ok());
      q->trace = false;
      for (const rules::ChipFacts& base : facts) {
        for (rules::Var var : {rules::Var::kTpp, rules::Var::kPd}) {
          const double own = base.Known(var) ? base.number(var) : 1000;
          int last_c = -1, last_l = -1;
          double last_v = 0;
          for (double v : Sweep(var, own)) {
            rules::ChipFacts f = base;
            f.Set(var, v);
            if (!f.Known(var == rules::Var::kTpp ? rules::Var::kPd : rules::Var::kTpp))
              f.Set(var == rules::Var::kTpp ? rules::Var::kPd : rules::Var::kTpp, 1);
            const rules::Classification c = rules::Classify(book, f, *q);
            const int rc = Rank(c.controlled.tri), rl = Rank(c.license_required.tri);
            EXPECT_GE(rc, last_c) << rules::VarName(var) << " " << last_v << " -> " << v << " on "
                                  << date.ToString() << " to " << dest << ": less controlled";
            EXPECT_GE(rl, last_l) << rules::VarName(var) << " " << last_v << " -> " << v << " on "
                                  << date.ToString() << " to " << dest << ": license removed";
            last_c = rc, last_l = rl, last_v = v;
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 10'000);
}

// data/countries copied with `code` added to the members of the group file `group_file`.
fs::path CountriesWith(const std::string& group_file, const std::string& code) {
  const fs::path dir = fs::path(::testing::TempDir()) /
                       ("ceiling-meta-" + std::to_string(::getpid()) + "-" + group_file + code);
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(DataDir() / "countries", dir);
  const fs::path f = dir / group_file;
  std::ifstream in(f);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const auto at = text.find("members = [");
  if (at == std::string::npos) return {};
  text.insert(at + 11, "\"" + code + "\", ");
  std::ofstream(f) << text;
  return dir;
}

TEST(Metamorphic, AStricterGroupNeverRemovesALicense) {
  const std::vector<rules::ChipFacts> facts = AllFacts();
  const rules::RuleBook& base = Data().book;
  int checked = 0, added = 0;
  for (const std::string group : {"d5.toml", "d4.toml", "d1.toml"}) {
    for (const std::string code : {"AE", "IN", "SG", "MY", "BR", "IL", "VN", "SA", "DE", "TW"}) {
      const fs::path dir = CountriesWith(group, code);
      ASSERT_FALSE(dir.empty()) << group;
      auto db = rules::CountryDb::Load(dir);
      if (!db.ok()) {
        // Already a member (listed twice) or a dated member: nothing to move.
        fs::remove_all(dir);
        continue;
      }
      ++added;
      std::vector<rules::RuleVersion> rules;
      for (const auto& e : fs::directory_iterator(DataDir() / "rules")) {
        auto r = rules::LoadRuleFile(e.path(), *db);
        ASSERT_TRUE(r.ok()) << r.error().ToString();
        rules.push_back(std::move(r).value());
      }
      auto stricter = rules::RuleBook::Build(std::move(db).value(), std::move(rules));
      ASSERT_TRUE(stricter.ok()) << stricter.error().ToString();
      for (const auto& [date, view] : RuleDates(base)) {
        auto q0 = rules::MakeQuery(base, date, code, "", view);
        auto q1 = rules::MakeQuery(*stricter, date, code, "", view);
        ASSERT_TRUE(q0.ok() && q1.ok());
        q0->trace = q1->trace = false;
        for (const rules::ChipFacts& f : facts) {
          const rules::Classification before = rules::Classify(base, f, *q0);
          const rules::Classification after = rules::Classify(*stricter, f, *q1);
          EXPECT_GE(Rank(after.license_required.tri), Rank(before.license_required.tri))
              << f.text(rules::Var::kId) << " to " << code << " added to " << group << " on "
              << date.ToString();
          ++checked;
        }
      }
      fs::remove_all(dir);
    }
  }
  EXPECT_GT(added, 10);
  EXPECT_GT(checked, 10'000);
}

std::string Outcome(const rules::Classification& c) {
  std::string s = std::string(rules::TriName(c.controlled.tri)) + "|" +
                  std::string(rules::TriName(c.license_required.tri)) + "|" +
                  std::string(rules::ReviewPolicyName(c.review_policy)) + "|";
  for (const rules::Clause* cl : c.controls) s += cl->full_id + ",";
  for (const rules::Clause* cl : c.license_basis) s += cl->full_id + ",";
  for (const rules::ExceptionHit& e : c.exceptions)
    s += e.clause->full_id + std::string(rules::TriName(e.eligible.tri)) + ",";
  for (const rules::Clause* cl : c.measures) s += cl->full_id + ",";
  return s;
}

TEST(Metamorphic, IdentitySetChangesNothing) {
  const rules::RuleBook& base = Data().book;
  const std::vector<rules::ChipFacts> facts = AllFacts();
  int params = 0;
  for (const rules::ParameterInfo& p : base.Parameters()) {
    const std::string name = p.rule->id + "." + p.parameter->name;
    auto same = base.WithParameter(name, p.parameter->text);
    ASSERT_TRUE(same.ok()) << name << "=" << p.parameter->text << ": " << same.error().ToString();
    for (const rules::ParameterInfo& q : same->Parameters()) {
      if (q.parameter->name == p.parameter->name && q.rule->id == p.rule->id) {
        EXPECT_EQ(q.value, p.value) << name;
      }
    }
    ++params;
    for (const Date d : base.change_dates()) {
      for (const char* dest : {"CN", "AE", "DE"}) {
        auto q0 = rules::MakeQuery(base, d, dest);
        auto q1 = rules::MakeQuery(*same, d, dest);
        ASSERT_TRUE(q0.ok() && q1.ok());
        for (const rules::ChipFacts& f : facts)
          ASSERT_EQ(Outcome(rules::Classify(base, f, *q0)), Outcome(rules::Classify(*same, f, *q1)))
              << name << " on " << d.ToString() << " to " << dest;
      }
    }
  }
  EXPECT_GT(params, 5);
}

}  // namespace
}  // namespace ceiling::hostile
