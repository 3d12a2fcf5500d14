// Country files from text: a group file added to the bundled countries, and the same text read
// as a country list; a group that loads is evaluated on a few dates.
#include "ceiling/rules/countries.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ceiling;
  const std::string_view text = fuzz::AsText(data, size);
  rules::CountryDb db = fuzz::Data().book.countries();
  if (auto st = db.AddGroupText(text, "fuzz.toml"); !st.ok()) {
    fuzz::CheckDiagnostic(st.error());
  } else {
    for (Date d : {Date{2020, 1, 1}, Date{2024, 6, 1}, Date{2030, 1, 1}})
      (void)db.GroupMembers(db.groups().size() - 1, d);
  }
  auto list = rules::CountryDb::FromCountryText(text, "fuzz.toml");
  if (!list.ok()) fuzz::CheckDiagnostic(list.error());
  return 0;
}
