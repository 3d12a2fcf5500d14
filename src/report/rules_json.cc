// JSON renderings of rule-engine results. Field names are a stable interface.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "ceiling/report/json.h"
#include "ceiling/report/rules_report.h"
#include "rules_common.h"

namespace ceiling::report {

using nlohmann::json;
using rules::Tri;

namespace {

json Number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json Sources(const rules::RuleVersion& r, const std::vector<std::string>& keys) {
  json out = json::array();
  for (const std::string& k : keys) {
    auto it = r.source_map.find(k);
    if (it == r.source_map.end()) continue;
    out.push_back({{"key", k},
                   {"title", it->second.title},
                   {"url", it->second.url},
                   {"kind", SourceKindName(it->second.kind)}});
  }
  return out;
}

const rules::RuleVersion* RuleOf(const rules::RuleBook& book, const rules::Clause* c) {
  for (const rules::RuleVersion& r : book.rules())
    for (const rules::Clause& cl : r.clauses)
      if (&cl == c) return &r;
  return nullptr;
}

json ClauseRef(const rules::RuleVersion* r, const rules::Clause* c) {
  return {{"clause", c->full_id},
          {"kind", rules::ClauseKindName(c->kind)},
          {"title", c->title},
          {"citation", r != nullptr ? r->citation : ""},
          {"basis", rules::TextBasisName(c->basis)},
          {"secondary", c->basis == rules::TextBasis::kSecondary}};
}

json ClauseRef(const rules::RuleBook& book, const rules::Clause* c) {
  return ClauseRef(RuleOf(book, c), c);
}

json AtomJson(const rules::Atom& a, const rules::AtomValue& v, const rules::ChipFacts& facts) {
  json j = {{"text", a.lhs_text + " " + std::string(rules::CmpOpText(a.op)) + " " + a.rhs_text},
            {"lhs", a.lhs_text},
            {"op", rules::CmpOpText(a.op)},
            {"rhs", a.rhs_text},
            {"evaluated", AtomSides(a, v, facts)},
            {"outcome", rules::TriName(v.outcome.tri)}};
  if (a.is_string) {
    j["lhs_value"] =
        a.lhs_var && facts.Known(*a.lhs_var) ? json(facts.text(*a.lhs_var)) : json(nullptr);
    j["rhs_value"] = a.rhs_text.size() >= 2 ? a.rhs_text.substr(1, a.rhs_text.size() - 2) : "";
  } else {
    j["lhs_value"] = v.lhs_known ? Number(v.lhs) : json(nullptr);
    j["rhs_value"] = v.rhs_known ? Number(v.rhs) : json(nullptr);
    const std::string unit = rules::FormatCanonical(1, a.dim);
    const auto space = unit.find(' ');
    j["unit"] = space == std::string::npos ? "" : unit.substr(space + 1);
  }
  if (a.lhs_param) j["lhs_parameter"] = a.lhs_text;
  if (a.rhs_param) j["rhs_parameter"] = a.rhs_text;
  return j;
}

json Inputs(const rules::ChipFacts& facts, const rules::Condition& cond) {
  json out = json::object();
  for (std::size_t i = 0; i < rules::kVarCount; ++i) {
    const auto v = static_cast<rules::Var>(i);
    if ((cond.vars_read() & rules::Bit(v)) == 0) continue;
    json in;
    if (!facts.Known(v)) {
      in = {{"value", nullptr}, {"missing", facts.missing(v)}};
    } else if (rules::IsNumeric(v)) {
      in = {{"value", Number(facts.number(v))}, {"unit", rules::VarUnit(v)}};
      if (!facts.how(v).empty()) in["how"] = facts.how(v);
    } else {
      in = {{"value", facts.text(v)}};
    }
    out[std::string(rules::VarName(v))] = std::move(in);
  }
  return out;
}

}  // namespace
json MembershipJson(const rules::CountryDb& db, const rules::MembershipNote& n);
namespace {

// One trace step as a tree. WriteStep (below) writes the same object straight to text for the
// served classification: a field added here must be added there
// (Classify.TheStreamedTraceIsTheTreesBytes fails until it is).
json StepJson(const rules::RuleBook& book, const rules::ChipFacts& facts,
              const std::vector<rules::ParameterInfo>& infos, const rules::TraceStep& s) {
  json x = ClauseRef(s.rule, s.clause);
  x["rule"] = s.rule->id;
  if (s.clause->kind == rules::ClauseKind::kControl) x["paragraph"] = s.clause->paragraph;
  if (s.clause->kind == rules::ClauseKind::kException) x["exception"] = s.clause->exception;
  if (s.condition != nullptr) {
    x["condition"] = s.condition->text();
    x["inputs"] = Inputs(facts, *s.condition);
    json atoms = json::array();
    for (std::size_t i = 0; i < s.atoms.size(); ++i)
      atoms.push_back(AtomJson(s.condition->atoms()[i], s.atoms[i], facts));
    x["comparisons"] = std::move(atoms);
    x["condition_value"] = rules::TriName(s.condition_value.tri);
    json params = json::object();
    for (std::uint16_t slot : s.condition->params_read()) {
      if (slot < infos.size())
        params[infos[slot].parameter->name] = {{"value", Number(infos[slot].value)},
                                               {"text", infos[slot].parameter->text},
                                               {"overridden", infos[slot].overridden}};
    }
    x["parameters"] = std::move(params);
  }
  if (s.destination_in) {
    x["destinations"] = s.clause->destinations->text();
    x["destination_in"] = *s.destination_in;
    json groups = json::array();
    for (const rules::MembershipNote& n : s.destination_groups)
      groups.push_back(MembershipJson(book.countries(), n));
    x["destination_groups"] = std::move(groups);
  }
  if (s.headquarters_in) {
    x["headquarters"] = s.clause->headquarters->text();
    x["headquarters_in"] = *s.headquarters_in;
    x["match"] = s.clause->match == rules::Match::kAll ? "all" : "any";
    json groups = json::array();
    for (const rules::MembershipNote& n : s.headquarters_groups)
      groups.push_back(MembershipJson(book.countries(), n));
    x["headquarters_groups"] = std::move(groups);
  }
  if (s.product_named) x["product_named"] = *s.product_named;
  json excluded = json::array();
  for (const rules::Clause* e : s.excluded_by) excluded.push_back(e->full_id);
  if (!excluded.empty()) x["excluded_by"] = std::move(excluded);
  x["outcome"] = rules::TriName(s.outcome.tri);
  x["outcome_text"] = OutcomeWord(*s.clause, s.outcome.tri, s.excluded_by);
  x["sources"] = Sources(*s.rule, s.clause->sources);
  return x;
}

// StepJson written straight to text, the bytes DumpJson(StepJson(...)) gives at that depth: the
// H20's classification is 53 KB, 46 of them trace, and building, writing and freeing that part
// of the tree was most of a request's CPU. Members go out in the tree's (std::map) key order;
// tests (Classify.TheStreamedTraceIsTheTreesBytes) compare the two over the catalog.
class ObjectText {
 public:
  ObjectText(std::string& out, int level) : out_(out), level_(level) { out_ += '{'; }
  ObjectText(const ObjectText&) = delete;
  ObjectText& operator=(const ObjectText&) = delete;
  // Starts the member `key`; its value is appended next, one level deeper than the object.
  std::string& Key(std::string_view key) {
    Separate(out_, first_, level_);
    AppendJsonString(key, out_);
    out_ += ": ";
    return out_;
  }
  void String(std::string_view key, std::string_view v) { AppendJsonString(v, Key(key)); }
  void Bool(std::string_view key, bool v) { Key(key) += v ? "true" : "false"; }
  void Number(std::string_view key, double v) { Tree(key, report::Number(v)); }
  void Tree(std::string_view key, const json& v) { AppendJson(v, level_ + 1, Key(key)); }
  void Close() {
    if (!first_) Newline(out_, level_);
    out_ += '}';
  }
  // ",\n" (or "\n" for the first item) and the indent of an item of a container at `level`.
  static void Separate(std::string& out, bool& first, int level) {
    if (!first) out += ',';
    first = false;
    Newline(out, level + 1);
  }
  static void Newline(std::string& out, int level) {
    out += '\n';
    out.append(2 * static_cast<std::size_t>(level), ' ');
  }

