// Rule files from text against the bundled countries; a rule that loads is added to the bundled
// rule book (compiling its conditions, resolving supersedes and meets(), checking cycles) and,
// when that succeeds, a chip is classified on the rule's effective date.
#include "ceiling/catalog/metrics.h"
#include "ceiling/rules/classify.h"
#include "ceiling/rules/rule.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ceiling;
  const fuzz::Bundled& d = fuzz::Data();
  auto rule = rules::ParseRuleText(fuzz::AsText(data, size), "fuzz.toml", d.book.countries());
  if (!rule.ok()) {
    fuzz::CheckDiagnostic(rule.error());
    return 0;
  }
  const Date effective = rule->effective;
  auto book = d.book.WithRule(std::move(rule).value());
  if (!book.ok()) {
    fuzz::CheckDiagnostic(book.error());
    return 0;
  }
  static const catalog::Chip* chip = d.chips.Find("nvidia-h20");
  static const rules::ChipFacts facts = rules::FactsOf(*chip, catalog::ComputeMetrics(*chip));
  for (const char* dest : {"CN", "DE"}) {
    auto q = rules::MakeQuery(*book, effective, dest);
    if (!q.ok()) fuzz::Fail("a bundled country does not resolve");
    (void)rules::Classify(*book, facts, *q);
  }
  return 0;
}
