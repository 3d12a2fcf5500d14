// End-to-end tests of `ceiling fleet` through the built binary: the bundled dataset, the what-if
// example of the README, the output formats and bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/run.h"

namespace ceiling {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kBundled = "fleet data/fleets/china-2022-2026.toml";

json Parse(const CliResult& r) {
  json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
  return j;
}

// The acceptance output: totals by quarter and by chip with ranges, each row's license status,
// and the revenue shares owed under the 2025 and 2026 measures.
TEST(FleetCli, BundledDatasetText) {
  const CliResult r = RunCeiling(kBundled);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* want :
       {"By quarter", "By chip", "2024Q3", "2025Q1", "nvidia-h20", "huawei-ascend-910c",
        "License status of each row", "license required (product-specific measure)",
        "us-2025-08-h20-licensing/revenue-share", "us-2026-01-cbc/h200-share", "Time to train",
        "300,000 (200,000 - 300,000)"})
    EXPECT_NE(r.out.find(want), std::string::npos) << want;
  // Every row is classified: the A800 orders of 2023 straddle the October 2023 rule.
  EXPECT_NE(r.out.find("2023-08-09 .. 2023-11-16"), std::string::npos);
  EXPECT_NE(r.out.find("2023-11-17 .. 2023-12-31"), std::string::npos);
}

// A decode yardstick longer than the model's context is one error on --isl, not "?" per chip;
// without the yardsticks nothing is checked.
TEST(FleetCli, YardstickLongerThanTheContextIsRefused) {
  const CliResult r = RunCeiling(std::string(kBundled) + " --model llama-2-13b --isl 8000");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--isl: input 8,000 + output 1,024 = 9,024 tokens exceed the 4,096-token "
                       "context of Llama 2 13B"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(RunCeiling(std::string(kBundled) + " --no-throughput --model llama-2-13b --isl 8000")
                .exit_code,
            0);
}

