#include "ceiling/api/rules_api.h"

#include <fmt/format.h>

#include <algorithm>

#include "ceiling/api/catalog_api.h"
#include "ceiling/report/table.h"
#include "ceiling/rules/screening.h"

namespace ceiling::api {

namespace {

report::ChipLabel LabelOf(const catalog::Chip& c) { return {c.id, c.name}; }

rules::ChipFacts FactsOfChip(const KnowledgeBase& kb, const catalog::Chip& chip, bool inline_chip) {
  const catalog::ChipMetrics* m = inline_chip ? nullptr : kb.catalog().MetricsOf(chip.id);
  return m != nullptr ? rules::FactsOf(chip, *m)
                      : rules::FactsOf(chip, catalog::ComputeMetrics(chip));
}

}  // namespace

Result<rules::RuleBook> BookFor(const KnowledgeBase& kb, const RuleSettings& settings) {
  rules::RuleBook book = kb.rules();
  for (const Text& t : settings.add_rules) {
    auto next = book.WithRuleText(t.text, t.name.empty() ? "rules" : t.name);
    if (!next.ok()) return WithField(next.error(), "rules");
    book = std::move(*next);
  }
  for (const std::string& s : settings.set) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      return FieldError("set", fmt::format("expected NAME=VALUE, got \"{}\"", s));
    ASSIGN_OR_RETURN(book, book.WithParameter(s.substr(0, eq), s.substr(eq + 1)));
  }
  return book;
}

Result<rules::Query> QueryFor(const rules::RuleBook& book, const Place& at, std::string_view view,
                              std::optional<Date> default_date) {
  Date date;
  if (!at.date.empty()) {
    auto d = ParseDate(at.date);
    if (!d.ok()) return FieldError("date", d.error().message);
    date = *d;
  } else if (default_date) {
    date = *default_date;
  } else {
    return FieldError("date", "is required (YYYY-MM-DD)");
  }
  if (at.to.empty()) return FieldError("to", "is required (an ISO 3166 alpha-2 code such as CN)");
  auto dest = book.countries().Resolve(at.to);
  if (!dest.ok()) return FieldError("to", dest.error().message);
  auto q = rules::MakeQuery(book, date, at.to, "",
                            view == "text" ? rules::View::kText : rules::View::kEnforced);
  if (!q.ok()) return WithField(q.error(), "to");
  if (!at.hq.empty()) {
    auto hq = book.countries().Resolve(at.hq);
    if (!hq.ok()) return FieldError("hq", hq.error().message);
    q->headquarters = *hq;
    q->headquarters_given = true;
  }
  return q;
}

Result<std::shared_ptr<const rules::ScreeningList>> ApplyEndUser(const EndUserFields& e,
                                                                 rules::Query* q) {
  if (e.end_user.empty()) {
    if (!e.owners.empty())
      return FieldError("owners", "owners need an end user (the party screened)");
    if (e.screening_list)
      return FieldError("screening_list",
                        "a screening list needs an end user (the party screened)");
    return std::shared_ptr<const rules::ScreeningList>();
  }
  // A name with nothing to compare ("   ", "--") would screen as "no match": refuse it.
  if (rules::NameTokens(e.end_user).empty())
    return FieldError("end_user", "has no letters or digits to screen; give the party's name");
  q->end_user = e.end_user;
  auto owners = rules::ParseOwners(e.owners, e.end_user);
  if (!owners.ok()) return WithField(owners.error(), "owners");
  q->owners = std::move(*owners);
  std::shared_ptr<const rules::ScreeningList> list;
  if (e.screening_list) {
    auto parsed = rules::ScreeningList::Parse(
        e.screening_list->text,
        e.screening_list->name.empty() ? "screening_list" : e.screening_list->name);
    if (!parsed.ok()) return WithField(parsed.error(), "screening_list");
    list = std::make_shared<const rules::ScreeningList>(std::move(*parsed));
    q->screening = list.get();
  }
  return list;
}