 private:
  std::string& out_;
  int level_;
  bool first_ = true;
};

// An array at depth `level`: Item() starts each element (written next, at level + 1).
class ArrayText {
 public:
  ArrayText(std::string& out, int level) : out_(out), level_(level) { out_ += '['; }
  ArrayText(const ArrayText&) = delete;
  ArrayText& operator=(const ArrayText&) = delete;
  std::string& Item() {
    ObjectText::Separate(out_, first_, level_);
    return out_;
  }
  void Close() {
    if (!first_) ObjectText::Newline(out_, level_);
    out_ += ']';
  }

 private:
  std::string& out_;
  int level_;
  bool first_ = true;
};

void WriteSources(const rules::RuleVersion& r, const std::vector<std::string>& keys, int level,
                  std::string& out) {
  ArrayText sources(out, level);
  for (const std::string& k : keys) {
    auto it = r.source_map.find(k);
    if (it == r.source_map.end()) continue;
    ObjectText o(sources.Item(), level + 1);
    o.String("key", k);
    o.String("kind", SourceKindName(it->second.kind));
    o.String("title", it->second.title);
    o.String("url", it->second.url);
    o.Close();
  }
  sources.Close();
}

void WriteInputs(const rules::ChipFacts& facts, const rules::Condition& cond, int level,
                 std::string& out) {
  std::vector<rules::Var> vars;  // by name, as the tree's map orders them
  for (std::size_t i = 0; i < rules::kVarCount; ++i) {
    const auto v = static_cast<rules::Var>(i);
    if ((cond.vars_read() & rules::Bit(v)) != 0) vars.push_back(v);
  }
  std::sort(vars.begin(), vars.end(),
            [](rules::Var a, rules::Var b) { return rules::VarName(a) < rules::VarName(b); });
  ObjectText o(out, level);
  for (rules::Var v : vars) {
    ObjectText in(o.Key(rules::VarName(v)), level + 1);
    if (!facts.Known(v)) {
      in.String("missing", facts.missing(v));
      in.Key("value") += "null";
    } else if (rules::IsNumeric(v)) {
      if (!facts.how(v).empty()) in.String("how", facts.how(v));
      in.String("unit", rules::VarUnit(v));
      in.Number("value", facts.number(v));
    } else {
      in.String("value", facts.text(v));
    }
    in.Close();
  }
  o.Close();
}

void WriteAtom(const rules::Atom& a, const rules::AtomValue& v, const rules::ChipFacts& facts,
               int level, std::string& out) {
  ObjectText o(out, level);
  const std::string_view op = rules::CmpOpText(a.op);
  o.String("evaluated", AtomSides(a, v, facts));
  o.String("lhs", a.lhs_text);
  if (a.lhs_param) o.String("lhs_parameter", a.lhs_text);
  const bool lhs_known = a.is_string ? a.lhs_var && facts.Known(*a.lhs_var) : v.lhs_known;
  if (!lhs_known)
    o.Key("lhs_value") += "null";
  else if (a.is_string)
    o.String("lhs_value", facts.text(*a.lhs_var));
  else
    o.Number("lhs_value", v.lhs);
  o.String("op", op);
  o.String("outcome", rules::TriName(v.outcome.tri));
  o.String("rhs", a.rhs_text);
  if (a.rhs_param) o.String("rhs_parameter", a.rhs_text);
  if (a.is_string)
    o.String("rhs_value", a.rhs_text.size() >= 2
                              ? std::string_view(a.rhs_text).substr(1, a.rhs_text.size() - 2)
                              : std::string_view());
  else if (v.rhs_known)
    o.Number("rhs_value", v.rhs);
  else
    o.Key("rhs_value") += "null";
  std::string text = a.lhs_text;
  text.append(" ").append(op).append(" ").append(a.rhs_text);
  o.String("text", text);
  if (!a.is_string) {
    const std::string unit = rules::FormatCanonical(1, a.dim);
    const auto space = unit.find(' ');
    o.String("unit", space == std::string::npos ? std::string_view()
                                                : std::string_view(unit).substr(space + 1));
  }
  o.Close();
}

void WriteParameters(const std::vector<rules::ParameterInfo>& infos,
                     const rules::Condition& cond, int level, std::string& out) {
  std::vector<const rules::ParameterInfo*> read;
  for (std::uint16_t slot : cond.params_read())
    if (slot < infos.size()) read.push_back(&infos[slot]);
  // By name; of equal names the tree keeps the last one assigned.
  std::stable_sort(read.begin(), read.end(), [](const auto* a, const auto* b) {
    return a->parameter->name < b->parameter->name;
  });
  ObjectText o(out, level);
  for (std::size_t i = 0; i < read.size(); ++i) {
    if (i + 1 < read.size() && read[i + 1]->parameter->name == read[i]->parameter->name) continue;
    ObjectText p(o.Key(read[i]->parameter->name), level + 1);
    p.Bool("overridden", read[i]->overridden);
    p.String("text", read[i]->parameter->text);
    p.Number("value", read[i]->value);
    p.Close();
  }
  o.Close();
}

void WriteGroups(const rules::CountryDb& db, const std::vector<rules::MembershipNote>& notes,
                 int level, std::string& out) {
  json groups = json::array();
  for (const rules::MembershipNote& n : notes) groups.push_back(MembershipJson(db, n));
  AppendJson(groups, level, out);
}

void WriteStep(const rules::RuleBook& book, const rules::ChipFacts& facts,
               const std::vector<rules::ParameterInfo>& infos, const rules::TraceStep& s,
               int level, std::string& out) {
  const rules::Clause& c = *s.clause;
  const rules::Condition* cond = s.condition;
  ObjectText o(out, level);
  const int inner = level + 1;
  o.String("basis", rules::TextBasisName(c.basis));
  o.String("citation", s.rule != nullptr ? std::string_view(s.rule->citation) : "");
  o.String("clause", c.full_id);
  if (cond != nullptr) {
    ArrayText atoms(o.Key("comparisons"), inner);
    for (std::size_t i = 0; i < s.atoms.size(); ++i)
      WriteAtom(cond->atoms()[i], s.atoms[i], facts, inner + 1, atoms.Item());
    atoms.Close();
    o.String("condition", cond->text());
    o.String("condition_value", rules::TriName(s.condition_value.tri));
  }
  if (s.destination_in) {
    WriteGroups(book.countries(), s.destination_groups, inner, o.Key("destination_groups"));
    o.Bool("destination_in", *s.destination_in);
    o.String("destinations", c.destinations->text());
  }
  if (c.kind == rules::ClauseKind::kException) o.String("exception", c.exception);
  if (!s.excluded_by.empty()) {
    json excluded = json::array();
    for (const rules::Clause* e : s.excluded_by) excluded.push_back(e->full_id);
    o.Tree("excluded_by", excluded);
  }
  if (s.headquarters_in) {
    o.String("headquarters", c.headquarters->text());
    WriteGroups(book.countries(), s.headquarters_groups, inner, o.Key("headquarters_groups"));
    o.Bool("headquarters_in", *s.headquarters_in);
  }
  if (cond != nullptr) WriteInputs(facts, *cond, inner, o.Key("inputs"));
  o.String("kind", rules::ClauseKindName(c.kind));
  if (s.headquarters_in) o.String("match", c.match == rules::Match::kAll ? "all" : "any");
  o.String("outcome", rules::TriName(s.outcome.tri));
  o.String("outcome_text", OutcomeWord(c, s.outcome.tri, s.excluded_by));
  if (c.kind == rules::ClauseKind::kControl) o.String("paragraph", c.paragraph);
  if (cond != nullptr) WriteParameters(infos, *cond, inner, o.Key("parameters"));
  if (s.product_named) o.Bool("product_named", *s.product_named);
  o.String("rule", s.rule->id);
  o.Bool("secondary", c.basis == rules::TextBasis::kSecondary);
  WriteSources(*s.rule, c.sources, inner, o.Key("sources"));
  o.String("title", c.title);
  o.Close();
}

}  // namespace

json MembershipJson(const rules::CountryDb& db, const rules::MembershipNote& n) {
  json x = {{"group", n.group->id}, {"member", n.info.member}, {"assumed", n.info.assumed}};
  json sources = json::array();
  auto add_sources = [&](const std::vector<std::string>& keys) {
    for (const std::string& k : keys) {
      auto it = n.group->source_map.find(k);
      if (it == n.group->source_map.end()) continue;
      sources.push_back({{"key", k},
                         {"title", it->second.title},
                         {"url", it->second.url},
                         {"kind", SourceKindName(it->second.kind)}});
    }
  };
  if (n.info.change != nullptr) {
    const rules::Membership& m = *n.info.change;
    x["basis"] = "dated";
    x["added"] = m.added ? json(m.added->ToString()) : json(nullptr);
    x["added_undated"] = m.added_undated;
    x["added_after"] = m.added_after ? json(m.added_after->ToString()) : json(nullptr);
    x["removed"] = m.removed ? json(m.removed->ToString()) : json(nullptr);
    x["removed_undated"] = m.removed_undated;
    x["removed_after"] = m.removed_after ? json(m.removed_after->ToString()) : json(nullptr);
    if (!m.note.empty()) x["note"] = m.note;
    add_sources(m.sources);
  } else if (n.group->definition) {
    x["basis"] = "definition";
    x["definition"] = n.group->definition->text();
  } else {
    x["basis"] = "snapshot";
    x["as_of"] = n.group->as_of ? json(n.group->as_of->ToString()) : json(nullptr);
    add_sources(n.group->sources);
  }
  x["sources"] = std::move(sources);
  (void)db;
  return x;
}

json PartyJson(const rules::ListedParty& p) {
  json x = {{"name", p.name},
            {"aliases", p.aliases},
            {"list", p.list},
            {"entity_list", p.entity_list},
            {"citation", p.citation},
            {"listed", p.listed ? json(p.listed->ToString()) : json(nullptr)},
            {"removed", p.removed ? json(p.removed->ToString()) : json(nullptr)},
            {"license_requirement", p.license_requirement},
            {"review_policy", rules::ReviewPolicyName(p.policy)},
            {"review_policy_text", p.policy_text},
            {"origin", p.origin}};
  if (!p.footnote.empty()) x["footnote"] = p.footnote;
  if (!p.country.empty()) x["country"] = p.country;
  if (p.notice != nullptr) {
    x["notice"] = p.notice->id;
    json sources = json::array();
    for (const std::string& k : p.sources) {
      auto it = p.notice->source_map.find(k);
      if (it == p.notice->source_map.end()) continue;
      sources.push_back({{"key", k},
                         {"title", it->second.title},
                         {"url", it->second.url},
                         {"kind", SourceKindName(it->second.kind)}});
    }
    x["sources"] = std::move(sources);
  }
  return x;
}

json ScreeningJson(const rules::PartyScreening& s) {
  auto hit = [](const rules::ScreenHit& h) {
    return json{{"matched", h.matched},
                {"alias", h.alias},
                {"score", std::round(h.score * 1000) / 1000},
                {"in_force", h.in_force},
                {"from", h.user_list ? "user-list" : "bundled"},
                {"shared_word", h.shared_word.empty() ? json(nullptr) : json(h.shared_word)},
                {"party", PartyJson(*h.party)}};
  };
  json hits = json::array(), other = json::array();
  for (const rules::ScreenHit& h : s.hits) hits.push_back(hit(h));
  for (const rules::ScreenHit& h : s.other) other.push_back(hit(h));
  return {{"name", s.name}, {"hits", hits}, {"other", other}};
}

json ImportSideJson(const rules::RuleBook& book, const rules::ImportSide& side) {
  json measures = json::array();
  for (const rules::ImportHit& h : side.measures) {
    const rules::ImportMeasure& m = *h.measure;
    json sources = json::array();
    for (const std::string& k : m.sources) {
      auto it = m.source_map.find(k);
      if (it == m.source_map.end()) continue;
      sources.push_back({{"key", k},
                         {"title", it->second.title},
                         {"url", it->second.url},
                         {"kind", SourceKindName(it->second.kind)}});
    }
    measures.push_back({{"id", m.id},
                        {"authority", m.authority},
                        {"title", m.title},
                        {"date", m.date.ToString()},
                        {"approximate", m.approximate},
                        {"until", m.until ? json(m.until->ToString()) : json(nullptr)},
                        {"effect", rules::ImportEffectName(m.effect)},
                        {"basis", rules::ImportBasisName(m.basis)},
                        {"products", m.products},
                        {"pending_products", m.pending_products},
                        {"products_text", m.products_text},
                        {"buyers", m.buyers},
                        {"buyers_text", m.buyers_text},
                        {"projects_text", m.projects_text},
                        {"applies_to_buyer", TriJson(h.applies)},
                        {"matched_buyer", h.matched_buyer},
                        {"summary", m.summary},
                        {"sources", sources}});
  }
  return {{"country", book.countries().country(side.country).code},
          {"verdict", rules::ImportVerdictName(side.verdict)},
          {"verdict_text", rules::ImportVerdictTitle(side.verdict)},
          {"reported_only", side.reported_only},
          {"approved_buyers", side.approved_buyers},
          {"measures", measures}};
}

json CaveatsJson(const rules::RuleBook& book, const std::vector<rules::Caveat>& caveats) {
  json out = json::array();
  for (const rules::Caveat& cv : caveats) {
    json x = {{"kind", rules::CaveatKindName(cv.kind)}, {"text", cv.text}};
    if (cv.kind == rules::CaveatKind::kUndatedMembership && cv.group != nullptr) {
      x["country"] = book.countries().country(cv.country).code;
      x["group"] = cv.group->id;
      x["assumed_member"] = cv.assumed_member;
    }
    out.push_back(std::move(x));
  }
  return out;
}

namespace {

// The classification's tree; `with_trace` false leaves out "trace" (ClassificationJsonText
// writes it as text).
json ClassificationTree(const rules::RuleBook& book, const ChipLabel& chip,
                        const rules::ChipFacts& facts, const rules::Classification& c,
                        bool with_trace) {
  const rules::CountryDb& db = book.countries();
  json j;
  j["chip"] = {{"id", chip.id}, {"name", chip.name}};
  j["query"] = {{"date", c.query.date.ToString()},
                {"destination", db.country(c.query.destination).code},
                {"destination_name", db.country(c.query.destination).name},
                {"headquarters", db.country(c.query.headquarters).code},
                {"headquarters_given", c.query.headquarters_given},
                {"view", rules::ViewName(c.query.view)}};
  if (!c.query.end_user.empty()) {
    j["query"]["end_user"] = c.query.end_user;
    json owners = json::array();
    for (const rules::Owner& o : c.query.owners)
      owners.push_back({{"name", o.name},
                        {"percent", o.percent ? json(*o.percent) : json(nullptr)},
                        {"of", o.of}});
    j["query"]["owners"] = std::move(owners);
    if (c.query.screening != nullptr) j["query"]["screening_list"] = c.query.screening->name();
  }
  j["before_first_rule"] = c.before_first_rule;
  j["controlled"] = TriJson(c.controlled.tri);
  json controls = json::array();
  for (const rules::Clause* cl : c.controls) controls.push_back(cl->paragraph);
  j["controls"] = std::move(controls);
  json undecided = json::array();
  for (const rules::Clause* cl : c.controls_undecided) undecided.push_back(cl->paragraph);
  j["controls_undecided"] = std::move(undecided);
  j["license_required"] = TriJson(c.license_required.tri);
  json basis = json::array();
  for (const rules::Clause* b : c.license_basis) basis.push_back(ClauseRef(book, b));
  j["license_basis"] = std::move(basis);
  json exc = json::array();
  for (const rules::ExceptionHit& e : c.exceptions) {
    json x = ClauseRef(book, e.clause);
    x["exception"] = e.clause->exception;
    x["notification"] = e.clause->notification;
    x["eligible"] = TriJson(e.eligible.tri);
    x["conditions"] = e.clause->conditions;
    // The phrase every front end prints (dossier, web chip page), built once here.
    x["text"] = e.clause->exception + ": " + e.clause->title + " (" + e.clause->full_id + ")" +
                (e.eligible.tri == Tri::kUnknown ? " (whether it is available cannot be decided)"
                                                 : "");
    exc.push_back(std::move(x));
  }
  j["exceptions"] = std::move(exc);
  j["exceptions_blocked"] = c.exceptions_blocked;
  j["review_policy"] = rules::ReviewPolicyName(c.review_policy);
  j["review_decided"] = TriJson(c.review_decided.tri);
  j["review_clause"] = c.review_clause != nullptr ? json(c.review_clause->full_id) : json(nullptr);
  j["review_conditions"] =
      c.review_clause != nullptr ? json(c.review_clause->conditions) : json::array();
  json measures = json::array();
  for (const rules::Clause* m : c.measures) {
    json x = ClauseRef(book, m);
    x["id"] = m->full_id;
    x["products"] = m->products;
    x["products_text"] = m->products_text;
    x["effect"] = rules::MeasureEffectName(m->effect);
    x["revenue_share"] = m->revenue_share ? json(*m->revenue_share) : json(nullptr);
    x["policy"] = rules::ReviewPolicyName(m->policy);
    x["conditions"] = m->conditions;
    if (!m->equivalents.empty()) x["equivalents"] = m->equivalents;
    if (!m->pending_products.empty()) x["pending_products"] = m->pending_products;
    if (const rules::RuleVersion* r = RuleOf(book, m)) x["sources"] = Sources(*r, m->sources);
    measures.push_back(std::move(x));
  }
  j["measures"] = std::move(measures);
  j["cannot_decide"] = CannotDecideReasons(facts, c);
  json rules_json = json::array();
  for (const rules::RuleState& s : c.rules)
    rules_json.push_back({{"id", s.rule->id},
                          {"citation", s.rule->citation},
                          {"title", s.rule->title},
                          {"status", rules::RuleStatusName(s.status)},
                          {"status_text", RuleStatusText(*s.rule, s, c.query.date)},
                          {"applied", s.applied}});
  for (std::size_t k = 0; k < c.rules.size(); ++k) {
    json legal = json::array();
    for (const rules::LegalNote& n : c.rules[k].rule->legal)
      if (n.date <= c.query.date)
        legal.push_back({{"date", n.date.ToString()},
                         {"finding", n.finding},
                         {"sources", Sources(*c.rules[k].rule, n.sources)}});
    if (!legal.empty()) rules_json[k]["legal_status"] = std::move(legal);
  }
  j["rules"] = std::move(rules_json);
  if (with_trace) {
    json trace = json::array();
    const std::vector<rules::ParameterInfo> infos = book.Parameters();
    for (const rules::TraceStep& s : c.trace) trace.push_back(StepJson(book, facts, infos, s));
    j["trace"] = std::move(trace);
  }
  if (c.end_user.given) {
    const rules::EndUserResult& eu = c.end_user;
    json owners = json::array();
    for (const rules::OwnerResult& o : eu.owners)
      owners.push_back({{"name", o.owner.name},
                        {"percent", o.owner.percent ? json(*o.owner.percent) : json(nullptr)},
                        {"of", o.owner.of},
                        {"restricted", TriJson(o.restricted)},
                        {"via", o.via != nullptr ? json(o.via->name) : json(nullptr)},
                        {"screening", ScreeningJson(o.screening)}});
    json e = {
        {"screening", ScreeningJson(eu.end_user)},
        {"owners", owners},
        {"listed", eu.listed},
        {"affiliate", TriJson(eu.affiliate)},
        {"restricted_share", eu.restricted_share ? json(*eu.restricted_share) : json(nullptr)},
        {"share_unknown", eu.share_unknown},
        {"license_required", eu.license ? "yes" : "no"},
        {"reason", eu.reason},
        {"review_policy", rules::ReviewPolicyName(eu.policy)},
        {"basis", eu.basis != nullptr ? PartyJson(*eu.basis) : json(nullptr)}};
    if (eu.affiliates_rule != nullptr)
      e["affiliates_rule"] = {
          {"id", eu.affiliates_rule->id},
          {"citation", eu.affiliates_rule->citation},
          {"status", eu.affiliates_period != nullptr
                         ? rules::AffiliatesStatusName(eu.affiliates_period->status)
                         : rules::AffiliatesStatusName(rules::AffiliatesStatus::kNotYetIssued)},
          {"since", eu.affiliates_period != nullptr ? json(eu.affiliates_period->from.ToString())
                                                    : json(nullptr)},
          {"scheduled", eu.affiliates_period != nullptr && eu.affiliates_period->scheduled}};
    j["end_user"] = std::move(e);
  }
  if (c.import_side.country >= 0) j["import_side"] = ImportSideJson(book, c.import_side);
  j["caveats"] = CaveatsJson(book, c.caveats);
  j["data_checked"] = c.data_checked.ToString();
  return j;
}

json Summary(const rules::Classification& c) {
  json controls = json::array();
  for (const rules::Clause* cl : c.controls) controls.push_back(cl->paragraph);
  json undecided = json::array();
  for (const rules::Clause* cl : c.controls_undecided) undecided.push_back(cl->paragraph);
  json exc = json::array();
  for (const rules::ExceptionHit& e : c.exceptions) exc.push_back(e.clause->exception);
  json measures = json::array();
  for (const rules::Clause* m : c.measures) measures.push_back(m->full_id);
  return {{"controls", controls},
          {"controls_undecided", undecided},
          {"license_required", TriJson(c.license_required.tri)},
          {"exceptions", exc},
          {"review_policy", rules::ReviewPolicyName(c.review_policy)},
          {"measures", measures},
          {"status", StatusLine(c)},
          {"code", StatusCode(c)}};
}

// `disputed_figures`, when the chip has alternatives.
void AddDisputed(const rules::RuleBook& book, const rules::DisputedClassification& d, json& j) {
  if (d.agreement == rules::Agreement::kNone) return;
  const std::vector<rules::ParameterInfo> infos = book.Parameters();
  json outcomes = json::array();
  for (const rules::SourceOutcome& o : d.outcomes) {
    json x = Summary(o.result);
    x["label"] = o.label;
    json sources = json::array();
    for (const Source& src : o.sources)
      sources.push_back({{"key", src.key},
                         {"title", src.title},
                         {"url", src.url},
                         {"kind", SourceKindName(src.kind)}});
    x["sources"] = std::move(sources);
    json changes = json::array();
    for (const catalog::FigureChange& ch : o.changes) {
      json y = {{"figure", ch.figure}, {"recorded", ch.recorded}, {"alternative", ch.alternative}};
      if (!ch.note.empty()) y["note"] = ch.note;
      if (!ch.formula.empty()) y["formula"] = ch.formula;
      changes.push_back(std::move(y));
    }
    x["changes"] = std::move(changes);
    x["tpp"] = o.metrics.tpp() ? Number(*o.metrics.tpp()) : json(nullptr);
    x["pd"] = o.metrics.pd() ? Number(*o.metrics.pd()) : json(nullptr);
    x["license_required"] = TriJson(o.result.license_required.tri);
    json steps = json::array();
    for (std::size_t k : o.differing_steps)
      steps.push_back(StepJson(book, o.facts, infos, o.result.trace[k]));
    x["trace_differences"] = std::move(steps);
    outcomes.push_back(std::move(x));
  }
  j["disputed_figures"] = {{"agreement", rules::AgreementName(d.agreement)},
                           {"robust", d.agreement != rules::Agreement::kDependsOnSource},
                           {"verdict", DisputeVerdict(d)},
                           {"differing", d.differing},
                           {"outcomes", outcomes}};
}

// DumpJson of the tree with "trace" added, the trace written as text. "trace" sorts after every
// other member, so it closes the object; were a later key ever added, the tree takes it.
std::string WithTraceText(json j, const rules::RuleBook& book, const rules::ChipFacts& facts,
                          const std::vector<rules::TraceStep>& trace) {
  const auto& members = j.get_ref<const json::object_t&>();
  const std::vector<rules::ParameterInfo> infos = book.Parameters();
  if (members.empty() || members.rbegin()->first >= "trace") {
    json steps = json::array();
    for (const rules::TraceStep& s : trace) steps.push_back(StepJson(book, facts, infos, s));
    j["trace"] = std::move(steps);
    return DumpJson(j);
  }
  std::string out = DumpJson(j);
  out.resize(out.size() - 2);  // "\n}"
  out.reserve(out.size() + 4096 * trace.size());  // a step is ~2.7 KB
  out += ",\n  \"trace\": ";
  ArrayText steps(out, 1);
  for (const rules::TraceStep& s : trace) WriteStep(book, facts, infos, s, 2, steps.Item());
  steps.Close();
  out += "\n}";
  return out;
}

}  // namespace

json ClassificationJson(const rules::RuleBook& book, const ChipLabel& chip,
                        const rules::ChipFacts& facts, const rules::Classification& c) {
  return ClassificationTree(book, chip, facts, c, true);
}

json ClassificationJson(const rules::RuleBook& book, const ChipLabel& chip,
                        const rules::ChipFacts& facts, const rules::Classification& c,
                        const rules::DisputedClassification& d) {
  json j = ClassificationTree(book, chip, facts, c, true);
  AddDisputed(book, d, j);
  return j;
}

std::string ClassificationJsonText(const rules::RuleBook& book, const ChipLabel& chip,
                                   const rules::ChipFacts& facts,
                                   const rules::Classification& c) {
  return WithTraceText(ClassificationTree(book, chip, facts, c, false), book, facts, c.trace);
}

std::string ClassificationJsonText(const rules::RuleBook& book, const ChipLabel& chip,
                                   const rules::ChipFacts& facts, const rules::Classification& c,
                                   const rules::DisputedClassification& d) {
  json j = ClassificationTree(book, chip, facts, c, false);
  AddDisputed(book, d, j);
  return WithTraceText(std::move(j), book, facts, c.trace);
}

json TimelineJson(const rules::RuleBook& book, const ChipLabel& chip, const rules::Query& query,
                  const std::vector<rules::TimelineEntry>& timeline,
                  const std::vector<rules::ImportTimelineEntry>& imports) {
  json j = TimelineJson(book, chip, query, timeline);
  if (imports.empty()) return j;
  json entries = json::array();
  for (const rules::ImportTimelineEntry& e : imports) {
    json started = json::array();
    for (const rules::ImportMeasure* m : e.started) started.push_back(m->id);
    json x = ImportSideJson(book, e.side);
    x["from"] = e.from.ToString();
    x["started"] = std::move(started);
    entries.push_back(std::move(x));
  }
  j["import_side"] = {{"country", book.countries().country(imports.front().side.country).code},
                      {"timeline", entries}};
  return j;
}

json RulesStatusJson(const std::vector<rules::StatusRow>& rows) {
  json out = json::array();
  for (const rules::StatusRow& r : rows) {
    json kinds = json::object();
    for (std::size_t k = 0; k < r.sources.size(); ++k)
      kinds[std::string(SourceKindName(static_cast<SourceKind>(k)))] = r.sources[k];
    out.push_back({{"kind", r.kind},
                   {"id", r.id},
                   {"title", r.title},
                   {"citation", r.citation},
                   {"effective", r.effective ? json(r.effective->ToString()) : json(nullptr)},
                   {"checked", r.checked.ToString()},
                   {"checked_given", r.checked_given},
                   {"sources", kinds},
                   {"pending_products", r.pending_products}});
  }
  return {{"data_checked", rules::DataChecked(rows).ToString()}, {"rows", out}};
}

json TimelineJson(const rules::RuleBook& book, const ChipLabel& chip, const rules::Query& query,
                  const std::vector<rules::TimelineEntry>& timeline) {
  const rules::CountryDb& db = book.countries();
  json entries = json::array();
  for (const rules::TimelineEntry& e : timeline) {
    json x = Summary(e.result);
    x["from"] = e.from.ToString();
    x["changes"] = e.changes;
    x["events"] = e.events;
    entries.push_back(std::move(x));
  }
  return {{"chip", {{"id", chip.id}, {"name", chip.name}}},
          {"destination", db.country(query.destination).code},
          {"headquarters", db.country(query.headquarters).code},
          {"view", rules::ViewName(query.view)},
          {"timeline", entries},
          {"data_checked", rules::DataChecked(rules::RulesStatus(book)).ToString()}};
}

json MatrixJson(const rules::RuleBook& book, const std::vector<rules::ChipEntry>& chips,
                const rules::Query& query, const rules::Matrix& m) {
  const rules::CountryDb& db = book.countries();
  json cols = json::array();
  for (const rules::MatrixColumn& c : m.columns)
    cols.push_back({{"rule", c.rule->id},
                    {"citation", c.rule->citation},
                    {"date", c.date.ToString()},
                    {"view", rules::ViewName(c.view)}});
  json rows = json::array();
  for (std::size_t i = 0; i < chips.size(); ++i) {
    json cells = json::array();
    for (const rules::Classification& c : m.cells[i]) cells.push_back(Summary(c));
    rows.push_back({{"chip", chips[i].id}, {"name", chips[i].name}, {"cells", cells}});
  }
  return {{"destination", db.country(query.destination).code},
          {"headquarters", db.country(query.headquarters).code},
          {"columns", cols},
          {"rows", rows},
          {"legend", StatusCodeLegend()}};
}

json RuleListJson(const rules::RuleBook& book) {
  json out = json::array();
  for (const rules::RuleVersion& r : book.rules()) out.push_back(RuleJson(book, r));
  return out;
}

json RuleJson(const rules::RuleBook& book, const rules::RuleVersion& r) {
  json params = json::array();
  for (const rules::ParameterInfo& p : book.Parameters()) {
    if (p.rule != &r) continue;
    params.push_back({{"name", p.parameter->name},
                      {"title", p.parameter->title},
                      {"value", Number(p.value)},
                      {"text", p.parameter->text},
                      {"overridden", p.overridden},
                      {"sources", Sources(r, p.parameter->sources)}});
  }
  json clauses = json::array();
  for (const rules::Clause& c : r.clauses) {
    json x = {{"id", c.full_id},
              {"kind", rules::ClauseKindName(c.kind)},
              {"title", c.title},
              {"basis", rules::TextBasisName(c.basis)},
              {"secondary", c.basis == rules::TextBasis::kSecondary},
              {"sources", Sources(r, c.sources)}};
    if (c.kind == rules::ClauseKind::kControl) x["paragraph"] = c.paragraph;
    if (c.kind == rules::ClauseKind::kException) x["exception"] = c.exception;
    if (c.condition) x["condition"] = c.condition->text;
    if (c.destinations) x["destinations"] = c.destinations->text();
    if (c.headquarters) x["headquarters"] = c.headquarters->text();
    if (c.policy != rules::ReviewPolicy::kNone) x["policy"] = rules::ReviewPolicyName(c.policy);
    if (!c.products.empty()) x["products"] = c.products;
    if (!c.pending_products.empty()) x["pending_products"] = c.pending_products;
    if (c.revenue_share) x["revenue_share"] = *c.revenue_share;
    if (c.effective) x["effective"] = c.effective->ToString();
    if (!c.supersedes.empty()) x["supersedes"] = c.supersedes;
    if (!c.conditions.empty()) x["conditions"] = c.conditions;
    if (!c.note.empty()) x["note"] = c.note;
    clauses.push_back(std::move(x));
  }
  json enforcement = json::array();
  for (const rules::Enforcement& e : r.enforcement)
    enforcement.push_back(
        {{"from", e.from.ToString()},
         {"status",
          e.status == rules::EnforcementStatus::kNotEnforced ? "not-enforced" : "enforced"},
         {"note", e.note}});
  json legal = json::array();
  for (const rules::LegalNote& n : r.legal)
    legal.push_back({{"date", n.date.ToString()},
                     {"finding", n.finding},
                     {"note", n.note},
                     {"sources", Sources(r, n.sources)}});
  return {{"id", r.id},
          {"title", r.title},
          {"short_title", r.short_title},
          {"legal_status", legal},
          {"checked", r.LastChecked().ToString()},
          {"checked_given", r.checked.has_value()},
          {"citation", r.citation},
          {"document", r.document},
          {"published", r.published ? json(r.published->ToString()) : json(nullptr)},
          {"effective", r.effective.ToString()},
          {"compliance", r.compliance ? json(r.compliance->ToString()) : json(nullptr)},
          {"supersedes", r.supersedes},
          {"enforcement", enforcement},
          {"summary", r.summary},
          {"parameters", params},
          {"clauses", clauses},
          {"sources", Sources(r, r.sources)}};
}

json ChangesJson(const std::vector<rules::ChipEntry>& chips,
                 const std::vector<rules::ChipChange>& changes) {
  json out = json::array();
  for (const rules::ChipChange& c : changes)
    out.push_back({{"chip", chips[c.chip].id},
                   {"before", Summary(c.before)},
                   {"after", Summary(c.after)},
                   {"changes", c.changes}});
  return out;
}

json HeadroomRowsJson(const std::vector<rules::HeadroomRow>& rows) {
  json out = json::array();
  for (const rules::HeadroomRow& r : rows)
    out.push_back({{"clause", r.clause->full_id},
                   {"rule", r.rule->id},
                   {"metric", rules::VarName(r.metric)},
                   {"unit", rules::VarUnit(r.metric)},
                   {"value", r.value ? Number(*r.value) : json(nullptr)},
                   {"op", rules::CmpOpText(r.op)},
                   {"threshold_name", r.threshold_name},
                   {"threshold", Number(r.threshold)},
                   {"ratio", r.ratio ? Number(*r.ratio) : json(nullptr)},
                   {"holds", TriJson(r.holds)}});
  return out;
}

json HeadroomJson(const ChipLabel& chip, const rules::Query& query,
                  const std::vector<rules::HeadroomRow>& rows) {
  return {{"chip", {{"id", chip.id}, {"name", chip.name}}},
          {"date", query.date.ToString()},
          {"view", rules::ViewName(query.view)},
          {"headroom", HeadroomRowsJson(rows)}};
}

json ChipMapJson(const rules::RuleBook& book, const std::vector<rules::ChipEntry>& chips,
                 const rules::MapData& map) {
  const rules::CountryDb& db = book.countries();
  json regions = json::array();
  for (const rules::MapRegion& r : map.regions)
    regions.push_back({{"tpp", {Number(r.tpp_lo), Number(r.tpp_hi)}},
                       {"pd", {Number(r.pd_lo), Number(r.pd_hi)}},
                       {"paragraphs", r.paragraphs},
                       {"class", rules::RegionClassLabel(r.cls)},
                       {"depends_on_other_metrics", r.depends_on_other_metrics}});
  json exclusions = json::array();
  for (const rules::MapExclusion& e : map.exclusions)
    exclusions.push_back(
        {{"clause", e.clause->full_id},
         {"title", e.clause->title},
         {"excludes", e.clause->excludes},
         {"condition", e.clause->condition ? json(e.clause->condition->text) : json(nullptr)},
         {"tpp_below", e.tpp_below ? Number(*e.tpp_below) : json(nullptr)}});
  json thresholds = json::array();
  for (const rules::MapThreshold& t : map.thresholds)
    thresholds.push_back(
        {{"axis", rules::VarName(t.axis)}, {"value", Number(t.value)}, {"label", t.label}});
  json points = json::array();
  for (const rules::MapPoint& p : map.points) {
    json x = Summary(p.result);
    x["chip"] = chips[p.chip].id;
    x["name"] = chips[p.chip].name;
    x["tpp"] = Number(p.tpp);
    x["pd"] = Number(p.pd);
    points.push_back(std::move(x));
  }
  json unplotted = json::array();
  for (std::size_t k = 0; k < map.unplotted.size(); ++k) {
    const std::size_t i = map.unplotted[k];
    const rules::ChipFacts& f = chips[i].facts;
    json x = Summary(map.unplotted_results[k]);
    x["chip"] = chips[i].id;
    x["name"] = chips[i].name;
    x["tpp"] = f.Known(rules::Var::kTpp) ? Number(f.number(rules::Var::kTpp)) : json(nullptr);
    x["why"] = !f.Known(rules::Var::kTpp) ? "TPP unknown: " + f.missing(rules::Var::kTpp)
                                          : "PD unknown: " + f.missing(rules::Var::kPd);
    unplotted.push_back(std::move(x));
  }
  return {{"date", map.query.date.ToString()},
          {"destination", db.country(map.query.destination).code},
          {"headquarters", db.country(map.query.headquarters).code},
          {"view", rules::ViewName(map.query.view)},
          {"regions", regions},
          {"thresholds", thresholds},
          {"exclusions", exclusions},
          {"points", points},
          {"unplotted", unplotted}};
}

json WhatIfJson(const rules::RuleBook& book, const std::vector<std::string>& settings,
                const std::vector<rules::ChipEntry>& chips, const rules::Query& query,
                const std::vector<rules::ChipChange>& changes) {
  const rules::CountryDb& db = book.countries();
  return {{"settings", settings},
          {"date", query.date.ToString()},
          {"destination", db.country(query.destination).code},
          {"headquarters", db.country(query.headquarters).code},
          {"view", rules::ViewName(query.view)},
          {"chips", chips.size()},
          {"changes", ChangesJson(chips, changes)}};
}

json RuleDiffJson(const rules::RuleBook& book, const rules::RuleVersion& a,
                  const rules::RuleVersion& b, const std::vector<rules::ChipEntry>& chips,
                  const rules::Query& query, const std::vector<rules::ChipChange>& changes) {
  const rules::MatrixColumn ca = rules::ColumnFor(book, a);
  const rules::MatrixColumn cb = rules::ColumnFor(book, b);
  const rules::CountryDb& db = book.countries();
  return {{"a", {{"rule", a.id}, {"date", ca.date.ToString()}, {"view", rules::ViewName(ca.view)}}},
          {"b", {{"rule", b.id}, {"date", cb.date.ToString()}, {"view", rules::ViewName(cb.view)}}},
          {"destination", db.country(query.destination).code},
          {"headquarters", db.country(query.headquarters).code},
          {"chips", chips.size()},
          {"changes", ChangesJson(chips, changes)}};
}

}  // namespace ceiling::report
