// Classification of (chip, date, destination, end-user headquarters) with a trace.
//
//   ASSIGN_OR_RETURN(RuleBook book, RuleBook::Load("data"));
//   ChipFacts facts = FactsOf(chip, catalog::ComputeMetrics(chip));
//   ASSIGN_OR_RETURN(Query q, MakeQuery(book, Date{2025, 5, 1}, "CN"));   // hq defaults to CN
//   Classification r = Classify(book, facts, q);
//   r.license_required.tri;       // Tri::kTrue: the H20 letter (a product-specific measure)
//   r.controls;                   // empty: outside 3A090 (TPP 2,368 < 4,800; PD 2.91 < 5.92 ...)
//   for (const TraceStep& s : r.trace) ...   // every clause evaluated, with inputs
//
// The result answers, for the rules that apply on the date in the chosen view:
// - controls: the control paragraphs met (3A090.a.1, 4A090.a ...); `controlled` is false when
//   the chip is outside 3A090 (including by the datacenter note), unknown when a missing metric
//   decides it;
// - license_required: yes/no/unknown, with the clauses and measures that require it;
// - exceptions: license exceptions whose eligibility holds (or is unknown) for the destination;
// - review_policy: from the most recent review clause or measure that covers the case;
// - measures: product-specific measures in force for the chip and destination;
// - rules: the rule versions whose text is in force, with their status and whether applied;
// - trace: when requested, every clause evaluated: inputs with units, parameters, comparisons,
//   set memberships, outcome, citation (through the clause).
// - end_user: when the query names one (and its owners), the Entity List rows it or its owners
//   match, with scores, and what the Affiliates rule makes of the ownership on the date; an
//   Entity List hit requires a license with the row's review policy and no license exceptions
//   (end users are screened from the first rule's date on, the tool's scope);
// - import_side: the destination's own measures (China's), a separate layer that never changes
//   the US answer above;
// - caveats: what makes the answer conditional (a group membership whose change date was not
//   found and is assumed, the Affiliates rule's suspension, a possible name match, a date after
//   the data was last checked), each in words;
// - data_checked: the date the rule data behind the answer was last checked.
// Unknown never becomes a guess: `unknown` masks name the variables that kept a result open
// (render with UnknownReasons). Dates before the first rule give `before_first_rule`.
//
// Pointers in the result point into the RuleBook, which must outlive it. Classify never fails
// (bad countries are rejected by MakeQuery) and, with trace off and a reused result, does not
// allocate. Thread safety: concurrent calls on one book are safe.
#ifndef CEILING_RULES_CLASSIFY_H_
#define CEILING_RULES_CLASSIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"
#include "ceiling/rules/condition.h"
#include "ceiling/rules/entities.h"
#include "ceiling/rules/facts.h"
#include "ceiling/rules/imports.h"
#include "ceiling/rules/rulebook.h"
#include "ceiling/rules/screening.h"

