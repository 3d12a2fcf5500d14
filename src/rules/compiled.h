// Private: the compiled form of a RuleBook, shared by classification and analysis.
#ifndef CEILING_SRC_RULES_COMPILED_H_
#define CEILING_SRC_RULES_COMPILED_H_

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ceiling/rules/condition.h"
#include "ceiling/rules/entities.h"
#include "ceiling/rules/imports.h"
#include "ceiling/rules/rulebook.h"

namespace ceiling::rules {

struct CompiledClause {
  const RuleVersion* rule = nullptr;
  const Clause* clause = nullptr;
  std::uint16_t rule_index = 0;
  Condition condition;                  // Condition::True() when the clause has none
  std::uint16_t paragraph_slot = 0;     // control clauses
  std::vector<std::uint16_t> excluded_by;  // exclusion clauses covering the paragraph
  Date effective;                       // max(rule effective, clause effective)
};

// What applies in one interval of dates, in one view. Clause lists hold indices into
// Compiled::clauses, in evaluation order (reviews: highest precedence first).
struct Plan {
  std::vector<std::uint16_t> controls, exclusions, licenses, exceptions, reviews, measures;
  std::vector<std::pair<std::uint16_t, RuleStatus>> rules;  // rules with text in force
  std::vector<std::size_t> groups_used;  // country groups the applied clauses' sets name
  CountrySet uncertain;                  // countries with an assumed membership in one of them
  Date checked;                          // earliest last-checked date of the rules in `rules`
};

struct ParamSlot {
  std::uint16_t rule = 0;
  std::uint16_t index = 0;  // into RuleVersion::parameters
  bool overridden = false;
};

struct RuleBook::Compiled {
  CountryDb countries;
  std::vector<RuleVersion> rules;
  EntityDb entities;
  ImportDb imports;
  std::vector<std::pair<std::string, std::string>> overrides;
  std::vector<CompiledClause> clauses;
  std::vector<std::string> paragraphs;  // by slot
  std::vector<double> params;           // by slot, canonical units
  std::vector<ParamSlot> param_slots;
  std::vector<Date> dates;              // interval starts, sorted; interval i = [dates[i], dates[i+1])
  std::vector<std::array<Plan, 2>> plans;                  // by interval, by View
  std::vector<std::array<std::vector<RuleStatus>, 2>> status;  // by interval, view, rule
  std::vector<std::vector<CountrySet>> dest, hq;           // by interval, by clause
  Date first_rule_date;

  // The interval holding `date`, or -1 before the first change date.
  int IntervalOf(Date date) const;
  std::uint16_t ClauseIndex(const Clause* c) const;
};

}  // namespace ceiling::rules

#endif  // CEILING_SRC_RULES_COMPILED_H_
