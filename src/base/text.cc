#include "ceiling/base/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

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

// Appends the sanitized form of the character at `i` and returns how many input bytes it used.
std::size_t AppendChar(std::string_view s, std::size_t i, bool keep_tabs, std::string* out) {
  char32_t cp = 0;
  const std::size_t n = Utf8Sequence(s, i, &cp);
  if (n == 0) {
    *out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
    return 1;
  }
  if (!IsControl(cp)) {
    out->append(s.substr(i, n));
  } else if (cp == '\t' && keep_tabs) {
    *out += '\t';
  } else if (cp == '\n') {
    *out += "\\n";
  } else if (cp == '\r') {
    *out += "\\r";
  } else if (cp == '\t') {
    *out += "\\t";
  } else if (cp < 0x80) {
    *out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
  } else {
    *out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
  }
  return n;
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
  // The bound is on the output: escapes make it up to six times longer than the input.
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 16);
  std::size_t i = 0;
  while (i < text.size() && out.size() <= max_bytes) i += AppendChar(text, i, keep_tabs, &out);
  if (i >= text.size() && out.size() <= max_bytes) return out;
  // Too long: the first and last max_bytes / 2 bytes of output, whole characters only.
  std::string head;
  std::size_t head_end = 0;
  while (head_end < text.size()) {
    std::string piece;
    const std::size_t n = AppendChar(text, head_end, keep_tabs, &piece);
    if (head.size() + piece.size() > max_bytes / 2) break;
    head += piece;
    head_end += n;
  }
  std::vector<std::string> tail;  // characters from the end, in reverse
  std::size_t tail_size = 0, tail_begin = text.size();
  while (tail_begin > head_end) {
    std::size_t k = tail_begin - 1;
    while (k > head_end && (static_cast<unsigned char>(text[k]) & 0xC0) == 0x80 &&
           tail_begin - k < 4)
      --k;
    std::string piece;
    if (k + AppendChar(text.substr(0, tail_begin), k, keep_tabs, &piece) != tail_begin) {
      piece.clear();  // not one valid character: take the last byte alone
      k = tail_begin - 1;
      AppendChar(text.substr(0, tail_begin), k, keep_tabs, &piece);
    }
    if (tail_size + piece.size() > max_bytes / 2) break;
    tail_size += piece.size();
    tail.push_back(std::move(piece));
    tail_begin = k;
  }
  out = std::move(head);
  out += fmt::format(" ... [{} bytes left out] ... ", tail_begin - head_end);
  for (auto it = tail.rbegin(); it != tail.rend(); ++it) out += *it;
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

const char* ShortEscape(char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return nullptr;
  }
}

std::string Counted(double n, std::string_view noun, std::string_view plural) {
  std::string out = fmt::format("{} ", n);
  if (n == 1) return out.append(noun);
  if (!plural.empty()) return out.append(plural);
  return out.append(noun).append("s");
}

}  // namespace ceiling