namespace ceiling::rules {

struct Query {
  Date date;
  int destination = 0;   // country index in book.countries()
  int headquarters = 0;  // country index; equals destination unless given
  bool headquarters_given = false;
  View view = View::kEnforced;
  bool trace = true;
  bool import_side = true;  // evaluate the destination's import measures
  // The end user by name ("" = not given), its owners (ParseOwners) and a screening list the
  // user supplied (may be null; it must outlive the Classification).
  std::string end_user;
  std::vector<Owner> owners;
  const ScreeningList* screening = nullptr;
};

// Resolves country codes. `headquarters` empty = same as the destination (an end user
// headquartered where it is located). Errors: unknown codes, kInvalidArgument with suggestions.
Result<Query> MakeQuery(const RuleBook& book, Date date, std::string_view destination,
                        std::string_view headquarters = "", View view = View::kEnforced);

// Parses owner specs (ParseOwner) and checks the ownership chain: every "NAME=60%>OWNED" names
// the end user or another owner, no owner owns itself (directly or through others), and owners
// need an end user. Errors: kInvalidArgument with the offending spec.
Result<std::vector<Owner>> ParseOwners(const std::vector<std::string>& specs,
                                       std::string_view end_user);

// A country's membership of one group named by a clause's set, as the trace shows it.
struct MembershipNote {
  const CountryGroup* group = nullptr;
  MembershipInfo info;
};

struct TraceStep {
  const RuleVersion* rule = nullptr;
  const Clause* clause = nullptr;
  const Condition* condition = nullptr;
  std::vector<AtomValue> atoms;            // one per condition->atoms()
  Cell condition_value;                    // the condition alone
  std::optional<bool> destination_in;      // set membership, when the clause has the set
  std::optional<bool> headquarters_in;
  std::optional<bool> product_named;       // measures
  std::vector<const Clause*> excluded_by;  // exclusions that took the paragraph out (true ones)
  Cell outcome;                            // what the clause decided
  // Memberships of the destination and headquarters in the groups the sets name.
  std::vector<MembershipNote> destination_groups, headquarters_groups;
};

enum class CaveatKind : std::uint8_t {
  kUndatedMembership,  // a membership change whose date was not found: the earlier state assumed
  kAffiliatesRule,     // the Affiliates rule's status decides the end-user answer
  kPossibleMatch,      // a name close to a listed party, below the match score
  kOtherList,          // a hit on a screening list whose effect is not modelled (not the EL)
  kAfterDataChecked,   // the date asked is after the rule data was last checked
  kScript,             // a name written in a script the bundled rows are not (they are Latin)
};
std::string_view CaveatKindName(CaveatKind k);  // "undated-membership", ...

struct Caveat {
  CaveatKind kind = CaveatKind::kUndatedMembership;
  std::string text;  // one sentence, for every renderer
  // kUndatedMembership: whose membership, of which group, and the dated record.
  int country = -1;
  const CountryGroup* group = nullptr;
  const Membership* change = nullptr;
  bool assumed_member = false;
};

// Screening of one name.
struct PartyScreening {
  std::string name;
  std::vector<ScreenHit> hits;   // Entity List (or other list) rows in force, score >= match
  std::vector<ScreenHit> other;  // possible matches, and matching rows not in force on the date
};

struct OwnerResult {
  Owner owner;
  PartyScreening screening;
  // Listed itself, or (under the Affiliates rule's terms) owned enough by listed parties.
  Tri restricted = Tri::kFalse;
  const ListedParty* via = nullptr;  // the Entity List row behind `restricted`
};

struct EndUserResult {
  bool given = false;
  PartyScreening end_user;
  std::vector<OwnerResult> owners;
  bool listed = false;                     // the end user matches an Entity List row in force
  Tri affiliate = Tri::kFalse;             // owned >= the threshold by restricted owners
  std::optional<double> restricted_share;  // known share (percent) held by restricted owners
  bool share_unknown = false;              // a restricted owner's share is not given
  const AffiliatesRule* affiliates_rule = nullptr;
  const AffiliatesPeriod* affiliates_period = nullptr;  // on the date; nullptr before the rule
  bool license = false;                                 // the end-user controls require a license
  const ListedParty* basis = nullptr;                   // the row that requires it
  std::string reason;                                   // "listed", "affiliate", "red-flag-29"
  ReviewPolicy policy = ReviewPolicy::kNone;
};

struct ExceptionHit {
  const Clause* clause = nullptr;
  Cell eligible;  // kTrue or kUnknown
};

struct RuleState {
  const RuleVersion* rule = nullptr;
  RuleStatus status = RuleStatus::kInForce;
  bool applied = true;
};

struct Classification {
  Query query;
  bool before_first_rule = false;

  std::vector<const Clause*> controls;  // paragraphs met, in rule order
  std::vector<const Clause*> controls_undecided;
  std::uint32_t controls_unknown = 0;  // variables that left controls_undecided open
  Cell controlled;

  Cell license_required;
  std::vector<const Clause*> license_basis;       // license clauses and measures that hold
  std::vector<const Clause*> license_undecided;   // those that are unknown

  std::vector<ExceptionHit> exceptions;
  bool exceptions_blocked = false;  // a measure requires a license that exceptions do not cover

  ReviewPolicy review_policy = ReviewPolicy::kNone;
  Cell review_decided;  // kUnknown when a review clause's applicability is unknown
  const Clause* review_clause = nullptr;

  std::vector<const Clause*> measures;  // product-specific measures that apply
  std::vector<RuleState> rules;
  std::vector<TraceStep> trace;

  EndUserResult end_user;
  ImportSide import_side;
  std::vector<Caveat> caveats;
  Date data_checked;  // the earliest last-checked date of the data the answer used

  // Scratch for evaluation (kept to avoid allocation when the result is reused).
  std::vector<Cell> scratch_clause;
  std::vector<Cell> scratch_paragraph;
  std::vector<AtomValue> scratch_atoms;
};

Classification Classify(const RuleBook& book, const ChipFacts& facts, const Query& query);
// Reuses `out`'s storage.
void ClassifyInto(const RuleBook& book, const ChipFacts& facts, const Query& query,
                  Classification* out);

// "PD unknown because die area unknown: ..." for each variable in `unknown` (Bit(Var) mask).
std::vector<std::string> UnknownReasons(const ChipFacts& facts, std::uint32_t unknown);

// Whether two outcomes are the same for timelines, matrices and diffs: the paragraphs met (and
// undecided), the license requirement, the exceptions, the review policy and the measures.
bool SameOutcome(const Classification& a, const Classification& b);
// A compact summary of an outcome, for display and tests:
// "3A090.a.1 3A090.a.2 4A090.a | license: yes | NAC | presumption-of-denial | measures: ...".
std::string StatusKey(const Classification& c);

}  // namespace ceiling::rules

#endif  // CEILING_RULES_CLASSIFY_H_
