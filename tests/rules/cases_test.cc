// Data-driven classification cases: every [[case]] of every tests/cases/rules/*.toml is one test.
// Adding a case needs no C++. A case names a catalog chip, a chip file, or inline metrics, and
// the date, destination and optional headquarters, view and parameter overrides; expectations
// are optional except `license`. See tests/cases/rules/README.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/report/json.h"
#include "ceiling/report/rules_report.h"
#include "ceiling/rules/classify.h"
#include "ceiling/rules/disputes.h"

namespace ceiling::rules {
namespace {

namespace fs = std::filesystem;
const fs::path kSource(CEILING_SOURCE_DIR);
const fs::path kDir = kSource / "tests/cases/rules";

struct Case {
  std::string file;
  std::string name;
  TomlTable table;
};

std::vector<Case> LoadCases() {
  std::vector<Case> out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kDir))
    if (e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    auto doc = TomlTable::ParseFile(f, "cases/rules/" + f.filename().string());
    if (!doc.ok()) {
      ADD_FAILURE() << doc.error().ToString();
      continue;
    }
    auto cases = doc->GetTableArray("case");
    if (!cases.ok()) {
      ADD_FAILURE() << cases.error().ToString();
      continue;
    }
    for (const TomlTable& t : *cases) {
      auto name = t.GetString("name");
      out.push_back({f.stem().string(), name.ok() ? *name : "unnamed", t});
    }
  }
  return out;
}

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = LoadCases();
  return cases;
}

const RuleBook& Book() {
  static const RuleBook book = [] {
    auto b = RuleBook::Load(kSource / "data");
    if (!b.ok()) {
      ADD_FAILURE() << b.error().ToStringWithCaret();
      std::abort();
    }
    return *b;
  }();
  return book;
}

const catalog::Catalog& Catalog() {
  static const catalog::Catalog cat = [] {
    auto c = catalog::Catalog::Load(kSource / "data");
    if (!c.ok()) {
      ADD_FAILURE() << c.error().ToString();
      std::abort();
    }
    return *c;
  }();
  return cat;
}

// Inline metrics: numbers for plain variables, quantity strings for dimensioned ones, strings
// for attributes; `missing` gives reasons for absent ones. item defaults to "processor".
Result<ChipFacts> InlineFacts(const TomlTable& m, const std::optional<TomlTable>& missing) {
  ChipFacts f;
  f.SetText(Var::kItem, "processor");
  for (const std::string& key : m.Keys()) {
    auto v = VarFromName(key);
    if (!v) return m.ErrorAt(key, "unknown variable");
    if (!IsNumeric(*v)) {
      ASSIGN_OR_RETURN(std::string s, m.GetString(key));
      f.SetText(*v, s);
      continue;
    }
    if (VarDim(*v) == DimVector{}) {
      ASSIGN_OR_RETURN(double x, m.GetNumber(key));
      f.Set(*v, x);
    } else {
      ASSIGN_OR_RETURN(std::string s, m.GetString(key));
      auto p = ParseParameterValue(s);
      if (!p.ok()) return m.ErrorAt(key, p.error().message);
      if (!(p->dim == VarDim(*v))) return m.ErrorAt(key, "wrong unit");
      f.Set(*v, p->value);
    }
  }
  if (missing) {
    for (const std::string& key : missing->Keys()) {
      auto v = VarFromName(key);
      if (!v) return missing->ErrorAt(key, "unknown variable");
      ASSIGN_OR_RETURN(std::string why, missing->GetString(key));
      f.SetUnknown(*v, why);
    }
  }
  return f;
}

std::vector<std::string> Strings(const TomlTable& t, const char* key) {
  auto v = t.GetStringArray(key);
  return v.ok() ? *v : std::vector<std::string>{"<" + v.error().message + ">"};
}

class RuleCase : public ::testing::TestWithParam<std::size_t> {};

