// Whole-folder checks of data/countries and data/rules for `ceiling check-data`.
//
//   catalog::FolderCheck c = CheckCountriesDir("data");
//   catalog::FolderCheck r = CheckRulesDir("data", &catalog);   // catalog may be null
//   for (const catalog::Finding& f : r.findings) puts(f.ToString().c_str());
//
// CheckRulesDir loads each rule file on its own (schema, dates, sources, set expressions), checks
// that each id matches its file name, then builds the rule book from the files that loaded, which
// compiles every condition and detects supersedes cycles and meets() cycles (see rulebook.h), and,
// given a catalog, checks that every product a measure names is a catalog chip. Each problem is
// one located finding. Thread safety: reentrant.
#ifndef CEILING_RULES_CHECK_H_
#define CEILING_RULES_CHECK_H_

#include <filesystem>

#include "ceiling/catalog/catalog.h"
#include "ceiling/catalog/check.h"

namespace ceiling::rules {

catalog::FolderCheck CheckCountriesDir(const std::filesystem::path& data_dir);
catalog::FolderCheck CheckRulesDir(const std::filesystem::path& data_dir,
                                   const catalog::Catalog* catalog);
// data/entities (Entity List notices, the affiliates rule) and data/import (destination-side
// measures), file by file: each file's schema, dates, sources and id. What spans files is
// checked when the rule book loads them together (CheckData reports that error too).
catalog::FolderCheck CheckEntitiesDir(const std::filesystem::path& data_dir);
catalog::FolderCheck CheckImportDir(const std::filesystem::path& data_dir);

}  // namespace ceiling::rules

#endif  // CEILING_RULES_CHECK_H_
