// End users, screening, the import side and rules status: the library pieces the rule cases
// exercise end to end, tested here for their own contracts and failure modes.
#include <gtest/gtest.h>

#include <algorithm>

#include "ceiling/catalog/catalog.h"
#include "ceiling/rules/classify.h"
#include "ceiling/rules/screening.h"
#include "ceiling/rules/status.h"

namespace ceiling::rules {
namespace {

const RuleBook& Book() {
  static const RuleBook book = [] {
    auto b = RuleBook::Load(std::string(CEILING_SOURCE_DIR) + "/data");
    if (!b.ok()) {
      ADD_FAILURE() << b.error().ToStringWithCaret();
      std::abort();
    }
    return *b;
  }();
  return book;
}

ChipFacts Chip(const std::string& id) {
  static const catalog::Catalog cat =
      *catalog::Catalog::Load(std::string(CEILING_SOURCE_DIR) + "/data");
  const catalog::Chip* c = cat.Find(id);
  EXPECT_NE(c, nullptr) << id;
  return FactsOf(*c, catalog::ComputeMetrics(*c));
}

std::string OwnersError(const std::vector<std::string>& specs, const std::string& end_user) {
  auto r = ParseOwners(specs, end_user);
  return r.ok() ? "ok" : r.error().message;
}

TEST(Owners, ParsesNameShareAndTarget) {
  auto o = ParseOwner("Huawei Technologies=60%");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->name, "Huawei Technologies");
  EXPECT_DOUBLE_EQ(*o->percent, 60);
  EXPECT_EQ(o->of, "");
  o = ParseOwner(" Holdco Alpha = 12.5 % > Acme Compute ");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->name, "Holdco Alpha");
  EXPECT_DOUBLE_EQ(*o->percent, 12.5);
  EXPECT_EQ(o->of, "Acme Compute");
  o = ParseOwner("Moore Threads");
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->percent.has_value());
}

TEST(Owners, BadSpecsAreErrorsWithoutFlagNames) {
  EXPECT_EQ(ParseOwner("=60%").error().message,
            "\"=60%\": expected an owner's name, optionally with a share as in \"NAME=60%\" or "
            "\"NAME=60%>OWNED\"");
  EXPECT_EQ(ParseOwner("X=160%").error().message,
            "\"X=160%\": the share must be a percentage from 0 to 100, as in \"NAME=60%\"");
  EXPECT_EQ(ParseOwner("X=abc").error().message,
            "\"X=abc\": the share must be a percentage from 0 to 100, as in \"NAME=60%\"");
  EXPECT_EQ(ParseOwner("X=10%>").error().message,
            "\"X=10%>\": expected the name of what the owner owns after '>'");
  for (const char* spec : {"=60%", "X=160%"})
    EXPECT_EQ(ParseOwner(spec).error().message.find("--"), std::string::npos);
}

TEST(Owners, ChainsAreChecked) {
  EXPECT_EQ(OwnersError({"A=60%"}, ""), "owners need an end user: name the party they own");
  EXPECT_EQ(OwnersError({"Acme=60%"}, "Acme"),
            "\"Acme=60%\": the end user cannot be its own owner");
  EXPECT_EQ(OwnersError({"A=10%", "a=20%"}, "E"), "\"a=20%\": \"a\" is given twice");
  EXPECT_EQ(OwnersError({"A=10%>Nobody"}, "E"),
            "\"A=10%>Nobody\": \"Nobody\" is neither the end user nor another owner");
  EXPECT_EQ(OwnersError({"A=10%>B", "B=10%>A"}, "E"),
            "\"A=10%>B\": the ownership chain loops back to \"A\"");
  EXPECT_EQ(OwnersError({"A=60%", "B=50%"}, "E"),
            "the shares in \"E\" add up to 110%, more than 100%");
  EXPECT_EQ(OwnersError({"A=100%>B", "B=60%>E Ltd"}, "E Ltd."), "ok");
}

TEST(Screening, NormalisationDropsLegalFormsAndPunctuation) {
  EXPECT_EQ(NameTokens("Cambricon (Xi'an) Integrated Circuit Co., Ltd."),
            (std::vector<std::string>{"cambricon", "xian", "integrated", "circuit"}));
  EXPECT_TRUE(NameTokens("Co., Ltd.").empty());
  EXPECT_EQ(NameTokens("HUAWEI TECHNOLOGIES CO LTD"), NameTokens("Huawei Technologies Co., Ltd."));
}

