// The knowledge base: everything the engine knows, loaded once from a data directory and frozen.
//
//   ASSIGN_OR_RETURN(std::shared_ptr<const KnowledgeBase> kb, KnowledgeBase::Load("data"));
//   kb->catalog().Find("nvidia-h20");
//   ASSIGN_OR_RETURN(ClassifyResponse r, Classify(*kb, request));   // see api/rules.h
//
// Parts: the chip catalog (chips/), the rule book (countries/ and rules/), LLM architectures
// (models/), system facts and the fitted calibration (perf/), derivative design spaces (designs/),
// the published measurements the performance model is validated on (validation/) and shipment
// files (fleets/). chips/, countries/ and rules/ are required; the others may be absent from a
// user's own data directory, and the operations that need them then fail with kNotFound naming
// the folder. `Load` reads the chips and rules always and the other parts when `parts` asks for
// them (the CLI loads what its command needs; the server loads everything).
//
// A KnowledgeBase is immutable after Load and safe to share across threads: every query is a
// pure function of (knowledge base, request). Responses keep a shared_ptr to it, so it lives as
// long as any answer that points into it.
#ifndef CEILING_API_KNOWLEDGE_BASE_H_
#define CEILING_API_KNOWLEDGE_BASE_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/design/space.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"
#include "ceiling/perf/validation.h"
#include "ceiling/rules/analysis.h"
#include "ceiling/rules/rulebook.h"

namespace ceiling::api {

// Which parts to load (bit mask).
enum Part : unsigned {
  kChips = 1,
  kRules = 2,
  kModels = 4,       // models/
  kPerf = 8,         // perf/systems.toml and perf/calibration.toml
  kDesigns = 16,     // designs/ (needs chips)
  kValidation = 32,  // validation/ (needs chips and models)
  kFleets = 64,      // fleets/
  kAllParts = 127,
};

// A shipments file of the knowledge base (data/fleets), as `fleet` and the web app name it.
struct FleetFile {
  std::string id;    // the file name without its extension: "china-2022-2026"
  std::string name;  // the file name diagnostics use: "data/fleets/china-2022-2026.toml"
  std::string title;
  int rows = 0;
  std::string text;  // the file's text, parsed again by each fleet request
};

// What the data is and how current: for /api/v1/version and every answer's "as of".
struct DataVersion {
  std::string data_dir;
  std::vector<std::string> rule_versions;  // ids, in effective order
  std::optional<Date> sources_read;        // the latest date any rule or country source was read
  int chips = 0;
  int models = 0;
};

class KnowledgeBase : public std::enable_shared_from_this<KnowledgeBase> {
 public:
  // Loads `parts` of `data_dir`. Errors: the first malformed file (file:line:col), a required
  // folder missing (kNotFound).
  static Result<std::shared_ptr<const KnowledgeBase>> Load(const std::filesystem::path& data_dir,
                                                           unsigned parts = kAllParts);

  const std::filesystem::path& data_dir() const { return data_dir_; }
  const catalog::Catalog& catalog() const { return catalog_; }
  const rules::RuleBook& rules() const { return *rules_; }
  // Every catalog chip as the rule analyses take it (label and facts), sorted by id.
  const std::vector<rules::ChipEntry>& chip_entries() const { return chip_entries_; }
  // The parts below fail with kNotFound when they were not loaded or their folder is absent.
  Result<const perf::ModelCatalog*> models() const;
  Result<const perf::SystemDefaults*> systems() const;
  Result<const perf::Calibration*> calibration() const;
  Result<const std::vector<design::DesignSpace>*> design_spaces() const;
  Result<const perf::ValidationSet*> validation() const;
  // The shipments files, sorted by id (empty when the folder is absent).
  Result<const std::vector<FleetFile>*> fleets() const;
  const DataVersion& version() const { return version_; }

  // The latest date on which a rule or a country group changes (the default "now").
  Date LatestRuleDate() const;

  KnowledgeBase() = default;  // use Load(); public for make_shared

 private:
  std::filesystem::path data_dir_;
  catalog::Catalog catalog_;
  std::optional<rules::RuleBook> rules_;
  std::vector<rules::ChipEntry> chip_entries_;
  std::optional<perf::ModelCatalog> models_;
  std::optional<perf::SystemDefaults> systems_;
  std::optional<perf::Calibration> calibration_;
  std::optional<std::vector<design::DesignSpace>> designs_;
  std::optional<perf::ValidationSet> validation_;
  std::optional<std::vector<FleetFile>> fleets_;
  std::string missing_models_, missing_perf_, missing_designs_, missing_validation_,
      missing_fleets_;
  DataVersion version_;
};

}  // namespace ceiling::api

#endif  // CEILING_API_KNOWLEDGE_BASE_H_
