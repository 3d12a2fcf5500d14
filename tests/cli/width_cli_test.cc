// The text output of every command fits a 100-column terminal (README, "Using the CLI"): a line
// may be longer only when it is one unbreakable word after its indentation (a URL).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "run.h"

namespace ceiling {
namespace {

class TextWidth : public ::testing::TestWithParam<const char*> {};

TEST_P(TextWidth, EveryLineFitsIn100Columns) {
  const CliResult r = RunCeiling(GetParam());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t begin = 0, lines = 0;
  while (begin < r.out.size()) {
    std::size_t end = r.out.find('\n', begin);
    if (end == std::string::npos) end = r.out.size();
    const std::string line = r.out.substr(begin, end - begin);
    begin = end + 1;
    ++lines;
    std::size_t width = 0;
    for (unsigned char c : line)
      if ((c & 0xC0) != 0x80) ++width;
    if (width <= 100) continue;
    const std::size_t text = line.find_first_not_of(' ');
    EXPECT_EQ(line.find(' ', text), std::string::npos) << "line " << lines << ": " << line;
  }
  EXPECT_GT(lines, 3u);
}

// The commands whose tables were wider than 100 columns before they learned to fit, and the
// reports most used in the README.
INSTANTIATE_TEST_SUITE_P(
    Commands, TextWidth,
    ::testing::Values(
        "chips", "show nvidia-h20", "index", "classify nvidia-h20 --date 2025-05-01 --to CN",
        "timeline nvidia-a100-sxm-80gb --to CN", "matrix", "rules list", "rules status",
        "rules show us-2023-10-acs", "rules diff us-2025-04-h20-letter us-2025-08-h20-licensing",
        "whatif --set pd_b1=1.0 --set tpp_b1=2000 --date 2024-06-01",
        "headroom nvidia-h20 --date 2024-06-01 --to CN",
        "perf serve --chip nvidia-h20 --model deepseek-r1 --gpus 16 --isl 4096 --osl 1536 "
        "--concurrency 64",
        "perf train --chip nvidia-h800-sxm --model deepseek-v3 --gpus 2048 --pp 16 --ep 64 "
        "--global-batch 15360 --seq 4096 --precision fp8 --dualpipe --bf16-moments",
        "compare nvidia-h20 nvidia-h100-sxm nvidia-h200-sxm --model deepseek-r1 --gpus 16 "
        "--isl 4096 --osl 1536 --concurrency 128",
        "design --base nvidia-a100-sxm-80gb --date 2023-06-01 --to CN --objective train "
        "--model llama-3.1-8b --tp 2 --compare nvidia-a800-sxm",
        "capability --date 2023-06-01 --date 2024-06-01 --to CN --model llama-3.1-8b "
        "--objective prefill",
        "fleet data/fleets/china-2022-2026.toml"));

}  // namespace
}  // namespace ceiling

namespace ceiling {
namespace {

TEST(TextWidthFlag, ZeroKeepsEveryColumnOnOneLine) {
  const CliResult r = RunCeiling("--width 0 chips");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("AMD Instinct MI100 32GB PCIe"), std::string::npos);
  EXPECT_EQ(r.out.find("left out"), std::string::npos);
  // At the default the name gives way, and the table says so.
  const CliResult d = RunCeiling("chips");
  EXPECT_EQ(d.out.find("AMD Instinct MI100 32GB PCIe"), std::string::npos);
  EXPECT_NE(d.out.find("(left out to fit 100 columns: name, vendor)"), std::string::npos);
}

TEST(TextWidthFlag, AWiderTerminalGetsWiderLines) {
  const CliResult r = RunCeiling("--width 140 rules status");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t widest = 0, begin = 0;
  while (begin < r.out.size()) {
    const std::size_t end = r.out.find('\n', begin);
    widest = std::max(widest, end - begin);  // ASCII output
    begin = end + 1;
  }
  EXPECT_GT(widest, 100u);
  EXPECT_LE(widest, 140u);
}

TEST(TextWidthFlag, OutOfRangeIsABadInput) {
  for (const char* w : {"5", "-1", "20000"}) {
    const CliResult r = RunCeiling(std::string("--width ") + w + " chips");
    EXPECT_EQ(r.exit_code, 2) << w;
    EXPECT_TRUE(r.out.empty()) << w;
    EXPECT_NE(r.err.find("--width"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace ceiling
