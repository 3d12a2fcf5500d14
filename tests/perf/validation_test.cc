// Validation set loading, error statistics, calibration file round trip, and reproducibility
// of the stored calibration (a fresh fit reproduces data/perf/calibration.toml).
#include "ceiling/perf/validation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
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

// Repeat measurements pair only points of one configuration, and split the pairs by whether
// the engine version is the same, another, or not recorded.
TEST(RepeatSpread, PairsOneConfigurationsPointsByEngineVersion) {
  auto point = [](std::string version, double ttft, double tpot) {
    ValidationPoint p;
    p.chip = "nvidia-h100-sxm";
    p.model = "llama-3.1-8b";
    p.engine = "vllm";
    p.engine_version = std::move(version);
    p.gpus = 1;
    p.workload.isl = 1024;
    p.workload.osl = 1024;
    p.workload.concurrency = 8;
    p.ttft_s = ttft;
    p.tpot_s = tpot;
    return p;
  };
  std::vector<ValidationPoint> pts = {point("0.10.0", 0.100, 0.010), point("0.10.0", 0.110, 0.010),
                                      point("0.11.0", 0.150, 0.012), point("", 0.100, 0.010)};
  ValidationPoint other_clients = point("0.10.0", 0.300, 0.020);
  other_clients.workload.concurrency = 16;  // another configuration: never paired
  pts.push_back(other_clients);
  ValidationPoint other_kv = point("0.10.0", 0.300, 0.020);
  other_kv.precision.kv_cache = DType::kBf16;  // another KV-cache format: never paired
  pts.push_back(other_kv);
  std::vector<const ValidationPoint*> ptrs;
  for (const ValidationPoint& p : pts) ptrs.push_back(&p);
  const std::vector<ReportRow> rows = RepeatSpread(ptrs);
  std::map<std::string, ReportRow> by;
  for (const ReportRow& r : rows) by[r.group] = r;
  ASSERT_EQ(rows.size(), 3u);
  const auto ttft = static_cast<int>(PerfMetric::kTtft);
  const auto tpot = static_cast<int>(PerfMetric::kTpot);
  const auto thr = static_cast<int>(PerfMetric::kThroughput);
  // 0.100 and 0.110 on 0.10.0: 10% apart; TPOT identical; no throughput recorded.
  EXPECT_EQ(by["same engine version"].stats[ttft].count, 1);
  EXPECT_NEAR(by["same engine version"].stats[ttft].median, 0.10, 1e-12);
  EXPECT_NEAR(by["same engine version"].stats[tpot].median, 0.0, 1e-12);
  EXPECT_EQ(by["same engine version"].stats[thr].count, 0);
  // 0.150 on 0.11.0 against 0.100 and 0.110: 50% and 36.4% apart (larger / smaller - 1).
  EXPECT_EQ(by["another engine version"].stats[ttft].count, 2);
  EXPECT_NEAR(by["another engine version"].stats[ttft].median, (0.5 + 0.15 / 0.11 - 1) / 2, 1e-12);
  EXPECT_NEAR(by["another engine version"].stats[tpot].median, 0.2, 1e-12);
  // The unrecorded version's point against the other three.
  EXPECT_EQ(by["a version not recorded"].stats[ttft].count, 3);
  EXPECT_NEAR(by["a version not recorded"].stats[ttft].median, 0.10, 1e-12);
  // Nothing to pair: no rows.
  EXPECT_TRUE(RepeatSpread({ptrs[0], ptrs[4], ptrs[5]}).empty());
}

// The bundled CSV's repeats: within one version they agree far better than across versions.
TEST(RepeatSpread, BundledRepeatsAgreeWithinAVersion) {
  auto set = LoadValidationSet(DataDir(), Bundled().chips, Bundled().models);
  ASSERT_TRUE(set.ok()) << set.error().message;
  std::vector<const ValidationPoint*> ptrs;
  for (const ValidationPoint& p : set->points)
    if (p.source == "aiconfigurator") ptrs.push_back(&p);
  std::map<std::string, ReportRow> by;
  for (const ReportRow& r : RepeatSpread(ptrs)) by[r.group] = r;
  const auto ttft = static_cast<int>(PerfMetric::kTtft);
  ASSERT_GT(by["same engine version"].stats[ttft].count, 100);
  ASSERT_GT(by["another engine version"].stats[ttft].count, 10);
  EXPECT_LT(by["same engine version"].stats[ttft].median,
            by["another engine version"].stats[ttft].median);
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
  EXPECT_GE(set->extra_points, 75);
}