Result<std::vector<rules::ChipEntry>> ChipEntries(const KnowledgeBase& kb,
                                                  const std::vector<std::string>& ids,
                                                  std::string_view field) {
  if (ids.empty()) return kb.chip_entries();
  for (const std::string& id : ids) {
    auto c = kb.catalog().Resolve(id);
    if (!c.ok()) return WithField(c.error(), field);
  }
  std::vector<rules::ChipEntry> out;
  for (const rules::ChipEntry& e : kb.chip_entries())
    if (std::find(ids.begin(), ids.end(), e.id) != ids.end()) out.push_back(e);
  return out;
}

// classify ---------------------------------------------------------------------------------------

Result<ClassifyResponse> Classify(const KnowledgeBase& kb, ClassifyRequest request) {
  RETURN_IF_ERROR(request.Validate());
  ClassifyResponse r;
  ASSIGN_OR_RETURN(r.book, BookFor(kb, request.rules));
  ASSIGN_OR_RETURN(rules::Query q, QueryFor(*r.book, request.at, request.rules.view));
  ASSIGN_OR_RETURN(r.screening, ApplyEndUser(request.end_user, &q));
  ASSIGN_OR_RETURN(r.chip, ResolveChip(kb, request.chip, "chip"));
  r.label = LabelOf(*r.chip);
  r.facts = FactsOfChip(kb, *r.chip, request.chip.toml.has_value());
  q.trace = request.trace;
  if (catalog::HasAlternatives(*r.chip)) {
    r.disputed = rules::ClassifyDisputed(*r.book, *r.chip, q);
    r.result = r.disputed->outcomes.front().result;
  } else {
    r.result = rules::Classify(*r.book, r.facts, q);
  }
  return r;
}

nlohmann::json ToJson(const ClassifyResponse& r) {
  if (r.disputed)
    return report::ClassificationJson(*r.book, r.label, r.facts, r.result, *r.disputed);
  return report::ClassificationJson(*r.book, r.label, r.facts, r.result);
}
std::string ToJsonText(const ClassifyResponse& r) {
  if (r.disputed)
    return report::ClassificationJsonText(*r.book, r.label, r.facts, r.result, *r.disputed);
  return report::ClassificationJsonText(*r.book, r.label, r.facts, r.result);
}
std::string ToText(const ClassifyResponse& r) {
  if (r.disputed)
    return report::WrapReport(
        report::ClassificationText(*r.book, r.label, r.facts, r.result, *r.disputed));
  return report::WrapReport(report::ClassificationText(*r.book, r.label, r.facts, r.result));
}

// timeline ---------------------------------------------------------------------------------------

Result<TimelineResponse> Timeline(const KnowledgeBase& kb, TimelineRequest request) {
  RETURN_IF_ERROR(request.Validate());
  TimelineResponse r;
  ASSIGN_OR_RETURN(r.book, BookFor(kb, request.rules));
  ASSIGN_OR_RETURN(r.query,
                   QueryFor(*r.book, request.at, request.rules.view, r.book->first_rule_date()));
  ASSIGN_OR_RETURN(r.screening, ApplyEndUser(request.end_user, &r.query));
  ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Chip> chip,
                   ResolveChip(kb, request.chip, "chip"));
  r.label = LabelOf(*chip);
  const rules::ChipFacts facts = FactsOfChip(kb, *chip, request.chip.toml.has_value());
  r.entries = rules::Timeline(*r.book, facts, r.query);
  r.imports = rules::ImportTimeline(r.book->imports(), facts, r.query.destination,
                                    r.query.end_user);
  return r;
}

nlohmann::json ToJson(const TimelineResponse& r) {
  return report::TimelineJson(*r.book, r.label, r.query, r.entries, r.imports);
}
std::string ToText(const TimelineResponse& r) {
  return report::WrapReport(report::TimelineText(*r.book, r.label, r.query, r.entries, r.imports));
}

