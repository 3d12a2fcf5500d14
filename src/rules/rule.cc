// Loading rule files (see rule.h and docs/data-format.md).
#include "ceiling/rules/rule.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <set>

#include "ceiling/base/toml_reader.h"
#include "ceiling/rules/facts.h"
#include "located.h"

namespace ceiling::rules {
namespace {

bool ValidRuleId(std::string_view id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool ValidClauseId(std::string_view id) {
  if (id.empty()) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

bool ValidName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Result<LocatedText> ReadLocated(const TomlTable& t, std::string_view key) {
  ASSIGN_OR_RETURN(std::string text, t.GetString(key));
  LocatedText out;
  Error probe = t.ErrorAt(key, "");
  out.text = std::move(text);
  out.location = probe.location;
  out.line = probe.context;
  out.key_path = t.KeyPath(key);
  return out;
}

Result<std::optional<SetExpr>> ReadSet(const TomlTable& t, std::string_view key,
                                       const CountryDb& countries) {
  if (!t.Has(key)) return std::optional<SetExpr>();
  ASSIGN_OR_RETURN(std::string text, t.GetString(key));
  auto s = countries.CompileSet(text);
  if (!s.ok()) return LocateInValue(s.error(), t, key);
  return std::optional<SetExpr>(std::move(s).value());
}

Result<ReviewPolicy> ReadPolicy(const TomlTable& t, std::string_view key) {
  ASSIGN_OR_RETURN(std::string p, t.GetString(key));
  for (ReviewPolicy r : {ReviewPolicy::kPresumptionOfDenial, ReviewPolicy::kPresumptionOfApproval,
                         ReviewPolicy::kCaseByCase, ReviewPolicy::kNotPublished})
    if (ReviewPolicyName(r) == p) return r;
  return t.ErrorAt(key, fmt::format("expected presumption-of-denial, presumption-of-approval, "
                                    "case-by-case or not-published, got \"{}\"", p));
}

Result<Parameter> ReadParameter(const TomlTable& params, const std::string& name,
                                const SourceMap& sources) {
  if (!ValidName(name))
    return params.ErrorAt(name, "parameter names are lower_case letters, digits and '_'");
  if (VarFromName(name))
    return params.ErrorAt(name, fmt::format("\"{}\" is a variable; choose another parameter name",
                                            name));
  if (params.KindOf(name) != TomlTable::Kind::kTable)
    return params.ErrorAt(name, fmt::format("expected a parameter such as {{ value = 4800, title = "
                                            "\"...\", source = \"key\" }}, got {}",
                                            params.Describe(name)));
  ASSIGN_OR_RETURN(TomlTable p, params.GetTable(name));
  RETURN_IF_ERROR(p.CheckKeys({"value", "title", "source", "note"}));
  Parameter out;
  out.name = name;
  out.location = params.LocationOf(name);
  ASSIGN_OR_RETURN(out.title, p.GetString("title"));
  ASSIGN_OR_RETURN(out.sources, ReadSourceKeys(p, "source", sources));
  ASSIGN_OR_RETURN(auto note, p.GetOptionalString("note"));
  out.note = note.value_or("");
  const auto kind = p.KindOf("value");
  if (kind == TomlTable::Kind::kInteger || kind == TomlTable::Kind::kFloat) {
    ASSIGN_OR_RETURN(out.value, p.GetNumber("value"));
    out.text = p.Describe("value");
    if (out.text.size() > 2 && out.text.substr(out.text.size() - 2) == ".0")
      out.text.resize(out.text.size() - 2);
  } else if (kind == TomlTable::Kind::kString) {
    ASSIGN_OR_RETURN(out.text, p.GetString("value"));
    auto v = ParseParameterValue(out.text);
    if (!v.ok()) return p.ErrorAt("value", v.error().message);
    out.value = v->value;
    out.dim = v->dim;
  } else if (kind == TomlTable::Kind::kNone) {
    return p.ErrorHere("missing required key \"value\"");
  } else {
    return p.ErrorAt("value", fmt::format("expected a number or a quantity such as \"6500 GB/s\", "
                                          "got {}", p.Describe("value")));
  }
  if (!std::isfinite(out.value)) return p.ErrorAt("value", "must be a finite number");
  if (!(out.value >= 0)) return p.ErrorAt("value", "must not be negative");
  return out;
}

Result<Clause> ReadClause(const TomlTable& t, const RuleVersion& rule, const CountryDb& countries) {
  Clause c;
  c.location = t.location();
  c.key_path = t.KeyPath("");
  c.supersedes_location = t.LocationOf("supersedes");
  c.excludes_location = t.LocationOf("excludes");
  ASSIGN_OR_RETURN(std::string kind, t.GetString("kind"));
  static const std::vector<std::pair<std::string_view, ClauseKind>> kKinds = {
      {"control", ClauseKind::kControl},     {"exclusion", ClauseKind::kExclusion},
      {"license", ClauseKind::kLicense},     {"exception", ClauseKind::kException},
      {"review", ClauseKind::kReview},       {"measure", ClauseKind::kMeasure}};
  bool found = false;
  for (const auto& [name, k] : kKinds)
    if (name == kind) c.kind = k, found = true;
  if (!found)
    return t.ErrorAt("kind", fmt::format("expected control, exclusion, license, exception, review "
                                         "or measure, got \"{}\"", kind));
  std::vector<std::string> allowed = {"id", "kind", "title", "note", "effective", "supersedes",
                                      "source"};
  auto allow = [&](std::initializer_list<const char*> keys) {
    for (const char* k : keys) allowed.push_back(k);
  };
  switch (c.kind) {
    case ClauseKind::kControl: allow({"paragraph", "condition"}); break;
    case ClauseKind::kExclusion: allow({"excludes", "condition"}); break;
    case ClauseKind::kLicense:
      allow({"applies_to", "destinations", "headquarters", "match"});
      break;
    case ClauseKind::kException:
      allow({"exception", "eligible", "destinations", "headquarters", "match", "notification",
             "conditions"});
      break;
    case ClauseKind::kReview:
      allow({"policy", "applies_to", "destinations", "headquarters", "match", "conditions"});
      break;
    case ClauseKind::kMeasure:
      allow({"products", "pending_products", "products_text", "effect", "applies_to",
             "destinations", "headquarters", "match", "policy", "conditions", "revenue_share",
             "equivalents"});
      break;
  }
  RETURN_IF_ERROR(t.CheckKeys(allowed));

  ASSIGN_OR_RETURN(c.id, t.GetString("id"));
  if (!ValidClauseId(c.id))
    return t.ErrorAt("id", "clause ids are letters, digits, '.', '-' and '_'");
  c.full_id = rule.id + "/" + c.id;
  ASSIGN_OR_RETURN(c.title, t.GetString("title"));
  ASSIGN_OR_RETURN(auto note, t.GetOptionalString("note"));
  c.note = note.value_or("");
  ASSIGN_OR_RETURN(c.effective, t.GetOptionalDate("effective"));
  if (c.effective && *c.effective < rule.effective)
    return t.ErrorAt("effective", fmt::format("is before the rule's effective date {}",
                                              rule.effective.ToString()));
  if (t.Has("supersedes")) {
    ASSIGN_OR_RETURN(c.supersedes, t.GetStringArray("supersedes", true));
  }
  ASSIGN_OR_RETURN(c.sources, ReadSourceKeys(t, "source", rule.source_map));
  c.basis = TextBasisOf(c.sources, rule.source_map);

  const char* cond_key = nullptr;
  switch (c.kind) {
    case ClauseKind::kControl:
    case ClauseKind::kExclusion: cond_key = "condition"; break;
    case ClauseKind::kException: cond_key = "eligible"; break;
    default: cond_key = "applies_to";
  }
  const bool cond_required = c.kind == ClauseKind::kControl || c.kind == ClauseKind::kExclusion ||
                             c.kind == ClauseKind::kException || c.kind == ClauseKind::kLicense ||
                             c.kind == ClauseKind::kReview;
  if (t.Has(cond_key)) {
    ASSIGN_OR_RETURN(c.condition, ReadLocated(t, cond_key));
  } else if (cond_required) {
    return t.ErrorHere(fmt::format("missing required key \"{}\"", cond_key));
  }
  if (c.kind != ClauseKind::kControl && c.kind != ClauseKind::kExclusion) {
    ASSIGN_OR_RETURN(c.destinations, ReadSet(t, "destinations", countries));
    ASSIGN_OR_RETURN(c.headquarters, ReadSet(t, "headquarters", countries));
    if (!c.destinations && !c.headquarters)
      return t.ErrorHere("needs \"destinations\", \"headquarters\" or both (set expressions such "
                         "as \"D:5 | MO\")");
    ASSIGN_OR_RETURN(auto match, t.GetOptionalString("match"));
    if (match) {
      if (*match == "all") c.match = Match::kAll;
      else if (*match == "any") c.match = Match::kAny;
      else return t.ErrorAt("match", fmt::format("expected all or any, got \"{}\"", *match));
      if (!c.destinations || !c.headquarters)
        return t.ErrorAt("match", "only meaningful with both destinations and headquarters");
    }
  }

  switch (c.kind) {
    case ClauseKind::kControl: {
      ASSIGN_OR_RETURN(c.paragraph, t.GetString("paragraph"));
      if (!ValidClauseId(c.paragraph) || c.paragraph.find('.') == std::string::npos)
        return t.ErrorAt("paragraph", "expected an ECCN paragraph such as \"3A090.a.1\"");
      break;
    }
    case ClauseKind::kExclusion: {
      ASSIGN_OR_RETURN(c.excludes, t.GetStringArray("excludes", true));
      if (c.excludes.empty()) return t.ErrorAt("excludes", "name at least one paragraph");
      break;
    }
    case ClauseKind::kException: {
      ASSIGN_OR_RETURN(c.exception, t.GetString("exception"));
      const bool upper = !c.exception.empty() &&
                         std::all_of(c.exception.begin(), c.exception.end(), [](char ch) {
                           return std::isupper(static_cast<unsigned char>(ch));
                         });
      if (!upper) return t.ErrorAt("exception", "expected a license exception symbol such as \"NAC\"");
      ASSIGN_OR_RETURN(auto n, t.GetOptionalBool("notification"));
      c.notification = n.value_or(false);
      break;
    }
    case ClauseKind::kReview: {
      ASSIGN_OR_RETURN(c.policy, ReadPolicy(t, "policy"));
      break;
    }
    case ClauseKind::kMeasure: {
      if (t.Has("products") || !t.Has("pending_products")) {
        ASSIGN_OR_RETURN(c.products, t.GetStringArray("products", true));
      }
      if (t.Has("pending_products")) {
        ASSIGN_OR_RETURN(c.pending_products, t.GetStringArray("pending_products", true));
      }
      if (c.products.empty() && c.pending_products.empty())
        return t.ErrorAt(t.Has("products") ? "products" : "pending_products",
                         "name at least one catalog id");
      for (const std::string& p : c.pending_products)
        if (std::find(c.products.begin(), c.products.end(), p) != c.products.end())
          return t.ErrorAt("pending_products", fmt::format("\"{}\" is also in \"products\"", p));
      ASSIGN_OR_RETURN(c.products_text, t.GetString("products_text"));
      ASSIGN_OR_RETURN(std::string effect, t.GetString("effect"));
      if (effect == "license-required") c.effect = MeasureEffect::kLicenseRequired;
      else if (effect == "license-terms") c.effect = MeasureEffect::kLicenseTerms;
      else
        return t.ErrorAt("effect", fmt::format("expected license-required or license-terms, got "
                                               "\"{}\"", effect));
      if (t.Has("policy")) {
        ASSIGN_OR_RETURN(c.policy, ReadPolicy(t, "policy"));
      }
      ASSIGN_OR_RETURN(c.revenue_share, t.GetOptionalNumber("revenue_share"));
      if (c.revenue_share && !(*c.revenue_share > 0 && *c.revenue_share < 1))
        return t.ErrorAt("revenue_share", "expected a fraction between 0 and 1, e.g. 0.15");
      ASSIGN_OR_RETURN(auto eq, t.GetOptionalString("equivalents"));
      c.equivalents = eq.value_or("");
      if (c.effect == MeasureEffect::kLicenseTerms && c.policy == ReviewPolicy::kNone &&
          !c.revenue_share)
        return t.ErrorHere("a license-terms measure needs a policy or a revenue_share");
      break;
    }
    default:
      break;
  }
  if (t.Has("conditions")) {
    ASSIGN_OR_RETURN(c.conditions, t.GetStringArray("conditions"));
  }
  return c;
}

}  // namespace

std::string_view ClauseKindName(ClauseKind k) {
  switch (k) {
    case ClauseKind::kControl: return "control";
    case ClauseKind::kExclusion: return "exclusion";
    case ClauseKind::kLicense: return "license";
    case ClauseKind::kException: return "exception";
    case ClauseKind::kReview: return "review";
    case ClauseKind::kMeasure: return "measure";
  }
  return "control";
}

std::string_view ReviewPolicyName(ReviewPolicy p) {
  switch (p) {
    case ReviewPolicy::kNone: return "none";
    case ReviewPolicy::kPresumptionOfDenial: return "presumption-of-denial";
    case ReviewPolicy::kPresumptionOfApproval: return "presumption-of-approval";
    case ReviewPolicy::kCaseByCase: return "case-by-case";
    case ReviewPolicy::kNotPublished: return "not-published";
    case ReviewPolicy::kNotRecorded: return "not-recorded";
  }
  return "none";
}

std::string_view ReviewPolicyTitle(ReviewPolicy p) {
  switch (p) {
    case ReviewPolicy::kNone: return "none (no license required)";
    case ReviewPolicy::kPresumptionOfDenial: return "presumption of denial";
    case ReviewPolicy::kPresumptionOfApproval: return "presumption of approval";
    case ReviewPolicy::kCaseByCase: return "case-by-case";
    case ReviewPolicy::kNotPublished: return "not published";
    case ReviewPolicy::kNotRecorded: return "not recorded in the rule data";
  }
  return "none";
}

std::string_view MeasureEffectName(MeasureEffect e) {
  return e == MeasureEffect::kLicenseRequired ? "license-required" : "license-terms";
}

const Clause* RuleVersion::FindClause(std::string_view clause_id) const {
  for (const Clause& c : clauses)
    if (c.id == clause_id) return &c;
  return nullptr;
}

const Parameter* RuleVersion::FindParameter(std::string_view name) const {
  for (const Parameter& p : parameters)
    if (p.name == name) return &p;
  return nullptr;
}

Date RuleVersion::LastChecked() const {
  if (checked) return *checked;
  Date latest{1970, 1, 1};
  for (const auto& [key, src] : source_map) latest = std::max(latest, src.read);
  return latest;
}

std::vector<const Clause*> RuleVersion::SecondaryClauses() const {
  std::vector<const Clause*> out;
  for (const Clause& c : clauses)
    if (c.basis == TextBasis::kSecondary) out.push_back(&c);
  return out;
}

Result<ParsedValue> ParseParameterValue(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  if (s.empty()) return MakeError(ErrorCode::kParse, "expected a number or a quantity, got nothing");
  // A plain decimal number: [+-] digits [. digits] [e [+-] digits]. Not strtod's wider grammar,
  // which also takes "nan", "inf", "0x10" and "1e400" (infinity).
  std::size_t i = 0, digits = 0;
  if (s[i] == '+' || s[i] == '-') ++i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits > 0 && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    std::size_t exp_digits = 0;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j, ++exp_digits;
    if (exp_digits > 0) i = j;
  }
  ParsedValue out;
  if (digits > 0 && i == s.size()) {
    out.value = std::strtod(std::string(s).c_str(), nullptr);
  } else {
    if (digits == 0)
      return MakeError(ErrorCode::kParse,
                       fmt::format("expected a number or a quantity such as \"6500 GB/s\", got "
                                   "\"{}\"",
                                   std::string(s)));
    ASSIGN_OR_RETURN(ParsedQuantity q, ParseQuantity(s));
    out.value = q.base / CanonicalScale(q.dim);
    out.dim = q.dim;
  }
  if (!std::isfinite(out.value))
    return MakeError(ErrorCode::kParse, fmt::format("\"{}\" is out of range", std::string(s)));
  if (out.value < 0)
    return MakeError(ErrorCode::kParse,
                     fmt::format("thresholds are never negative, got \"{}\"", std::string(s)));
  return out;
}

Result<RuleVersion> ParseRule(const TomlTable& doc, const CountryDb& countries) {
  RETURN_IF_ERROR(
      doc.CheckKeys({"id", "title", "short_title", "citation", "document", "summary", "published",
                     "effective", "compliance", "supersedes", "source", "checked", "enforcement",
                     "legal_status", "parameters", "clause", "sources"}));
  RuleVersion r;
  r.file = doc.file();
  r.location = doc.LocationOf("id");
  r.supersedes_location = doc.LocationOf("supersedes");
  ASSIGN_OR_RETURN(r.source_map, ReadSources(doc));
  ASSIGN_OR_RETURN(r.id, doc.GetString("id"));
  if (!ValidRuleId(r.id))
    return doc.ErrorAt("id", fmt::format("expected lower-case letters, digits and '-', got \"{}\"",
                                         r.id));
  ASSIGN_OR_RETURN(r.title, doc.GetString("title"));
  ASSIGN_OR_RETURN(r.short_title, doc.GetString("short_title"));
  ASSIGN_OR_RETURN(r.citation, doc.GetString("citation"));
  ASSIGN_OR_RETURN(auto document, doc.GetOptionalString("document"));
  r.document = document.value_or("");
  ASSIGN_OR_RETURN(r.summary, doc.GetString("summary"));
  ASSIGN_OR_RETURN(r.published, doc.GetOptionalDate("published"));
  ASSIGN_OR_RETURN(r.effective, doc.GetDate("effective"));
  ASSIGN_OR_RETURN(r.compliance, doc.GetOptionalDate("compliance"));
  if (r.compliance && *r.compliance < r.effective)
    return doc.ErrorAt("compliance", "is before the effective date");
  if (doc.Has("supersedes")) {
    ASSIGN_OR_RETURN(r.supersedes, doc.GetStringArray("supersedes", true));
  }
  ASSIGN_OR_RETURN(r.sources, ReadSourceKeys(doc, "source", r.source_map));
  ASSIGN_OR_RETURN(r.checked, doc.GetOptionalDate("checked"));
  if (r.checked)
    for (const auto& [key, src] : r.source_map)
      if (*r.checked < src.read)
        return doc.ErrorAt("checked", fmt::format("is before source \"{}\" was read ({})", key,
                                                  src.read.ToString()));

  if (doc.Has("legal_status")) {
    ASSIGN_OR_RETURN(std::vector<TomlTable> items, doc.GetTableArray("legal_status"));
    for (const TomlTable& t : items) {
      RETURN_IF_ERROR(t.CheckKeys({"date", "finding", "source", "note"}));
      LegalNote n;
      ASSIGN_OR_RETURN(n.date, t.GetDate("date"));
      if (n.date < r.effective) return t.ErrorAt("date", "is before the rule's effective date");
      if (!r.legal.empty() && n.date < r.legal.back().date)
        return t.ErrorAt("date", "legal_status entries must be in date order");
      ASSIGN_OR_RETURN(n.finding, t.GetString("finding"));
      if (n.finding.empty()) return t.ErrorAt("finding", "must not be empty");
      ASSIGN_OR_RETURN(n.sources, ReadSourceKeys(t, "source", r.source_map));
      ASSIGN_OR_RETURN(auto note, t.GetOptionalString("note"));
      n.note = note.value_or("");
      r.legal.push_back(std::move(n));
    }
  }

  if (doc.Has("enforcement")) {
    ASSIGN_OR_RETURN(std::vector<TomlTable> items, doc.GetTableArray("enforcement"));
    for (const TomlTable& t : items) {
      RETURN_IF_ERROR(t.CheckKeys({"from", "status", "source", "note"}));
      Enforcement e;
      ASSIGN_OR_RETURN(e.from, t.GetDate("from"));
      if (e.from < r.effective) return t.ErrorAt("from", "is before the rule's effective date");
      if (!r.enforcement.empty() && !(r.enforcement.back().from < e.from))
        return t.ErrorAt("from", "enforcement entries must be in date order");
      ASSIGN_OR_RETURN(std::string status, t.GetString("status"));
      if (status == "enforced") e.status = EnforcementStatus::kEnforced;
      else if (status == "not-enforced") e.status = EnforcementStatus::kNotEnforced;
      else
        return t.ErrorAt("status", fmt::format("expected enforced or not-enforced, got \"{}\"",
                                               status));
      ASSIGN_OR_RETURN(e.sources, ReadSourceKeys(t, "source", r.source_map));
      ASSIGN_OR_RETURN(auto note, t.GetOptionalString("note"));
      e.note = note.value_or("");
      r.enforcement.push_back(std::move(e));
    }
  }

  if (doc.Has("parameters")) {
    ASSIGN_OR_RETURN(TomlTable params, doc.GetTable("parameters"));
    for (const std::string& name : params.Keys()) {
      ASSIGN_OR_RETURN(Parameter p, ReadParameter(params, name, r.source_map));
      r.parameters.push_back(std::move(p));
    }
  }

  if (!doc.Has("clause")) return doc.ErrorHere("a rule needs at least one [[clause]]");
  ASSIGN_OR_RETURN(std::vector<TomlTable> clauses, doc.GetTableArray("clause"));
  std::set<std::string> ids;
  for (const TomlTable& t : clauses) {
    ASSIGN_OR_RETURN(Clause c, ReadClause(t, r, countries));
    if (!ids.insert(c.id).second)
      return t.ErrorAt("id", fmt::format("clause id \"{}\" is used twice in this rule", c.id));
    r.clauses.push_back(std::move(c));
  }

  // Every source defined is used somewhere (a stale source is usually a missing citation).
  std::set<std::string> used(r.sources.begin(), r.sources.end());
  for (const Enforcement& e : r.enforcement) used.insert(e.sources.begin(), e.sources.end());
  for (const LegalNote& n : r.legal) used.insert(n.sources.begin(), n.sources.end());
  for (const Parameter& p : r.parameters) used.insert(p.sources.begin(), p.sources.end());
  for (const Clause& c : r.clauses) used.insert(c.sources.begin(), c.sources.end());
  for (const auto& [key, src] : r.source_map)
    if (used.count(key) == 0) {
      ASSIGN_OR_RETURN(TomlTable s, doc.GetTable("sources"));
      return s.ErrorAt(key, "source is defined but never cited");
    }
  return r;
}

Result<RuleVersion> LoadRuleFile(const std::filesystem::path& path, const CountryDb& countries,
                                 std::string display_name) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile(path, std::move(display_name)));
  return ParseRule(doc, countries);
}

Result<RuleVersion> ParseRuleText(std::string_view text, std::string display_name,
                                  const CountryDb& countries) {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, std::move(display_name)));
  return ParseRule(doc, countries);
}

}  // namespace ceiling::rules
