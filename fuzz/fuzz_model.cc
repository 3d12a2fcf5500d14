// Model files from text: ParseModelText; a model that loads has finite, positive sizes.
#include <cmath>

#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ceiling;
  auto m = perf::ParseModelText(fuzz::AsText(data, size), "fuzz.toml");
  if (!m.ok()) {
    fuzz::CheckDiagnostic(m.error());
    return 0;
  }
  for (double v : {m->TotalParams(), m->ActiveParams(), m->KvElementsPerToken()})
    fuzz::Require(std::isfinite(v) && v >= 0, "non-finite or negative model size", m->id);
  return 0;
}
