#include "ceiling/rules/classify.h"

#include <fmt/format.h>

#include <algorithm>

#include "compiled.h"
#include "end_user.h"

namespace ceiling::rules {
namespace {

Cell BoolCell(bool b) { return {TriOf(b), 0}; }

struct Evaluator {
  const RuleBook::Compiled& c;
  const ChipFacts& facts;
  const Query& q;
  const Plan& plan;
  const std::vector<CountrySet>& dest;
  const std::vector<CountrySet>& hq;
  Classification& out;

  EvalInput Input() const {
    return {&facts, c.params.data(), out.scratch_paragraph.data()};
  }

  // Evaluates the clause's condition, recording atoms into a new trace step when tracing.
  Cell EvalCondition(std::uint16_t k, TraceStep** step) {
    const CompiledClause& cc = c.clauses[k];
    AtomValue* atoms = nullptr;
    if (q.trace) {
      out.trace.emplace_back();
      TraceStep& s = out.trace.back();
      s.rule = cc.rule;
      s.clause = cc.clause;
      s.condition = &cc.condition;
      s.atoms.resize(cc.condition.atoms().size());
      atoms = s.atoms.data();
      *step = &s;
    }
    const Cell v = cc.condition.Evaluate(Input(), atoms);
    if (*step != nullptr) (*step)->condition_value = v;
    return v;
  }

  // Destination/headquarters membership of a clause with sets.
  bool SetsMatch(std::uint16_t k, TraceStep* step) const {
    const Clause& cl = *c.clauses[k].clause;
    std::optional<bool> d, h;
    if (cl.destinations) d = dest[k].test(static_cast<std::size_t>(q.destination));
    if (cl.headquarters) h = hq[k].test(static_cast<std::size_t>(q.headquarters));
    if (step != nullptr) {
      step->destination_in = d;
      step->headquarters_in = h;
      const CountryDb& db = c.countries;
      auto notes = [&](const SetExpr& set, int country, std::vector<MembershipNote>* out_notes) {
        for (const std::string& name : set.names())
          for (std::size_t g = 0; g < db.groups().size(); ++g)
            if (db.groups()[g].id == name)
              out_notes->push_back({&db.groups()[g], db.MembershipOf(g, country, q.date)});
      };
      if (cl.destinations) notes(*cl.destinations, q.destination, &step->destination_groups);
      if (cl.headquarters) notes(*cl.headquarters, q.headquarters, &step->headquarters_groups);
    }
    if (d && h) return cl.match == Match::kAll ? (*d && *h) : (*d || *h);
    return d.value_or(true) && h.value_or(true);
  }

  bool ProductNamed(std::uint16_t k, TraceStep* step) const {
    const Clause& cl = *c.clauses[k].clause;
    bool named = false;
    if (facts.Known(Var::kId)) {
      const std::string& id = facts.text(Var::kId);
      named = std::find(cl.products.begin(), cl.products.end(), id) != cl.products.end() ||
              std::find(cl.pending_products.begin(), cl.pending_products.end(), id) !=
                  cl.pending_products.end();
    }
    if (step != nullptr) step->product_named = named;
    return named;
  }

