#include "ceiling/base/toml_reader.h"

#include <gtest/gtest.h>

namespace ceiling {
namespace {

TEST(TomlReader, ReadsTypedValuesWithPaths) {
  auto doc = TomlTable::ParseString(
      "id = \"x\"\nn = 3\nf = 2.5\nd = 2024-04-04\n[mem]\nbw = 4.0\nlist = [\"a\", \"b\"]\n",
      "t.toml");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(*doc->GetString("id"), "x");
  EXPECT_EQ(*doc->GetInteger("n"), 3);
  EXPECT_DOUBLE_EQ(*doc->GetNumber("n"), 3.0);
  EXPECT_DOUBLE_EQ(*doc->GetNumber("f"), 2.5);
  EXPECT_EQ(doc->GetDate("d")->ToString(), "2024-04-04");
  auto mem = doc->GetTable("mem");
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->KeyPath("bw"), "mem.bw");
  auto s = mem->GetString("bw");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().ToString(), "t.toml:6:6: mem.bw: expected a string, got 4.0");
  EXPECT_EQ(mem->GetStringArray("list")->size(), 2u);
  auto missing = doc->GetString("name");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().ToString(), "t.toml:1:1: missing required key \"name\"");
}

TEST(TomlReader, UnknownKeysSuggestNearest) {
  auto doc = TomlTable::ParseString("id = \"x\"\nvendr = \"y\"\n", "t.toml");
  ASSERT_TRUE(doc.ok());
  auto st = doc->CheckKeys({"id", "vendor"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().ToString(), "t.toml:2:1: vendr: unknown key (did you mean \"vendor\"?)");
  auto st2 = doc->CheckKeys({"id", "zzzzzzzz"});
  EXPECT_EQ(st2.error().ToString(), "t.toml:2:1: vendr: unknown key");
}

TEST(TomlReader, SyntaxErrorsAreLocated) {
  auto doc = TomlTable::ParseString("id = \"x\"\nname = \n", "bad.toml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code, ErrorCode::kParse);
  EXPECT_EQ(doc.error().location.file, "bad.toml");
  EXPECT_EQ(doc.error().location.line, 2);
  auto empty = TomlTable::ParseString("  \n", "e.toml");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().ToString(), "e.toml:1:1: empty file");
  auto utf = TomlTable::ParseString("name = \"\xff\xfe\"\n", "u.toml");
  ASSERT_FALSE(utf.ok());
  EXPECT_EQ(utf.error().location.line, 1);
}

// Each key and each bracket nesting is within its own limit, but together they nest deeper
// than kMaxNesting (found by fuzz_toml; fuzz/regressions/toml/).
TEST(TomlReader, NestingOfHeaderKeyAndInlineTablesAddsUp) {
  auto parts = [](const char* part, int n) {
    std::string s = part;
    for (int i = 1; i < n; ++i) s += std::string(".") + part;
    return s;
  };
  auto at_limit =
      TomlTable::ParseString("[" + parts("t", 32) + "]\n" + parts("u", 31) + " = 1\n", "ok.toml");
  EXPECT_TRUE(at_limit.ok()) << at_limit.error().ToString();
  auto deep =
      TomlTable::ParseString("[" + parts("t", 40) + "]\n" + parts("u", 40) + " = 1\n", "deep.toml");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().code, ErrorCode::kParse);
  EXPECT_EQ(deep.error().location.line, 2);
  EXPECT_NE(deep.error().message.find("nested more than 64 deep"), std::string::npos);
  std::string inl = "a = ";
  for (int i = 0; i < 20; ++i) inl += "{" + parts("k", 4) + " = ";
  inl += "1" + std::string(20, '}') + "\n";
  auto inline_deep = TomlTable::ParseString(inl, "inline.toml");
  ASSERT_FALSE(inline_deep.ok());
  EXPECT_EQ(inline_deep.error().location.line, 1);
}

TEST(TomlReader, MissingFileIsNotFound) {
  auto doc = TomlTable::ParseFile("/nonexistent/x.toml", "x.toml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(doc.error().ToString(), "x.toml: no such file");
}

TEST(EditDistance, Basic) {
  EXPECT_EQ(EditDistance("h20", "h200"), 1);
  EXPECT_EQ(EditDistance("", "abc"), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
}

}  // namespace
}  // namespace ceiling
