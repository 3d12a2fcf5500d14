// Building a RuleBook: compile conditions, resolve references, precompute date intervals.
#include "ceiling/rules/rulebook.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "ceiling/base/file.h"
#include "ceiling/base/toml_reader.h"
#include "compiled.h"
#include "located.h"

namespace ceiling::rules {
namespace {

namespace fs = std::filesystem;

bool PrefixMatches(std::string_view prefix, std::string_view paragraph) {
  return paragraph == prefix ||
         (paragraph.size() > prefix.size() && paragraph.compare(0, prefix.size(), prefix) == 0 &&
          paragraph[prefix.size()] == '.');
}

RuleStatus BaseStatus(const RuleVersion& r, Date d) {
  if (d < r.effective) return RuleStatus::kNotYetEffective;
  const Enforcement* last = nullptr;
  for (const Enforcement& e : r.enforcement)
    if (e.from <= d) last = &e;
  if (last != nullptr && last->status == EnforcementStatus::kNotEnforced)
    return RuleStatus::kNotEnforced;
  if (r.compliance && d < *r.compliance) return RuleStatus::kComplianceDeferred;
  return RuleStatus::kInForce;
}

Error ErrorAtRule(const RuleVersion& r, const SourceLocation& loc, std::string message) {
  return MakeError(ErrorCode::kSchema, std::move(message), loc.known() ? loc : r.location);
}

// A cycle in a directed graph given as adjacency lists, found by an iterative depth-first search
// (no recursion, whatever the graph's size): the nodes of the cycle in order, first repeated at
// the end, or empty when the graph is acyclic.
std::vector<std::size_t> FindCycle(const std::vector<std::vector<std::size_t>>& next) {
  enum : std::uint8_t { kNew, kOnPath, kDone };
  std::vector<std::uint8_t> state(next.size(), kNew);
  std::vector<std::pair<std::size_t, std::size_t>> path;  // (node, next edge to follow)
  for (std::size_t root = 0; root < next.size(); ++root) {
    if (state[root] != kNew) continue;
    path.push_back({root, 0});
    state[root] = kOnPath;
    while (!path.empty()) {
      auto& [node, edge] = path.back();
      if (edge == next[node].size()) {
        state[node] = kDone;
        path.pop_back();
        continue;
      }
      const std::size_t to = next[node][edge++];
      if (state[to] == kOnPath) {
        std::vector<std::size_t> cycle;
        std::size_t k = 0;
        while (path[k].first != to) ++k;
        for (; k < path.size(); ++k) cycle.push_back(path[k].first);
        cycle.push_back(to);
        return cycle;
      }
      if (state[to] == kNew) {
        state[to] = kOnPath;
        path.push_back({to, 0});
      }
    }
  }
  return {};
}

// Supersession must not go round: two rules (or clauses) that supersede each other would both be
// dropped, and a chip would silently fall outside every control. Nodes: rules, then clauses; a
// rule that is superseded takes its clauses with it.
Status CheckSupersedesCycles(
    const std::vector<RuleVersion>& R, const std::map<std::string, std::size_t>& rule_index,
    const std::map<std::string, std::pair<std::size_t, std::size_t>>& clause_index) {
  std::vector<std::size_t> first_clause(R.size());
  std::size_t nodes = R.size();
  for (std::size_t r = 0; r < R.size(); ++r) {
    first_clause[r] = nodes;
    nodes += R[r].clauses.size();
  }
  std::vector<std::vector<std::size_t>> next(nodes);
  std::vector<std::string> name(nodes);
  for (std::size_t r = 0; r < R.size(); ++r) {
    name[r] = R[r].id;
    for (std::size_t k = 0; k < R[r].clauses.size(); ++k)
      name[first_clause[r] + k] = R[r].clauses[k].full_id;
  }
  auto add = [&](std::size_t from, const std::string& target) {
    if (auto it = rule_index.find(target); it != rule_index.end()) {
      next[from].push_back(it->second);
      for (std::size_t k = 0; k < R[it->second].clauses.size(); ++k)
        next[from].push_back(first_clause[it->second] + k);
    } else if (auto ct = clause_index.find(target); ct != clause_index.end()) {
      next[from].push_back(first_clause[ct->second.first] + ct->second.second);
    }
  };
  for (std::size_t r = 0; r < R.size(); ++r) {
    for (const std::string& t : R[r].supersedes) add(r, t);
    for (std::size_t k = 0; k < R[r].clauses.size(); ++k)
      for (const std::string& t : R[r].clauses[k].supersedes) add(first_clause[r] + k, t);
  }
  const std::vector<std::size_t> cycle = FindCycle(next);
  if (cycle.empty()) return OkStatus();
  std::string chain;
  for (std::size_t k = 0; k < cycle.size(); ++k) chain += (k ? " -> " : "") + name[cycle[k]];
  // Locate at the first node of the cycle's `supersedes`.
  const std::size_t n0 = cycle.front();
  std::size_t r0 = 0;
  while (r0 + 1 < R.size() && first_clause[r0 + 1] <= n0) ++r0;
  if (n0 < R.size())
    return ErrorAtRule(R[n0], R[n0].supersedes_location,
                       fmt::format("supersedes: a cycle ({}); rules and clauses that supersede "
                                   "each other would all be dropped",
                                   chain));
  const Clause& cl = R[r0].clauses[n0 - first_clause[r0]];
  return ErrorAtRule(R[r0], cl.supersedes_location,
                     fmt::format("{}.supersedes: a cycle ({}); rules and clauses that supersede "
                                 "each other would all be dropped",
                                 cl.key_path, chain));
}

// Within one plan (the controls in force on one date, in evaluation order), a meets() must read
// a paragraph that is completely decided: every control defining it comes earlier. A cycle of
// paragraphs defined in terms of each other is reported as such; otherwise the first condition
// that reads a paragraph a later control still adds to.
Status CheckParagraphOrder(const RuleBook::Compiled& c, const Plan& plan, Date date) {
  if (plan.controls.empty()) return OkStatus();
  const std::size_t slots = c.paragraphs.size();
  std::vector<std::vector<std::size_t>> next(slots);
  std::vector<int> last_definer(slots, -1);
  for (std::size_t pos = 0; pos < plan.controls.size(); ++pos)
    last_definer[c.clauses[plan.controls[pos]].paragraph_slot] = static_cast<int>(pos);
  for (std::uint16_t k : plan.controls) {
    const CompiledClause& cc = c.clauses[k];
    for (const auto& list : cc.condition.meets())
      for (std::uint16_t s : list)
        if (last_definer[s] >= 0) next[cc.paragraph_slot].push_back(s);
  }
  auto locate = [&](const CompiledClause& cc, std::string message) {
    const Clause& cl = *cc.clause;
    const SourceLocation loc = cl.condition ? cl.condition->location : cl.location;
    return ErrorAtRule(*cc.rule, loc, fmt::format("{}.condition: {}", cl.key_path, message));
  };
  if (const auto cycle = FindCycle(next); !cycle.empty()) {
    std::string chain;
    for (std::size_t k = 0; k < cycle.size(); ++k)
      chain += (k ? " -> " : "") + c.paragraphs[cycle[k]];
    // The clause that defines the cycle's first paragraph with a meets() of the second.
    for (std::uint16_t k : plan.controls) {
      const CompiledClause& cc = c.clauses[k];
      if (cc.paragraph_slot != cycle[0]) continue;
      for (const auto& list : cc.condition.meets())
        if (std::find(list.begin(), list.end(), cycle[1]) != list.end())
          return locate(cc, fmt::format("paragraphs defined in terms of each other on {} ({}): "
                                        "meets() must not go round",
                                        date.ToString(), chain));
    }
  }
  for (std::size_t pos = 0; pos < plan.controls.size(); ++pos) {
    const CompiledClause& cc = c.clauses[plan.controls[pos]];
    for (const auto& list : cc.condition.meets())
      for (std::uint16_t s : list)
        if (last_definer[s] > static_cast<int>(pos)) {
          const CompiledClause& later =
              c.clauses[plan.controls[static_cast<std::size_t>(last_definer[s])]];
          return locate(cc, fmt::format("meets() reads paragraph {}, which a later control ({}) "
                                        "also defines on {}; a paragraph must be defined before "
                                        "the conditions that read it",
                                        c.paragraphs[s], later.clause->full_id, date.ToString()));
        }
  }
  return OkStatus();
}

}  // namespace

std::string_view ViewName(View v) { return v == View::kText ? "text" : "enforced"; }

std::string_view RuleStatusName(RuleStatus s) {
  switch (s) {
    case RuleStatus::kNotYetEffective: return "not-yet-effective";
    case RuleStatus::kInForce: return "in-force";
    case RuleStatus::kComplianceDeferred: return "compliance-deferred";
    case RuleStatus::kNotEnforced: return "not-enforced";
    case RuleStatus::kSuperseded: return "superseded";
  }
  return "in-force";
}

bool Applies(RuleStatus s, View v) {
  if (v == View::kEnforced) return s == RuleStatus::kInForce;
  return s == RuleStatus::kInForce || s == RuleStatus::kComplianceDeferred ||
         s == RuleStatus::kNotEnforced;
}

int RuleBook::Compiled::IntervalOf(Date date) const {
  auto it = std::upper_bound(dates.begin(), dates.end(), date);
  return static_cast<int>(it - dates.begin()) - 1;
}

std::uint16_t RuleBook::Compiled::ClauseIndex(const Clause* c) const {
  for (std::size_t i = 0; i < clauses.size(); ++i)
    if (clauses[i].clause == c) return static_cast<std::uint16_t>(i);
  return 0;
}

Result<RuleBook> RuleBook::Load(const fs::path& data_dir) {
  ASSIGN_OR_RETURN(CountryDb countries, CountryDb::Load(data_dir / "countries"));
  std::error_code ec;
  const fs::path dir = data_dir / "rules";
  if (!fs::is_directory(dir, ec))
    return MakeError(ErrorCode::kNotFound, fmt::format("{}: no rules directory", dir.string()));
  std::vector<RuleVersion> rules;
  for (const fs::path& f : FilesIn(dir, {".toml"})) {
    ASSIGN_OR_RETURN(RuleVersion r, LoadRuleFile(f, countries, catalog::DisplayPath(f)));
    if (r.id != f.stem().string())
      return MakeError(ErrorCode::kSchema,
                       fmt::format("id: \"{}\" does not match the file name (expected \"{}\")", r.id,
                                   f.stem().string()),
                       SourceLocation{catalog::DisplayPath(f), 1, 1});
    rules.push_back(std::move(r));
  }
  ASSIGN_OR_RETURN(EntityDb entities, EntityDb::Load(data_dir / "entities"));
  ASSIGN_OR_RETURN(ImportDb imports, ImportDb::Load(data_dir / "import", countries));
  return Build(std::move(countries), std::move(rules), std::move(entities), std::move(imports));
}

Result<RuleBook> RuleBook::Build(CountryDb countries, std::vector<RuleVersion> rules,
                                 EntityDb entities, ImportDb imports) {
  return Compile(std::move(countries), std::move(rules), std::move(entities), std::move(imports),
                 {});
}

Result<RuleBook> RuleBook::WithParameter(std::string_view name, std::string_view value) const {
  auto overrides = c_->overrides;
  overrides.emplace_back(std::string(name), std::string(value));
  return Compile(c_->countries, c_->rules, c_->entities, c_->imports, std::move(overrides));
}

Result<RuleBook> RuleBook::WithRule(RuleVersion rule) const {
  if (FindRule(rule.id) != nullptr)
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("id: rule \"{}\" already exists in the bundled rules", rule.id),
                     rule.location);
  auto rules = c_->rules;
  rules.push_back(std::move(rule));
  return Compile(c_->countries, std::move(rules), c_->entities, c_->imports, c_->overrides);
}

