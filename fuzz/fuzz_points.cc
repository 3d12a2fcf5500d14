// Validation points (points.toml) from text against the bundled chips and models.
#include <cmath>

#include "ceiling/perf/validation.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ceiling;
  const fuzz::Bundled& d = fuzz::Data();
  auto set =
      perf::ParseValidationPointsText(fuzz::AsText(data, size), "fuzz.toml", d.chips, d.models);
  if (!set.ok()) {
    fuzz::CheckDiagnostic(set.error());
    return 0;
  }
  for (const perf::ValidationPoint& p : set->points)
    fuzz::Require(p.gpus >= 1 && p.workload.isl >= 1, "a loaded point has no GPUs or no input");
  return 0;
}
