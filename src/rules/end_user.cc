// End-user screening, the Affiliates rule, the import side and caveats of a classification.
#include "end_user.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace ceiling::rules {
namespace {

constexpr ScreeningOptions kOptions{};

// Stricter policies rank higher; unknown ones lowest.
int PolicyRank(ReviewPolicy p) {
  switch (p) {
    case ReviewPolicy::kPresumptionOfDenial:
      return 4;
    case ReviewPolicy::kCaseByCase:
      return 3;
    case ReviewPolicy::kPresumptionOfApproval:
      return 2;
    case ReviewPolicy::kNotPublished:
      return 1;
    default:
      return 0;
  }
}

std::string Percent(double v) {
  return std::fabs(v - std::round(v)) < 1e-9 ? fmt::format("{:.0f}%", v)
                                             : fmt::format("{:.1f}%", v);
}

void ScreenParty(std::string_view name, const EntityDb& db, const ScreeningList* user, Date date,
                 PartyScreening* out) {
  out->name = std::string(name);
  out->hits.clear();
  out->other.clear();
  for (ScreenHit& h : Screen(name, db, user, date, kOptions)) {
    if (h.score >= kOptions.match && h.in_force)
      out->hits.push_back(std::move(h));
    else
      out->other.push_back(std::move(h));
  }
}

const ListedParty* EntityListHit(const PartyScreening& s) {
  for (const ScreenHit& h : s.hits)
    if (h.party->entity_list) return h.party;
  return nullptr;
}

bool SameName(std::string_view a, std::string_view b) { return NameTokens(a) == NameTokens(b); }

void AddScreeningCaveats(const PartyScreening& s, const char* who, Classification* out) {
  for (const ScreenHit& h : s.hits)
    if (!h.party->entity_list)
      out->caveats.push_back(
          {CaveatKind::kOtherList,
           fmt::format("{} \"{}\" matches \"{}\" (score {:.2f}) on the list \"{}\"{}: this tool "
                       "models the license requirements of Entity List rows only; check what that "
                       "list requires.",
                       who, s.name, h.matched, h.score, h.party->list,
                       h.user_list ? " of the screening list supplied" : "")});
  // Near misses matter only when nothing matched: beside a hit they are its sibling rows.
  if (!s.hits.empty()) return;
  if (HasNonLatinLetters(s.name))
    out->caveats.push_back(
        {CaveatKind::kScript,
         fmt::format("{} \"{}\" is written in a script other than Latin, and the bundled rows are "
                     "in Latin letters as the Entity List prints them: a listed party written so "
                     "goes unmatched; screen its English or romanized name too.",
                     who, s.name)});
  for (const ScreenHit& h : s.other) {
    if (h.score >= kOptions.match) continue;  // a row not yet (or no longer) in force
    if (h.score < kOptions.possible) {  // only the leading word is shared
      out->caveats.push_back(
          {CaveatKind::kPossibleMatch,
           fmt::format("{} \"{}\" shares the word \"{}\" with \"{}\" ({}; {}); a party listed "
                       "with it under its own name (an affiliate, a subsidiary) may not be "
                       "recorded here: review whether it is one.",
                       who, s.name, h.shared_word, h.matched, h.party->list,
                       h.party->citation.empty() ? "no citation" : h.party->citation)});
      continue;
    }
    out->caveats.push_back(
        {CaveatKind::kPossibleMatch,
         fmt::format("{} \"{}\" resembles \"{}\" ({}; {}) with score {:.2f}, below the match "
                     "score {:.2f}: review whether they are the same party.",
                     who, s.name, h.matched, h.party->list,
                     h.party->citation.empty() ? "no citation" : h.party->citation, h.score,
                     kOptions.match)});
  }
}

void EvaluateEndUser(const RuleBook::Compiled& c, const Query& q, Classification* out) {
  EndUserResult& eu = out->end_user;
  eu = EndUserResult{};
  eu.given = true;
  ScreenParty(q.end_user, c.entities, q.screening, q.date, &eu.end_user);
  AddScreeningCaveats(eu.end_user, "The end user", out);
  const ListedParty* direct = EntityListHit(eu.end_user);
  eu.listed = direct != nullptr;

  const AffiliatesRule* rule = c.entities.affiliates() ? &*c.entities.affiliates() : nullptr;
  eu.affiliates_rule = rule;
  eu.affiliates_period = rule != nullptr ? rule->PeriodOn(q.date) : nullptr;
  const bool in_effect = eu.affiliates_period != nullptr &&
                         eu.affiliates_period->status == AffiliatesStatus::kInEffect;
  const double threshold = rule != nullptr ? rule->threshold_percent : 50;

  // Owners: screened, then restricted when listed or (recursively) owned enough by listed
  // parties. Node -1 is the end user; `of` was checked by ParseOwners.
  const std::size_t n = q.owners.size();
  eu.owners.resize(n);
  std::vector<int> target(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    OwnerResult& r = eu.owners[i];
    r.owner = q.owners[i];
    ScreenParty(r.owner.name, c.entities, q.screening, q.date, &r.screening);
    AddScreeningCaveats(r.screening, "Owner", out);
    if (!r.owner.of.empty() && !SameName(r.owner.of, q.end_user))
      for (std::size_t j = 0; j < n; ++j)
        if (j != i && SameName(r.owner.of, q.owners[j].name)) target[i] = static_cast<int>(j);
  }
  struct Agg {
    Tri affiliate = Tri::kFalse;
    double share = 0;
    bool unknown = false;
    const ListedParty* via = nullptr;
  };
  std::vector<int> state(n, 0);  // 0 unvisited, 1 visiting, 2 done
  std::function<Agg(int)> aggregate;
  std::function<void(std::size_t)> resolve = [&](std::size_t i) {
    if (state[i] != 0) return;
    state[i] = 1;
    OwnerResult& r = eu.owners[i];
    if (const ListedParty* p = EntityListHit(r.screening)) {
      r.restricted = Tri::kTrue;
      r.via = p;
    } else {
      const Agg a = aggregate(static_cast<int>(i));
      r.restricted = a.affiliate;
      r.via = a.via;
    }
    state[i] = 2;
  };
  aggregate = [&](int node) {
    Agg a;
    for (std::size_t j = 0; j < n; ++j) {
      if (target[j] != node || state[j] == 1) continue;
      resolve(j);
      const OwnerResult& o = eu.owners[j];
      if (o.restricted == Tri::kFalse) continue;
      if (o.via != nullptr &&
          (a.via == nullptr || PolicyRank(o.via->policy) > PolicyRank(a.via->policy)))
        a.via = o.via;
      if (o.owner.percent && o.restricted == Tri::kTrue)
        a.share += *o.owner.percent;
      else
        a.unknown = true;
    }
    a.affiliate = a.share >= threshold ? Tri::kTrue : a.unknown ? Tri::kUnknown : Tri::kFalse;
    return a;
  };
  for (std::size_t i = 0; i < n; ++i) resolve(i);
  const Agg top = aggregate(-1);
  eu.affiliate = top.affiliate;
  if (n > 0) eu.restricted_share = top.share;
  eu.share_unknown = top.unknown;

  if (eu.listed) {
    eu.license = true;
    eu.basis = direct;
    eu.reason = "listed";
  } else if (in_effect && top.affiliate != Tri::kFalse) {
    eu.license = true;
    eu.basis = top.via;
    eu.reason = top.affiliate == Tri::kTrue ? "affiliate" : "red-flag-29";
  }
  if (eu.license && eu.basis != nullptr) eu.policy = eu.basis->policy;

  // The Affiliates rule's status decides the answer: say so.
  if (!eu.listed && top.affiliate != Tri::kFalse && rule != nullptr) {
    const std::string owned =
        top.affiliate == Tri::kTrue
            ? fmt::format("is {} owned by restricted parties ({} or more makes an affiliate)",
                          Percent(top.share), Percent(threshold))
            : fmt::format("has restricted owners whose share is not given ({} known)",
                          Percent(top.share));
    if (eu.affiliates_period == nullptr) {
      out->caveats.push_back(
          {CaveatKind::kAffiliatesRule,
           fmt::format("The end user {}; the Affiliates rule ({}) takes effect only on {}, so on "
                       "{} ownership alone does not require a license (it is a red flag that "
                       "calls for due diligence).",
                       owned, rule->citation, rule->effective.ToString(), q.date.ToString())});
    } else if (!in_effect) {
      out->caveats.push_back(
          {CaveatKind::kAffiliatesRule,
           fmt::format("The end user {}; the Affiliates rule ({}) is suspended on {} ({}), so "
                       "ownership alone does not require a license; dealings with affiliates of "
                       "listed parties remain a red flag.",
                       owned, rule->citation, q.date.ToString(), eu.affiliates_period->note)});
    } else if (eu.affiliates_period->scheduled) {
      out->caveats.push_back(
          {CaveatKind::kAffiliatesRule,
           fmt::format("The Affiliates rule applies on {} because its suspension lapsed on {} "
                       "under the suspension rule's own terms: {}",
                       q.date.ToString(), eu.affiliates_period->from.ToString(),
                       eu.affiliates_period->note)});
    }
  }

  if (!eu.license) return;
  out->license_required = {Tri::kTrue, 0};
  out->exceptions.clear();  // no license exception for Entity List parties (15 CFR 744.16(b))
  const ReviewPolicy before = out->review_policy;
  if (before == ReviewPolicy::kNone || before == ReviewPolicy::kNotRecorded ||
      out->review_decided.tri == Tri::kUnknown || PolicyRank(eu.policy) > PolicyRank(before)) {
    out->review_policy = eu.policy;
    out->review_decided = {Tri::kTrue, 0};
    out->review_clause = nullptr;
  }
}

void AddMembershipCaveats(const RuleBook::Compiled& c, const Query& q, const Plan& plan,
                          Classification* out) {
  const CountryDb& db = c.countries;
  const int dest = db.Canonical(q.destination, q.date);
  const int hq = db.Canonical(q.headquarters, q.date);
  const int countries[2] = {dest, hq};
  for (int k = 0; k < (hq == dest ? 1 : 2); ++k) {
    const int country = countries[k];
    if (!plan.uncertain.test(static_cast<std::size_t>(country))) continue;
    for (const auto& [g, m] : db.UncertainMemberships(country, q.date)) {
      if (std::find(plan.groups_used.begin(), plan.groups_used.end(), g) == plan.groups_used.end())
        continue;
      const CountryGroup& group = db.groups()[g];
      const MembershipInfo info = db.MembershipOf(g, country, q.date);
      const bool removal = m->removed_undated && m->removed && q.date < *m->removed;
      const Date by = removal ? *m->removed : *m->added;
      const std::optional<Date>& after = removal ? m->removed_after : m->added_after;
      const Country& who = db.country(country);
      Caveat cv;
      cv.kind = CaveatKind::kUndatedMembership;
      cv.country = country;
      cv.group = &group;
      cv.change = m;
      cv.assumed_member = info.member;
      cv.text = fmt::format(
          "{} ({}) {} {} on a date the sources do not give: {}by {} (the first cited snapshot "
          "that shows the change). This answer assumes the earlier state on {} ({} {}); if the "
          "change came earlier, the answer may differ.",
          who.name, who.code, removal ? "left" : "joined", group.id,
          after ? fmt::format("after {} (the last cited evidence of the earlier state) and ",
                              after->ToString())
                : "",
          by.ToString(), q.date.ToString(), info.member ? "a member of" : "not a member of",
          group.id);
      out->caveats.push_back(std::move(cv));
    }
  }
}

Date BookChecked(const RuleBook::Compiled& c) {
  Date d{9999, 12, 31};
  for (const RuleVersion& r : c.rules) d = std::min(d, r.LastChecked());
  return d;
}

}  // namespace

