// End-to-end tests of the `ceiling` binary: exit codes, one-line diagnostics, output shape.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "cli/run.h"

namespace ceiling {
namespace {

TEST(Cli, ChipsListsTheCatalog) {
  auto r = RunCeiling("chips");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nvidia-h100-sxm"), std::string::npos);
  auto csv = RunCeiling("chips --csv --vendor nvidia");
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_EQ(csv.out.rfind("id,name,vendor,market,TPP,PD", 0), 0u) << csv.out;
}

TEST(Cli, ShowJsonHasMetricsAndSources) {
  auto r = RunCeiling("show nvidia-h100-sxm --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"tpp\""), std::string::npos);
  EXPECT_NE(r.out.find("\"sources\""), std::string::npos);
}

TEST(Cli, UnknownChipSuggestsAndExitsTwo) {
  auto r = RunCeiling("show nvidia-h100");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("unknown chip \"nvidia-h100\"; did you mean ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("\"nvidia-h100-sxm\""), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(Cli, BadChipFileGivesLocatedDiagnostic) {
  auto r = RunCeiling("show " + std::string(CEILING_SOURCE_DIR) +
                      "/tests/cases/chips_malformed/bare-number.toml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bare-number.toml:23:13: memory.bandwidth: expected a figure"),
            std::string::npos) << r.err;
}

// A flag that turns off what is on by default says so: "--no-trace  Turn off (on by default):
// include the clause-by-clause trace", never the bare description of what it removes.
TEST(Cli, NoFlagsSayTheyTurnSomethingOff) {
  for (const char* sub : {"classify", "fleet", "perf train"}) {
    auto r = RunCeiling(std::string(sub) + " --help");
    ASSERT_EQ(r.exit_code, 0) << sub;
    std::size_t at = 0, flags = 0;
    while ((at = r.out.find("  --no-", at)) != std::string::npos) {
      const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
      EXPECT_NE(line.find("Turn off (on by default): "), std::string::npos) << sub << ": " << line;
      ++flags;
      ++at;
    }
    EXPECT_GT(flags, 0u) << sub;
  }
}

TEST(Cli, BadOptionsExitTwo) {
  EXPECT_EQ(RunCeiling("chips --market cloud").exit_code, 2);
  EXPECT_EQ(RunCeiling("chips --sort nonsense").exit_code, 2);
  EXPECT_EQ(RunCeiling("frobnicate").exit_code, 2);
  EXPECT_EQ(RunCeiling("--help").exit_code, 0);
}

TEST(Cli, CheckDataPassesOnBundledData) {
  auto r = RunCeiling("check-data");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("0 findings"), std::string::npos) << r.out;
}

TEST(Cli, CheckDataFailsOnBrokenData) {
  auto r = RunCeiling("--data " + std::string(CEILING_SOURCE_DIR) + "/tests/cases/bad_data check-data");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
}

}  // namespace
}  // namespace ceiling