TEST(Screening, SimilarityIsSymmetricBoundedAndExactIsOne) {
  const auto a = NameTokens("Moore Threads"), b = NameTokens("Moore Thread Inc.");
  EXPECT_DOUBLE_EQ(NameSimilarity(a, a), 1.0);
  EXPECT_NEAR(NameSimilarity(a, b), NameSimilarity(b, a), 1e-12);
  EXPECT_GT(NameSimilarity(a, b), 0.9);
  EXPECT_LT(NameSimilarity(NameTokens("Beijing Technology"), NameTokens("Biren Technology")), 0.75);
  EXPECT_LT(NameSimilarity(NameTokens("Huawei Cloud"), NameTokens("Huawei Technologies")), 0.75);
  EXPECT_GT(NameSimilarity(NameTokens("MooreThreads"), NameTokens("Moore Threads")), 0.9);
  EXPECT_DOUBLE_EQ(NameSimilarity({}, a), 0.0);
  EXPECT_NEAR(JaroWinkler("martha", "marhta"), 0.9611, 1e-4);  // the textbook value
  EXPECT_DOUBLE_EQ(JaroWinkler("abc", "xyz"), 0.0);
}

// The bundled rows are in Latin letters: a name in another script cannot match them, and says
// so; Latin with diacritics, punctuation and broken UTF-8 are not another script.
TEST(Screening, NamesInAnotherScriptAreRecognised) {
  for (const char* other : {"华为技术有限公司", "Хуавей", "هواوي", "Huawei 技术", "ＨＵＡＷＥＩ"})
    EXPECT_TRUE(HasNonLatinLetters(other)) << other;
  for (const char* latin : {"Huawei Technologies Co., Ltd.", "Zhōngxīng Tōngxùn",
                            "Société Générale", "\u201cAcme\u201d \u2013 GmbH", "Ng\u1ec7 An",
                            "bad \xff\xfe bytes", "cut \xe5\x8d", ""})
    EXPECT_FALSE(HasNonLatinLetters(latin)) << latin;
}

TEST(Screening, PolicyTextParsing) {
  EXPECT_EQ(PolicyFromText("Presumption of denial."), ReviewPolicy::kPresumptionOfDenial);
  EXPECT_EQ(PolicyFromText("Policy of denial. See 746.8"), ReviewPolicy::kPresumptionOfDenial);
  EXPECT_EQ(PolicyFromText("Case-by-case basis"), ReviewPolicy::kCaseByCase);
  EXPECT_EQ(PolicyFromText("Case-by-case for all items listed on the CCL. Presumption of approval "
                           "for EAR99 items"),
            ReviewPolicy::kNotRecorded);
  EXPECT_EQ(PolicyFromText("See 744.3(d) of this part"), ReviewPolicy::kNotRecorded);
}

TEST(Screening, HitsAreOrderedAndDated) {
  auto hits = Screen("Moore Thread", Book().entities(), nullptr, Date{2025, 6, 1});
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().party->name, "Moore Threads");
  EXPECT_TRUE(hits.front().in_force);
  for (std::size_t i = 1; i < hits.size(); ++i) EXPECT_GE(hits[i - 1].score, hits[i].score);
  hits = Screen("Moore Threads", Book().entities(), nullptr, Date{2023, 10, 16});
  ASSERT_FALSE(hits.empty());
  EXPECT_FALSE(hits.front().in_force);  // listed on 2023-10-17
  EXPECT_TRUE(Screen("Co., Ltd.", Book().entities(), nullptr, Date{2025, 6, 1}).empty());
}

TEST(Screening, UserListsParseFromText) {
  auto csv = ScreeningList::Parse(
      "\xEF\xBB\xBFsource,name,alt_names,federal_register_notice,start_date,license_policy\r\n"
      "Entity List (EL) - Bureau of Industry and Security,\"Quoted, Name Ltd\",\"Q N; QN "
      "Holdings\",TEST-1,2024-01-01T00:00:00,Presumption of denial.\r\n",
      "list.csv");
  ASSERT_TRUE(csv.ok()) << csv.error().ToString();
  EXPECT_EQ(csv->format(), ScreeningList::Format::kCsv);
  ASSERT_EQ(csv->parties().size(), 1u);
  const ListedParty& p = csv->parties()[0];
  EXPECT_EQ(p.name, "Quoted, Name Ltd");
  EXPECT_EQ(p.aliases, (std::vector<std::string>{"Q N", "QN Holdings"}));
  EXPECT_TRUE(p.entity_list);
  EXPECT_EQ(p.policy, ReviewPolicy::kPresumptionOfDenial);
  EXPECT_EQ(*p.listed, (Date{2024, 1, 1}));
  auto json = ScreeningList::Parse(" [ {\"name\": \"A B\", \"source\": \"Denied Persons List\"} ]",
                                   "list.json");
  ASSERT_TRUE(json.ok()) << json.error().ToString();
  EXPECT_EQ(json->format(), ScreeningList::Format::kJson);
  EXPECT_FALSE(json->parties()[0].entity_list);
}

