#include "ceiling/base/result.h"

#include <fmt/format.h>

namespace ceiling {

std::string SourceLocation::ToString() const {
  if (file.empty()) return "";
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

std::string Error::ToString() const {
  if (!location.known()) return message;
  return location.ToString() + ": " + message;
}

std::string Error::ToStringWithCaret() const {
  std::string out = ToString();
  if (context.empty()) return out;
  out += "\n  " + context + "\n  ";
  // Keep tabs in the caret line so it lines up with the source line.
  for (int i = 1; i < location.column && static_cast<size_t>(i - 1) < context.size(); ++i)
    out += context[static_cast<size_t>(i - 1)] == '\t' ? '\t' : ' ';
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
