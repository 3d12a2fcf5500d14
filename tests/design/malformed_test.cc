// Malformed design files: each fails with a pinned diagnostic.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ceiling/catalog/catalog.h"
#include "ceiling/design/space.h"

namespace ceiling::design {
namespace {

struct Case {
  const char* name;
  const char* text;
  const char* diagnostic;
};

constexpr const char* kHeader =
    "id = \"t\"\ntitle = \"t\"\nbase = \"nvidia-a100-sxm-80gb\"\nproducts = "
    "[\"nvidia-a100-sxm-80gb\"]\n";
constexpr const char* kKnobs =
    "[knobs]\nunits = { min = 8, max = 108, step = 2 }\ntensor_rate = { min = 0.1, max = 1.0, step "
    "= 0.1 }\n"
    "links = { min = 0, max = 12, rate = \"50 GB/s\" }\nmarket = [\"datacenter\"]\ntdp = [\"400 "
    "W\"]\n"
    "[[knobs.memory]]\ntype = \"HBM2e\"\ncapacity = \"80 GB\"\nbandwidth = \"2039 GB/s\"\n";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  if (at == std::string::npos) return "MISSING " + from;
  return s.replace(at, from.size(), to);
}

class MalformedDesign : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    auto c = catalog::Catalog::Load(std::string(CEILING_SOURCE_DIR) + "/data");
    ASSERT_TRUE(c.ok());
    cat_ = new catalog::Catalog(std::move(c).value());
  }
  static catalog::Catalog* cat_;
};
catalog::Catalog* MalformedDesign::cat_ = nullptr;

TEST_P(MalformedDesign, PinnedDiagnostic) {
  const Case& c = GetParam();
  const auto path = std::filesystem::temp_directory_path() / (std::string(c.name) + ".toml");
  std::ofstream(path) << c.text;
  auto s = LoadDesignSpace(path, *cat_);
  std::filesystem::remove(path);
  ASSERT_FALSE(s.ok()) << c.name;
  std::string got = s.error().ToString();
  got = got.substr(got.find(".toml") + 5);  // drop the temp directory
  EXPECT_EQ(got, c.diagnostic) << c.name;
}

const std::string kGood = std::string(kHeader) + kKnobs;
const std::string kCases[] = {
    Replace(kGood, "max = 108, step = 2", "max = 4, step = 2"),
    Replace(kGood, "tensor_rate = { min = 0.1, max = 1.0, step = 0.1 }",
            "tensor_rate = { min = 0.1, max = 1.5, step = 0.1 }"),
    Replace(kGood, "links = { min = 0, max = 12,", "links = { min = 0, max = 8,"),
    Replace(kGood, "bandwidth = \"2039 GB/s\"", "bandwidth = \"1600 GB/s\""),
    Replace(kGood, "bandwidth = \"2039 GB/s\"", "bandwidth = 2039"),
    Replace(kGood, "base = \"nvidia-a100-sxm-80gb\"", "base = \"nvidia-a1000\""),
    Replace(kGood, "market = [\"datacenter\"]", "market = [\"orbit\"]"),
    Replace(kGood, "step = 2 }", "step = 0 }"),
    Replace(kGood,
            "[[knobs.memory]]\ntype = \"HBM2e\"\ncapacity = \"80 GB\"\nbandwidth = \"2039 GB/s\"\n",
            "memory = []\n"),
    Replace(kGood, "units = { min = 8,", "units = { values = [], min = 8,"),
    Replace(kGood, "title = \"t\"", "titel = \"t\""),
    Replace(kGood, "tdp = [\"400 W\"]", "tdp = [\"400 GB\"]"),
};

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedDesign,
    ::testing::Values(
        Case{"units_empty", kCases[0].c_str(),
             ":6:26: knobs.units.max: empty range: max 4 is below min 8"},
        Case{"rate_above_one", kCases[1].c_str(),
             ":7:15: knobs.tensor_rate: the tensor rate kept must lie in (0, 1]"},
        Case{"links_too_few", kCases[2].c_str(),
             ":4:12: products: nvidia-a100-sxm-80gb's scale-up bandwidth 600 GB/s needs more than "
             "8 links"},
        Case{"memory_not_covering", kCases[3].c_str(),
             ":4:12: products: nvidia-a100-sxm-80gb's memory bandwidth 2.039 TB/s is not one of "
             "the memory configurations"},
        Case{"bare_bandwidth", kCases[4].c_str(),
             ":14:13: knobs.memory[0].bandwidth: expected a quantity with a unit such as \"3.35 "
             "TB/s\", got 2039"},
        Case{"unknown_base", kCases[5].c_str(), ":3:8: base: unknown chip \"nvidia-a1000\""},
        Case{"bad_market", kCases[6].c_str(), ":9:10: knobs.market: unknown market \"orbit\""},
        Case{"zero_step", kCases[7].c_str(), ":6:38: knobs.units.step: must be positive, got 0"},
        Case{"no_memory", kCases[8].c_str(),
             ":11:10: knobs.memory: at least one memory configuration is required"},
        Case{"values_and_range", kCases[9].c_str(),
             ":6:9: knobs.units: give either values or min/max/step, not both"},
        Case{"unknown_key", kCases[10].c_str(),
             ":2:1: titel: unknown key (did you mean \"title\"?)"},
        Case{"tdp_wrong_unit", kCases[11].c_str(),
             ":10:7: knobs.tdp: expected a power such as \"700 W\", got a data size"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace ceiling::design
