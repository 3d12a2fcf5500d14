// Every operation of the API in one table, for the adapters that speak JSON: the HTTP server
// (`ceiling serve`), the Python module and the OpenAPI document.
//
//   const Operation* op = FindOperation("classify");
//   ASSIGN_OR_RETURN(nlohmann::json body, op->decode_query(params));   // GET ...?chip=nvidia-h20
//   ASSIGN_OR_RETURN(std::string json, op->run(*kb, body, {}));          // the response body
//
// A request body is a JSON object whose keys are the request's field names (api/fields.h);
// absent keys take the documented defaults, unknown keys are errors (with a suggestion). The
// response text is exactly what the CLI prints with --json for the same request: ToJsonText()
// of the typed response (2-space indented JSON and a newline).
//
// Errors keep their code and field: kInvalidArgument/kParse/kSchema (bad input, 400), kNotFound
// (an unknown id, 404), kTooLarge (413), kNoAnswer (a valid request without an answer, 422),
// kDeadlineExceeded (503). Thread safety: the table is immutable; run() is a pure function of
// (knowledge base, body) and may be called from any number of threads.
#ifndef CEILING_API_OPERATIONS_H_
#define CEILING_API_OPERATIONS_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/api/fields.h"
#include "ceiling/api/knowledge_base.h"

namespace ceiling::api {

// Query parameters of a GET request, in order (a name may repeat: chips=a&chips=b).
using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct Operation {
  std::string_view name;     // "classify", "rules/show", "perf/serve"; route /api/v1/<name>
  std::string_view summary;  // one line
  bool get = false;          // also answers GET with query parameters
  std::string_view tag;      // "catalog", "rules", "performance", "design"
  // The request's JSON schema (properties with types, defaults, docs; required).
  nlohmann::json (*request_schema)() = nullptr;
  // The response's JSON schema.
  nlohmann::json (*response_schema)() = nullptr;
  // Query parameters to a request body (types from the request's fields).
  Result<nlohmann::json> (*decode_query)(const QueryParams& params) = nullptr;
  // Decodes the body, runs the operation, returns the response text (JSON unless `content_type`
  // says otherwise).
  Result<std::string> (*run)(const KnowledgeBase& kb, const nlohmann::json& body,
                             const CallOptions& call) = nullptr;
  // The media type of a 200 answer: JSON for every operation but `report` (an HTML document).
  std::string_view content_type = "application/json";
};

const std::vector<Operation>& Operations();
const Operation* FindOperation(std::string_view name);

// The OpenAPI 3.1 document of every route, with the version of `kb`'s data.
nlohmann::json OpenApiDocument(const KnowledgeBase& kb);
// /api/v1/version: build, rule versions in the data, the latest date a source was read.
nlohmann::json VersionJson(const KnowledgeBase& kb);
// The JSON form of an error: {"error": {"code": "...", "field": "tp", "message": "..."}}.
nlohmann::json ErrorJson(const Error& e);

// The text every JSON adapter emits for a response: 2-space indented, then a newline.
std::string DumpJsonText(const nlohmann::json& j);
// The nesting depth of a JSON text, strings skipped: the guard an adapter applies to untrusted
// input before parsing it (the server refuses bodies deeper than 64 levels).
int JsonNestingDepth(std::string_view text);

}  // namespace ceiling::api

#endif  // CEILING_API_OPERATIONS_H_
