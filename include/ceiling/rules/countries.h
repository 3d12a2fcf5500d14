// Countries, the EAR's country groups with membership over time, and the set language.
//
// data/countries/ holds countries.toml (ISO 3166-1 alpha-2 codes and names, and destinations
// the EAR treats as another, e.g. Hong Kong as China since 2020-12-23) and one file per group
// (D:1, D:4, D:5, A:5, A:6, E:1, E:2, the AI Diffusion tiers). A group lists its members as of a
// date, plus dated changes (Cambodia left D:5 on 2026-02-03), or is defined by a set expression
// over other groups (AI Diffusion tier 3 = D:5 | MO). See docs/data-format.md.
//
// The set language combines groups and codes; `&` binds tighter than `|` and `-`, which are
// left-associative at the same level:
//
//   (D:1 | D:4 | D:5) - (A:5 | A:6) | MO       # the 2023 destination set
//   ALL - US                                    # everywhere outside the United States
//
//   ASSIGN_OR_RETURN(CountryDb db, CountryDb::Load("data/countries"));
//   ASSIGN_OR_RETURN(SetExpr s, db.CompileSet("(D:1 | D:4 | D:5) - (A:5 | A:6) | MO"));
//   CountrySet in_force = db.Evaluate(s, Date{2024, 1, 1});
//   in_force.test(*db.Find("IL"));               // false: Israel is in D:4 but also A:6
//   ASSIGN_OR_RETURN(int cn, db.Resolve("CN"));  // unknown codes fail with suggestions
//
// Membership before the dated snapshot is assumed unchanged unless a change is recorded (the
// sources give a 2026 snapshot and a few dated changes); group files say so in their notes.
// A change whose date was not found is recorded by the first cited snapshot that shows it
// (`removed_by`, `added_by`), optionally with the last cited evidence of the earlier state
// (`removed_after`, `added_after`): the engine keeps the earlier membership until the snapshot and
// reports dates in between as assumed (MembershipOf(...).assumed, UncertainMemberships).
// Errors: file:line:col for data files; set-expression errors have column = offset + 1 and the
// expression as context (see condition.h). A loaded CountryDb is immutable and thread-safe.
#ifndef CEILING_RULES_COUNTRIES_H_
#define CEILING_RULES_COUNTRIES_H_

#include <bitset>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"
#include "ceiling/rules/source.h"

namespace ceiling {
class TomlTable;
}  // namespace ceiling

namespace ceiling::rules {

inline constexpr std::size_t kMaxCountries = 320;
using CountrySet = std::bitset<kMaxCountries>;

struct Country {
  std::string code;  // "CN"
  std::string name;  // "China"
};

// "From `from`, the EAR treats `country` as `as`" (Hong Kong as China).
struct Treatment {
  int country = 0;
  int as = 0;
  Date from;
  std::vector<std::string> sources;
  std::string note;
};

// A dated membership interval: member from `added` (inclusive) until `removed` (exclusive).
// An undated bound (`*_undated`) is the first cited snapshot that shows the change; the change
// happened on an unknown date after `*_after` (the last cited evidence of the earlier state;
// absent = unknown) and on or before the bound. The interval keeps the earlier state until then.
struct Membership {
  int country = 0;
  std::optional<Date> added, removed;
  bool added_undated = false, removed_undated = false;
  std::optional<Date> added_after, removed_after;
  std::vector<std::string> sources;
  std::string note;

  // True when `date` falls where the change may already have happened but the engine assumes
  // the earlier state: [*_after (or the beginning), bound) of an undated bound.
  bool Uncertain(Date date) const;
};

// How a country's membership of one group on a date is known.
struct MembershipInfo {
  bool member = false;
  const Membership* change = nullptr;  // the dated record that decides it; nullptr: the snapshot
                                       // list (or the group's definition)
  bool assumed = false;                // inside an undated change's uncertainty window
};

class SetExpr {
 public:
  const std::string& text() const { return text_; }
  // Groups and codes the expression names (for documentation and `rules show`).
  const std::vector<std::string>& names() const { return names_; }

