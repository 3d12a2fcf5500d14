#include "ceiling/base/result.h"

#include <fmt/format.h>

#include "ceiling/base/text.h"

namespace ceiling {

std::string SourceLocation::ToString() const {
  if (file.empty()) return "";
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

std::string Error::ToString() const {
  // The message and the file name may quote input (an id, a value, a path from a command line):
  // escape what a terminal would act on and bound the length.
  if (!location.known()) return SanitizeForTerminal(message);
  return SanitizeForTerminal(location.ToString(), 300) + ": " + SanitizeForTerminal(message);
}

std::string Error::ToStringWithCaret() const {
  std::string out = ToString();
  if (context.empty()) return out;
  // A window of the line around the column, sanitized piece by piece so that the caret stays
  // under the same character: one column per character of the sanitized prefix.
  const Window w = ContextWindow(context, location.column);
  const std::size_t at =
      w.column < 1 ? 0 : std::min(w.text.size(), static_cast<std::size_t>(w.column - 1));
  const std::string before =
      SanitizeForTerminal(std::string_view(w.text).substr(0, at), 1000, true);
  const std::string after = SanitizeForTerminal(std::string_view(w.text).substr(at), 1000, true);
  out += "\n  " + before + after + "\n  ";
  for (std::size_t i = 0; i < before.size(); ++i) {
    const auto c = static_cast<unsigned char>(before[i]);
    if ((c & 0xC0) == 0x80) continue;  // one column per UTF-8 character
    out += c == '\t' ? '\t' : ' ';
  }
  out += '^';
  return out;
}

Error MakeError(ErrorCode code, std::string message, SourceLocation location) {
  return Error{code, std::move(message), std::move(location), {}, {}};
}

Error FieldError(std::string field, std::string message, ErrorCode code) {
  return Error{code, std::move(message), {}, {}, std::move(field)};
}

Error WithField(Error e, std::string_view field) {
  if (e.field.empty()) e.field = std::string(field);
  return e;
}

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kParse: return "parse";
    case ErrorCode::kSchema: return "schema";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kInconsistent: return "inconsistent";
    case ErrorCode::kNoAnswer: return "no-answer";
    case ErrorCode::kDeadlineExceeded: return "deadline-exceeded";
    case ErrorCode::kTooLarge: return "too-large";
  }
  return "unknown";
}

}  // namespace ceiling
