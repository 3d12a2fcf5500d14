// End-to-end tests of `ceiling design` and `ceiling capability` through the built binary.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/run.h"

namespace ceiling {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json Parse(const CliResult& r) {
  json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
  return j;
}

const char* kH20Move =
    "design --base nvidia-h100-sxm --date 2024-06-01 --to CN --require no-license "
    "--objective decode --model deepseek-r1 --sla-tpot 50 --compare nvidia-h20";

TEST(DesignCli, JsonKeepsTheInterfaceNames) {
  const CliResult r = RunCeiling(std::string(kH20Move) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  for (const char* k : {"best", "front", "compare", "evaluated", "budget_exhausted"})
    EXPECT_TRUE(j.contains(k)) << k;
  const json& best = j["best"];
  for (const char* k : {"id", "derived_from", "metrics", "objective", "binding_clause", "headroom"})
    EXPECT_TRUE(best.contains(k)) << k;
  EXPECT_EQ(best["derived_from"], "nvidia-h100-sxm");
  EXPECT_EQ(best["binding_clause"]["id"], "us-2023-10-acs/3A090.b.1");
  const double tpp = best["metrics"]["tpp"]["value"].get<double>();
  EXPECT_LT(tpp, 2400);
  EXPECT_GE(tpp, 2400 * 0.95);
  const double best_decode = best["objective"]["decode"]["value"].get<double>();
  const double h20_decode = j["compare"]["objective"]["decode"]["value"].get<double>();
  EXPECT_GE(best_decode, h20_decode);
  EXPECT_NEAR(j["compare"]["distance"]["objective_ratio"]["decode"].get<double>(),
              h20_decode / best_decode, 1e-9);
  EXPECT_FALSE(j["budget_exhausted"].get<bool>());
  EXPECT_GT(j["evaluated"].get<int>(), 0);
}

TEST(DesignCli, TextNamesTheBindingClause) {
  const CliResult r = RunCeiling(kH20Move);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("binding clause: us-2023-10-acs/3A090.b.1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Compared with nvidia-h20"), std::string::npos);
}

TEST(DesignCli, SavedDesignIsAnOrdinaryChipFile) {
  const fs::path dir = fs::path(::testing::TempDir()) / "ceiling-design-save";
  fs::create_directories(dir);
  const std::string chip = (dir / "best.toml").string();
  const std::string svg = (dir / "front.svg").string();
  const CliResult r = RunCeiling(std::string(kH20Move) + " --save " + chip + " -o " + svg);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(chip));
  std::ifstream in(svg);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str().rfind("<svg", 0), 0u);
  EXPECT_NE(ss.str().find("3A090.b.1"), std::string::npos) << "the binding TPP line is drawn";

  const CliResult show = RunCeiling("show " + chip + " --json");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(Parse(show)["derived_from"], "nvidia-h100-sxm");
  const CliResult cls = RunCeiling("classify " + chip + " --date 2024-06-01 --to CN --json");
  ASSERT_EQ(cls.exit_code, 0) << cls.err;
  EXPECT_EQ(Parse(cls)["license_required"], "no");
  const CliResult perf =
      RunCeiling("perf serve --chip " + chip + " --model deepseek-r1 --sla-tpot 50 --json");
  ASSERT_EQ(perf.exit_code, 0) << perf.err;
  EXPECT_TRUE(Parse(perf)["sla"]["met"].get<bool>());
}