TEST(FleetCli, BundledDatasetJson) {
  const CliResult r = RunCeiling(std::string(kBundled) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  for (const char* k : {"file", "rows", "chips", "totals", "by_quarter", "by_chip", "by_vendor",
                        "by_buyer", "by_license", "revenue_share", "what_if", "time_to_train"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_GE(j["rows"].size(), 15u);
  for (const json& row : j["rows"]) {
    EXPECT_FALSE(row["sources"].empty()) << row["id"];
    for (const json& s : row["sources"]) {
      EXPECT_FALSE(s["url"].get<std::string>().empty()) << row["id"];
      EXPECT_FALSE(s["title"].get<std::string>().empty()) << row["id"];
      EXPECT_FALSE(s["read"].is_null()) << row["id"];
    }
    if (row["derived"].get<bool>()) {
      EXPECT_FALSE(row["unit_price"]["sources"].empty());
    }
  }
  // Totals carry ranges; the low never exceeds the value, nor the value the high.
  for (const auto& [name, t] : j["totals"].items()) {
    if (name == "rows") continue;
    EXPECT_LE(t["low"].get<double>(), t["value"].get<double>() + 1e-6) << name;
    EXPECT_LE(t["value"].get<double>(), t["high"].get<double>() + 1e-6) << name;
  }
  EXPECT_LT(j["totals"]["units"]["low"].get<double>(), j["totals"]["units"]["high"].get<double>());
  // The 910B's bandwidth and TDP are unknown: reported, not guessed.
  EXPECT_GT(j["totals"]["bandwidth_gbps"]["unknown_units"].get<double>(), 0);
  EXPECT_TRUE(j["what_if"].is_null());
}

TEST(FleetCli, WhatIfH20LetterFrom2024) {
  const CliResult r =
      RunCeiling(std::string(kBundled) + " --rules docs/examples/h20-letter-from-2024.toml --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  const json& w = j["what_if"];
  ASSERT_FALSE(w.is_null());
  // The 2024 H20s and the Q1 FY2026 H20 sales would have needed a license.
  std::vector<std::string> rows = w["rows_needing_license"];
  EXPECT_NE(std::find(rows.begin(), rows.end(), "h20-2024"), rows.end());
  EXPECT_NE(std::find(rows.begin(), rows.end(), "h20-fy26q1-sold"), rows.end());
  // None faces a presumption of denial: the letter's review policy was not published.
  EXPECT_TRUE(w["rows_denied"].empty());
  EXPECT_GT(w["needs_license"]["h100_eq_tpp"]["value"].get<double>(), 0);
  // In the same yardsticks as the totals, and never more than them.
  for (const char* m : {"units", "h100_eq_tpp", "h100_eq_decode", "h100_eq_train"})
    EXPECT_LE(w["needs_license"][m]["value"].get<double>(),
              j["totals"][m]["value"].get<double>() + 1e-6)
        << m;
}

TEST(FleetCli, AsOfAppliesOneDatesRulesToEveryRow) {
  const CliResult r =
      RunCeiling(std::string(kBundled) + " --as-of 2025-05-01 --no-throughput --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = Parse(r);
  EXPECT_EQ(j["what_if"]["description"], "every row under the rules of 2025-05-01");
  for (const json& row : j["rows"])
    for (const json& seg : row["what_if"]["classification"]) {
      EXPECT_EQ(seg["first"], row["first"]);
      EXPECT_EQ(seg["last"], row["last"]);
    }
}

TEST(FleetCli, CsvAndChart) {
  const fs::path dir = fs::path(::testing::TempDir()) / "ceiling-fleet-cli";
  fs::create_directories(dir);
  const std::string svg = (dir / "chart.svg").string();
  const CliResult r = RunCeiling(std::string(kBundled) + " --csv --no-throughput -o " + svg);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("index,id,line,chip,date,first,last,status,kind,counted", 0), 0u);
  std::size_t lines = 0;
  for (char c : r.out) lines += c == '\n' ? 1 : 0;
  EXPECT_EQ(lines, 1u + 18u);  // header + rows
  std::ifstream in(svg);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str().rfind("<svg", 0), 0u);
  EXPECT_NE(ss.str().find("huawei davinci"), std::string::npos);
  EXPECT_NE(ss.str().find("nvidia hopper"), std::string::npos);
}

TEST(FleetCli, BadInputExitsTwoWithOneLine) {
  struct Case {
    std::string args, diagnostic;
  };
  const Case cases[] = {
      {"fleet tests/cases/fleets_malformed/unknown-chip.csv",
       "fleets_malformed/unknown-chip.csv:2:3: chip: unknown chip \"nvidia-h2o\""},
      {"fleet missing.csv", "missing.csv: no such file"},
      {std::string(kBundled) + " --train-tp 3", "--train-gpus: 64 GPUs do not split into tp 3"},
      {std::string(kBundled) + " --count shipped,sold", "--count: expected shipped, produced"},
      {std::string(kBundled) + " --as-of 2025-13-01", "--as-of: no such date"},
      {std::string(kBundled) + " --set tpp_a", "--set: expected NAME=VALUE"},
      {std::string(kBundled) + " --set nope=1", "--set: nope: unknown parameter"},
      {std::string(kBundled) + " --model gpt-9", "--model: unknown model \"gpt-9\""},
      {std::string(kBundled) + " --train-model llama-3.1-8b",
       "--train-tokens: a token count is required with a model"},
      {std::string(kBundled) + " --json --csv", "--json excludes --csv"},
      // The unit of every H100-equivalent must have a TPP; a typo gets suggestions.
      {std::string(kBundled) + " --reference amd-mi308x",
       "--reference: amd-mi308x has no TPP in the catalog"},
      {std::string(kBundled) + " --reference nvidia-h1",
       "--reference: unknown chip \"nvidia-h1\"; did you mean"},
      {std::string(kBundled) + " --model llama-3.1-7b", "did you mean \"llama-3.1-70b\"?"},
  };
  for (const Case& c : cases) {
    const CliResult r = RunCeiling(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.out << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args;
    EXPECT_NE(r.err.find(c.diagnostic), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.args << "\n" << r.err;
  }
}

// Without the throughput yardsticks no unit has an H100-equivalent by decode: the total is "?",
// as in the quarter tables, not 0.
TEST(FleetCli, ATotalNoUnitHasIsUnknownNotZero) {
  const CliResult r = RunCeiling(std::string(kBundled) + " --no-throughput");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto at = r.out.find("\nH100-eq (decode) ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string row = r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
  char value[16] = {};
  ASSERT_EQ(std::sscanf(row.c_str(), "H100-eq (decode) %15s", value), 1) << row;
  EXPECT_STREQ(value, "?") << row;
}

TEST(FleetCli, FailedRunWritesNoChart) {
  const fs::path dir = fs::path(::testing::TempDir()) / "ceiling-fleet-cli-fail";
  fs::create_directories(dir);
  const fs::path svg = dir / "none.svg";
  fs::remove(svg);
  const CliResult r =
      RunCeiling("fleet tests/cases/fleets_malformed/unknown-country.csv -o " + svg.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(fs::exists(svg));
}

}  // namespace
}  // namespace ceiling