Result<RuleBook> RuleBook::WithRuleFile(const fs::path& path) const {
  ASSIGN_OR_RETURN(RuleVersion r, LoadRuleFile(path, c_->countries, catalog::DisplayPath(path)));
  return WithRule(std::move(r));
}

Result<RuleBook> RuleBook::WithRuleText(std::string_view text, std::string display_name) const {
  ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseString(text, std::move(display_name)));
  ASSIGN_OR_RETURN(RuleVersion r, ParseRule(doc, c_->countries));
  return WithRule(std::move(r));
}

const CountryDb& RuleBook::countries() const { return c_->countries; }
const EntityDb& RuleBook::entities() const { return c_->entities; }
const ImportDb& RuleBook::imports() const { return c_->imports; }
const std::vector<RuleVersion>& RuleBook::rules() const { return c_->rules; }
const std::vector<Date>& RuleBook::change_dates() const { return c_->dates; }
Date RuleBook::first_rule_date() const { return c_->first_rule_date; }

const RuleVersion* RuleBook::FindRule(std::string_view id) const {
  for (const RuleVersion& r : c_->rules)
    if (r.id == id) return &r;
  return nullptr;
}

Result<const RuleVersion*> RuleBook::ResolveRule(std::string_view id) const {
  if (const RuleVersion* r = FindRule(id)) return r;
  std::vector<std::pair<int, std::string>> scored;
  for (const RuleVersion& r : c_->rules) {
    int d = EditDistance(id, r.id);
    if (r.id.find(id) != std::string::npos && id.size() >= 4) d = 0;
    if (d <= 4) scored.push_back({d, r.id});
  }
  std::sort(scored.begin(), scored.end());
  std::string msg = fmt::format("unknown rule \"{}\"", id);
  if (!scored.empty()) {
    msg += "; did you mean ";
    for (std::size_t i = 0; i < std::min<std::size_t>(3, scored.size()); ++i)
      msg += (i == 0 ? "" : ", ") + scored[i].second;
    msg += "?";
  } else {
    msg += " (see `ceiling rules list`)";
  }
  return MakeError(ErrorCode::kNotFound, std::move(msg));
}