// TensorRT-LLM's published offline runs (Llama 3.3 70B, DeepSeek-R1, gpt-oss-120b, Qwen3-235B):
// every request queued at once (an offline run), with trtllm-bench's derived limits.
// Chunked prefill is off in those runs, so every prompt fits one iteration's token budget; the
// derived batch cap is given where it binds (DeepSeek-R1); gpt-oss keeps its BF16 KV cache on
// Hopper.
TEST(ValidationSet, TrtllmPerfOverviewPointsCarryTheirRequestsAndLimits) {
  auto set = LoadValidationSet(DataDir(), Bundled().chips, Bundled().models);
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  int n = 0, capped = 0;
  for (const ValidationPoint& p : set->points) {
    if (p.source != "trtllm-perf-overview") continue;
    ++n;
    EXPECT_EQ(p.engine, "trtllm") << p.id;
    EXPECT_GE(p.workload.token_budget, std::max(2048, p.workload.isl)) << p.id;
    EXPECT_GE(p.workload.requests, 1000) << p.id;  // offline runs of the page's request counts
    EXPECT_TRUE(p.throughput.has_value()) << p.id;
    EXPECT_FALSE(p.fit) << p.id;
    if (p.model == "deepseek-r1") {
      ++capped;
      EXPECT_TRUE(p.workload.max_batch == 64 || p.workload.max_batch == 96 ||
                  p.workload.max_batch == 384)
          << p.id;
    } else {
      EXPECT_EQ(p.workload.max_batch, 0) << p.id;
    }
    const bool hopper = p.chip == "nvidia-h100-sxm" || p.chip == "nvidia-h200-sxm";
    EXPECT_EQ(p.precision.kv_cache,
              p.model == "gpt-oss-120b" && hopper ? DType::kBf16 : DType::kFp8)
        << p.id;
  }
  EXPECT_EQ(n, 56);
  EXPECT_EQ(capped, 9);
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

// A data directory in the test's temp folder with the bundled validation and system files and
// a silicon_sample.csv of rows made from the bundled CSV's first row (no quoted commas in it:
// MiniMax-M2.5 on four B300s under vLLM), each with the given columns replaced.
class ScratchCsv {
 public:
  explicit ScratchCsv(const std::string& name)
      : dir_(std::filesystem::path(::testing::TempDir()) / name) {
    namespace fs = std::filesystem;
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "validation" / "aiconfigurator");
    fs::create_directories(dir_ / "perf");
    fs::copy_file(DataDir() / "validation" / "points.toml", dir_ / "validation" / "points.toml");
    fs::copy_file(DataDir() / "validation" / "aiconfigurator" / "systems.toml",
                  dir_ / "validation" / "aiconfigurator" / "systems.toml");
    for (const char* f : {"systems.toml", "engines.toml"})  // scale-up domains
      fs::copy_file(DataDir() / "perf" / f, dir_ / "perf" / f);
    std::ifstream bundled(DataDir() / "validation" / "aiconfigurator" / "silicon_sample.csv");
    std::string row;
    std::getline(bundled, header_);
    std::getline(bundled, row);
    for (std::stringstream ss(row); std::getline(ss, row, ',');) fields_.push_back(row);
    for (std::stringstream hs(header_); std::getline(hs, row, ',');) names_.push_back(row);
    csv_ << header_ << "\n";
  }
  bool ok() const { return !fields_.empty() && fields_.size() == names_.size(); }
  void Add(const std::map<std::string, std::string>& columns) {
    std::vector<std::string> f = fields_;
    for (const auto& [name, value] : columns)
      f[std::find(names_.begin(), names_.end(), name) - names_.begin()] = value;
    for (std::size_t i = 0; i < f.size(); ++i) csv_ << (i ? "," : "") << f[i];
    csv_ << "\n";
  }
  // An aggregated run of one launch script's configuration: tensor parallelism over the MoE
  // layers too, no attention data parallelism, 1,024 output tokens.
  struct ScriptRow {
    std::string id, source, backend, model, system, precision, tp, isl, ttft;
  };
  void AddScriptRow(const ScriptRow& r) {
    Add({{"id", r.id},
         {"silicon_data_source", r.source},
         {"backend", r.backend},
         {"model_path", r.model},
         {"system", r.system},
         {"precision", r.precision},
         {"tp_size", r.tp},
         {"attention_dp_size", "1"},
         {"moe_tp_size", r.tp},
         {"moe_ep_size", "1"},
         {"isl", r.isl},
         {"osl", "1024"},
         {"silicon_ttft_ms", r.ttft}});
  }
  // Replaces the first `from` in the copied aiconfigurator/systems.toml.
  bool EditSystems(const std::string& from, const std::string& to) {
    const auto path = dir_ / "validation" / "aiconfigurator" / "systems.toml";
    std::stringstream ss;
    ss << std::ifstream(path).rdbuf();
    std::string text = ss.str();
    const auto at = text.find(from);
    if (at == std::string::npos) return false;
    text.replace(at, from.size(), to);
    std::ofstream(path, std::ios::trunc) << text;
    return true;
  }
  Result<ValidationSet> Load() {
    std::ofstream(dir_ / "validation" / "aiconfigurator" / "silicon_sample.csv") << csv_.str();
    return LoadValidationSet(dir_, Bundled().chips, Bundled().models);
  }

 private:
  std::filesystem::path dir_;
  std::string header_;
  std::vector<std::string> fields_, names_;
  std::stringstream csv_;
};

// A CSV row whose latency is not a positive finite number ("inf", "1e999", "nan", "-3", "0")
// is counted out as malformed, not turned into a point that no prediction can match.
TEST(ValidationSet, NonFiniteOrNonPositiveLatenciesAreMalformedRows) {
  ScratchCsv csv("validation-latencies");
  ASSERT_TRUE(csv.ok());
  for (const char* bad : {"inf", "1e999", "nan", "-3", "0"})
    csv.Add({{"id", std::string("row-") + bad}, {"silicon_ttft_ms", bad}});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  EXPECT_EQ(set->csv_rows, 5);
  int malformed = 0;
  for (const Exclusion& e : set->excluded)
    if (e.reason == "malformed lengths or latencies") malformed = e.count;
  EXPECT_EQ(malformed, 5);
  for (const ValidationPoint& p : set->points) EXPECT_NE(p.source, "aiconfigurator") << p.id;
}

// Validates the scratch CSV's rows: `dropped` is left out, the one row excluded for a reason
// containing `reason`, and `kept` is predicted.
void ExpectLeftOut(ScratchCsv& csv, const std::string& reason, const std::string& dropped,
                   const std::string& kept) {
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  ValidationOptions o;
  o.leave_one_out = false;
  auto rep = RunValidation(*set, Bundled().chips, Bundled().models, Bundled().systems, o);
  ASSERT_TRUE(rep.ok()) << rep.error().ToString();
  int excluded = 0;
  for (const Exclusion& e : rep->excluded)
    if (e.reason.find(reason) != std::string::npos) excluded += e.count;
  EXPECT_EQ(excluded, 1) << reason;
  bool predicted = false;
  for (const PredictionRow& row : rep->predictions) {
    EXPECT_NE(row.point.id, dropped);
    predicted |= row.point.id == kept;
  }
  EXPECT_TRUE(predicted) << kept;
}

// A row whose TTFT and TPOT would have its GPUs process the stated prompts and outputs faster
// than their dense peak allows is not the run it describes: validation leaves it out (with
// its reason) instead of fitting to it. The bundled row itself (MiniMax-M2.5, 8,192 / 1,024,
// 128 clients on four B300s: 0.97 s and 33 ms) needs a fraction of the peak and stays.
TEST(Validation, RowsThatNeedMoreThanTheDensePeakAreLeftOut) {
  ScratchCsv csv("validation-beyond-peak");
  ASSERT_TRUE(csv.ok());
  csv.Add({{"id", "as-measured"}});
  // 1 ms to the first token and 1 us per token after it: 128 x 1,024 outputs and 128 x 8,192
  // prompt tokens every 2 ms on four GPUs.
  csv.Add({{"id", "impossible"}, {"silicon_ttft_ms", "1"}, {"silicon_tpot_ms", "0.001"}});
  ExpectLeftOut(csv, "dense peak", "impossible", "as-measured");
}

// A row whose model, in its weight format, is larger than the memory of all the GPUs it records
// cannot be the run it describes (the bundled CSV has Qwen3-235B-A22B in FP8 on one H200): it is
// left out with its reason rather than counted as a deployment the model says cannot fit.
// DeepSeek-R1 in FP8 (~671 GB) on one 288 GB B300 is such a row; on four it is not.
TEST(Validation, RowsWhoseWeightsExceedTheirGpusAreLeftOut) {
  ScratchCsv csv("validation-beyond-memory");
  ASSERT_TRUE(csv.ok());
  const char* r1 = "deepseek-ai/DeepSeek-R1";
  csv.Add({{"id", "four-gpus"}, {"model_path", r1}});
  csv.Add({{"id", "one-gpu"}, {"model_path", r1}, {"tp_size", "1"}, {"moe_tp_size", "1"},
           {"silicon_tpot_ms", "40"}});  // another TPOT: not a duplicate of the first row
  ExpectLeftOut(csv, "weights alone exceed", "one-gpu", "four-gpus");
}

