#include "ceiling/api/knowledge_base.h"

#include <fmt/format.h>

#include <algorithm>

#include "ceiling/base/file.h"
#include "ceiling/fleet/shipments.h"

namespace ceiling::api {

namespace fs = std::filesystem;

namespace {

bool IsDir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

template <typename T>
Result<const T*> Loaded(const std::optional<T>& v, const std::string& missing) {
  if (v) return &*v;
  return MakeError(ErrorCode::kNotFound, missing);
}

std::string NotLoaded(const fs::path& dir, const char* folder) {
  return fmt::format("the knowledge base {} has no {} folder", catalog::DisplayPath(dir), folder);
}

}  // namespace

Result<std::shared_ptr<const KnowledgeBase>> KnowledgeBase::Load(const fs::path& data_dir,
                                                                 unsigned parts) {
  auto kb = std::make_shared<KnowledgeBase>();
  kb->data_dir_ = data_dir;
  parts |= kChips | kRules;  // every operation needs them
  if (parts & kValidation) parts |= kModels;
  const char* not_requested = "not loaded for this command";
  kb->missing_models_ = kb->missing_perf_ = kb->missing_designs_ = kb->missing_validation_ =
      kb->missing_fleets_ = not_requested;
  ASSIGN_OR_RETURN(kb->catalog_, catalog::Catalog::Load(data_dir));
  ASSIGN_OR_RETURN(rules::RuleBook book, rules::RuleBook::Load(data_dir));
  kb->rules_ = std::move(book);
  for (std::size_t i = 0; i < kb->catalog_.chips().size(); ++i) {
    const catalog::Chip& c = kb->catalog_.chips()[i];
    kb->chip_entries_.push_back({c.id, c.name, rules::FactsOf(c, kb->catalog_.metrics(i))});
  }
  std::sort(kb->chip_entries_.begin(), kb->chip_entries_.end(),
            [](const rules::ChipEntry& a, const rules::ChipEntry& b) { return a.id < b.id; });
  if (parts & kModels) {
    if (IsDir(data_dir / "models")) {
      ASSIGN_OR_RETURN(perf::ModelCatalog m, perf::ModelCatalog::Load(data_dir));
      kb->models_ = std::move(m);
    } else {
      kb->missing_models_ = NotLoaded(data_dir, "models");
    }
  }
  if (parts & kPerf) {
    if (IsDir(data_dir / "perf")) {
      ASSIGN_OR_RETURN(perf::SystemDefaults s, perf::LoadSystemDefaults(data_dir));
      kb->systems_ = std::move(s);
      ASSIGN_OR_RETURN(perf::Calibration c, perf::LoadCalibration(data_dir));
      kb->calibration_ = std::move(c);
    } else {
      kb->missing_perf_ = NotLoaded(data_dir, "perf");
    }
  }
  if (parts & kDesigns) {
    if (IsDir(data_dir / "designs")) {
      ASSIGN_OR_RETURN(std::vector<design::DesignSpace> d,
                       design::LoadDesignSpaces(data_dir, kb->catalog_));
      kb->designs_ = std::move(d);
    } else {
      kb->designs_.emplace();  // no design files: every die gets a default space
    }
  }
  if ((parts & kValidation) && kb->models_) {
    if (IsDir(data_dir / "validation")) {
      ASSIGN_OR_RETURN(perf::ValidationSet v,
                       perf::LoadValidationSet(data_dir, kb->catalog_, *kb->models_));
      kb->validation_ = std::move(v);
    } else {
      kb->missing_validation_ = NotLoaded(data_dir, "validation");
    }
  }
  if (parts & kFleets) {
    // Each file is parsed once here, so that a malformed one fails the load with its line and
    // column like any other data file, and again by each request (with its rules and chips).
    kb->fleets_.emplace();
    const fs::path dir = data_dir / "fleets";
    if (IsDir(dir))
      for (const fs::path& f : FilesIn(dir, {".toml", ".csv"})) {
        FleetFile file;
        file.id = f.stem().string();
        file.name = catalog::DisplayPath(f);
        ASSIGN_OR_RETURN(file.text, ReadTextFile(f, file.name));
        ASSIGN_OR_RETURN(fleet::ShipmentSet set, fleet::ParseShipments(file.text, file.name));
        file.title = set.title;
        file.rows = static_cast<int>(set.rows.size());
        kb->fleets_->push_back(std::move(file));
      }
    std::sort(kb->fleets_->begin(), kb->fleets_->end(),
              [](const FleetFile& a, const FleetFile& b) { return a.id < b.id; });
  }

  DataVersion& v = kb->version_;
  v.data_dir = catalog::DisplayPath(data_dir);
  v.chips = static_cast<int>(kb->catalog_.chips().size());
  v.models = kb->models_ ? static_cast<int>(kb->models_->models().size()) : 0;
  if (kb->rules_) {
    auto consider = [&v](const SourceMap& m) {
      for (const auto& [key, s] : m)
        if (!v.sources_read || *v.sources_read < s.read) v.sources_read = s.read;
    };
    for (const rules::RuleVersion& r : kb->rules_->rules()) {
      v.rule_versions.push_back(r.id);
      consider(r.source_map);
    }
    consider(kb->rules_->countries().sources());
    for (const rules::CountryGroup& g : kb->rules_->countries().groups()) consider(g.source_map);
  }
  return std::shared_ptr<const KnowledgeBase>(std::move(kb));
}

Result<const perf::ModelCatalog*> KnowledgeBase::models() const {
  return Loaded(models_, missing_models_);
}
Result<const perf::SystemDefaults*> KnowledgeBase::systems() const {
  return Loaded(systems_, missing_perf_);
}
Result<const perf::Calibration*> KnowledgeBase::calibration() const {
  return Loaded(calibration_, missing_perf_);
}
Result<const std::vector<design::DesignSpace>*> KnowledgeBase::design_spaces() const {
  return Loaded(designs_, missing_designs_);
}
Result<const perf::ValidationSet*> KnowledgeBase::validation() const {
  return Loaded(validation_, missing_validation_);
}

Result<const std::vector<FleetFile>*> KnowledgeBase::fleets() const {
  return Loaded(fleets_, missing_fleets_);
}

Date KnowledgeBase::LatestRuleDate() const {
  Date d = rules_->first_rule_date();
  for (Date c : rules_->change_dates()) d = std::max(d, c);
  return d;
}

}  // namespace ceiling::api
