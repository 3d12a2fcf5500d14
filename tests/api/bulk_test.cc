// Bulk classification (api/bulk_api.h): every row's outcome is what a one-row classification
// answers, the options and errors behave like classify's, and a stop token stops it.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "ceiling/api/bulk_api.h"
#include "ceiling/api/operations.h"
#include "ceiling/catalog/alternatives.h"

namespace ceiling::api {
namespace {

using nlohmann::json;

const KnowledgeBase& Kb() {
  static const std::shared_ptr<const KnowledgeBase> kb = [] {
    auto k = KnowledgeBase::Load(std::string(CEILING_SOURCE_DIR) + "/data", kChips | kRules);
    if (!k.ok()) ADD_FAILURE() << k.error().ToString();
    return *k;
  }();
  return *kb;
}

// Rows as plain values, interned into a request the way an adapter would.
struct Rows {
  std::vector<std::string> chip, date, to, hq;  // hq "" = not given

  void Add(std::string c, std::string d, std::string t, std::string h = "") {
    chip.push_back(std::move(c));
    date.push_back(std::move(d));
    to.push_back(std::move(t));
    hq.push_back(std::move(h));
  }
};

struct Interned {
  std::vector<std::int32_t> chip, date, to, hq;
  ClassifyManyRequest req;
};

void Intern(const std::vector<std::string>& in, std::vector<std::string>* values,
            std::vector<std::int32_t>* codes, bool empty_is_absent) {
  for (const std::string& s : in) {
    if (empty_is_absent && s.empty()) {
      codes->push_back(-1);
      continue;
    }
    auto it = std::find(values->begin(), values->end(), s);
    if (it == values->end()) it = values->insert(values->end(), s);
    codes->push_back(static_cast<std::int32_t>(it - values->begin()));
  }
}

// Interned columns keep their code vectors alive beside the request's spans.
std::unique_ptr<Interned> Make(const Rows& rows) {
  auto x = std::make_unique<Interned>();
  Intern(rows.chip, &x->req.chip.values, &x->chip, false);
  Intern(rows.date, &x->req.date.values, &x->date, false);
  Intern(rows.to, &x->req.to.values, &x->to, false);
  Intern(rows.hq, &x->req.hq.values, &x->hq, true);
  x->req.chip.codes = x->chip;
  x->req.date.codes = x->date;
  x->req.to.codes = x->to;
  x->req.hq.codes = x->hq;
  return x;
}

std::string Day(long days_since_epoch) {
  return Date::FromDaysSinceEpoch(days_since_epoch).ToString();
}

// The heart of the bulk path: the answer depends on the date only through the interval between
// change dates. Every day from 2022-09-01 to 2026-06-30, for chips on both sides of every line
// (and chips with disputed figures), nine destinations, with and without a Chinese parent, in a
// shuffled order: each row equals rules::Classify (and ClassifyDisputed's agreement) for it.
TEST(ClassifyMany, EveryRowEqualsItsOwnClassification) {
  const std::vector<std::string> chips = {
      "nvidia-h20",      "nvidia-h100-sxm", "nvidia-h200-sxm",    "nvidia-a100-sxm-80gb",
      "nvidia-rtx-4090", "amd-mi308x",      "huawei-ascend-910b", "nvidia-b200"};
  const std::vector<std::string> countries = {"CN", "AE", "US", "VN", "MO", "RU", "SA", "IN", "DE"};
  const long first = Date{2022, 9, 1}.DaysSinceEpoch(), last = Date{2026, 6, 30}.DaysSinceEpoch();
  Rows rows;
  for (long d = first; d <= last; d += 3)  // every third day keeps it quick; all intervals covered
    for (const std::string& c : chips)
      for (const std::string& to : countries) {
        rows.Add(c, Day(d), to);
        rows.Add(c, Day(d), to, "CN");
      }
  // And every single day for the H20 to China (its status changes most).
  for (long d = first; d <= last; ++d) rows.Add("nvidia-h20", Day(d), "CN");
  std::vector<std::size_t> order(rows.chip.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  Rows shuffled;
  for (std::size_t i : order) shuffled.Add(rows.chip[i], rows.date[i], rows.to[i], rows.hq[i]);

  auto in = Make(shuffled);
  auto r = ClassifyMany(Kb(), in->req);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->outcome.size(), shuffled.chip.size());
  EXPECT_LT(r->distinct_queries, shuffled.chip.size() / 20) << "rows share their questions";
  EXPECT_GT(r->outcomes.size(), 10u);

  const rules::RuleBook& book = Kb().rules();
  rules::Classification one;
  std::size_t checked = 0;
  for (std::size_t i = 0; i < shuffled.chip.size(); ++i) {
    const catalog::Chip* chip = Kb().catalog().Find(shuffled.chip[i]);
    ASSERT_NE(chip, nullptr);
    auto q = rules::MakeQuery(book, *ParseDate(shuffled.date[i]), shuffled.to[i], shuffled.hq[i]);
    ASSERT_TRUE(q.ok());
    q->trace = false;
    const rules::ChipFacts facts = rules::FactsOf(*chip, *Kb().catalog().MetricsOf(chip->id));
    rules::ClassifyInto(book, facts, *q, &one);
    const BulkOutcome& o = r->outcomes[static_cast<std::size_t>(r->outcome[i])];
    const std::string row =
        shuffled.chip[i] + " " + shuffled.date[i] + " " + shuffled.to[i] + " hq=" + shuffled.hq[i];
    ASSERT_TRUE(rules::SameOutcome(o.result, one))
        << row << ": " << rules::StatusKey(o.result) << " vs " << rules::StatusKey(one);
    ASSERT_EQ(o.result.controlled.tri, one.controlled.tri) << row;
    ASSERT_EQ(o.result.exceptions_blocked, one.exceptions_blocked) << row;
    if (catalog::HasAlternatives(*chip)) {
      ASSERT_EQ(o.disputed, rules::ClassifyDisputed(book, *chip, *q).agreement) << row;
    } else {
      ASSERT_EQ(o.disputed, rules::Agreement::kNone) << row;
    }
    ++checked;
  }
  EXPECT_GT(checked, 60000u);
}

// The outcome's fields are the classify answer's, field for field (the JSON API is the reference).
TEST(ClassifyMany, OutcomeFieldsEqualTheClassifyAnswer) {
  Rows rows;
  rows.Add("nvidia-h20", "2025-05-01", "CN");
  rows.Add("nvidia-h20", "2024-06-01", "CN");
  rows.Add("nvidia-h100-sxm", "2024-06-01", "AE");
  rows.Add("nvidia-h100-sxm", "2024-06-01", "CN");
  rows.Add("nvidia-h200-sxm", "2026-02-01", "CN");
  rows.Add("nvidia-h100-sxm", "2023-12-01", "SG", "CN");
  rows.Add("huawei-ascend-910b", "2024-06-01", "CN");
  rows.Add("nvidia-a100-sxm-80gb", "2021-01-01", "CN");
  rows.Add("nvidia-rtx-4090", "2024-06-01", "VN");
  auto in = Make(rows);
  auto r = ClassifyMany(Kb(), in->req);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const Operation* op = FindOperation("classify");
  for (std::size_t i = 0; i < rows.chip.size(); ++i) {
    json body = {
        {"chip", rows.chip[i]}, {"date", rows.date[i]}, {"to", rows.to[i]}, {"trace", false}};
    if (!rows.hq[i].empty()) body["hq"] = rows.hq[i];
    auto text = op->run(Kb(), body, {});
    ASSERT_TRUE(text.ok()) << text.error().ToString();
    const json want = json::parse(*text);
    const json got = OutcomeJson(r->outcomes[static_cast<std::size_t>(r->outcome[i])]);
    const std::string row = body.dump();
    for (const char* key :
         {"controlled", "license_required", "controls", "controls_undecided", "exceptions_blocked",
          "review_policy", "review_decided", "before_first_rule"})
      EXPECT_EQ(got[key], want[key]) << row << " " << key;
    json exceptions = json::array(), undecided = json::array(), measures = json::array();
    for (const json& e : want["exceptions"])
      (e["eligible"] == "yes" ? exceptions : undecided).push_back(e["exception"]);
    for (const json& m : want["measures"]) measures.push_back(m["id"]);
    EXPECT_EQ(got["exceptions"], exceptions) << row;
    EXPECT_EQ(got["exceptions_undecided"], undecided) << row;
    EXPECT_EQ(got["measures"], measures) << row;
    const std::string agreement = want.contains("disputed_figures")
                                      ? want["disputed_figures"]["agreement"].get<std::string>()
                                      : "none";
    EXPECT_EQ(got["disputed"], agreement) << row;
  }
  EXPECT_EQ(OutcomeJson(r->outcomes[static_cast<std::size_t>(r->outcome[0])])["license_required"],
            "yes")
      << "the H20 letter of April 2025";
  EXPECT_EQ(OutcomeJson(r->outcomes[static_cast<std::size_t>(r->outcome[1])])["license_required"],
            "no");
}

// status and code are the timeline's, on each date the timeline says the status changes.
TEST(ClassifyMany, StatusAndCodeEqualTheTimeline) {
  auto text = FindOperation("timeline")->run(Kb(), {{"chip", "nvidia-h20"}, {"to", "CN"}}, {});
  ASSERT_TRUE(text.ok());
  const json timeline = json::parse(*text)["timeline"];
  ASSERT_GE(timeline.size(), 3u);
  Rows rows;
  for (const json& e : timeline) rows.Add("nvidia-h20", e["from"], "CN");
  auto in = Make(rows);
  auto r = ClassifyMany(Kb(), in->req);
  ASSERT_TRUE(r.ok());
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    const json got = OutcomeJson(r->outcomes[static_cast<std::size_t>(r->outcome[i])]);
    EXPECT_EQ(got["status"], timeline[i]["status"]) << rows.date[i];
    EXPECT_EQ(got["code"], timeline[i]["code"]) << rows.date[i];
  }
}

// view, set and rules change the book as they do for classify.
TEST(ClassifyMany, OptionsChangeTheBookLikeClassify) {
  Rows rows;
  rows.Add("nvidia-h100-sxm", "2025-03-01", "IN");
  rows.Add("nvidia-h20", "2024-06-01", "CN");
  rows.Add("nvidia-a100-sxm-80gb", "2024-06-01", "CN");
  const Operation* op = FindOperation("classify");
  for (const json& options :
       {json{{"view", "text"}}, json{{"set", {"tpp_b1=2000"}}}, json{{"set", "tpp_a=9000"}}}) {
    auto in = Make(rows);
    auto o = DecodeClassifyManyOptions(options);
    ASSERT_TRUE(o.ok()) << o.error().ToString();
    in->req.options = *o;
    auto r = ClassifyMany(Kb(), in->req);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    for (std::size_t i = 0; i < rows.chip.size(); ++i) {
      json body = options;
      body["chip"] = rows.chip[i];
      body["date"] = rows.date[i];
      body["to"] = rows.to[i];
      body["trace"] = false;
      const json want = json::parse(*op->run(Kb(), body, {}));
      const json got = OutcomeJson(r->outcomes[static_cast<std::size_t>(r->outcome[i])]);
      EXPECT_EQ(got["controls"], want["controls"]) << body.dump();
      EXPECT_EQ(got["license_required"], want["license_required"]) << body.dump();
    }
  }
  // The options really change something: H20 under tpp_b1=2000 meets 3A090.b.1 (TPP 2,368).
  auto in = Make(rows);
  in->req.options = *DecodeClassifyManyOptions({{"set", {"tpp_b1=2000"}}});
  auto r = ClassifyMany(Kb(), in->req);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(OutcomeJson(r->outcomes[static_cast<std::size_t>(r->outcome[1])])["controls"],
            json::array());
}

TEST(ClassifyMany, SameAnswerOnOneThreadOrMany) {
  Rows rows;
  std::mt19937 rng(3);
  const auto& entries = Kb().chip_entries();
  const std::vector<std::string> countries = {"CN", "AE", "US", "VN", "MO", "RU", "SA", "IN"};
  for (int i = 0; i < 20000; ++i)
    rows.Add(entries[rng() % entries.size()].id,
             Day(Date{2022, 1, 1}.DaysSinceEpoch() + static_cast<long>(rng() % 1700)),
             countries[rng() % countries.size()], rng() % 4 == 0 ? "CN" : "");
  auto one = Make(rows);
  one->req.options.threads = 1;
  auto many = Make(rows);
  auto a = ClassifyMany(Kb(), one->req);
  auto b = ClassifyMany(Kb(), many->req);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->outcome, b->outcome);
  EXPECT_EQ(ToJson(*a), ToJson(*b));
  EXPECT_EQ(ToJson(*a)["rows"], 20000);
}

