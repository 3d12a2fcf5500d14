// Text renderings of classifications, timelines, matrices and headroom.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "ceiling/base/units.h"
#include "ceiling/report/rules_report.h"
#include "ceiling/report/table.h"
#include "rules_common.h"

namespace ceiling::report {

using rules::Classification;
using rules::Tri;

std::string CountryLabel(const rules::CountryDb& db, int country) {
  const rules::Country& c = db.country(country);
  return fmt::format("{} ({})", c.name, c.code);
}

std::vector<std::string> CannotDecideReasons(const rules::ChipFacts& facts, const Classification& c) {
  std::uint32_t mask = c.controlled.unknown | c.controls_unknown;
  if (c.controlled.tri == Tri::kUnknown || c.license_required.tri == Tri::kUnknown)
    mask |= c.license_required.unknown;
  if (c.review_decided.tri == Tri::kUnknown) mask |= c.review_decided.unknown;
  for (const rules::ExceptionHit& e : c.exceptions)
    if (e.eligible.tri == Tri::kUnknown) mask |= e.eligible.unknown;
  return rules::UnknownReasons(facts, mask);
}

std::string StatusLine(const Classification& c) {
  if (c.before_first_rule) return "no rule in force";
  std::vector<std::string> parts;
  std::vector<std::string> paras;
  for (const rules::Clause* cl : c.controls) paras.push_back(cl->paragraph);
  for (const rules::Clause* cl : c.controls_undecided) paras.push_back(cl->paragraph + "?");
  parts.push_back(paras.empty() ? "outside 3A090" : Join(paras, ", "));
  switch (c.license_required.tri) {
    case Tri::kTrue: {
      bool by_measure = false;
      for (const rules::Clause* b : c.license_basis)
        by_measure = by_measure || b->kind == rules::ClauseKind::kMeasure;
      std::string l =
          by_measure ? "license required (product-specific measure)" : "license required";
      if (c.end_user.given && c.end_user.license && c.end_user.basis != nullptr)
        l += fmt::format(" (Entity List, {})", c.end_user.basis->citation);
      parts.push_back(l);
      break;
    }
    case Tri::kFalse: parts.push_back("no license required"); break;
    case Tri::kUnknown: parts.push_back("license: cannot decide"); break;
  }
  std::vector<std::string> exc;
  for (const rules::ExceptionHit& e : c.exceptions)
    exc.push_back(e.clause->exception + (e.eligible.tri == Tri::kUnknown ? "?" : ""));
  if (!exc.empty()) parts.push_back("exceptions " + Join(exc, "/"));
  if (c.review_policy != rules::ReviewPolicy::kNone)
    parts.push_back(std::string(rules::ReviewPolicyTitle(c.review_policy)) +
                    (c.review_decided.tri == Tri::kUnknown ? " (undecided)" : ""));
  for (const rules::Clause* m : c.measures)
    if (m->revenue_share)
      parts.push_back(fmt::format("{} revenue share", Percent(*m->revenue_share)));
  return Join(parts, "; ");
}

std::string_view StatusCodeLegend() {
  return "a/b/c = 3A090.a/.b/.c met, - = outside 3A090, ? after a part = cannot decide it; "
         "free = no license; LIC = license required, (M) by a product-specific measure, (EL) by "
         "the end-user controls (Entity List, affiliates); review: deny, approve, cbc "
         "(case-by-case), n.p. (not published); +NAC/+ACA/... = exceptions; 15%/25% = revenue "
         "share; no-lic = controlled but no license for this destination.";
}

std::string StatusCode(const Classification& c) {
  if (c.before_first_rule) return "-";
  std::set<std::string> letters;
  bool undecided = false;
  for (const rules::Clause* cl : c.controls) {
    const auto dot = cl->paragraph.find('.');
    if (cl->paragraph.rfind("3A090", 0) == 0 && dot != std::string::npos)
      letters.insert(cl->paragraph.substr(dot + 1, 1));
  }
  undecided = c.controlled.tri == Tri::kUnknown;
  std::string ctrl = letters.empty() ? "-" : "";
  for (const std::string& l : letters) ctrl += (ctrl.empty() ? "" : ",") + l;
  if (undecided) ctrl += "?";
  if (c.license_required.tri == Tri::kFalse) return ctrl == "-" ? "free" : ctrl + " no-lic";
  std::string out = ctrl + " LIC";
  if (c.license_required.tri == Tri::kUnknown) out = ctrl + " LIC?";
  bool by_measure = false;
  for (const rules::Clause* b : c.license_basis)
    by_measure = by_measure || b->kind == rules::ClauseKind::kMeasure;
  if (by_measure) out += "(M)";
  if (c.end_user.given && c.end_user.license) out += "(EL)";
  switch (c.review_policy) {
    case rules::ReviewPolicy::kPresumptionOfDenial: out += " deny"; break;
    case rules::ReviewPolicy::kPresumptionOfApproval: out += " approve"; break;
    case rules::ReviewPolicy::kCaseByCase: out += " cbc"; break;
    case rules::ReviewPolicy::kNotPublished: out += " n.p."; break;
    default: break;
  }
  if (c.review_decided.tri == Tri::kUnknown) out += "?";
  for (const rules::ExceptionHit& e : c.exceptions)
    out += " +" + e.clause->exception + (e.eligible.tri == Tri::kUnknown ? "?" : "");
  for (const rules::Clause* m : c.measures)
    if (m->revenue_share) out += " " + Percent(*m->revenue_share);
  return out;
}

std::string Percent(double ratio) {
  const double pct = ratio * 100;
  const double rounded = std::round(pct);
  // Keep a decimal where rounding would hide which side of a round number the value is on.
  if (rounded != pct && (std::fmod(rounded, 100) == 0 || std::fabs(pct) < 10))
    return FormatNumber(pct, std::fabs(pct) < 10 ? 2 : 4) + "%";
  return FormatFixed(rounded, 0) + "%";
}

namespace {

std::string ChipTitle(const ChipLabel& chip) {
  if (chip.name.empty() || chip.name == chip.id) return chip.id;
  if (chip.id.empty()) return chip.name;
  return fmt::format("{} ({})", chip.name, chip.id);
}

std::string QueryLine(const rules::RuleBook& book, const rules::Query& q) {
  const rules::CountryDb& db = book.countries();
  std::string hq = CountryLabel(db, q.headquarters);
  if (!q.headquarters_given) hq += ", assumed: same as the destination (use --hq)";
  std::string line = fmt::format("on {} to {}; end user headquartered in {}; {} view",
                                 q.date.ToString(), CountryLabel(db, q.destination), hq,
                                 rules::ViewName(q.view));
  for (int c : {q.destination, q.headquarters}) {
    if (const rules::Treatment* t = db.TreatmentOf(c, q.date)) {
      line += fmt::format("\n  note: {} is treated as {} since {}", db.country(t->country).name,
                          CountryLabel(db, t->as), t->from.ToString());
      break;
    }
  }
  if (!q.end_user.empty()) {
    line += fmt::format("\n  end user: \"{}\"", q.end_user);
    std::vector<std::string> owners;
    for (const rules::Owner& o : q.owners)
      owners.push_back(fmt::format(
          "\"{}\"{}{}", o.name, o.percent ? " " + Percent(*o.percent / 100) : " (share not given)",
          o.of.empty() ? "" : " of \"" + o.of + "\""));
    if (!owners.empty()) line += "; owners: " + Join(owners, ", ");
    if (q.screening != nullptr)
      line += fmt::format("; screened against the bundled Entity List entries and {} ({} rows)",
                          q.screening->name(), q.screening->parties().size());
  }
  return line;
}

std::string HitText(const rules::ScreenHit& h) {
  const rules::ListedParty& p = *h.party;
  std::string s = fmt::format("\"{}\"{} on the {}", h.matched,
                              h.alias ? fmt::format(" (alias of \"{}\")", p.name) : "", p.list);
  if (!p.citation.empty()) s += ", " + p.citation;
  if (p.listed) s += ", listed " + p.listed->ToString();
  s += fmt::format(" [score {:.2f}{}]", h.score,
                   h.user_list ? ", from the list supplied" : ", bundled entry");
  return s;
}

void AppendParty(std::vector<std::string>* lines, const rules::PartyScreening& s,
                 const std::string& who) {
  if (s.hits.empty()) {
    std::size_t possible = 0;
    for (const rules::ScreenHit& h : s.other)
      possible += h.score < rules::ScreeningOptions{}.match ? 1 : 0;
    std::string review =
        possible == 0 ? ""
                      : fmt::format("; {} to review (under Caveats)",
                                    possible == 1 ? std::string("1 possible match")
                                                  : fmt::format("{} possible matches", possible));
    if (rules::HasNonLatinLetters(s.name))
      review += "; the name is not in Latin letters, as the lists are (under Caveats)";
    lines->push_back(
        fmt::format("{} \"{}\": no match on the lists screened{}", who, s.name, review));
  }
  for (const rules::ScreenHit& h : s.hits) {
    lines->push_back(fmt::format("{} \"{}\" matches {}", who, s.name, HitText(h)));
    const rules::ListedParty& p = *h.party;
    if (p.entity_list)
      lines->push_back(
          fmt::format("  license requirement: {}; review: {}{}",
                      p.license_requirement.empty() ? "(not given)" : p.license_requirement,
                      p.policy_text.empty() ? "(not given)" : p.policy_text,
                      p.footnote.empty() ? "" : "; " + p.footnote));
  }
  for (const rules::ScreenHit& h : s.other)
    if (!h.in_force && h.score >= 0.88)
      lines->push_back(fmt::format("  not in force on this date: {}", HitText(h)));
}

void AppendIndented(std::string* out, const std::string& label, const std::vector<std::string>& lines) {
  const std::string pad(18, ' ');
  for (std::size_t i = 0; i < lines.size(); ++i)
    *out += fmt::format("{:<18}{}\n", i == 0 ? label : "", lines[i]);
  if (lines.empty()) *out += fmt::format("{:<18}\n", label);
  (void)pad;
}

// One trace step: the clause, its outcome, its condition with each comparison, and the set
// memberships it tested.
using CitedGroups = std::set<std::pair<int, const rules::CountryGroup*>>;

std::string StepText(const rules::RuleBook& book, const rules::ChipFacts& facts,
                     const Classification& c, const rules::TraceStep& s, CitedGroups* cited) {
  // A dated membership is cited in full the first time it shows in a trace.
  auto membership = [&](int country, const rules::MembershipNote& n) {
    const bool full = cited->insert({country, n.group}).second;
    return MembershipText(book.countries(), country, c.query.date, n, full);
  };
  std::string out = fmt::format("  {} [{}; {}] -> {}\n", s.clause->full_id,
                                rules::ClauseKindName(s.clause->kind),
                                ClauseCitation(*s.clause, *s.rule),
                                OutcomeWord(*s.clause, s.outcome.tri, s.excluded_by));
  out += fmt::format("      {}\n", s.clause->title);
  if (s.condition != nullptr && !s.condition->is_true()) {
    out += fmt::format("      {}\n", s.condition->text());
    for (std::size_t i = 0; i < s.atoms.size(); ++i)
      out += fmt::format("        {}\n", AtomLine(s.condition->atoms()[i], s.atoms[i], facts));
    bool has_meets = s.condition->text().find("meets(") != std::string::npos;
    if (has_meets || s.atoms.empty())
      out += fmt::format("        = {}\n", rules::TriName(s.condition_value.tri));
  }
  if (s.product_named)
    out += fmt::format("      product {} named: {}\n",
                       facts.Known(rules::Var::kId) ? facts.text(rules::Var::kId) : "(no id)",
                       *s.product_named ? "yes" : "no");
  if (s.destination_in) {
    out += fmt::format("      destination {} in {}: {}\n",
                       book.countries().country(c.query.destination).code,
                       s.clause->destinations->text(), *s.destination_in ? "yes" : "no");
    for (const rules::MembershipNote& n : s.destination_groups)
      if (n.info.change != nullptr || n.info.assumed)
        out += "        " + membership(c.query.destination, n) + "\n";
  }
  if (s.headquarters_in)
    out += fmt::format("      headquarters {} in {}: {}{}\n",
                       book.countries().country(c.query.headquarters).code,
                       s.clause->headquarters->text(), *s.headquarters_in ? "yes" : "no",
                       s.destination_in ? (s.clause->match == rules::Match::kAll
                                               ? " (both must hold)"
                                               : " (either suffices)")
                                        : "");
  if (s.headquarters_in && c.query.headquarters != c.query.destination)
    for (const rules::MembershipNote& n : s.headquarters_groups)
      if (n.info.change != nullptr || n.info.assumed)
        out += "        " + membership(c.query.headquarters, n) + "\n";
  return out;
}

std::string TraceText(const rules::RuleBook& book, const rules::ChipFacts& facts,
                      const Classification& c) {
  if (c.trace.empty()) return "";
  std::string out = "\nTrace (every clause evaluated, in order)\n";
  CitedGroups cited;
  for (const rules::TraceStep& s : c.trace) out += StepText(book, facts, c, s, &cited);
  return out;
}

// Everything above the trace.
std::string BodyText(const rules::RuleBook& book, const ChipLabel& chip,
                     const rules::ChipFacts& facts, const Classification& c);

}  // namespace

std::string ImportSideText(const rules::RuleBook& book, const rules::ImportSide& side) {
  if (side.country < 0) return "";
  const rules::CountryDb& db = book.countries();
  std::string out = fmt::format(
      "\nImport side: {} (the destination's own measures; a separate layer, not part of the US "
      "answer above)\n",
      db.country(side.country).name);
  std::string verdict(rules::ImportVerdictTitle(side.verdict));
  if (side.verdict != rules::ImportVerdict::kNone)
    verdict += side.reported_only ? " (reported)" : " (official text)";
  if (side.verdict == rules::ImportVerdict::kBlockedExceptApproved && !side.approved_buyers.empty())
    verdict += "; approvals reported for " + side.approved_buyers;
  out += fmt::format("  {:<16}{}\n", "verdict", verdict);
  for (const rules::ImportHit& h : side.measures) {
    const rules::ImportMeasure& m = *h.measure;
    out +=
        fmt::format("  {}{} {} [{}; {}]: {}\n", m.date.ToString(), m.approximate ? "~" : "", m.id,
                    rules::ImportEffectName(m.effect), rules::ImportBasisName(m.basis), m.title);
    out += fmt::format("      by {}; chips: {}\n", m.authority, m.products_text);
    std::string buyers;
    if (!m.buyers.empty()) buyers = "named: " + Join(m.buyers, ", ");
    if (!m.buyers_text.empty()) buyers += (buyers.empty() ? "" : "; ") + m.buyers_text;
    if (!m.projects_text.empty()) buyers += (buyers.empty() ? "" : "; ") + m.projects_text;
    out +=
        fmt::format("      buyers and projects: {}; applies to this buyer: {}{}\n",
                    buyers.empty() ? "all" : buyers,
                    h.applies == Tri::kTrue    ? "yes"
                    : h.applies == Tri::kFalse ? "no"
                                               : "cannot tell",
                    h.matched_buyer.empty() || h.applies != Tri::kTrue
                        ? ""
                        : fmt::format(" (matches \"{}\", score {:.2f})", h.matched_buyer, h.score));
    for (const std::string& k : m.sources) {
      auto it = m.source_map.find(k);
      if (it != m.source_map.end())
        out += fmt::format("      source: {}{} ({})\n", it->second.title,
                           it->second.url.empty() ? "" : " <" + it->second.url + ">",
                           SourceKindName(it->second.kind));
    }
  }
  if (side.measures.empty()) out += "  (no measure in force covers this chip on this date)\n";
  return out;
}

std::string ClassificationText(const rules::RuleBook& book, const ChipLabel& chip,
                               const rules::ChipFacts& facts, const Classification& c) {
  if (c.before_first_rule) return BodyText(book, chip, facts, c);
  return BodyText(book, chip, facts, c) + TraceText(book, facts, c);
}

namespace {

std::string BodyText(const rules::RuleBook& book, const ChipLabel& chip,
                     const rules::ChipFacts& facts, const Classification& c) {
  std::string out = fmt::format("{}\n  {}\n\n", ChipTitle(chip), QueryLine(book, c.query));
  if (c.before_first_rule) {
    const rules::RuleVersion& first = book.rules().front();
    out += fmt::format("No advanced-computing rule was in force on {}: the first, {} ({}), took "
                       "effect on {}.\nNot controlled and no license required under these "
                       "rules.\n",
                       c.query.date.ToString(), first.id, first.citation,
                       first.effective.ToString());
    return out;
  }
  const std::vector<std::string> reasons = CannotDecideReasons(facts, c);

  // Controls.
  std::vector<std::string> lines;
  if (!c.controls.empty()) {
    std::vector<std::string> p;
    for (const rules::Clause* cl : c.controls) p.push_back(cl->paragraph);
    lines.push_back(Join(p, ", "));
  }
  if (!c.controls_undecided.empty()) {
    std::vector<std::string> p;
    for (const rules::Clause* cl : c.controls_undecided) p.push_back(cl->paragraph);
    lines.push_back("cannot decide whether " + Join(p, ", ") + " " +
                    (p.size() == 1 ? "is" : "are") + " met");
  }
  if (lines.empty()) lines.push_back("outside 3A090: no control paragraph is met");
  AppendIndented(&out, "Controls", lines);

  // License.
  lines.clear();
  switch (c.license_required.tri) {
    case Tri::kTrue: {
      std::vector<std::string> by;
      for (const rules::Clause* b : c.license_basis)
        by.push_back(fmt::format("{}{}", b->kind == rules::ClauseKind::kMeasure
                                            ? "product-specific measure "
                                            : "",
                                 b->full_id));
      if (c.end_user.given && c.end_user.license && c.end_user.basis != nullptr) {
        const rules::ListedParty& p = *c.end_user.basis;
        by.push_back(fmt::format("the Entity List row \"{}\" ({}{})", p.name, p.citation,
                                 c.end_user.reason == "listed" ? ""
                                 : c.end_user.reason == "affiliate"
                                     ? "; the end user is its affiliate"
                                     : "; Red Flag 29: a listed owner's "
                                       "share is not known"));
      }
      lines.push_back("YES, required by " + Join(by, " and "));
      break;
    }
    case Tri::kFalse:
      lines.push_back("no");
      break;
    case Tri::kUnknown:
      lines.push_back("CANNOT DECIDE");
      break;
  }
  AppendIndented(&out, "License required", lines);
  if (!reasons.empty()) {
    lines.clear();
    for (const std::string& r : reasons) lines.push_back(r);
    AppendIndented(&out, "Cannot decide", lines);
  }

  // Exceptions.
  lines.clear();
  if (c.license_required.tri == Tri::kFalse) {
    lines.push_back("not needed");
  } else if (c.end_user.given && c.end_user.license) {
    lines.push_back("none: license exceptions are not available for a party on the Entity List");
  } else if (c.exceptions_blocked) {
    lines.push_back("none: exceptions do not cover a license required by a product-specific "
                    "measure");
  } else if (c.exceptions.empty()) {
    lines.push_back("none applies");
  } else {
    for (const rules::ExceptionHit& e : c.exceptions)
      lines.push_back(fmt::format("{}{} ({}{}), {}", e.clause->exception,
                                  e.eligible.tri == Tri::kUnknown ? "? eligibility cannot be decided"
                                                                  : "",
                                  e.clause->notification ? "prior notification to BIS"
                                                         : "no notification",
                                  e.clause->conditions.empty()
                                      ? ""
                                      : "; " + Join(e.clause->conditions, "; "),
                                  e.clause->full_id));
  }
  AppendIndented(&out, "Exceptions", lines);

  // Review.
  lines.clear();
  if (c.review_policy == rules::ReviewPolicy::kNone) {
    lines.push_back("none (no license required)");
  } else {
    std::string l = std::string(rules::ReviewPolicyTitle(c.review_policy));
    if (c.review_clause != nullptr) l += " (" + c.review_clause->full_id + ")";
    else if (c.end_user.given && c.end_user.license && c.end_user.basis != nullptr)
      l += fmt::format(" (Entity List row, {})", c.end_user.basis->citation);
    if (c.review_decided.tri == Tri::kUnknown)
      l = "cannot decide; first candidate: " + l;
    lines.push_back(l);
    if (c.review_clause != nullptr)
      for (const std::string& cond : c.review_clause->conditions) lines.push_back("  if: " + cond);
  }
  AppendIndented(&out, "Review policy", lines);

  // Measures.
  lines.clear();
  for (const rules::Clause* m : c.measures) {
    const rules::RuleVersion* r = nullptr;
    for (const rules::RuleVersion& rv : book.rules())
      for (const rules::Clause& cl : rv.clauses)
        if (&cl == m) r = &rv;
    lines.push_back(fmt::format("{}: {}", m->full_id, m->title));
    lines.push_back(fmt::format("  covers {}; effect: {}{}", m->products_text,
                                rules::MeasureEffectName(m->effect),
                                m->revenue_share
                                    ? fmt::format("; revenue share {}", Percent(*m->revenue_share))
                                    : ""));
    if (r != nullptr) lines.push_back("  citation: " + ClauseCitation(*m, *r));
    if (!m->equivalents.empty()) lines.push_back("  equivalents: " + m->equivalents);
  }
  if (lines.empty()) lines.push_back("none");
  AppendIndented(&out, "Measures", lines);

  // End user.
  if (c.end_user.given) {
    const rules::EndUserResult& eu = c.end_user;
    lines.clear();
    AppendParty(&lines, eu.end_user, "end user");
    for (const rules::OwnerResult& o : eu.owners) {
      AppendParty(&lines, o.screening, "owner");
      if (o.restricted != Tri::kFalse && !(o.via != nullptr && !o.screening.hits.empty()))
        lines.push_back(fmt::format("  restricted as an affiliate{}",
                                    o.via != nullptr ? " of the row " + o.via->name : ""));
    }
    if (!eu.owners.empty()) {
      std::string own = fmt::format("restricted owners hold {} of the end user{}",
                                    Percent(eu.restricted_share.value_or(0) / 100),
                                    eu.share_unknown ? " (plus shares not given)" : "");
      if (eu.affiliates_rule != nullptr) {
        const rules::AffiliatesRule& a = *eu.affiliates_rule;
        own += fmt::format(
            "; Affiliates rule ({}): {}", a.citation,
            eu.affiliates_period == nullptr
                ? "not yet in effect (effective " + a.effective.ToString() + ")"
                : std::string(rules::AffiliatesStatusName(eu.affiliates_period->status)) +
                      " since " + eu.affiliates_period->from.ToString() +
                      (eu.affiliates_period->scheduled ? " (scheduled)" : ""));
      }
      lines.push_back(own);
    }
    lines.push_back(eu.license ? "the end-user controls require a license"
                               : "the end-user controls add no license requirement");
    AppendIndented(&out, "End user", lines);
  }

  // Rules.
  lines.clear();
  for (const rules::RuleState& s : c.rules)
    lines.push_back(fmt::format("{:<26} {} [{}]", s.rule->id,
                                RuleStatusText(*s.rule, s, c.query.date), s.rule->citation));
  AppendIndented(&out, "Rules consulted", lines);

  out += ImportSideText(book, c.import_side);
  if (!c.caveats.empty()) {
    lines.clear();
    for (const rules::Caveat& cv : c.caveats) lines.push_back("- " + cv.text);
    AppendIndented(&out, "Caveats", lines);
  }
  AppendIndented(&out, "Data checked", {"rule data last checked " + c.data_checked.ToString()});
  return out;
}

std::string LicensePhrase(Tri t) {
  return t == Tri::kTrue ? "license required" : t == Tri::kFalse ? "no license"
                                                                 : "license cannot be decided";
}

// The answer under one source, told through the aspects in `aspects` (DisputedClassification's
// `differing` names; empty = the whole answer at paragraph level).
std::string AnswerPhrase(const Classification& c, const std::vector<std::string>& aspects) {
  auto has = [&](std::string_view a) {
    return aspects.empty() || std::find(aspects.begin(), aspects.end(), a) != aspects.end();
  };
  std::vector<std::string> parts;
  if (has("controls") || has("sub-paragraphs") || has("undecided")) {
    // Paragraph level, or the sub-paragraphs when only they differ; undecided ones marked "?".
    std::vector<std::string> p = rules::ParagraphGroups(c);
    if (!aspects.empty() && has("sub-paragraphs")) {
      p.clear();
      for (const rules::Clause* cl : c.controls) p.push_back(cl->paragraph);
    }
    for (const rules::Clause* cl : c.controls_undecided) p.push_back(cl->paragraph + "?");
    parts.push_back(p.empty() ? "outside 3A090" : Join(p, ", "));
  }
  if (has("license")) parts.push_back(LicensePhrase(c.license_required.tri));
  if (!aspects.empty() && has("exceptions")) {
    std::vector<std::string> e;
    for (const rules::ExceptionHit& x : c.exceptions)
      e.push_back(x.clause->exception + (x.eligible.tri == Tri::kUnknown ? "?" : ""));
    parts.push_back(e.empty() ? "no exception" : "exception " + Join(e, "/"));
  }
  if (!aspects.empty() && has("review"))
    parts.push_back(std::string(rules::ReviewPolicyTitle(c.review_policy)) +
                    (c.review_decided.tri == Tri::kUnknown ? " (undecided)" : ""));
  if (!aspects.empty() && has("measures")) {
    std::vector<std::string> m;
    for (const rules::Clause* x : c.measures) m.push_back(x->full_id);
    parts.push_back(m.empty() ? "no product-specific measure" : "measure " + Join(m, ", "));
  }
  return Join(parts, ", ");
}

std::string MetricsPhrase(const catalog::ChipMetrics& m) {
  return fmt::format("TPP {}, PD {}", m.tpp() ? FormatDown(*m.tpp()) : "unknown",
                     m.pd() ? FormatDown(*m.pd(), 2) : "unknown");
}

}  // namespace

std::string DisputeVerdict(const rules::DisputedClassification& d) {
  if (d.agreement == rules::Agreement::kNone || d.outcomes.empty()) return "";
  const Classification& base = d.outcomes.front().result;
  if (d.agreement != rules::Agreement::kDependsOnSource) {
    std::string out = fmt::format("robust: {}, under every source ({} compared)", AnswerPhrase(base, {}),
                                  d.outcomes.size());
    if (d.agreement == rules::Agreement::kSameParagraphs) {
      std::vector<std::string> groups;
      std::vector<std::pair<std::string, std::vector<std::string>>> by;
      for (const rules::SourceOutcome& o : d.outcomes) {
        const std::string phrase = AnswerPhrase(o.result, {"sub-paragraphs"});
        auto it = std::find_if(by.begin(), by.end(), [&](const auto& g) { return g.first == phrase; });
        if (it == by.end()) by.push_back({phrase, {o.label}});
        else it->second.push_back(o.label);
      }
      for (const auto& [phrase, labels] : by)
        groups.push_back(fmt::format("{} under {}", phrase, Join(labels, ", ")));
      out += "; the sub-paragraph met differs: " + Join(groups, "; ");
    }
    return out;
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> by;
  for (const rules::SourceOutcome& o : d.outcomes) {
    const std::string phrase = AnswerPhrase(o.result, d.differing);
    auto it = std::find_if(by.begin(), by.end(), [&](const auto& g) { return g.first == phrase; });
    if (it == by.end()) by.push_back({phrase, {o.label}});
    else it->second.push_back(o.label);
  }
  std::vector<std::string> groups;
  for (const auto& [phrase, labels] : by)
    groups.push_back(fmt::format("{} under {}", phrase, Join(labels, ", ")));
  return "depends on the source: " + Join(groups, "; ");
}

std::string ClassificationText(const rules::RuleBook& book, const ChipLabel& chip,
                               const rules::ChipFacts& facts, const Classification& c,
                               const rules::DisputedClassification& d) {
  if (d.agreement == rules::Agreement::kNone || c.before_first_rule)
    return ClassificationText(book, chip, facts, c);
  std::string out = BodyText(book, chip, facts, c);
  // The section: verdict, then each source with its values, metrics and answer.
  std::vector<std::string> lines = {
      d.agreement == rules::Agreement::kDependsOnSource
          ? "DEPENDS ON THE SOURCE: " + DisputeVerdict(d).substr(sizeof("depends on the source: ") - 1)
          : DisputeVerdict(d)};
  std::size_t width = 0;
  for (const rules::SourceOutcome& o : d.outcomes) width = std::max(width, o.label.size());
  for (const rules::SourceOutcome& o : d.outcomes) {
    lines.push_back(fmt::format("{:<{}}  {}: {}", o.label, width, MetricsPhrase(o.metrics),
                                StatusLine(o.result)));
    for (const catalog::FigureChange& ch : o.changes) {
      std::vector<std::string> keys;
      for (const Source& src : o.sources) keys.push_back(src.key);
      lines.push_back(fmt::format("{:<{}}    {} {} instead of {} [{}]{}", "", width, ch.figure,
                                  ch.alternative, ch.recorded, Join(keys, ", "),
                                  ch.note.empty() ? "" : ": " + ch.note));
    }
  }
  AppendIndented(&out, "Disputed figures", lines);
  out += TraceText(book, facts, c);
  // The trace under each other source: only the clauses that come out differently.
  if (!c.trace.empty()) {
    out += "\nTrace under each other source (clauses whose outcome differs from the record's)\n";
    for (std::size_t i = 1; i < d.outcomes.size(); ++i) {
      const rules::SourceOutcome& o = d.outcomes[i];
      std::vector<std::string> changes;
      for (const catalog::FigureChange& ch : o.changes)
        changes.push_back(ch.figure + " " + ch.alternative);
      out += fmt::format("  under \"{}\" ({}):{}\n", o.label, Join(changes, "; "),
                         o.differing_steps.empty() ? " every clause as recorded" : "");
      for (std::size_t k : o.differing_steps) {
        CitedGroups cited;
        std::string step = StepText(book, o.facts, o.result, o.result.trace[k], &cited);
        // Indent the step under its source.
        std::string indented;
        std::size_t start = 0;
        while (start < step.size()) {
          const std::size_t end = step.find('\n', start);
          indented += "  " + step.substr(start, end - start + 1);
          start = end + 1;
        }
        out += indented;
      }
    }
  }
  return out;
}

std::string TimelineText(const rules::RuleBook& book, const ChipLabel& chip,
                         const rules::Query& query,
                         const std::vector<rules::TimelineEntry>& timeline,
                         const std::vector<rules::ImportTimelineEntry>& imports) {
  std::string out = TimelineText(book, chip, query, timeline);
  if (imports.empty()) return out;
  const rules::CountryDb& db = book.countries();
  out += fmt::format(
      "\nImport side: {} (the destination's own measures; a separate layer, not "
      "part of the US answer above)\n\n",
      db.country(imports.front().side.country).name);
  for (const rules::ImportTimelineEntry& e : imports) {
    std::string verdict(rules::ImportVerdictTitle(e.side.verdict));
    if (e.side.verdict != rules::ImportVerdict::kNone)
      verdict += e.side.reported_only ? " (reported)" : " (official text)";
    if (e.side.verdict == rules::ImportVerdict::kBlockedExceptApproved)
      verdict += "; approvals reported for " + e.side.approved_buyers;
    out += fmt::format("{}  {}\n", e.from.ToString(), verdict);
    for (const rules::ImportMeasure* m : e.started)
      out += fmt::format("            because: {}{} {} [{}; {}]: {}\n", m->date.ToString(),
                         m->approximate ? "~" : "", m->id, rules::ImportEffectName(m->effect),
                         rules::ImportBasisName(m->basis), m->title);
  }
  out += "\n~ = date approximate (reported around that day)\n";
  return out;
}

std::string RulesStatusText(const std::vector<rules::StatusRow>& rows) {
  // At 100 columns the title gives way (`rules show ID` has it), a measure's id breaks after
  // its rule's, and the sources wrap.
  Table t({{"kind"},
           {.header = "id", .wrap = 24},
           {"effective"},
           {"last checked"},
           {.header = "sources", .wrap = 12},
           {.header = "title", .drop = 1}});
  for (const rules::StatusRow& r : rows) {
    std::vector<std::string> kinds;
    for (std::size_t k = 0; k < r.sources.size(); ++k)
      if (r.sources[k] > 0)
        kinds.push_back(fmt::format("{} {}", r.sources[k],
                                    SourceKindName(static_cast<SourceKind>(k))));
    t.AddRow({r.kind, r.id, r.effective ? r.effective->ToString() : "",
              r.checked.ToString() + (r.checked_given ? "" : "*"), Join(kinds, ", "),
              r.title});
  }
  std::string out = t.RenderText();
  out += fmt::format(
      "\nRule data last checked {} (the earliest date above). * = no `checked` "
      "date in the file: the latest date a source was read.\n",
      rules::DataChecked(rows).ToString());
  for (const rules::StatusRow& r : rows)
    if (!r.pending_products.empty())
      out += fmt::format("{} names products the catalog does not hold yet: {}\n", r.id,
                         Join(r.pending_products, ", "));
  return WrapReport(out);
}

std::string TimelineText(const rules::RuleBook& book, const ChipLabel& chip,
                         const rules::Query& query,
                         const std::vector<rules::TimelineEntry>& timeline) {
  const rules::CountryDb& db = book.countries();
  std::string out = fmt::format("Timeline of {} to {}; end user headquartered in {}; {} view\n\n",
                                ChipTitle(chip), CountryLabel(db, query.destination),
                                CountryLabel(db, query.headquarters), rules::ViewName(query.view));
  for (const rules::TimelineEntry& e : timeline) {
    const bool first = &e == &timeline.front();
    out += fmt::format("{}  {}\n", first ? "until     " : e.from.ToString(), StatusLine(e.result));
    if (first) {
      out += fmt::format("            (before {}, the first rule)\n",
                         book.first_rule_date().ToString());
      continue;
    }
    if (!e.changes.empty()) out += "            changes: " + Join(e.changes, "; ") + "\n";
    for (const std::string& ev : e.events) out += "            because: " + ev + "\n";
  }
  out += fmt::format("\n{} status change{}\n", timeline.size() - 1,
                     timeline.size() == 2 ? "" : "s");
  out += fmt::format("rule data last checked {}\n",
                     rules::DataChecked(rules::RulesStatus(book)).ToString());
  return out;
}

std::string MatrixText(const rules::RuleBook& book, const std::vector<rules::ChipEntry>& chips,
                       const rules::Query& query, const rules::Matrix& m) {
  const rules::CountryDb& db = book.countries();
  std::vector<Column> cols = {{"chip"}};
  for (const rules::MatrixColumn& col : m.columns)
    cols.push_back({col.date.ToString() + (col.view == rules::View::kText ? "*" : "")});
  Table t(cols);
  for (std::size_t i = 0; i < chips.size(); ++i) {
    std::vector<std::string> row = {chips[i].id};
    for (const Classification& c : m.cells[i]) row.push_back(StatusCode(c));
    t.AddRow(std::move(row));
  }
  std::string out = fmt::format("Chips x rule versions, to {}; end user headquartered in {}\n\n",
                                CountryLabel(db, query.destination),
                                CountryLabel(db, query.headquarters));
  out += t.RenderText();
  out += "\nColumns (each on the date its rule applies):\n";
  for (const rules::MatrixColumn& col : m.columns)
    out += fmt::format("  {}{}  {}  {} ({}){}\n", col.date.ToString(),
                       col.view == rules::View::kText ? "*" : " ", col.rule->id,
                       col.rule->short_title, col.rule->citation,
                       col.view == rules::View::kText ? "; text view: never enforced" : "");
  out += fmt::format("\nCells: {}\n", StatusCodeLegend());
  return WrapReport(out);
}

std::string MatrixCsv(const std::vector<rules::ChipEntry>& chips, const rules::Matrix& m) {
  std::vector<Column> cols = {{"chip"}, {"name"}};
  for (const rules::MatrixColumn& col : m.columns) cols.push_back({col.rule->id});
  Table t(cols);
  for (std::size_t i = 0; i < chips.size(); ++i) {
    std::vector<std::string> row = {chips[i].id, chips[i].name};
    for (const Classification& c : m.cells[i]) row.push_back(StatusCode(c));
    t.AddRow(std::move(row));
  }
  return t.RenderCsv();
}

std::string HeadroomText(const ChipLabel& chip, const rules::Query& query,
                         const std::vector<rules::HeadroomRow>& rows) {
  std::string out = fmt::format("Headroom of {} on {} ({} view): each metric against each "
                                "threshold of the clauses in force\n\n",
                                ChipTitle(chip), query.date.ToString(), rules::ViewName(query.view));
  Table t({{"clause"}, {"metric"}, {"value", Align::kRight}, {"test"}, {"threshold", Align::kRight},
           {"value/threshold", Align::kRight}, {"holds"}});
  for (const rules::HeadroomRow& r : rows) {
    const DimVector dim = rules::VarDim(r.metric);
    t.AddRow({r.clause->full_id, std::string(rules::VarName(r.metric)),
              r.value ? rules::FormatCanonical(*r.value, dim) : "unknown",
              std::string(rules::CmpOpText(r.op)) + " " + r.threshold_name,
              rules::FormatCanonical(r.threshold, dim), r.ratio ? Percent(*r.ratio) : "-",
              r.holds == Tri::kUnknown ? "?" : r.holds == Tri::kTrue ? "yes" : "no"});
  }
  out += t.RenderText();
  if (rows.empty()) out += "(no rule in force on this date)\n";
  return out;
}

}  // namespace ceiling::report
