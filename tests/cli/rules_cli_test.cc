// End-to-end tests of the rule-engine subcommands: output shape, JSON fields, exit codes,
// one-line diagnostics, atomic output files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <nlohmann/json.hpp>

#include "cli/run.h"

namespace ceiling {
namespace {

bool Has(const std::string& s, const std::string& part) { return HasPhrase(s, part); }
int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// Acceptance: the H20 on 2025-05-01 needs a license by the product-specific measure, and the
// trace shows TPP 2368 and PD 2.91 failing every 3A090 clause.
TEST(RulesCli, H20JsonNamesTheMeasureAndTheTraceShowsEveryFailure) {
  auto r = RunCeiling("classify nvidia-h20 --date 2025-05-01 --to CN --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* field : {"\"controls\": []", "\"license_required\": \"yes\"", "\"exceptions\": []",
                            "\"review_policy\": \"not-published\"", "\"measures\"", "\"trace\"",
                            "\"rules\"", "\"id\": \"us-2025-04-h20-letter/h20-letter\"",
                            "\"citation\": \"NVIDIA Form 8-K of 2025-04-15"})
    EXPECT_TRUE(Has(r.out, field)) << field;
  for (const char* clause : {"us-2023-10-acs/3A090.a.1", "us-2023-10-acs/3A090.a.2",
                             "us-2023-10-acs/3A090.b.1", "us-2023-10-acs/3A090.b.2"}) {
    const auto at = r.out.find(std::string("\"clause\": \"") + clause + "\"");
    ASSERT_NE(at, std::string::npos) << clause;
    const auto outcome = r.out.find("\"outcome\": \"false\"", at);
    const auto next = r.out.find("\"clause\": ", at + 1);
    EXPECT_LT(outcome, next) << clause << " should be false";
  }
  EXPECT_TRUE(Has(r.out, "\"lhs_value\": 2368.0")) << "TPP 2368 in the trace";
  EXPECT_TRUE(Has(r.out, "\"rhs\": \"pd_a\"")) << "PD against 5.92";
  EXPECT_TRUE(Has(r.out, "\"evaluated\": \"tpp 2,368 >= tpp_a 4,800\""));
  EXPECT_TRUE(Has(r.out, "\"evaluated\": \"market \\\"datacenter\\\" != \\\"datacenter\\\"\""))
      << "a string comparison shows the chip's value";
  auto text = RunCeiling("classify nvidia-h20 --date 2025-05-01 --to CN");
  EXPECT_TRUE(Has(text.out, "tpp 2,368 >= tpp_a 4,800: false"));
  EXPECT_TRUE(Has(text.out, "pd 2.91 >= pd_a 5.92: false"));
  EXPECT_TRUE(Has(text.out, "License required  YES, required by product-specific measure"));
}

TEST(RulesCli, ClassifyTextIsReadable) {
  auto r = RunCeiling("classify nvidia-h100-sxm --date 2024-01-01 --to SG --hq CN --no-trace");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "Controls          3A090.a.1, 3A090.a.2, 4A090.a"));
  EXPECT_TRUE(Has(r.out, "License required  YES, required by us-2023-10-acs/lic-hq"));
  EXPECT_TRUE(Has(r.out, "Review policy     presumption of denial"));
  EXPECT_FALSE(Has(r.out, "Trace"));
}

// Issue 13: a chip with disputed figures is classified under every source; JSON and text say so,
// and a chip without alternatives keeps exactly its previous output (no new field).
TEST(RulesCli, DisputedFiguresInJsonAndText) {
  auto j = RunCeiling("classify huawei-ascend-910b --date 2024-06-01 --to CN --json");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  for (const char* field :
       {"\"disputed_figures\"", "\"agreement\": \"depends\"", "\"robust\": false",
        "\"label\": \"Epoch's low end\"", "\"figure\": \"throughput.fp16\"",
        "\"alternative\": \"220 TFLOP/s\"", "\"trace_differences\"", "\"code\": \"b LIC deny +NAC\"",
        "\"verdict\": \"depends on the source: 3A090.a, 4A090.a, no exception under as recorded"})
    EXPECT_TRUE(Has(j.out, field)) << field;
  auto t = RunCeiling("classify huawei-ascend-910b --date 2024-06-01 --to CN");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_TRUE(Has(t.out, "Disputed figures  DEPENDS ON THE SOURCE"));
  EXPECT_TRUE(Has(t.out, "Trace under each other source"));
  auto plain = RunCeiling("classify nvidia-h100-sxm --date 2024-06-01 --to CN --json");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_FALSE(Has(plain.out, "disputed_figures"));
  auto plain_text = RunCeiling("classify nvidia-h100-sxm --date 2024-06-01 --to CN");
  EXPECT_FALSE(Has(plain_text.out, "Disputed figures"));
}

