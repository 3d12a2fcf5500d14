// Dates: what ParseDate accepts prints back to the same text, and day arithmetic round-trips.
#include "ceiling/base/date.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ceiling;
  const std::string_view text = fuzz::AsText(data, size);
  auto d = ParseDate(text);
  if (!d.ok()) {
    fuzz::CheckDiagnostic(d.error());
    return 0;
  }
  fuzz::Require(d->ToString() == text, "a parsed date prints differently", text);
  fuzz::Require(IsValidDate(d->year, d->month, d->day), "an invalid date parsed", text);
  const long n = d->DaysSinceEpoch();
  fuzz::Require(Date::FromDaysSinceEpoch(n) == *d, "days since epoch do not round-trip", text);
  fuzz::Require(d->AddDays(1).DaysSinceEpoch() == n + 1 && d->AddDays(-366).AddDays(366) == *d,
                "day arithmetic", text);
  return 0;
}
