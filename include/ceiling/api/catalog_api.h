// Catalog questions: the chip list, one chip, and the consistency check of a data directory.
//
//   ChipsRequest req;  req.vendor = "nvidia";  req.sort = "tpp";
//   ASSIGN_OR_RETURN(ChipsResponse r, Chips(*kb, req));
//   std::string json = ToJsonText(r);   // what `ceiling chips --json` prints, byte for byte
//
//   ShowRequest s;  s.chip.id = "nvidia-h20";          // or s.chip.toml = Text{toml, "mine.toml"}
//   ASSIGN_OR_RETURN(ShowResponse c, Show(*kb, s));      // the record and its metrics, explained
//
// Errors carry the offending field: an unknown id is kNotFound in "chip" with "did you mean"
// suggestions; malformed inline TOML is kParse/kSchema at name:line:col. Responses own their data
// (they keep the knowledge base alive) and have one JSON form each (ToJson); ToText is the CLI's
// table. Thread safety: every function is a pure function of (knowledge base, request).
#ifndef CEILING_API_CATALOG_API_H_
#define CEILING_API_CATALOG_API_H_

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ceiling/api/fields.h"
#include "ceiling/api/knowledge_base.h"
#include "ceiling/catalog/check.h"

namespace ceiling::api {

// chips ------------------------------------------------------------------------------------------

struct ChipsRequest {
  std::string vendor;       // only chips of this vendor ("nvidia"); "" = all
  std::string market;       // datacenter | consumer | workstation | edge; "" = all
  std::string sort = "id";  // id | tpp | pd | bandwidth | released (largest first, released oldest)
  // Labelled lines drawn in the TPP-sorted text table: "VALUE=LABEL" (needs sort = tpp).
  std::vector<std::string> mark_tpp;

  template <class V>
  void Visit(V& v) {
    v(Field{"vendor", "Only chips of this vendor (e.g. nvidia)"}, vendor);
    v(Field{"market", "Only this market", kMayBeEmpty, "datacenter|consumer|workstation|edge"},
      market);
    v(Field{"sort", "Sort by id, tpp, pd, bandwidth (largest first) or released (oldest first)", 0,
            "id|tpp|pd|bandwidth|released"},
      sort);
    v(Field{"mark_tpp", "Draw a labelled line in the TPP-sorted table: VALUE=LABEL (text only)",
            kAdvanced},
      mark_tpp);
  }
  Status Validate();
};

struct TppMarker {
  double tpp = 0;
  std::string label;
};

struct ChipsResponse {
  std::shared_ptr<const KnowledgeBase> kb;
  std::vector<std::size_t> chips;  // indices into kb->catalog().chips(), in display order
  std::vector<TppMarker> markers;  // largest first
};

Result<ChipsResponse> Chips(const KnowledgeBase& kb, ChipsRequest request);
nlohmann::json ToJson(const ChipsResponse& r);
std::string ToText(const ChipsResponse& r);
std::string ToCsv(const ChipsResponse& r);

// show -------------------------------------------------------------------------------------------

struct ShowRequest {
  Ref chip;

  template <class V>
  void Visit(V& v) {
    v(Field{"chip", "Catalog id of the chip (e.g. nvidia-h20), or the chip as TOML", kRequired},
      chip);
  }
  Status Validate() { return CheckFields(*this); }
};

struct ShowResponse {
  std::shared_ptr<const catalog::Chip> chip;
  catalog::ChipMetrics metrics;  // explained
};

Result<ShowResponse> Show(const KnowledgeBase& kb, ShowRequest request);
nlohmann::json ToJson(const ShowResponse& r);
std::string ToText(const ShowResponse& r);

// check-data -------------------------------------------------------------------------------------

struct CheckDataRequest {
  template <class V>
  void Visit(V&) {}
  Status Validate() { return OkStatus(); }
};

struct CheckDataResponse {
  catalog::CheckReport chips;  // files, chips, figures and every finding (all folders)
  int rule_versions = 0, clauses = 0, country_groups = 0;
  bool rules_loaded = false;
  // Files checked in every other folder that exists ("models", "perf", "designs", "validation",
  // "entities", "import", "fleets").
  std::map<std::string, int> files;
  bool ok() const { return chips.findings.empty(); }
};

// Checks the data directory `data_dir` file by file and lists every finding (it does not stop at
// the first, and it works on a directory that would not load). Reads only under `data_dir`: the
// CLI's --data, the server's own data.
CheckDataResponse CheckData(const std::filesystem::path& data_dir, const CheckDataRequest& request);
nlohmann::json ToJson(const CheckDataResponse& r);
std::string ToText(const CheckDataResponse& r, bool quiet);

// Helpers shared by the operations ---------------------------------------------------------------

// A chip reference resolved against the catalog: a catalog chip (kept alive by the knowledge base)
// or an inline chip parsed from its TOML. Errors are attributed to `field`.
Result<std::shared_ptr<const catalog::Chip>> ResolveChip(const KnowledgeBase& kb, const Ref& ref,
                                                         std::string_view field);

}  // namespace ceiling::api

#endif  // CEILING_API_CATALOG_API_H_