// The CSV merges exports that disagree about some runs' deployments (the same TTFT and TPOT to
// the last digit, 8 GPUs in one export and 64 in the other): the deployment within one
// scale-up domain is the run's when exactly one is; otherwise the run is left out.
TEST(ValidationSet, OneRunExportedWithTwoDeploymentsKeepsTheOneThatFitsANode) {
  ScratchCsv csv("validation-deployments");
  ASSERT_TRUE(csv.ok());
  // Runs 1 (a: 4 GPUs, b: 16) and 2 (c: 2 GPUs, d: 4, both within a node).
  csv.Add({{"id", "a"}, {"tp_size", "4"}, {"pp_size", "1"}, {"silicon_ttft_ms", "900"}});
  csv.Add({{"id", "b"}, {"tp_size", "4"}, {"pp_size", "4"}, {"silicon_ttft_ms", "900"}});
  csv.Add({{"id", "c"}, {"tp_size", "2"}, {"pp_size", "1"}, {"silicon_ttft_ms", "700"}});
  csv.Add({{"id", "d"}, {"tp_size", "4"}, {"pp_size", "1"}, {"silicon_ttft_ms", "700"}});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  std::vector<std::string> kept;
  for (const ValidationPoint& p : set->points)
    if (p.source == "aiconfigurator") kept.push_back(p.id);
  EXPECT_EQ(kept, std::vector<std::string>{"a"});
  int beyond = 0, ambiguous = 0;
  for (const Exclusion& e : set->excluded) {
    if (e.reason.find("beyond one scale-up domain") != std::string::npos) beyond = e.count;
    if (e.reason.find("which ran is unknown") != std::string::npos) ambiguous = e.count;
  }
  EXPECT_EQ(beyond, 1);
  EXPECT_EQ(ambiguous, 2);
}

// Some exports multiply an aggregated deployment by its expert-parallel size: ids that name
// the deployment ("..._tp8_ep8_...") say what ran; without an id, only a k x k deployment that
// would not fit in one node is repaired (a 4-GPU MoE TP2 x EP2 layout is real).
TEST(ValidationSet, DeploymentsMultipliedByTheirExpertParallelSizeAreRepaired) {
  ScratchCsv csv("validation-repair");
  ASSERT_TRUE(csv.ok());  // MiniMax-M2.5 (48 heads) on B300s, vLLM
  // id, tp, DP-attention, MoE TP, EP, TTFT (distinct runs).
  for (const auto& [id, tp, adp, mtp, ep, ttft] :
       {std::tuple{"x_c128_tp4_ep4_1", "4", "4", "1", "16", "901"},   // named 4: repaired
        std::tuple{"w_c128_tp8_ep8_2", "64", "1", "8", "8", "902"},   // named 8: repaired
        std::tuple{"z_cfg1", "4", "4", "1", "16", "903"},             // 16 GPUs > 8: repaired
        std::tuple{"y_cfg2", "2", "2", "1", "4", "904"},              // 4 GPUs: kept as is
        std::tuple{"v_c16_tp4_epnone_3", "4", "1", "2", "2", "905"},  // real MoE TP2 x EP2
        std::tuple{"u_cfg3", "1000000", "1000000", "1", "1000000", "906"}})  // no overflow
    csv.Add({{"id", id},
             {"tp_size", tp},
             {"attention_dp_size", adp},
             {"moe_tp_size", mtp},
             {"moe_ep_size", ep},
             {"silicon_ttft_ms", ttft}});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  EXPECT_EQ(set->repaired, 3);
  std::map<std::string, std::string> layout;
  for (const ValidationPoint& p : set->points)
    if (p.source == "aiconfigurator") layout[p.id.substr(0, 1)] = p.par.ToString();
  EXPECT_EQ(layout["x"], "TP4 EP4");
  EXPECT_EQ(layout["w"], "TP8 EP8");
  EXPECT_EQ(layout["z"], "TP4 EP4");
  EXPECT_EQ(layout["y"], "TP2 DP-attn2 EP4");
  EXPECT_EQ(layout["v"], "TP4 EP2");
  EXPECT_EQ(layout.count("u"), 0u);  // a million x a million GPUs: a malformed row
}

// One export labels DeepSeek-R1 runs as DeepSeek-V3 (the same architecture) while another
// has them as DeepSeek-R1, to the last digit: a run is keyed by its model's architecture, so
// the copy is counted once; models that differ in architecture stay apart.
TEST(ValidationSet, OneRunExportedUnderTwoNamesOfOneArchitectureIsCountedOnce) {
  ScratchCsv csv("validation-renamed");
  ASSERT_TRUE(csv.ok());
  for (const auto& [id, model] : {std::pair{"r1", "deepseek-ai/DeepSeek-R1"},
                                  std::pair{"v3", "deepseek-ai/DeepSeek-V3"},
                                  std::pair{"kimi", "moonshotai/Kimi-K2.5"}})
    csv.Add({{"id", id},
             {"model_path", model},
             {"tp_size", "8"},
             {"attention_dp_size", "1"},
             {"moe_tp_size", "8"},
             {"moe_ep_size", "1"},
             {"silicon_ttft_ms", "901"}});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  std::vector<std::string> kept;
  for (const ValidationPoint& p : set->points)
    if (p.source == "aiconfigurator") kept.push_back(p.id);
  EXPECT_EQ(kept, (std::vector<std::string>{"r1", "kimi"}));
}

// `get` of every CSV row of a loaded set, by id.
template <class Get>
auto PerCsvRow(const ValidationSet& set, Get get) {
  std::map<std::string, decltype(get(set.points.front()))> out;
  for (const ValidationPoint& p : set.points)
    if (p.source == "aiconfigurator") out[p.id] = get(p);
  return out;
}

// Settings the CSV does not record come from the scripts of the harness that ran a row
// (aiconfigurator/systems.toml [[harness]]): InferenceX's TensorRT-LLM runs with attention data
// parallelism balance their prompts (DeepSeek: timeout 60, no batching wait; gpt-oss: the
// engine's defaults 50 and 10); other harnesses, engines and layouts get no balancing.
TEST(ValidationSet, HarnessSettingsApplyToTheirEngineModelsAndAttentionDpRows) {
  ScratchCsv csv("validation-harness");
  ASSERT_TRUE(csv.ok());
  const std::string imax = "db-dump/2026-04-27; config_id=1; silicon_concurrency=64";
  const std::string gap = "source_file=/Users/a/gap.csv; silicon_concurrency=64";
  // id, source, backend, model, tp, DP-attention, EP, TTFT (distinct runs).
  for (const auto& [id, source, backend, model, tp, adp, ep, ttft] :
       {std::tuple{"a", imax, "trtllm", "deepseek-ai/DeepSeek-R1", "1", "8", "8", "901"},
        std::tuple{"b", gap, "trtllm", "deepseek-ai/DeepSeek-R1", "1", "8", "8", "902"},
        std::tuple{"c", imax, "trtllm", "openai/gpt-oss-120b", "1", "4", "4", "903"},
        std::tuple{"d", imax, "trtllm", "deepseek-ai/DeepSeek-R1", "8", "1", "8", "904"},
        std::tuple{"e", imax, "vllm", "deepseek-ai/DeepSeek-R1", "1", "8", "8", "905"}})
    csv.Add({{"id", id},
             {"silicon_data_source", source},
             {"backend", backend},
             {"model_path", model},
             {"tp_size", tp},
             {"attention_dp_size", adp},
             {"moe_tp_size", "1"},
             {"moe_ep_size", ep},
             {"silicon_ttft_ms", ttft}});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto balance = PerCsvRow(*set, [](const ValidationPoint& p) {
    return std::pair(p.workload.balance.timeout_iters, p.workload.balance.batching_wait_iters);
  });
  ASSERT_EQ(balance.size(), 5u);
  EXPECT_EQ(balance["a"], std::pair(60, 0));
  EXPECT_EQ(balance["b"], std::pair(0, 0));
  EXPECT_EQ(balance["c"], std::pair(50, 10));
  EXPECT_EQ(balance["d"], std::pair(0, 0));
  EXPECT_EQ(balance["e"], std::pair(0, 0));
}

