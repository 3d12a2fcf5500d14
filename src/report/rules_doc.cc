// Text renderings of rule versions, rule diffs and what-ifs.
#include <fmt/format.h>

#include "ceiling/report/rules_report.h"
#include "ceiling/report/table.h"
#include "rules_common.h"

namespace ceiling::report {

namespace {

std::string EnforcementLine(const rules::RuleVersion& r) {
  std::string s;
  if (r.compliance) s += "compliance from " + r.compliance->ToString();
  for (const rules::Enforcement& e : r.enforcement)
    s += (s.empty() ? "" : "; ") +
         std::string(e.status == rules::EnforcementStatus::kNotEnforced ? "not enforced from "
                                                                         : "enforced from ") +
         e.from.ToString();
  return s;
}

std::string ChangesTable(const std::vector<rules::ChipEntry>& chips,
                         const std::vector<rules::ChipChange>& changes) {
  Table t({{"chip"}, {"before"}, {"after"}, {.header = "what changes", .wrap = 30}});
  for (const rules::ChipChange& c : changes)
    t.AddRow({chips[c.chip].id, StatusCode(c.before), StatusCode(c.after), Join(c.changes, "; ")});
  return t.RenderText() + WrapReport(fmt::format("\nbefore, after: {}\n", StatusCodeLegend()));
}

// "Chips whose classification changes: 7 of 87; the status code stays the same for 5 (what
// changes says what does)": a change the codes cannot show (what cannot be decided) is still
// listed, and said to be.
std::string ChangesCount(const std::vector<rules::ChipEntry>& chips,
                         const std::vector<rules::ChipChange>& changes) {
  std::size_t same_code = 0;
  for (const rules::ChipChange& c : changes)
    if (StatusCode(c.before) == StatusCode(c.after)) ++same_code;
  std::string out =
      fmt::format("Chips whose classification changes: {} of {}", changes.size(), chips.size());
  if (same_code > 0)
    out += fmt::format("; the status code stays the same for {} (what changes says what does)",
                       same_code);
  return WrapReport(out + "\n");
}

}  // namespace

std::string RuleListText(const rules::RuleBook& book) {
  Table t({{"id"},
           {"effective"},
           {.header = "citation", .wrap = 12},
           {.header = "title", .wrap = 16},
           {.header = "status over time", .wrap = 20}});
  for (const rules::RuleVersion& r : book.rules())
    t.AddRow({r.id, r.effective.ToString(), r.citation, r.short_title, EnforcementLine(r)});
  std::string out = t.RenderText();
  std::size_t secondary = 0, clauses = 0;
  for (const rules::RuleVersion& r : book.rules()) {
    clauses += r.clauses.size();
    secondary += r.SecondaryClauses().size();
  }
  out += fmt::format("{} rule versions, {} clauses ({} resting on secondary sources only)\n",
                     book.rules().size(), clauses, secondary);
  return out;
}

std::string RuleText(const rules::RuleBook& book, const rules::RuleVersion& r) {
  std::string out = fmt::format("{}\n{}\n", r.id, r.title);
  out += fmt::format("  citation     {}{}\n", r.citation, r.document.empty() ? "" : " (" + r.document + ")");
  if (r.published) out += fmt::format("  published    {}\n", r.published->ToString());
  out += fmt::format("  effective    {}\n", r.effective.ToString());
  if (r.compliance) out += fmt::format("  compliance   {}\n", r.compliance->ToString());
  for (const rules::Enforcement& e : r.enforcement)
    out += fmt::format("  enforcement  {} from {}{}\n",
                       e.status == rules::EnforcementStatus::kNotEnforced ? "not enforced"
                                                                           : "enforced",
                       e.from.ToString(), e.note.empty() ? "" : ": " + e.note);
  for (const rules::LegalNote& n : r.legal)
    out += fmt::format("  legal status {}: {}\n", n.date.ToString(), n.finding);
  out += fmt::format("  checked      {}{}\n", r.LastChecked().ToString(),
                     r.checked ? "" : " (latest source read date)");
  if (!r.supersedes.empty()) out += "  supersedes   " + Join(r.supersedes, ", ") + "\n";
  out += "  file         " + r.file + "\n\n" + r.summary + "\n";

  if (!r.parameters.empty()) {
    out += "\nParameters (override with --set NAME=VALUE)\n";
    Table t({{"name"}, {"value", Align::kRight}, {"in this book", Align::kRight},
             {.header = "meaning", .wrap = 24}});
    for (const rules::ParameterInfo& p : book.Parameters()) {
      if (p.rule != &r) continue;
      t.AddRow({p.parameter->name, p.parameter->text,
                p.overridden ? rules::FormatCanonical(p.value, p.parameter->dim) : "",
                p.parameter->title});
    }
    out += t.RenderText();
  }

  out += "\nClauses\n";
  for (const rules::Clause& c : r.clauses) {
    out += fmt::format("  {} [{}{}]{}\n", c.id, rules::ClauseKindName(c.kind),
                       c.kind == rules::ClauseKind::kControl ? " " + c.paragraph
                       : c.kind == rules::ClauseKind::kException ? " " + c.exception
                                                                 : "",
                       c.basis == rules::TextBasis::kSecondary ? "  SECONDARY SOURCES ONLY"
                       : c.basis == rules::TextBasis::kQuoted  ? "  (primary text seen as quoted)"
                                                           : "");
    out += "      " + c.title + "\n";
    if (c.effective) out += "      effective " + c.effective->ToString() + "\n";
    if (c.condition) {
      const char* key = c.kind == rules::ClauseKind::kException ? "eligible"
                        : (c.kind == rules::ClauseKind::kControl ||
                           c.kind == rules::ClauseKind::kExclusion)
                            ? "condition"
                            : "applies to";
      out += fmt::format("      {}: {}\n", key, c.condition->text);
    }
    if (!c.excludes.empty()) out += "      excludes: " + Join(c.excludes, ", ") + "\n";
    if (!c.products.empty())
      out += fmt::format("      products: {} ({})\n", Join(c.products, ", "), c.products_text);
    if (!c.pending_products.empty())
      out += fmt::format("      not in the catalog yet: {}\n", Join(c.pending_products, ", "));
    if (c.destinations) out += "      destinations: " + c.destinations->text() + "\n";
    if (c.headquarters)
      out += fmt::format("      headquarters: {}{}\n", c.headquarters->text(),
                         c.destinations ? (c.match == rules::Match::kAll ? " (and destination)"
                                                                         : " (or destination)")
                                        : "");
    if (c.policy != rules::ReviewPolicy::kNone)
      out += fmt::format("      review: {}\n", rules::ReviewPolicyTitle(c.policy));
    if (c.kind == rules::ClauseKind::kException)
      out += fmt::format("      notification: {}\n", c.notification ? "yes" : "no");
    if (c.revenue_share) out += "      revenue share: " + Percent(*c.revenue_share) + "\n";
    for (const std::string& cond : c.conditions) out += "      condition: " + cond + "\n";
    if (!c.equivalents.empty()) out += "      equivalents: " + c.equivalents + "\n";
    if (!c.supersedes.empty()) out += "      supersedes: " + Join(c.supersedes, ", ") + "\n";
    if (!c.note.empty()) out += "      note: " + c.note + "\n";
    for (const std::string& s : SourceLines(r, c.sources)) out += "      source: " + s + "\n";
  }
  out += "\nSources\n";
  for (const auto& [key, s] : r.source_map) {
    out += fmt::format("  [{}] {} ({})\n", key, s.title, SourceKindName(s.kind));
    if (!s.url.empty()) out += "      " + s.url + "\n";
    if (!s.note.empty()) out += "      " + s.note + "\n";
  }
  return out;
}

std::string RuleDiffText(const rules::RuleBook& book, const rules::RuleVersion& a,
                         const rules::RuleVersion& b, const std::vector<rules::ChipEntry>& chips,
                         const rules::Query& query, const std::vector<rules::ChipChange>& changes) {
  const rules::MatrixColumn ca = rules::ColumnFor(book, a);
  const rules::MatrixColumn cb = rules::ColumnFor(book, b);
  std::string out = fmt::format("{} ({}, {}{}) -> {} ({}, {}{})\nto {}; end user headquartered in {}\n\n",
                                a.id, a.citation, ca.date.ToString(),
                                ca.view == rules::View::kText ? ", text view" : "", b.id,
                                b.citation, cb.date.ToString(),
                                cb.view == rules::View::kText ? ", text view" : "",
                                CountryLabel(book.countries(), query.destination),
                                CountryLabel(book.countries(), query.headquarters));
  // What b does to a.
  std::vector<std::string> lines;
  for (const std::string& s : b.supersedes)
    if (s == a.id || s.rfind(a.id + "/", 0) == 0) lines.push_back("supersedes " + s);
  for (const rules::Clause& c : b.clauses)
    for (const std::string& s : c.supersedes)
      if (s.rfind(a.id + "/", 0) == 0) lines.push_back(fmt::format("{} supersedes {}", c.id, s));
  for (const rules::Parameter& p : b.parameters) {
    const rules::Parameter* old = a.FindParameter(p.name);
    if (old == nullptr)
      lines.push_back(fmt::format("new parameter {} = {}", p.name, p.text));
    else if (old->value != p.value)
      lines.push_back(fmt::format("parameter {}: {} -> {}", p.name, old->text, p.text));
  }
  for (const rules::Parameter& p : a.parameters)
    if (b.FindParameter(p.name) == nullptr && b.supersedes.size() > 0 &&
        std::find(b.supersedes.begin(), b.supersedes.end(), a.id) != b.supersedes.end())
      lines.push_back(fmt::format("parameter {} ({}) no longer used", p.name, p.text));
  for (const rules::Clause& c : b.clauses) {
    const rules::Clause* old = a.FindClause(c.id);
    if (old == nullptr) {
      lines.push_back(fmt::format("adds {} [{}]: {}", c.id, rules::ClauseKindName(c.kind), c.title));
    } else if (old->condition && c.condition && old->condition->text != c.condition->text) {
      lines.push_back(fmt::format("changes {}: {} -> {}", c.id, old->condition->text,
                                  c.condition->text));
    }
  }
  out += "Rule changes\n";
  for (const std::string& l : lines) out += "  " + l + "\n";
  if (lines.empty()) out += "  (none in common terms)\n";
  out += "\n" + ChangesCount(chips, changes);
  if (!changes.empty()) out += ChangesTable(chips, changes);
  return out;
}

std::string WhatIfText(const rules::RuleBook& book, const std::vector<std::string>& settings,
                       const std::vector<rules::ChipEntry>& chips, const rules::Query& query,
                       const std::vector<rules::ChipChange>& changes) {
  std::string out = fmt::format("What if {}?\non {} to {}; end user headquartered in {}; {} view\n\n",
                                Join(settings, " and "), query.date.ToString(),
                                CountryLabel(book.countries(), query.destination),
                                CountryLabel(book.countries(), query.headquarters),
                                rules::ViewName(query.view));
  out += ChangesCount(chips, changes);
  if (!changes.empty()) out += ChangesTable(chips, changes);
  return out;
}

}  // namespace ceiling::report
