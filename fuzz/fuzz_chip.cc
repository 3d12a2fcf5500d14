// Chip files from text: ParseChipText; a chip that loads has finite metrics, and the writer's
// text for it loads back (catalog/writer.h promises a round trip).
#include <cmath>

#include "ceiling/catalog/metrics.h"
#include "ceiling/catalog/writer.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ceiling;
  auto chip = catalog::ParseChipText(fuzz::AsText(data, size), "fuzz.toml");
  if (!chip.ok()) {
    fuzz::CheckDiagnostic(chip.error());
    return 0;
  }
  const catalog::ChipMetrics m = catalog::ComputeMetrics(*chip);
  for (const auto& metric : m.metrics)
    if (metric.value) fuzz::Require(std::isfinite(*metric.value), "non-finite metric", chip->id);
  const std::string text = catalog::ChipToToml(*chip);
  auto again = catalog::ParseChipText(text, "written.toml");
  if (!again.ok())
    fuzz::Fail("the writer's text does not load back", again.error().ToString() + "\n" + text);
  return 0;
}
