// calibration.toml from text; a calibration that loads writes back to text that loads again.
#include "ceiling/perf/calibration.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ceiling;
  auto cal = perf::ParseCalibrationText(fuzz::AsText(data, size), "fuzz.toml");
  if (!cal.ok()) {
    fuzz::CheckDiagnostic(cal.error());
    return 0;
  }
  const std::string text = perf::CalibrationToToml(*cal);
  auto again = perf::ParseCalibrationText(text, "written.toml");
  if (!again.ok())
    fuzz::Fail("the written calibration does not load back", again.error().ToString());
  return 0;
}
