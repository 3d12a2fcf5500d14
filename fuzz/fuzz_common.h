// Shared by the libFuzzer targets (fuzz/fuzz_*.cc): the bundled knowledge base, loaded once, and
// the properties every diagnostic must have. A violated property is a crash (abort with a
// message), which libFuzzer reports and saves as an input to reproduce.
#ifndef CEILING_FUZZ_FUZZ_COMMON_H_
#define CEILING_FUZZ_FUZZ_COMMON_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ceiling/base/result.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/perf/model.h"
#include "ceiling/rules/rulebook.h"

namespace ceiling::fuzz {

[[noreturn]] inline void Fail(std::string_view what, std::string_view detail = "") {
  std::fprintf(stderr, "fuzz property violated: %.*s\n%.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size() > 4000 ? 4000 : detail.size()),
               detail.data());
  std::abort();
}

inline void Require(bool ok, std::string_view what, std::string_view detail = "") {
  if (!ok) Fail(what, detail);
}

struct Bundled {
  catalog::Catalog chips;
  perf::ModelCatalog models;
  rules::RuleBook book;
};

// The bundled data (CEILING_DATA_DIR), loaded on first use; a load failure is a bug here.
inline const Bundled& Data() {
  static const Bundled* data = [] {
    auto chips = catalog::Catalog::Load(CEILING_DATA_DIR);
    auto models = perf::ModelCatalog::Load(CEILING_DATA_DIR);
    auto book = rules::RuleBook::Load(CEILING_DATA_DIR);
    if (!chips.ok() || !models.ok() || !book.ok()) Fail("bundled data does not load");
    return new Bundled{std::move(*chips), std::move(*models), std::move(*book)};
  }();
  return *data;
}

// A diagnostic is one line without raw control characters and of bounded length; with its
// caret display at most three lines.
inline void CheckDiagnostic(const Error& e) {
  const std::string one = e.ToString();
  Require(one.size() <= 2600, "diagnostic longer than 2,600 bytes", one);
  for (char c : one) {
    const auto u = static_cast<unsigned char>(c);
    Require(u >= 0x20 && u != 0x7f, "raw control character in a diagnostic", one);
  }
  const std::string caret = e.ToStringWithCaret();
  int lines = 0;
  for (char c : caret) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n')
      ++lines;
    else
      Require((u >= 0x20 && u != 0x7f) || c == '\t', "raw control character in a caret display",
              caret);
  }
  Require(lines <= 2, "caret display of more than three lines", caret);
  Require(caret.size() <= 2600 + 2 * 700, "caret display too long", caret);
}

template <typename T>
void CheckResult(const Result<T>& r) {
  if (!r.ok()) CheckDiagnostic(r.error());
}

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace ceiling::fuzz

#endif  // CEILING_FUZZ_FUZZ_COMMON_H_
