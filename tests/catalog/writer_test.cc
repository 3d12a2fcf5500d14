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

}  // namespace
}  // namespace ceiling::catalog
