// The rule book: every rule version and the country groups, compiled for classification.
//
//   ASSIGN_OR_RETURN(RuleBook book, RuleBook::Load("data"));   // data/countries, data/rules
//   ASSIGN_OR_RETURN(RuleBook what_if, book.WithParameter("tpp_a", "4000"));
//   ASSIGN_OR_RETURN(RuleBook mine, book.WithRuleFile("my-rule.toml"));
//   RuleStatus s = book.StatusOf(*book.FindRule("us-2025-01-aid"), Date{2025, 6, 1},
//                                View::kEnforced);           // kNotEnforced
//
// Building compiles every condition once (errors at file:line:col with the offending column),
// resolves `supersedes`, `meets()` paragraphs and parameters, and precomputes, for every
// interval between two dates on which anything changes (a rule, a clause, an enforcement
// status, a group membership), which clauses apply and which countries each clause's sets
// hold. Classification is then a date lookup plus a few compiled conditions.
//
// Two views of the law: kText applies every rule whose text is in force (the AI Diffusion rule
// from 2025-01-13, though BIS stopped enforcing it on 2025-05-13); kEnforced applies what an
// exporter must comply with and BIS enforces (no AI Diffusion rule at all: its compliance date
// came after the non-enforcement announcement).
//
// A RuleBook is immutable and cheap to copy (shared state); share it across threads freely.
#ifndef CEILING_RULES_RULEBOOK_H_
#define CEILING_RULES_RULEBOOK_H_

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/rules/countries.h"
#include "ceiling/rules/entities.h"
#include "ceiling/rules/imports.h"
#include "ceiling/rules/rule.h"

namespace ceiling::rules {

enum class View : std::uint8_t { kEnforced = 0, kText = 1 };
std::string_view ViewName(View v);  // "enforced", "text"

enum class RuleStatus : std::uint8_t {
  kNotYetEffective,
  kInForce,
  kComplianceDeferred,  // text in force, compliance not yet required
  kNotEnforced,         // text in force, not enforced
  kSuperseded,
};
std::string_view RuleStatusName(RuleStatus s);  // "in-force", "compliance-deferred", ...
// Whether a rule in this status is applied in the view.
bool Applies(RuleStatus s, View v);

struct ParameterInfo {
  const RuleVersion* rule = nullptr;
  const Parameter* parameter = nullptr;
  double value = 0;  // in force in this book (canonical units)
  bool overridden = false;
};

class RuleBook {
 public:
  // Loads `data_dir`/countries, every `data_dir`/rules/*.toml (sorted by path), and, when the
  // folders exist, the end-user data `data_dir`/entities and the import side `data_dir`/import.
  static Result<RuleBook> Load(const std::filesystem::path& data_dir);
  static Result<RuleBook> Build(CountryDb countries, std::vector<RuleVersion> rules,
                                EntityDb entities = {}, ImportDb imports = {});

  // A copy with parameter NAME (every rule's) or RULE.NAME set to VALUE ("4000", "6 TB/s").
  // Errors (kInvalidArgument, field "set"): unknown name (with suggestions), unparsable value, a
  // value whose unit does not match the parameter's.
  Result<RuleBook> WithParameter(std::string_view name, std::string_view value) const;
  // A copy with one more rule version (a user's file). Its id must be new.
  Result<RuleBook> WithRule(RuleVersion rule) const;
  Result<RuleBook> WithRuleFile(const std::filesystem::path& path) const;
  // The same from TOML text; `display_name` stands for the file in diagnostics.
  Result<RuleBook> WithRuleText(std::string_view text, std::string display_name) const;

  const CountryDb& countries() const;
  const EntityDb& entities() const;
  const ImportDb& imports() const;
  // Sorted by effective date, then id.
  const std::vector<RuleVersion>& rules() const;
  const RuleVersion* FindRule(std::string_view id) const;
  // FindRule or kInvalidArgument "unknown rule \"x\"; did you mean ...?".
  Result<const RuleVersion*> ResolveRule(std::string_view id) const;
  std::vector<ParameterInfo> Parameters() const;

  RuleStatus StatusOf(const RuleVersion& rule, Date date, View view) const;
  // The rule that wholly supersedes `rule` on `date` in `view`, if any.
  const RuleVersion* SupersededBy(const RuleVersion& rule, Date date, View view) const;
  // Every date on which something changes, sorted.
  const std::vector<Date>& change_dates() const;
  // The earliest effective date of any rule.
  Date first_rule_date() const;
  // What happens on `date`, in words ("us-2023-10-acs takes effect (88 FR 73458)").
  std::vector<std::string> EventsOn(Date date) const;

  // Cross-checks with the chip catalog: every product a measure (or an import measure) names in
  // `products` is a catalog id; `pending_products` are not checked. Returns one located error
  // per finding (empty when consistent).
  std::vector<Error> CheckAgainstCatalog(const catalog::Catalog& catalog) const;

  struct Compiled;  // private, see src/rules/compiled.h
  const Compiled& compiled() const { return *c_; }

 private:
  explicit RuleBook(std::shared_ptr<const Compiled> c) : c_(std::move(c)) {}
  static Result<RuleBook> Compile(CountryDb countries, std::vector<RuleVersion> rules,
                                  EntityDb entities, ImportDb imports,
                                  std::vector<std::pair<std::string, std::string>> overrides);
  std::shared_ptr<const Compiled> c_;
};

}  // namespace ceiling::rules

#endif  // CEILING_RULES_RULEBOOK_H_