// InferenceX's TensorRT-LLM Llama-3.3-70B scripts turn on batch waiting (timeout 20, ratio 0.9
// of a 2,048-token budget) for 1,024/1,024 tokens below TP8 only.
TEST(ValidationSet, BatchWaitingAppliesToItsLengthsAndTensorParallelSizes) {
  ScratchCsv csv("validation-batch-wait");
  ASSERT_TRUE(csv.ok());
  const std::string imax = "db-dump/2026-04-27; config_id=1; silicon_concurrency=16";
  const std::string gap = "source_file=/Users/a/gap.csv; silicon_concurrency=16";
  const std::string llama = "meta-llama/Llama-3.1-70B";
  // id, source, backend, tp, isl, osl, TTFT (distinct runs).
  for (const auto& [id, source, backend, tp, isl, osl, ttft] :
       {std::tuple{"a", imax, "trtllm", "4", "1024", "1024", "801"},
        std::tuple{"b", imax, "trtllm", "8", "1024", "1024", "802"},
        std::tuple{"c", imax, "trtllm", "4", "1024", "8192", "803"},
        std::tuple{"d", gap, "trtllm", "4", "1024", "1024", "804"},
        std::tuple{"e", imax, "vllm", "4", "1024", "1024", "805"}})
    csv.Add({{"id", id},
             {"silicon_data_source", source},
             {"backend", backend},
             {"model_path", llama},
             {"tp_size", tp},
             {"isl", isl},
             {"osl", osl},
             {"silicon_ttft_ms", ttft}});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto wait = PerCsvRow(*set, [](const ValidationPoint& p) { return p.workload.batch_wait; });
  ASSERT_EQ(wait.size(), 5u);
  EXPECT_EQ(wait["a"].timeout_iters, 20);
  EXPECT_DOUBLE_EQ(wait["a"].max_tokens_ratio, 0.9);
  for (const char* id : {"b", "c", "d", "e"}) EXPECT_EQ(wait[id].timeout_iters, 0) << id;
}

// The scripts' token budgets: DeepSeek-R1 (CONC + ISL + 64 + 63) / 64 * 64 per attention rank,
// gpt-oss 20,000, Llama-3.1-70B 1k/1k below TP8 the 1k1k sweep's 2,048; other rows keep the
// engine's.
TEST(ValidationSet, HarnessTokenBudgetsFollowTheScriptsFormulas) {
  ScratchCsv csv("validation-budget");
  ASSERT_TRUE(csv.ok());
  // id, model, isl, concurrency, TP, DP-attention, EP, TTFT (distinct runs).
  for (const auto& [id, model, isl, conc, tp, adp, ep, ttft] :
       {std::tuple{"a", "deepseek-ai/DeepSeek-R1", "1024", "256", "1", "8", "8", "701"},
        std::tuple{"b", "deepseek-ai/DeepSeek-R1", "8192", "4", "8", "1", "8", "702"},
        std::tuple{"c", "openai/gpt-oss-120b", "1024", "64", "2", "1", "1", "703"},
        std::tuple{"d", "meta-llama/Llama-3.1-70B", "1024", "16", "2", "1", "1", "704"},
        std::tuple{"e", "meta-llama/Llama-3.1-70B", "8192", "16", "2", "1", "1", "705"}})
    csv.Add({{"id", id},
             {"silicon_data_source",
              std::string("db-dump/2026-04-27; config_id=1; silicon_concurrency=") + conc},
             {"backend", "trtllm"},
             {"model_path", model},
             {"isl", isl},
             {"osl", "1024"},
             {"tp_size", tp},
             {"attention_dp_size", adp},
             {"moe_tp_size", "1"},
             {"moe_ep_size", ep},
             {"silicon_ttft_ms", ttft}});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto budget = PerCsvRow(*set, [](const ValidationPoint& p) { return p.workload.token_budget; });
  ASSERT_EQ(budget.size(), 5u);
  EXPECT_EQ(budget["a"], 1344);  // (256 + 1024 + 127) / 64 * 64
  EXPECT_EQ(budget["b"], 8320);  // (4 + 8192 + 127) / 64 * 64
  EXPECT_EQ(budget["c"], 20000);
  EXPECT_EQ(budget["d"], 2048);
  EXPECT_EQ(budget["e"], 0);
}

// Where responses are post-processed: InferenceX's TensorRT-LLM Llama-3.3-70B scripts pass
// --num_postprocess_workers 2 at every length and parallelism and its gpt-oss scripts 4; its
// DeepSeek-R1 scripts, other harnesses and other engines keep the default (0, in the server).
TEST(ValidationSet, PostprocessingWorkersFollowTheScriptsThatSetThem) {
  ScratchCsv csv("validation-postprocess");
  ASSERT_TRUE(csv.ok());
  const std::string imax = "db-dump/2026-04-27; config_id=1; silicon_concurrency=16";
  const std::string gap = "source_file=/Users/a/gap.csv; silicon_concurrency=16";
  // id, source, backend, model, tp, isl, TTFT (distinct runs).
  for (const auto& [id, source, backend, model, tp, isl, ttft] :
       {std::tuple{"a", imax, "trtllm", "meta-llama/Llama-3.1-70B", "8", "8192", "601"},
        std::tuple{"b", imax, "trtllm", "meta-llama/Llama-3.1-70B", "1", "1024", "602"},
        std::tuple{"c", imax, "trtllm", "openai/gpt-oss-120b", "2", "1024", "603"},
        std::tuple{"d", imax, "trtllm", "deepseek-ai/DeepSeek-R1", "8", "1024", "604"},
        std::tuple{"e", gap, "trtllm", "meta-llama/Llama-3.1-70B", "8", "1024", "605"},
        std::tuple{"f", imax, "vllm", "meta-llama/Llama-3.1-70B", "8", "1024", "606"}})
    csv.Add({{"id", id},
             {"silicon_data_source", source},
             {"backend", backend},
             {"model_path", model},
             {"tp_size", tp},
             {"isl", isl},
             {"silicon_ttft_ms", ttft}});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto workers =
      PerCsvRow(*set, [](const ValidationPoint& p) { return p.workload.postprocess_workers; });
  ASSERT_EQ(workers.size(), 6u);
  EXPECT_EQ(workers["a"], 2);
  EXPECT_EQ(workers["b"], 2);
  EXPECT_EQ(workers["c"], 4);
  for (const char* id : {"d", "e", "f"}) EXPECT_EQ(workers[id], 0) << id;
}

