// The TOML front door: TomlTable::ParseString (the shape guard, then toml++) and every typed
// getter over whatever document comes out, walked to a bounded depth.
#include "ceiling/base/toml_reader.h"
#include "fuzz_common.h"

namespace {

using ceiling::TomlTable;
using ceiling::fuzz::CheckResult;

void Walk(const TomlTable& t, int depth) {
  if (depth > 70) ceiling::fuzz::Fail("TOML nesting deeper than the shape guard allows");
  for (const std::string& k : t.Keys()) {
    (void)t.Describe(k);
    (void)t.LocationOf(k);
    CheckResult(t.GetString(k));
    CheckResult(t.GetNumber(k));
    CheckResult(t.GetInteger(k));
    CheckResult(t.GetBool(k));
    CheckResult(t.GetDate(k));
    CheckResult(t.GetStringArray(k, true));
    CheckResult(t.GetNumberArray(k));
    if (auto arr = t.GetTableArray(k); arr.ok()) {
      for (const TomlTable& sub : *arr) Walk(sub, depth + 1);
    } else {
      ceiling::fuzz::CheckDiagnostic(arr.error());
    }
    if (auto sub = t.GetTable(k); sub.ok()) Walk(*sub, depth + 1);
  }
  CheckResult(t.CheckKeys({"id", "name", "value", "source"}));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto doc = TomlTable::ParseString(ceiling::fuzz::AsText(data, size), "fuzz.toml");
  if (!doc.ok()) {
    ceiling::fuzz::CheckDiagnostic(doc.error());
    return 0;
  }
  Walk(*doc, 0);
  return 0;
}
