#include "rules_common.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ceiling/base/units.h"

namespace ceiling::report {

using rules::Tri;

std::string TriJson(Tri t) {
  return t == Tri::kTrue ? "yes" : t == Tri::kFalse ? "no" : "cannot-decide";
}

std::string OutcomeWord(const rules::Clause& clause, Tri outcome,
                        const std::vector<const rules::Clause*>& excluded_by) {
  if (outcome == Tri::kUnknown) return "cannot decide";
  const bool yes = outcome == Tri::kTrue;
  switch (clause.kind) {
    case rules::ClauseKind::kControl:
      if (!yes && !excluded_by.empty()) return "not met (excluded by " + excluded_by[0]->full_id + ")";
      return yes ? "met" : "not met";
    case rules::ClauseKind::kExclusion: return yes ? "applies" : "does not apply";
    case rules::ClauseKind::kLicense: return yes ? "requires a license" : "does not apply";
    case rules::ClauseKind::kException: return yes ? "eligible" : "not eligible";
    case rules::ClauseKind::kReview: return yes ? "covers this case" : "does not cover this case";
    case rules::ClauseKind::kMeasure: return yes ? "applies" : "does not apply";
  }
  return yes ? "true" : "false";
}

namespace {

std::string Num(double v, const DimVector& dim, int digits) {
  if (digits <= 3) return rules::FormatCanonical(v, dim);
  std::string n = std::fabs(v) >= 1000 ? FormatFixed(v, std::max(0, digits - 4))
                                       : FormatNumber(v, digits);
  const std::string unit = rules::FormatCanonical(1, dim);
  const auto space = unit.find(' ');
  return space == std::string::npos ? n : n + unit.substr(space);
}

}  // namespace

SideText FormatSides(const rules::Atom& a, const rules::AtomValue& v) {
  SideText s;
  if (a.is_string) return s;
  for (int digits = 3; digits <= 8; ++digits) {
    s.lhs = Num(v.lhs, a.dim, digits);
    s.rhs = Num(v.rhs, a.dim, digits);
    if (!(v.lhs_known && v.rhs_known) || v.lhs == v.rhs || s.lhs != s.rhs) break;
  }
  return s;
}

std::string AtomSides(const rules::Atom& a, const rules::AtomValue& v,
                      const rules::ChipFacts& facts) {
  if (a.is_string) {
    std::string value = "unknown";
    if (a.lhs_var && facts.Known(*a.lhs_var)) value = "\"" + facts.text(*a.lhs_var) + "\"";
    return fmt::format("{} {} {} {}", a.lhs_text, value, rules::CmpOpText(a.op), a.rhs_text);
  }
  const SideText st = FormatSides(a, v);
  auto side = [](const std::string& text, bool is_const, bool known, const std::string& value) {
    if (is_const) return text;
    if (!known) return text + " unknown";
    return text + " " + value;
  };
  return fmt::format("{} {} {}", side(a.lhs_text, a.lhs_const.has_value(), v.lhs_known, st.lhs),
                     rules::CmpOpText(a.op),
                     side(a.rhs_text, a.rhs_const.has_value(), v.rhs_known, st.rhs));
}

std::string AtomLine(const rules::Atom& a, const rules::AtomValue& v, const rules::ChipFacts& facts) {
  return AtomSides(a, v, facts) + ": " + std::string(rules::TriName(v.outcome.tri));
}

std::string RuleStatusText(const rules::RuleVersion& rule, const rules::RuleState& s, Date date) {
  std::string out;
  switch (s.status) {
    case rules::RuleStatus::kInForce: out = "in force"; break;
    case rules::RuleStatus::kComplianceDeferred:
      out = fmt::format("text in force; compliance required from {}",
                        rule.compliance ? rule.compliance->ToString() : "?");
      break;
    case rules::RuleStatus::kNotEnforced: {
      Date since = rule.effective;
      for (const rules::Enforcement& e : rule.enforcement)
        if (e.from <= date && e.status == rules::EnforcementStatus::kNotEnforced) since = e.from;
      out = fmt::format("text in force; not enforced since {}", since.ToString());
      break;
    }
    case rules::RuleStatus::kSuperseded: out = "superseded"; break;
    case rules::RuleStatus::kNotYetEffective: out = "not yet effective"; break;
  }
  if (!s.applied) out += " (not applied in the enforced view; --view text applies it)";
  for (const rules::LegalNote& n : rule.legal)
    if (n.date <= date) out += fmt::format("; {} ({})", n.finding, n.date.ToString());
  return out;
}

std::string ClauseCitation(const rules::Clause& clause, const rules::RuleVersion& rule) {
  std::string out = rule.citation;
  if (clause.basis == rules::TextBasis::kSecondary) out += "; SECONDARY SOURCES ONLY";
  else if (clause.basis == rules::TextBasis::kQuoted) out += "; primary text seen as quoted";
  return out;
}

std::vector<std::string> SourceLines(const rules::RuleVersion& rule,
                                     const std::vector<std::string>& keys) {
  std::vector<std::string> out;
  for (const std::string& k : keys) {
    auto it = rule.source_map.find(k);
    if (it == rule.source_map.end()) continue;
    const Source& s = it->second;
    out.push_back(fmt::format("{}{} ({})", s.title, s.url.empty() ? "" : " <" + s.url + ">",
                              SourceKindName(s.kind)));
  }
  return out;
}

std::string MembershipText(const rules::CountryDb& db, int country, Date date,
                           const rules::MembershipNote& n, bool full) {
  const rules::Country& c = db.country(db.Canonical(country, date));
  std::string out = fmt::format("{} in {}: {}", c.code, n.group->id, n.info.member ? "yes" : "no");
  if (n.info.change == nullptr) {
    if (n.group->definition)
      return out + fmt::format(" (defined as {})", n.group->definition->text());
    return out + fmt::format(" ({} snapshot of {}; assumed for earlier dates)", n.group->citation,
                             n.group->as_of ? n.group->as_of->ToString() : "?");
  }
  if (!full) return out + " (dated record, cited above)";
  const rules::Membership& m = *n.info.change;
  std::vector<std::string> when;
  auto bound = [&](const char* verb, const std::optional<Date>& d, bool undated,
                   const std::optional<Date>& after) {
    if (!d) return;
    if (!undated) {
      when.push_back(fmt::format("{} {}", verb, d->ToString()));
      return;
    }
    when.push_back(fmt::format(
        "{} by {}, the first cited snapshot that shows it (the date of the "
        "change was not found{})",
        verb, d->ToString(), after ? "; it came after " + after->ToString() : std::string()));
  };
  bound("joined", m.added, m.added_undated, m.added_after);
  bound("left", m.removed, m.removed_undated, m.removed_after);
  out += " [dated record: " + Join(when, "; ") + "]";
  if (n.info.assumed) out += " ASSUMED: the earlier state is kept until the snapshot";
  std::vector<std::string> cites;
  for (const std::string& k : m.sources) {
    auto it = n.group->source_map.find(k);
    if (it != n.group->source_map.end())
      cites.push_back(fmt::format("{}{} ({})", it->second.title,
                                  it->second.url.empty() ? "" : " <" + it->second.url + ">",
                                  SourceKindName(it->second.kind)));
  }
  if (!cites.empty()) out += "; cited: " + Join(cites, "; ");
  return out;
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : sep) + parts[i];
  return out;
}

}  // namespace ceiling::report
