// End-to-end tests of the end-user options, the import side, and `rules status`.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "cli/run.h"

namespace ceiling {
namespace {

bool Has(const std::string& s, const std::string& part) { return HasPhrase(s, part); }
int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// Acceptance: a listed end user names the Entity List entry and its FR citation; a misspelt name
// still matches with its score; a user-supplied screening list works the same.
TEST(EndUserCli, ListedEndUserNamesTheEntryAndItsCitation) {
  auto r = RunCeiling(
      "classify nvidia-h100-sxm --date 2025-06-01 --to CN --end-user \"Moore Threads\" --no-trace");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "the Entity List row \"Moore Threads\" (88 FR 71991)")) << r.out;
  EXPECT_TRUE(Has(r.out,
                  "end user \"Moore Threads\" matches \"Moore Threads\" on the Entity List, "
                  "88 FR 71991, listed 2023-10-17 [score 1.00, bundled entry]"))
      << r.out;
  auto misspelt = RunCeiling(
      "classify nvidia-h100-sxm --date 2025-06-01 --to CN --end-user \"Moore Thread\" --json");
  ASSERT_EQ(misspelt.exit_code, 0) << misspelt.err;
  EXPECT_TRUE(Has(misspelt.out, "\"matched\": \"Moore Threads\"")) << misspelt.out;
  EXPECT_TRUE(Has(misspelt.out, "\"score\": 0.9")) << misspelt.out;
  EXPECT_TRUE(Has(misspelt.out, "\"citation\": \"88 FR 71991\""));
}

TEST(EndUserCli, ScreeningListsInCsvAndJson) {
  auto csv = RunCeiling(
      "classify nvidia-h20 --date 2025-06-01 --to SG --end-user \"Example Advanced Computing\" "
      "--screening-list tests/cases/rules/lists/csl-sample.csv --no-trace");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_TRUE(Has(csv.out,
                  "License required  YES, required by the Entity List row \"Example "
                  "Advanced Computing Co., Ltd.\" (TEST-FR-0001)"))
      << csv.out;
  EXPECT_TRUE(Has(csv.out,
                  "screened against the bundled Entity List entries and "
                  "tests/cases/rules/lists/csl-sample.csv (3 rows)"));
  auto json = RunCeiling(
      "classify nvidia-h20 --date 2025-06-01 --to SG --end-user \"Example Tensor Systems\" "
      "--screening-list tests/cases/rules/lists/csl-sample.json --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(Has(json.out, "\"license_required\": \"yes\""));
  EXPECT_TRUE(Has(json.out, "\"from\": \"user-list\""));
}

TEST(EndUserCli, OwnersAndTheAffiliatesRule) {
  auto r = RunCeiling(
      "classify nvidia-h20 --date 2025-10-15 --to SG --end-user \"Acme Compute\" --owner "
      "\"Moore Threads=60%\" --no-trace");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "the end user is its affiliate")) << r.out;
  auto suspended = RunCeiling(
      "classify nvidia-h20 --date 2026-01-05 --to SG --end-user \"Acme Compute\" --owner "
      "\"Moore Threads=60%\" --no-trace");
  ASSERT_EQ(suspended.exit_code, 0) << suspended.err;
  EXPECT_TRUE(Has(suspended.out, "License required  no"));
  EXPECT_TRUE(Has(suspended.out, "is suspended on 2026-01-05"));
}

