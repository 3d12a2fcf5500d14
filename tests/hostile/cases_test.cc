// Data-driven hostile inputs: every tests/cases/hostile/KIND/NAME.(toml|txt) is handed to the
// library entry point for KIND, and the outcome must equal NAME.expect word for word: the
// one-line diagnostic (as Error::ToString renders it) or "ok" for an input that must be
// accepted. Adding a case needs no C++; CEILING_UPDATE_GOLDEN=1 writes missing .expect files
// for review by hand.
//
// KIND    entry point
// chip    catalog::ParseChipText
// model   perf::ParseModelText
// rule    rules::ParseRuleText against the bundled countries
// book    the bundled rule book plus this rule (RuleBook::WithRule): cycles, cross references
// group   a country group added to the bundled countries (CountryDb::AddGroupText)
// design  design::ParseDesignSpaceText against the bundled catalog
// systems perf::ParseSystemDefaultsText
// calib   perf::ParseCalibrationText
// points  perf::ParseValidationPointsText against the bundled chips and models
// set     one what-if NAME=VALUE (RuleBook::WithParameter) per file
// quantity, date, condition, setexpr: the text of the file, without its final newline, given to
//         ParseQuantity, ParseDate, Condition::Compile (bundled rule parameters) and
//         CountryDb::CompileSet
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bundled.h"
#include "ceiling/base/date.h"
#include "ceiling/base/units.h"
#include "ceiling/design/space.h"
#include "ceiling/perf/calibration.h"
#include "ceiling/perf/hardware.h"
#include "ceiling/perf/validation.h"
#include "ceiling/rules/condition.h"
#include "ceiling/rules/rule.h"
#include "golden.h"

namespace ceiling::hostile {
namespace {

namespace fs = std::filesystem;
const fs::path kDir = fs::path(CEILING_SOURCE_DIR) / "tests/cases/hostile";

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <typename R>
std::string Outcome(const R& r) {
  return r.ok() ? "ok" : r.error().ToString();
}

// The condition environment of a rule: the parameters of us-2023-10-acs and every paragraph.
rules::CompileEnv ConditionEnv() {
  rules::CompileEnv env;
  static const std::vector<std::pair<std::string, DimVector>> params = [] {
    std::vector<std::pair<std::string, DimVector>> out;
    for (const rules::RuleVersion& r : Data().book.rules())
      for (const rules::Parameter& p : r.parameters) out.emplace_back(p.name, p.dim);
    return out;
  }();
  env.param = [](std::string_view name) -> std::optional<rules::ParamRef> {
    for (std::size_t i = 0; i < params.size(); ++i)
      if (params[i].first == name)
        return rules::ParamRef{static_cast<std::uint16_t>(i), params[i].second};
    return std::nullopt;
  };
  env.paragraphs = [](std::string_view prefix) {
    std::vector<std::uint16_t> slots;
    if (prefix.substr(0, 5) == "3A090" || prefix.substr(0, 5) == "4A090") slots.push_back(0);
    return slots;
  };
  for (const auto& [name, dim] : params) env.param_names.push_back(name);
  return env;
}

std::string RunCase(const std::string& kind, const std::string& text, const std::string& name) {
  const Bundled& d = Data();
  std::string line = text;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (kind == "chip") return Outcome(catalog::ParseChipText(text, name));
  if (kind == "model") return Outcome(perf::ParseModelText(text, name));
  if (kind == "rule") return Outcome(rules::ParseRuleText(text, name, d.book.countries()));
  if (kind == "book") {
    auto rule = rules::ParseRuleText(text, name, d.book.countries());
    if (!rule.ok()) return rule.error().ToString();
    return Outcome(d.book.WithRule(std::move(rule).value()));
  }
  if (kind == "group") {
    rules::CountryDb db = d.book.countries();
    return Outcome(db.AddGroupText(text, name));
  }
  if (kind == "design") return Outcome(design::ParseDesignSpaceText(text, name, d.chips));
  if (kind == "systems") return Outcome(perf::ParseSystemDefaultsText(text, name));
  if (kind == "calib") return Outcome(perf::ParseCalibrationText(text, name));
  if (kind == "points")
    return Outcome(perf::ParseValidationPointsText(text, name, d.chips, d.models));
  if (kind == "set") {
    const auto eq = line.find('=');
    if (eq == std::string::npos) return "case file needs NAME=VALUE";
    return Outcome(d.book.WithParameter(line.substr(0, eq), line.substr(eq + 1)));
  }
  if (kind == "quantity") return Outcome(ParseQuantity(line));
  if (kind == "date") return Outcome(ParseDate(line));
  if (kind == "condition") return Outcome(rules::Condition::Compile(line, ConditionEnv()));
  if (kind == "setexpr") return Outcome(d.book.countries().CompileSet(line));
  return "unknown case kind " + kind;
}

struct Case {
  std::string kind, stem;
  fs::path input;
};

std::vector<Case> Cases() {
  std::vector<Case> out;
  for (const auto& k : fs::directory_iterator(kDir)) {
    if (!k.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(k.path())) {
      const auto ext = f.path().extension();
      if (ext == ".toml" || ext == ".txt")
        out.push_back({k.path().filename().string(), f.path().stem().string(), f.path()});
    }
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.input < b.input; });
  return out;
}

class HostileCase : public ::testing::TestWithParam<Case> {};

TEST_P(HostileCase, OutcomeIsPinned) {
  const Case& c = GetParam();
  const std::string name = "hostile/" + c.kind + "/" + c.input.filename().string();
  const std::string got = RunCase(c.kind, ReadAll(c.input), name);
  EXPECT_EQ(got.find('\n'), std::string::npos) << "diagnostic must be one line: " << got;
  EXPECT_LE(got.size(), 1200u) << "diagnostic must be bounded";
  for (char ch : got)
    EXPECT_FALSE(static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
        << "raw control character in: " << got;
  ExpectGolden(c.input.parent_path() / (c.stem + ".expect"), got);
}

INSTANTIATE_TEST_SUITE_P(Cases, HostileCase, ::testing::ValuesIn(Cases()),
                         [](const auto& param_info) {
                           std::string n = param_info.param.kind + "_" + param_info.param.stem;
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace ceiling::hostile
