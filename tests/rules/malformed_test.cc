// Data-driven: every tests/cases/rules_malformed/NAME.toml (a rule file) and
// tests/cases/countries_malformed/NAME.toml (a group file, or a country list when NAME starts
// with "list-") must fail with exactly the diagnostic in NAME.expect, as the CLI prints it: one
// line, plus the source line and a caret for parse errors. Set CEILING_UPDATE_GOLDEN=1 to write
// missing .expect files, then review them by hand.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ceiling/rules/rulebook.h"
#include "ceiling/rules/screening.h"
#include "golden.h"

namespace ceiling::rules {
namespace {

namespace fs = std::filesystem;
const fs::path kSource(CEILING_SOURCE_DIR);

std::vector<std::string> Names(const fs::path& dir, const std::string& ext = ".toml") {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string ParamName(const ::testing::TestParamInfo<std::string>& param_info) {
  std::string n = param_info.param;
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

std::string CliText(const Error& e) {
  return e.code == ErrorCode::kParse && !e.context.empty() ? e.ToStringWithCaret() : e.ToString();
}

void Compare(const fs::path& dir, const std::string& stem, const std::string& got) {
  ExpectGolden(dir / (stem + ".expect"), got);
  EXPECT_EQ(got.find('\n') == std::string::npos ? 1 : 3,
            1 + static_cast<int>(std::count(got.begin(), got.end(), '\n')))
      << "a diagnostic is one line, or three with a caret";
}

const RuleBook& Bundled() {
  static const RuleBook book = [] {
    auto b = RuleBook::Load(kSource / "data");
    if (!b.ok()) std::abort();
    return *b;
  }();
  return book;
}

class MalformedRule : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedRule, FailsWithPinnedDiagnostic) {
  const fs::path dir = kSource / "tests/cases/rules_malformed";
  const std::string stem = GetParam();
  auto rule = LoadRuleFile(dir / (stem + ".toml"), Bundled().countries(),
                           "rules_malformed/" + stem + ".toml");
  std::optional<Error> error;
  if (!rule.ok()) {
    error = rule.error();
  } else {
    auto book = Bundled().WithRule(*rule);
    ASSERT_FALSE(book.ok()) << stem << " loaded and compiled but should not";
    error = book.error();
  }
  Compare(dir, stem, CliText(*error));
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedRule,
                         ::testing::ValuesIn(Names(kSource / "tests/cases/rules_malformed")),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

class MalformedCountries : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedCountries, FailsWithPinnedDiagnostic) {
  const fs::path dir = kSource / "tests/cases/countries_malformed";
  const std::string stem = GetParam();
  const std::string display = "countries_malformed/" + stem + ".toml";
  Status s;
  if (stem.rfind("list-", 0) == 0) {
    auto db = CountryDb::FromCountryFile(dir / (stem + ".toml"), display);
    if (!db.ok()) s = db.error();
  } else {
    CountryDb db = Bundled().countries();
    s = db.AddGroupFile(dir / (stem + ".toml"), display);
  }
  ASSERT_FALSE(s.ok()) << stem << " loaded but should not";
  Compare(dir, stem, CliText(s.error()));
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedCountries,
                         ::testing::ValuesIn(Names(kSource / "tests/cases/countries_malformed")),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// tests/cases/entities_malformed/NAME.toml: an Entity List notice or Affiliates rule file.
class MalformedEntities : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedEntities, FailsWithPinnedDiagnostic) {
  const fs::path dir = kSource / "tests/cases/entities_malformed";
  const std::string stem = GetParam();
  EntityDb db;
  Status s = db.AddFile(dir / (stem + ".toml"), "entities_malformed/" + stem + ".toml");
  ASSERT_FALSE(s.ok()) << stem << " loaded but should not";
  Compare(dir, stem, CliText(s.error()));
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedEntities,
                         ::testing::ValuesIn(Names(kSource / "tests/cases/entities_malformed")),
                         ParamName);

// tests/cases/import_malformed/NAME.toml: an import-side measure.
class MalformedImports : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedImports, FailsWithPinnedDiagnostic) {
  const fs::path dir = kSource / "tests/cases/import_malformed";
  const std::string stem = GetParam();
  ImportDb db;
  Status s = db.AddFile(dir / (stem + ".toml"), Bundled().countries(),
                        "import_malformed/" + stem + ".toml");
  ASSERT_FALSE(s.ok()) << stem << " loaded but should not";
  Compare(dir, stem, CliText(s.error()));
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedImports,
                         ::testing::ValuesIn(Names(kSource / "tests/cases/import_malformed")),
                         ParamName);

// tests/cases/screening_malformed/NAME.csv or NAME.json: a user screening list, parsed from its
// text as the CLI passes it.
std::vector<std::string> ScreeningNames() {
  const fs::path dir = kSource / "tests/cases/screening_malformed";
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".csv" || e.path().extension() == ".json")
      out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class MalformedScreening : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedScreening, FailsWithPinnedDiagnostic) {
  const fs::path dir = kSource / "tests/cases/screening_malformed";
  const std::string file = GetParam();
  std::ifstream in(dir / file, std::ios::binary);
  ASSERT_TRUE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  auto list = ScreeningList::Parse(ss.str(), "screening_malformed/" + file);
  ASSERT_FALSE(list.ok()) << file << " parsed but should not";
  Compare(dir, fs::path(file).stem().string(), CliText(list.error()));
}

INSTANTIATE_TEST_SUITE_P(Cases, MalformedScreening, ::testing::ValuesIn(ScreeningNames()),
                         ParamName);

TEST(Malformed, EnoughCases) {
  EXPECT_GE(Names(kSource / "tests/cases/entities_malformed").size(), 15u);
  EXPECT_GE(Names(kSource / "tests/cases/import_malformed").size(), 12u);
  EXPECT_GE(ScreeningNames().size(), 12u);
  EXPECT_GE(Names(kSource / "tests/cases/rules_malformed").size(), 30u);
  EXPECT_GE(Names(kSource / "tests/cases/countries_malformed").size(), 15u);
}

TEST(Malformed, BundledDataLoads) {
  EXPECT_GE(Bundled().rules().size(), 8u);
  EXPECT_GE(Bundled().countries().groups().size(), 10u);
}

}  // namespace
}  // namespace ceiling::rules
