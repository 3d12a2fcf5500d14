// Classification under every source of a disputed figure.
//
// A chip figure may carry alternatives from other sources (Ascend 910B FP16: 320 recorded, 280
// by Gitee AI, 376 by Epoch, 220 at the low end of the range CSET gives). This layer sits above
// Classify: it classifies the record and each scenario of catalog::AlternativeScenarios with the
// same book and query, and says whether the answer is robust or depends on the source.
//
//   DisputedClassification d = ClassifyDisputed(book, chip, query);
//   if (d.agreement == Agreement::kDependsOnSource)
//     for (const SourceOutcome& o : d.outcomes) ...   // o.label, o.result, o.changes
//
// Agreement compares what an analyst acts on: the ECCN paragraphs at paragraph level (3A090.a,
// 3A090.b, 4A090.a; "3A090.a.1" and "3A090.a.2" are both 3A090.a), the undecided paragraphs, the
// license answer, the license exceptions, the review policy and the product-specific measures.
// `kSameParagraphs` means all of those agree but the sub-paragraph met differs (3A090.a.1 under
// one source, only 3A090.a.2 under another). A chip without alternatives gives kNone and a single
// outcome (the record), so callers can treat both cases alike; Classify's hot path is untouched.
//
// Pointers in the results point into the book, which must outlive them. Pure; thread-safe.
#ifndef CEILING_RULES_DISPUTES_H_
#define CEILING_RULES_DISPUTES_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/catalog/alternatives.h"
#include "ceiling/catalog/chip.h"
#include "ceiling/catalog/metrics.h"
#include "ceiling/rules/classify.h"

namespace ceiling::rules {

inline constexpr std::string_view kRecordedLabel = "as recorded";

struct SourceOutcome {
  std::string label;                     // kRecordedLabel for the record, else the scenario label
  std::vector<catalog::Source> sources;  // the scenario's sources (empty for the record)
  std::vector<catalog::FigureChange> changes;  // figures the scenario changes (empty: record)
  catalog::ChipMetrics metrics;                // metrics under this source's values
  ChipFacts facts;
  Classification result;  // traced when the query asks for a trace
  // Indexes into result.trace of the clauses whose outcome differs from the record's (or that
  // the record did not evaluate). Empty for the record and when the query has no trace.
  std::vector<std::size_t> differing_steps;
};

enum class Agreement {
  kNone,             // the chip has no disputed figure
  kIdentical,        // every source gives exactly the same answer
  kSameParagraphs,   // same answer at paragraph level; only the sub-paragraph met differs
  kDependsOnSource,  // the paragraphs, license, exceptions, review or measures differ
};
std::string_view AgreementName(Agreement a);  // "none", "identical", "same-paragraphs", "depends"

struct DisputedClassification {
  Agreement agreement = Agreement::kNone;
  std::vector<SourceOutcome> outcomes;  // [0] is the record, then one per scenario
  // What differs between outcomes, in this order: "controls", "sub-paragraphs", "undecided",
  // "license", "exceptions", "review", "measures". Empty unless the sources disagree.
  std::vector<std::string> differing;
};

DisputedClassification ClassifyDisputed(const RuleBook& book, const catalog::Chip& chip,
                                        const Query& query);

// "3A090.a" for "3A090.a.1" and "3A090.a"; "4A090.b" for "4A090.b". Paragraph-level view of a
// control paragraph (the last component is dropped when it is a number).
std::string ParagraphGroup(std::string_view paragraph);
// The paragraph groups met, in rule order without repeats ("3A090.a", "4A090.a").
std::vector<std::string> ParagraphGroups(const Classification& c);

}  // namespace ceiling::rules

#endif  // CEILING_RULES_DISPUTES_H_