// The KV-cache format the scripts pass: InferenceX's vLLM Llama-3.3-70B scripts an FP8 cache on
// every chip, its B200 gpt-oss script too (not the H200's); its SGLang DeepSeek-R1 scripts on
// the B200 but not on the H200; its SGLang Qwen3.5 scripts for the quantized checkpoints only.
// Other harnesses and engines keep the engine default ([kv_cache]: bf16 for vLLM and SGLang,
// fp8 for TensorRT-LLM's quantized checkpoints).
TEST(ValidationSet, KvCacheFormatsFollowTheScriptsThatSetThem) {
  ScratchCsv csv("validation-kv-cache");
  ASSERT_TRUE(csv.ok());
  const std::string imax = "db-dump/2026-04-27; config_id=1; silicon_concurrency=16";
  const std::string gap = "source_file=/Users/a/gap.csv; silicon_concurrency=16";
  // id, source, backend, model, system, precision, TTFT (distinct runs).
  for (const auto& [id, source, backend, model, system, prec, ttft] :
       {std::tuple{"a", imax, "vllm", "meta-llama/Llama-3.1-70B", "h200_sxm", "fp8", "501"},
        std::tuple{"b", imax, "vllm", "meta-llama/Llama-3.1-70B", "b200_sxm", "fp4", "502"},
        std::tuple{"c", gap, "vllm", "meta-llama/Llama-3.1-70B", "h200_sxm", "fp8", "503"},
        std::tuple{"d", imax, "vllm", "openai/gpt-oss-120b", "b200_sxm", "fp4", "504"},
        std::tuple{"e", imax, "vllm", "openai/gpt-oss-120b", "h200_sxm", "fp4", "505"},
        std::tuple{"f", imax, "sglang", "deepseek-ai/DeepSeek-R1", "b200_sxm", "fp8", "506"},
        std::tuple{"g", imax, "sglang", "deepseek-ai/DeepSeek-R1", "h200_sxm", "fp8", "507"},
        std::tuple{"h", imax, "sglang", "Qwen/Qwen3.5-397B-A17B", "h200_sxm", "fp8", "508"},
        std::tuple{"i", imax, "sglang", "Qwen/Qwen3.5-397B-A17B", "b200_sxm", "bf16", "509"},
        std::tuple{"j", gap, "trtllm", "meta-llama/Llama-3.1-70B", "h200_sxm", "fp8", "510"}})
    csv.Add({{"id", id},
             {"silicon_data_source", source},
             {"backend", backend},
             {"model_path", model},
             {"system", system},
             {"precision", prec},
             {"tp_size", "8"},
             {"attention_dp_size", "1"},
             {"moe_tp_size", "8"},
             {"moe_ep_size", "1"},
             {"silicon_ttft_ms", ttft}});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto kv = PerCsvRow(*set, [](const ValidationPoint& p) { return p.precision.kv_cache; });
  ASSERT_EQ(kv.size(), 10u);
  for (const char* id : {"a", "b", "d", "f", "h", "j"}) EXPECT_EQ(kv[id], DType::kFp8) << id;
  for (const char* id : {"c", "e", "g", "i"}) EXPECT_EQ(kv[id], DType::kBf16) << id;
}

// The memory settings the scripts pass (SGLang --mem-fraction-static): InferenceX's DeepSeek-R1
// FP8 scripts 0.82 (0.95 at TP4 on the B200 and B300), its FP4 scripts 0.85, its GLM-5 FP4
// scripts 0.9; its Qwen3.5 FP8 B200 script changed its value between versions, so its rows keep
// SGLang's heuristic, as do other harnesses. The TensorRT-LLM DeepSeek-R1 scripts pass
// free_gpu_memory_fraction 0.75 on the H200 and 0.8 on the B200 (0.75 for 8,192 / 1,024 tokens
// on four GPUs); its Llama-3.3-70B scripts keep the default.
TEST(ValidationSet, MemorySettingsFollowTheScriptsThatSetThem) {
  ScratchCsv csv("validation-memory-share");
  ASSERT_TRUE(csv.ok());
  const std::string imax = "db-dump/2026-04-27; config_id=1; silicon_concurrency=16";
  const std::string gap = "source_file=/Users/a/gap.csv; silicon_concurrency=16";
  const std::string ds = "deepseek-ai/DeepSeek-R1", llama = "meta-llama/Llama-3.1-70B";
  // id, source, backend, model, system, precision, tp, isl, TTFT (distinct runs).
  for (const ScratchCsv::ScriptRow& r : std::vector<ScratchCsv::ScriptRow>{
           {"a", imax, "sglang", ds, "h200_sxm", "fp8", "8", "1024", "701"},
           {"b", imax, "sglang", ds, "b200_sxm", "fp8", "4", "1024", "702"},
           {"c", imax, "sglang", ds, "b200_sxm", "fp4", "8", "1024", "703"},
           {"d", imax, "sglang", "zhipuai/GLM-5", "b200_sxm", "fp4", "8", "1024", "704"},
           {"e", imax, "sglang", "Qwen/Qwen3.5-397B-A17B", "b200_sxm", "fp8", "8", "1024", "705"},
           {"f", gap, "sglang", ds, "h200_sxm", "fp8", "8", "1024", "706"},
           {"g", imax, "vllm", llama, "h200_sxm", "fp8", "8", "1024", "707"},
           {"h", imax, "trtllm", ds, "h200_sxm", "fp8", "8", "1024", "708"},
           {"i", imax, "trtllm", ds, "b200_sxm", "fp8", "8", "1024", "709"},
           {"j", imax, "trtllm", ds, "b200_sxm", "fp8", "4", "8192", "710"},
           {"k", imax, "trtllm", llama, "b200_sxm", "fp8", "8", "1024", "711"}})
    csv.AddScriptRow(r);
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto share = PerCsvRow(*set, [](const ValidationPoint& p) { return p.workload.memory_share; });
  ASSERT_EQ(share.size(), 11u);
  EXPECT_EQ(share["a"], 0.82);
  EXPECT_EQ(share["b"], 0.95);
  EXPECT_EQ(share["c"], 0.85);
  EXPECT_EQ(share["d"], 0.9);
  EXPECT_EQ(share["h"], 0.75);
  EXPECT_EQ(share["i"], 0.8);
  EXPECT_EQ(share["j"], 0.75);  // 8,192 / 1,024 tokens on four GPUs
  for (const char* id : {"e", "f", "g", "k"}) EXPECT_EQ(share[id], 0) << id;
}