// matrix -----------------------------------------------------------------------------------------

Result<MatrixResponse> Matrix(const KnowledgeBase& kb, MatrixRequest request) {
  RETURN_IF_ERROR(request.Validate());
  MatrixResponse r;
  ASSIGN_OR_RETURN(r.book, BookFor(kb, request.rules));
  ASSIGN_OR_RETURN(r.query,
                   QueryFor(*r.book, request.at, request.rules.view, r.book->first_rule_date()));
  ASSIGN_OR_RETURN(r.chips, ChipEntries(kb, request.chips));
  r.matrix = rules::MigrationMatrix(*r.book, r.chips, r.query);
  return r;
}

nlohmann::json ToJson(const MatrixResponse& r) {
  return report::MatrixJson(*r.book, r.chips, r.query, r.matrix);
}
std::string ToText(const MatrixResponse& r) {
  return report::MatrixText(*r.book, r.chips, r.query, r.matrix);
}
std::string ToCsv(const MatrixResponse& r) { return report::MatrixCsv(r.chips, r.matrix); }

// headroom ---------------------------------------------------------------------------------------

namespace {

Date LatestDate(const rules::RuleBook& book) {
  Date d = book.first_rule_date();
  for (Date c : book.change_dates()) d = std::max(d, c);
  return d;
}

}  // namespace

Result<HeadroomResponse> Headroom(const KnowledgeBase& kb, HeadroomRequest request) {
  RETURN_IF_ERROR(request.Validate());
  HeadroomResponse r;
  ASSIGN_OR_RETURN(r.book, BookFor(kb, request.rules));
  ASSIGN_OR_RETURN(r.query, QueryFor(*r.book, request.at, request.rules.view, LatestDate(*r.book)));
  ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Chip> chip,
                   ResolveChip(kb, request.chip, "chip"));
  r.label = LabelOf(*chip);
  r.rows = rules::Headroom(*r.book, FactsOfChip(kb, *chip, request.chip.toml.has_value()),
                           r.query);
  return r;
}

nlohmann::json ToJson(const HeadroomResponse& r) {
  return report::HeadroomJson(r.label, r.query, r.rows);
}
std::string ToText(const HeadroomResponse& r) {
  return report::WrapReport(report::HeadroomText(r.label, r.query, r.rows));
}

// whatif -----------------------------------------------------------------------------------------

Status WhatIfRequest::Validate() {
  RETURN_IF_ERROR(CheckFields(*this));
  if (!rules.changes_book())
    return FieldError("set", "what-if needs a parameter override or an added rule");
  return OkStatus();
}

Result<WhatIfResponse> WhatIf(const KnowledgeBase& kb, WhatIfRequest request) {
  RETURN_IF_ERROR(request.Validate());
  WhatIfResponse r;
  r.before = kb.rules();
  ASSIGN_OR_RETURN(r.after, BookFor(kb, request.rules));
  ASSIGN_OR_RETURN(r.query,
                   QueryFor(*r.after, request.at, request.rules.view, LatestDate(*r.after)));
  r.chips = kb.chip_entries();
  r.changes = rules::CompareBooks(*r.before, *r.after, r.chips, r.query);
  for (const std::string& s : request.rules.set) r.settings.push_back(s);
  for (const Text& t : request.rules.add_rules)
    r.settings.push_back(fmt::format("rule file {} is added", t.name.empty() ? "rules" : t.name));
  return r;
}

nlohmann::json ToJson(const WhatIfResponse& r) {
  return report::WhatIfJson(*r.after, r.settings, r.chips, r.query, r.changes);
}
std::string ToText(const WhatIfResponse& r) {
  return report::WhatIfText(*r.after, r.settings, r.chips, r.query, r.changes);
}

// rules list / show / diff -----------------------------------------------------------------------

