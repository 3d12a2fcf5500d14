#include "located.h"

#include <fmt/format.h>

namespace ceiling::rules {
namespace {

// The column of the `offset`-th decoded character of the string value starting at `value_col`.
int ColumnInLine(const std::string& line, int value_col, int offset) {
  std::size_t pos = value_col > 0 ? static_cast<std::size_t>(value_col - 1) : 0;
  if (pos >= line.size()) return value_col;
  const char quote = line[pos];
  if (quote != '"' && quote != '\'') return value_col;
  if (line.compare(pos, 3, std::string(3, quote)) == 0) return value_col;  // multi-line
  ++pos;
  for (int decoded = 0; decoded < offset && pos < line.size(); ++decoded) {
    if (quote == '"' && line[pos] == '\\' && pos + 1 < line.size()) {
      const char esc = line[pos + 1];
      pos += esc == 'u' ? 6 : esc == 'U' ? 10 : 2;
    } else {
      ++pos;
    }
  }
  return static_cast<int>(pos) + 1;
}

}  // namespace

Error LocateInValue(const Error& e, const TomlTable& t, std::string_view key) {
  Error out = t.ErrorAt(key, e.message, e.code);
  out.location.column = ColumnInLine(out.context, out.location.column,
                                     e.location.column > 0 ? e.location.column - 1 : 0);
  return out;
}

Error LocateInText(const Error& e, const LocatedText& text) {
  Error out = MakeError(e.code, fmt::format("{}: {}", text.key_path, e.message), text.location);
  out.context = text.line;
  out.location.column = ColumnInLine(text.line, text.location.column,
                                     e.location.column > 0 ? e.location.column - 1 : 0);
  return out;
}

}  // namespace ceiling::rules
