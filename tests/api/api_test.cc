// The api module in process: the executor, the request field tables (JSON decoding, query
// strings, schemas), field-level errors, deadlines, and many threads asking at once.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "ceiling/api/catalog_api.h"
#include "ceiling/api/design_api.h"
#include "ceiling/api/fleet_api.h"
#include "ceiling/api/index_api.h"
#include "ceiling/api/operations.h"
#include "ceiling/api/perf_api.h"
#include "ceiling/api/report_api.h"
#include "ceiling/api/rules_api.h"
#include "ceiling/base/executor.h"
#include "ceiling/report/dossier.h"
#include "ceiling/report/json.h"

namespace ceiling::api {
namespace {

using nlohmann::json;

const KnowledgeBase& Kb() {
  static const std::shared_ptr<const KnowledgeBase> kb = [] {
    auto k = KnowledgeBase::Load(std::string(CEILING_SOURCE_DIR) + "/data");
    if (!k.ok()) ADD_FAILURE() << k.error().ToString();
    return *k;
  }();
  return *kb;
}

Result<json> Ask(std::string_view op, const json& body, const CallOptions& call = {}) {
  const Operation* o = FindOperation(op);
  if (o == nullptr) return MakeError(ErrorCode::kNotFound, std::string(op));
  ASSIGN_OR_RETURN(std::string text, o->run(Kb(), body, call));
  return json::parse(text);
}

// Executor ----------------------------------------------------------------------------------------

TEST(Executor, RunsEveryPieceOnceAndNestsWithoutDeadlock) {
  Executor ex(3);
  std::vector<std::atomic<int>> hits(1000);
  ex.ParallelFor(hits.size(), 0, [&](std::size_t i) {
    hits[i].fetch_add(1);
    // A nested call from inside a piece must not wait on pieces that never start.
    std::atomic<int> inner{0};
    ex.ParallelFor(4, 0, [&](std::size_t) { inner.fetch_add(1); });
    EXPECT_EQ(inner.load(), 4);
  });
  for (const auto& h : hits) EXPECT_EQ(h.load(), 1);
  ex.ParallelFor(0, 4, [](std::size_t) { ADD_FAILURE() << "no pieces"; });
}

TEST(Executor, StopTokens) {
  EXPECT_FALSE(StopToken().Stopped());
  StopToken manual = StopToken::Manual();
  StopToken copy = manual;
  EXPECT_FALSE(copy.Stopped());
  manual.Stop();
  EXPECT_TRUE(copy.Stopped()) << "copies share the flag";
  EXPECT_TRUE(StopToken::After(std::chrono::seconds(-1)).Stopped());
  EXPECT_FALSE(StopToken::After(std::chrono::hours(1)).Stopped());
}

// Field tables --------------------------------------------------------------------------------

TEST(Requests, UnknownFieldsAndWrongTypesNameTheField) {
  auto r = Ask("classify", {{"chip", "nvidia-h20"}, {"date", "2025-05-01"}, {"too", "CN"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "too");
  EXPECT_EQ(r.error().message, "unknown field; did you mean \"to\"?");
  r = Ask("perf/serve", {{"chip", "nvidia-h20"}, {"model", "llama-3.1-8b"}, {"gpus", "8"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "gpus");
  EXPECT_EQ(r.error().message, "expected an integer, got a string");
  r = Ask("perf/serve", {{"chip", "nvidia-h20"}, {"model", "llama-3.1-8b"}, {"sla_tpot", true}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "sla_tpot");
  r = Ask("matrix", {{"chips", json::array({1, 2})}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "chips");
  r = Ask("chips", json::array());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "the request body must be a JSON object, got a list");
}

// The engine decides the attention math format unless the request names one: TensorRT-LLM runs
// context attention in FP8 with an FP8 KV cache; vLLM keeps bf16 attention math.
TEST(Requests, TheEngineSetsTheAttentionFormatUnlessTheRequestDoes) {
  const json base = {{"chip", "nvidia-h200-sxm"}, {"model", "llama-3.1-70b"}, {"gpus", 2},
                     {"tp", 2}, {"isl", 8192}, {"osl", 256}, {"concurrency", 4}};
  json trt = base, vllm = base, trt_bf16 = base, trt_bf16_kv = base;
  trt["engine"] = trt_bf16["engine"] = trt_bf16_kv["engine"] = "trtllm";
  vllm["engine"] = "vllm";
  trt_bf16["attention_precision"] = "bf16";
  trt_bf16_kv["kv_precision"] = "bf16";
  auto a = Ask("perf/serve", trt), b = Ask("perf/serve", vllm), c = Ask("perf/serve", trt_bf16),
       d = Ask("perf/serve", trt_bf16_kv);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  EXPECT_EQ((*a)["precision"]["attention"], "fp8");
  EXPECT_EQ((*b)["precision"]["attention"], "bf16");
  EXPECT_EQ((*c)["precision"]["attention"], "bf16");
  EXPECT_EQ((*d)["precision"]["attention"], "bf16");
  EXPECT_LT((*a)["breakdown"]["prefill_step"]["attention_ms"].get<double>(),
            (*c)["breakdown"]["prefill_step"]["attention_ms"].get<double>() * 0.6);
}

TEST(Requests, QueryStringsAreTypedByTheFieldTable) {
  const Operation* op = FindOperation("perf/serve");
  ASSERT_NE(op, nullptr);
  auto body = op->decode_query({{"chip", "nvidia-h20"},
                                {"model", "llama-3.1-8b"},
                                {"gpus", "8"},
                                {"sla_tpot", "50.5"}});
  ASSERT_TRUE(body.ok()) << body.error().ToString();
  EXPECT_EQ((*body)["gpus"], 8);
  EXPECT_EQ((*body)["sla_tpot"], 50.5);
  auto bad = op->decode_query({{"gpus", "eight"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "gpus");
  auto nan = op->decode_query({{"sla_tpot", "nan"}});
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().field, "sla_tpot");
  auto text = FindOperation("classify")->decode_query({{"rules", "id = 1"}});
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().field, "rules") << "TOML text only in a POST body";
}

TEST(Requests, SchemasListEveryFieldWithItsDefault) {
  std::set<std::string> names;
  for (const Operation& op : Operations()) {
    EXPECT_TRUE(names.insert(std::string(op.name)).second) << op.name;
    const json s = op.request_schema();
    EXPECT_EQ(s["type"], "object") << op.name;
    for (const auto& r : s.value("required", json::array()))
      EXPECT_TRUE(s["properties"].contains(r.get<std::string>())) << op.name << " " << r;
    for (const auto& [k, v] : s["properties"].items())
      EXPECT_FALSE(v.value("description", "").empty()) << op.name << "." << k;
    EXPECT_TRUE(op.response_schema().is_object()) << op.name;
  }
  const json serve = FindOperation("perf/serve")->request_schema();
  EXPECT_EQ(serve["properties"]["gpus"]["default"], 8);
  EXPECT_EQ(serve["properties"]["precision"]["default"], "fp8");
  EXPECT_EQ(FindOperation("classify")->request_schema()["properties"]["trace"]["default"], true);
}

// Field-level errors of each operation ------------------------------------------------------------

struct BadRequest {
  const char* op;
  const char* body;
  ErrorCode code;
  const char* field;
};

void PrintTo(const BadRequest& b, std::ostream* os) { *os << b.op << " " << b.body; }

class BadRequests : public ::testing::TestWithParam<BadRequest> {};

TEST_P(BadRequests, NameTheirField) {
  const BadRequest& b = GetParam();
  auto r = Ask(b.op, json::parse(b.body));
  ASSERT_FALSE(r.ok()) << b.op << " " << b.body;
  EXPECT_EQ(r.error().code, b.code) << r.error().message;
  EXPECT_EQ(r.error().field, b.field) << r.error().message;
  EXPECT_EQ(r.error().message.find("--"), std::string::npos)
      << "no CLI flag names in library messages: " << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Api, BadRequests,
    ::testing::Values(
        BadRequest{"chips", R"({"market": "server"})", ErrorCode::kInvalidArgument, "market"},
        BadRequest{"chips", R"({"mark_tpp": ["4800"], "sort": "tpp"})",
                   ErrorCode::kInvalidArgument, "mark_tpp"},
        BadRequest{"show", R"({})", ErrorCode::kInvalidArgument, "chip"},
        BadRequest{"show", R"({"chip": "nvidia-h2O"})", ErrorCode::kNotFound, "chip"},
        BadRequest{"show", R"({"chip": {"toml": "id = ["}})", ErrorCode::kParse, "chip"},
        BadRequest{"show", R"({"chip": "x", "extra": 1})", ErrorCode::kInvalidArgument, "extra"},
        BadRequest{"classify", R"({"chip": "nvidia-h20", "to": "CN"})",
                   ErrorCode::kInvalidArgument, "date"},
        BadRequest{"classify", R"({"chip": "nvidia-h20", "date": "2025-02-30", "to": "CN"})",
                   ErrorCode::kInvalidArgument, "date"},
        BadRequest{"classify", R"({"chip": "nvidia-h20", "date": "2025-05-01", "to": "ZZ"})",
                   ErrorCode::kInvalidArgument, "to"},
        BadRequest{"classify",
                   R"({"chip": "nvidia-h20", "date": "2025-05-01", "to": "CN", "view": "law"})",
                   ErrorCode::kInvalidArgument, "view"},
        BadRequest{"classify",
                   R"({"chip": "nvidia-h20", "date": "2025-05-01", "to": "CN", "set": ["pd_a=x"]})",
                   ErrorCode::kInvalidArgument, "set"},
        BadRequest{"timeline", R"({"chip": "nvidia-h20", "hq": "XX"})",
                   ErrorCode::kInvalidArgument, "hq"},
        BadRequest{"rules/diff", R"({"a": "us-2023-10-acs", "b": "nope"})", ErrorCode::kNotFound,
                   "b"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h20", "model": "llama-3.1-8b", "osl": 0,
                   "concurrency": 1})",
                   ErrorCode::kInvalidArgument, "osl"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h20", "model": "llama-3.1-8b",
                   "concurrency": 1, "spec_steps": 2, "spec_draft": 2, "spec_accept": 9})",
                   ErrorCode::kInvalidArgument, "spec_accept"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h20", "model": "deepseek-r1",
                   "concurrency": 8, "adp_balance_timeout": -1})",
                   ErrorCode::kInvalidArgument, "adp_balance_timeout"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h20", "model": "deepseek-r1",
                   "concurrency": 8, "adp_balance_wait": 10})",
                   ErrorCode::kInvalidArgument, "adp_balance_wait"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "concurrency": 8, "batch_wait_timeout": 20, "batch_wait_ratio": 1.5})",
                   ErrorCode::kInvalidArgument, "batch_wait_ratio"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "concurrency": 8, "batch_wait_ratio": 0.9})",
                   ErrorCode::kInvalidArgument, "batch_wait_ratio"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "concurrency": 8, "token_budget": -1})",
                   ErrorCode::kInvalidArgument, "token_budget"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "concurrency": 8, "max_batch": -1})",
                   ErrorCode::kInvalidArgument, "max_batch"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "concurrency": 8, "max_batch": 1000001})",
                   ErrorCode::kInvalidArgument, "max_batch"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "concurrency": 8, "requests": 100})",
                   ErrorCode::kInvalidArgument, "requests"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "requests": 0})",
                   ErrorCode::kInvalidArgument, "requests"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "requests": 1000001})",
                   ErrorCode::kInvalidArgument, "requests"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "requests": 100, "sla_tpot": 50})",
                   ErrorCode::kInvalidArgument, "requests"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "requests": 100, "prefill_workers": 1, "prefill_gpus": 4})",
                   ErrorCode::kInvalidArgument, "requests"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "concurrency": 8, "memory_share": 1.5})",
                   ErrorCode::kInvalidArgument, "memory_share"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "concurrency": 8, "memory_share": -0.1})",
                   ErrorCode::kInvalidArgument, "memory_share"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h200-sxm", "model": "llama-3.1-70b",
                   "concurrency": 8, "batch_wait_timeout": 10001})",
                   ErrorCode::kInvalidArgument, "batch_wait_timeout"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-b200", "model": "llama-3.1-70b",
                   "concurrency": 8, "engine": "trtllm", "postprocess_workers": -2})",
                   ErrorCode::kInvalidArgument, "postprocess_workers"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-b200", "model": "llama-3.1-70b",
                   "concurrency": 8, "postprocess_workers": 1025})",
                   ErrorCode::kInvalidArgument, "postprocess_workers"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-b200", "model": "deepseek-r1",
                   "concurrency": 8, "engine": "sglang", "recv_interval": 0})",
                   ErrorCode::kInvalidArgument, "recv_interval"},
        BadRequest{"compare", R"({"chips": ["nvidia-b200"], "model": "deepseek-r1",
                   "concurrency": 8, "recv_interval": 100001})",
                   ErrorCode::kInvalidArgument, "recv_interval"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h20", "model": "llama-3.1-8b",
                   "concurrency": 1, "precision": "fp7"})",
                   ErrorCode::kInvalidArgument, "precision"},
        BadRequest{"perf/serve", R"({"chip": "nvidia-h20", "model": "deepseek-r1", "gpus": 8,
                   "ep": 3, "concurrency": 1})",
                   ErrorCode::kInvalidArgument, "ep"},
        BadRequest{"perf/train", R"({"chip": "nvidia-h100-sxm", "model": "llama-3.1-70b",
                   "global_batch": 8, "seq": 4096, "zero": 5})",
                   ErrorCode::kInvalidArgument, "zero"},
        BadRequest{"compare", R"({"chips": ["nvidia-h20", "nope"], "model": "llama-3.1-8b",
                   "concurrency": 1})",
                   ErrorCode::kNotFound, "chips"},
        BadRequest{"validate", R"({"threads": -1})", ErrorCode::kInvalidArgument, "threads"},
        BadRequest{"design", R"({"base": "nvidia-h100-sxm", "date": "2024-06-01", "to": "CN",
                   "model": "deepseek-r1", "objective": "speed"})",
                   ErrorCode::kInvalidArgument, "objective"},
        BadRequest{"design", R"({"base": "nvidia-h100-sxm", "date": "2024-06-01", "to": "CN",
                   "model": "deepseek-r1", "max_tdp": "400 GB"})",
                   ErrorCode::kInvalidArgument, "max_tdp"},
        BadRequest{"design", R"({"base": "nvidia-h100-sxm", "date": "2024-06-01", "to": "CN",
                   "model": "deepseek-r1", "strategy": "random"})",
                   ErrorCode::kInvalidArgument, "strategy"},
        BadRequest{"capability", R"({"dates": ["2023-06-01", "2024-06-01", "2025-06-01"],
                   "to": "CN", "model": "llama-3.1-8b"})",
                   ErrorCode::kInvalidArgument, "dates"},
        BadRequest{"capability", R"({"dates": ["2024-06-31"], "to": "CN",
                   "model": "llama-3.1-8b"})",
                   ErrorCode::kInvalidArgument, "dates"}));