TEST(EndUserCli, BadEndUserInputExitsTwoWithOneLine) {
  struct {
    const char* args;
    const char* message;
  } cases[] = {
      {"classify nvidia-h20 --date 2025-06-01 --to CN --end-user Acme --owner X=160%",
       "--owner: \"X=160%\": the share must be a percentage from 0 to 100"},
      {"classify nvidia-h20 --date 2025-06-01 --to CN --owner X=60%",
       "--owner: owners need an end user (the party screened)"},
      {"classify nvidia-h20 --date 2025-06-01 --to CN --end-user Acme --owner \"A=10%>Nobody\"",
       "--owner: \"A=10%>Nobody\": \"Nobody\" is neither the end user nor another owner"},
      {"classify nvidia-h20 --date 2025-06-01 --to CN --end-user Acme --screening-list "
       "no-such-list.csv",
       "no-such-list.csv: no such file"},
      {"classify nvidia-h20 --date 2025-06-01 --to CN --end-user Acme --screening-list "
       "tests/cases/screening_malformed/csv-row-field-count.csv",
       "tests/cases/screening_malformed/csv-row-field-count.csv:3:1: row has 3 fields, the header "
       "has 29"},
      // An empty shell variable must not turn screening off without a word.
      {"classify nvidia-h20 --date 2025-06-01 --to CN --end-user \"\"",
       "--end-user: is empty: give a value, or leave the option out"},
      {"classify \"\" --date 2025-06-01 --to CN", "CHIP: is required"},
      {"classify nvidia-h20 --date 2025-06-01 --to CN --end-user \"   \"",
       "--end-user: has no letters or digits to screen"},
  };
  for (const auto& c : cases) {
    auto r = RunCeiling(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_EQ(r.err.find("end_user"), std::string::npos) << "a library field name: " << r.err;
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_TRUE(Has(r.err, c.message)) << c.args << "\n" << r.err;
    EXPECT_EQ(Lines(r.err), 1) << c.args << "\n" << r.err;
  }
}

// A name that shares the leading word of a bundled Entity List row is a possible match for
// review, even far below the match score: the bundled rows record a listed parent (Huawei
// Technologies Co., Ltd.), not each affiliate listed with it (Huawei Cloud Computing
// Technologies was added on 2020-08-17).
TEST(EndUserCli, ASharedLeadingWordIsAPossibleMatchNotAClear) {
  auto r = RunCeiling("--width 0 classify nvidia-h20 --date 2025-10-15 --to SG --end-user "
                      "\"Huawei Cloud\" --no-trace");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "no match on the lists screened; 1 possible match to review")) << r.out;
  EXPECT_TRUE(Has(r.out, "shares the word \"huawei\" with \"Huawei Technologies Co., Ltd.\""))
      << r.out;
  auto j = RunCeiling("classify nvidia-h20 --date 2025-10-15 --to SG --end-user \"Huawei Cloud\" "
                      "--no-trace --json");
  EXPECT_TRUE(Has(j.out, "\"shared_word\": \"huawei\"")) << j.out;
  // A place or a common word at the front of a row is not a reason ("Beijing Academy of ...").
  auto place = RunCeiling("--width 0 classify nvidia-h20 --date 2025-10-15 --to SG --end-user "
                          "\"Beijing Foods Ltd\" --no-trace");
  EXPECT_FALSE(Has(place.out, "shares the word")) << place.out;
  EXPECT_TRUE(Has(place.out, "no match on the lists screened\n")) << place.out;
}

// Acceptance: an H200 to China on 2026-01-20 shows the US side and the import side.
TEST(EndUserCli, ClassifyShowsBothSides) {
  auto r = RunCeiling("classify nvidia-h200-sxm --date 2026-01-20 --to CN --no-trace");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "Review policy     case-by-case (us-2026-01-cbc/case-by-case)"));
  EXPECT_TRUE(Has(r.out, "revenue share 25%"));
  EXPECT_TRUE(Has(r.out, "Import side: China"));
  EXPECT_TRUE(Has(r.out, "verdict         blocked (reported)"));
  EXPECT_TRUE(Has(r.out, "Data checked      rule data last checked"));
}

TEST(EndUserCli, TimelineHasItsOwnImportSection) {
  auto r = RunCeiling("timeline nvidia-h200-sxm --to CN");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto us = r.out.find("2026-01-15");
  const auto import = r.out.find("Import side: China");
  ASSERT_NE(import, std::string::npos) << r.out;
  EXPECT_LT(us, import);
  EXPECT_TRUE(Has(r.out.substr(import), "2026-01-14  blocked (reported)"));
  EXPECT_TRUE(Has(r.out.substr(import), "because: 2026-01-14~ cn-2026-01-customs-h200"));
  auto json = RunCeiling("timeline nvidia-h200-sxm --to CN --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(Has(json.out, "\"import_side\""));
  auto sg = RunCeiling("timeline nvidia-h200-sxm --to SG");
  EXPECT_FALSE(Has(sg.out, "Import side"));
}

TEST(EndUserCli, RulesStatusListsEveryPartWithItsCheckedDate) {
  auto r = RunCeiling("rules status");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part :
       {"rule", "measure", "entity-notice", "affiliates-rule", "import-measure", "country-group",
        "us-2025-01-aid", "2026-12-01", "1 primary", "Rule data last checked 2026-11-29",
        "huawei-ascend-910d", "nvidia-rtx-pro-6000d"})
    EXPECT_TRUE(Has(r.out, part)) << part;
  auto json = RunCeiling("rules status --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(Has(json.out, "\"data_checked\": \"2026-11-29\""));
  EXPECT_TRUE(Has(json.out, "\"kind\": \"import-measure\""));
}

}  // namespace
}  // namespace ceiling