std::vector<ParameterInfo> RuleBook::Parameters() const {
  std::vector<ParameterInfo> out;
  for (std::size_t s = 0; s < c_->param_slots.size(); ++s) {
    const ParamSlot& ps = c_->param_slots[s];
    const RuleVersion& r = c_->rules[ps.rule];
    out.push_back({&r, &r.parameters[ps.index], c_->params[s], ps.overridden});
  }
  return out;
}

RuleStatus RuleBook::StatusOf(const RuleVersion& rule, Date date, View view) const {
  const int i = c_->IntervalOf(date);
  if (i < 0) return BaseStatus(rule, date);
  for (std::size_t r = 0; r < c_->rules.size(); ++r)
    if (&c_->rules[r] == &rule)
      return c_->status[static_cast<std::size_t>(i)][static_cast<std::size_t>(view)][r];
  return BaseStatus(rule, date);
}

const RuleVersion* RuleBook::SupersededBy(const RuleVersion& rule, Date date, View view) const {
  if (StatusOf(rule, date, view) != RuleStatus::kSuperseded) return nullptr;
  const RuleVersion* best = nullptr;
  for (const RuleVersion& r : c_->rules) {
    if (std::find(r.supersedes.begin(), r.supersedes.end(), rule.id) == r.supersedes.end()) continue;
    if (r.effective <= date && (best == nullptr || best->effective < r.effective)) best = &r;
  }
  return best;
}

