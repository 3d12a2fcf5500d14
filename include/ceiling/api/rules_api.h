// Export-control questions: classify, timeline, matrix, headroom, what-if, the rule versions
// (list, show, diff) and the chip map.
//
//   ClassifyRequest req;
//   req.chip.id = "nvidia-h20";  req.date = "2025-05-01";  req.to = "CN";
//   ASSIGN_OR_RETURN(ClassifyResponse r, Classify(*kb, req));
//   r.result.license_required;        // kTrue: the April 2025 letter
//   std::string body = ToJsonText(r);  // `ceiling classify ... --json`, byte for byte
//
// Every request may change the rule book it is asked against (RuleSettings): `set` overrides
// threshold parameters ("tpp_a=4000", "dram_bw_cbc=7 TB/s"), `rules` adds rule versions given as
// TOML text, `view` chooses what BIS enforces (default) or every rule whose text is in force.
// Dates are YYYY-MM-DD, countries ISO 3166 alpha-2 codes; `hq` is the end user's headquarters
// (default: the destination). Errors name their field: "date", "to", "hq", "set", "rules",
// "chip" (kNotFound for unknown ids, with suggestions). Responses own what they point into (the
// rule book, shared with the knowledge base unless a request changed it).
#ifndef CEILING_API_RULES_API_H_
#define CEILING_API_RULES_API_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ceiling/api/fields.h"
#include "ceiling/api/knowledge_base.h"
#include "ceiling/report/rules_report.h"
#include "ceiling/rules/analysis.h"
#include "ceiling/rules/classify.h"
#include "ceiling/rules/disputes.h"
#include "ceiling/rules/imports.h"
#include "ceiling/rules/screening.h"
#include "ceiling/rules/status.h"

namespace ceiling::api {

// The rule book a question is asked against.
struct RuleSettings {
  std::string view = "enforced";
  std::vector<std::string> set;  // NAME=VALUE or RULE.NAME=VALUE
  std::vector<Text> add_rules;   // rule versions as TOML (wire name "rules")

  template <class V>
  void Visit(V& v, bool with_view = true) {
    if (with_view)
      v(Field{"view",
              "enforced: what BIS enforces; text: every rule whose text is in force (e.g. the AI "
              "Diffusion rule)",
              0, "enforced|text"},
        view);
    v(Field{"set",
            "Override a rule parameter: NAME=VALUE or RULE.NAME=VALUE, e.g. tpp_a=4000, "
            "dram_bw_cbc=7 TB/s",
            kAdvanced},
      set);
    v(Field{"rules", "Add a rule version given as TOML (the format of data/rules/)", kAdvanced},
      add_rules);
  }
  bool changes_book() const { return !set.empty() || !add_rules.empty(); }
};

// The end user a question names: screened against the bundled Entity List entries and a list
// the caller supplies (Consolidated Screening List format, CSV or JSON text), with its owners for
// the Affiliates (50 percent) rule.
struct EndUserFields {
  std::string end_user;             // a name ("" = not screened)
  std::vector<std::string> owners;  // "NAME", "NAME=60%", "NAME=60%>OWNED"
  std::optional<Text> screening_list;

  template <class V>
  void Visit(V& v) {
    v(Field{"end_user",
            "The end user's name, screened (fuzzy) against the Entity List and any screening list"},
      end_user);
    v(Field{"owners",
            "An owner of the end user: NAME, NAME=60% or NAME=60%>OWNED (a share of another "
            "owner), for the Affiliates (50 percent) rule",
            kAdvanced},
      owners);
    v(Field{"screening_list",
            "A screening list in the Consolidated Screening List format (CSV or JSON text)",
            kAdvanced | kDataFile},
      screening_list);
  }
};

// Where and when a question is asked (each request documents its own defaults).
struct Place {
  std::string date;  // YYYY-MM-DD
  std::string to;    // destination
  std::string hq;    // end user's headquarters ("" = the destination)
};

// classify ---------------------------------------------------------------------------------------

struct ClassifyRequest {
  Ref chip;
  Place at;
  RuleSettings rules;
  EndUserFields end_user;
  bool trace = true;

  template <class V>
  void Visit(V& v) {
    v(Field{"chip", "Catalog id of the chip (e.g. nvidia-h20), or the chip as TOML", kRequired},
      chip);
    v(Field{"date", "Date, YYYY-MM-DD", kRequired}, at.date);
    v(Field{"to", "Destination, ISO 3166 alpha-2 code (e.g. CN)", kRequired}, at.to);
    v(Field{"hq", "Country of the end user's headquarters or ultimate parent (default: the "
                  "destination)"},
      at.hq);
    rules.Visit(v);
    end_user.Visit(v);
    v(Field{"trace", "Include the clause-by-clause trace"}, trace);
  }
  Status Validate() { return CheckFields(*this); }
};

struct ClassifyResponse {
  std::optional<rules::RuleBook> book;
  std::shared_ptr<const catalog::Chip> chip;
  report::ChipLabel label;
  rules::ChipFacts facts;
  rules::Classification result;
  // For a chip with disputed figures: the classification under every source (outcomes[0] is the
  // record, the same as `result`).
  std::optional<rules::DisputedClassification> disputed;
  std::shared_ptr<const rules::ScreeningList> screening;  // the caller's list the result cites
};

Result<ClassifyResponse> Classify(const KnowledgeBase& kb, ClassifyRequest request);
nlohmann::json ToJson(const ClassifyResponse& r);
// report::DumpJson(ToJson(r)), byte for byte, without building the trace's tree (what the
// classify operation serves).
std::string ToJsonText(const ClassifyResponse& r);
std::string ToText(const ClassifyResponse& r);

// timeline ---------------------------------------------------------------------------------------

struct TimelineRequest {
  Ref chip;
  Place at{"", "CN", ""};
  RuleSettings rules;
  EndUserFields end_user;

