// Data-driven: every tests/cases/fleets_malformed/NAME.csv or NAME.toml must fail, when parsed and
// resolved against the bundled knowledge base, with exactly the one-line diagnostic in NAME.expect.
// Adding a case needs no C++. Set CEILING_UPDATE_GOLDEN=1 to write missing .expect files, then
// review them by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "fixture.h"
#include "golden.h"

namespace ceiling::fleet {
namespace {

namespace fs = std::filesystem;
const fs::path kDir = fs::path(CEILING_SOURCE_DIR) / "tests/cases/fleets_malformed";

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kDir))
    if (e.path().extension() == ".csv" || e.path().extension() == ".toml")
      names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class MalformedFleet : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedFleet, FailsWithPinnedDiagnostic) {
  const std::string file = GetParam();
  FleetRequest req;
  req.shipments_name = "fleets_malformed/" + file;
  req.shipments_text = ReadCase("fleets_malformed/" + file);
  req.throughput = false;
  auto r = RunFleet(Kb().kb(false), req);
  ASSERT_FALSE(r.ok()) << file << " was accepted";
  const std::string got = r.error().ToString();
  EXPECT_EQ(got.find('\n'), std::string::npos) << "diagnostic must be one line: " << got;
  EXPECT_TRUE(r.error().location.known()) << "diagnostic must point into the file: " << got;
  ExpectGolden(kDir / (fs::path(file).stem().string() + ".expect"), got);
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedFleet, ::testing::ValuesIn(CaseNames()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(MalformedFleet, AtLeastThirtyCases) { EXPECT_GE(CaseNames().size(), 30u); }

}  // namespace
}  // namespace ceiling::fleet