TEST(ClassifyMany, NoRowsIsAnEmptyAnswer) {
  ClassifyManyRequest req;
  auto r = ClassifyMany(Kb(), req);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->outcome.empty());
  EXPECT_TRUE(r->outcomes.empty());
}

struct BadCase {
  const char* name;
  Rows rows;
  const char* field;
  const char* message;
  ErrorCode code = ErrorCode::kInvalidArgument;
};

TEST(ClassifyMany, BadRowsNameTheFieldAndTheFirstRow) {
  auto rows_with = [](std::string chip, std::string date, std::string to, std::string hq) {
    Rows r;
    r.Add("nvidia-h20", "2024-06-01", "CN");
    r.Add(std::move(chip), std::move(date), std::move(to), std::move(hq));
    r.Add("nvidia-h20", "2024-06-01", "CN");
    return r;
  };
  const std::vector<BadCase> cases = {
      {"unknown chip", rows_with("nvidia-h21", "2024-06-01", "CN", ""), "chip",
       "row 1: unknown chip \"nvidia-h21\"; did you mean", ErrorCode::kNotFound},
      {"bad date", rows_with("nvidia-h20", "2024-02-30", "CN", ""), "date", "row 1: "},
      {"not a date", rows_with("nvidia-h20", "June 2024", "CN", ""), "date", "row 1: "},
      {"unknown destination", rows_with("nvidia-h20", "2024-06-01", "XX", ""), "to",
       "row 1: unknown country"},
      {"unknown headquarters", rows_with("nvidia-h20", "2024-06-01", "CN", "ZZ"), "hq",
       "row 1: unknown country"},
  };
  for (const BadCase& c : cases) {
    auto in = Make(c.rows);
    auto r = ClassifyMany(Kb(), in->req);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().field, c.field) << c.name;
    EXPECT_EQ(r.error().code, c.code) << c.name;
    EXPECT_EQ(r.error().message.rfind(c.message, 0), 0u) << c.name << ": " << r.error().message;
  }
}

