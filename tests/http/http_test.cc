// The HTTP API end to end: `ceiling serve` on an ephemeral loopback port, every route with good
// and bad input (tests/cases/api/routes.toml), each 200 body compared byte for byte with the CLI's
// --json for the same request, statuses and field-level errors, the protocol's limits, and 16
// concurrent clients. Every response is saved for the OpenAPI check (validate_responses.mjs).
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "ceiling/base/toml_reader.h"
#include "cli/run.h"
#include "http/server_fixture.h"

namespace ceiling {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

ServerProcess* g_server = nullptr;

// One server for the whole run, stopped (SIGTERM) when the tests end.
class ServerEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    g_server = new ServerProcess();
    if (!g_server->Start()) ADD_FAILURE() << g_server->error();
  }
  void TearDown() override {
    EXPECT_EQ(g_server->Stop(), 0) << "the server stops cleanly on SIGTERM";
    delete g_server;
    g_server = nullptr;
  }
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new ServerEnvironment);

ServerProcess& Server() { return *g_server; }

httplib::Client Client() {
  httplib::Client c("127.0.0.1", Server().port());
  c.set_read_timeout(120, 0);
  return c;
}

const fs::path kResponses = CEILING_RESPONSES_DIR;

// Saves a response for the OpenAPI check: <name>.json plus an entry in manifest.jsonl.
void Save(const std::string& name, const std::string& route, const std::string& method,
          int status, const std::string& body) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  fs::create_directories(kResponses);
  std::ofstream(kResponses / (name + ".json"), std::ios::binary) << body;
  std::ofstream(kResponses / "manifest.jsonl", std::ios::app)
      << json{{"name", name}, {"route", route}, {"method", method}, {"status", status}}.dump()
      << "\n";
}

struct Case {
  std::string name, route, query, body, cli, field, message;
  bool post = false;
  int status = 0;
};

std::vector<Case> LoadCases() {
  auto doc = TomlTable::ParseFile(std::string(CEILING_SOURCE_DIR) + "/tests/cases/api/routes.toml");
  if (!doc.ok()) {
    ADD_FAILURE() << doc.error().ToString();
    return {};
  }
  std::vector<Case> out;
  auto tables = doc->GetTableArray("case");
  if (!tables.ok()) {
    ADD_FAILURE() << tables.error().ToString();
    return {};
  }
  for (const TomlTable& t : *tables) {
    Case c;
    c.name = *t.GetString("name");
    c.route = *t.GetString("route");
    c.status = static_cast<int>(*t.GetInteger("status"));
    c.post = t.Has("body");
    c.body = c.post ? *t.GetString("body") : "";
    c.query = t.Has("query") ? *t.GetString("query") : "";
    c.cli = t.Has("cli") ? *t.GetString("cli") : "";
    c.field = t.Has("field") ? *t.GetString("field") : "";
    c.message = t.Has("message") ? *t.GetString("message") : "";
    out.push_back(std::move(c));
  }
  return out;
}

TEST(HttpApi, EveryRouteWithGoodAndBadInput) {
  ASSERT_GT(Server().port(), 0);
  fs::remove_all(kResponses);
  httplib::Client http = Client();
  const std::vector<Case> cases = LoadCases();
  ASSERT_GE(cases.size(), 50u);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = "/api/v1/" + c.route;
    auto res = c.post ? http.Post(path.c_str(), c.body, "application/json")
                      : http.Get((path + (c.query.empty() ? "" : "?" + c.query)).c_str());
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, c.status) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    Save(c.name, c.route, c.post ? "post" : "get", res->status, res->body);
    const json body = json::parse(res->body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << res->body;
    if (c.status == 200) {
      if (!c.cli.empty()) {
        const CliResult cli = RunCeiling(c.cli);
        ASSERT_EQ(cli.exit_code, 0) << cli.err;
        EXPECT_EQ(res->body, cli.out) << "the HTTP body and `ceiling " << c.cli << "` differ";
      }
      continue;
    }
    ASSERT_TRUE(body.contains("error")) << res->body;
    const json& e = body["error"];
    if (c.field.empty()) {
      EXPECT_TRUE(e["field"].is_null()) << res->body;
    } else {
      EXPECT_EQ(e["field"], c.field) << res->body;
    }
    EXPECT_NE(e["message"].get<std::string>().find(c.message), std::string::npos) << res->body;
  }
}

TEST(HttpApi, HealthVersionAndOpenApi) {
  httplib::Client http = Client();
  auto h = http.Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  auto v = http.Get("/api/v1/version");
  ASSERT_TRUE(v);
  const json version = json::parse(v->body);
  EXPECT_FALSE(version["rule_versions"].empty());
  EXPECT_TRUE(version["current_as_of"].is_string());
  Save("version", "version", "get", v->status, v->body);
  auto o = http.Get("/api/v1/openapi.json");
  ASSERT_TRUE(o);
  const json doc = json::parse(o->body);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  for (const char* route : {"chips", "show", "check-data", "classify", "timeline", "matrix",
                            "headroom", "whatif", "rules/list", "rules/show", "rules/diff", "map",
                            "perf/serve", "perf/train", "compare", "validate", "calibrate",
                            "design", "capability"}) {
    const std::string p = std::string("/api/v1/") + route;
    ASSERT_TRUE(doc["paths"].contains(p)) << p;
    EXPECT_TRUE(doc["paths"][p].contains("post")) << p;
    EXPECT_TRUE(doc["paths"][p]["post"]["responses"]["200"]["content"]["application/json"]
                    .contains("schema"))
        << p;
  }
  fs::create_directories(kResponses);
  std::ofstream(kResponses / "openapi.json") << o->body;
}

