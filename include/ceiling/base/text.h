// Text that came from outside (data files, command lines, requests) made safe to echo.
//
// Diagnostics quote what they reject; what they quote may hold terminal escape sequences (ESC,
// BEL, the C1 range U+0080..U+009F), newlines, invalid UTF-8 or a 600 KB line. These helpers make
// such text printable on one line, of bounded length:
//
//   SanitizeForTerminal("\x1b[31mred")         // "\x1b[31mred" with a visible backslash
//   SanitizeForTerminal(std::string(5000, 'a'), 100)  // "aaa... [4900 bytes left out] ...aaa"
//   ContextWindow(line, column, 120)           // {the part of `line` around `column`, new column}
//
// Printable ASCII and valid UTF-8 pass unchanged (so "µs" and "Türkiye" stay as written); tabs
// stay tabs only where `keep_tabs` is set (caret lines need them). Thread safety: pure functions.
#ifndef CEILING_BASE_TEXT_H_
#define CEILING_BASE_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace ceiling {

// Control characters become escapes ("\n", "\t", "\x1b"), invalid UTF-8 bytes "\xNN"; text longer
// than `max_bytes` keeps its start and end around " ... [N bytes left out] ... ".
std::string SanitizeForTerminal(std::string_view text, std::size_t max_bytes = 1000,
                                bool keep_tabs = false);

// At most `width` bytes of `line` around the 1-based byte `column` (whole UTF-8 characters, with
// "..." marking what was cut), and the column of the same byte in the result.
struct Window {
  std::string text;
  int column = 0;
};
Window ContextWindow(std::string_view line, int column, std::size_t width = 120);

// True when `text` holds a control character other than tab, newline and carriage return
// (C0, DEL, or C1 encoded in UTF-8); `*offset` receives the byte offset of the first one.
bool HasControlCharacter(std::string_view text, std::size_t* offset = nullptr);

// "1 GPU", "8 GPUs": `n` and the noun, plural ("s" added unless `plural` is given) unless n is 1.
std::string Counted(double n, std::string_view noun, std::string_view plural = "");

// The two-character escape JSON and TOML strings share for `c` (quote, backslash, \b \f \n \r
// \t), or nullptr when `c` has none.
const char* ShortEscape(char c);

}  // namespace ceiling

#endif  // CEILING_BASE_TEXT_H_
