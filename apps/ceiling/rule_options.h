// Options shared by the rule-engine subcommands (cmd_rules.cc, cmd_rules_doc.cc).
#ifndef CEILING_APPS_CEILING_RULE_OPTIONS_H_
#define CEILING_APPS_CEILING_RULE_OPTIONS_H_

#include <string>
#include <vector>

#include "ceiling/report/rules_report.h"
#include "ceiling/rules/analysis.h"
#include "ceiling/rules/screening.h"
#include "commands.h"

namespace ceiling::cli {

struct RuleOptions {
  std::vector<std::string> sets;        // --set NAME=VALUE
  std::vector<std::string> rule_files;  // --rules FILE
  std::string view = "enforced";        // --view enforced|text
  std::string date;                     // --date YYYY-MM-DD ("" = command default)
  std::string to;                       // --to CC
  std::string hq;                       // --hq CC
};

// Declares --set, --rules and --view; `with_where` adds --date, --to, --hq (with `default_to`
// and `default_date`, a description such as "the latest rule date", shown in help).
void AddRuleOptions(CLI::App* sub, RuleOptions* o, bool with_where, const char* default_to,
                    const char* default_date = nullptr);

// The bundled rule book with --set overrides and --rules files applied.
Result<rules::RuleBook> BookFor(Context& ctx, const RuleOptions& o);
// The query: --date (or `default_date`), --to (or `default_to`), --hq, --view.
Result<rules::Query> QueryFor(const rules::RuleBook& book, const RuleOptions& o,
                              std::optional<Date> default_date, const char* default_to);
// The last date on which anything in the book changes (default for "now" questions).
Date LatestDate(const rules::RuleBook& book);

// --end-user NAME, --owner SPEC (repeatable), --screening-list FILE: the end user a query names.
struct EndUserOptions {
  std::string end_user;
  std::vector<std::string> owners;
  std::string screening_list;
  std::optional<rules::ScreeningList> list;  // parsed by ApplyEndUser; the query points here
};
void AddEndUserOptions(CLI::App* sub, EndUserOptions* o);
// Puts the end user, its owners and the parsed screening list (the file is read here, the
// library parses its text) into the query. Errors name the option.
Status ApplyEndUser(EndUserOptions* o, rules::Query* q);

struct ResolvedChip {
  report::ChipLabel label;
  rules::ChipFacts facts;
};
Result<ResolvedChip> ResolveChip(Context& ctx, const std::string& id_or_path);
// Every catalog chip (optionally only the given ids), as analyses take them.
Result<std::vector<rules::ChipEntry>> CatalogChips(Context& ctx,
                                                   const std::vector<std::string>& only = {});

}  // namespace ceiling::cli

#endif  // CEILING_APPS_CEILING_RULE_OPTIONS_H_