TEST_P(RuleCase, Holds) {
  const Case& c = Cases()[GetParam()];
  const TomlTable& t = c.table;
  const Status keys = t.CheckKeys({"name",
                                   "note",
                                   "chip",
                                   "chip_file",
                                   "metrics",
                                   "missing",
                                   "date",
                                   "to",
                                   "hq",
                                   "view",
                                   "set",
                                   "end_user",
                                   "owners",
                                   "screening_list",
                                   "controls",
                                   "undecided",
                                   "controlled",
                                   "license",
                                   "exceptions",
                                   "review",
                                   "measures",
                                   "revenue_share",
                                   "trace",
                                   "text",
                                   "json",
                                   "reasons",
                                   "before_first_rule",
                                   "end_user_license",
                                   "end_user_reason",
                                   "entity",
                                   "entity_citation",
                                   "score_min",
                                   "affiliate",
                                   "import_verdict",
                                   "import_measures",
                                   "caveats",
                                   "data_checked",
                                   "disputed",
                                   "source_outcomes",
                                   "verdict"});
  ASSERT_TRUE(keys.ok()) << keys.error().ToString();

  RuleBook book = Book();
  if (t.Has("set"))
    for (const std::string& s : Strings(t, "set")) {
      const auto eq = s.find('=');
      auto b = book.WithParameter(s.substr(0, eq), s.substr(eq + 1));
      ASSERT_TRUE(b.ok()) << b.error().ToString();
      book = *b;
    }

  ChipFacts facts;
  report::ChipLabel label;
  catalog::Chip chip;
  const catalog::Chip* record = nullptr;  // catalog chips and chip files: disputes are evaluated
  if (t.Has("chip") || t.Has("chip_file")) {
    if (t.Has("chip")) {
      auto found = Catalog().Resolve(*t.GetString("chip"));
      ASSERT_TRUE(found.ok()) << found.error().ToString();
      chip = **found;
    } else {
      const std::string path = (kSource / *t.GetString("chip_file")).string();
      std::ifstream in(path);
      std::stringstream text;
      text << in.rdbuf();
      auto parsed = Catalog().ParseChipText(text.str(), path);
      ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
      chip = std::move(*parsed);
    }
    record = &chip;
    facts = FactsOf(chip, catalog::ComputeMetrics(chip));
    label = {chip.id, chip.name};
  } else {
    auto m = t.GetTable("metrics");
    ASSERT_TRUE(m.ok()) << c.name << ": needs chip, chip_file or metrics";
    auto missing = t.GetOptionalTable("missing");
    ASSERT_TRUE(missing.ok());
    auto f = InlineFacts(*m, *missing);
    ASSERT_TRUE(f.ok()) << f.error().ToString();
    facts = *f;
    label = {"inline", c.name};
  }

  auto date = t.GetDate("date");
  ASSERT_TRUE(date.ok()) << date.error().ToString();
  auto view_name = t.GetOptionalString("view");
  ASSERT_TRUE(view_name.ok());
  const View view = view_name->value_or("enforced") == "text" ? View::kText : View::kEnforced;
  auto q = MakeQuery(book, *date, *t.GetString("to"), t.Has("hq") ? *t.GetString("hq") : "", view);
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  // End user: name, owners (as --owner specs) and a screening list (a file, read here as the CLI
  // does; the library gets its text).
  std::optional<ScreeningList> list;
  if (t.Has("end_user")) {
    q->end_user = *t.GetString("end_user");
    std::vector<std::string> specs;
    if (t.Has("owners")) specs = Strings(t, "owners");
    auto owners = ParseOwners(specs, q->end_user);
    ASSERT_TRUE(owners.ok()) << owners.error().ToString();
    q->owners = *owners;
    if (t.Has("screening_list")) {
      const std::string path = *t.GetString("screening_list");
      std::ifstream in(kSource / path, std::ios::binary);
      ASSERT_TRUE(in) << "cannot read " << path;
      std::stringstream ss;
      ss << in.rdbuf();
      auto parsed = ScreeningList::Parse(ss.str(), path);
      ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
      list = std::move(parsed).value();
      q->screening = &*list;
    }
  }
  DisputedClassification disputes;
  if (record != nullptr) disputes = ClassifyDisputed(book, *record, *q);
  const Classification r = record != nullptr ? disputes.outcomes.front().result
                                             : Classify(book, facts, *q);
  const std::string text = report::ClassificationText(book, label, facts, r, disputes);
  SCOPED_TRACE(text);

  std::vector<std::string> controls, undecided, exceptions, measures;
  for (const Clause* cl : r.controls) controls.push_back(cl->paragraph);
  for (const Clause* cl : r.controls_undecided) undecided.push_back(cl->paragraph);
  for (const ExceptionHit& e : r.exceptions)
    exceptions.push_back(e.clause->exception + (e.eligible.tri == Tri::kUnknown ? "?" : ""));
  for (const Clause* m : r.measures) measures.push_back(m->full_id);
  auto tri = [](Tri x) { return x == Tri::kTrue ? "yes" : x == Tri::kFalse ? "no" : "cannot-decide"; };

  ASSERT_TRUE(t.Has("license")) << "every case states license (yes, no or cannot-decide)";
  EXPECT_EQ(tri(r.license_required.tri), *t.GetString("license")) << "license";
  if (t.Has("controls")) {
    EXPECT_EQ(controls, Strings(t, "controls")) << "controls";
  }
  if (t.Has("undecided")) {
    EXPECT_EQ(undecided, Strings(t, "undecided")) << "undecided";
  }
  if (t.Has("controlled")) {
    EXPECT_EQ(tri(r.controlled.tri), *t.GetString("controlled")) << "controlled";
  }
  if (t.Has("exceptions")) {
    EXPECT_EQ(exceptions, Strings(t, "exceptions")) << "exceptions";
  }
  if (t.Has("review")) {
    std::string review(ReviewPolicyName(r.review_policy));
    if (r.review_decided.tri == Tri::kUnknown) review += "?";
    EXPECT_EQ(review, *t.GetString("review")) << "review";
  }
  if (t.Has("measures")) {
    EXPECT_EQ(measures, Strings(t, "measures")) << "measures";
  }
  if (t.Has("revenue_share")) {
    double share = 0;
    for (const Clause* m : r.measures)
      if (m->revenue_share) share = *m->revenue_share;
    EXPECT_DOUBLE_EQ(share, *t.GetNumber("revenue_share"));
  }
  if (t.Has("before_first_rule")) {
    EXPECT_EQ(r.before_first_rule, *t.GetBool("before_first_rule"));
  }
  if (t.Has("trace")) {
    // "RULE/CLAUSE=OUTCOME": the clause was evaluated with that outcome (true/false/unknown).
    for (const std::string& want : Strings(t, "trace")) {
      const auto eq = want.rfind('=');
      const std::string id = want.substr(0, eq), outcome = want.substr(eq + 1);
      const auto it = std::find_if(r.trace.begin(), r.trace.end(),
                                   [&](const TraceStep& s) { return s.clause->full_id == id; });
      if (outcome == "absent") {
        EXPECT_TRUE(it == r.trace.end()) << id << " should not be evaluated";
        continue;
      }
      ASSERT_TRUE(it != r.trace.end()) << id << " not in the trace";
      EXPECT_EQ(std::string(TriName(it->outcome.tri)), outcome) << id;
    }
  }
  if (t.Has("disputed")) {
    // none | identical | same-paragraphs | depends
    EXPECT_EQ(std::string(AgreementName(disputes.agreement)), *t.GetString("disputed"));
  }
  if (t.Has("source_outcomes")) {
    // "LABEL: CODE" for every source, the record first; CODE as in `matrix` ("a LIC deny").
    std::vector<std::string> got;
    for (const SourceOutcome& o : disputes.outcomes)
      got.push_back(o.label + ": " + report::StatusCode(o.result));
    EXPECT_EQ(got, Strings(t, "source_outcomes")) << "source_outcomes";
  }
  if (t.Has("verdict")) {
    EXPECT_EQ(report::DisputeVerdict(disputes), *t.GetString("verdict")) << "verdict";
  }
  if (t.Has("text")) {
    for (const std::string& want : Strings(t, "text")) {
      EXPECT_NE(text.find(want), std::string::npos) << "text lacks: " << want;
    }
  }
  if (t.Has("json")) {
    const std::string j = report::DumpJson(report::ClassificationJson(book, label, facts, r, disputes));
    for (const std::string& want : Strings(t, "json")) {
      EXPECT_NE(j.find(want), std::string::npos) << "JSON lacks: " << want;
    }
  }
  if (t.Has("end_user_license")) {
    ASSERT_TRUE(r.end_user.given) << "no end user in the result";
    EXPECT_EQ(r.end_user.license ? "yes" : "no", *t.GetString("end_user_license"));
  }
  if (t.Has("end_user_reason")) {
    EXPECT_EQ(r.end_user.reason, *t.GetString("end_user_reason"));
  }
  if (t.Has("entity")) {
    ASSERT_NE(r.end_user.basis, nullptr) << "no Entity List row decides the end user";
    EXPECT_EQ(r.end_user.basis->name, *t.GetString("entity"));
  }
  if (t.Has("entity_citation")) {
    ASSERT_NE(r.end_user.basis, nullptr);
    EXPECT_EQ(r.end_user.basis->citation, *t.GetString("entity_citation"));
  }
  if (t.Has("score_min")) {
    ASSERT_FALSE(r.end_user.end_user.hits.empty()) << "no hit for the end user";
    EXPECT_GE(r.end_user.end_user.hits.front().score, *t.GetNumber("score_min"));
  }
  if (t.Has("affiliate")) {
    EXPECT_EQ(tri(r.end_user.affiliate), *t.GetString("affiliate")) << "affiliate";
  }
  if (t.Has("import_verdict")) {
    EXPECT_EQ(std::string(ImportVerdictName(r.import_side.verdict)),
              *t.GetString("import_verdict"));
  }
  if (t.Has("import_measures")) {
    std::vector<std::string> ids;
    for (const ImportHit& h : r.import_side.measures) ids.push_back(h.measure->id);
    EXPECT_EQ(ids, Strings(t, "import_measures")) << "import measures";
  }
  if (t.Has("caveats")) {
    std::vector<std::string> kinds;
    for (const Caveat& cv : r.caveats) kinds.push_back(std::string(CaveatKindName(cv.kind)));
    EXPECT_EQ(kinds, Strings(t, "caveats")) << "caveats";
  }
  if (t.Has("data_checked")) {
    EXPECT_EQ(r.data_checked.ToString(), *t.GetString("data_checked"));
  }
  if (t.Has("reasons")) {
    const auto reasons = report::CannotDecideReasons(facts, r);
    for (const std::string& want : Strings(t, "reasons")) {
      const bool found = std::any_of(reasons.begin(), reasons.end(), [&](const std::string& s) {
        return s.find(want) != std::string::npos;
      });
      EXPECT_TRUE(found) << "no reason contains: " << want;
    }
  }
}

