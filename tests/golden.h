// Golden-file comparison for pinned diagnostics: `got` must equal the contents of `expect`
// (without its final newline). With CEILING_UPDATE_GOLDEN=1 a missing file is written (and the
// test skipped) so that new cases can be reviewed by hand.
#ifndef CEILING_TESTS_GOLDEN_H_
#define CEILING_TESTS_GOLDEN_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ceiling {

inline void ExpectGolden(const std::filesystem::path& expect, const std::string& got) {
  if (!std::filesystem::exists(expect) && std::getenv("CEILING_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(expect) << got << "\n";
    GTEST_SKIP() << "wrote " << expect;
  }
  std::ifstream in(expect);
  ASSERT_TRUE(in) << "missing " << expect;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string want = ss.str();
  if (!want.empty() && want.back() == '\n') want.pop_back();
  EXPECT_EQ(got, want);
}

}  // namespace ceiling

#endif  // CEILING_TESTS_GOLDEN_H_
