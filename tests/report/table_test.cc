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

}  // namespace
}  // namespace ceiling::report
