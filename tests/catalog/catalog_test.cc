#include "ceiling/catalog/catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <fstream>

#include "ceiling/catalog/check.h"

namespace ceiling::catalog {
namespace {

namespace fs = std::filesystem;
const std::string kData = std::string(CEILING_SOURCE_DIR) + "/data";

TEST(Catalog, BundledDataLoadsAndChecksClean) {
  auto cat = Catalog::Load(kData);
  ASSERT_TRUE(cat.ok()) << cat.error().ToString();
  EXPECT_GE(cat->chips().size(), 1u);
  CheckReport r = CheckChipsDir(fs::path(kData) / "chips");
  for (const auto& f : r.findings) ADD_FAILURE() << f.ToString();
  EXPECT_EQ(r.files, r.chips);
}

TEST(Catalog, UnknownIdSuggestsNearest) {
  auto cat = Catalog::Load(kData);
  ASSERT_TRUE(cat.ok());
  auto r = cat->Resolve("nvidia-h100");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("\"nvidia-h100-sxm\""), std::string::npos)
      << r.error().message;
  EXPECT_EQ(cat->Suggest("h20").front(), "nvidia-h20");
  EXPECT_TRUE(cat->Suggest("qqqqqqqqqqqq").empty());
  // A word sharing no more than chance letters with an id is not a suggestion ("nope" once got
  // "groq-lpu", 3 edits from "lpu"); a one-letter slip still is.
  EXPECT_TRUE(cat->Suggest("nope").empty());
  EXPECT_EQ(cat->Suggest("h2o").front(), "nvidia-h20");
  EXPECT_EQ(cat->Suggest("tpu-v5f").front(), "google-tpu-v5e");
}

TEST(Catalog, ParsesAChipGivenAsText) {
  auto cat = Catalog::Load(kData);
  ASSERT_TRUE(cat.ok());
  std::ifstream in(kData + "/chips/nvidia/h100-sxm.toml");
  std::stringstream text;
  text << in.rdbuf();
  auto r = cat->ParseChipText(text.str(), "mine.toml");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->id, "nvidia-h100-sxm");
  // Never a file: an id that looks like a path is only an unknown id.
  auto p = cat->Resolve(kData + "/chips/nvidia/h100-sxm.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kNotFound);
  // Diagnostics use the given name; a dangling derived_from is an error.
  auto bad = cat->ParseChipText("id = 7\n", "mine.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().location.file, "mine.toml");
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("ceiling-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string MiniChip(const std::string& id, const std::string& extra = "") {
  return "id = \"" + id + "\"\nname = \"n\"\nvendor = \"acme\"\nfamily = \"x\"\n"
         "market = \"datacenter\"\nform_factor = \"pcie\"\n" + extra +
         "[[dies]]\nname = \"D1\"\nkind = \"logic\"\nprocess = \"N5\"\nnon_planar = true\n"
         "[throughput]\nfp16 = { value = \"100 TFLOP/s\", source = \"s\" }\n"
         "[sources.s]\ntitle = \"t\"\nurl = \"https://e.com\"\nkind = \"primary\"\n"
         "read = 2026-01-01\n";
}

TEST(CheckData, FindsDuplicateIdsAndDanglingDerivations) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "chips" / "acme";
  fs::create_directories(dir);
  std::ofstream(dir / "a.toml") << MiniChip("acme-a");
  // Same id in a second file whose name does not match: the load error names the mismatch.
  std::ofstream(dir / "b.toml") << MiniChip("acme-a");
  std::ofstream(dir / "c.toml") << MiniChip("acme-c", "derived_from = \"acme-zz\"\n");
  CheckReport r = CheckChipsDir(tmp.path() / "chips");
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_NE(r.findings[0].message.find("\"acme-a\" does not match the file name"),
            std::string::npos) << r.findings[0].message;
  EXPECT_EQ(r.findings[1].message, "derived_from: unknown chip \"acme-zz\"");

  std::vector<Chip> chips;
  for (const char* f : {"a.toml", "a.toml"}) chips.push_back(*LoadChipFile(dir / f));
  auto found = CheckConsistency(chips);
  ASSERT_FALSE(found.empty());
  EXPECT_NE(found[0].message.find("duplicate chip id \"acme-a\""), std::string::npos);
  EXPECT_FALSE(Catalog::FromChips(chips).ok());
}

TEST(CheckData, FlagsPrecisionOrderAndUnusedSources) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "chips" / "acme";
  fs::create_directories(dir);
  std::string text = MiniChip("acme-a");
  text.replace(text.find("[sources.s]"), 0,
               "fp8 = { value = \"50 TFLOP/s\", source = \"s\" }\n");
  text += "[sources.unused]\ntitle = \"u\"\nurl = \"https://u.com\"\nkind = \"secondary\"\n"
          "read = 2026-01-01\n";
  std::ofstream(dir / "a.toml") << text;
  CheckReport r = CheckChipsDir(tmp.path() / "chips");
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].message, "sources.unused: defined but no figure cites it");
  EXPECT_NE(r.findings[1].message.find("throughput.fp8 (50 TFLOP/s) is below throughput.fp16"),
            std::string::npos) << r.findings[1].message;
}

}  // namespace
}  // namespace ceiling::catalog
