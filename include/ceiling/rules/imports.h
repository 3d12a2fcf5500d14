// The import side: measures by the destination's government that affect buying the chips
// (China's summons, guidance, purchase bans, customs instructions and approvals of 2025-26).
//
// This layer is kept apart from the US license logic: it never changes `license_required`,
// the review policy or the exceptions of a classification. It answers a second question, "will
// the destination let it in?", with its own verdict and sources, and says for every measure
// whether it is official text or reported (press with unnamed sources).
//
// data/import/ holds one file per measure (docs/data-format.md): the country (the customs
// territory itself: Hong Kong is not mainland China here, unlike in the EAR), the date
// (`approximate` when only "around" is known), an optional end, the effect, the scope (named
// products, vendors, or every foreign chip; named buyers or buyers/projects described in words)
// and sources.
//
//   ASSIGN_OR_RETURN(ImportDb db, ImportDb::Load("data/import", countries));
//   ImportSide s = EvaluateImports(db, facts, cn, Date{2026, 1, 20}, /*end_user=*/"");
//   s.verdict;                          // ImportVerdict::kBlocked (reported)
//   for (const ImportHit& h : s.measures) ...
//
// A loaded ImportDb is immutable; EvaluateImports is pure and thread-safe.
#ifndef CEILING_RULES_IMPORTS_H_
#define CEILING_RULES_IMPORTS_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/rules/condition.h"
#include "ceiling/rules/countries.h"
#include "ceiling/rules/facts.h"
#include "ceiling/rules/source.h"

namespace ceiling::rules {

enum class ImportEffect : std::uint8_t {
  kScrutiny,     // a regulator questions the product or inspects shipments; no purchase ban
  kDiscouraged,  // guidance against buying (for some uses), short of a ban
  kBarred,       // buying, testing or clearing customs is not permitted for the scope
  kApproved,     // imports approved for named buyers
};
std::string_view ImportEffectName(ImportEffect e);  // "scrutiny", "discouraged", ...

enum class ImportBasis : std::uint8_t { kOfficial, kReported };
std::string_view ImportBasisName(ImportBasis b);  // "official", "reported"

struct ImportMeasure {
  std::string id;
  int country = 0;        // index in the CountryDb; matched literally (no treatment)
  std::string authority;  // "Cyberspace Administration of China"
  std::string title;
  Date date;
  bool approximate = false;   // reported "around" the date
  std::optional<Date> until;  // exclusive; absent = no end found
  ImportEffect effect = ImportEffect::kScrutiny;
  ImportBasis basis = ImportBasis::kReported;
  // Chips: named catalog ids (and ids the catalog does not hold yet), vendors, or every chip
  // whose vendor is not in `domestic_vendors`.
  std::vector<std::string> products, pending_products, vendors, domestic_vendors;
  bool foreign_only = false;
  std::string products_text;  // the scope of chips in words
  // Buyers: named companies (matched with the end user's name), and/or a description.
  std::vector<std::string> buyers;
  std::string buyers_text;
  std::string projects_text;  // projects in scope ("state-funded data centres")
  std::string summary;
  std::optional<Date> checked;
  std::vector<std::string> sources;
  SourceMap source_map;
  std::string file;
  SourceLocation location;

  bool CoversChip(const ChipFacts& facts) const;
  bool InForce(Date d) const { return date <= d && (!until || d < *until); }
  Date LastChecked() const;
};

class ImportDb {
 public:
  // Reads every *.toml in `dir` (sorted); a missing directory gives an empty database.
  static Result<ImportDb> Load(const std::filesystem::path& dir, const CountryDb& countries);
  Status AddFile(const std::filesystem::path& path, const CountryDb& countries,
                 std::string display_name = "");
  // The same for a measure that arrives as text (`display_name` stands for the file).
  Status AddText(std::string_view text, const CountryDb& countries, std::string display_name);
  const std::vector<ImportMeasure>& measures() const { return measures_; }
  bool HasCountry(int country) const;
  // Every date on which a measure starts or ends, sorted, unique.
  std::vector<Date> ChangeDates() const;

 private:
  Status Add(const TomlTable& doc, const CountryDb& countries);
  std::vector<ImportMeasure> measures_;
};

enum class ImportVerdict : std::uint8_t {
  kNone,                   // no measure in force covers the chip
  kScrutiny,               // scrutiny or inspections only
  kDiscouraged,            // purchases discouraged
  kRestricted,             // barred for some buyers or projects; whether this one is, is not known
  kBlocked,                // barred for this buyer (or for every buyer)
  kBlockedExceptApproved,  // barred, but imports were approved for named buyers (end user not
                           // given, or not among them)
  kApproved,               // barred earlier, approved later for this buyer
};
std::string_view ImportVerdictName(ImportVerdict v);   // "blocked", "approved", ...
std::string_view ImportVerdictTitle(ImportVerdict v);  // "blocked at the border", ...

struct ImportHit {
  const ImportMeasure* measure = nullptr;
  Tri applies = Tri::kTrue;   // to this buyer: unknown when the scope is described, not named
  std::string matched_buyer;  // the named buyer the end user matched
  double score = 0;
};

struct ImportSide {
  int country = -1;                 // the destination, when it has import measures; else -1
  std::vector<ImportHit> measures;  // in force on the date and covering the chip, date order
  ImportVerdict verdict = ImportVerdict::kNone;
  bool reported_only = true;    // every measure behind the verdict is reported, not official
  std::string approved_buyers;  // "ByteDance, Alibaba, Tencent" when approvals exist
};

// The import side for the chip at `destination` (literally; Hong Kong is not China here) on
// `date`, for `end_user` (may be empty).
ImportSide EvaluateImports(const ImportDb& db, const ChipFacts& facts, int destination, Date date,
                           std::string_view end_user);
// The same into `out`, reusing its storage (no allocation once warm).
void EvaluateImportsInto(const ImportDb& db, const ChipFacts& facts, int destination, Date date,
                         std::string_view end_user, ImportSide* out);

struct ImportTimelineEntry {
  Date from;
  ImportSide side;
  std::vector<const ImportMeasure*> started;  // measures that start on `from`
};
// Every date on which the import side of the chip at `destination` changes, from the first
// measure on; empty when the destination has no import measures.
std::vector<ImportTimelineEntry> ImportTimeline(const ImportDb& db, const ChipFacts& facts,
                                                int destination, std::string_view end_user);

}  // namespace ceiling::rules

#endif  // CEILING_RULES_IMPORTS_H_
