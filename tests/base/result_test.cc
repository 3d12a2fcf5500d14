#include "ceiling/base/result.h"

#include <gtest/gtest.h>

namespace ceiling {
namespace {

Result<int> Half(int x) {
  if (x % 2) return MakeError(ErrorCode::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x));
  return OkStatus();
}

TEST(Result, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_FALSE(Quarter(6).ok());
  EXPECT_EQ(Quarter(6).error().message, "odd");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_FALSE(CheckEven(3).ok());
}

TEST(Error, FormatsLocationAndCaret) {
  Error e = MakeError(ErrorCode::kParse, "unexpected ')'", SourceLocation{"r.toml", 3, 7});
  EXPECT_EQ(e.ToString(), "r.toml:3:7: unexpected ')'");
  e.context = "x = (a))";
  EXPECT_EQ(e.ToStringWithCaret(), "r.toml:3:7: unexpected ')'\n  x = (a))\n        ^");
  EXPECT_EQ(MakeError(ErrorCode::kIo, "boom").ToString(), "boom");
  EXPECT_EQ((SourceLocation{"f", 2, 0}).ToString(), "f:2");
}

}  // namespace
}  // namespace ceiling