Result<RulesListResponse> RulesList(const KnowledgeBase& kb, RulesListRequest request) {
  RETURN_IF_ERROR(request.Validate());
  RulesListResponse r;
  ASSIGN_OR_RETURN(r.book, BookFor(kb, request.rules));
  return r;
}

nlohmann::json ToJson(const RulesListResponse& r) { return report::RuleListJson(*r.book); }
std::string ToText(const RulesListResponse& r) { return report::RuleListText(*r.book); }

Result<RuleShowResponse> RuleShow(const KnowledgeBase& kb, RuleShowRequest request) {
  RETURN_IF_ERROR(request.Validate());
  RuleShowResponse r;
  ASSIGN_OR_RETURN(r.book, BookFor(kb, request.rules));
  auto rule = r.book->ResolveRule(request.id);
  if (!rule.ok()) return WithField(rule.error(), "id");
  r.rule = *rule;
  return r;
}

nlohmann::json ToJson(const RuleShowResponse& r) { return report::RuleJson(*r.book, *r.rule); }
std::string ToText(const RuleShowResponse& r) {
  return report::WrapReport(report::RuleText(*r.book, *r.rule));
}

Result<RulesDiffResponse> RulesDiff(const KnowledgeBase& kb, RulesDiffRequest request) {
  RETURN_IF_ERROR(request.Validate());
  RulesDiffResponse r;
  ASSIGN_OR_RETURN(r.book, BookFor(kb, request.rules));
  auto a = r.book->ResolveRule(request.a);
  if (!a.ok()) return WithField(a.error(), "a");
  auto b = r.book->ResolveRule(request.b);
  if (!b.ok()) return WithField(b.error(), "b");
  r.a = *a;
  r.b = *b;
  ASSIGN_OR_RETURN(r.query, QueryFor(*r.book, request.at, request.rules.view, r.a->effective));
  r.chips = kb.chip_entries();
  r.changes = rules::CompareRules(*r.book, *r.a, *r.b, r.chips, r.query);
  return r;
}

nlohmann::json ToJson(const RulesDiffResponse& r) {
  return report::RuleDiffJson(*r.book, *r.a, *r.b, r.chips, r.query, r.changes);
}
std::string ToText(const RulesDiffResponse& r) {
  return report::WrapReport(report::RuleDiffText(*r.book, *r.a, *r.b, r.chips, r.query, r.changes));
}

// rules status -----------------------------------------------------------------------------------

Result<RulesStatusResponse> RulesStatus(const KnowledgeBase& kb, RulesStatusRequest request) {
  RETURN_IF_ERROR(request.Validate());
  ASSIGN_OR_RETURN(rules::RuleBook book, BookFor(kb, request.rules));
  return RulesStatusResponse{rules::RulesStatus(book)};
}

nlohmann::json ToJson(const RulesStatusResponse& r) { return report::RulesStatusJson(r.rows); }
std::string ToText(const RulesStatusResponse& r) { return report::RulesStatusText(r.rows); }

// chip map ---------------------------------------------------------------------------------------

Result<ChipMapResponse> ChipMap(const KnowledgeBase& kb, ChipMapRequest request) {
  RETURN_IF_ERROR(request.Validate());
  ChipMapResponse r;
  ASSIGN_OR_RETURN(r.book, BookFor(kb, request.rules));
  ASSIGN_OR_RETURN(rules::Query q,
                   QueryFor(*r.book, request.at, request.rules.view, LatestDate(*r.book)));
  r.chips = kb.chip_entries();
  r.map = rules::BuildMap(*r.book, r.chips, q);
  return r;
}

nlohmann::json ToJson(const ChipMapResponse& r) {
  return report::ChipMapJson(*r.book, r.chips, r.map);
}
std::string ToSvg(const ChipMapResponse& r) { return report::ChipMapSvg(*r.book, r.chips, r.map); }

}  // namespace ceiling::api
