// Quantities with units and rule parameter values: what parses is finite, and a quantity's
// formatted text parses back to the same value within the 4 significant digits it keeps.
#include <cmath>

#include "ceiling/base/units.h"
#include "ceiling/rules/rule.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ceiling;
  const std::string_view text = fuzz::AsText(data, size);
  auto q = ParseQuantity(text);
  if (!q.ok()) {
    fuzz::CheckDiagnostic(q.error());
  } else {
    fuzz::Require(std::isfinite(q->base), "a parsed quantity is not finite", text);
    (void)DimensionName(q->dim);
    const std::string shown = FormatQuantity(q->base, q->dim, 12);
    auto back = ParseQuantity(shown);
    // Named dimensions format with a unit that parses back; others print a formula ("B*s").
    if (back.ok() && back->dim == q->dim && q->base != 0 && std::fabs(q->base) > 1e-250 &&
        std::fabs(q->base) < 1e250) {
      const double rel = std::fabs(back->base / q->base - 1);
      fuzz::Require(rel < 1e-9, "a formatted quantity does not parse back", shown);
    }
  }
  auto p = rules::ParseParameterValue(text);
  if (!p.ok()) {
    fuzz::CheckDiagnostic(p.error());
  } else {
    fuzz::Require(std::isfinite(p->value) && p->value >= 0,
                  "a parameter value is negative or not finite", text);
  }
  return 0;
}
