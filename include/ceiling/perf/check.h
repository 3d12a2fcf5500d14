// Whole-folder checks of data/models, data/perf and data/validation for `ceiling check-data`.
//
//   catalog::FolderCheck m = CheckModelsDir("data");
//   catalog::FolderCheck p = CheckPerfDir("data");                     // systems, calibration
//   catalog::FolderCheck v = CheckValidationDir("data", &chips, &models);
//
// Every model file loads on its own (schema and ranges: counts are whole numbers in range, cited
// figures positive and finite); then ids and aliases must be unique and each model's parameter
// count, computed from its shape, must be a positive finite number. systems.toml and
// calibration.toml load with their range checks (a scale-up domain of at least 1, a positive
// scale-out bandwidth, efficiencies in (0, 1]). The validation folder loads against the catalog
// and the models (skipped, without a finding, when either is missing: their own checks report
// why). Thread safety: reentrant.
#ifndef CEILING_PERF_CHECK_H_
#define CEILING_PERF_CHECK_H_

#include <filesystem>

#include "ceiling/catalog/catalog.h"
#include "ceiling/catalog/check.h"
#include "ceiling/perf/model.h"

namespace ceiling::perf {

catalog::FolderCheck CheckModelsDir(const std::filesystem::path& data_dir);
catalog::FolderCheck CheckPerfDir(const std::filesystem::path& data_dir);
catalog::FolderCheck CheckValidationDir(const std::filesystem::path& data_dir,
                                        const catalog::Catalog* chips, const ModelCatalog* models);

}  // namespace ceiling::perf

#endif  // CEILING_PERF_CHECK_H_
