// The condition language, differentially: Condition::Compile + Evaluate (bytecode) against the
// reference interpreter (reference_condition.h) on facts chosen by the input. The first 16 bytes
// choose the facts and the paragraphs met; the rest is the condition. Any disagreement in the
// three-valued result or in the set of variables an unknown result depends on is a crash.
#include <cmath>

#include "ceiling/rules/condition.h"
#include "fuzz_common.h"
#include "reference_condition.h"

namespace {

using namespace ceiling;
using rules::Var;

constexpr std::size_t kHeader = 16;
const double kNumbers[8] = {0, 1, 2.5, 4800, 1600, 5.92, 1e30, -3};
const char* const kParagraphs[3] = {"3A090.a.1", "3A090.a.2", "3A090.b"};
struct Param {
  const char* name;
  double value;
  DimVector dim;
};
const Param kParams[4] = {{"tpp_a", 4800, {}},
                          {"pd_a", 5.92, {}},
                          {"dram_bw_cbc", 6500, {1, -1, 0, 0, 0}},
                          {"area_x", 600, {0, 0, 0, 0, 2}}};

bool PrefixMatches(std::string_view prefix, std::string_view paragraph) {
  return paragraph == prefix ||
         (paragraph.size() > prefix.size() && paragraph.substr(0, prefix.size()) == prefix &&
          paragraph[prefix.size()] == '.');
}

rules::ChipFacts FactsFrom(const std::uint8_t* h) {
  rules::ChipFacts f;
  for (std::size_t v = 0; v < rules::kNumericVarCount; ++v) {
    const Var var = static_cast<Var>(v);
    if (h[v] & 0x80) continue;  // unknown
    f.Set(var, (h[v] & 0x40) ? std::nan("") : kNumbers[h[v] & 7]);
  }
  static const std::vector<std::vector<const char*>> kText = {
      {"nvidia-h20", "x"},
      {"nvidia", "amd"},
      {"hopper", "x"},
      {"datacenter", "consumer", "workstation", "edge"},
      {"sxm", "oam", "pcie", "module", "superchip", "card", "chip"},
      {"processor", "hbm"}};
  for (std::size_t k = 0; k < kText.size(); ++k) {
    const std::uint8_t b = h[rules::kNumericVarCount + k];
    if (b & 0x80) continue;
    f.SetText(static_cast<Var>(rules::kNumericVarCount + k), kText[k][b % kText[k].size()]);
  }
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kHeader) return 0;
  const std::string_view text = fuzz::AsText(data + kHeader, size - kHeader);
  rules::CompileEnv env;
  env.param = [](std::string_view name) -> std::optional<rules::ParamRef> {
    for (std::uint16_t i = 0; i < 4; ++i)
      if (kParams[i].name == name) return rules::ParamRef{i, kParams[i].dim};
    return std::nullopt;
  };
  env.paragraphs = [](std::string_view prefix) {
    std::vector<std::uint16_t> slots;
    for (std::uint16_t i = 0; i < 3; ++i)
      if (PrefixMatches(prefix, kParagraphs[i])) slots.push_back(i);
    return slots;
  };
  for (const Param& p : kParams) env.param_names.push_back(p.name);
  auto cond = rules::Condition::Compile(text, env);
  if (!cond.ok()) {
    fuzz::CheckDiagnostic(cond.error());
    return 0;
  }
  const rules::ChipFacts facts = FactsFrom(data);
  double params[4];
  for (int i = 0; i < 4; ++i) params[i] = kParams[i].value;
  rules::Cell paragraphs[3];
  for (int i = 0; i < 3; ++i) {
    const int t = (data[15] >> (2 * i)) & 3;
    paragraphs[i] = t == 0   ? rules::Cell{rules::Tri::kFalse, 0}
                    : t == 1 ? rules::Cell{rules::Tri::kTrue, 0}
                             : rules::Cell{rules::Tri::kUnknown, rules::Bit(Var::kMbd)};
  }
  std::vector<rules::AtomValue> atoms(cond->atoms().size());
  const rules::Cell got = cond->Evaluate({&facts, params, paragraphs}, atoms.data());

  fuzz::RefEnv renv;
  renv.facts = &facts;
  renv.param = [](std::string_view name) -> std::optional<double> {
    for (const Param& p : kParams)
      if (p.name == name) return p.value;
    return std::nullopt;
  };
  renv.meets = [&](std::string_view prefix) {
    fuzz::RefValue v;
    v.tri = 0;
    for (int i = 0; i < 3; ++i) {
      if (!PrefixMatches(prefix, kParagraphs[i])) continue;
      const rules::Cell c = paragraphs[i];
      const int t = c.tri == rules::Tri::kFalse ? 0 : c.tri == rules::Tri::kTrue ? 1 : 2;
      if (v.tri == 1 || t == 1)
        v.tri = 1, v.unknown = 0;
      else if (v.tri == 0 && t == 0)
        v.unknown = 0;
      else
        v.unknown = (v.tri == 2 ? v.unknown : 0) | (t == 2 ? c.unknown : 0), v.tri = 2;
    }
    return v;
  };
  const fuzz::RefValue want = fuzz::ReferenceCondition(text, renv).Run();
  const int got_tri = got.tri == rules::Tri::kFalse ? 0 : got.tri == rules::Tri::kTrue ? 1 : 2;
  if (got_tri != want.tri || (got_tri == 2 && got.unknown != want.unknown))
    fuzz::Fail("compiled and reference evaluations differ",
               std::string(text) + "\ncompiled " + std::to_string(got_tri) + "/" +
                   std::to_string(got.unknown) + ", reference " + std::to_string(want.tri) + "/" +
                   std::to_string(want.unknown));
  return 0;
}
