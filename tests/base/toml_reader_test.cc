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
