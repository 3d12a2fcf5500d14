// End users: Entity List entries, the Affiliates ("50 percent") rule, and the parties a query
// names (the end user and its owners).
//
// data/entities/ holds one file per Federal Register notice that added parties relevant to
// advanced computing (`kind = "entity-list-notice"`, one [[entry]] per party, each with its
// license requirement and review policy as the notice's row says) and the Affiliates rule
// (`kind = "affiliates-rule"`: the 50 percent threshold and the periods in which it is in
// effect, suspended, or scheduled to return). See docs/data-format.md.
//
//   ASSIGN_OR_RETURN(EntityDb db, EntityDb::Load("data/entities"));
//   for (const ListedParty* p : db.parties()) fmt::print("{} ({})\n", p->name, p->citation);
//   const AffiliatesPeriod* now = db.affiliates()->PeriodOn(Date{2026, 1, 5});  // suspended
//   ASSIGN_OR_RETURN(Owner o, ParseOwner("Huawei Technologies=60%"));    // 60% of the end user
//
// A user-supplied screening list (the Consolidated Screening List format) becomes the same
// ListedParty records (screening.h). Errors: file:line:col for data files, kInvalidArgument
// with the offending spec for owners. A loaded EntityDb is immutable and thread-safe.
#ifndef CEILING_RULES_ENTITIES_H_
#define CEILING_RULES_ENTITIES_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"
#include "ceiling/rules/rule.h"
#include "ceiling/rules/source.h"

namespace ceiling::rules {

struct EntityNotice;

// One party on a restricted-party list.
struct ListedParty {
  std::string name;
  std::vector<std::string> aliases;
  std::string country;         // as the list writes it: "CN", "China"
  std::string list;            // "Entity List", or the CSL `source` of a user-list row
  bool entity_list = true;     // an Entity List row: it sets a license requirement
  std::string citation;        // the Federal Register citation of the row ("88 FR 71991")
  std::optional<Date> listed;  // in force from (bundled: the notice's effective date)
  std::optional<Date> removed;
  std::string license_requirement;  // as the row says: "For all items subject to the EAR"
  ReviewPolicy policy = ReviewPolicy::kNotRecorded;  // parsed from the row
  std::string policy_text;                           // as the row says
  std::string footnote;  // "FN4" (foreign direct product rule), if the row has one
  std::string note;
  std::vector<std::string> sources;      // bundled: keys into the notice's sources
  const EntityNotice* notice = nullptr;  // bundled rows: the notice; nullptr for user rows
  std::string origin;  // where the row was read: "data/entities/x.toml:12:1", "list.csv:4"
  // Normalised name tokens (screening.h), index 0 = name, then the aliases in order.
  std::vector<std::vector<std::string>> tokens;

  bool InForce(Date d) const { return (!listed || *listed <= d) && (!removed || d < *removed); }
};

// A Federal Register notice that added parties (data/entities/<id>.toml).
struct EntityNotice {
  std::string id;
  std::string title;
  std::string citation;  // "88 FR 71991", or how the notice is known when the page was not found
  std::string document;  // "FR Doc 2023-23048"
  std::optional<Date> published;
  Date effective;
  std::optional<Date> checked;
  std::string summary;
  std::vector<std::string> sources;
  SourceMap source_map;
  std::string file;
  std::vector<ListedParty> entries;

  Date LastChecked() const;
};

enum class AffiliatesStatus : std::uint8_t { kNotYetIssued, kInEffect, kSuspended };
std::string_view AffiliatesStatusName(AffiliatesStatus s);  // "in-effect", "suspended", ...

struct AffiliatesPeriod {
  Date from;
  AffiliatesStatus status = AffiliatesStatus::kInEffect;
  // The period follows from a published schedule (a suspension that lapses on a date) and no
  // later action was found: the answer says so.
  bool scheduled = false;
  std::vector<std::string> sources;
  std::string note;
};

// The Affiliates rule: parties owned `threshold_percent` or more, directly or indirectly,
// individually or in aggregate, by listed parties are treated as listed (the most restrictive
// owner's license requirement and review policy). A listed owner whose share cannot be
// determined also requires a license (Red Flag 29).
struct AffiliatesRule {
  std::string id;
  std::string title;
  std::string citation;
  std::string document;
  std::optional<Date> published;
  Date effective;
  std::optional<Date> checked;
  double threshold_percent = 50;
  std::string summary;
  std::vector<AffiliatesPeriod> periods;  // in date order, the first on `effective`
  std::vector<std::string> sources;
  SourceMap source_map;
  std::string file;

  // The period holding `date`, or nullptr before the rule took effect.
  const AffiliatesPeriod* PeriodOn(Date date) const;
  Date LastChecked() const;
};

class EntityDb {
 public:
  // Reads every *.toml in `dir` (sorted). A missing directory gives an empty database.
  static Result<EntityDb> Load(const std::filesystem::path& dir);
  // Adds one file (tests use it for malformed files). Errors at file:line:col.
  Status AddFile(const std::filesystem::path& path, std::string display_name = "");
  Status AddText(std::string_view text, std::string display_name);

  const std::vector<EntityNotice>& notices() const { return notices_; }
  const std::optional<AffiliatesRule>& affiliates() const { return affiliates_; }
  // Every bundled party, in notice order (pointers stay valid while the db lives unmoved;
  // EntityDb copies fix their pointers).
  std::vector<const ListedParty*> parties() const;
  // Every date on which a bundled party or the Affiliates rule changes, sorted, unique.
  std::vector<Date> ChangeDates() const;

  EntityDb() = default;
  EntityDb(const EntityDb& other);
  EntityDb& operator=(const EntityDb& other);
  EntityDb(EntityDb&&) noexcept = default;
  EntityDb& operator=(EntityDb&&) noexcept = default;

 private:
  Status Add(const TomlTable& doc);
  void Relink();
  std::vector<EntityNotice> notices_;
  std::optional<AffiliatesRule> affiliates_;
};

// An owner of the end user (or of another owner) as a query gives it.
struct Owner {
  std::string name;
  std::optional<double> percent;  // share owned, 0-100; absent = not known
  std::string of;                 // whom it owns: "" = the end user, else another owner's name
};

// Parses an owner spec: "NAME", "NAME=60%" (owns 60% of the end user) or "NAME=60%>OWNED"
// (owns 60% of OWNED, another owner). Errors (kInvalidArgument): an empty name, a share that is
// not a number between 0 and 100, an empty OWNED.
Result<Owner> ParseOwner(std::string_view spec);

// Parses a review-policy text as lists write it ("Presumption of denial.", "Case-by-case
// basis") into the enum; anything else is kNotRecorded (the text is kept by the caller).
ReviewPolicy PolicyFromText(std::string_view text);

}  // namespace ceiling::rules

#endif  // CEILING_RULES_ENTITIES_H_
