#include "ceiling/api/operations.h"

#include <fmt/format.h>

#include <algorithm>

#include "ceiling/api/catalog_api.h"
#include "ceiling/api/design_api.h"
#include "ceiling/api/fleet_api.h"
#include "ceiling/api/index_api.h"
#include "ceiling/api/report_api.h"
#include "ceiling/api/perf_api.h"
#include "ceiling/api/rules_api.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/report/json.h"
#include "json_fields.h"
#include "response_schemas.h"

#ifndef CEILING_VERSION
#define CEILING_VERSION "0.0.0"
#endif

namespace ceiling::api {

using nlohmann::json;

namespace detail {

std::string JsonTypeName(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    case json::value_t::array:
      return "a list";
    case json::value_t::object:
      return "an object";
    default:
      return "a value";
  }
}

std::string Suggest(std::string_view name, const std::vector<std::string>& names) {
  std::string best;
  int best_d = std::max<int>(3, static_cast<int>(name.size()) / 3) + 1;
  for (const std::string& n : names) {
    const int d = EditDistance(name, n);
    if (d < best_d) best_d = d, best = n;
  }
  return best.empty() ? "" : fmt::format("; did you mean \"{}\"?", best);
}

}  // namespace detail

std::string DumpJsonText(const json& j) { return report::DumpJson(j) + "\n"; }

int JsonNestingDepth(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{')
      max_depth = std::max(max_depth, ++depth);
    else if (c == ']' || c == '}')
      --depth;
  }
  return max_depth;
}