TEST(RulesCli, ShowListsTheMetricsUnderEachSource) {
  auto r = RunCeiling("show huawei-ascend-910c");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "Disputed figures: metrics under each source"));
  EXPECT_TRUE(Has(r.out, "Tom's Hardware         TPP 12,800, PD 19.23"));
  EXPECT_TRUE(Has(r.out, "disputed: count 1 under \"Tom's Hardware\" [toms-910c]"));
}

TEST(RulesCli, ClassifyAChipFile) {
  auto r = RunCeiling("classify tests/cases/rules/chips/two-die.toml --date 2024-06-01 --to CN");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "3A090.b.1, 3A090.b.2, 4A090.b"));
}

TEST(RulesCli, CannotDecideIsAResultNotAnError) {
  auto r = RunCeiling("classify tests/cases/rules/chips/all-planar.toml --date 2024-06-01 --to CN");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "CANNOT DECIDE"));
  EXPECT_TRUE(Has(r.out, "PD unknown because die area unknown: no logic die on a non-planar node"));
}

TEST(RulesCli, DateBeforeTheFirstRule) {
  auto r = RunCeiling("classify nvidia-a100-sxm-80gb --date 2021-01-01 --to CN --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "\"before_first_rule\": true"));
  EXPECT_TRUE(Has(r.out, "\"license_required\": \"no\""));
}

TEST(RulesCli, BadInputExitsTwoWithOneLine) {
  struct {
    const char* args;
    const char* message;
  } cases[] = {
      {"classify nvidia-h20 --date 2025-05-01 --to China",
       "--to: unknown country code \"China\"; did you mean CN (China)?"},
      {"classify nvidia-h20 --date 2025-05-01 --to CN --hq XX",
       "--hq: unknown country code \"XX\""},
      {"classify nvidia-h20 --date 2025-13-01 --to CN", "--date: no such date: \"2025-13-01\""},
      {"classify nvidia-h20 --to CN", "--date is required"},
      {"classify nvidia-h20 --date 2025-05-01", "--to is required"},
      {"classify nvidia-h2 --date 2025-05-01 --to CN", "unknown chip \"nvidia-h2\""},
      {"classify nvidia-h20 --date 2025-05-01 --to CN --set tpp_x=1",
       "--set: tpp_x: unknown parameter; did you mean \"tpp_a\"?"},
      {"classify nvidia-h20 --date 2025-05-01 --to CN --set dram_bw_cbc=7000",
       "dram_bw_cbc is a bandwidth; write the value with a unit"},
      {"classify nvidia-h20 --date 2025-05-01 --to CN --set tpp_a",
       "--set: expected NAME=VALUE, got \"tpp_a\""},
      {"rules show us-2023-10", "unknown rule \"us-2023-10\"; did you mean us-2023-10-acs"},
      {"whatif", "--set: what-if needs a parameter override or an added rule"},
      {"timeline nvidia-h20 --date 2024-01-01", "not expected: 2024-01-01 --date"},
  };
  for (const auto& c : cases) {
    auto r = RunCeiling(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_TRUE(Has(r.err, c.message)) << c.args << "\n" << r.err;
    EXPECT_EQ(Lines(r.err), 1) << c.args << "\n" << r.err;
  }
}

TEST(RulesCli, BadRuleFileShowsFileLineColumnAndCaret) {
  auto r = RunCeiling("whatif --rules tests/cases/rules_malformed/condition-incomplete.toml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Has(r.err, "condition-incomplete.toml:19:30: clause[0].condition: expected a value "
                         "or '(', got end of condition\n"
                         "  condition = \"tpp >= tpp_x and\"\n"
                         "                               ^\n"))
      << r.err;
}

