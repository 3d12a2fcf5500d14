#include "ceiling/design/check.h"

#include <algorithm>

#include "ceiling/base/file.h"
#include "ceiling/design/space.h"
#include "ceiling/perf/check.h"
#include "ceiling/rules/check.h"

namespace ceiling::design {
namespace {

namespace fs = std::filesystem;

}  // namespace

catalog::FolderCheck CheckDesignsDir(const fs::path& data_dir, const catalog::Catalog* catalog) {
  catalog::FolderCheck c;
  c.folder = "designs";
  const fs::path dir = data_dir / "designs";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    c.present = false;
    return c;
  }
  const std::vector<fs::path> files = FilesIn(dir, {".toml"});
  c.files = static_cast<int>(files.size());
  if (catalog == nullptr) return c;  // the chips' own check says why the catalog did not load
  for (const fs::path& f : files) {
    auto s = LoadDesignSpace(f, *catalog);
    if (!s.ok()) c.findings.push_back({s.error().location, s.error().message});
  }
  return c;
}

std::vector<catalog::FolderCheck> CheckKnowledgeBase(const fs::path& data_dir) {
  std::vector<catalog::FolderCheck> out;
  auto chips = catalog::Catalog::Load(data_dir);
  const catalog::Catalog* cat = chips.ok() ? &*chips : nullptr;
  out.push_back(rules::CheckCountriesDir(data_dir));
  out.push_back(rules::CheckRulesDir(data_dir, cat));
  out.push_back(rules::CheckEntitiesDir(data_dir));
  out.push_back(rules::CheckImportDir(data_dir));
  out.push_back(perf::CheckModelsDir(data_dir));
  out.push_back(perf::CheckPerfDir(data_dir));
  out.push_back(CheckDesignsDir(data_dir, cat));
  auto models = perf::ModelCatalog::Load(data_dir);
  out.push_back(perf::CheckValidationDir(data_dir, cat, models.ok() ? &*models : nullptr));
  return out;
}

}  // namespace ceiling::design