// Entries with mode = "disagg" set the prefill and decode workers of disaggregated rows, and
// only those: InferenceX's GB200 SGLang FP8 configuration 227 runs both with
// --mem-fraction-static 0.95 and an FP8 KV cache; another configuration of the same export, and
// an aggregated row of the same source, keep the defaults.
TEST(ValidationSet, DisaggregatedRowsTakeOnlyDisaggregatedScriptSettings) {
  ScratchCsv csv("validation-disagg-settings");
  ASSERT_TRUE(csv.ok());
  const std::string cfg227 = "db-dump/2026-04-27; config_id=227; silicon_concurrency=64";
  const std::string other = "db-dump/2026-04-27; config_id=252; silicon_concurrency=64";
  for (const auto& [id, source, ttft] :
       {std::tuple{"a", cfg227, "881"}, std::tuple{"b", other, "882"}}) {
    std::map<std::string, std::string> row = {
        {"id", id}, {"silicon_data_source", source}, {"backend", "sglang"},
        {"model_path", "deepseek-ai/DeepSeek-V3"}, {"system", "gb200"}, {"precision", "fp8"},
        {"mode", "disagg"}, {"silicon_ttft_ms", ttft}};
    for (const char* side : {"prefill", "decode"}) {
      const std::string s = side;
      row[s + "_batch_size"] = s == "prefill" ? "1" : "4";
      row[s + "_num_workers"] = s == "prefill" ? "1" : "4";
      row[s + "_tp_size"] = "1";
      row[s + "_pp_size"] = "1";
      row[s + "_attention_dp_size"] = "4";
      row[s + "_moe_tp_size"] = "4";
      row[s + "_moe_ep_size"] = "1";
    }
    csv.Add(row);
  }
  csv.AddScriptRow({"c", cfg227, "sglang", "deepseek-ai/DeepSeek-V3", "gb200", "fp8", "4", "1024",
                    "883"});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto share = PerCsvRow(*set, [](const ValidationPoint& p) { return p.workload.memory_share; });
  auto kv = PerCsvRow(*set, [](const ValidationPoint& p) { return p.precision.kv_cache; });
  auto kind = PerCsvRow(*set, [](const ValidationPoint& p) { return p.kind; });
  ASSERT_EQ(share.size(), 3u);
  EXPECT_EQ(kind["a"], PointKind::kDisaggregated);
  EXPECT_EQ(share["a"], 0.95);
  EXPECT_EQ(kv["a"], DType::kFp8);
  for (const char* id : {"b", "c"}) {
    EXPECT_EQ(share[id], 0) << id;
    EXPECT_EQ(kv[id], DType::kBf16) << id;
  }
}

// The vLLM MiniMax-M2.5 scripts on the B200 pass an FP8 KV cache from the versions that run
// vLLM 0.19.0 on; those on 0.17.0 leave the default, and so do its H200 scripts at 0.16.0 and
// 0.18.0 and rows on an image no stored script names (a nightly). Rows carry their engine
// version in backend_version; the B300 scripts pass FP8 at every version.
TEST(ValidationSet, KvCacheFormatFollowsTheEngineVersionTheScriptRan) {
  ScratchCsv csv("validation-kv-version");
  ASSERT_TRUE(csv.ok());
  const std::string imax = "source_file=2026-03-25.csv; model=MiniMax-M2.5; silicon_concurrency=16";
  // id, system, precision, backend_version, TTFT (distinct runs).
  for (const auto& [id, system, prec, version, ttft] :
       {std::tuple{"a", "b200_sxm", "fp8", "0.19.0", "601"},
        std::tuple{"b", "b200_sxm", "fp4", "0.19.0", "602"},
        std::tuple{"c", "b200_sxm", "fp8", "0.17.0", "603"},
        std::tuple{"d", "b200_sxm", "fp4", "nightly-5b8c30d62b754b57", "604"},
        std::tuple{"e", "h200_sxm", "fp8", "0.18.0", "605"},
        std::tuple{"f", "b300_sxm", "fp8", "nightly-5b8c30d62b754b57", "606"}})
    csv.Add({{"id", id},
             {"silicon_data_source", imax},
             {"backend", "vllm"},
             {"backend_version", version},
             {"model_path", "MiniMaxAI/MiniMax-M2.5"},
             {"system", system},
             {"precision", prec},
             {"tp_size", "2"},
             {"attention_dp_size", "1"},
             {"moe_tp_size", "2"},
             {"moe_ep_size", "1"},
             {"silicon_ttft_ms", ttft}});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto kv = PerCsvRow(*set, [](const ValidationPoint& p) { return p.precision.kv_cache; });
  ASSERT_EQ(kv.size(), 6u);
  for (const char* id : {"a", "b", "f"}) EXPECT_EQ(kv[id], DType::kFp8) << id;
  for (const char* id : {"c", "d", "e"}) EXPECT_EQ(kv[id], DType::kBf16) << id;
}

// Rows of a configuration that decoded speculatively are not the workload the CSV records:
// InferenceX's TensorRT-LLM DeepSeek-R1 -mtp configurations on the B200 ran the image
// 1.2.0rc6.post3 (the plain ones 1.2.0rc6.post2), so that image's aggregated rows are left out
// and counted under the reason; the same image on another chip, engine or model, the plain
// image and another harness stay. Both configurations ran the image 1.1.0rc2.post2 (on the
// B200 before the split, on the H200 still), so its rows on those chips are left out under
// their own reason (no row of it is known to be the workload it records); rows without a
// recorded image, or from another harness, stay.
TEST(ValidationSet, RunsOfTheSpeculativeConfigurationsImageAreLeftOut) {
  ScratchCsv csv("validation-mtp");
  ASSERT_TRUE(csv.ok());
  const std::string imax = "source_file=2026-03-25.csv; model=DeepSeek-R1; silicon_concurrency=16";
  const std::string gap = "source_file=/Users/a/gap.csv; silicon_concurrency=16";
  // id, source, backend, model, system, backend_version, TTFT (distinct runs).
  for (const auto& [id, source, backend, model, system, version, ttft] :
       {std::tuple{"a", imax, "trtllm", "deepseek-ai/DeepSeek-R1", "b200_sxm", "1.2.0rc6.post3",
                   "601"},
        std::tuple{"b", imax, "trtllm", "deepseek-ai/DeepSeek-R1", "b200_sxm", "1.2.0rc6.post2",
                   "602"},
        std::tuple{"c", imax, "trtllm", "deepseek-ai/DeepSeek-R1", "h200_sxm", "1.1.0rc2.post2",
                   "603"},
        std::tuple{"d", imax, "trtllm", "deepseek-ai/DeepSeek-R1", "h200_sxm", "1.2.0rc6.post3",
                   "604"},
        std::tuple{"e", gap, "trtllm", "deepseek-ai/DeepSeek-R1", "b200_sxm", "1.2.0rc6.post3",
                   "605"},
        std::tuple{"f", imax, "sglang", "deepseek-ai/DeepSeek-R1", "b200_sxm", "1.2.0rc6.post3",
                   "606"},
        std::tuple{"g", imax, "trtllm", "openai/gpt-oss-120b", "b200_sxm", "1.2.0rc6.post3",
                   "607"},
        std::tuple{"h", imax, "trtllm", "deepseek-ai/DeepSeek-R1", "h200_sxm", "", "608"},
        std::tuple{"i", gap, "trtllm", "deepseek-ai/DeepSeek-R1", "h200_sxm", "1.1.0rc2.post2",
                   "609"},
        std::tuple{"j", imax, "trtllm", "deepseek-ai/DeepSeek-R1", "b200_sxm", "1.1.0rc2.post2",
                   "610"}})
    csv.Add({{"id", id},
             {"silicon_data_source", source},
             {"backend", backend},
             {"backend_version", version},
             {"model_path", model},
             {"system", system},
             {"tp_size", "8"},
             {"attention_dp_size", "1"},
             {"moe_tp_size", "1"},
             {"moe_ep_size", "8"},
             {"silicon_ttft_ms", ttft}});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto kept = PerCsvRow(*set, [](const ValidationPoint& p) { return p.chip; });
  for (const char* id : {"a", "c", "j"}) EXPECT_EQ(kept.count(id), 0u) << id;
  for (const char* id : {"b", "d", "e", "f", "g", "h", "i"}) EXPECT_EQ(kept.count(id), 1u) << id;
  int speculative = 0, ambiguous = 0;
  for (const auto& e : set->excluded) {
    if (e.reason.find("speculative decoding (MTP)") != std::string::npos) speculative = e.count;
    if (e.reason.find("does not record which ran a row") != std::string::npos) ambiguous = e.count;
  }
  EXPECT_EQ(speculative, 1);
  EXPECT_EQ(ambiguous, 2);
}