  enum class OpCode : std::uint8_t { kGroup, kCountry, kAll, kUnion, kIntersect, kDiff };
  struct Op {
    OpCode code;
    std::uint16_t index;
  };

 private:
  friend class CountryDb;
  std::string text_;
  std::vector<Op> ops_;
  std::vector<std::string> names_;
};

struct CountryGroup {
  std::string id;     // "D:5"
  std::string title;  // "Country Group D:5: U.S. arms embargoed countries"
  std::string citation;
  std::string note;
  std::optional<Date> as_of;
  std::vector<int> members;            // undated members (the snapshot)
  std::vector<Membership> changes;     // dated intervals
  std::optional<SetExpr> definition;   // expression-defined groups
  std::vector<std::string> sources;
  SourceMap source_map;
  std::string file;
};

class CountryDb {
 public:
  // Reads `dir`/countries.toml and every other *.toml in `dir` as a group file.
  static Result<CountryDb> Load(const std::filesystem::path& dir);
  // Parses a country list (countries.toml); groups are added with AddGroupFile.
  static Result<CountryDb> FromCountryFile(const std::filesystem::path& file,
                                           std::string display_name = "");
  // Adds one group file (tests use it for malformed files). Expression-defined groups may
  // refer only to groups added before them.
  Status AddGroupFile(const std::filesystem::path& file, std::string display_name = "");
  // The same from TOML text; `display_name` stands for the file in diagnostics.
  static Result<CountryDb> FromCountryText(std::string_view text, std::string display_name);
  Status AddGroupText(std::string_view text, std::string display_name);

  int size() const { return static_cast<int>(countries_.size()); }
  const Country& country(int i) const { return countries_[static_cast<std::size_t>(i)]; }
  std::optional<int> Find(std::string_view code) const;
  // Like Find, but unknown codes fail (kInvalidArgument) with up to three suggestions by code
  // and by name: "unknown country code \"CH1\"; did you mean CH (Switzerland), CN (China)?"
  Result<int> Resolve(std::string_view code) const;
  const std::vector<CountryGroup>& groups() const { return groups_; }
  const CountryGroup* FindGroup(std::string_view id) const;
  const std::vector<Treatment>& treatments() const { return treatments_; }
  const SourceMap& sources() const { return sources_; }

  Result<SetExpr> CompileSet(std::string_view text) const;
  // The set on `date`, with treated destinations following what they are treated as.
  CountrySet Evaluate(const SetExpr& expr, Date date) const;
  CountrySet GroupMembers(std::size_t group, Date date) const;
  // The destination a country counts as on `date` (HK -> CN from 2020-12-23); itself otherwise.
  int Canonical(int country, Date date) const;
  // The treatment in force for `country` on `date`, if any.
  const Treatment* TreatmentOf(int country, Date date) const;
  // Ids of the groups that contain `country` on `date`, in file order.
  std::vector<std::string> GroupsOf(int country, Date date) const;
  // Membership of `country` (as treated on `date`) in groups()[group], and how it is known.
  MembershipInfo MembershipOf(std::size_t group, int country, Date date) const;
  // Indices of the groups `expr` names, directly or through expression-defined groups.
  std::vector<std::size_t> GroupsIn(const SetExpr& expr) const;
  // The undated changes of `country` (as treated on `date`) whose uncertainty window holds
  // `date`, as (group index, change).
  std::vector<std::pair<std::size_t, const Membership*>> UncertainMemberships(int country,
                                                                              Date date) const;
  // Every date on which a membership or treatment changes, or an uncertainty window opens,
  // sorted, unique.
  std::vector<Date> ChangeDates() const;

 private:
  CountrySet Eval(const SetExpr& expr, Date date, int depth) const;
  static Result<CountryDb> FromCountryTable(const TomlTable& doc);
  Status AddGroupTable(const TomlTable& doc);

  std::vector<Country> countries_;
  std::vector<Treatment> treatments_;
  std::vector<CountryGroup> groups_;
  SourceMap sources_;
  std::string file_;
};

}  // namespace ceiling::rules

#endif  // CEILING_RULES_COUNTRIES_H_
