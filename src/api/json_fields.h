// Private to the api module: the visitors that read a request from JSON, turn query parameters
// into JSON, and describe a request as a JSON schema, all from the request's field table.
#ifndef CEILING_SRC_API_JSON_FIELDS_H_
#define CEILING_SRC_API_JSON_FIELDS_H_

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ceiling/api/fields.h"
#include "ceiling/api/operations.h"

namespace ceiling::api::detail {

using nlohmann::json;

std::string JsonTypeName(const json& j);
// The field names closest to `name` ("did you mean").
std::string Suggest(std::string_view name, const std::vector<std::string>& names);

// Reads fields from a JSON object. Absent keys keep the member's value (its default).
class JsonDecoder {
 public:
  explicit JsonDecoder(const json& body) : body_(body) {}

  Status status;
  std::vector<std::string> names;  // every field of the request

  void operator()(const Field& f, std::string& v) {
    if (const json* j = Get(f)) {
      if (!j->is_string()) return Fail(f, "a string", *j);
      v = j->get<std::string>();
    }
  }
  void operator()(const Field& f, bool& v) {
    if (const json* j = Get(f)) {
      if (!j->is_boolean()) return Fail(f, "true or false", *j);
      v = j->get<bool>();
    }
  }
  void operator()(const Field& f, int& v) {
    if (const json* j = Get(f)) ReadInt(f, *j, &v);
  }
  void operator()(const Field& f, std::int64_t& v) {
    if (const json* j = Get(f)) {
      if (!j->is_number_integer()) return Fail(f, "an integer", *j);
      if (j->is_number_unsigned() &&
          j->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
        return Bad(f, "is out of range");
      v = j->get<std::int64_t>();
    }
  }
  void operator()(const Field& f, double& v) {
    if (const json* j = Get(f)) ReadDouble(f, *j, &v);
  }
  void operator()(const Field& f, std::optional<int>& v) {
    if (const json* j = Get(f)) {
      if (j->is_null()) return v.reset();
      int x = 0;
      if (ReadInt(f, *j, &x)) v = x;
    }
  }
  void operator()(const Field& f, std::optional<double>& v) {
    if (const json* j = Get(f)) {
      if (j->is_null()) return v.reset();
      double x = 0;
      if (ReadDouble(f, *j, &x)) v = x;
    }
  }
  void operator()(const Field& f, std::vector<std::string>& v) {
    if (const json* j = Get(f)) {
      if (j->is_string()) {
        v = {j->get<std::string>()};
        return;
      }
      if (!j->is_array()) return Fail(f, "a list of strings", *j);
      if (j->size() > kMaxListItems) return Bad(f, "has too many entries (at most 256)");
      v.clear();
      for (const json& e : *j) {
        if (!e.is_string()) return Fail(f, "a list of strings", *j);
        v.push_back(e.get<std::string>());
      }
    }
  }
  void operator()(const Field& f, Ref& v) {
    if (const json* j = Get(f)) ReadRef(f, *j, &v);
  }
  void operator()(const Field& f, std::vector<Ref>& v) {
    if (const json* j = Get(f)) {
      if (!j->is_array()) return Fail(f, "a list of ids or {\"toml\": ...} objects", *j);
      if (j->size() > kMaxListItems) return Bad(f, "has too many entries (at most 256)");
      v.clear();
      for (const json& e : *j) {
        Ref r;
        if (!ReadRef(f, e, &r)) return;
        v.push_back(std::move(r));
      }
    }
  }
  void operator()(const Field& f, std::optional<Text>& v) {
    if (const json* j = Get(f)) {
      if (j->is_null()) return v.reset();
      Text t;
      if (ReadText(f, *j, &t)) v = std::move(t);
    }
  }
  void operator()(const Field& f, std::vector<Text>& v) {
    if (const json* j = Get(f)) {
      if (!j->is_array()) return Fail(f, "a list of TOML texts", *j);
      if (j->size() > kMaxListItems) return Bad(f, "has too many entries (at most 256)");
      v.clear();
      for (const json& e : *j) {
        Text t;
        if (!ReadText(f, e, &t)) return;
        v.push_back(std::move(t));
      }
    }
  }

 private:
  const json* Get(const Field& f) {
    names.push_back(f.name);
    if (!status.ok()) return nullptr;
    auto it = body_.find(f.name);
    return it == body_.end() ? nullptr : &*it;
  }
  void Bad(const Field& f, std::string message) {
    if (status.ok()) status = FieldError(f.name, std::move(message));
  }
  void Fail(const Field& f, const char* expected, const json& got) {
    Bad(f, fmt::format("expected {}, got {}", expected, JsonTypeName(got)));
  }
  bool ReadInt(const Field& f, const json& j, int* out) {
    if (!j.is_number_integer()) {
      Fail(f, "an integer", j);
      return false;
    }
    const bool too_big = j.is_number_unsigned()
                             ? j.get<std::uint64_t>() > static_cast<std::uint64_t>(INT32_MAX)
                             : (j.get<std::int64_t>() > INT32_MAX || j.get<std::int64_t>() < INT32_MIN);
    if (too_big) {
      Bad(f, "is out of range");
      return false;
    }
    *out = static_cast<int>(j.get<std::int64_t>());
    return true;
  }
  bool ReadDouble(const Field& f, const json& j, double* out) {
    if (!j.is_number()) {
      Fail(f, "a number", j);
      return false;
    }
    const double d = j.get<double>();
    if (!std::isfinite(d)) {
      Bad(f, "must be finite");
      return false;
    }
    *out = d;
    return true;
  }
  bool ReadText(const Field& f, const json& j, Text* t) {
    if (j.is_string()) {
      t->text = j.get<std::string>();
      return true;
    }
    if (j.is_object() && j.contains("toml") && j["toml"].is_string()) {
      for (const auto& [k, val] : j.items())
        if (k != "toml" && k != "name") {
          Bad(f, fmt::format("unknown key \"{}\" (expected toml and name)", k));
          return false;
        }
      t->text = j["toml"].get<std::string>();
      if (j.contains("name")) {
        if (!j["name"].is_string()) {
          Bad(f, "name: expected a string");
          return false;
        }
        t->name = j["name"].get<std::string>();
      }
      return true;
    }
    Fail(f, "TOML text (a string, or {\"toml\": ..., \"name\": ...})", j);
    return false;
  }
  bool ReadRef(const Field& f, const json& j, Ref* r) {
    if (j.is_string()) {
      r->id = j.get<std::string>();
      return true;
    }
    if (j.is_object()) {
      Text t;
      if (!ReadText(f, j, &t)) return false;
      r->toml = std::move(t);
      return true;
    }
    Fail(f, "an id (string) or {\"toml\": ...}", j);
    return false;
  }

  const json& body_;
};

// Decodes a whole request: every field, then unknown keys.
template <class Request>
Result<Request> DecodeRequest(const json& body) {
  if (!body.is_object())
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the request body must be a JSON object, got {}",
                                 JsonTypeName(body)));
  Request r;
  JsonDecoder d(body);
  r.Visit(d);
  RETURN_IF_ERROR(d.status);
  for (const auto& [key, value] : body.items())
    if (std::find(d.names.begin(), d.names.end(), key) == d.names.end())
      return FieldError(key, "unknown field" + Suggest(key, d.names));
  return r;
}

