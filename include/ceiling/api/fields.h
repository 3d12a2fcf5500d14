// The vocabulary of requests: argument types, the field table every request declares, and the
// options of a call.
//
// Every request type lists its arguments once, in a `Visit` member that calls the visitor with a
// `Field` (wire name, documentation, whether required, accepted values) and the member:
//
//   struct ClassifyRequest {
//     Ref chip;
//     std::string date;
//     std::string view = "enforced";   // the member's initial value is the documented default
//     template <class V> void Visit(V& v) {
//       v(Field{"chip", "Catalog id of the chip, or the chip as TOML", kRequired}, chip);
//       v(Field{"date", "Date, YYYY-MM-DD", kRequired}, date);
//       v(Field{"view", "enforced or text", 0, "enforced|text"}, view);
//     }
//   };
//
// From that one table the adapters derive everything they need: the HTTP API decodes JSON bodies
// and query strings and writes the OpenAPI document, the CLI declares its flags (`--wire-name`
// with '_' as '-'), the Python module maps keyword arguments. Names are snake_case and are the
// `field` of errors about that argument.
//
// Argument types: std::string, bool, int, std::int64_t, double, std::optional<int>,
// std::optional<double>, std::vector<std::string>, Ref, std::vector<Ref>, std::optional<Text>,
// std::vector<Text>. Nothing in a request is a path: files reach the library as Text, read by the
// adapter that was given the path.
#ifndef CEILING_API_FIELDS_H_
#define CEILING_API_FIELDS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/executor.h"
#include "ceiling/base/result.h"

namespace ceiling::api {

// Text that stands for a file: a chip, model, rule or design space as TOML. `name` is what
// diagnostics call it (file:line:col); empty means the field's name.
struct Text {
  std::string text;
  std::string name;
};

// A catalog entry by id, or an entry given inline as TOML. On the wire a string is an id and an
// object {"toml": "...", "name": "..."} is inline text.
struct Ref {
  std::string id;
  std::optional<Text> toml;

  bool empty() const { return id.empty() && !toml; }
  // The id, or the inline text's name: how messages refer to it.
  std::string Label(std::string_view field) const;
};

inline constexpr unsigned kRequired = 1;  // must be given (non-empty)
inline constexpr unsigned kAdvanced = 2;  // listed after the common fields in help
inline constexpr unsigned kDataFile = 4;  // a Text that is not TOML (CSV, JSON): any file name
inline constexpr unsigned kMayBeEmpty = 8;  // a choice whose "" means something (e.g. all)

struct Field {
  const char* name;
  const char* doc;
  unsigned flags = 0;
  const char* choices = nullptr;  // "enforced|text": the accepted values of a string field

  bool required() const { return (flags & kRequired) != 0; }
};

// Options of one call, not part of the question asked: when to give up.
struct CallOptions {
  StopToken stop;  // searches check it and end with kDeadlineExceeded when it stops
  // Long searches call it now and then with (done, expected total): a progress line on a tty.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

// Checks the generic constraints of a request's table: required fields given, string fields
// among their choices. Each request's own Validate() calls it first.
template <class Request>
Status CheckFields(Request& r);

// Limits on the size of what a request may ask for (shared by every adapter).
inline constexpr std::size_t kMaxTextBytes = 1 << 20;  // one inline TOML document
inline constexpr std::size_t kMaxListItems = 256;      // entries of a list argument

namespace detail {

Status CheckChoice(const Field& f, const std::string& value);

struct FieldChecker {
  Status status;
  void Fail(Error e) {
    if (status.ok()) status = std::move(e);
  }
  void Required(const Field& f, bool empty) {
    if (f.required() && empty) Fail(FieldError(f.name, "is required"));
  }
  void operator()(const Field& f, std::string& v) {
    Required(f, v.empty());
    // A choice is one of its choices: "" too is refused (it used to select the member's
    // default, or an enum read unchecked), unless the field says what "" means.
    if (f.choices != nullptr && !(v.empty() && (f.flags & kMayBeEmpty) != 0)) {
      Status s = CheckChoice(f, v);
      if (!s.ok()) Fail(s.error());
    }
  }
  void operator()(const Field& f, Ref& v) {
    Required(f, v.empty());
    if (!v.id.empty() && v.toml) Fail(FieldError(f.name, "give an id or TOML text, not both"));
    if (v.toml && v.toml->text.size() > kMaxTextBytes)
      Fail(FieldError(f.name, "inline TOML is over 1 MiB", ErrorCode::kTooLarge));
  }
  void operator()(const Field& f, std::vector<Ref>& v) {
    Required(f, v.empty());
    if (v.size() > kMaxListItems)
      Fail(FieldError(f.name, "too many entries (at most 256)", ErrorCode::kTooLarge));
    for (Ref& r : v) (*this)(Field{f.name, f.doc}, r);
  }
  void operator()(const Field& f, std::vector<std::string>& v) {
    Required(f, v.empty());
    if (v.size() > kMaxListItems)
      Fail(FieldError(f.name, "too many entries (at most 256)", ErrorCode::kTooLarge));
    if (f.choices != nullptr)
      for (const std::string& s : v) {
        Status st = CheckChoice(f, s);
        if (!st.ok()) Fail(st.error());
      }
  }
  void operator()(const Field& f, std::optional<Text>& v) {
    Required(f, !v.has_value());
    if (v && v->text.size() > kMaxTextBytes)
      Fail(FieldError(f.name, "inline TOML is over 1 MiB", ErrorCode::kTooLarge));
  }
  void operator()(const Field& f, std::vector<Text>& v) {
    Required(f, v.empty());
    if (v.size() > kMaxListItems)
      Fail(FieldError(f.name, "too many entries (at most 256)", ErrorCode::kTooLarge));
    for (const Text& t : v)
      if (t.text.size() > kMaxTextBytes)
        Fail(FieldError(f.name, "inline TOML is over 1 MiB", ErrorCode::kTooLarge));
  }
  template <class T>
  void operator()(const Field&, T&) {}  // numbers and flags: checked by Validate()
};

}  // namespace detail

template <class Request>
Status CheckFields(Request& r) {
  detail::FieldChecker c;
  r.Visit(c);
  return c.status;
}

}  // namespace ceiling::api

#endif  // CEILING_API_FIELDS_H_