// SGLang's budgets (--chunked-prefill-size) where every stored version of a script sets one:
// DeepSeek-R1 FP8 32,768 on the H200 and at TP8 on the B200 (8,192 at TP4; the FP4 script's
// 16,384 is the engine default, so no entry); Qwen3.5 16,384 for the FP8 checkpoint on the B300,
// 32,768 for the others there; GLM-5 on the H200 keeps the default. Later entries win.
TEST(ValidationSet, SglangTokenBudgetsFollowTheScriptsByChipPrecisionAndTp) {
  ScratchCsv csv("validation-sglang-budget");
  ASSERT_TRUE(csv.ok());
  const std::string imax = "db-dump/2026-04-27; config_id=1; silicon_concurrency=16";
  const std::string ds = "deepseek-ai/DeepSeek-R1", qwen = "Qwen/Qwen3.5-397B-A17B";
  // id, source, backend, model, system, precision, tp, isl, TTFT (distinct runs).
  for (const ScratchCsv::ScriptRow& r : std::vector<ScratchCsv::ScriptRow>{
           {"a", imax, "sglang", ds, "h200_sxm", "fp8", "8", "1024", "401"},
           {"b", imax, "sglang", ds, "b200_sxm", "fp8", "8", "1024", "402"},
           {"c", imax, "sglang", ds, "b200_sxm", "fp8", "4", "1024", "403"},
           {"d", imax, "sglang", ds, "b200_sxm", "fp4", "8", "1024", "404"},
           {"e", imax, "sglang", qwen, "b300_sxm", "fp8", "4", "1024", "405"},
           {"f", imax, "sglang", qwen, "b300_sxm", "bf16", "4", "1024", "406"},
           {"g", imax, "sglang", "zhipuai/GLM-5", "h200_sxm", "fp8", "8", "1024", "407"}})
    csv.AddScriptRow(r);
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto budget = PerCsvRow(*set, [](const ValidationPoint& p) { return p.workload.token_budget; });
  ASSERT_EQ(budget.size(), 7u);
  EXPECT_EQ(budget["a"], 32768);
  EXPECT_EQ(budget["b"], 32768);
  EXPECT_EQ(budget["c"], 8192);
  EXPECT_EQ(budget["d"], 0);
  EXPECT_EQ(budget["e"], 16384);
  EXPECT_EQ(budget["f"], 32768);
  EXPECT_EQ(budget["g"], 0);
}

// SGLang's request polling (--scheduler-recv-interval) where InferenceX's scripts set it:
// DeepSeek-R1 FP4 10 below 16 clients and 30 from 16, FP8 the same at TP8 and 10 at TP4, none
// on the H200; GLM-5 10 for FP4 on the B200 and none for FP8; Qwen3.5 FP4 30 on the B200 and,
// on the B300 with SGLang 0.5.10.post1, FP8 10. Rows of other harnesses and rows with attention
// data parallelism (which SGLang's receive skipper refused) keep SGLang's default, 1.
TEST(ValidationSet, SglangRequestPollingFollowsTheScripts) {
  ScratchCsv csv("validation-sglang-recv");
  ASSERT_TRUE(csv.ok());
  auto imax = [](int conc) {
    return "db-dump/2026-04-27; config_id=1; silicon_concurrency=" + std::to_string(conc);
  };
  const std::string gap = "source_file=/Users/a/gap.csv; silicon_concurrency=16";
  const std::string ds = "deepseek-ai/DeepSeek-R1", qwen = "Qwen/Qwen3.5-397B-A17B";
  // id, source, backend, model, system, precision, tp, isl, TTFT (distinct runs).
  for (const ScratchCsv::ScriptRow& r : std::vector<ScratchCsv::ScriptRow>{
           {"a", imax(4), "sglang", ds, "b200_sxm", "fp4", "8", "1024", "501"},
           {"b", imax(16), "sglang", ds, "b200_sxm", "fp4", "8", "1024", "502"},
           {"c", imax(16), "sglang", ds, "b200_sxm", "fp8", "4", "1024", "503"},
           {"d", imax(16), "sglang", ds, "b200_sxm", "fp8", "8", "1024", "504"},
           {"e", imax(16), "sglang", ds, "h200_sxm", "fp8", "8", "1024", "505"},
           {"f", imax(16), "sglang", "zhipuai/GLM-5", "b200_sxm", "fp8", "8", "1024", "506"},
           {"g", imax(16), "sglang", "zhipuai/GLM-5", "b200_sxm", "fp4", "8", "1024", "507"},
           {"h", imax(64), "sglang", qwen, "b200_sxm", "fp4", "4", "1024", "508"},
           {"i", gap, "sglang", ds, "b200_sxm", "fp4", "8", "1024", "509"},
           {"j", imax(16), "vllm", ds, "b200_sxm", "fp4", "8", "1024", "510"}})
    csv.AddScriptRow(r);
  csv.Add({{"id", "k"}, {"silicon_data_source", imax(16)}, {"backend", "sglang"},
           {"model_path", ds}, {"system", "b200_sxm"}, {"precision", "fp4"}, {"tp_size", "1"},
           {"attention_dp_size", "8"}, {"moe_tp_size", "1"}, {"moe_ep_size", "8"},
           {"isl", "1024"}, {"osl", "1024"}, {"silicon_ttft_ms", "511"}});
  csv.Add({{"id", "l"}, {"silicon_data_source", imax(16)}, {"backend", "sglang"},
           {"backend_version", "0.5.10.post1"}, {"model_path", qwen}, {"system", "b300_sxm"},
           {"precision", "fp8"}, {"tp_size", "4"}, {"attention_dp_size", "1"},
           {"moe_tp_size", "4"}, {"moe_ep_size", "1"}, {"isl", "1024"}, {"osl", "1024"},
           {"silicon_ttft_ms", "512"}});
  auto set = csv.Load();
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  auto recv = PerCsvRow(*set, [](const ValidationPoint& p) { return p.workload.recv_interval; });
  ASSERT_EQ(recv.size(), 12u);
  EXPECT_EQ(recv["a"], 10);
  EXPECT_EQ(recv["b"], 30);
  EXPECT_EQ(recv["c"], 10);
  EXPECT_EQ(recv["d"], 30);
  EXPECT_EQ(recv["g"], 10);
  EXPECT_EQ(recv["h"], 30);
  EXPECT_EQ(recv["l"], 10);
  for (const char* id : {"e", "f", "i", "j", "k"}) EXPECT_EQ(recv[id], 1) << id;
}