TEST(DesignCli, InfeasibleIsAResultThatNamesTheClause) {
  const CliResult r = RunCeiling(
      "design --base nvidia-h100-sxm --date 2024-06-01 --to CN --require not-3a090 "
      "--model llama-3.1-8b --set tpp_a=1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  EXPECT_FALSE(j["feasible"].get<bool>());
  EXPECT_TRUE(j["best"].is_null());
  EXPECT_EQ(j["binding_everywhere"], "us-2023-10-acs/3A090.a.1");
}

struct BadCase {
  const char* args;
  const char* message;
};

class DesignCliBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(DesignCliBadInput, FailsWithOneLine) {
  const CliResult r = RunCeiling(GetParam().args);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find(GetParam().message), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DesignCliBadInput,
    ::testing::Values(
        BadCase{"design --base nvidia-h100-sxm --date 2024-06-01 --to CN --model deepseek-r1 "
                "--require free",
                "--require: expected no-license, not-3a090, exception-eligible or case-by-case"},
        BadCase{"design --base nvidia-h100-sxm --date 2024-06-01 --to CN --model deepseek-r1 "
                "--objective speed",
                "--objective: expected decode, prefill or train"},
        BadCase{"design --base nvidia-h100 --date 2024-06-01 --to CN --model deepseek-r1",
                "did you mean"},
        BadCase{"design --base nvidia-h100-sxm --date 2024-06-01 --to XX --model deepseek-r1",
                "--to: unknown country code"},
        BadCase{"design --base nvidia-h100-sxm --to CN --model deepseek-r1", "--date is required"},
        BadCase{"design --base nvidia-h100-sxm --date 2024-06-01 --to CN --model deepseek-r1 "
                "--max-tdp 100",
                "--max-tdp: "},
        BadCase{"design --base nvidia-h100-sxm --date 2024-06-01 --to CN --model deepseek-r1 "
                "--max-tdp \"100 W\"",
                "no TDP value within it"},
        BadCase{"design --base nvidia-h100-sxm --date 2024-06-01 --to CN --model deepseek-r1 "
                "--market consumer",
                "has no such market value"},
        BadCase{"design --base amd-mi308x --date 2024-06-01 --to CN --model deepseek-r1",
                "no default design space"},
        BadCase{"capability --date 2024-06-01 --to CN --model llama-3.1-8b "
                "--objective decode,prefill",
                "--objective: capability takes one objective"}));

TEST(DesignCli, MalformedDesignFileIsLocated) {
  const fs::path file = fs::path(::testing::TempDir()) / "ceiling-empty-units.toml";
  std::ofstream(file) << "id = \"x\"\ntitle = \"x\"\nbase = \"nvidia-h100-sxm\"\n"
                         "products = [\"nvidia-h100-sxm\"]\n[knobs]\n"
                         "units = { min = 8, max = 4, step = 2 }\n";
  const CliResult r = RunCeiling("design --base nvidia-h100-sxm --design " + file.string() +
                                 " --date 2024-06-01 --to CN --model deepseek-r1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ceiling-empty-units.toml:6:"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CapabilityCli, OneRowPerDieAndTheChangeBetweenDates) {
  const CliResult r = RunCeiling(
      "capability --date 2023-06-01 --date 2024-06-01 --to CN --model llama-3.1-8b --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  ASSERT_EQ(j["settings"].size(), 2u);
  ASSERT_GT(j["rows"].size(), 10u);
  bool saw_gh100 = false;
  for (const json& row : j["rows"]) {
    ASSERT_EQ(row["cells"].size(), 2u);
    if (row["die"] != "gh100") continue;
    saw_gh100 = true;
    // Under the 2022 rule (2023-06-01) the H800 move keeps all compute; the 2023 rule caps TPP
    // below 2,400 for China.
    EXPECT_GT(row["cells"][0]["tpp"].get<double>(), 15000);
    EXPECT_LT(row["cells"][1]["tpp"].get<double>(), 2400);
    EXPECT_GT(row["cells"][0]["objective"].get<double>(),
              row["cells"][1]["objective"].get<double>());
  }
  EXPECT_TRUE(saw_gh100);
}

// A die on which nothing runs shows 0 with a numbered note that says why (here: the RTX PRO
// 6000's record has only fp4 and fp32 rates), not a search artefact's TPP and binding.
TEST(CapabilityCli, AZeroSaysWhyUnderTheTable) {
  const std::string args =
      "capability --date 2024-06-01 --to CN --model llama-3.1-8b --objective prefill";
  const CliResult r = RunCeiling(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto row = r.out.find("\nGB202 ");
  ASSERT_NE(row, std::string::npos) << r.out;
  const std::string line = r.out.substr(row + 1, r.out.find('\n', row + 1) - row - 1);
  int n = 0;
  ASSERT_EQ(std::sscanf(line.c_str(), "GB202 nvidia-rtx-pro-6000 0 [%d]", &n), 1) << line;
  EXPECT_EQ(line.find("(none)"), std::string::npos) << line;
  const std::string note = "\n[" + std::to_string(n) + "] the performance model needs a";
  EXPECT_NE(r.out.find(note), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nbinding: the clause one step up"), std::string::npos);
  EXPECT_EQ(r.out.find("-design-"), std::string::npos) << "a design's generated id leaks";
  const json j = Parse(RunCeiling(args + " --json"));
  bool saw = false;
  for (const json& x : j["rows"])
    if (x["die"] == "GB202") {
      saw = true;
      EXPECT_EQ(x["cells"][0]["objective"], 0);
      EXPECT_TRUE(x["cells"][0]["note"].get<std::string>().starts_with("the performance model"));
    }
  EXPECT_TRUE(saw);
  // The JSON's legend is the text's, for the web app to show under its table.
  const std::string legend = j["legend"].get<std::string>();
  EXPECT_TRUE(legend.starts_with("binding: the clause one step up")) << legend;
  EXPECT_TRUE(r.out.find(legend.substr(0, 60)) != std::string::npos) << r.out;
}

}  // namespace
}  // namespace ceiling
