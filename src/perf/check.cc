#include "ceiling/perf/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ceiling/base/file.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/validation.h"

namespace ceiling::perf {
namespace {

namespace fs = std::filesystem;

void Add(catalog::FolderCheck* c, const Error& e) {
  c->findings.push_back({e.location, e.message});
}

bool IsDir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

}  // namespace

catalog::FolderCheck CheckModelsDir(const fs::path& data_dir) {
  catalog::FolderCheck c;
  c.folder = "models";
  const fs::path dir = data_dir / "models";
  if (!IsDir(dir)) {
    c.present = false;
    return c;
  }
  const std::vector<fs::path> files = FilesIn(dir, {".toml"});
  std::vector<ModelArch> models;
  for (const fs::path& f : files) {
    ++c.files;
    auto m = LoadModelFile(f, catalog::DisplayPath(f), f.stem().string());
    if (!m.ok()) {
      Add(&c, m.error());
      continue;
    }
    const double total = m->TotalParams(), active = m->ActiveParams();
    if (!(total > 0) || !std::isfinite(total) || !(active > 0) || !(active <= total))
      c.findings.push_back({SourceLocation{m->file, 0, 0},
                            fmt::format("the shape gives {} parameters ({} active); expected a "
                                        "positive finite count with active <= total",
                                        total, active)});
    models.push_back(std::move(m).value());
  }
  if (files.empty())
    c.findings.push_back({SourceLocation{catalog::DisplayPath(dir), 0, 0}, "no model files"});
  auto cat = ModelCatalog::FromModels(std::move(models));
  if (!cat.ok()) Add(&c, cat.error());
  return c;
}

catalog::FolderCheck CheckPerfDir(const fs::path& data_dir) {
  catalog::FolderCheck c;
  c.folder = "perf";
  if (!IsDir(data_dir / "perf")) {
    c.present = false;
    return c;
  }
  ++c.files;
  auto sys = LoadSystemDefaults(data_dir);
  if (!sys.ok()) Add(&c, sys.error());
  std::error_code ec;
  if (fs::exists(data_dir / "perf" / "calibration.toml", ec)) {
    ++c.files;
    auto cal = LoadCalibration(data_dir);
    if (!cal.ok()) Add(&c, cal.error());
  }
  return c;
}

catalog::FolderCheck CheckValidationDir(const fs::path& data_dir, const catalog::Catalog* chips,
                                        const ModelCatalog* models) {
  catalog::FolderCheck c;
  c.folder = "validation";
  if (!IsDir(data_dir / "validation")) {
    c.present = false;
    return c;
  }
  if (chips == nullptr || models == nullptr) return c;
  c.files = 3;  // points.toml, aiconfigurator/systems.toml, aiconfigurator/silicon_sample.csv
  auto set = LoadValidationSet(data_dir, *chips, *models);
  if (!set.ok()) Add(&c, set.error());
  return c;
}

}  // namespace ceiling::perf