TEST(RulesCli, Timeline) {
  auto r = RunCeiling("timeline nvidia-h20");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "2025-04-09  outside 3A090; license required (product-specific measure)"));
  EXPECT_TRUE(Has(r.out, "because: us-2025-04-h20-letter takes effect"));
  EXPECT_TRUE(Has(r.out, "2025-08-11"));
  auto a800 = RunCeiling("timeline nvidia-a800-sxm --json");
  ASSERT_EQ(a800.exit_code, 0) << a800.err;
  EXPECT_TRUE(Has(a800.out, "\"from\": \"2023-11-17\""));
}

// A change's lists read as words: "none" for an empty one, commas between items (they were
// "[]" and "[3A090.a 4A090.a]", brackets a reader had to decode).
TEST(RulesCli, TimelineListsChangesInWords) {
  auto r = RunCeiling("timeline amd-mi308x --to CN --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "\"undecided paragraphs: none -> 3A090.a, 4A090.a\"")) << r.out;
  EXPECT_TRUE(Has(r.out, "\"exceptions: none -> NAC?\"")) << r.out;
  EXPECT_TRUE(Has(r.out, "\"exceptions: NAC? -> none\"")) << r.out;
  EXPECT_FALSE(Has(r.out, "[] ->")) << r.out;
  EXPECT_FALSE(Has(r.out, "-> []")) << r.out;
}

// Acceptance: the matrix shows A800/H800 going from free (2022) to controlled (2023).
TEST(RulesCli, MatrixShowsA800AndH800Flip) {
  auto r = RunCeiling("matrix --to CN");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* chip : {"nvidia-a800-sxm", "nvidia-h800-sxm"}) {
    const auto at = r.out.find(std::string(chip) + " ");
    ASSERT_NE(at, std::string::npos) << chip;
    const std::string row = r.out.substr(at, r.out.find('\n', at) - at);
    EXPECT_TRUE(Has(row, " free ")) << row;
    EXPECT_TRUE(Has(row, "a LIC deny")) << row;
    EXPECT_LT(row.find(" free "), row.find("a LIC deny")) << row;
  }
  auto csv = RunCeiling("matrix --to CN --csv --chip nvidia-h20 --chip nvidia-a800-sxm");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("chip,name,us-2022-10-acs,us-2023-10-acs", 0), 0u) << csv.out;
  EXPECT_EQ(Lines(csv.out), 3);
  auto json = RunCeiling("matrix --json --chip nvidia-h20");
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_TRUE(Has(json.out, "\"columns\""));
  // The JSON carries the codes' legend, the same words the text prints under the table.
  const std::string legend = nlohmann::json::parse(json.out)["legend"].get<std::string>();
  EXPECT_TRUE(Has(legend, "(EL) by the end-user controls")) << legend;
  EXPECT_TRUE(Has(r.out, "\nCells: " + legend.substr(0, 40))) << r.out;
}

TEST(RulesCli, RulesListShowDiff) {
  auto list = RunCeiling("rules list");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const char* id : {"us-2022-10-acs", "us-2023-10-acs", "us-2024-04-nac-aca", "us-2024-12-hbm",
                         "us-2025-01-aid", "us-2025-04-h20-letter", "us-2025-08-h20-licensing",
                         "us-2026-01-cbc"})
    EXPECT_TRUE(Has(list.out, id)) << id;
  EXPECT_TRUE(Has(list.out, "not enforced from 2025-05-13"));
  auto show = RunCeiling("rules show us-2026-01-cbc");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_TRUE(Has(show.out, "91 FR 1684"));
  EXPECT_TRUE(Has(show.out, "dram_bw_cbc"));
  EXPECT_TRUE(Has(show.out, "6500 GB/s"));
  auto secondary = RunCeiling("rules show us-2025-08-h20-licensing");
  EXPECT_TRUE(Has(secondary.out, "SECONDARY SOURCES ONLY"));
  auto diff = RunCeiling("rules diff us-2022-10-acs us-2023-10-acs");
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_TRUE(Has(diff.out, "supersedes us-2022-10-acs"));
  EXPECT_TRUE(Has(diff.out, "nvidia-a800-sxm"));
  EXPECT_TRUE(Has(diff.out, "nvidia-h800-sxm"));
  EXPECT_TRUE(Has(diff.out, "\nbefore, after: a/b/c = 3A090.a/.b/.c met")) << "the codes' legend";
  auto json = RunCeiling("rules show us-2023-10-acs --json");
  EXPECT_TRUE(Has(json.out, "\"secondary\": true"));
}

