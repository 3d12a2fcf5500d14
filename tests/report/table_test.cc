#include "ceiling/report/table.h"

#include <gtest/gtest.h>

namespace ceiling::report {
namespace {

TEST(Table, AlignsColumnsAndRules) {
  Table t({{"id"}, {"TPP", Align::kRight}});
  t.AddRow({"nvidia-h100-sxm", "15,832"});
  t.AddRule("TPP 4,800");
  t.AddRow({"nvidia-h20", "2,368"});
  EXPECT_EQ(t.RenderText(),
            "id                  TPP\n"
            "---------------  ------\n"
            "nvidia-h100-sxm  15,832\n"
            "-- TPP 4,800 ----------\n"
            "nvidia-h20        2,368\n");
  EXPECT_EQ(t.RenderCsv(), "id,TPP\nnvidia-h100-sxm,\"15,832\"\nnvidia-h20,\"2,368\"\n");
  EXPECT_EQ(t.rows(), 2u);
}

TEST(Table, CountsUtf8Width) {
  EXPECT_EQ(DisplayWidth("≥ 4800"), 6u);
  EXPECT_EQ(CsvField("a\"b"), "\"a\"\"b\"");
}


TEST(WrapText, BreaksAtSpacesWithinTheWidth) {
  EXPECT_EQ(WrapText("short line"), "short line\n");
  EXPECT_EQ(WrapText("aaa bbb ccc ddd", 7, 2), "aaa bbb\n  ccc\n  ddd\n");
  // Exactly the width fits; one more column does not.
  EXPECT_EQ(WrapText("aaa bbb", 7, 2), "aaa bbb\n");
  EXPECT_EQ(WrapText("aaa bbbb", 7, 2), "aaa\n  bbbb\n");
  // A word longer than a line stays whole; code points count, not bytes.
  EXPECT_EQ(WrapText("a verylongword b", 6, 1), "a\n verylongword\n b\n");
  EXPECT_EQ(WrapText("µµµ µµµ", 7, 0), "µµµ µµµ\n");
  EXPECT_EQ(WrapText("", 10, 2), "\n");
  // Every line of a long text is within the width.
  std::string text;
  for (int k = 0; k < 60; ++k) text += "word" + std::to_string(k) + " ";
  const std::string out = WrapText(text, 40, 4);
  std::size_t begin = 0;
  int lines = 0;
  while (begin < out.size()) {
    const std::size_t end = out.find('\n', begin);
    EXPECT_LE(DisplayWidth(out.substr(begin, end - begin)), 40u);
    begin = end + 1;
    ++lines;
  }
  EXPECT_GT(lines, 5);
}

}  // namespace
}  // namespace ceiling::report
