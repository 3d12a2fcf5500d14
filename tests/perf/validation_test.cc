// Validation set loading, error statistics, calibration file round trip, and reproducibility
// of the stored calibration (a fresh fit reproduces data/perf/calibration.toml).
#include "ceiling/perf/validation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fixture.h"

namespace ceiling::perf {
namespace {

using testing::Bundled;
using testing::DataDir;

TEST(Summarize, MedianAndP90Interpolate) {
  const ErrorStats s = Summarize({0.5, 0.1, 0.3, 0.2, 0.4});
  EXPECT_EQ(s.count, 5);
  EXPECT_DOUBLE_EQ(s.median, 0.3);
  EXPECT_NEAR(s.p90, 0.46, 1e-12);
  EXPECT_EQ(Summarize({}).count, 0);
}

TEST(ValidationSet, LoadsEveryRowAndCountsExclusions) {
  auto set = LoadValidationSet(DataDir(), Bundled().chips, Bundled().models);
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  EXPECT_EQ(set->csv_rows, 5221);
  int excluded = 0;
  for (const Exclusion& e : set->excluded) excluded += e.count;
  int csv_points = 0, h20 = 0;
  for (const ValidationPoint& p : set->points) {
    csv_points += p.source == "aiconfigurator";
    h20 += p.chip == "nvidia-h20";
  }
  EXPECT_EQ(csv_points + excluded, 5221);
  EXPECT_GE(h20, 10);
  EXPECT_GE(set->extra_points, 19);
}

// The CSV merges several exports: one SGLang run of Qwen3.5-397B on 8 B200s (1024/1024, 8
// clients) appears three times, labelled with two engine versions and its TTFT printed to two
// different last digits (245.3494074958144 and ...438). It is one measurement and one point.
// The bundled points that `match` selects (the bundled set is loaded once).
template <typename Match>
int CountBundledPoints(Match match) {
  static const ValidationSet* set = [] {
    auto s = LoadValidationSet(DataDir(), Bundled().chips, Bundled().models);
    if (!s.ok()) {
      ADD_FAILURE() << s.error().ToString();
      std::abort();
    }
    return new ValidationSet(std::move(*s));
  }();
  return static_cast<int>(std::count_if(set->points.begin(), set->points.end(), match));
}

TEST(ValidationSet, OneRunExportedThreeTimesIsOnePoint) {
  EXPECT_EQ(CountBundledPoints([](const ValidationPoint& p) {
              return p.chip == "nvidia-b200" && p.model == "qwen3.5-397b-a17b" &&
                     p.engine == "sglang" && p.ttft_s &&
                     std::abs(*p.ttft_s - 0.24534940749581438) < 1e-12;
            }),
            1);
}

// The gap-analysis exports print latencies rounded to 0.01 ms: vLLM 0.17 serving Kimi-K2.5 on 8
// B200s (1024/1024, 4 clients) is 163.72509357752278 / 7.423259694292521 ms in the dated export
// and 163.73 / 7.42 ms in the gap analysis. One run, one point.
TEST(ValidationSet, OneRunExportedRoundedTo10MicrosecondsIsOnePoint) {
  EXPECT_EQ(CountBundledPoints([](const ValidationPoint& p) {
              return p.chip == "nvidia-b200" && p.model == "kimi-k2.5" && p.engine == "vllm" &&
                     p.workload.isl == 1024 && p.workload.osl == 1024 &&
                     p.workload.concurrency == 4 && p.ttft_s &&
                     std::abs(*p.ttft_s - 0.16373) < 1e-5;
            }),
            1);
}

// A CSV row whose latency is not a positive finite number ("inf", "1e999", "nan", "-3", "0")
// is counted out as malformed, not turned into a point that no prediction can match.
TEST(ValidationSet, NonFiniteOrNonPositiveLatenciesAreMalformedRows) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / "validation-latencies";
  fs::remove_all(dir);
  fs::create_directories(dir / "validation" / "aiconfigurator");
  fs::copy_file(DataDir() / "validation" / "points.toml", dir / "validation" / "points.toml");
  fs::copy_file(DataDir() / "validation" / "aiconfigurator" / "systems.toml",
                dir / "validation" / "aiconfigurator" / "systems.toml");
  std::ifstream bundled(DataDir() / "validation" / "aiconfigurator" / "silicon_sample.csv");
  std::string header, row;
  ASSERT_TRUE(std::getline(bundled, header));
  // The first data row whose fields hold no quoted commas; its TTFT is replaced below.
  std::vector<std::string> fields;
  while (std::getline(bundled, row)) {
    if (row.find('"') != std::string::npos) continue;
    fields.clear();
    std::stringstream ss(row);
    for (std::string f; std::getline(ss, f, ',');) fields.push_back(f);
    break;
  }
  std::vector<std::string> names;
  std::stringstream hs(header);
  for (std::string f; std::getline(hs, f, ',');) names.push_back(f);
  ASSERT_EQ(fields.size(), names.size());
  const auto at = std::find(names.begin(), names.end(), "silicon_ttft_ms") - names.begin();
  std::ofstream csv(dir / "validation" / "aiconfigurator" / "silicon_sample.csv");
  csv << header << "\n";
  for (const char* bad : {"inf", "1e999", "nan", "-3", "0"}) {
    std::vector<std::string> f = fields;
    f[at] = bad;
    f[0] += std::string("-") + bad;  // distinct ids
    for (std::size_t i = 0; i < f.size(); ++i) csv << (i ? "," : "") << f[i];
    csv << "\n";
  }
  csv.close();
  auto set = LoadValidationSet(dir, Bundled().chips, Bundled().models);
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  EXPECT_EQ(set->csv_rows, 5);
  int malformed = 0;
  for (const Exclusion& e : set->excluded)
    if (e.reason == "malformed lengths or latencies") malformed = e.count;
  EXPECT_EQ(malformed, 5);
  for (const ValidationPoint& p : set->points) EXPECT_NE(p.source, "aiconfigurator") << p.id;
}

TEST(CalibrationFile, RoundTrips) {
  Calibration c = Bundled().calibration;
  c.produced_by = "test";
  const std::string text = CalibrationToToml(c);
  const auto path = std::filesystem::path(::testing::TempDir()) / "calibration.toml";
  { std::ofstream(path) << text; }
  auto back = ParseCalibrationFile(path);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(CalibrationToToml(*back), text);
}

// The stored calibration is what the documented procedure produces on the bundled data.
TEST(CalibrationFile, IsReproducedByAFreshFit) {
  auto set = LoadValidationSet(DataDir(), Bundled().chips, Bundled().models);
  ASSERT_TRUE(set.ok());
  ValidationOptions o;
  o.leave_one_out = false;
  auto rep = RunValidation(*set, Bundled().chips, Bundled().models, Bundled().systems, o);
  ASSERT_TRUE(rep.ok());
  const Calibration& stored = Bundled().calibration;
  ASSERT_EQ(rep->fitted.families.size(), stored.families.size());
  for (const auto& [name, p] : rep->fitted.families) {
    const FamilyParams& s = stored.Family(name);
    EXPECT_NEAR(p.gemm_efficiency, s.gemm_efficiency, 1e-5) << name;
    EXPECT_NEAR(p.memory_efficiency, s.memory_efficiency, 1e-5) << name;
    EXPECT_NEAR(p.attention_efficiency, s.attention_efficiency, 1e-5) << name;
  }
  for (const auto& [name, e] : rep->fitted.engines) {
    EXPECT_NEAR(e.burst, stored.Engine(name).burst, 1e-5) << name;
    EXPECT_NEAR(e.overlap, stored.Engine(name).overlap, 1e-5) << name;
    EXPECT_NEAR(e.kernel_fusion, stored.Engine(name).kernel_fusion, 1e-5) << name;
    EXPECT_TRUE(e.traits == stored.Engine(name).traits) << name;
  }
  // Held-out accuracy of the fit, pinned loosely so that a regression shows up here.
  const ReportRow& all = rep->overall[0];
  EXPECT_LT(all.stats[static_cast<int>(PerfMetric::kTpot)].median, 0.14);
  EXPECT_LT(all.stats[static_cast<int>(PerfMetric::kThroughput)].median, 0.14);
  EXPECT_LT(all.stats[static_cast<int>(PerfMetric::kTtft)].median, 0.35);
}

}  // namespace
}  // namespace ceiling::perf
