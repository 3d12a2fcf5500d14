// The bundled knowledge base, loaded once per test binary, and helpers to read case files.
#ifndef CEILING_TESTS_FLEET_FIXTURE_H_
#define CEILING_TESTS_FLEET_FIXTURE_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ceiling/fleet/fleet.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/model.h"

namespace ceiling::fleet {

inline std::string DataDir() { return std::string(CEILING_SOURCE_DIR) + "/data"; }

inline std::string ReadCase(const std::string& relative) {
  std::ifstream in(std::filesystem::path(CEILING_SOURCE_DIR) / "tests/cases" / relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct LoadedKb {
  catalog::Catalog chips;
  rules::RuleBook book;
  perf::ModelCatalog models;
  perf::Calibration calibration;
  perf::SystemDefaults systems;

  Knowledge kb(bool throughput = true) const {
    Knowledge k;
    k.chips = &chips;
    k.rules = &book;
    if (throughput) {
      k.models = &models;
      k.calibration = &calibration;
      k.systems = &systems;
    }
    return k;
  }
};

inline const LoadedKb& Kb() {
  static const LoadedKb* kb = [] {
    auto chips = catalog::Catalog::Load(DataDir());
    auto book = rules::RuleBook::Load(DataDir());
    auto models = perf::ModelCatalog::Load(DataDir());
    auto cal = perf::LoadCalibration(DataDir());
    auto sys = perf::LoadSystemDefaults(DataDir());
    if (!chips.ok() || !book.ok() || !models.ok() || !cal.ok() || !sys.ok()) std::abort();
    return new LoadedKb{std::move(*chips), std::move(*book), std::move(*models), std::move(*cal),
                        std::move(*sys)};
  }();
  return *kb;
}

// A request for a case file under tests/cases/fleets, TPP only unless `throughput`.
inline FleetRequest CaseRequest(const std::string& file, bool throughput = false) {
  FleetRequest req;
  req.shipments_name = "fleets/" + file;
  req.shipments_text = ReadCase("fleets/" + file);
  req.throughput = throughput;
  return req;
}

inline const Group* FindGroup(const std::vector<Group>& groups, const std::string& key) {
  for (const Group& g : groups)
    if (g.key == key) return &g;
  return nullptr;
}

inline const RowResult* FindRow(const FleetResult& r, const std::string& id) {
  for (const RowResult& row : r.rows)
    if (row.shipment->id == id) return &row;
  return nullptr;
}

inline const Range& Sum(const Totals& t, Measure m) { return t.sum[Index(m)]; }

}  // namespace ceiling::fleet

#endif  // CEILING_TESTS_FLEET_FIXTURE_H_
