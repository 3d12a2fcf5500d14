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


// Every line of `text` is at most `width` display columns.
void ExpectFits(const std::string& text, std::size_t width) {
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t end = text.find('\n', begin);
    EXPECT_LE(DisplayWidth(text.substr(begin, end - begin)), width)
        << text.substr(begin, end - begin);
    begin = end + 1;
  }
}

TEST(TableFit, ATableThatFitsIsUnchanged) {
  Table t({{"id"}, {.header = "note", .wrap = 4, .drop = 1}});
  t.AddRow({"a", "some words here"});
  EXPECT_EQ(t.RenderText(20), t.RenderText(0));
  EXPECT_EQ(t.RenderText(20), "id  note\n--  ---------------\na   some words here\n");
}

TEST(TableFit, LeavesOutOptionalColumnsFirstAndSaysSo) {
  Table t({{"id"},
           {.header = "name", .drop = 2},
           {.header = "vendor", .drop = 1},
           {"TPP", Align::kRight}});
  t.AddRow({"nvidia-h20", "NVIDIA HGX H20 96GB", "nvidia", "2,368"});
  // 10 + 19 + 6 + 5 + 6 = 46 columns. At 30 the name goes (highest drop first), and the vendor
  // stays because the rest then fits.
  EXPECT_EQ(t.RenderText(30),
            "id          vendor    TPP\n"
            "----------  ------  -----\n"
            "nvidia-h20  nvidia  2,368\n"
            "(left out to fit 30 columns:\n  name)\n");
  // At 20 both go.
  EXPECT_EQ(t.RenderText(20).rfind("id            TPP\n----------  -----\nnvidia-h20  2,368\n", 0),
            0u);
  EXPECT_NE(t.RenderText(20).find("vendor)"), std::string::npos);
  // CSV keeps every column.
  EXPECT_EQ(t.RenderCsv(), "id,name,vendor,TPP\nnvidia-h20,NVIDIA HGX H20 96GB,nvidia,\"2,368\"\n");
}

TEST(TableFit, WrapsProseColumnsOntoContinuationLines) {
  Table t({{"chip"}, {.header = "what changes", .wrap = 8}});
  t.AddRow({"nvidia-h20", "license required: no -> yes"});
  t.AddRow({"amd-mi100", "none"});
  const std::string out = t.RenderText(30);
  EXPECT_EQ(out,
            "chip        what changes\n"
            "----------  -----------------\n"
            "nvidia-h20  license required:\n"
            "            no -> yes\n"
            "amd-mi100   none\n");
  ExpectFits(out, 30);
  // A rule id breaks after its slash; a piece longer than the column stays whole.
  Table b({{"die"}, {.header = "binding", .wrap = 4}});
  b.AddRow({"gh100", "us-2023-10-acs/3A090.b.1 (compute)"});
  EXPECT_EQ(b.RenderText(24),
            "die    binding\n"
            "-----  ---------------\n"
            "gh100  us-2023-10-acs/\n"
            "       3A090.b.1\n"
            "       (compute)\n");
}

TEST(TableFit, WrapsTheColumnThatBreaksFewestCells) {
  // Shrinking `a` breaks one cell, shrinking `b` breaks both: `a` wraps.
  Table t({{"k"}, {.header = "a", .wrap = 4}, {.header = "b", .wrap = 4}});
  t.AddRow({"1", "x y z w v u", "pp qq"});
  t.AddRow({"2", "x", "pp qq"});
  const std::string out = t.RenderText(15);
  ExpectFits(out, 15);
  EXPECT_NE(out.find("pp qq"), std::string::npos);
}

TEST(TableFit, SplitsIntoBlocksThatRepeatTheKeyColumns) {
  std::vector<Column> cols = {{"chip"}};
  for (int k = 0; k < 6; ++k) cols.push_back({"2024-0" + std::to_string(k + 1) + "-01"});
  Table t(cols);
  t.AddRow({"nvidia-h20", "free", "b LIC", "b LIC", "free", "a LIC", "free"});
  t.AddRule("group");
  t.AddRow({"nvidia-h100-sxm", "a LIC", "a LIC", "a LIC", "a LIC", "a LIC", "a LIC"});
  const std::string out = t.RenderText(51);
  ExpectFits(out, 51);
  // 15 + 6 x 12 = 87 columns: two blocks of three dates (15 + 3 x 12 = 51), each with the chip
  // column and the labelled rule, separated by an empty line.
  EXPECT_EQ(out,
            "chip             2024-01-01  2024-02-01  2024-03-01\n"
            "---------------  ----------  ----------  ----------\n"
            "nvidia-h20       free        b LIC       b LIC\n"
            "-- group ------------------------------------------\n"
            "nvidia-h100-sxm  a LIC       a LIC       a LIC\n"
            "\n"
            "chip             2024-04-01  2024-05-01  2024-06-01\n"
            "---------------  ----------  ----------  ----------\n"
            "nvidia-h20       free        a LIC       free\n"
            "-- group ------------------------------------------\n"
            "nvidia-h100-sxm  a LIC       a LIC       a LIC\n");
}

TEST(TableFit, KeepsGroupsOfColumnsTogether) {
  Table t({{"die"},
           {"base"},
           {.header = "2023", .group = true},
           {"TPP"},
           {.header = "2024", .group = true},
           {"TPP"},
           {"change"}});
  t.SetKeyColumns(2);
  t.AddRow({"gh100", "nvidia-h100-sxm", "2956", "15,831", "615.8", "2,399", "-79%"});
  // 5 + 15 + 4 + 6 + 5 + 5 + 6 + 12 = 58 columns; at 45 the second year's group, 44 wide with
  // the keys, goes to a block of its own, the change with it.
  const std::string out = t.RenderText(45);
  ExpectFits(out, 45);
  // The second block starts at 2024 and keeps the change with it.
  EXPECT_NE(out.find("die    base             2023  TPP\n"), std::string::npos) << out;
  EXPECT_NE(out.find("die    base             2024   TPP    change\n"), std::string::npos) << out;
}

TEST(TableFit, ColumnsWiderThanTheLimitStayWhole) {
  Table t({{"url"}});
  t.AddRow({std::string(120, 'u')});
  EXPECT_EQ(t.RenderText(), t.RenderText(0));
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

TEST(WrapText, KeepsAUnitWithItsNumber) {
  // "8.95 ms" would end the first line at "8.95": the pair moves down whole.
  EXPECT_EQ(WrapText("TPOT 8.95 ms against 1 ms", 10, 2), "TPOT\n  8.95 ms\n  against\n  1 ms\n");
  EXPECT_EQ(WrapText("has 2,048.5 GB/s, then", 13, 0), "has\n2,048.5 GB/s,\nthen\n");
  EXPECT_EQ(WrapText("(80 GB) left", 6, 0), "(80 GB)\nleft\n");
  // Only a unit after a number is kept with it; other words break as before.
  EXPECT_EQ(WrapText("at 8 clients", 9, 0), "at 8\nclients\n");
  EXPECT_EQ(WrapText("the ms mark", 6, 0), "the ms\nmark\n");
  EXPECT_EQ(WrapText("v1 ms", 3, 0), "v1\nms\n");
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
