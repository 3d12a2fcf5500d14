// Private helpers shared by the rule renderers.
#ifndef CEILING_SRC_REPORT_RULES_COMMON_H_
#define CEILING_SRC_REPORT_RULES_COMMON_H_

#include <string>
#include <vector>

#include "ceiling/report/rules_report.h"

namespace ceiling::report {

// "yes", "no", "cannot-decide" (JSON) and "YES", "no", "CANNOT DECIDE" (text).
std::string TriJson(rules::Tri t);
// What a clause's outcome means, by kind: "met", "not met", "requires a license", ...
std::string OutcomeWord(const rules::Clause& clause, rules::Tri outcome,
                        const std::vector<const rules::Clause*>& excluded_by);

// Both sides of a comparison formatted so that they differ when the numbers differ:
// {"2,368", "4,800"}, {"5.919", "5.92"}.
struct SideText {
  std::string lhs, rhs;
};
SideText FormatSides(const rules::Atom& a, const rules::AtomValue& v);
// "tpp 2,368 >= tpp_a 4,800" (unknown sides: "pd unknown"); string comparisons show the
// variable's value from `facts`: market "consumer" == "datacenter".
std::string AtomSides(const rules::Atom& a, const rules::AtomValue& v,
                      const rules::ChipFacts& facts);
// AtomSides plus the outcome: "tpp 2,368 >= tpp_a 4,800: false".
std::string AtomLine(const rules::Atom& a, const rules::AtomValue& v, const rules::ChipFacts& facts);

// The status of a rule in words: "in force", "text in force; not enforced since 2025-05-13".
std::string RuleStatusText(const rules::RuleVersion& rule, const rules::RuleState& s, Date date);
// "88 FR 73458" plus ", secondary source" when the clause rests on secondary sources only.
std::string ClauseCitation(const rules::Clause& clause, const rules::RuleVersion& rule);
// Titles of a rule's sources cited by keys, "title <url> (kind)".
std::vector<std::string> SourceLines(const rules::RuleVersion& rule,
                                     const std::vector<std::string>& keys);
std::string Join(const std::vector<std::string>& parts, const std::string& sep);
// The "Import side: China" section of a classification ("" when the destination has none).
std::string ImportSideText(const rules::RuleBook& book, const rules::ImportSide& side);
// "AE in D:4: yes [dated record: left by 2026-07-23, the first cited snapshot ...]; cited: ..."
// for a dated membership (`full` = false: a short form pointing back to the first mention); a
// snapshot membership names the snapshot.
std::string MembershipText(const rules::CountryDb& db, int country, Date date,
                           const rules::MembershipNote& n, bool full);

}  // namespace ceiling::report

#endif  // CEILING_SRC_REPORT_RULES_COMMON_H_
