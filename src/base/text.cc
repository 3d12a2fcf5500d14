#include "ceiling/base/text.h"

#include <fmt/format.h>

namespace ceiling {
namespace {

// Length of the valid UTF-8 sequence starting at `i` (1..4) and its code point, or 0 when the
// bytes there are not valid UTF-8 (overlong forms, surrogates and values above U+10FFFF count as
// invalid).
std::size_t Utf8Sequence(std::string_view s, std::size_t i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  std::size_t n = 0;
  char32_t v = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0)
    n = 2, v = b0 & 0x1F, min = 0x80;
  else if ((b0 & 0xF0) == 0xE0)
    n = 3, v = b0 & 0x0F, min = 0x800;
  else if ((b0 & 0xF8) == 0xF0)
    n = 4, v = b0 & 0x07, min = 0x10000;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

bool IsControl(char32_t cp) { return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F); }

void AppendSanitized(std::string_view s, bool keep_tabs, std::string* out) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = Utf8Sequence(s, i, &cp);
    if (n == 0) {
      *out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (IsControl(cp)) {
      if (cp == '\t' && keep_tabs)
        *out += '\t';
      else if (cp == '\n')
        *out += "\\n";
      else if (cp == '\r')
        *out += "\\r";
      else if (cp == '\t')
        *out += "\\t";
      else if (cp < 0x80)
        *out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
      else
        *out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
    } else {
      out->append(s.substr(i, n));
    }
    i += n;
  }
}

// Moves a cut position off the middle of a UTF-8 sequence: backwards (`forward` false) or
// forwards.
std::size_t Boundary(std::string_view s, std::size_t k, bool forward) {
  if (forward) {
    while (k < s.size() && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) ++k;
  } else {
    while (k > 0 && k < s.size() && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  }
  return k;
}

}  // namespace

std::string SanitizeForTerminal(std::string_view text, std::size_t max_bytes, bool keep_tabs) {
  std::string out;
  if (text.size() <= max_bytes) {
    out.reserve(text.size());
    AppendSanitized(text, keep_tabs, &out);
    return out;
  }
  const std::size_t head_end = Boundary(text, max_bytes / 2, false);
  const std::size_t tail_begin = Boundary(text, text.size() - max_bytes / 2, true);
  AppendSanitized(text.substr(0, head_end), keep_tabs, &out);
  out += fmt::format(" ... [{} bytes left out] ... ", tail_begin - head_end);
  AppendSanitized(text.substr(tail_begin), keep_tabs, &out);
  return out;
}

Window ContextWindow(std::string_view line, int column, std::size_t width) {
  if (line.size() <= width) return {std::string(line), column};
  const std::size_t at =
      column < 1 ? 0 : std::min(line.size(), static_cast<std::size_t>(column - 1));
  std::size_t start = at > width / 2 ? at - width / 2 : 0;
  std::size_t end = std::min(line.size(), start + width);
  if (end - start < width) start = end > width ? end - width : 0;
  start = Boundary(line, start, true);
  end = Boundary(line, end, false);
  Window w;
  if (start > 0) w.text = "...";
  w.text.append(line.substr(start, end - start));
  if (end < line.size()) w.text += "...";
  w.column = static_cast<int>(at - start) + 1 + (start > 0 ? 3 : 0);
  return w;
}

bool HasControlCharacter(std::string_view text, std::size_t* offset) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    std::size_t n = Utf8Sequence(text, i, &cp);
    if (n == 0)
      n = 1;  // invalid UTF-8 is not a control character; callers check it apart
    else if (IsControl(cp) && cp != '\t' && cp != '\n' && cp != '\r') {
      if (offset != nullptr) *offset = i;
      return true;
    }
    i += n;
  }
  return false;
}

}  // namespace ceiling
