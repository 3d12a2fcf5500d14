#include "ceiling/rules/disputes.h"

#include <algorithm>
#include <cctype>

namespace ceiling::rules {
namespace {

std::vector<std::string> Paragraphs(const std::vector<const Clause*>& clauses) {
  std::vector<std::string> out;
  for (const Clause* c : clauses) out.push_back(c->paragraph);
  return out;
}

std::vector<std::string> Exceptions(const Classification& c) {
  std::vector<std::string> out;
  for (const ExceptionHit& e : c.exceptions)
    out.push_back(e.clause->exception + (e.eligible.tri == Tri::kUnknown ? "?" : ""));
  return out;
}

std::string Review(const Classification& c) {
  return std::string(ReviewPolicyName(c.review_policy)) +
         (c.review_decided.tri == Tri::kUnknown ? "?" : "");
}

SourceOutcome Outcome(const RuleBook& book, const catalog::Chip& chip, const Query& query) {
  SourceOutcome o;
  o.metrics = catalog::ComputeMetrics(chip);
  o.facts = FactsOf(chip, o.metrics);
  o.result = Classify(book, o.facts, query);
  return o;
}

}  // namespace

std::string_view AgreementName(Agreement a) {
  switch (a) {
    case Agreement::kNone:
      return "none";
    case Agreement::kIdentical:
      return "identical";
    case Agreement::kSameParagraphs:
      return "same-paragraphs";
    case Agreement::kDependsOnSource:
      return "depends";
  }
  return "?";
}

std::string ParagraphGroup(std::string_view paragraph) {
  const auto dot = paragraph.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == paragraph.size()) return std::string(paragraph);
  const std::string_view last = paragraph.substr(dot + 1);
  const bool numeric = std::all_of(last.begin(), last.end(), [](char ch) {
    return std::isdigit(static_cast<unsigned char>(ch)) != 0;
  });
  return std::string(numeric ? paragraph.substr(0, dot) : paragraph);
}

std::vector<std::string> ParagraphGroups(const Classification& c) {
  std::vector<std::string> out;
  for (const Clause* cl : c.controls) {
    std::string g = ParagraphGroup(cl->paragraph);
    if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(std::move(g));
  }
  return out;
}

DisputedClassification ClassifyDisputed(const RuleBook& book, const catalog::Chip& chip,
                                        const Query& query) {
  DisputedClassification d;
  SourceOutcome recorded = Outcome(book, chip, query);
  recorded.label = std::string(kRecordedLabel);
  d.outcomes.push_back(std::move(recorded));
  for (catalog::Scenario& s : catalog::AlternativeScenarios(chip)) {
    SourceOutcome o = Outcome(book, s.chip, query);
    o.label = s.label;
    for (const std::string& key : s.sources)
      if (auto it = chip.sources.find(key); it != chip.sources.end())
        o.sources.push_back(it->second);
    o.changes = std::move(s.changes);
    d.outcomes.push_back(std::move(o));
  }
  if (d.outcomes.size() == 1) return d;

  // Trace steps whose outcome differs from the record's for the same clause.
  const Classification& base = d.outcomes.front().result;
  for (std::size_t i = 1; i < d.outcomes.size(); ++i) {
    const Classification& r = d.outcomes[i].result;
    for (std::size_t k = 0; k < r.trace.size(); ++k) {
      const TraceStep& step = r.trace[k];
      const auto it = std::find_if(base.trace.begin(), base.trace.end(),
                                   [&](const TraceStep& b) { return b.clause == step.clause; });
      if (it == base.trace.end() || it->outcome.tri != step.outcome.tri ||
          it->excluded_by != step.excluded_by)
        d.outcomes[i].differing_steps.push_back(k);
    }
  }

  // Which aspects differ, compared with the record.
  auto differs = [&](auto aspect) {
    for (std::size_t i = 1; i < d.outcomes.size(); ++i)
      if (aspect(d.outcomes[i].result) != aspect(base)) return true;
    return false;
  };
  const bool groups = differs([](const Classification& c) { return ParagraphGroups(c); });
  const bool subs = differs([](const Classification& c) { return Paragraphs(c.controls); });
  const bool undecided =
      differs([](const Classification& c) { return Paragraphs(c.controls_undecided); });
  const bool license = differs([](const Classification& c) { return c.license_required.tri; });
  const bool exceptions = differs([](const Classification& c) { return Exceptions(c); });
  const bool review = differs([](const Classification& c) { return Review(c); });
  const bool measures = differs([](const Classification& c) {
    std::vector<std::string> ids;
    for (const Clause* m : c.measures) ids.push_back(m->full_id);
    return ids;
  });
  if (groups) d.differing.push_back("controls");
  if (subs && !groups) d.differing.push_back("sub-paragraphs");
  if (undecided) d.differing.push_back("undecided");
  if (license) d.differing.push_back("license");
  if (exceptions) d.differing.push_back("exceptions");
  if (review) d.differing.push_back("review");
  if (measures) d.differing.push_back("measures");
  if (d.differing.empty()) {
    d.agreement = Agreement::kIdentical;
  } else if (d.differing.size() == 1 && d.differing.front() == "sub-paragraphs") {
    d.agreement = Agreement::kSameParagraphs;
  } else {
    d.agreement = Agreement::kDependsOnSource;
  }
  return d;
}

}  // namespace ceiling::rules
