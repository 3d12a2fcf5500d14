// Currency of the knowledge base: when each part of the rule data was last checked, and how
// firmly it is sourced (`ceiling rules status`).
//
//   std::vector<StatusRow> rows = RulesStatus(book);
//   for (const StatusRow& r : rows) fmt::print("{} {} {}\n", r.kind, r.id, r.checked.ToString());
//
// One row per rule version, per product-specific measure inside a rule, per Entity List notice,
// for the Affiliates rule, per import measure and per country group. `checked` is the file's
// `checked` date when it has one (checked_given), else the latest date a source was read.
// `sources` counts the sources the row cites by kind. Pure; thread-safe.
#ifndef CEILING_RULES_STATUS_H_
#define CEILING_RULES_STATUS_H_

#include <array>
#include <string>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/rules/rulebook.h"

namespace ceiling::rules {

struct StatusRow {
  std::string kind;  // "rule", "measure", "entity-notice", "affiliates-rule", "import-measure",
                     // "country-group"
  std::string id;    // "us-2023-10-acs", "us-2025-04-h20-letter/h20-letter", "D:4"
  std::string title;
  std::string citation;
  std::optional<Date> effective;
  Date checked;
  bool checked_given = false;                 // from a `checked` key, not source dates
  std::array<int, 5> sources{};               // count by SourceKind
  std::vector<std::string> pending_products;  // ids named but not in the catalog yet
};

std::vector<StatusRow> RulesStatus(const RuleBook& book);
// The earliest `checked` over the rows: the date the rule data as a whole was last checked.
Date DataChecked(const std::vector<StatusRow>& rows);

}  // namespace ceiling::rules

#endif  // CEILING_RULES_STATUS_H_