  template <class V>
  void Visit(V& v) {
    v(Field{"chip", "Catalog id of the chip, or the chip as TOML", kRequired}, chip);
    v(Field{"to", "Destination, ISO 3166 alpha-2 code"}, at.to);
    v(Field{"hq", "Country of the end user's headquarters (default: the destination)"}, at.hq);
    rules.Visit(v);
    end_user.Visit(v);
  }
  Status Validate() { return CheckFields(*this); }
};

struct TimelineResponse {
  std::optional<rules::RuleBook> book;
  report::ChipLabel label;
  rules::Query query;
  std::vector<rules::TimelineEntry> entries;
  std::vector<rules::ImportTimelineEntry> imports;  // the destination's import side, its own dates
  std::shared_ptr<const rules::ScreeningList> screening;
};

Result<TimelineResponse> Timeline(const KnowledgeBase& kb, TimelineRequest request);
nlohmann::json ToJson(const TimelineResponse& r);
std::string ToText(const TimelineResponse& r);

// matrix -----------------------------------------------------------------------------------------

struct MatrixRequest {
  std::vector<std::string> chips;  // catalog ids; empty = every chip
  Place at{"", "CN", ""};
  RuleSettings rules;

  template <class V>
  void Visit(V& v) {
    v(Field{"chips", "Only these catalog ids (default: every chip)"}, chips);
    v(Field{"to", "Destination, ISO 3166 alpha-2 code"}, at.to);
    v(Field{"hq", "Country of the end user's headquarters (default: the destination)"}, at.hq);
    rules.Visit(v);
  }
  Status Validate() { return CheckFields(*this); }
};

struct MatrixResponse {
  std::optional<rules::RuleBook> book;
  std::vector<rules::ChipEntry> chips;
  rules::Query query;
  rules::Matrix matrix;
};

Result<MatrixResponse> Matrix(const KnowledgeBase& kb, MatrixRequest request);
nlohmann::json ToJson(const MatrixResponse& r);
std::string ToText(const MatrixResponse& r);
std::string ToCsv(const MatrixResponse& r);

// headroom ---------------------------------------------------------------------------------------

struct HeadroomRequest {
  Ref chip;
  Place at{"", "CN", ""};
  RuleSettings rules;

  template <class V>
  void Visit(V& v) {
    v(Field{"chip", "Catalog id of the chip, or the chip as TOML", kRequired}, chip);
    v(Field{"date", "Date, YYYY-MM-DD (default: the latest date on which a rule or group "
                    "changes)"},
      at.date);
    v(Field{"to", "Destination, ISO 3166 alpha-2 code"}, at.to);
    v(Field{"hq", "Country of the end user's headquarters (default: the destination)"}, at.hq);
    rules.Visit(v);
  }
  Status Validate() { return CheckFields(*this); }
};

struct HeadroomResponse {
  std::optional<rules::RuleBook> book;
  report::ChipLabel label;
  rules::Query query;
  std::vector<rules::HeadroomRow> rows;
};

Result<HeadroomResponse> Headroom(const KnowledgeBase& kb, HeadroomRequest request);
nlohmann::json ToJson(const HeadroomResponse& r);
std::string ToText(const HeadroomResponse& r);

// whatif -----------------------------------------------------------------------------------------

struct WhatIfRequest {
  Place at{"", "CN", ""};
  RuleSettings rules;