TEST(Entities, BundledNoticesAndTheAffiliatesRule) {
  const EntityDb& db = Book().entities();
  EXPECT_GE(db.notices().size(), 6u);
  EXPECT_GE(db.parties().size(), 15u);
  for (const ListedParty* p : db.parties()) {
    ASSERT_NE(p->notice, nullptr);
    EXPECT_FALSE(p->citation.empty());
    EXPECT_FALSE(p->license_requirement.empty());
    EXPECT_NE(p->policy, ReviewPolicy::kNotRecorded) << p->name;
  }
  ASSERT_TRUE(db.affiliates().has_value());
  const AffiliatesRule& a = *db.affiliates();
  EXPECT_EQ(a.PeriodOn(Date{2025, 9, 28}), nullptr);
  EXPECT_EQ(a.PeriodOn(Date{2025, 9, 29})->status, AffiliatesStatus::kInEffect);
  EXPECT_EQ(a.PeriodOn(Date{2025, 11, 10})->status, AffiliatesStatus::kSuspended);
  EXPECT_EQ(a.PeriodOn(Date{2026, 11, 9})->status, AffiliatesStatus::kSuspended);
  EXPECT_EQ(a.PeriodOn(Date{2026, 11, 10})->status, AffiliatesStatus::kInEffect);
  EXPECT_TRUE(a.PeriodOn(Date{2026, 11, 10})->scheduled);
  // A copy points into its own notices.
  const EntityDb copy = db;
  for (const ListedParty* p : copy.parties())
    EXPECT_TRUE(p->notice >= copy.notices().data() &&
                p->notice < copy.notices().data() + copy.notices().size());
}

TEST(Imports, TimelineOfTheH200ToChina) {
  const int cn = *Book().countries().Find("CN");
  const auto t = ImportTimeline(Book().imports(), Chip("nvidia-h200-sxm"), cn, "");
  std::vector<std::pair<std::string, std::string>> got;
  for (const ImportTimelineEntry& e : t)
    got.push_back({e.from.ToString(), std::string(ImportVerdictName(e.side.verdict))});
  EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{
                     {"2025-10-10", "scrutiny"},
                     {"2025-11-05", "restricted"},
                     {"2026-01-14", "blocked"},
                     {"2026-01-28", "blocked-except-approved"}}));
  EXPECT_TRUE(
      ImportTimeline(Book().imports(), Chip("nvidia-h200-sxm"), *Book().countries().Find("SG"), "")
          .empty());
}

TEST(Imports, TheImportSideNeverChangesTheUsAnswer) {
  // The same classification with and without the import side differs only in import_side.
  auto q = MakeQuery(Book(), Date{2026, 1, 20}, "CN");
  ASSERT_TRUE(q.ok());
  q->trace = false;
  const ChipFacts f = Chip("nvidia-h200-sxm");
  Classification with = Classify(Book(), f, *q);
  q->import_side = false;
  Classification without = Classify(Book(), f, *q);
  EXPECT_EQ(StatusKey(with), StatusKey(without));
  EXPECT_EQ(with.import_side.verdict, ImportVerdict::kBlocked);
  EXPECT_EQ(without.import_side.country, -1);
}

TEST(Status, EveryKindOfRowWithCheckedDatesAndSourceKinds) {
  const auto rows = RulesStatus(Book());
  auto count = [&](const char* kind) {
    return std::count_if(rows.begin(), rows.end(),
                         [&](const StatusRow& r) { return r.kind == kind; });
  };
  EXPECT_EQ(count("rule"), static_cast<long>(Book().rules().size()));
  EXPECT_GE(count("measure"), 5);  // H20 letter, its two licensing terms, H200 share, GP10
  EXPECT_GE(count("entity-notice"), 6);
  EXPECT_EQ(count("affiliates-rule"), 1);
  EXPECT_EQ(count("import-measure"), 7);
  EXPECT_GE(count("country-group"), 10);
  for (const StatusRow& r : rows) {
    int sources = 0;
    for (int n : r.sources) sources += n;
    EXPECT_GT(sources, 0) << r.id;
  }
  const auto gao = std::find_if(rows.begin(), rows.end(),
                                [](const StatusRow& r) { return r.id == "us-2025-01-aid"; });
  ASSERT_NE(gao, rows.end());
  EXPECT_TRUE(gao->checked_given);
  EXPECT_EQ(gao->checked, (Date{2026, 12, 1}));
  const auto gp10 = std::find_if(rows.begin(), rows.end(), [](const StatusRow& r) {
    return r.id == "us-2025-05-gp10-guidance/ascend-gp10";
  });
  ASSERT_NE(gp10, rows.end());
  EXPECT_EQ(gp10->pending_products, (std::vector<std::string>{"huawei-ascend-910d"}));
  EXPECT_EQ(DataChecked(rows), (Date{2026, 11, 29}));
}

}  // namespace
}  // namespace ceiling::rules
