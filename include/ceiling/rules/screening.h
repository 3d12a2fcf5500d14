// Screening names against restricted-party lists: the bundled Entity List entries and a list
// the user supplies in the format the US government publishes its Consolidated Screening List
// (CSL): CSV with the CSL header row, or JSON (`{"results": [...]}` or a bare array).
//
//   ASSIGN_OR_RETURN(ScreeningList mine, ScreeningList::Parse(text, "my-list.csv"));
//   std::vector<ScreenHit> hits = Screen("Moore Thread", entities, &mine, Date{2025, 6, 1});
//   hits[0].party->citation;   // "88 FR 71991"
//   hits[0].score;             // 0.95: a misspelt name still matches, with its score
//
// Matching is fuzzy and token based: names are lower-cased, punctuation is dropped, legal forms
// ("Co., Ltd.", "Inc.", "Corporation") are removed, and every token of one name is matched to
// its most similar token of the other (Jaro-Winkler, credit from 0.85); common words
// ("Technology", "Beijing") weigh less. The score is the weighted share of both names that is
// matched (1.0 = the same normalised name). A score of at least `match` is a hit; from
// `possible` up to it the name is reported as a possible match for review, with no effect.
//
// Lists arrive as text (the CLI reads the file); errors name the list and the row or key:
// "list.csv:4:1: row has 12 fields, the header has 29", "list.json: results[2].name: expected a
// string". Columns and keys outside the CSL set are errors, as in every data file. A parsed
// list is immutable; Screen is a pure function and thread-safe.
#ifndef CEILING_RULES_SCREENING_H_
#define CEILING_RULES_SCREENING_H_

#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"
#include "ceiling/rules/entities.h"

namespace ceiling::rules {

// Normalised tokens of a name (see above); empty when nothing but legal forms remain.
std::vector<std::string> NameTokens(std::string_view name);
// Similarity of two token lists in [0, 1].
double NameSimilarity(const std::vector<std::string>& a, const std::vector<std::string>& b);
// Jaro-Winkler similarity of two strings in [0, 1].
double JaroWinkler(std::string_view a, std::string_view b);
// Whether a UTF-8 name holds a letter of a script other than Latin (Han, Cyrillic, Arabic, ...,
// or fullwidth forms): such a name cannot match the bundled rows, which are in Latin letters as
// the Entity List prints them. Punctuation, combining marks and Latin with diacritics are not.
bool HasNonLatinLetters(std::string_view name);

class ScreeningList {
 public:
  enum class Format { kCsv, kJson };
  // Detects the format from the text (JSON when it starts with '{' or '['), then parses.
  static Result<ScreeningList> Parse(std::string_view text, std::string display_name);
  static Result<ScreeningList> ParseCsv(std::string_view text, std::string display_name);
  static Result<ScreeningList> ParseJson(std::string_view text, std::string display_name);

  const std::string& name() const { return name_; }
  Format format() const { return format_; }
  const std::vector<ListedParty>& parties() const { return parties_; }

 private:
  std::string name_;
  Format format_ = Format::kCsv;
  std::vector<ListedParty> parties_;
};

struct ScreeningOptions {
  double match = 0.88;     // a hit from this score
  double possible = 0.75;  // a possible match (for review) from this score
};

struct ScreenHit {
  const ListedParty* party = nullptr;
  std::string matched;     // the name or alias that matched best
  bool alias = false;      // `matched` is an alias
  double score = 0;        // [0, 1]
  bool in_force = true;    // the row is in force on the date screened
  bool user_list = false;  // from the user's list rather than the bundled entries
  // Below the match score, a bundled row whose name begins with a distinctive word the screened
  // name also holds ("huawei" in "Huawei Cloud"): a possible match for review whatever the score,
  // since a bundled row records a listed parent, not each party listed with it under its own name.
  std::string shared_word;
};

// Hits and possible matches for `name` among the bundled parties and the user's list (may be
// null), best first (ties: bundled first, then list order). Rows not in force on `date` are
// returned with in_force = false. At most one result per party.
std::vector<ScreenHit> Screen(std::string_view name, const EntityDb& bundled,
                              const ScreeningList* user, Date date,
                              const ScreeningOptions& options = {});

}  // namespace ceiling::rules

#endif  // CEILING_RULES_SCREENING_H_
