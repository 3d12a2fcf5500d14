// Data-driven: every tests/cases/chips_malformed/NAME.toml must fail to load with exactly the
// diagnostic in NAME.expect. Adding a case needs no C++. Set CEILING_UPDATE_GOLDEN=1 to (re)write
// missing .expect files, then review them by hand.
#include <gtest/gtest.h>

#include "golden.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ceiling/catalog/catalog.h"

namespace ceiling::catalog {
namespace {

namespace fs = std::filesystem;
const fs::path kDir = fs::path(CEILING_SOURCE_DIR) / "tests/cases/chips_malformed";

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kDir))
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class MalformedChip : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedChip, FailsWithPinnedDiagnostic) {
  const std::string stem = GetParam();
  const fs::path file = kDir / (stem + ".toml");
  auto chip = LoadChipFile(file, "chips_malformed/" + stem + ".toml", "acme-" + stem);
  ASSERT_FALSE(chip.ok()) << stem << " loaded but should not";
  const std::string got = chip.error().ToString();
  EXPECT_EQ(got.find('\n'), std::string::npos) << "diagnostic must be one line: " << got;
  const fs::path expect = kDir / (stem + ".expect");
  ExpectGolden(expect, got);
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedChip, ::testing::ValuesIn(CaseNames()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(MalformedChip, AtLeastTwentyFiveCases) { EXPECT_GE(CaseNames().size(), 25u); }

}  // namespace
}  // namespace ceiling::catalog
