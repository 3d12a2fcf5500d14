// Model files: every bundled model loads and matches its published parameter counts; malformed
// files fail with pinned diagnostics (tests/cases/models_malformed/NAME.toml + NAME.expect).
#include <gtest/gtest.h>

#include "golden.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fixture.h"

namespace ceiling::perf {
namespace {

namespace fs = std::filesystem;
using testing::Bundled;
using testing::ModelOf;

TEST(ModelFiles, RequiredModelsArePresent) {
  for (const char* id :
       {"llama-2-13b", "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b",
        "qwen3-32b", "qwen3-235b-a22b", "mixtral-8x7b", "deepseek-v3", "deepseek-r1",
        "gpt-oss-120b", "gpt3-175b", "minimax-m2.5", "qwen3.5-397b-a17b", "kimi-k2.5", "glm-5"})
    EXPECT_NE(Bundled().models.Find(id), nullptr) << id;
}

// The shapes transcribed from each config reproduce the parameter counts the model cards
// publish: total within 3%, active within 12% (cards round and differ on what they count).
TEST(ModelFiles, ParameterCountsMatchPublishedFigures) {
  int checked = 0;
  for (const ModelArch& m : Bundled().models.models()) {
    if (m.published_total_params) {
      EXPECT_NEAR(m.TotalParams() / *m.published_total_params, 1.0, 0.03) << m.id;
      ++checked;
    }
    if (m.published_active_params) {
      // gpt-oss counts active parameters without embeddings.
      const double emb = m.id == "gpt-oss-120b" ? 2.0 * m.vocab * m.hidden : 0.0;
      EXPECT_NEAR((m.ActiveParams() - emb) / *m.published_active_params, 1.0, 0.12) << m.id;
    }
  }
  EXPECT_GE(checked, 12);
}

TEST(ModelFiles, EveryModelCitesItsConfig) {
  for (const ModelArch& m : Bundled().models.models()) {
    EXPECT_FALSE(m.source_keys.empty()) << m.id;
    for (const auto& [k, s] : m.sources) EXPECT_FALSE(s.url.empty()) << m.id << " " << k;
  }
}

TEST(ModelFiles, KvCacheShapes) {
  EXPECT_EQ(ModelOf("llama-3.1-70b").KvElementsPerToken(), 80.0 * 2 * 8 * 128);
  EXPECT_EQ(ModelOf("deepseek-v3").KvElementsPerToken(), 61.0 * (512 + 64));
  // Linear-attention layers keep no KV cache: 15 of Qwen3.5's 60 layers do.
  EXPECT_EQ(ModelOf("qwen3.5-397b-a17b").KvElementsPerToken(), 15.0 * 2 * 2 * 256);
  EXPECT_EQ(ModelOf("gpt-oss-120b").attention.sliding_layers, 18);
}

TEST(ModelFiles, AliasesResolveHuggingFaceIds) {
  EXPECT_EQ(Bundled().models.FindByAlias("deepseek-ai/DeepSeek-R1")->id, "deepseek-r1");
  EXPECT_EQ(Bundled().models.FindByAlias("META-LLAMA/Llama-3.1-70B-Instruct")->id, "llama-3.1-70b");
  EXPECT_EQ(Bundled().models.FindByAlias("nope/none"), nullptr);
  auto r = Bundled().models.Resolve("llama-3.1-70");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unknown model \"llama-3.1-70\"; did you mean \"llama-3.1-70b\"?");
}

const fs::path kCases = fs::path(CEILING_SOURCE_DIR) / "tests/cases/models_malformed";

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kCases))
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class MalformedModel : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedModel, FailsWithPinnedDiagnostic) {
  const std::string stem = GetParam();
  auto m = LoadModelFile(kCases / (stem + ".toml"), "models_malformed/" + stem + ".toml",
                         "acme-" + stem);
  ASSERT_FALSE(m.ok()) << stem << " loaded but should not";
  const std::string got = m.error().ToString();
  EXPECT_EQ(got.find('\n'), std::string::npos) << got;
  const fs::path expect = kCases / (stem + ".expect");
  ExpectGolden(expect, got);
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedModel, ::testing::ValuesIn(CaseNames()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace ceiling::perf
