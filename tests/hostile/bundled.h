// Load-once bundled knowledge base for the hostile-input tests (found through
// CEILING_SOURCE_DIR, never relative paths).
#ifndef CEILING_TESTS_HOSTILE_BUNDLED_H_
#define CEILING_TESTS_HOSTILE_BUNDLED_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "ceiling/catalog/catalog.h"
#include "ceiling/perf/model.h"
#include "ceiling/rules/rulebook.h"

namespace ceiling::hostile {

inline std::filesystem::path DataDir() {
  return std::filesystem::path(CEILING_SOURCE_DIR) / "data";
}

struct Bundled {
  catalog::Catalog chips;
  perf::ModelCatalog models;
  rules::RuleBook book;
};

inline const Bundled& Data() {
  static const Bundled* data = [] {
    auto chips = catalog::Catalog::Load(DataDir());
    auto models = perf::ModelCatalog::Load(DataDir());
    auto book = rules::RuleBook::Load(DataDir());
    if (!chips.ok() || !models.ok() || !book.ok()) {
      ADD_FAILURE() << "bundled data does not load";
      std::abort();
    }
    return new Bundled{std::move(*chips), std::move(*models), std::move(*book)};
  }();
  return *data;
}

}  // namespace ceiling::hostile

#endif  // CEILING_TESTS_HOSTILE_BUNDLED_H_