  void Run() {
    std::fill(out.scratch_paragraph.begin(), out.scratch_paragraph.end(), Cell{});
    // Exclusions first: they do not depend on paragraphs.
    for (std::uint16_t k : plan.exclusions) {
      TraceStep* step = nullptr;
      const Cell v = EvalCondition(k, &step);
      out.scratch_clause[k] = v;
      if (step != nullptr) step->outcome = v;
    }
    // Controls, in rule order; a paragraph met is visible to later meets().
    Cell controlled{};
    for (std::uint16_t k : plan.controls) {
      TraceStep* step = nullptr;
      const CompiledClause& cc = c.clauses[k];
      Cell v = EvalCondition(k, &step);
      Cell excluded{};
      for (std::uint16_t e : cc.excluded_by) {
        if (std::find(plan.exclusions.begin(), plan.exclusions.end(), e) == plan.exclusions.end())
          continue;
        excluded = Or(excluded, out.scratch_clause[e]);
        if (step != nullptr && out.scratch_clause[e].tri == Tri::kTrue)
          step->excluded_by.push_back(c.clauses[e].clause);
      }
      v = And(v, Not(excluded));
      if (step != nullptr) step->outcome = v;
      Cell& para = out.scratch_paragraph[cc.paragraph_slot];
      para = Or(para, v);
      controlled = Or(controlled, v);
      if (v.tri == Tri::kTrue) out.controls.push_back(cc.clause);
      if (v.tri == Tri::kUnknown) {
        out.controls_undecided.push_back(cc.clause);
        out.controls_unknown |= v.unknown;
      }
    }
    out.controlled = controlled;

    // License requirements: clauses over the paragraphs, then product-specific measures.
    Cell license{};
    for (std::uint16_t k : plan.licenses) {
      TraceStep* step = nullptr;
      const Cell applies = EvalCondition(k, &step);
      const Cell v = And(applies, BoolCell(SetsMatch(k, step)));
      if (step != nullptr) step->outcome = v;
      license = Or(license, v);
      if (v.tri == Tri::kTrue) out.license_basis.push_back(c.clauses[k].clause);
      if (v.tri == Tri::kUnknown) out.license_undecided.push_back(c.clauses[k].clause);
    }
    // A measure that also sets a review policy is a review candidate below: it keeps the outcome
    // found here (scratch_clause), so the trace shows it once.
    for (std::uint16_t k : plan.measures) {
      TraceStep* step = nullptr;
      const Cell applies = EvalCondition(k, &step);
      const bool named = ProductNamed(k, step);
      const bool sets = SetsMatch(k, step);
      const Cell v = And(applies, BoolCell(named && sets));
      if (step != nullptr) step->outcome = v;
      out.scratch_clause[k] = v;
      const Clause* cl = c.clauses[k].clause;
      if (v.tri == Tri::kTrue) out.measures.push_back(cl);
      if (cl->effect != MeasureEffect::kLicenseRequired) continue;
      license = Or(license, v);
      if (v.tri == Tri::kTrue) {
        out.license_basis.push_back(cl);
        out.exceptions_blocked = true;
      }
      if (v.tri == Tri::kUnknown) out.license_undecided.push_back(cl);
    }
    out.license_required = license;

    // Exceptions matter only where a license may be required.
    for (std::uint16_t k : plan.exceptions) {
      TraceStep* step = nullptr;
      const Cell elig = EvalCondition(k, &step);
      const Cell v = And(elig, BoolCell(SetsMatch(k, step)));
      if (step != nullptr) step->outcome = v;
      if (license.tri == Tri::kFalse || out.exceptions_blocked || v.tri == Tri::kFalse) continue;
      // One entry per exception symbol: a later clause for the same symbol only matters when
      // the earlier one left eligibility open.
      const Clause* cl = c.clauses[k].clause;
      auto same = std::find_if(out.exceptions.begin(), out.exceptions.end(),
                               [&](const ExceptionHit& h) { return h.clause->exception == cl->exception; });
      if (same == out.exceptions.end()) {
        out.exceptions.push_back({cl, v});
      } else if (same->eligible.tri == Tri::kUnknown && v.tri == Tri::kTrue) {
        *same = {cl, v};
      }
    }

    // Review policy: the first candidate (highest precedence) that covers the case decides.
    out.review_policy = ReviewPolicy::kNone;
    out.review_decided = {Tri::kTrue, 0};
    if (license.tri != Tri::kFalse) {
      out.review_policy = ReviewPolicy::kNotRecorded;
      bool decided = false;
      for (std::uint16_t k : plan.reviews) {
        const Clause* cl = c.clauses[k].clause;
        Cell v;
        if (cl->kind == ClauseKind::kMeasure &&
            std::find(plan.measures.begin(), plan.measures.end(), k) != plan.measures.end()) {
          v = out.scratch_clause[k];
        } else {
          TraceStep* step = nullptr;
          const Cell applies = EvalCondition(k, &step);
          bool match = SetsMatch(k, step);
          if (cl->kind == ClauseKind::kMeasure) match = match && ProductNamed(k, step);
          v = And(applies, BoolCell(match));
          if (step != nullptr) step->outcome = v;
        }
        if (decided || v.tri == Tri::kFalse) continue;
        decided = true;
        out.review_clause = cl;
        out.review_policy = cl->policy;
        if (v.tri == Tri::kUnknown) out.review_decided = v;
        if (!q.trace) break;
      }
    }
  }
};

}  // namespace

Result<Query> MakeQuery(const RuleBook& book, Date date, std::string_view destination,
                        std::string_view headquarters, View view) {
  Query q;
  q.date = date;
  q.view = view;
  ASSIGN_OR_RETURN(q.destination, book.countries().Resolve(destination));
  if (headquarters.empty()) {
    q.headquarters = q.destination;
  } else {
    ASSIGN_OR_RETURN(q.headquarters, book.countries().Resolve(headquarters));
    q.headquarters_given = true;
  }
  return q;
}

void ClassifyInto(const RuleBook& book, const ChipFacts& facts, const Query& query,
                  Classification* out) {
  const RuleBook::Compiled& c = book.compiled();
  out->query = query;
  out->before_first_rule = query.date < c.first_rule_date;
  out->controls.clear();
  out->controls_undecided.clear();
  out->controls_unknown = 0;
  out->controlled = {};
  out->license_required = {};
  out->license_basis.clear();
  out->license_undecided.clear();
  out->exceptions.clear();
  out->exceptions_blocked = false;
  out->review_policy = ReviewPolicy::kNone;
  out->review_decided = {Tri::kTrue, 0};
  out->review_clause = nullptr;
  out->measures.clear();
  out->rules.clear();
  out->trace.clear();
  out->caveats.clear();
  out->end_user.given = false;
  out->import_side.country = -1;
  out->import_side.measures.clear();
  out->import_side.verdict = ImportVerdict::kNone;
  out->data_checked = Date{9999, 12, 31};
  const int interval = c.IntervalOf(query.date);
  if (interval < 0) {
    FinishClassification(c, facts, query, nullptr, out);
    return;
  }
  const auto i = static_cast<std::size_t>(interval);
  const Plan& plan = c.plans[i][static_cast<std::size_t>(query.view)];
  for (const auto& [r, status] : plan.rules)
    out->rules.push_back({&c.rules[r], status, Applies(status, query.view)});
  if (out->scratch_clause.size() < c.clauses.size()) out->scratch_clause.resize(c.clauses.size());
  if (out->scratch_paragraph.size() < c.paragraphs.size())
    out->scratch_paragraph.resize(c.paragraphs.size());
  Evaluator e{c, facts, query, plan, c.dest[i], c.hq[i], *out};
  e.Run();
  FinishClassification(c, facts, query, &plan, out);
}

Classification Classify(const RuleBook& book, const ChipFacts& facts, const Query& query) {
  Classification out;
  ClassifyInto(book, facts, query, &out);
  return out;
}

std::vector<std::string> UnknownReasons(const ChipFacts& facts, std::uint32_t unknown) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kVarCount; ++i) {
    const Var v = static_cast<Var>(i);
    if ((unknown & Bit(v)) == 0) continue;
    out.push_back(fmt::format("{} unknown because {}", VarTitle(v), facts.missing(v)));
  }
  return out;
}