// A harness entry with a negative timeout or an unknown model is an error at its line.
TEST(ValidationSet, MalformedHarnessSettingsAreErrorsAtTheirLine) {
  for (const auto& [from, to, want] :
       {std::tuple{"balance_timeout_iters = 60", "balance_timeout_iters = -1",
                   "balance_timeout_iters: must be 0 to 10000 iterations"},
        std::tuple{"models = [\"gpt-oss-120b\"]", "models = [\"gpt-oss-121b\"]",
                   "unknown model \"gpt-oss-121b\""},
        std::tuple{"balance_batching_wait_iters = 10", "balance_batching_wait = 10",
                   "balance_batching_wait"},
        std::tuple{"batch_wait_max_tokens_ratio = 0.9", "batch_wait_max_tokens_ratio = 1.5",
                   "batch_wait_max_tokens_ratio: must be 0 to 1"},
        std::tuple{"max_tp = 7", "max_tp = 0", "max_tp: must be 1 to"},
        std::tuple{"balance_timeout_iters = 50\nbalance_batching_wait_iters = 10\n"
                   "max_num_tokens = 20000\npostprocess_workers = 4\n",
                   "", "sets nothing"},
        std::tuple{"postprocess_workers = 2", "postprocess_workers = 0",
                   "postprocess_workers: must be 1 to 1024 processes"},
        std::tuple{"\"concurrency + isl + 64\"", "\"concurrency + isl + -64\"",
                   "\"-64\" is not isl, osl, concurrency or a whole number"},
        std::tuple{"\"concurrency + isl + 64\"", "\"concurrency + + isl\"", "\"\" is not isl"},
        std::tuple{"max_num_tokens = 20000", "max_num_tokens = 0",
                   "max_num_tokens: must be 1 to 10000000 tokens"},
        std::tuple{"kv_cache = \"fp8\"\nsource = \"InferenceX benchmarks/single_node/gptoss",
                   "kv_cache = \"fp7\"\nsource = \"InferenceX benchmarks/single_node/gptoss",
                   "kv_cache: unknown format \"fp7\""},
        std::tuple{"chips = [\"nvidia-b300\"]", "chips = [\"nvidia-b301\"]",
                   "chips: unknown chip \"nvidia-b301\""},
        std::tuple{"precisions = [\"fp8\", \"fp4\"]", "precisions = [\"fp8\", \"fp3\"]",
                   "precision \"fp3\" not modelled"},
        std::tuple{"versions = [\"0.19.0\"]", "versions = []", "versions: is empty"},
        std::tuple{"versions = [\"0.19.0\"]", "versions = [\"0.19.0, 0.17.0\"]",
                   "versions: \"0.19.0, 0.17.0\" is not an engine version"},
        std::tuple{"exclude = \"speculative", "exclude = \"\"\nnote = \"speculative",
                   "exclude: must say why the rows are left out"},
        std::tuple{"memory_share = 0.85", "memory_share = 1.5",
                   "memory_share: must be above 0 and at most 1"},
        std::tuple{"memory_share = 0.85", "memory_share = \"high\"", "memory_share"},
        std::tuple{"max_gpus = 4", "max_gpus = 0", "max_gpus: must be 1 to"},
        std::tuple{"mode = \"disagg\"\nkv_cache", "mode = \"both\"\nkv_cache",
                   "mode: expected agg or disagg, got \"both\""},
        std::tuple{"mode = \"disagg\"\nkv_cache",
                   "mode = \"disagg\"\npostprocess_workers = 2\nkv_cache",
                   "mode: a disaggregated entry sets prompt balancing"},
        std::tuple{"mode = \"disagg\"\nkv_cache",
                   "mode = \"disagg\"\nrecv_interval = 10\nkv_cache",
                   "request polling, which apply to aggregated rows only"},
        std::tuple{"recv_interval = 30\nsource = \"InferenceX benchmarks/single_node/qwen3.5_fp4",
                   "recv_interval = 0\nsource = \"InferenceX benchmarks/single_node/qwen3.5_fp4",
                   "recv_interval: must be 1 to 100000 decode iterations"},
        std::tuple{"min_tp = 8", "min_tp = -8", "min_tp: must be 1 to"},
        std::tuple{"min_concurrency = 16\nrecv_interval = 30\nsource = \"InferenceX",
                   "min_concurrency = 0\nrecv_interval = 30\nsource = \"InferenceX",
                   "min_concurrency: must be 1 to"}}) {
    ScratchCsv csv("validation-harness-bad");
    ASSERT_TRUE(csv.ok());
    ASSERT_TRUE(csv.EditSystems(from, to)) << from;
    auto set = csv.Load();
    ASSERT_FALSE(set.ok()) << to;
    EXPECT_NE(set.error().ToString().find(want), std::string::npos) << set.error().ToString();
    EXPECT_NE(set.error().ToString().find("systems.toml:"), std::string::npos)
        << set.error().ToString();
  }
}

// The exports count a disaggregated decode worker's batch per attention rank: in every bundled
// row whose id names the concurrency ("_c2048_"), it equals batch x workers x DP ranks, which
// is how ServeDisaggTimes reads the batch.
TEST(ValidationSet, DisaggregatedDecodeBatchesArePerAttentionRank) {
  auto set = LoadValidationSet(DataDir(), Bundled().chips, Bundled().models);
  ASSERT_TRUE(set.ok());
  int checked = 0, with_dp = 0;
  for (const ValidationPoint& p : set->points) {
    if (p.kind != PointKind::kDisaggregated) continue;
    const auto at = p.id.find("_c");
    if (at == std::string::npos) continue;
    const int conc = std::atoi(p.id.c_str() + at + 2);
    if (conc <= 0) continue;
    ++checked;
    if (p.par.dp_attn > 1) ++with_dp;
    EXPECT_EQ(conc, p.decode_batch * p.decode_workers * p.par.dp_attn) << p.id;
  }
  EXPECT_GT(checked, 100);
  EXPECT_GT(with_dp, 50);
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
    // The derived cross-node CPU work follows the overlap, stored to 6 digits.
    EngineTraits fresh = e.traits;
    EXPECT_NEAR(fresh.dp_attention_cpu, stored.Engine(name).traits.dp_attention_cpu, 1e-7) << name;
    fresh.dp_attention_cpu = stored.Engine(name).traits.dp_attention_cpu;
    EXPECT_TRUE(fresh == stored.Engine(name).traits) << name;
  }
  // Held-out accuracy of the fit, pinned loosely so that a regression shows up here.
  const ReportRow& all = rep->overall[0];
  EXPECT_LT(all.stats[static_cast<int>(PerfMetric::kTpot)].median, 0.14);
  EXPECT_LT(all.stats[static_cast<int>(PerfMetric::kThroughput)].median, 0.14);
  EXPECT_LT(all.stats[static_cast<int>(PerfMetric::kTtft)].median, 0.35);
}

}  // namespace
}  // namespace ceiling::perf