// Turns query parameters into a request body, by field type.
class QueryDecoder {
 public:
  explicit QueryDecoder(const QueryParams& params) : params_(params) {}

  Status status;
  json body = json::object();
  std::vector<std::string> names;

  void operator()(const Field& f, std::string&) { One(f, [](const std::string& s) { return json(s); }); }
  void operator()(const Field& f, Ref&) { One(f, [](const std::string& s) { return json(s); }); }
  void operator()(const Field& f, bool&) {
    One(f, [&](const std::string& s) -> json {
      if (s == "true" || s == "1" || s.empty()) return true;
      if (s == "false" || s == "0") return false;
      Bad(f, fmt::format("expected true or false, got \"{}\"", s));
      return nullptr;
    });
  }
  void operator()(const Field& f, int&) { Integer(f); }
  void operator()(const Field& f, std::int64_t&) { Integer(f); }
  void operator()(const Field& f, std::optional<int>&) { Integer(f); }
  void operator()(const Field& f, double&) { Number(f); }
  void operator()(const Field& f, std::optional<double>&) { Number(f); }
  void operator()(const Field& f, std::vector<std::string>&) { List(f); }
  void operator()(const Field& f, std::vector<Ref>&) { List(f); }
  void operator()(const Field& f, std::optional<Text>&) { NoText(f); }
  void operator()(const Field& f, std::vector<Text>&) { NoText(f); }

