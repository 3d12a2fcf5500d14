// Whole-catalog validation for `ceiling check-data`.
//
//   CheckReport r = CheckDataDir("data");
//   for (const Finding& f : r.findings) puts(f.ToString().c_str());
//   return r.findings.empty() ? 0 : 1;
//
// Collects every finding instead of stopping at the first: load errors of each file (schema,
// units), then consistency across the catalog: ids unique and matching file names, every
// figure cites a defined source and every source is used, derived figures carry a formula,
// fp8 >= fp16 >= fp32 where present, sparse rates above dense, derived_from names an existing
// chip sharing its logic dies.
#ifndef CEILING_CATALOG_CHECK_H_
#define CEILING_CATALOG_CHECK_H_

#include <filesystem>
#include <string>
#include <vector>

#include "ceiling/base/result.h"
#include "ceiling/catalog/chip.h"

namespace ceiling::catalog {

struct Finding {
  SourceLocation location;
  std::string message;
  std::string ToString() const;
};

struct CheckReport {
  int files = 0;
  int chips = 0;
  int figures = 0;
  std::vector<Finding> findings;
};

// The check of one folder of the knowledge base other than chips/ (countries, rules, models,
// perf, designs, validation): every file is loaded on its own, so that one broken file does not
// hide the next, then what spans files (ids, references, cycles) is checked. `files` counts the
// files read; a folder that does not exist has `present` false and no findings.
struct FolderCheck {
  std::string folder;  // "models"
  bool present = true;
  int files = 0;
  std::vector<Finding> findings;
};

// Consistency of records that loaded (the per-file checks are part of loading).
std::vector<Finding> CheckConsistency(const std::vector<Chip>& chips);
CheckReport CheckChipsDir(const std::filesystem::path& chips_dir);

}  // namespace ceiling::catalog

#endif  // CEILING_CATALOG_CHECK_H_
