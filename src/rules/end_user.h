// Private: what a classification adds after the US rules have been evaluated: the end user
// (Entity List and Affiliates rule), the import side, caveats and the data's currency.
#ifndef CEILING_SRC_RULES_END_USER_H_
#define CEILING_SRC_RULES_END_USER_H_

#include "ceiling/rules/classify.h"
#include "compiled.h"

namespace ceiling::rules {

// `plan` is null before the first rule. Allocates only when something applies (an end user, an
// import measure, a caveat).
void FinishClassification(const RuleBook::Compiled& c, const ChipFacts& facts, const Query& q,
                          const Plan* plan, Classification* out);

}  // namespace ceiling::rules

#endif  // CEILING_SRC_RULES_END_USER_H_