std::string_view CaveatKindName(CaveatKind k) {
  switch (k) {
    case CaveatKind::kUndatedMembership:
      return "undated-membership";
    case CaveatKind::kAffiliatesRule:
      return "affiliates-rule";
    case CaveatKind::kPossibleMatch:
      return "possible-match";
    case CaveatKind::kOtherList:
      return "other-list";
    case CaveatKind::kAfterDataChecked:
      return "after-data-checked";
    case CaveatKind::kScript:
      return "script";
  }
  return "undated-membership";
}

namespace {

// An end-user license counts as the same when its reason and basis agree (by name and citation:
// the two outcomes may come from two rule books).
bool SameEndUserLicense(const EndUserResult& a, const EndUserResult& b) {
  const bool la = a.given && a.license, lb = b.given && b.license;
  if (la != lb) return false;
  if (!la) return true;
  auto basis = [](const EndUserResult& r) {
    return r.basis != nullptr ? r.basis->name + "|" + r.basis->citation : std::string();
  };
  return a.reason == b.reason && basis(a) == basis(b);
}

}  // namespace

bool SameOutcome(const Classification& a, const Classification& b) {
  // By name, not by pointer: the outcomes may come from two rule books (what-if, diffs).
  auto same_paragraphs = [](const std::vector<const Clause*>& x,
                            const std::vector<const Clause*>& y) {
    return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                      [](const Clause* p, const Clause* q) { return p->paragraph == q->paragraph; });
  };
  auto same_exceptions = [](const std::vector<ExceptionHit>& x, const std::vector<ExceptionHit>& y) {
    return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                      [](const ExceptionHit& p, const ExceptionHit& q) {
                        return p.clause->exception == q.clause->exception &&
                               (p.eligible.tri == Tri::kUnknown) == (q.eligible.tri == Tri::kUnknown);
                      });
  };
  return a.before_first_rule == b.before_first_rule &&
         same_paragraphs(a.controls, b.controls) &&
         same_paragraphs(a.controls_undecided, b.controls_undecided) &&
         a.license_required.tri == b.license_required.tri &&
         same_exceptions(a.exceptions, b.exceptions) && a.review_policy == b.review_policy &&
         (a.review_decided.tri == Tri::kUnknown) == (b.review_decided.tri == Tri::kUnknown) &&
         std::equal(a.measures.begin(), a.measures.end(), b.measures.begin(), b.measures.end(),
                    [](const Clause* p, const Clause* q) { return p->full_id == q->full_id; }) &&
         SameEndUserLicense(a.end_user, b.end_user);
}

std::string StatusKey(const Classification& c) {
  std::string s = c.before_first_rule ? "no-rule " : "";
  for (const Clause* cl : c.controls) s += cl->paragraph + " ";
  for (const Clause* cl : c.controls_undecided) s += cl->paragraph + "? ";
  if (c.controls.empty() && c.controls_undecided.empty()) s += "outside-3A090 ";
  s += fmt::format("| license: {} |", TriName(c.license_required.tri));
  for (const ExceptionHit& e : c.exceptions)
    s += " " + e.clause->exception + (e.eligible.tri == Tri::kUnknown ? "?" : "");
  s += fmt::format(" | {}{}", ReviewPolicyName(c.review_policy),
                   c.review_decided.tri == Tri::kUnknown ? "?" : "");
  if (!c.measures.empty()) {
    s += " | measures:";
    for (const Clause* m : c.measures) s += " " + m->full_id;
  }
  if (c.end_user.given && c.end_user.license)
    s += fmt::format(" | end user: {} {}", c.end_user.reason,
                     c.end_user.basis != nullptr ? c.end_user.basis->citation : "");
  return s;
}

}  // namespace ceiling::rules