TEST(ClassifyMany, BadColumnsAndOptions) {
  Rows rows;
  rows.Add("nvidia-h20", "2024-06-01", "CN");
  rows.Add("nvidia-h20", "2024-06-01", "CN");
  {
    auto in = Make(rows);
    in->date.pop_back();
    in->req.date.codes = in->date;
    auto r = ClassifyMany(Kb(), in->req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "date");
    EXPECT_EQ(r.error().message, "has 1 rows, chip has 2");
  }
  {
    auto in = Make(rows);
    in->chip[1] = 5;
    auto r = ClassifyMany(Kb(), in->req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "chip");
    EXPECT_EQ(r.error().message, "row 1: code 5 is not an index into the 1 values");
  }
  {
    auto in = Make(rows);
    in->to[0] = -1;
    auto r = ClassifyMany(Kb(), in->req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "to");
    EXPECT_EQ(r.error().message, "row 0: no destination given");
  }
  {
    // A value no row uses is not checked (a categorical column's unused categories).
    auto in = Make(rows);
    in->req.chip.values.push_back("no-such-chip");
    in->req.date.values.push_back("not a date");
    EXPECT_TRUE(ClassifyMany(Kb(), in->req).ok());
  }
  struct OptionCase {
    json body;
    const char* field;
    const char* message;
  };
  for (const OptionCase& c : std::vector<OptionCase>{
           {{{"view", "law"}}, "view", "\"law\""},
           {{{"threads", -1}}, "threads", "must be 0 or more, got -1"},
           {{{"threads", "2"}}, "threads", "expected an integer, got a string"},
           {{{"trace", false}}, "trace", "unknown field"},
           {{{"sett", {"tpp_a=1"}}}, "sett", "unknown field; did you mean \"set\"?"}}) {
    auto o = DecodeClassifyManyOptions(c.body);
    ASSERT_FALSE(o.ok()) << c.body.dump();
    EXPECT_EQ(o.error().field, c.field) << c.body.dump();
    EXPECT_NE(o.error().message.find(c.message), std::string::npos) << o.error().message;
  }
  {
    auto in = Make(rows);
    in->req.options = *DecodeClassifyManyOptions({{"set", {"tpp_q=1"}}});
    auto r = ClassifyMany(Kb(), in->req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "set");
  }
}

TEST(ClassifyMany, AStoppedTokenStopsIt) {
  Rows rows;
  for (int i = 0; i < 100; ++i) rows.Add("nvidia-h20", "2024-06-01", "CN");
  auto in = Make(rows);
  StopToken stop = StopToken::Manual();
  stop.Stop();
  CallOptions call;
  call.stop = stop;
  auto r = ClassifyMany(Kb(), in->req, call);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace ceiling::api