TEST(RulesCli, WhatIf) {
  auto r = RunCeiling("whatif --set tpp_a=2000 --date 2024-06-01 --to CN");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "nvidia-h20")) << r.out;
  EXPECT_TRUE(Has(r.out, "\nbefore, after: a/b/c = 3A090.a/.b/.c met")) << "the codes' legend";
  auto none = RunCeiling("whatif --set tpp_a=4800 --date 2024-06-01");
  EXPECT_TRUE(Has(none.out, "Chips whose classification changes: 0 of"));
  // The what-if's rule book is a copy: a measure in force on both sides is not a change
  // (it once read "+measure us-2025-04-h20-letter/h20-letter; -measure us-2025-04-...").
  auto late = RunCeiling("--width 0 whatif --set tpp_b1=2000 --date 2025-09-01 --to CN");
  ASSERT_EQ(late.exit_code, 0) << late.err;
  const auto h20 = late.out.find("\nnvidia-h20 ");
  ASSERT_NE(h20, std::string::npos) << late.out;
  const std::string row = late.out.substr(h20 + 1, late.out.find('\n', h20 + 1) - h20 - 1);
  EXPECT_FALSE(Has(row, "measure")) << row;
  EXPECT_TRUE(Has(row, "+3A090.b.1")) << row;
  // A change the status codes cannot show (what cannot be decided) is listed and said to be.
  EXPECT_TRUE(Has(late.out, "; the status code stays the same for ")) << late.out;
  auto user = RunCeiling("whatif --rules tests/cases/rules_user/bandwidth-2027.toml --date 2027-01-01 --json");
  ASSERT_EQ(user.exit_code, 0) << user.err;
  EXPECT_TRUE(Has(user.out, "\"chip\": \"nvidia-h20\"")) << user.out;
}

// H20: TPP at 49% of 4,800 and PD at 91% of 3.2 (3A090.b.2).
TEST(RulesCli, Headroom) {
  auto r = RunCeiling("headroom nvidia-h20 --date 2024-06-01");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto a1 = r.out.find("us-2023-10-acs/3A090.a.1");
  ASSERT_NE(a1, std::string::npos);
  EXPECT_TRUE(Has(r.out.substr(a1, r.out.find('\n', a1) - a1), "49%"));
  bool pd91 = false;
  for (std::size_t at = r.out.find("us-2023-10-acs/3A090.b.2"); at != std::string::npos;
       at = r.out.find("us-2023-10-acs/3A090.b.2", at + 1)) {
    const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
    pd91 = pd91 || (Has(line, "pd_b2") && Has(line, "91%"));
  }
  EXPECT_TRUE(pd91) << r.out;
}

TEST(RulesCli, PlotMapWritesSvgAndJsonAtomically) {
  const std::string dir = ::testing::TempDir() + "ceiling-map-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  auto r = RunCeiling("plot map --date 2026-02-01 -o " + dir + "/map.svg");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/map.svg"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/map.json"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/map.svg.tmp"));
  auto bad = RunCeiling("plot map -o " + dir + "/map.png");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir + "/map.png"));
  auto missing_dir = RunCeiling("plot map -o " + dir + "/no/such/dir/map.svg");
  EXPECT_EQ(missing_dir.exit_code, 2);
  EXPECT_EQ(Lines(missing_dir.err), 1) << missing_dir.err;
  std::filesystem::remove_all(dir);
}

TEST(RulesCli, CheckDataCoversRules) {
  auto r = RunCeiling("check-data");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(Has(r.out, "rule versions")) << r.out;
}

}  // namespace
}  // namespace ceiling