Result<std::vector<Owner>> ParseOwners(const std::vector<std::string>& specs,
                                       std::string_view end_user) {
  std::vector<Owner> out;
  if (specs.empty()) return out;
  if (NameTokens(end_user).empty())
    return MakeError(ErrorCode::kInvalidArgument,
                     "owners need an end user: name the party they own");
  for (const std::string& spec : specs) {
    ASSIGN_OR_RETURN(Owner o, ParseOwner(spec));
    if (SameName(o.name, end_user))
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("\"{}\": the end user cannot be its own owner", spec));
    for (const Owner& other : out)
      if (SameName(other.name, o.name))
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("\"{}\": \"{}\" is given twice", spec, o.name));
    out.push_back(std::move(o));
  }
  const std::size_t n = out.size();
  std::vector<int> target(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    if (out[i].of.empty() || SameName(out[i].of, end_user)) continue;
    for (std::size_t j = 0; j < n; ++j)
      if (j != i && SameName(out[i].of, out[j].name)) target[i] = static_cast<int>(j);
    if (target[i] < 0)
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("\"{}\": \"{}\" is neither the end user nor another owner",
                                   specs[i], out[i].of));
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t steps = 0;
    for (int t = target[i]; t >= 0; t = target[static_cast<std::size_t>(t)])
      if (++steps > n)
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("\"{}\": the ownership chain loops back to \"{}\"", specs[i], out[i].name));
  }
  for (int node = -1; node < static_cast<int>(n); ++node) {
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j)
      if (target[j] == node && out[j].percent) sum += *out[j].percent;
    if (sum > 100 + 1e-9)
      return MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("the shares in \"{}\" add up to {}, more than 100%",
                      node < 0 ? std::string(end_user) : out[static_cast<std::size_t>(node)].name,
                      Percent(sum)));
  }
  return out;
}