namespace {

// Runs Fn on a decoded request and returns the response's JSON text.
template <class Request, auto Fn>
Result<std::string> RunPlain(const KnowledgeBase& kb, const json& body, const CallOptions&) {
  ASSIGN_OR_RETURN(Request req, detail::DecodeRequest<Request>(body));
  ASSIGN_OR_RETURN(auto resp, Fn(kb, std::move(req)));
  return DumpJsonText(ToJson(resp));
}

// classify: its JSON text comes without a tree for the trace (ToJsonText), the same bytes.
Result<std::string> RunClassify(const KnowledgeBase& kb, const json& body, const CallOptions&) {
  ASSIGN_OR_RETURN(ClassifyRequest req, detail::DecodeRequest<ClassifyRequest>(body));
  ASSIGN_OR_RETURN(ClassifyResponse resp, Classify(kb, std::move(req)));
  return ToJsonText(resp) + "\n";
}

template <class Request, auto Fn>
Result<std::string> RunCall(const KnowledgeBase& kb, const json& body, const CallOptions& call) {
  ASSIGN_OR_RETURN(Request req, detail::DecodeRequest<Request>(body));
  ASSIGN_OR_RETURN(auto resp, Fn(kb, std::move(req), call));
  return DumpJsonText(ToJson(resp));
}

Result<std::string> RunCheckData(const KnowledgeBase& kb, const json& body, const CallOptions&) {
  ASSIGN_OR_RETURN(CheckDataRequest req, detail::DecodeRequest<CheckDataRequest>(body));
  return DumpJsonText(ToJson(CheckData(kb.data_dir(), req)));
}

Result<std::string> RunReport(const KnowledgeBase& kb, const json& body, const CallOptions& call) {
  ASSIGN_OR_RETURN(ReportRequest req, detail::DecodeRequest<ReportRequest>(body));
  ASSIGN_OR_RETURN(ReportResponse resp, Report(kb, std::move(req), call));
  return ToHtml(resp);
}

template <class Request>
constexpr auto Schema = &detail::RequestSchema<Request>;
template <class Request>
constexpr auto Query = &detail::DecodeQuery<Request>;

const std::vector<Operation> kOperations = {
    {"chips", "The chip catalog with export-control metrics", true, "catalog",
     Schema<ChipsRequest>, &schemas::Chips, Query<ChipsRequest>,
     &RunPlain<ChipsRequest, &Chips>},
    {"show", "One chip: record, metrics with derivations, sources", true, "catalog",
     Schema<ShowRequest>, &schemas::Chip, Query<ShowRequest>, &RunPlain<ShowRequest, &Show>},
    {"check-data", "Consistency check of the server's knowledge base", true, "catalog",
     Schema<CheckDataRequest>, &schemas::CheckData, Query<CheckDataRequest>, &RunCheckData},
    {"index", "What the knowledge base holds: rule-change dates, destinations, models, designs",
     true, "catalog", Schema<IndexRequest>, &schemas::Index, Query<IndexRequest>,
     &RunPlain<IndexRequest, &Index>},
    {"classify", "May this chip go there? Controls, license, exceptions, review, trace", true,
     "rules", Schema<ClassifyRequest>, &schemas::Classify, Query<ClassifyRequest>,
     &RunClassify},
    {"timeline", "Every date on which a chip's export status changes, with the reason", true,
     "rules", Schema<TimelineRequest>, &schemas::Timeline, Query<TimelineRequest>,
     &RunPlain<TimelineRequest, &Timeline>},
    {"matrix", "Chips x rule versions: how each rule moved each chip", true, "rules",
     Schema<MatrixRequest>, &schemas::Matrix, Query<MatrixRequest>,
     &RunPlain<MatrixRequest, &Matrix>},
    {"headroom", "A chip's metrics against every threshold of the rules in force", true, "rules",
     Schema<HeadroomRequest>, &schemas::Headroom, Query<HeadroomRequest>,
     &RunPlain<HeadroomRequest, &Headroom>},
    {"whatif", "Chips whose status changes under overridden parameters or an added rule", true,
     "rules", Schema<WhatIfRequest>, &schemas::WhatIf, Query<WhatIfRequest>,
     &RunPlain<WhatIfRequest, &WhatIf>},
    {"rules/list", "Every rule version, in order of effect", true, "rules",
     Schema<RulesListRequest>, &schemas::RulesList, Query<RulesListRequest>,
     &RunPlain<RulesListRequest, &RulesList>},
    {"rules/show", "One rule version: dates, parameters, clauses, sources", true, "rules",
     Schema<RuleShowRequest>, &schemas::RuleShow, Query<RuleShowRequest>,
     &RunPlain<RuleShowRequest, &RuleShow>},
    {"rules/status", "Every rule version, measure, list and group with its last-checked date", true,
     "rules", Schema<RulesStatusRequest>, &schemas::RulesStatus, Query<RulesStatusRequest>,
     &RunPlain<RulesStatusRequest, &RulesStatus>},
    {"rules/diff", "What rule b changes relative to rule a, and which chips change status", true,
     "rules", Schema<RulesDiffRequest>, &schemas::RulesDiff, Query<RulesDiffRequest>,
     &RunPlain<RulesDiffRequest, &RulesDiff>},
    {"map", "TPP x PD chart data: threshold regions of the rules in force, chips by status",
     true, "rules", Schema<ChipMapRequest>, &schemas::ChipMap, Query<ChipMapRequest>,
     &RunPlain<ChipMapRequest, &ChipMap>},
    {"perf/serve", "LLM serving: TTFT, TPOT and tokens/s of the best deployment", true,
     "performance", Schema<PerfServeRequest>, &schemas::PerfServe, Query<PerfServeRequest>,
     &RunPlain<PerfServeRequest, &PerfServe>},
    {"perf/train", "LLM training: step time, tokens/s, MFU, memory", true, "performance",
     Schema<PerfTrainRequest>, &schemas::PerfTrain, Query<PerfTrainRequest>,
     &RunPlain<PerfTrainRequest, &PerfTrain>},
    {"compare", "The same serving workload on several chips, with ratios to the first", true,
     "performance", Schema<CompareRequest>, &schemas::Compare, Query<CompareRequest>,
     &RunCall<CompareRequest, &Compare>},
    {"validate", "Error of the performance model against published measurements", true,
     "performance", Schema<ValidateRequest>, &schemas::Validate, Query<ValidateRequest>,
     &RunCall<ValidateRequest, &Validate>},
    {"calibrate", "A fresh fit of the performance model's efficiencies (as TOML)", true,
     "performance", Schema<CalibrateRequest>, &schemas::Calibrate, Query<CalibrateRequest>,
     &RunCall<CalibrateRequest, &Calibrate>},
    {"fleet", "What shipments add up to: H100-equivalents, licenses, revenue shares, what-if",
     true, "fleets", Schema<FleetRequest>, &schemas::Fleet, Query<FleetRequest>,
     &RunCall<FleetRequest, &Fleet>},
    {"design", "The best derivative of a die that a rule still lets through", true, "design",
     Schema<DesignRequest>, &schemas::Design, Query<DesignRequest>,
     &RunCall<DesignRequest, &Design>},
    {"capability", "Per die, the best compliant derivative: the capability a rule leaves open",
     true, "design", Schema<CapabilityRequest>, &schemas::Capability, Query<CapabilityRequest>,
     &RunCall<CapabilityRequest, &Capability>},
    {"report", "A chip's dossier: one self-contained HTML file (verdict, charts, comparison, design)",
     true, "report", Schema<ReportRequest>, &schemas::Report, Query<ReportRequest>, &RunReport,
     "text/html; charset=utf-8"},
};

}  // namespace

const std::vector<Operation>& Operations() { return kOperations; }

