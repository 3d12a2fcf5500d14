// One rule version as data: the record a data/rules/*.toml file holds.
//
// A rule version (a Federal Register rule, or a measure announced another way) has dates,
// enforcement status over time, named parameters (thresholds a what-if may override) and
// clauses. Clause kinds:
//
//   control    a control paragraph (3A090.a.1) met when `condition` holds
//   exclusion  a note taking paragraphs out of control when `condition` holds (Note 2 to 3A090)
//   license    a license requirement: `applies_to` (over met paragraphs) for `destinations`
//              and/or end users headquartered in `headquarters`
//   exception  a license exception (NAC, ACA, LPP, AIA, HBM) with its `eligible` condition
//   review     a license review policy for `applies_to` and the destinations
//   measure    a product-specific measure on named catalog ids (a letter, a licensing deal with
//              a revenue share): requires a license or sets the terms of licenses
//
//   ASSIGN_OR_RETURN(RuleVersion r, LoadRuleFile("data/rules/us-2023-10-acs.toml", countries));
//   for (const Clause& c : r.clauses) fmt::print("{} {}\n", c.full_id, TextBasisName(c.basis));
//
// Loading checks the schema strictly (unknown keys, missing keys, dates, sources, set
// expressions) and reports file:line:col. Conditions are compiled later by RuleBook, which
// knows every rule's paragraphs; their text keeps its location for diagnostics.
#ifndef CEILING_RULES_RULE_H_
#define CEILING_RULES_RULE_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"
#include "ceiling/base/units.h"
#include "ceiling/rules/countries.h"
#include "ceiling/rules/source.h"

namespace ceiling::rules {

// Text read from a file, with where it was written (for diagnostics after loading).
struct LocatedText {
  std::string text;
  SourceLocation location;  // of the value (its opening quote)
  std::string line;         // the source line
  std::string key_path;     // "clause[3].condition"
};

enum class ClauseKind { kControl, kExclusion, kLicense, kException, kReview, kMeasure };
std::string_view ClauseKindName(ClauseKind k);  // "control", ...

enum class ReviewPolicy : std::uint8_t {
  kNone,                   // no license required, so no review
  kPresumptionOfDenial,
  kPresumptionOfApproval,
  kCaseByCase,
  kNotPublished,           // licenses required, review policy not published
  kNotRecorded,            // no review clause in the data covers this case
};
std::string_view ReviewPolicyName(ReviewPolicy p);   // "presumption-of-denial"
std::string_view ReviewPolicyTitle(ReviewPolicy p);  // "presumption of denial"

enum class MeasureEffect { kLicenseRequired, kLicenseTerms };
std::string_view MeasureEffectName(MeasureEffect e);  // "license-required", "license-terms"

// How destination and headquarters sets combine: both must hold, or either.
enum class Match { kAll, kAny };

struct Parameter {
  std::string name;   // "tpp_a"
  std::string title;  // "3A090.a.1 TPP threshold"
  double value = 0;   // canonical units (facts.h)
  DimVector dim;
  std::string text;   // as written: "4800", "6500 GB/s"
  std::vector<std::string> sources;
  std::string note;
  SourceLocation location;
};

struct Clause {
  std::string id;       // unique within the rule: "3A090.a.1", "lic-dest"
  std::string full_id;  // "us-2023-10-acs/3A090.a.1"
  ClauseKind kind = ClauseKind::kControl;
  std::string title;    // short description in the project's words
  std::string note;
  std::optional<Date> effective;        // when later than the rule's effective date
  std::vector<std::string> supersedes;  // rule ids or "rule/clause" ids
  std::vector<std::string> sources;
  TextBasis basis = TextBasis::kSecondary;     // strongest source kind; kSecondary is marked in output
  SourceLocation location;
  std::string key_path;                 // "clause[3]", for diagnostics after loading
  SourceLocation supersedes_location, excludes_location;

  std::string paragraph;               // control
  std::vector<std::string> excludes;   // exclusion: paragraph prefixes
  // control/exclusion: `condition`; license/review/measure: `applies_to`; exception: `eligible`.
  std::optional<LocatedText> condition;
  std::optional<SetExpr> destinations, headquarters;
  Match match = Match::kAll;

  std::string exception;      // exception: "NAC"
  bool notification = false;  // exception: prior notification to BIS required

  ReviewPolicy policy = ReviewPolicy::kNone;  // review; measure (optional)
  std::vector<std::string> conditions;        // license conditions, in words (review, measure)

  std::vector<std::string> products;          // measure: catalog ids
  std::vector<std::string> pending_products;  // measure: ids of named products the catalog does
                                              // not hold yet (matched like products; not checked)
  std::string products_text;                  // measure: "NVIDIA H20, AMD MI308 and equivalents"
  MeasureEffect effect = MeasureEffect::kLicenseRequired;
  std::optional<double> revenue_share;        // measure: 0.15
  std::string equivalents;                    // measure: what "equivalents" means, if stated
};

enum class EnforcementStatus { kEnforced, kNotEnforced };

struct Enforcement {
  Date from;
  EnforcementStatus status = EnforcementStatus::kEnforced;
  std::vector<std::string> sources;
  std::string note;
};

// A finding about the rule's legal standing that does not change what is enforced (GAO's
// decision that the AI Diffusion rule's non-enforcement announcement was a rule never submitted
// to Congress, so the rule remains legally in effect).
struct LegalNote {
  Date date;
  std::string finding;  // in the project's words
  std::vector<std::string> sources;
  std::string note;
};

struct RuleVersion {
  std::string id;           // "us-2023-10-acs"
  std::string title;        // the rule's title
  std::string short_title;  // "Oct 2023 advanced computing IFR"
  std::string citation;     // "88 FR 73458" (or how the measure was made known)
  std::string document;     // "FR Doc 2023-23055"
  std::string summary;
  std::optional<Date> published;
  Date effective;
  std::optional<Date> compliance;
  std::vector<std::string> supersedes;
  std::vector<Enforcement> enforcement;
  std::vector<LegalNote> legal;  // in date order
  std::optional<Date> checked;   // when the file was last checked against its sources
  std::vector<Parameter> parameters;
  std::vector<Clause> clauses;
  std::vector<std::string> sources;  // the rule's own citation
  SourceMap source_map;
  std::string file;
  SourceLocation location;             // of the id
  SourceLocation supersedes_location;

  const Clause* FindClause(std::string_view id) const;
  const Parameter* FindParameter(std::string_view name) const;
  // Secondary-basis clauses, in file order.
  std::vector<const Clause*> SecondaryClauses() const;
  // `checked` if given, else the latest `read` date of the rule's sources.
  Date LastChecked() const;
};

Result<RuleVersion> LoadRuleFile(const std::filesystem::path& path, const CountryDb& countries,
                                 std::string display_name = "");
Result<RuleVersion> ParseRule(const TomlTable& doc, const CountryDb& countries);
// The same from TOML text; `display_name` stands for the file in diagnostics.
Result<RuleVersion> ParseRuleText(std::string_view text, std::string display_name,
                                  const CountryDb& countries);

// Parses a parameter value as written in a file or on the command line: a plain number, or a
// quantity string with a unit ("6500 GB/s", "6.5 TB/s"). Returns the canonical value and dim.
struct ParsedValue {
  double value = 0;
  DimVector dim;
};
Result<ParsedValue> ParseParameterValue(std::string_view text);

}  // namespace ceiling::rules

#endif  // CEILING_RULES_RULE_H_