// Deadlines -------------------------------------------------------------------------------------

TEST(Deadlines, StopSearchesWithDeadlineExceeded) {
  CallOptions expired;
  expired.stop = StopToken::After(std::chrono::seconds(-1));
  const json design = {{"base", "nvidia-h100-sxm"}, {"date", "2024-06-01"}, {"to", "CN"},
                       {"model", "deepseek-r1"}};
  auto r = Ask("design", design, expired);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded);
  auto c = Ask("capability",
               {{"dates", {"2024-06-01"}}, {"to", "CN"}, {"model", "llama-3.1-8b"}}, expired);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_TRUE(Ask("design", design).ok()) << "without a deadline it answers";
}

// Threads ---------------------------------------------------------------------------------------

// Many threads asking different questions of one knowledge base get the answers one thread gets.
TEST(Concurrency, SixteenThreadsOneKnowledgeBase) {
  const std::vector<std::pair<std::string, json>> asks = {
      {"classify", {{"chip", "nvidia-h20"}, {"date", "2025-05-01"}, {"to", "CN"}}},
      {"classify",
       {{"chip", "nvidia-h100-sxm"}, {"date", "2024-06-01"}, {"to", "SG"}, {"hq", "CN"},
        {"set", {"tpp_a=4000"}}}},
      {"timeline", {{"chip", "nvidia-h20"}}},
      {"headroom", {{"chip", "nvidia-l40"}, {"date", "2024-06-01"}}},
      {"whatif", {{"set", {"tpp_b1=2000"}}, {"date", "2024-06-01"}}},
      {"perf/serve",
       {{"chip", "nvidia-h20"}, {"model", "deepseek-r1"}, {"gpus", 8}, {"concurrency", 16}}},
      {"perf/serve",
       {{"chip", "nvidia-h200-sxm"}, {"model", "llama-3.1-70b"}, {"gpus", 8}, {"sla_tpot", 30}}},
      {"design",
       {{"base", "nvidia-rtx-4090"}, {"market", "consumer"}, {"date", "2024-06-01"}, {"to", "CN"},
        {"require", "not-3a090"}, {"model", "llama-3.1-8b"}}},
  };
  std::vector<std::string> expected;
  for (const auto& [op, body] : asks) {
    auto r = Ask(op, body);
    ASSERT_TRUE(r.ok()) << op << ": " << r.error().ToString();
    expected.push_back(r->dump());
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round)
        for (std::size_t i = 0; i < asks.size(); ++i) {
          const std::size_t k = (i + static_cast<std::size_t>(t)) % asks.size();
          auto r = Ask(asks[k].first, asks[k].second);
          if (!r.ok() || r->dump() != expected[k]) ++mismatches;
        }
    });
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Every catalog chip gets a dossier, whatever its record lacks (a TPU without a die area has no
// PD, so its headroom to a PD threshold is null) and whatever the workload does (DeepSeek-R1 on
// one GPU runs on no design, so the design's ratio to the product is null): a part without a
// figure says so, the renderer never throws. 50 chips once aborted here.
// classify writes its trace straight to text: the bytes must be the tree's, for every kind of
// step (controls, exceptions, measures, memberships, headquarters, parameters, string atoms,
// unknown inputs, disputed figures) across the catalog, dates, places, views and end users.
TEST(Classify, TheStreamedTraceIsTheTreesBytes) {
  const std::vector<std::string> dates = {"2022-10-01", "2023-11-20", "2025-01-20", "2025-05-01",
                                          "2026-02-01"};
  const std::vector<std::string> places = {"CN", "US", "AE", "NL", "RU", "MO"};
  std::vector<ClassifyRequest> questions;
  for (const catalog::Chip& chip : Kb().catalog().chips())
    for (const std::string& date : dates)
      for (const std::string& to : places) {
        ClassifyRequest q;
        q.chip.id = chip.id;
        q.at = {date, to, ""};
        questions.push_back(q);
      }
  for (const char* chip : {"nvidia-h100-sxm", "nvidia-h20", "huawei-ascend-910c", "amd-mi308x"}) {
    ClassifyRequest q;
    q.chip.id = chip;
    q.at = {"2025-10-01", "MY", "CN"};  // headquarters elsewhere
    questions.push_back(q);
    q.at = {"2025-02-01", "IN", ""};
    q.rules.view = "text";  // the AI Diffusion rule's tiers
    questions.push_back(q);
    q.rules.view = "enforced";
    q.rules.set = {"tpp_a=4000"};  // an overridden parameter
    questions.push_back(q);
    q.rules.set.clear();
    q.at = {"2025-10-01", "CN", ""};
    q.end_user.end_user = "Huawei Technologies Co., Ltd.";
    q.end_user.owners = {"Cambricon Technologies Corporation Limited=60%"};
    questions.push_back(q);
    q.end_user = {};
    q.trace = false;
    questions.push_back(q);
  }
  int disputed = 0, compared = 0;
  for (const ClassifyRequest& q : questions) {
    auto r = Classify(Kb(), q);
    ASSERT_TRUE(r.ok()) << q.chip.id << " " << q.at.date << " " << r.error().ToString();
    disputed += r->disputed && r->disputed->agreement != rules::Agreement::kNone;
    ASSERT_EQ(ToJsonText(*r), report::DumpJson(ToJson(*r)))
        << q.chip.id << " " << q.at.date << " " << q.at.to << " " << q.rules.view;
    ++compared;
  }
  EXPECT_GT(disputed, 0) << "no chip with disputed figures was asked about";
  EXPECT_GT(compared, 2000);
  // And the operation serves that text.
  auto served = FindOperation("classify")->run(
      Kb(), {{"chip", "nvidia-h20"}, {"date", "2025-05-01"}, {"to", "CN"}}, {});
  ASSERT_TRUE(served.ok());
  ClassifyRequest h20;
  h20.chip.id = "nvidia-h20";
  h20.at = {"2025-05-01", "CN", ""};
  auto tree = Classify(Kb(), h20);
  ASSERT_TRUE(tree.ok());
  EXPECT_FALSE(tree->result.trace.empty());
  EXPECT_EQ(*served, report::DumpJson(ToJson(*tree)) + "\n");
}

TEST(Report, EveryCatalogChipGetsADossier) {
  std::size_t fewer_figures = 0;
  for (const catalog::Chip& chip : Kb().catalog().chips())
    for (const char* model : {"llama-3.1-70b", "deepseek-r1"}) {
      ReportRequest req;
      req.chip.id = chip.id;
      req.at = {"2025-06-01", "CN", ""};
      req.model = model;
      req.gpus = std::string_view(model) == "deepseek-r1" ? 1 : 8;
      auto r = Report(Kb(), req);
      ASSERT_TRUE(r.ok()) << chip.id << " " << model << ": " << r.error().ToString();
      std::string html;
      try {
        html = ToHtml(*r);
      } catch (const std::exception& e) {
        ADD_FAILURE() << chip.id << " " << model << ": " << e.what();
        continue;
      }
      EXPECT_NE(html.find("</html>"), std::string::npos) << chip.id;
      // No JSON object printed as text (the exceptions of an undecided license once were).
      EXPECT_EQ(html.find("{&quot;"), std::string::npos) << chip.id << " " << model;
      // The API's phrase for an exception is what the dossier prints: a TPU v4 (no PD) to CN
      // may or may not qualify for NAC, and the dossier says so in words.
      if (chip.id == "google-tpu-v4") {
        EXPECT_NE(html.find("NAC: License exception NAC (with notification)"), std::string::npos)
            << model;
        EXPECT_NE(html.find("(whether it is available cannot be decided)"), std::string::npos);
      }
      // A test without a ratio gets no bar (it once got an empty one each, a column of "?"
      // for a chip without a TPP); the note under the chart names the missing figure.
      EXPECT_EQ(html.find("? (pd unknown)"), std::string::npos) << chip.id;
      if (html.find("tests have no bar: the catalog has no figure for the chip's") !=
              std::string::npos ||
          html.find("threshold tests can be judged: the catalog has no figure for the chip's") !=
              std::string::npos)
        ++fewer_figures;
    }
  EXPECT_GT(fewer_figures, 10u) << "chips without a PD say so under their headroom chart";
}

// A compared chip's notes (clients that queue for KV room, bands that held less often than
// promised) are printed under the dossier's comparison table, as the web app lists them; the
// dossier once dropped every note.
TEST(Report, DossierListsTheComparisonsNotes) {
  ReportRequest req;
  req.chip.id = "nvidia-h20";
  req.at = {"2025-06-01", "CN", ""};
  req.model = "llama-3.1-405b";
  req.concurrency = 512;
  auto r = Report(Kb(), req);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_TRUE(r->compare.is_object());
  std::vector<std::string> notes;
  for (const auto& c : r->compare["chips"])
    for (const auto& n : c["notes"]) notes.push_back(c["chip"].get<std::string>() + ": " +
                                                     n.get<std::string>());
  ASSERT_FALSE(notes.empty()) << "512 clients of Llama 3.1 405B on 8 GPUs queue for KV room";
  const std::string html = ToHtml(*r);
  for (const std::string& n : notes)
    EXPECT_NE(html.find("<li>" + report::HtmlEscape(n) + "</li>"), std::string::npos) << n;
}

TEST(KnowledgeBase, VersionAndParts) {
  const DataVersion& v = Kb().version();
  EXPECT_FALSE(v.rule_versions.empty());
  ASSERT_TRUE(v.sources_read.has_value());
  EXPECT_GT(v.chips, 50);
  auto partial = KnowledgeBase::Load(std::string(CEILING_SOURCE_DIR) + "/data", 0);
  ASSERT_TRUE(partial.ok());
  auto models = (*partial)->models();
  ASSERT_FALSE(models.ok()) << "models were not asked for";
  EXPECT_EQ(models.error().code, ErrorCode::kNotFound);
  auto missing = KnowledgeBase::Load("/nonexistent-ceiling-data");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// The data's shipments files: listed by the index, asked for by id (the same answer as the
// file's text), and a malformed one fails the load with its line like any data file.
TEST(KnowledgeBase, FleetsById) {
  auto files = Kb().fleets();
  ASSERT_TRUE(files.ok());
  ASSERT_EQ((*files)->size(), 1u);
  const FleetFile& f = (*files)->front();
  EXPECT_EQ(f.id, "china-2022-2026");
  auto index = Index(Kb(), {});
  ASSERT_TRUE(index.ok());
  ASSERT_EQ(index->fleets.size(), 1u);
  EXPECT_EQ(index->fleets[0].id, f.id);
  EXPECT_EQ(index->fleets[0].title, f.title);
  EXPECT_GT(index->fleets[0].rows, 10);

  auto by_id = Ask("fleet", {{"fleet", "china-2022-2026"}, {"throughput", false}});
  ASSERT_TRUE(by_id.ok()) << by_id.error().ToString();
  auto by_text = Ask("fleet", {{"shipments", {{"toml", f.text}, {"name", f.name}}},
                               {"throughput", false}});
  ASSERT_TRUE(by_text.ok()) << by_text.error().ToString();
  EXPECT_EQ(*by_id, *by_text);
  // The chart's cumulative lines end at the counted rows' total (H100-equivalents by TPP).
  double end = 0;
  for (const json& fam : (*by_id)["chart"]["families"]) end += fam["values"].back().get<double>();
  EXPECT_NEAR(end, (*by_id)["totals"]["h100_eq_tpp"]["value"].get<double>(), 1e-6 * end);

  auto unknown = Ask("fleet", {{"fleet", "china"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().field, "fleet");
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto neither = Ask("fleet", json::object());
  ASSERT_FALSE(neither.ok());
  EXPECT_EQ(neither.error().field, "shipments");

  auto partial = KnowledgeBase::Load(std::string(CEILING_SOURCE_DIR) + "/data", 0);
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ((*partial)->fleets().error().code, ErrorCode::kNotFound) << "fleets not asked for";

  namespace fs = std::filesystem;
  const fs::path dir = fs::path(testing::TempDir()) / "ceiling-bad-fleet";
  fs::remove_all(dir);
  fs::create_directories(dir / "fleets");
  for (const char* part : {"chips", "rules", "countries"})
    fs::create_directory_symlink(fs::path(CEILING_SOURCE_DIR) / "data" / part, dir / part);
  std::ofstream(dir / "fleets" / "bad.csv")
      << "id,chip,quantity,date,destination,kind,source\n"
         "a,nvidia-h20,ten,2024,CN,reported,https://example.org/a\n";
  auto bad = KnowledgeBase::Load(dir, kFleets);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().location.line, 2) << bad.error().ToString();
  EXPECT_NE(bad.error().ToString().find("bad.csv"), std::string::npos) << bad.error().ToString();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ceiling::api
