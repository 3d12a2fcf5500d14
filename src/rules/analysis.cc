#include "ceiling/rules/analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "compiled.h"

namespace ceiling::rules {
namespace {

std::vector<std::string> Paragraphs(const std::vector<const Clause*>& clauses) {
  std::vector<std::string> out;
  for (const Clause* c : clauses) out.push_back(c->paragraph);
  return out;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i == 0 ? "" : std::string(sep)) + v[i];
  return out;
}

std::string LicenseWord(Tri t) {
  return t == Tri::kTrue ? "yes" : t == Tri::kFalse ? "no" : "cannot decide";
}

// Events of `date` that concern the rules in either outcome or the query's countries.
std::vector<std::string> RelevantEvents(const RuleBook& book, Date date, const Query& q,
                                        const Classification& before,
                                        const Classification& after) {
  std::vector<std::string> all = book.EventsOn(date);
  std::set<std::string> ids;
  for (const Classification* c : {&before, &after})
    for (const RuleState& r : c->rules) ids.insert(r.rule->id);
  const CountryDb& db = book.countries();
  const std::string dest = db.country(q.destination).code;
  const std::string hq = db.country(q.headquarters).code;
  std::vector<std::string> out;
  for (const std::string& e : all) {
    const std::string first = e.substr(0, e.find_first_of(" /:"));
    if (ids.count(first) != 0 || first == dest || first == hq) out.push_back(e);
  }
  // The Entity List notice or the Affiliates rule behind an end-user change.
  for (const Classification* c : {&after, &before}) {
    if (!c->end_user.given) continue;
    const ListedParty* p = c->end_user.basis;
    if (p != nullptr && p->notice != nullptr && p->notice->effective == date)
      out.push_back(fmt::format("Entity List notice {} takes effect ({}): lists \"{}\"",
                                p->notice->id, p->notice->citation, p->name));
    const AffiliatesRule* a = c->end_user.affiliates_rule;
    if (a != nullptr)
      for (const AffiliatesPeriod& period : a->periods)
        if (period.from == date && c == &after)
          out.push_back(fmt::format("Affiliates rule {}: {} from today{}", a->id,
                                    AffiliatesStatusName(period.status),
                                    period.note.empty() ? "" : " (" + period.note + ")"));
  }
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::vector<std::string> DescribeChange(const Classification& before, const Classification& after) {
  std::vector<std::string> out;
  if (before.before_first_rule && !after.before_first_rule) out.push_back("first rule in force");
  const auto pb = Paragraphs(before.controls);
  const auto pa = Paragraphs(after.controls);
  for (const std::string& p : pa)
    if (std::find(pb.begin(), pb.end(), p) == pb.end()) out.push_back("+" + p);
  for (const std::string& p : pb)
    if (std::find(pa.begin(), pa.end(), p) == pa.end()) out.push_back("-" + p);
  // A list in words: "3A090.a, 4A090.a", or "none" (it was "[3A090.a 4A090.a]" and "[]").
  auto listed = [](const std::vector<std::string>& v) {
    return v.empty() ? std::string("none") : Join(v, ", ");
  };
  if (Paragraphs(before.controls_undecided) != Paragraphs(after.controls_undecided))
    out.push_back(fmt::format("undecided paragraphs: {} -> {}",
                              listed(Paragraphs(before.controls_undecided)),
                              listed(Paragraphs(after.controls_undecided))));
  if (before.license_required.tri != after.license_required.tri)
    out.push_back(fmt::format("license required: {} -> {}", LicenseWord(before.license_required.tri),
                              LicenseWord(after.license_required.tri)));
  auto exc = [](const Classification& c) {
    std::vector<std::string> v;
    for (const ExceptionHit& e : c.exceptions)
      v.push_back(e.clause->exception + (e.eligible.tri == Tri::kUnknown ? "?" : ""));
    return v;
  };
  if (exc(before) != exc(after))
    out.push_back(fmt::format("exceptions: {} -> {}", listed(exc(before)), listed(exc(after))));
  if (before.review_policy != after.review_policy ||
      before.review_decided.tri != after.review_decided.tri)
    out.push_back(fmt::format("review: {}{} -> {}{}", ReviewPolicyTitle(before.review_policy),
                              before.review_decided.tri == Tri::kUnknown ? " (undecided)" : "",
                              ReviewPolicyTitle(after.review_policy),
                              after.review_decided.tri == Tri::kUnknown ? " (undecided)" : ""));
  // By id: the two sides may come from different rule books (what-if), whose clauses are
  // different objects.
  auto has = [](const std::vector<const Clause*>& list, const Clause* m) {
    return std::any_of(list.begin(), list.end(),
                       [m](const Clause* x) { return x->full_id == m->full_id; });
  };
  for (const Clause* m : after.measures)
    if (!has(before.measures, m)) out.push_back("+measure " + m->full_id);
  for (const Clause* m : before.measures)
    if (!has(after.measures, m)) out.push_back("-measure " + m->full_id);
  auto end_user = [](const Classification& c) {
    if (!c.end_user.given || !c.end_user.license) return std::string("none");
    return fmt::format("{} ({}{})", c.end_user.reason,
                       c.end_user.basis != nullptr ? c.end_user.basis->name : "",
                       c.end_user.basis != nullptr ? ", " + c.end_user.basis->citation : "");
  };
  if (end_user(before) != end_user(after))
    out.push_back(fmt::format("end-user license: {} -> {}", end_user(before), end_user(after)));
  return out;
}

std::vector<TimelineEntry> Timeline(const RuleBook& book, const ChipFacts& facts, Query query) {
  query.trace = false;
  query.import_side = false;  // a separate layer: ImportTimeline
  std::vector<TimelineEntry> out;
  const Date start = book.first_rule_date().AddDays(-1);
  query.date = start;
  TimelineEntry first;
  first.from = start;
  first.result = Classify(book, facts, query);
  out.push_back(std::move(first));
  for (Date d : book.change_dates()) {
    if (d <= start) continue;
    query.date = d;
    Classification c = Classify(book, facts, query);
    const Classification& prev = out.back().result;
    if (SameOutcome(c, prev)) continue;
    TimelineEntry e;
    e.from = d;
    e.changes = DescribeChange(prev, c);
    e.events = RelevantEvents(book, d, query, prev, c);
    e.result = std::move(c);
    out.push_back(std::move(e));
  }
  return out;
}

MatrixColumn ColumnFor(const RuleBook& book, const RuleVersion& rule) {
  MatrixColumn col;
  col.rule = &rule;
  // The date by which every part of the rule has taken effect.
  col.date = rule.compliance ? *rule.compliance : rule.effective;
  for (const Clause& c : rule.clauses)
    if (c.effective && col.date < *c.effective) col.date = *c.effective;
  col.view = View::kEnforced;
  if (!Applies(book.StatusOf(rule, col.date, View::kEnforced), View::kEnforced)) {
    col.view = View::kText;
    col.date = rule.effective;
  }
  return col;
}

Matrix MigrationMatrix(const RuleBook& book, const std::vector<ChipEntry>& chips, Query query) {
  query.trace = false;
  query.import_side = false;  // a separate layer: ImportTimeline
  Matrix m;
  for (const RuleVersion& r : book.rules()) m.columns.push_back(ColumnFor(book, r));
  m.cells.resize(chips.size());
  for (std::size_t i = 0; i < chips.size(); ++i)
    for (const MatrixColumn& col : m.columns) {
      query.date = col.date;
      query.view = col.view;
      m.cells[i].push_back(Classify(book, chips[i].facts, query));
    }
  return m;
}

namespace {

// Appends chip `chip`'s change from `before` to `after`, if its outcome changed.
void AddIfChanged(std::vector<ChipChange>& out, std::size_t chip, Classification before,
                  Classification after) {
  if (SameOutcome(before, after)) return;
  ChipChange c;
  c.chip = chip;
  c.changes = DescribeChange(before, after);
  c.before = std::move(before);
  c.after = std::move(after);
  out.push_back(std::move(c));
}

}  // namespace

std::vector<ChipChange> CompareBooks(const RuleBook& a, const RuleBook& b,
                                     const std::vector<ChipEntry>& chips, const Query& query) {
  Query q = query;
  q.trace = false;
  q.import_side = false;
  std::vector<ChipChange> out;
  for (std::size_t i = 0; i < chips.size(); ++i)
    AddIfChanged(out, i, Classify(a, chips[i].facts, q), Classify(b, chips[i].facts, q));
  return out;
}

std::vector<ChipChange> CompareRules(const RuleBook& book, const RuleVersion& a,
                                     const RuleVersion& b, const std::vector<ChipEntry>& chips,
                                     Query query) {
  query.trace = false;
  query.import_side = false;  // a separate layer: ImportTimeline
  const MatrixColumn ca = ColumnFor(book, a);
  const MatrixColumn cb = ColumnFor(book, b);
  std::vector<ChipChange> out;
  for (std::size_t i = 0; i < chips.size(); ++i) {
    query.date = ca.date;
    query.view = ca.view;
    Classification x = Classify(book, chips[i].facts, query);
    query.date = cb.date;
    query.view = cb.view;
    AddIfChanged(out, i, std::move(x), Classify(book, chips[i].facts, query));
  }
  return out;
}

std::vector<HeadroomRow> Headroom(const RuleBook& book, const ChipFacts& facts, const Query& query) {
  const RuleBook::Compiled& c = book.compiled();
  std::vector<HeadroomRow> out;
  const int interval = c.IntervalOf(query.date);
  if (interval < 0) return out;
  const Plan& plan = c.plans[static_cast<std::size_t>(interval)][static_cast<std::size_t>(query.view)];
  std::vector<std::uint16_t> order;
  for (const auto* list : {&plan.exclusions, &plan.controls, &plan.reviews, &plan.measures})
    order.insert(order.end(), list->begin(), list->end());
  std::sort(order.begin(), order.end());
  order.erase(std::unique(order.begin(), order.end()), order.end());
  // A comparison with an unknown metric is shown only where it keeps a clause undecided.
  Query traced = query;
  traced.trace = true;
  const Classification result = Classify(book, facts, traced);
  auto undecided = [&](const Clause* cl) {
    return std::any_of(result.trace.begin(), result.trace.end(), [&](const TraceStep& s) {
      return s.clause == cl && s.condition_value.tri == Tri::kUnknown;
    });
  };
  for (std::uint16_t k : order) {
    const CompiledClause& cc = c.clauses[k];
    for (const Atom& a : cc.condition.atoms()) {
      if (a.is_string) continue;
      // Normalise to "metric OP threshold".
      std::optional<Var> var = a.lhs_var;
      CmpOp op = a.op;
      std::optional<std::uint16_t> param = a.rhs_param;
      std::optional<double> constant = a.rhs_const;
      std::string name = a.rhs_text;
      if (!var && a.rhs_var && (a.lhs_param || a.lhs_const)) {
        var = a.rhs_var;
        param = a.lhs_param;
        constant = a.lhs_const;
        name = a.lhs_text;
        switch (a.op) {
          case CmpOp::kLt: op = CmpOp::kGt; break;
          case CmpOp::kLe: op = CmpOp::kGe; break;
          case CmpOp::kGt: op = CmpOp::kLt; break;
          case CmpOp::kGe: op = CmpOp::kLe; break;
          default: break;
        }
      }
      if (!var || !IsNumeric(*var) || (!param && !constant)) continue;
      if (!facts.Known(*var) && !undecided(cc.clause)) continue;
      HeadroomRow row;
      row.rule = cc.rule;
      row.clause = cc.clause;
      row.metric = *var;
      row.op = op;
      row.threshold_name = name;
      row.threshold = param ? c.params[*param] : *constant;
      if (facts.Known(*var)) {
        const double v = facts.number(*var);
        row.value = v;
        if (row.threshold != 0) row.ratio = v / row.threshold;
        bool holds = false;
        switch (op) {
          case CmpOp::kLt: holds = v < row.threshold; break;
          case CmpOp::kLe: holds = v <= row.threshold; break;
          case CmpOp::kGt: holds = v > row.threshold; break;
          case CmpOp::kGe: holds = v >= row.threshold; break;
          case CmpOp::kEq: holds = v == row.threshold; break;
          case CmpOp::kNe: holds = v != row.threshold; break;
        }
        row.holds = TriOf(holds);
      }
      const bool dup = std::any_of(out.begin(), out.end(), [&](const HeadroomRow& r) {
        return r.clause == row.clause && r.metric == row.metric && r.op == row.op &&
               r.threshold == row.threshold;
      });
      if (!dup) out.push_back(std::move(row));
    }
  }
  return out;
}

std::string_view RegionClassLabel(RegionClass c) {
  switch (c) {
    case RegionClass::kA:
      return "3A090.a";
    case RegionClass::kB:
      return "3A090.b";
    case RegionClass::kC:
      return "3A090.c";
    case RegionClass::kConditional:
      return "3A090 if other metrics qualify";
    case RegionClass::kOther:
      return "other paragraphs";
  }
  return "";
}

namespace {

RegionClass ClassOf(const MapRegion& r) {
  if (r.depends_on_other_metrics) return RegionClass::kConditional;
  auto has = [&](std::string_view prefix) {
    return std::any_of(r.paragraphs.begin(), r.paragraphs.end(),
                       [&](const std::string& p) { return p.rfind(prefix, 0) == 0; });
  };
  if (has("3A090.a")) return RegionClass::kA;
  if (has("3A090.b")) return RegionClass::kB;
  if (has("3A090.c")) return RegionClass::kC;
  return RegionClass::kOther;
}

}  // namespace

MapData BuildMap(const RuleBook& book, const std::vector<ChipEntry>& chips, const Query& query) {
  const RuleBook::Compiled& c = book.compiled();
  MapData map;
  map.query = query;
  map.query.trace = false;
  map.query.import_side = false;
  const int interval = c.IntervalOf(query.date);
  std::vector<double> xs{0}, ys{0};
  if (interval >= 0) {
    const Plan& plan =
        c.plans[static_cast<std::size_t>(interval)][static_cast<std::size_t>(query.view)];
    std::vector<std::uint16_t> order = plan.controls;
    order.insert(order.end(), plan.exclusions.begin(), plan.exclusions.end());
    order.insert(order.end(), plan.reviews.begin(), plan.reviews.end());
    for (std::uint16_t k : order) {
      const CompiledClause& cc = c.clauses[k];
      const bool control = cc.clause->kind == ClauseKind::kControl;
      MapExclusion exclusion{cc.clause, std::nullopt};
      for (const Atom& a : cc.condition.atoms()) {
        for (int side = 0; side < 2; ++side) {
          const std::optional<Var>& var = side == 0 ? a.lhs_var : a.rhs_var;
          const std::optional<std::uint16_t>& param = side == 0 ? a.rhs_param : a.lhs_param;
          const std::optional<double>& constant = side == 0 ? a.rhs_const : a.lhs_const;
          const std::string& name = side == 0 ? a.rhs_text : a.lhs_text;
          if (!var || (*var != Var::kTpp && *var != Var::kPd) || (!param && !constant)) continue;
          const double v = param ? c.params[*param] : *constant;
          if (control) (*var == Var::kTpp ? xs : ys).push_back(v);
          if (cc.clause->kind == ClauseKind::kExclusion && *var == Var::kTpp) exclusion.tpp_below = v;
          const std::string label =
              param ? fmt::format("{} {} ({})", name, FormatNumber(v, 4), cc.rule->id)
                    : fmt::format("{} ({})", FormatNumber(v, 4), cc.rule->id);
          const bool dup = std::any_of(map.thresholds.begin(), map.thresholds.end(),
                                       [&](const MapThreshold& t) {
                                         return t.axis == *var && t.value == v;
                                       });
          if (!dup && v > 0) map.thresholds.push_back({*var, v, label});
        }
      }
      if (cc.clause->kind == ClauseKind::kExclusion) map.exclusions.push_back(exclusion);
    }
  }
  for (auto* v : {&xs, &ys}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
    v->push_back(std::numeric_limits<double>::infinity());
  }
  // Evaluate each grid cell at an interior point, for a datacenter processor.
  Query q = map.query;
  auto mid = [](double lo, double hi) {
    if (std::isinf(hi)) return lo > 0 ? lo * 2 : 1.0;
    if (lo <= 0) return hi / 2;
    return std::sqrt(lo * hi);
  };
  for (std::size_t i = 0; i + 1 < xs.size(); ++i)
    for (std::size_t j = 0; j + 1 < ys.size(); ++j) {
      ChipFacts f;
      f.Set(Var::kTpp, mid(xs[i], xs[i + 1]));
      f.Set(Var::kPd, mid(ys[j], ys[j + 1]));
      f.SetText(Var::kMarket, "datacenter");
      f.SetText(Var::kItem, "processor");
      const Classification r = Classify(book, f, q);
      MapRegion region{xs[i], xs[i + 1], ys[j], ys[j + 1], {}, false};
      for (const Clause* cl : r.controls) region.paragraphs.push_back(cl->paragraph);
      for (const Clause* cl : r.controls_undecided) {
        region.paragraphs.push_back(cl->paragraph);
        region.depends_on_other_metrics = true;
      }
      region.cls = ClassOf(region);
      if (!region.paragraphs.empty()) map.regions.push_back(std::move(region));
    }
  for (std::size_t i = 0; i < chips.size(); ++i) {
    const ChipFacts& f = chips[i].facts;
    if (!f.Known(Var::kTpp) || !f.Known(Var::kPd) || f.number(Var::kTpp) <= 0 ||
        f.number(Var::kPd) <= 0) {
      map.unplotted.push_back(i);
      map.unplotted_results.push_back(Classify(book, f, q));
      continue;
    }
    map.points.push_back({i, f.number(Var::kTpp), f.number(Var::kPd), Classify(book, f, q)});
  }
  return map;
}

}  // namespace ceiling::rules
