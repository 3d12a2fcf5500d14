// End-to-end tests of the `ceiling` binary: exit codes, one-line diagnostics, output shape.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "ceiling/base/units.h"
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

// A vendor no chip has is named, with the list, not answered with an empty table.
TEST(Cli, UnknownVendorIsAnError) {
  auto r = RunCeiling("chips --vendor NVIDIA");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--vendor: no chip of vendor \"NVIDIA\"; the vendors are amd,"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(RunCeiling("chips --vendor nvidia").exit_code, 0);
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

// Help fits the terminal as the rest of the text output does: descriptions are broken under
// their column at --width (100 by default; from 50 columns up), and --width 0 leaves them on
// one line.
TEST(Cli, HelpFitsTheWidth) {
  auto longest = [](const std::string& text) {
    std::size_t at = 0, most = 0;
    while (at < text.size()) {
      std::size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      most = std::max(most, end - at);
      at = end + 1;
    }
    return most;
  };
  for (const char* args : {"--help", "--help-all", "perf serve --help", "design --help"}) {
    auto r = RunCeiling(args);
    ASSERT_EQ(r.exit_code, 0) << args;
    EXPECT_LE(longest(r.out), 100u) << args;
  }
  // A continued description starts under its column (30, and 2 more per level of nesting);
  // narrow terminals get a narrower name column, and a longer name puts its description below.
  struct Case {
    const char* args;
    std::size_t width;
    std::string continued;
  } cases[] = {
      {"--width 80 --help-all", 80, "\n" + std::string(32, ' ') + "sglang or trtllm (default:"},
      {"--width 50 perf serve --help", 50,
       "  --chip TEXT REQUIRED\n" + std::string(16, ' ') + "Catalog id"},
  };
  for (const Case& c : cases) {
    auto r = RunCeiling(c.args);
    ASSERT_EQ(r.exit_code, 0) << c.args;
    EXPECT_LE(longest(r.out), c.width) << c.args;
    EXPECT_NE(r.out.find(c.continued), std::string::npos) << c.args << "\n" << r.out;
  }
  auto unlimited = RunCeiling("--width 0 perf serve --help");
  ASSERT_EQ(unlimited.exit_code, 0);
  EXPECT_GT(longest(unlimited.out), 100u);
}

// An output path that cannot be written is refused before the work that fills it (validate
// takes seconds, a design search longer), with one line, and nothing is written.
TEST(Cli, UnwritableOutputsAreRefusedFirst) {
  struct Case {
    const char* args;
    const char* message;
  } cases[] = {
      {"validate --dump /nonexistent-ceiling/d.csv",
       "/nonexistent-ceiling/d.csv: cannot write: no such folder /nonexistent-ceiling"},
      {"report nvidia-h20 --to CN -o /nonexistent-ceiling/x.html", "no such folder"},
      {"fleet data/fleets/china-2022-2026.toml -o /nonexistent-ceiling/f.svg", "no such folder"},
      {"design --base nvidia-h100-sxm --date 2024-06-01 --to CN --model llama-3.1-8b "
       "--save /tmp/ceiling-design.svg",
       "--save: the design is a chip file (TOML): give a file name ending in .toml"},
      // An empty path is an unset shell variable, not a choice: `--dump ""` wrote nothing and
      // said nothing, `serve --host ""` listened on every interface instead of loopback.
      {"validate --dump \"\"", "--dump: is empty: give a value, or leave the option out"},
      {"report nvidia-h20 --to CN -o \"\"", "--output: is empty"},
      {"fleet data/fleets/china-2022-2026.toml -o \"\"", "--output: is empty"},
      {"design --base nvidia-h100-sxm --date 2024-06-01 --to CN --model llama-3.1-8b --save \"\"",
       "--save: is empty"},
      {"design --base nvidia-h100-sxm --date 2024-06-01 --to CN --model llama-3.1-8b -o \"\"",
       "--output: is empty"},
      {"--data \"\" chips", "--data: is empty"},
      {"serve --host \"\"", "--host: is empty"},
      {"serve --cors \"\"", "--cors: is empty"},
  };
  for (const Case& c : cases) {
    auto r = RunCeiling(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "") << c.args;
  }
}

// A written file is confirmed on standard error with its size, so the results on standard output
// stay what they were (report -o once wrote the dossier without a word).
TEST(Cli, WrittenFilesAreConfirmed) {
  const std::string path = testing::TempDir() + "ceiling-wrote-test.html";
  auto r = RunCeiling("report nvidia-h20 --to CN --date 2025-09-01 -o " + path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  ASSERT_FALSE(ec) << path;
  EXPECT_EQ(r.err, fmt::format("wrote {} ({} bytes)\n", path, FormatFixed(size, 0)));
  std::filesystem::remove(path, ec);
}

// A small figure keeps its digits: 4 clients on 100,000 GPUs are 0.0045 tokens/s per GPU, not 0.0.
TEST(Cli, SmallFiguresAreNotRoundedToZero) {
  auto r = RunCeiling("perf serve --chip nvidia-h20 --model llama-3.1-70b --gpus 100000 "
                      "--concurrency 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto at = r.out.find("output tokens/s per GPU");
  ASSERT_NE(at, std::string::npos) << r.out;
  double v = 0, lo = 0, hi = 0;
  ASSERT_EQ(std::sscanf(r.out.c_str() + at, "output tokens/s per GPU %lf %lf - %lf", &v, &lo, &hi),
            3)
      << r.out.substr(at, 80);
  EXPECT_GT(v, 0);
  EXPECT_GT(lo, 0);
  EXPECT_LT(lo, v);
  EXPECT_GT(hi, v);
}

TEST(Cli, BadOptionsExitTwo) {
  EXPECT_EQ(RunCeiling("chips --market cloud").exit_code, 2);
  EXPECT_EQ(RunCeiling("chips --sort nonsense").exit_code, 2);
  EXPECT_EQ(RunCeiling("frobnicate").exit_code, 2);
  EXPECT_EQ(RunCeiling("--help").exit_code, 0);
}

// Every server setting out of range is refused before anything listens, naming the flag as typed
// (`--max-body 0` once said "--max_body", the library's field name).
TEST(Cli, ServeRefusesSettingsOutOfRange) {
  struct Case {
    const char* args;
    const char* message;
  } cases[] = {
      {"serve --port 70000", "--port: must be 0 to 65535"},
      {"serve --threads 5000", "--threads: must be 0 to 4096"},
      {"serve --computing -1", "--computing: must be 0 to 4096"},
      {"serve --cache-mb 70000", "--cache-mb: must be 0 to 65536 MiB"},
      {"serve --deadline 0", "--deadline: must be more than 0 and at most 86400 seconds"},
      {"serve --deadline nan", "--deadline: must be more than 0"},
      {"serve --max-body 0", "--max-body: must be 1 KiB to 256 MiB"},
      {"serve --max-body 1000000000", "--max-body: must be 1 KiB to 256 MiB"},
  };
  for (const Case& c : cases) {
    auto r = RunCeiling(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(r.err.find('_'), std::string::npos) << "a library field name: " << r.err;
    EXPECT_EQ(r.out, "") << c.args;
  }
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
