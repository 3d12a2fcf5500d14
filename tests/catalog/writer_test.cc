#include "ceiling/catalog/writer.h"

#include <gtest/gtest.h>

#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/catalog.h"

namespace ceiling::catalog {
namespace {

// Every catalog chip survives a write/read round trip: same metrics, same text the second time.
TEST(ChipWriter, RoundTripsTheWholeCatalog) {
  auto cat = Catalog::Load(std::string(CEILING_SOURCE_DIR) + "/data");
  ASSERT_TRUE(cat.ok()) << cat.error().ToString();
  for (std::size_t i = 0; i < cat->chips().size(); ++i) {
    const Chip& c = cat->chips()[i];
    const std::string text = ChipToToml(c);
    auto doc = TomlTable::ParseString(text, c.id + ".toml");
    ASSERT_TRUE(doc.ok()) << c.id << ": " << doc.error().ToString() << "\n" << text;
    auto back = ParseChip(*doc, c.id);
    ASSERT_TRUE(back.ok()) << c.id << ": " << back.error().ToString() << "\n" << text;
    const ChipMetrics m = ComputeMetrics(*back, MetricDetail::kValues);
    for (std::size_t k = 0; k < kMetricCount; ++k) {
      const auto& a = cat->metrics(i).metrics[k].value;
      const auto& b = m.metrics[k].value;
      ASSERT_EQ(a.has_value(), b.has_value()) << c.id << " metric " << k;
      if (a) {
        EXPECT_NEAR(*a, *b, std::abs(*a) * 1e-12) << c.id << " metric " << k;
      }
    }
    back->file = c.file;
    EXPECT_EQ(ChipToToml(*back), text) << c.id;
  }
}

// TOML forbids raw control characters (tab aside) in a string; the reader turns escapes such as
// "\r" into them, so the writer must escape them again (a fuzzer found a source title with a
// carriage return written raw: fuzz/regressions/chip/).
TEST(ChipWriter, EscapesControlCharacters) {
  auto cat = Catalog::Load(std::string(CEILING_SOURCE_DIR) + "/data");
  ASSERT_TRUE(cat.ok()) << cat.error().ToString();
  Chip c = *cat->Find("nvidia-h20");
  // What the reader accepts in text: carriage returns, tabs and line feeds among the printable.
  const std::string odd = "a\rb\tc\nd \"q\" \\ \u00e9\r";
  c.name = odd;
  c.sources.begin()->second.title = odd;
  c.sources.begin()->second.note = odd;
  c.tdp->note = odd;
  const std::string text = ChipToToml(c);
  auto doc = TomlTable::ParseString(text, "written.toml");
  ASSERT_TRUE(doc.ok()) << doc.error().ToString() << "\n" << text;
  auto back = ParseChip(*doc, c.id);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->name, odd);
  EXPECT_EQ(back->sources.begin()->second.title, odd);
  EXPECT_EQ(back->sources.begin()->second.note, odd);
  EXPECT_EQ(back->tdp->note, odd);
  // A source key TOML cannot write bare stays one key.
  Chip k = *cat->Find("nvidia-h20");
  Source src = k.sources.at(k.tdp->sources.front());  // a source the TDP already cites
  src.key = "a.b c";
  k.sources.emplace(src.key, src);
  k.tdp->sources.push_back(src.key);
  const std::string keyed = ChipToToml(k);
  auto kdoc = TomlTable::ParseString(keyed, "written.toml");
  ASSERT_TRUE(kdoc.ok()) << kdoc.error().ToString();
  auto kback = ParseChip(*kdoc, k.id);
  ASSERT_TRUE(kback.ok()) << kback.error().ToString() << "\n" << keyed;
  EXPECT_EQ(kback->sources.count("a.b c"), 1u);
  // Other control characters (which the chip reader then refuses) are still valid TOML.
  c.name = std::string("x\x01\b\f\x1f\x7fy");
  const std::string raw = ChipToToml(c);
  EXPECT_NE(raw.find(R"(name = "x\u0001\b\f\u001F\u007Fy")"), std::string::npos) << raw;
  auto again = TomlTable::ParseString(raw, "written.toml");
  ASSERT_TRUE(again.ok()) << again.error().ToString();
}

}  // namespace
}  // namespace ceiling::catalog