TEST(HttpApi, ProtocolLimits) {
  httplib::Client http = Client();
  // A 2 MiB body is over the 1 MiB limit.
  const std::string big(2u << 20, 'a');
  auto r = http.Post("/api/v1/classify", big, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  Save("body-too-large", "classify", "post", r->status, r->body);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "too-large");
  // A method the API does not take.
  r = http.Put("/api/v1/classify", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  // Query parameters on a POST are refused (the body is the request).
  r = http.Post("/api/v1/classify?chip=nvidia-h20", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  // Not JSON by its content type.
  r = http.Post("/api/v1/classify", "chip: x", "text/yaml");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  // CORS is off unless asked for.
  auto g = http.Get("/api/v1/chips");
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->has_header("Access-Control-Allow-Origin"));
}

// An address that is no page: a view's path with a trailing slash or in capitals is redirected
// to the view with its query; a browser gets a page (with links to the views) for anything else,
// an API client the JSON error, and /api/ paths are always JSON.
TEST(HttpApi, PagesNotFoundAreRedirectedOrExplained) {
  httplib::Client http = Client();
  auto r = http.Get("/chip/?chip=nvidia-h20&to=CN");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 308);
  EXPECT_EQ(r->get_header_value("Location"), "/chip?chip=nvidia-h20&to=CN");
  r = http.Get("/Matrix");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 308);
  EXPECT_EQ(r->get_header_value("Location"), "/matrix");
  const httplib::Headers html{{"Accept", "text/html,application/xhtml+xml"}};
  r = http.Get("/no-such-page<b>", html);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(r->body.find("Page not found"), std::string::npos);
  EXPECT_NE(r->body.find("/no-such-page&lt;b&gt;"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("<a href=\"/compare\">"), std::string::npos);
  r = http.Get("/no-such-page");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "not-found");
  r = http.Get("/api/v1/clasify", html);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(json::parse(r->body)["error"]["message"].get<std::string>().find("classify"),
            std::string::npos);
}

TEST(HttpApi, CorsWhenAsked) {
  ServerProcess s;
  ASSERT_TRUE(s.Start({"--cors", "https://example.org"})) << s.error();
  httplib::Client http("127.0.0.1", s.port());
  auto g = http.Get("/api/v1/rules/list");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->get_header_value("Access-Control-Allow-Origin"), "https://example.org");
  auto pre = http.Options("/api/v1/classify");
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->status, 204);
  EXPECT_EQ(s.Stop(), 0) << "SIGTERM stops the server cleanly";
}

// 16 clients at once, each asking a mix of questions; every answer equals the one-at-a-time answer.
TEST(HttpApi, SixteenConcurrentClients) {
  const std::vector<std::string> paths = {
      "/api/v1/classify?chip=nvidia-h20&date=2025-05-01&to=CN",
      "/api/v1/classify?chip=nvidia-h100-sxm&date=2024-06-01&to=SG&hq=CN&trace=false",
      "/api/v1/timeline?chip=nvidia-a800-sxm&to=CN",
      "/api/v1/headroom?chip=nvidia-h20&date=2024-06-01&to=CN",
      "/api/v1/perf/serve?chip=nvidia-h20&model=llama-3.1-70b&gpus=8&concurrency=32",
      "/api/v1/perf/serve?chip=nvidia-h200-sxm&model=llama-3.1-70b&gpus=8&sla_tpot=30",
      "/api/v1/design?base=nvidia-rtx-4090&market=consumer&date=2024-06-01&to=CN&require=not-3a090&"
      "model=llama-3.1-8b",
      "/api/v1/classify?chip=nvidia-h2&date=2025-05-01&to=CN",
  };
  std::vector<std::string> expected;
  {
    httplib::Client http = Client();
    for (const std::string& p : paths) {
      auto r = http.Get(p.c_str());
      ASSERT_TRUE(r) << p;
      expected.push_back(std::to_string(r->status) + r->body);
    }
  }
  constexpr int kClients = 16, kRounds = 6;
  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t)
    clients.emplace_back([&, t] {
      httplib::Client http = Client();
      for (int round = 0; round < kRounds; ++round)
        for (std::size_t i = 0; i < paths.size(); ++i) {
          const std::size_t k = (i + static_cast<std::size_t>(t)) % paths.size();
          auto r = http.Get(paths[k].c_str());
          if (!r) {
            ++failures;
            continue;
          }
          if (std::to_string(r->status) + r->body != expected[k]) ++mismatches;
        }
    });
  for (std::thread& c : clients) c.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace ceiling
