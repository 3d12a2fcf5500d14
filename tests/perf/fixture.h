// Shared, load-once test data for the performance-model tests: the bundled chips, models,
// system defaults and calibration (found through CEILING_SOURCE_DIR, never relative paths).
#ifndef CEILING_TESTS_PERF_FIXTURE_H_
#define CEILING_TESTS_PERF_FIXTURE_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "ceiling/catalog/catalog.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"

namespace ceiling::perf::testing {

struct Data {
  catalog::Catalog chips;
  ModelCatalog models;
  SystemDefaults systems;
  Calibration calibration;
};

inline std::filesystem::path DataDir() {
  return std::filesystem::path(CEILING_SOURCE_DIR) / "data";
}

inline const Data& Bundled() {
  static const Data* data = [] {
    auto* d = new Data;
    auto chips = catalog::Catalog::Load(DataDir());
    auto models = ModelCatalog::Load(DataDir());
    auto systems = LoadSystemDefaults(DataDir());
    auto cal = LoadCalibration(DataDir());
    if (!chips.ok() || !models.ok() || !systems.ok() || !cal.ok()) {
      ADD_FAILURE() << "bundled data does not load: "
                    << (!chips.ok()     ? chips.error().ToString()
                        : !models.ok()  ? models.error().ToString()
                        : !systems.ok() ? systems.error().ToString()
                                        : cal.error().ToString());
      std::abort();
    }
    d->chips = std::move(*chips);
    d->models = std::move(*models);
    d->systems = std::move(*systems);
    d->calibration = std::move(*cal);
    return d;
  }();
  return *data;
}

inline Hardware HardwareOf(const std::string& chip_id) {
  const catalog::Chip* chip = Bundled().chips.Find(chip_id);
  if (!chip) {
    ADD_FAILURE() << "no chip " << chip_id;
    std::abort();
  }
  auto hw = HardwareFromChip(*chip, Bundled().systems, {});
  if (!hw.ok()) {
    ADD_FAILURE() << hw.error().ToString();
    std::abort();
  }
  return *hw;
}

inline const ModelArch& ModelOf(const std::string& id) {
  const ModelArch* m = Bundled().models.Find(id);
  if (!m) {
    ADD_FAILURE() << "no model " << id;
    std::abort();
  }
  return *m;
}

// Every efficiency 1, no fixed costs: what hand calculations assume.
inline FamilyParams IdealParams() {
  FamilyParams p;
  p.gemm_efficiency = 1;
  p.memory_efficiency = 1;
  p.attention_efficiency = 1;
  p.decode_attention_efficiency = 1;
  p.kv_read_efficiency = 1;
  p.kernel_overhead = Seconds::Zero();
  p.comm_efficiency = 1;
  p.comm_latency = Seconds::Zero();
  return p;
}

}  // namespace ceiling::perf::testing

#endif  // CEILING_TESTS_PERF_FIXTURE_H_