const Operation* FindOperation(std::string_view name) {
  for (const Operation& op : kOperations)
    if (op.name == name) return &op;
  return nullptr;
}

json ErrorJson(const Error& e) {
  json err = {{"code", ErrorCodeName(e.code)}, {"message", e.message}};
  err["field"] = e.field.empty() ? json(nullptr) : json(e.field);
  if (e.location.known()) err["location"] = e.location.ToString();
  return {{"error", err}};
}

json VersionJson(const KnowledgeBase& kb) {
  const DataVersion& v = kb.version();
  return {{"ceiling", CEILING_VERSION},
          {"api", "v1"},
          {"rule_versions", v.rule_versions},
          {"current_as_of", v.sources_read ? json(v.sources_read->ToString()) : json(nullptr)},
          {"chips", v.chips},
          {"models", v.models}};
}

json OpenApiDocument(const KnowledgeBase& kb) {
  json paths = json::object();
  const json error_response = {
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
  auto error_with = [&](const char* description) {
    json j = error_response;
    j["description"] = description;
    return j;
  };
  for (const Operation& op : kOperations) {
    const json request = op.request_schema();
    const std::string id = [&] {
      std::string s(op.name);
      std::replace(s.begin(), s.end(), '/', '_');
      std::replace(s.begin(), s.end(), '-', '_');
      return s;
    }();
    const bool is_json = op.content_type == "application/json";
    json responses = {
        {"200",
         {{"description", is_json ? "The answer (the same JSON as the CLI's --json)"
                                  : "The answer (the same bytes as the CLI writes)"},
          {"content",
           {{is_json ? std::string("application/json") : std::string("text/html"),
             {{"schema", op.response_schema()}}}}}}},
        {"400", error_with("Bad input (field-level)")},
        {"404", error_with("An unknown id")},
        {"413", error_with("Request too large")},
        {"422", error_with("A valid request with no answer")},
        {"503", error_with("The deadline stopped it")}};
    json item = json::object();
    json post = {{"operationId", id + "_post"},
                 {"summary", op.summary},
                 {"tags", json::array({op.tag})},
                 {"requestBody",
                  {{"required", true},
                   {"content", {{"application/json", {{"schema", request}}}}}}},
                 {"responses", responses}};
    item["post"] = post;
    if (op.get) {
      json params = json::array();
      const json required = request.value("required", json::array());
      for (const auto& [name, schema] : request["properties"].items()) {
        json p = {{"name", name},
                  {"in", "query"},
                  {"description", schema.value("description", "")},
                  {"schema", schema}};
        if (std::find(required.begin(), required.end(), name) != required.end())
          p["required"] = true;
        if (schema.value("type", json()) == "array") {
          p["style"] = "form";
          p["explode"] = true;
        }
        params.push_back(std::move(p));
      }
      item["get"] = {{"operationId", id + "_get"},
                     {"summary", op.summary},
                     {"tags", json::array({op.tag})},
                     {"parameters", params},
                     {"responses", responses}};
    }
    paths["/api/v1/" + std::string(op.name)] = item;
  }
  const json text_response = {
      {"200",
       {{"description", "OK"},
        {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}}};
  paths["/api/v1/version"] = {
      {"get",
       {{"operationId", "version"},
        {"summary", "Build, rule versions in the data, and the data's currency"},
        {"responses",
         {{"200",
           {{"description", "OK"},
            {"content", {{"application/json", {{"schema", schemas::Version()}}}}}}}}}}}};
  paths["/api/v1/openapi.json"] = {{"get",
                                    {{"operationId", "openapi"},
                                     {"summary", "This document"},
                                     {"responses", text_response}}}};
  paths["/healthz"] = {{"get",
                        {{"operationId", "healthz"},
                         {"summary", "Liveness"},
                         {"responses", text_response}}}};
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "ceiling API"},
            {"version", CEILING_VERSION},
            {"description",
             "May this AI chip go there, and what can it do there? Every operation takes a JSON "
             "body (POST) or query parameters (GET); the answer is the same JSON as the CLI's "
             "--json. Data: " +
                 kb.version().data_dir}}},
          {"paths", paths},
          {"components",
           {{"schemas",
             {{"Error",
               {{"type", "object"},
                {"required", json::array({"error"})},
                {"properties",
                 {{"error",
                   {{"type", "object"},
                    {"required", json::array({"code", "message", "field"})},
                    {"properties",
                     {{"code", {{"type", "string"}}},
                      {"message", {{"type", "string"}}},
                      {"field", {{"type", json::array({"string", "null"})}}},
                      {"location", {{"type", "string"}}},
                      {"suggestions",
                       {{"type", "array"}, {"items", {{"type", "string"}}}}}}}}}}}}}}}}}};
}

}  // namespace ceiling::api