std::vector<std::size_t> Indices() {
  std::vector<std::size_t> v(Cases().size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

INSTANTIATE_TEST_SUITE_P(Cases, RuleCase, ::testing::ValuesIn(Indices()),
                         [](const ::testing::TestParamInfo<std::size_t>& param_info) {
                           const Case& c = Cases()[param_info.param];
                           std::string n = c.file + "_" + c.name;
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

// A clause is evaluated once per classification, and the trace lists it once: a measure that
// also sets the review policy (the H20's revenue-share approval) once appeared twice.
TEST(RuleTrace, EachClauseOnceForEveryChipDateAndView) {
  const RuleBook& book = Book();
  std::size_t measures_reviewed = 0;
  for (const catalog::Chip& chip : Catalog().chips()) {
    const ChipFacts facts = FactsOf(chip, catalog::ComputeMetrics(chip));
    for (const Date& date : book.change_dates())
      for (const char* to : {"CN", "AE", "DE"})
        for (const View view : {View::kEnforced, View::kText}) {
          auto q = MakeQuery(book, date, to, "", view);
          ASSERT_TRUE(q.ok()) << q.error().ToString();
          const Classification r = Classify(book, facts, *q);
          std::set<std::string> seen;
          for (const TraceStep& s : r.trace)
            EXPECT_TRUE(seen.insert(s.clause->full_id).second)
                << chip.id << " " << date.ToString() << " " << to << ": " << s.clause->full_id
                << " twice";
          if (r.review_clause != nullptr && r.review_clause->kind == ClauseKind::kMeasure)
            ++measures_reviewed;
        }
  }
  EXPECT_GT(measures_reviewed, 0u) << "some case must reach a measure's review policy";
}

// Every date on which something changes says what: the web app's date control and the
// capability date lists print it (Entity List notices, the Affiliates rule's periods and the start
// of an undated country-group change once printed nothing).
TEST(RuleBookEvents, EveryChangeDateSaysWhatChanges) {
  for (const Date& d : Book().change_dates())
    EXPECT_FALSE(Book().EventsOn(d).empty()) << d.ToString();
  const auto huawei = Book().EventsOn(Date{2019, 5, 16});
  ASSERT_EQ(huawei.size(), 1u);
  EXPECT_NE(huawei[0].find("lists \"Huawei Technologies Co., Ltd.\""), std::string::npos)
      << huawei[0];
}

TEST(RuleCases, AtLeastEightyCasesWithUniqueNames) {
  EXPECT_GE(Cases().size(), 80u);
  std::map<std::string, int> seen;
  for (const Case& c : Cases()) EXPECT_EQ(++seen[c.file + "/" + c.name], 1) << c.name;
}

}  // namespace
}  // namespace ceiling::rules
