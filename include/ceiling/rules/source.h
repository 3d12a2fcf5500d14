// How firmly a rule clause is sourced. Rule and country-group files cite their sources with the
// project's one citation schema (base/source.h); a clause whose sources are all secondary (or
// reported, or the project's own reading) is marked as such in every output:
//
//   c.basis = TextBasisOf(c.sources, rule.source_map);
//   if (c.basis == TextBasis::kSecondary) ...  // "SECONDARY SOURCES ONLY"
#ifndef CEILING_RULES_SOURCE_H_
#define CEILING_RULES_SOURCE_H_

#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/source.h"

namespace ceiling::rules {

// How the project saw a clause's text: the strongest kind among its sources.
enum class TextBasis { kPrimary, kQuoted, kSecondary };
std::string_view TextBasisName(TextBasis b);  // "primary", "quoted", "secondary"
TextBasis TextBasisOf(const std::vector<std::string>& keys, const SourceMap& sources);

}  // namespace ceiling::rules

#endif  // CEILING_RULES_SOURCE_H_