 private:
  std::vector<std::string> Values(const Field& f) {
    names.push_back(f.name);
    std::vector<std::string> out;
    for (const auto& [k, v] : params_)
      if (k == f.name) out.push_back(v);
    return out;
  }
  void Bad(const Field& f, std::string m) {
    if (status.ok()) status = FieldError(f.name, std::move(m));
  }
  template <class Convert>
  void One(const Field& f, Convert convert) {
    const auto v = Values(f);
    if (v.empty()) return;
    if (v.size() > 1) return Bad(f, "is given more than once");
    json j = convert(v.front());
    if (!j.is_null()) body[f.name] = std::move(j);
  }
  void Integer(const Field& f) {
    One(f, [&](const std::string& s) -> json {
      std::int64_t x = 0;
      const char* end = s.data() + s.size();
      auto [p, ec] = std::from_chars(s.data(), end, x);
      if (s.empty() || ec != std::errc() || p != end) {
        Bad(f, fmt::format("expected an integer, got \"{}\"", s));
        return nullptr;
      }
      return x;
    });
  }
  void Number(const Field& f) {
    One(f, [&](const std::string& s) -> json {
      double x = 0;
      const char* end = s.data() + s.size();
      auto [p, ec] = std::from_chars(s.data(), end, x);
      if (s.empty() || ec != std::errc() || p != end || !std::isfinite(x)) {
        Bad(f, fmt::format("expected a number, got \"{}\"", s));
        return nullptr;
      }
      return x;
    });
  }
  void List(const Field& f) {
    const auto v = Values(f);
    if (v.empty()) return;
    if (v.size() > kMaxListItems) return Bad(f, "has too many entries (at most 256)");
    body[f.name] = v;
  }
  void NoText(const Field& f) {
    if (!Values(f).empty()) Bad(f, "TOML text is taken in a POST body only");
  }

  const QueryParams& params_;
};

template <class Request>
Result<json> DecodeQuery(const QueryParams& params) {
  if (params.size() > 2 * kMaxListItems)
    return MakeError(ErrorCode::kTooLarge, "too many query parameters");
  Request r;
  QueryDecoder d(params);
  r.Visit(d);
  RETURN_IF_ERROR(d.status);
  for (const auto& [k, v] : params)
    if (std::find(d.names.begin(), d.names.end(), k) == d.names.end())
      return FieldError(k, "unknown parameter" + Suggest(k, d.names));
  return d.body;
}

// Describes a request as a JSON schema (the defaults are a default-constructed request's).
class SchemaWriter {
 public:
  json properties = json::object();
  json required = json::array();

  void operator()(const Field& f, std::string& v) {
    json s = {{"type", "string"}};
    if (f.choices != nullptr) {
      json e = json::array();
      std::string_view c = f.choices;
      while (!c.empty()) {
        const auto bar = c.find('|');
        e.push_back(std::string(c.substr(0, bar)));
        if (bar == std::string_view::npos) break;
        c.remove_prefix(bar + 1);
      }
      if (v.empty()) e.push_back("");
      s["enum"] = e;
    }
    if (!v.empty()) s["default"] = v;
    Add(f, std::move(s));
  }
  void operator()(const Field& f, bool& v) { Add(f, {{"type", "boolean"}, {"default", v}}); }
  void operator()(const Field& f, int& v) { Add(f, {{"type", "integer"}, {"default", v}}); }
  void operator()(const Field& f, std::int64_t& v) {
    Add(f, {{"type", "integer"}, {"default", v}});
  }
  void operator()(const Field& f, double& v) { Add(f, {{"type", "number"}, {"default", v}}); }
  void operator()(const Field& f, std::optional<int>&) {
    Add(f, {{"type", json::array({"integer", "null"})}});
  }
  void operator()(const Field& f, std::optional<double>&) {
    Add(f, {{"type", json::array({"number", "null"})}});
  }
  void operator()(const Field& f, std::vector<std::string>&) {
    Add(f, {{"type", "array"}, {"items", {{"type", "string"}}}, {"maxItems", kMaxListItems}});
  }
  void operator()(const Field& f, Ref&) { Add(f, RefSchema()); }
  void operator()(const Field& f, std::vector<Ref>&) {
    Add(f, {{"type", "array"}, {"items", RefSchema()}, {"maxItems", kMaxListItems}});
  }
  void operator()(const Field& f, std::optional<Text>&) { Add(f, TextSchema()); }
  void operator()(const Field& f, std::vector<Text>&) {
    Add(f, {{"type", "array"}, {"items", TextSchema()}, {"maxItems", kMaxListItems}});
  }

  static json TextSchema() {
    return {{"oneOf", json::array({{{"type", "string"}, {"description", "TOML text"}},
                                   {{"type", "object"},
                                    {"properties",
                                     {{"toml", {{"type", "string"}}},
                                      {"name", {{"type", "string"}}}}},
                                    {"required", json::array({"toml"})},
                                    {"additionalProperties", false}}})}};
  }
  static json RefSchema() {
    json s = TextSchema();
    s["oneOf"][0] = {{"type", "string"}, {"description", "a catalog id"}};
    return s;
  }

 private:
  void Add(const Field& f, json s) {
    s["description"] = f.doc;
    properties[f.name] = std::move(s);
    if (f.required()) required.push_back(f.name);
  }
};

template <class Request>
json RequestSchema() {
  Request r;
  SchemaWriter w;
  r.Visit(w);
  json s = {{"type", "object"}, {"properties", w.properties}, {"additionalProperties", false}};
  if (!w.required.empty()) s["required"] = w.required;
  return s;
}

}  // namespace ceiling::api::detail

#endif  // CEILING_SRC_API_JSON_FIELDS_H_
