// DumpJson writes what nlohmann::json::dump(indent, ' ', false, replace) writes, byte for byte:
// compared on generated trees whose strings mix plain ASCII, escapes, control bytes, well-formed
// multi-byte UTF-8 and every kind of malformed sequence, at each indent the project uses.
#include "ceiling/report/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace ceiling::report {
namespace {

using nlohmann::json;

std::string Reference(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

// Pieces a string is assembled from; the malformed ones exercise the replacement fallback.
const std::vector<std::string>& Pieces() {
  static const std::vector<std::string> kPieces = {
      "TPP",
      " of 4800 ",
      "3A090.a",
      "\"",
      "\\",
      "/",
      "\n",
      "\t",
      "\r",
      "\b",
      "\f",
      std::string(1, '\0'),
      "\x01",
      "\x1f",
      "\x7f",
      "é",
      "≥",
      "—",
      "§",
      "𝄞",
      "中国",
      "\xff",              // never valid
      "\x80",              // lone continuation byte
      "\xe2\x82",          // truncated three-byte sequence
      "\xc0\xaf",          // overlong '/'
      "\xed\xa0\x80",      // UTF-16 surrogate
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xe0\x80\x80",      // overlong three-byte
      "\xf0\x8f\xbf\xbf",  // overlong four-byte
  };
  return kPieces;
}

std::string RandomString(std::mt19937& rng, bool allow_malformed) {
  const std::size_t clean = 21;  // the pieces before the first malformed one
  std::uniform_int_distribution<std::size_t> piece(
      0, allow_malformed ? Pieces().size() - 1 : clean - 1);
  std::string s;
  for (int n = std::uniform_int_distribution<int>(0, 6)(rng); n > 0; --n) s += Pieces()[piece(rng)];
  return s;
}

json RandomValue(std::mt19937& rng, int depth, bool allow_malformed) {
  static const double kDoubles[] = {0.0,
                                    -0.0,
                                    0.1,
                                    2400.0,
                                    1e300,
                                    -3.5e-7,
                                    15831.23,
                                    1.0 / 3,
                                    std::numeric_limits<double>::quiet_NaN(),
                                    std::numeric_limits<double>::infinity()};
  const int kind = std::uniform_int_distribution<int>(0, depth > 0 ? 8 : 6)(rng);
  switch (kind) {
    case 0:
      return nullptr;
    case 1:
      return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    case 2:
      return std::uniform_int_distribution<std::int64_t>(
          std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max())(rng);
    case 3:
      return std::uniform_int_distribution<std::uint64_t>()(rng);
    case 4:
      return kDoubles[std::uniform_int_distribution<std::size_t>(0, 9)(rng)];
    case 5:
    case 6:
      return RandomString(rng, allow_malformed);
    case 7: {
      json a = json::array();
      for (int n = std::uniform_int_distribution<int>(0, 4)(rng); n > 0; --n)
        a.push_back(RandomValue(rng, depth - 1, allow_malformed));
      return a;
    }
    default: {
      json o = json::object();
      for (int n = std::uniform_int_distribution<int>(0, 4)(rng); n > 0; --n)
        o[RandomString(rng, allow_malformed)] = RandomValue(rng, depth - 1, allow_malformed);
      return o;
    }
  }
}

TEST(DumpJson, WritesTheLibrarySerializersBytes) {
  std::mt19937 rng(20261201);
  for (int i = 0; i < 3000; ++i) {
    const json j = RandomValue(rng, 4, /*allow_malformed=*/i % 3 == 0);
    for (int indent : {-1, 0, 2, 4}) {
      const std::string ours = DumpJson(j, indent);
      ASSERT_EQ(ours, Reference(j, indent)) << "tree " << i << ", indent " << indent;
    }
  }
}

TEST(DumpJson, EdgeCases) {
  for (const json& j : {json::object(), json::array(), json(""),
                        json({{"a", json::object()}, {"b", json::array()}}),
                        json({{"k\"ey\\", {1, 2.5, "x\ty"}}}), json(std::string("\xc3\x28")),
                        json(std::string("ok\xe2\x82\xac\xff")), json(-0.0), json(1e-320)}) {
    EXPECT_EQ(DumpJson(j), Reference(j, 2)) << Reference(j, -1);
    EXPECT_EQ(DumpJson(j, -1), Reference(j, -1));
  }
  EXPECT_EQ(DumpJson(json({{"a", 1}})), "{\n  \"a\": 1\n}");
  EXPECT_EQ(DumpJson(json(std::string("\x01"))), "\"\\u0001\"");
}

}  // namespace
}  // namespace ceiling::report
