// Errors as values.
//
// Library code never throws and never exits: a fallible function returns `Result<T>` (a value or
// an `Error`) or `Status` (= `Result<void>`). An `Error` carries a code, a one-line message, the
// place in an input file it concerns (if any) and optional context. Outcomes of a query ("not
// controlled", "does not fit") are NOT errors; they are values in result structs.
//
//   Result<Chip> ParseChip(const TomlTable& doc);
//
//   Result<Report> Build(...) {
//     ASSIGN_OR_RETURN(Chip chip, LoadChip(path));
//     RETURN_IF_ERROR(Check(chip));
//     return Report{...};
//   }
//
// `Error::ToString()` renders `file:line:col: message` (Ninja/compiler style). An error about one
// argument of a request names it in `field` ("tp", "chip", "sla_tpot") and leaves the argument's
// name out of `message`, so that each adapter can say it its own way: the CLI as `--tp`, the HTTP
// API as `{"field": "tp"}`, Python as `InputError.field`. Thread safety: values; no shared state.
//
//   return FieldError("tp", "3 does not divide the 64 attention heads of llama-3.1-70b");
#ifndef CEILING_BASE_RESULT_H_
#define CEILING_BASE_RESULT_H_

#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace ceiling {

enum class ErrorCode {
  kInvalidArgument,  // bad user input on the command line or through the API
  kParse,            // malformed text (TOML, an expression, a unit string)
  kSchema,           // well-formed file, wrong shape: unknown/missing key, wrong type or unit
  kNotFound,         // unknown id, missing file
  kIo,               // file could not be read or written
  kInconsistent,     // data contradicts itself (duplicate ids, derived chip without its base)
  kNoAnswer,         // a valid request that has no answer (no deployment fits, nothing to show)
  kDeadlineExceeded, // a search stopped at its deadline or was cancelled
  kTooLarge,         // input or work over a limit (file size, request size, search budget)
};
std::string_view ErrorCodeName(ErrorCode code);  // "invalid-argument", "not-found", ...

// A position in an input file; `line`/`column` are 1-based, 0 when unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return !file.empty(); }
  // "file:line:col", "file:line", "file" or "" depending on what is known.
  std::string ToString() const;
};

struct Error {
  ErrorCode code = ErrorCode::kInvalidArgument;
  std::string message;       // one line, no trailing period required
  SourceLocation location;   // where in the input, if anywhere
  std::string context;       // optional: the offending source line, for a caret display
  std::string field;         // the request argument at fault ("tp", "chip"), "" if none

  // "file:line:col: message" (or just the message when there is no location). What it echoes is
  // made safe for a terminal (base/text.h): control characters escaped, length bounded.
  std::string ToString() const;
  // ToString() plus, when `context` is set, the source line (at most 120 bytes of it, around the
  // column) and a caret under the column.
  std::string ToStringWithCaret() const;
};

Error MakeError(ErrorCode code, std::string message, SourceLocation location = {});
// An error about one request argument (kInvalidArgument unless `code` says otherwise).
Error FieldError(std::string field, std::string message,
                 ErrorCode code = ErrorCode::kInvalidArgument);
// The same error, attributed to `field` when it names none yet (a nested call's error).
Error WithField(Error e, std::string_view field);

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& value) : data_(value) {}                             // NOLINT: implicit
  Result(T&& value) : data_(std::move(value)) {}                       // NOLINT: implicit
  Result(const Error& error) : data_(error) {}                         // NOLINT: implicit
  Result(Error&& error) : data_(std::move(error)) {}                   // NOLINT: implicit
  template <typename U, typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                                    !std::is_same_v<std::decay_t<U>, Error> &&
                                                    !std::is_same_v<std::decay_t<U>, T>>>
  Result(U&& value) : data_(T(std::forward<U>(value))) {}              // NOLINT: implicit

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Precondition: ok(). Violating it is a bug, so it aborts.
  const T& value() const& { Check(); return std::get<0>(data_); }
  T& value() & { Check(); return std::get<0>(data_); }
  T&& value() && { Check(); return std::get<0>(std::move(data_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // Precondition: !ok().
  const Error& error() const& {
    if (ok()) std::abort();
    return std::get<1>(data_);
  }
  Error&& error() && {
    if (ok()) std::abort();
    return std::get<1>(std::move(data_));
  }

 private:
  void Check() const {
    if (!ok()) std::abort();
  }
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(const Error& error) : error_(error), ok_(false) {}            // NOLINT: implicit
  Result(Error&& error) : error_(std::move(error)), ok_(false) {}      // NOLINT: implicit

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& {
    if (ok_) std::abort();
    return error_;
  }
  Error&& error() && {
    if (ok_) std::abort();
    return std::move(error_);
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status OkStatus() { return Status(); }

}  // namespace ceiling

#define CEILING_CONCAT_INNER_(a, b) a##b
#define CEILING_CONCAT_(a, b) CEILING_CONCAT_INNER_(a, b)

// Returns the error of a failed Result/Status from the enclosing function.
#define RETURN_IF_ERROR(expr)                                   \
  do {                                                          \
    auto&& ceiling_status_ = (expr);                            \
    if (!ceiling_status_.ok()) return std::move(ceiling_status_).error(); \
  } while (0)

// `ASSIGN_OR_RETURN(T x, Fallible())`: declares/assigns x or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(CEILING_CONCAT_(ceiling_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return std::move(tmp).error(); \
  lhs = std::move(tmp).value()

#endif  // CEILING_BASE_RESULT_H_
