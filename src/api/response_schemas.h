// Private to the api module: JSON schemas of the responses, for the OpenAPI document. They live
// in response_schemas.json (embedded at build time) and the API tests check every response the
// suite produces against them.
#ifndef CEILING_SRC_API_RESPONSE_SCHEMAS_H_
#define CEILING_SRC_API_RESPONSE_SCHEMAS_H_

#include <nlohmann/json.hpp>

namespace ceiling::api::schemas {

nlohmann::json Chips();
nlohmann::json Chip();
nlohmann::json CheckData();
nlohmann::json Classify();
nlohmann::json Timeline();
nlohmann::json Matrix();
nlohmann::json Headroom();
nlohmann::json WhatIf();
nlohmann::json RulesList();
nlohmann::json RuleShow();
nlohmann::json RulesDiff();
nlohmann::json RulesStatus();
nlohmann::json ChipMap();
nlohmann::json PerfServe();
nlohmann::json PerfTrain();
nlohmann::json Compare();
nlohmann::json Validate();
nlohmann::json Calibrate();
nlohmann::json Design();
nlohmann::json Fleet();
nlohmann::json Capability();
nlohmann::json Version();
nlohmann::json Index();
nlohmann::json Report();

}  // namespace ceiling::api::schemas

#endif  // CEILING_SRC_API_RESPONSE_SCHEMAS_H_