  template <class V>
  void Visit(V& v) {
    v(Field{"date", "Date, YYYY-MM-DD (default: the latest date on which a rule or group "
                    "changes)"},
      at.date);
    v(Field{"to", "Destination, ISO 3166 alpha-2 code"}, at.to);
    v(Field{"hq", "Country of the end user's headquarters (default: the destination)"}, at.hq);
    rules.Visit(v);
  }
  Status Validate();
};

struct WhatIfResponse {
  std::optional<rules::RuleBook> before, after;
  std::vector<std::string> settings;  // "tpp_a=4000", "rule file x.toml is added"
  std::vector<rules::ChipEntry> chips;
  rules::Query query;
  std::vector<rules::ChipChange> changes;
};

Result<WhatIfResponse> WhatIf(const KnowledgeBase& kb, WhatIfRequest request);
nlohmann::json ToJson(const WhatIfResponse& r);
std::string ToText(const WhatIfResponse& r);

// rules list / show / diff -----------------------------------------------------------------------

struct RulesListRequest {
  RuleSettings rules;
  template <class V>
  void Visit(V& v) {
    rules.Visit(v, false);
  }
  Status Validate() { return CheckFields(*this); }
};

struct RulesListResponse {
  std::optional<rules::RuleBook> book;
};

Result<RulesListResponse> RulesList(const KnowledgeBase& kb, RulesListRequest request);
nlohmann::json ToJson(const RulesListResponse& r);
std::string ToText(const RulesListResponse& r);

struct RuleShowRequest {
  std::string id;
  RuleSettings rules;
  template <class V>
  void Visit(V& v) {
    v(Field{"id", "Rule id (see rules list), e.g. us-2023-10-acs", kRequired}, id);
    rules.Visit(v, false);
  }
  Status Validate() { return CheckFields(*this); }
};

struct RuleShowResponse {
  std::optional<rules::RuleBook> book;
  const rules::RuleVersion* rule = nullptr;  // into *book
};

Result<RuleShowResponse> RuleShow(const KnowledgeBase& kb, RuleShowRequest request);
nlohmann::json ToJson(const RuleShowResponse& r);
std::string ToText(const RuleShowResponse& r);

struct RulesDiffRequest {
  std::string a, b;
  Place at{"", "CN", ""};
  RuleSettings rules;
  template <class V>
  void Visit(V& v) {
    v(Field{"a", "Earlier rule id", kRequired}, a);
    v(Field{"b", "Later rule id", kRequired}, b);
    v(Field{"to", "Destination for the chip table, ISO 3166 alpha-2 code"}, at.to);
    v(Field{"hq", "Country of the end user's headquarters (default: the destination)"}, at.hq);
    rules.Visit(v);
  }
  Status Validate() { return CheckFields(*this); }
};

struct RulesDiffResponse {
  std::optional<rules::RuleBook> book;
  const rules::RuleVersion* a = nullptr;  // into *book
  const rules::RuleVersion* b = nullptr;
  std::vector<rules::ChipEntry> chips;
  rules::Query query;
  std::vector<rules::ChipChange> changes;
};

Result<RulesDiffResponse> RulesDiff(const KnowledgeBase& kb, RulesDiffRequest request);
nlohmann::json ToJson(const RulesDiffResponse& r);
std::string ToText(const RulesDiffResponse& r);

// rules status -----------------------------------------------------------------------------------

struct RulesStatusRequest {
  RuleSettings rules;
  template <class V>
  void Visit(V& v) {
    rules.Visit(v, false);
  }
  Status Validate() { return CheckFields(*this); }
};

struct RulesStatusResponse {
  std::vector<rules::StatusRow> rows;  // every rule, measure, list and group, last checked
};

Result<RulesStatusResponse> RulesStatus(const KnowledgeBase& kb, RulesStatusRequest request);
nlohmann::json ToJson(const RulesStatusResponse& r);
std::string ToText(const RulesStatusResponse& r);

// chip map ---------------------------------------------------------------------------------------

struct ChipMapRequest {
  Place at{"", "CN", ""};
  RuleSettings rules;
  template <class V>
  void Visit(V& v) {
    v(Field{"date", "Date, YYYY-MM-DD (default: the latest date on which a rule or group "
                    "changes)"},
      at.date);
    v(Field{"to", "Destination whose status colours the points, ISO 3166 alpha-2 code"}, at.to);
    v(Field{"hq", "Country of the end user's headquarters (default: the destination)"}, at.hq);
    rules.Visit(v);
  }
  Status Validate() { return CheckFields(*this); }
};

struct ChipMapResponse {
  std::optional<rules::RuleBook> book;
  std::vector<rules::ChipEntry> chips;
  rules::MapData map;
};

Result<ChipMapResponse> ChipMap(const KnowledgeBase& kb, ChipMapRequest request);
nlohmann::json ToJson(const ChipMapResponse& r);
std::string ToSvg(const ChipMapResponse& r);

// Helpers shared by the operations ---------------------------------------------------------------

// The knowledge base's rule book with `settings` applied (errors in "set" or "rules").
Result<rules::RuleBook> BookFor(const KnowledgeBase& kb, const RuleSettings& settings);
// A query for `at` in `view` ("date", "to", "hq" errors). Empty fields take the defaults given;
// an empty date without a default is an error.
Result<rules::Query> QueryFor(const rules::RuleBook& book, const Place& at, std::string_view view,
                              std::optional<Date> default_date = std::nullopt);
// Puts the end user, owners and screening list into `q` ("end_user", "owners", "screening_list"
// errors). The parsed list is returned: the query and its results point into it.
Result<std::shared_ptr<const rules::ScreeningList>> ApplyEndUser(const EndUserFields& e,
                                                                 rules::Query* q);
// The knowledge base's chips as analyses take them, sorted by id (only `ids` when not empty;
// unknown ids fail in `field`).
Result<std::vector<rules::ChipEntry>> ChipEntries(const KnowledgeBase& kb,
                                                  const std::vector<std::string>& ids = {},
                                                  std::string_view field = "chips");

}  // namespace ceiling::api

#endif  // CEILING_API_RULES_API_H_