void FinishClassification(const RuleBook::Compiled& c, const ChipFacts& facts, const Query& q,
                          const Plan* plan, Classification* out) {
  out->data_checked = plan != nullptr ? plan->checked : BookChecked(c);
  if (plan != nullptr && !plan->uncertain.none()) AddMembershipCaveats(c, q, *plan, out);
  // End users are screened from the first rule on (the tool's scope starts there).
  if (!q.end_user.empty() && plan != nullptr) {
    EvaluateEndUser(c, q, out);
    for (const EntityNotice& n : c.entities.notices())
      out->data_checked = std::min(out->data_checked, n.LastChecked());
    if (!q.owners.empty() && c.entities.affiliates())
      out->data_checked = std::min(out->data_checked, c.entities.affiliates()->LastChecked());
  }
  if (q.import_side) {
    EvaluateImportsInto(c.imports, facts, q.destination, q.date, q.end_user, &out->import_side);
    for (const ImportHit& h : out->import_side.measures)
      out->data_checked = std::min(out->data_checked, h.measure->LastChecked());
  }
  if (out->data_checked < q.date)
    out->caveats.push_back(
        {CaveatKind::kAfterDataChecked,
         fmt::format("The date asked ({}) is after the rule data was last checked ({}): measures "
                     "taken since then are not known to this answer.",
                     q.date.ToString(), out->data_checked.ToString())});
}

}  // namespace ceiling::rules