std::vector<Error> RuleBook::CheckAgainstCatalog(const catalog::Catalog& catalog) const {
  std::vector<Error> out;
  for (const RuleVersion& r : c_->rules)
    for (const Clause& cl : r.clauses)
      for (const std::string& p : cl.products)
        if (catalog.Find(p) == nullptr) {
          std::string msg = fmt::format("{}.products: \"{}\" is not a catalog chip id", cl.key_path, p);
          auto near = catalog.Suggest(p, 1);
          if (!near.empty()) msg += fmt::format(" (did you mean \"{}\"?)", near[0]);
          out.push_back(MakeError(ErrorCode::kInconsistent, std::move(msg), cl.location));
        }
  for (const ImportMeasure& m : c_->imports.measures())
    for (const std::string& p : m.products)
      if (catalog.Find(p) == nullptr) {
        std::string msg = fmt::format("products: \"{}\" is not a catalog chip id", p);
        auto near = catalog.Suggest(p, 1);
        if (!near.empty()) msg += fmt::format(" (did you mean \"{}\"?)", near[0]);
        out.push_back(MakeError(ErrorCode::kInconsistent, std::move(msg), m.location));
      }
  return out;
}

std::vector<std::string> RuleBook::EventsOn(Date date) const {
  std::vector<std::string> out;
  for (const RuleVersion& r : c_->rules) {
    if (r.effective == date)
      out.push_back(fmt::format("{} takes effect ({}, {})", r.id, r.short_title, r.citation));
    if (r.compliance && *r.compliance == date)
      out.push_back(fmt::format("{}: compliance required from today", r.id));
    for (const Enforcement& e : r.enforcement)
      if (e.from == date)
        out.push_back(fmt::format("{}: {} from today{}", r.id,
                                  e.status == EnforcementStatus::kNotEnforced ? "not enforced"
                                                                              : "enforced",
                                  e.note.empty() ? "" : " (" + e.note + ")"));
    for (const Clause& c : r.clauses)
      if (c.effective && *c.effective == date && !(r.effective == date))
        out.push_back(fmt::format("{} takes effect: {}", c.full_id, c.title));
  }
  const CountryDb& db = c_->countries;
  for (const CountryGroup& g : db.groups())
    for (const Membership& m : g.changes) {
      const Country& c = db.country(m.country);
      auto undated = [](const std::optional<Date>& after) {
        return fmt::format(
            " (from the first cited snapshot that shows it; the date of the change "
            "was not found{})",
            after ? ", it came after " + after->ToString() : std::string());
      };
      if (m.added && *m.added == date)
        out.push_back(fmt::format("{} ({}) joins {}{}", c.code, c.name, g.id,
                                  m.added_undated ? undated(m.added_after) : ""));
      if (m.removed && *m.removed == date)
        out.push_back(fmt::format("{} ({}) leaves {}{}", c.code, c.name, g.id,
                                  m.removed_undated ? undated(m.removed_after) : ""));
      // An undated change: from the last evidence of the old state, membership is assumed.
      auto window = [&](const std::optional<Date>& after, const std::optional<Date>& bound,
                        const char* verb) {
        if (after && *after == date && bound)
          out.push_back(fmt::format(
              "{} ({}) {} {} on a date not found, after today: its membership is assumed "
              "unchanged until {} (the first cited snapshot that shows the change)",
              c.code, c.name, verb, g.id, bound->ToString()));
      };
      window(m.added_after, m.added, "joined");
      window(m.removed_after, m.removed, "left");
    }
  for (const Treatment& t : db.treatments())
    if (t.from == date)
      out.push_back(fmt::format("{} treated as {} from today", db.country(t.country).code,
                                db.country(t.as).code));
  // The end-user layer: Entity List notices and the Affiliates rule's periods.
  for (const EntityNotice& n : c_->entities.notices()) {
    if (n.effective == date) {
      std::vector<std::string> names;
      for (const ListedParty& p : n.entries)
        if (names.size() < 3) names.push_back("\"" + p.name + "\"");
      if (n.entries.size() > names.size())
        names.push_back(fmt::format("{} more", n.entries.size() - names.size()));
      std::string listed;
      for (std::size_t i = 0; i < names.size(); ++i)
        listed += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
      out.push_back(fmt::format("Entity List notice {} takes effect ({}): lists {}", n.id,
                                n.citation, listed));
    }
    for (const ListedParty& p : n.entries)
      if (p.removed && *p.removed == date)
        out.push_back(fmt::format("\"{}\" leaves the Entity List ({})", p.name, n.id));
  }
  if (const auto& a = c_->entities.affiliates())
    for (const AffiliatesPeriod& p : a->periods)
      if (p.from == date) {
        std::string status(AffiliatesStatusName(p.status));
        std::replace(status.begin(), status.end(), '-', ' ');
        out.push_back(fmt::format("Affiliates rule {}: {} from today{}", a->id, status,
                                  p.note.empty() ? "" : " (" + p.note + ")"));
      }
  return out;
}

