#include "response_schemas.h"

#include <string_view>

namespace ceiling::api::schemas {

// The embedded response_schemas.json (see CMakeLists.txt).
extern const std::string_view kResponseSchemasJson;

namespace {

const nlohmann::json& All() {
  static const nlohmann::json all = nlohmann::json::parse(kResponseSchemasJson);
  return all;
}

nlohmann::json Get(const char* name) {
  const nlohmann::json& a = All();
  auto it = a.find(name);
  return it == a.end() ? nlohmann::json{{"type", "object"}} : *it;
}

}  // namespace

nlohmann::json Chips() { return Get("chips"); }
nlohmann::json Chip() { return Get("show"); }
nlohmann::json CheckData() { return Get("check-data"); }
nlohmann::json Classify() { return Get("classify"); }
nlohmann::json Timeline() { return Get("timeline"); }
nlohmann::json Matrix() { return Get("matrix"); }
nlohmann::json Headroom() { return Get("headroom"); }
nlohmann::json WhatIf() { return Get("whatif"); }
nlohmann::json RulesList() { return Get("rules/list"); }
nlohmann::json RuleShow() { return Get("rules/show"); }
nlohmann::json RulesDiff() { return Get("rules/diff"); }
nlohmann::json RulesStatus() { return Get("rules/status"); }
nlohmann::json ChipMap() { return Get("map"); }
nlohmann::json PerfServe() { return Get("perf/serve"); }
nlohmann::json PerfTrain() { return Get("perf/train"); }
nlohmann::json Compare() { return Get("compare"); }
nlohmann::json Validate() { return Get("validate"); }
nlohmann::json Calibrate() { return Get("calibrate"); }
nlohmann::json Design() { return Get("design"); }
nlohmann::json Fleet() { return Get("fleet"); }
nlohmann::json Capability() { return Get("capability"); }
nlohmann::json Version() { return Get("version"); }
nlohmann::json Index() { return Get("index"); }
nlohmann::json Report() { return {{"type", "string"}, {"description", "A self-contained HTML document"}}; }

}  // namespace ceiling::api::schemas
