// Checks of data/designs, and of the whole knowledge base, for `ceiling check-data`.
//
//   catalog::FolderCheck d = CheckDesignsDir("data", &catalog);
//   std::vector<catalog::FolderCheck> all = CheckKnowledgeBase("data");  // every folder but chips
//
// Every design file loads on its own against the catalog (ranges finite, steps that give at most
// kMaxKnobValues distinct values, products covered by the ranges, the size limits of space.h).
// CheckKnowledgeBase runs the folder checks of every module in dependency order (countries,
// rules, models, perf, designs, validation); chips/ has its own, richer report
// (catalog::CheckChipsDir). The design module sits above every loader, which is why the
// whole-base check lives here. Thread safety: reentrant.
#ifndef CEILING_DESIGN_CHECK_H_
#define CEILING_DESIGN_CHECK_H_

#include <filesystem>
#include <vector>

#include "ceiling/catalog/catalog.h"
#include "ceiling/catalog/check.h"

namespace ceiling::design {

catalog::FolderCheck CheckDesignsDir(const std::filesystem::path& data_dir,
                                     const catalog::Catalog* catalog);
std::vector<catalog::FolderCheck> CheckKnowledgeBase(const std::filesystem::path& data_dir);

}  // namespace ceiling::design

#endif  // CEILING_DESIGN_CHECK_H_