Result<RuleBook> RuleBook::Compile(CountryDb countries, std::vector<RuleVersion> rules,
                                   EntityDb entities, ImportDb imports,
                                   std::vector<std::pair<std::string, std::string>> overrides) {
  auto c = std::make_shared<Compiled>();
  c->countries = std::move(countries);
  c->entities = std::move(entities);
  c->imports = std::move(imports);
  c->overrides = std::move(overrides);
  std::stable_sort(rules.begin(), rules.end(), [](const RuleVersion& a, const RuleVersion& b) {
    return a.effective != b.effective ? a.effective < b.effective : a.id < b.id;
  });
  c->rules = std::move(rules);
  const auto& R = c->rules;
  if (R.empty()) return MakeError(ErrorCode::kNotFound, "no rule versions to load");
  if (R.size() > 1000) return MakeError(ErrorCode::kInvalidArgument, "too many rule versions");
  c->first_rule_date = R.front().effective;

  // Ids, supersedes --------------------------------------------------------------------------
  std::map<std::string, std::size_t> rule_index;
  std::map<std::string, std::pair<std::size_t, std::size_t>> clause_index;
  for (std::size_t r = 0; r < R.size(); ++r) {
    if (!rule_index.emplace(R[r].id, r).second)
      return ErrorAtRule(R[r], R[r].location, fmt::format("rule id \"{}\" is defined twice", R[r].id));
    for (std::size_t k = 0; k < R[r].clauses.size(); ++k)
      clause_index.emplace(R[r].clauses[k].full_id, std::make_pair(r, k));
  }
  auto check_ref = [&](const RuleVersion& r, const std::string& ref, const SourceLocation& loc,
                       const std::string& prefix) -> Status {
    if (rule_index.count(ref) != 0 || clause_index.count(ref) != 0) return OkStatus();
    return ErrorAtRule(r, loc, fmt::format("{}supersedes: unknown rule or clause \"{}\" (write a "
                                           "rule id or RULE/CLAUSE)", prefix, ref));
  };
  for (const RuleVersion& r : R) {
    for (const std::string& s : r.supersedes)
      RETURN_IF_ERROR(check_ref(r, s, r.supersedes_location, ""));
    for (const Clause& cl : r.clauses)
      for (const std::string& s : cl.supersedes)
        RETURN_IF_ERROR(check_ref(r, s, cl.supersedes_location, cl.key_path + "."));
  }
  RETURN_IF_ERROR(CheckSupersedesCycles(R, rule_index, clause_index));

  // Parameters and overrides -------------------------------------------------------------------
  for (std::size_t r = 0; r < R.size(); ++r)
    for (std::size_t p = 0; p < R[r].parameters.size(); ++p) {
      c->param_slots.push_back({static_cast<std::uint16_t>(r), static_cast<std::uint16_t>(p), false});
      c->params.push_back(R[r].parameters[p].value);
    }
  for (const auto& [name, value] : c->overrides) {
    const auto dot = name.find('.');
    const std::string rule_part = dot == std::string::npos ? "" : name.substr(0, dot);
    const std::string param_part = dot == std::string::npos ? name : name.substr(dot + 1);
    if (!rule_part.empty() && rule_index.count(rule_part) == 0)
      return FieldError("set", fmt::format("{}: unknown rule \"{}\"", name, rule_part));
    auto parsed = ParseParameterValue(value);
    if (!parsed.ok())
      return FieldError("set", fmt::format("{}={}: {}", name, value, parsed.error().message));
    int hits = 0;
    for (std::size_t s = 0; s < c->param_slots.size(); ++s) {
      const RuleVersion& r = R[c->param_slots[s].rule];
      const Parameter& p = r.parameters[c->param_slots[s].index];
      if (p.name != param_part || (!rule_part.empty() && r.id != rule_part)) continue;
      if (!(p.dim == parsed->dim)) {
        if (p.dim == DimVector{})
          return FieldError("set", fmt::format("{}={}: {} is a plain number, got {}", name,
                                               value, p.name, DimensionName(parsed->dim)));
        return FieldError("set", fmt::format("{}={}: {} is a {}; write the value with a unit, as "
                                             "in \"{}\"", name, value, p.name,
                                             DimensionName(p.dim), p.text));
      }
      c->params[s] = parsed->value;
      c->param_slots[s].overridden = true;
      ++hits;
    }
    if (hits == 0) {
      std::set<std::string> names;
      for (const ParamSlot& ps : c->param_slots) names.insert(R[ps.rule].parameters[ps.index].name);
      std::string best;
      int best_d = 4;
      for (const std::string& n : names) {
        const int d = EditDistance(param_part, n);
        if (d < best_d) best_d = d, best = n;
      }
      return FieldError("set", best.empty()
                                   ? fmt::format("{}: unknown parameter (see the parameters of "
                                                 "each rule version in `rules show`)", name)
                                   : fmt::format("{}: unknown parameter; did you mean \"{}\"?",
                                                 name, best));
    }
  }

  // Clauses and paragraphs -------------------------------------------------------------------
  for (std::size_t r = 0; r < R.size(); ++r)
    for (const Clause& cl : R[r].clauses) {
      CompiledClause cc;
      cc.rule = &R[r];
      cc.clause = &cl;
      cc.rule_index = static_cast<std::uint16_t>(r);
      cc.effective = cl.effective ? std::max(*cl.effective, R[r].effective) : R[r].effective;
      if (cl.kind == ClauseKind::kControl) {
        auto it = std::find(c->paragraphs.begin(), c->paragraphs.end(), cl.paragraph);
        if (it == c->paragraphs.end()) {
          c->paragraphs.push_back(cl.paragraph);
          it = c->paragraphs.end() - 1;
        }
        cc.paragraph_slot = static_cast<std::uint16_t>(it - c->paragraphs.begin());
      }
      c->clauses.push_back(std::move(cc));
    }
  if (c->clauses.size() > 0xfff0) return MakeError(ErrorCode::kInvalidArgument, "too many clauses");

  for (std::size_t i = 0; i < c->clauses.size(); ++i) {
    CompiledClause& cc = c->clauses[i];
    const Clause& cl = *cc.clause;
    const RuleVersion& rule = *cc.rule;
    // Paragraphs visible to meets(): for control clauses only those defined by earlier controls.
    std::vector<std::string> visible;
    for (std::size_t j = 0; j < c->clauses.size(); ++j) {
      const Clause& other = *c->clauses[j].clause;
      if (other.kind != ClauseKind::kControl) continue;
      if (cl.kind == ClauseKind::kControl && j >= i) continue;
      visible.push_back(other.paragraph);
    }
    CompileEnv env;
    env.param = [&](std::string_view name) -> std::optional<ParamRef> {
      for (std::size_t s = 0; s < c->param_slots.size(); ++s) {
        const ParamSlot& ps = c->param_slots[s];
        if (&R[ps.rule] != &rule) continue;
        const Parameter& p = rule.parameters[ps.index];
        if (p.name == name) return ParamRef{static_cast<std::uint16_t>(s), p.dim};
      }
      return std::nullopt;
    };
    for (const Parameter& p : rule.parameters) env.param_names.push_back(p.name);
    if (cl.kind != ClauseKind::kExclusion) {
      env.paragraphs = [&](std::string_view prefix) {
        std::vector<std::uint16_t> slots;
        for (std::size_t s = 0; s < c->paragraphs.size(); ++s)
          if (PrefixMatches(prefix, c->paragraphs[s]) &&
              std::find(visible.begin(), visible.end(), c->paragraphs[s]) != visible.end())
            slots.push_back(static_cast<std::uint16_t>(s));
        return slots;
      };
    }
    if (cl.condition) {
      auto compiled = Condition::Compile(cl.condition->text, env);
      if (!compiled.ok()) return LocateInText(compiled.error(), *cl.condition);
      cc.condition = std::move(compiled).value();
    } else {
      cc.condition = Condition::True();
    }
    if (cl.kind == ClauseKind::kExclusion) {
      for (const std::string& prefix : cl.excludes) {
        bool any = false;
        for (std::size_t j = 0; j < c->clauses.size(); ++j) {
          CompiledClause& target = c->clauses[j];
          if (target.clause->kind != ClauseKind::kControl) continue;
          if (!PrefixMatches(prefix, target.clause->paragraph)) continue;
          any = true;
          target.excluded_by.push_back(static_cast<std::uint16_t>(i));
        }
        if (!any)
          return ErrorAtRule(rule, cl.excludes_location,
                             fmt::format("{}.excludes: no control clause defines paragraph \"{}\"",
                                         cl.key_path, prefix));
      }
    }
  }

  // Intervals --------------------------------------------------------------------------------
  std::vector<Date> dates = c->countries.ChangeDates();
  for (Date d : c->entities.ChangeDates()) dates.push_back(d);
  for (const RuleVersion& r : R) {
    dates.push_back(r.effective);
    if (r.compliance) dates.push_back(*r.compliance);
    for (const Enforcement& e : r.enforcement) dates.push_back(e.from);
  }
  for (const CompiledClause& cc : c->clauses) dates.push_back(cc.effective);
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  c->dates = dates;

  const std::size_t n_int = dates.size();
  // base[i][r]: status ignoring supersession; taken[v][i][r]: applied on some date <= dates[i].
  std::vector<std::vector<RuleStatus>> base(n_int, std::vector<RuleStatus>(R.size()));
  std::array<std::vector<std::vector<bool>>, 2> taken;
  for (auto& t : taken) t.assign(n_int, std::vector<bool>(R.size(), false));
  for (std::size_t i = 0; i < n_int; ++i)
    for (std::size_t r = 0; r < R.size(); ++r) {
      base[i][r] = BaseStatus(R[r], dates[i]);
      for (View v : {View::kEnforced, View::kText}) {
        const auto vi = static_cast<std::size_t>(v);
        taken[vi][i][r] = Applies(base[i][r], v) || (i > 0 && taken[vi][i - 1][r]);
      }
    }

  c->plans.resize(n_int);
  c->status.resize(n_int);
  c->dest.resize(n_int);
  c->hq.resize(n_int);
  for (std::size_t i = 0; i < n_int; ++i) {
    const Date d = dates[i];
    for (View v : {View::kEnforced, View::kText}) {
      const auto vi = static_cast<std::size_t>(v);
      std::vector<RuleStatus>& st = c->status[i][vi];
      st = base[i];
      for (std::size_t r = 0; r < R.size(); ++r) {
        if (st[r] == RuleStatus::kNotYetEffective) continue;
        for (std::size_t o = 0; o < R.size(); ++o)
          if (o != r && taken[vi][i][o] &&
              std::find(R[o].supersedes.begin(), R[o].supersedes.end(), R[r].id) !=
                  R[o].supersedes.end())
            st[r] = RuleStatus::kSuperseded;
      }
      Plan& plan = c->plans[i][vi];
      for (std::size_t r = 0; r < R.size(); ++r)
        if (st[r] != RuleStatus::kNotYetEffective && st[r] != RuleStatus::kSuperseded)
          plan.rules.push_back({static_cast<std::uint16_t>(r), st[r]});
      std::vector<std::uint16_t> reviews;
      for (std::size_t k = 0; k < c->clauses.size(); ++k) {
        const CompiledClause& cc = c->clauses[k];
        if (!Applies(st[cc.rule_index], v) || d < cc.effective) continue;
        // Superseded clause: named by a clause (or rule) that has taken effect.
        bool superseded = false;
        for (const CompiledClause& other : c->clauses) {
          if (!taken[vi][i][other.rule_index] || d < other.effective) continue;
          const auto& s = other.clause->supersedes;
          if (std::find(s.begin(), s.end(), cc.clause->full_id) != s.end()) superseded = true;
        }
        for (std::size_t o = 0; o < R.size(); ++o)
          if (taken[vi][i][o] && std::find(R[o].supersedes.begin(), R[o].supersedes.end(),
                                           cc.clause->full_id) != R[o].supersedes.end())
            superseded = true;
        if (superseded) continue;
        const auto idx = static_cast<std::uint16_t>(k);
        switch (cc.clause->kind) {
          case ClauseKind::kControl: plan.controls.push_back(idx); break;
          case ClauseKind::kExclusion: plan.exclusions.push_back(idx); break;
          case ClauseKind::kLicense: plan.licenses.push_back(idx); break;
          case ClauseKind::kException: plan.exceptions.push_back(idx); break;
          case ClauseKind::kReview: reviews.push_back(idx); break;
          case ClauseKind::kMeasure:
            plan.measures.push_back(idx);
            if (cc.clause->policy != ReviewPolicy::kNone) reviews.push_back(idx);
            break;
        }
      }
      // Review precedence: the most recently effective clause first; ties by file order, later
      // first (a later rule or clause refines an earlier one).
      std::stable_sort(reviews.begin(), reviews.end(), [&](std::uint16_t a, std::uint16_t b) {
        const CompiledClause& x = c->clauses[a];
        const CompiledClause& y = c->clauses[b];
        if (x.effective != y.effective) return y.effective < x.effective;
        return b < a;
      });
      plan.reviews = std::move(reviews);
      RETURN_IF_ERROR(CheckParagraphOrder(*c, plan, d));
      // Groups the applied clauses name, countries whose membership of one is assumed on d,
      // and the currency of the rules in the plan.
      for (const auto& lists : {&plan.controls, &plan.exclusions, &plan.licenses, &plan.exceptions,
                                &plan.reviews, &plan.measures})
        for (std::uint16_t k : *lists) {
          const Clause& cl = *c->clauses[k].clause;
          for (const auto* set : {&cl.destinations, &cl.headquarters})
            if (*set)
              for (std::size_t g : c->countries.GroupsIn(**set))
                if (std::find(plan.groups_used.begin(), plan.groups_used.end(), g) ==
                    plan.groups_used.end())
                  plan.groups_used.push_back(g);
        }
      for (std::size_t g : plan.groups_used)
        for (const Membership& m : c->countries.groups()[g].changes)
          if (m.Uncertain(d)) plan.uncertain.set(static_cast<std::size_t>(m.country));
      plan.checked = Date{9999, 12, 31};
      for (const auto& [r, status] : plan.rules)
        plan.checked = std::min(plan.checked, R[r].LastChecked());
    }
    c->dest[i].resize(c->clauses.size());
    c->hq[i].resize(c->clauses.size());
    for (std::size_t k = 0; k < c->clauses.size(); ++k) {
      const Clause& cl = *c->clauses[k].clause;
      if (cl.destinations) c->dest[i][k] = c->countries.Evaluate(*cl.destinations, d);
      if (cl.headquarters) c->hq[i][k] = c->countries.Evaluate(*cl.headquarters, d);
    }
  }
  return RuleBook(std::move(c));
}

}  // namespace ceiling::rules
