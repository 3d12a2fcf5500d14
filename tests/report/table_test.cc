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


TEST(WrapReport, AlignsContinuationsUnderTheValue) {
  const std::string label = "Measures          " + std::string(60, 'a') + " " + std::string(60, 'b');
  EXPECT_EQ(WrapReport(label + "\nshort\n\n"),
            "Measures          " + std::string(60, 'a') + "\n" + std::string(18, ' ') +
                std::string(60, 'b') + "\nshort\n\n");
  // A label of two words.
  const std::string two = "Review policy     " + std::string(60, 'a') + " " + std::string(60, 'b');
  EXPECT_EQ(WrapReport(two), "Review policy     " + std::string(60, 'a') + "\n" +
                                 std::string(18, ' ') + std::string(60, 'b') + "\n");
  // No "label  value" split: two spaces further in than the line.
  const std::string prose = "    " + std::string(60, 'c') + " " + std::string(60, 'd');
  EXPECT_EQ(WrapReport(prose), "    " + std::string(60, 'c') + "\n      " + std::string(60, 'd') +
                                   "\n");
  // A value past half the width is not a column to align on.
  const std::string far = std::string(55, 'e') + "  " + std::string(30, 'f') + " " +
                          std::string(30, 'g');
  EXPECT_EQ(WrapReport(far), std::string(55, 'e') + "  " + std::string(30, 'f') + "\n  " +
                                 std::string(30, 'g') + "\n");
  // Lines within the width, and a text without a final newline, are kept as they are.
  EXPECT_EQ(WrapReport("a  b\nc"), "a  b\nc");
}

}  // namespace
}  // namespace ceiling::report
