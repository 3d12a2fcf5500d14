// systems.toml from text; systems that load give a usable Hardware for a bundled chip.
#include "ceiling/perf/hardware.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ceiling;
  auto sys = perf::ParseSystemDefaultsText(fuzz::AsText(data, size), "fuzz.toml");
  if (!sys.ok()) {
    fuzz::CheckDiagnostic(sys.error());
    return 0;
  }
  for (const char* id : {"nvidia-h100-sxm", "huawei-ascend-910c"}) {
    auto hw = perf::HardwareFromChip(*fuzz::Data().chips.Find(id), *sys, {});
    if (!hw.ok()) fuzz::Fail("loaded systems give no hardware", hw.error().ToString());
    fuzz::Require(hw->scale_out.base() > 0 && hw->scale_up.base() > 0 && hw->scale_up_domain >= 1,
                  "non-positive link figures");
  }
  return 0;
}
