// Private: moving an expression error into the data file that holds the expression.
#ifndef CEILING_SRC_RULES_LOCATED_H_
#define CEILING_SRC_RULES_LOCATED_H_

#include <string_view>

#include "ceiling/base/result.h"
#include "ceiling/base/toml_reader.h"
#include "ceiling/rules/rule.h"

namespace ceiling::rules {

// `e` comes from Condition::Compile or CountryDb::CompileSet (column = 1-based offset in the
// expression). The result is located at that character inside the string value `key` of `t`
// ("file:line:col: key.path: message") with the file's source line as context. Escapes in basic
// strings are accounted for; multi-line strings are located at their start.
Error LocateInValue(const Error& e, const TomlTable& t, std::string_view key);
// The same for text kept from a file (conditions are compiled after loading).
Error LocateInText(const Error& e, const LocatedText& text);

}  // namespace ceiling::rules

#endif  // CEILING_SRC_RULES_LOCATED_H_
