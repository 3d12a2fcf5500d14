#include "ceiling/rules/source.h"

namespace ceiling::rules {

std::string_view TextBasisName(TextBasis b) {
  switch (b) {
    case TextBasis::kPrimary:
      return "primary";
    case TextBasis::kQuoted:
      return "quoted";
    case TextBasis::kSecondary:
      return "secondary";
  }
  return "secondary";
}

TextBasis TextBasisOf(const std::vector<std::string>& keys, const SourceMap& sources) {
  TextBasis best = TextBasis::kSecondary;
  for (const std::string& k : keys) {
    auto it = sources.find(k);
    if (it == sources.end()) continue;
    if (it->second.kind == SourceKind::kPrimary) return TextBasis::kPrimary;
    if (it->second.kind == SourceKind::kQuoted) best = TextBasis::kQuoted;
  }
  return best;
}

}  // namespace ceiling::rules
