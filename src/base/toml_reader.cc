// The toml++ adapter: the only file that includes toml++ and catches its exceptions.
#include "ceiling/base/toml_reader.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>

#include "ceiling/base/file.h"
#include "ceiling/base/text.h"

namespace ceiling {
namespace {

struct Doc {
  toml::table root;
  std::string file;
  std::vector<std::string> lines;
  // Whether diagnostics may quote source lines. Not for a file that is not named *.toml: a user
  // who points a command at /etc/shadow must not see its first line in the error.
  bool echo = true;
};

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string line(
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string Context(const Doc& doc, int line) {
  if (!doc.echo || line <= 0 || static_cast<size_t>(line) > doc.lines.size()) return "";
  return doc.lines[static_cast<size_t>(line - 1)];
}

// A lexical pass over TOML text, before toml++ sees it: skips strings and comments as TOML
// defines them, and counts (1) the dot-separated parts of each run of bare or quoted key parts
// (a dotted key or table header; a float has one dot) and (2) bracket nesting. Iterative and
// linear in the text; it never rejects valid TOML within the limits, and leaves syntax errors
// to toml++.
Status CheckTomlShape(std::string_view s) {
  const std::size_t n = s.size();
  auto error_at = [&](std::size_t offset, std::string message) {
    int line = 1;
    std::size_t line_start = 0;
    for (std::size_t k = 0; k < offset && k < n; ++k)
      if (s[k] == '\n') ++line, line_start = k + 1;
    return MakeError(ErrorCode::kParse, std::move(message),
                     SourceLocation{"", line, static_cast<int>(offset - line_start) + 1});
  };
  auto is_key_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  };
  std::size_t depth = 0;
  int dots = 0;
  std::size_t run_start = 0;
  bool in_run = false;
  std::size_t i = 0;
  while (i < n) {
    const char c = s[i];
    if (c == '"' || c == '\'') {
      if (!in_run) in_run = true, run_start = i, dots = 0;
      const bool triple = i + 2 < n && s[i + 1] == c && s[i + 2] == c;
      i += triple ? 3 : 1;
      while (i < n) {
        if (c == '"' && s[i] == '\\') {
          i += 2;
          continue;
        }
        if (!triple && s[i] == '\n') break;  // unterminated: toml++ reports it
        if (s[i] == c && (!triple || (i + 2 < n && s[i + 1] == c && s[i + 2] == c))) {
          i += triple ? 3 : 1;
          break;
        }
        ++i;
      }
      continue;
    }
    if (c == '#') {
      while (i < n && s[i] != '\n') ++i;
      in_run = false;
      continue;
    }
    if (c == '.') {
      if (!in_run) in_run = true, run_start = i, dots = 0;
      if (++dots >= TomlTable::kMaxKeySegments)
        return error_at(run_start, fmt::format("a dotted key or table header has more than {} "
                                               "parts",
                                               TomlTable::kMaxKeySegments));
      ++i;
      continue;
    }
    if (is_key_char(c)) {
      if (!in_run) in_run = true, run_start = i, dots = 0;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    in_run = false;
    if (c == '[' || c == '{') {
      if (++depth > static_cast<std::size_t>(TomlTable::kMaxNesting))
        return error_at(i, fmt::format("arrays or inline tables nested more than {} deep",
                                       TomlTable::kMaxNesting));
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    ++i;
  }
  return OkStatus();
}

// The depth of the tree toml++ built, without recursion. The shape guard bounds each key and
// each bracket nesting on its own, but they add up: a header of 40 parts and a dotted key of 40
// below it build tables 80 deep, and a dotted key inside nested inline tables more. Returns the
// first table or array deeper than `limit` (nullptr when none).
const toml::node* TooDeep(const toml::table& root, int limit) {
  std::vector<std::pair<const toml::node*, int>> stack = {{&root, 0}};
  while (!stack.empty()) {
    const auto [node, depth] = stack.back();
    stack.pop_back();
    if (const toml::table* t = node->as_table()) {
      if (depth > limit) return node;
      for (const auto& [k, v] : *t) stack.emplace_back(&v, depth + 1);
    } else if (const toml::array* a = node->as_array()) {
      if (depth > limit) return node;
      for (const toml::node& v : *a) stack.emplace_back(&v, depth + 1);
    }
  }
  return nullptr;
}

std::string DescribeNode(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return fmt::format("\"{}\"", *n.value<std::string>());
    case toml::node_type::integer:
      return fmt::format("{}", *n.value<std::int64_t>());
    case toml::node_type::floating_point: {
      std::string s = fmt::format("{}", *n.value<double>());
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // 4.0, not 4
      return s;
    }
    case toml::node_type::boolean:
      return *n.value<bool>() ? "true" : "false";
    case toml::node_type::date: {
      const toml::date d = *n.value<toml::date>();
      return fmt::format("{:04d}-{:02d}-{:02d}", d.year, d.month, d.day);
    }
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

}  // namespace

struct TomlTable::Impl {
  std::shared_ptr<const Doc> doc;
  const toml::table* table = nullptr;
  std::string prefix;  // key path of this table, "" for the root

  const toml::node* Find(std::string_view key) const { return table->get(key); }
  SourceLocation Loc(const toml::source_region& r) const {
    return SourceLocation{doc->file, static_cast<int>(r.begin.line),
                          static_cast<int>(r.begin.column)};
  }
};

TomlTable::TomlTable(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Result<TomlTable> TomlTable::ParseFile(const std::filesystem::path& path,
                                       std::string display_name) {
  if (display_name.empty()) display_name = path.string();
  ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, display_name));
  return Parse(text, std::move(display_name), path.extension() == ".toml");
}

Result<TomlTable> TomlTable::ParseString(std::string_view text, std::string display_name) {
  return Parse(text, std::move(display_name), true);
}

Result<TomlTable> TomlTable::Parse(std::string_view text, std::string display_name, bool echo) {
  auto doc = std::make_shared<Doc>();
  doc->file = display_name;
  doc->echo = echo;
  if (text.size() > kMaxInputFileBytes)
    return MakeError(ErrorCode::kTooLarge,
                     fmt::format("{}: text is larger than the {} MiB limit for input files",
                                 display_name, kMaxInputFileBytes >> 20));
  doc->lines = SplitLines(text);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return MakeError(ErrorCode::kParse, "empty file", SourceLocation{display_name, 1, 1});
  // toml++ 3.3.0 recurses once per dotted-key segment and overflows the stack on a key of tens
  // of thousands of segments (fixed in later releases): the shape is checked first.
  if (auto shape = CheckTomlShape(text); !shape.ok()) {
    Error err = std::move(shape).error();
    err.location.file = display_name;
    err.context = Context(*doc, err.location.line);
    return err;
  }
  try {
    doc->root = toml::parse(text, display_name);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    Error err = MakeError(
        ErrorCode::kParse, fmt::format("invalid TOML: {}", e.description()),
        SourceLocation{display_name, static_cast<int>(b.line), static_cast<int>(b.column)});
    err.context = Context(*doc, static_cast<int>(b.line));
    return err;
  }
  if (const toml::node* deep = TooDeep(doc->root, kMaxNesting)) {
    const auto& at = deep->source().begin;
    const int line = at.line > 0 ? static_cast<int>(at.line) : 1;
    Error err = MakeError(
        ErrorCode::kParse,
        fmt::format("tables and arrays nested more than {} deep (table header, "
                    "dotted key and inline tables together)",
                    kMaxNesting),
        SourceLocation{display_name, line, at.line > 0 ? static_cast<int>(at.column) : 1});
    err.context = Context(*doc, line);
    return err;
  }
  auto impl = std::make_shared<Impl>();
  impl->doc = doc;
  impl->table = &doc->root;
  return TomlTable(std::move(impl));
}

const std::string& TomlTable::file() const { return impl_->doc->file; }

SourceLocation TomlTable::location() const {
  SourceLocation loc = impl_->Loc(impl_->table->source());
  if (loc.line == 0) loc.line = 1, loc.column = 1;
  return loc;
}

SourceLocation TomlTable::LocationOf(std::string_view key) const {
  const toml::node* n = impl_->Find(key);
  if (n != nullptr && n->source().begin.line != 0) return impl_->Loc(n->source());
  return location();
}

std::string TomlTable::KeyPath(std::string_view key) const {
  if (impl_->prefix.empty()) return std::string(key);
  if (key.empty()) return impl_->prefix;
  return impl_->prefix + "." + std::string(key);
}

bool TomlTable::Has(std::string_view key) const { return impl_->Find(key) != nullptr; }

TomlTable::Kind TomlTable::KindOf(std::string_view key) const {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return Kind::kNone;
  switch (n->type()) {
    case toml::node_type::string:
      return Kind::kString;
    case toml::node_type::integer:
      return Kind::kInteger;
    case toml::node_type::floating_point:
      return Kind::kFloat;
    case toml::node_type::boolean:
      return Kind::kBool;
    case toml::node_type::date:
      return Kind::kDate;
    case toml::node_type::table:
      return Kind::kTable;
    case toml::node_type::array:
      return Kind::kArray;
    default:
      return Kind::kOther;
  }
}

std::vector<std::string> TomlTable::Keys() const {
  std::vector<std::pair<std::pair<unsigned, unsigned>, std::string>> keyed;
  for (auto&& [k, v] : *impl_->table) {
    const auto& b = k.source().begin;
    keyed.push_back({{b.line, b.column}, std::string(k.str())});
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& k : keyed) out.push_back(std::move(k.second));
  return out;
}

Error TomlTable::ErrorAt(std::string_view key, std::string_view message, ErrorCode code) const {
  Error e = MakeError(code, fmt::format("{}: {}", KeyPath(key), message), LocationOf(key));
  e.context = Context(*impl_->doc, e.location.line);
  return e;
}

Error TomlTable::ErrorHere(std::string_view message, ErrorCode code) const {
  const std::string path = KeyPath("");
  Error e = MakeError(
      code, path.empty() ? std::string(message) : fmt::format("{}: {}", path, message), location());
  e.context = Context(*impl_->doc, e.location.line);
  return e;
}

std::string TomlTable::Describe(std::string_view key) const {
  const toml::node* n = impl_->Find(key);
  return n == nullptr ? "nothing" : DescribeNode(*n);
}

namespace {
Error Missing(const TomlTable& t, std::string_view key) {
  return t.ErrorHere(fmt::format("missing required key \"{}\"", key));
}
Error WrongType(const TomlTable& t, std::string_view key, std::string_view expected) {
  return t.ErrorAt(key, fmt::format("expected {}, got {}", expected, t.Describe(key)));
}
// Data files hold printable text: a control character (an escape sequence written as "\u001b")
// would reach terminals through every listing that shows the value.
Status CheckPrintable(const TomlTable& t, std::string_view key, std::string_view value) {
  std::size_t at = 0;
  if (!HasControlCharacter(value, &at)) return OkStatus();
  return t.ErrorAt(key, fmt::format("contains a control character (byte {} of the text); data "
                                    "files hold printable text only",
                                    at + 1));
}
}  // namespace

Result<std::string> TomlTable::GetString(std::string_view key) const {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return Missing(*this, key);
  if (!n->is_string()) return WrongType(*this, key, "a string");
  std::string v = *n->value<std::string>();
  RETURN_IF_ERROR(CheckPrintable(*this, key, v));
  return v;
}

Result<double> TomlTable::GetNumber(std::string_view key) const {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return Missing(*this, key);
  if (!n->is_number()) return WrongType(*this, key, "a number");
  return *n->value<double>();
}

Result<std::int64_t> TomlTable::GetInteger(std::string_view key) const {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return Missing(*this, key);
  if (!n->is_integer()) return WrongType(*this, key, "an integer");
  return *n->value<std::int64_t>();
}

Result<bool> TomlTable::GetBool(std::string_view key) const {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return Missing(*this, key);
  if (!n->is_boolean()) return WrongType(*this, key, "true or false");
  return *n->value<bool>();
}

Result<Date> TomlTable::GetDate(std::string_view key) const {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return Missing(*this, key);
  if (n->is_date()) {
    const toml::date d = *n->value<toml::date>();
    if (!IsValidDate(d.year, d.month, d.day))
      return ErrorAt(key, fmt::format("no such date: {}", DescribeNode(*n)));
    return Date{d.year, d.month, d.day};
  }
  if (n->is_string()) {
    auto parsed = ParseDate(*n->value<std::string>());
    if (!parsed.ok()) return ErrorAt(key, parsed.error().message);
    return *parsed;
  }
  return WrongType(*this, key, "a date as YYYY-MM-DD");
}

Result<TomlTable> TomlTable::GetTable(std::string_view key) const {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return Missing(*this, key);
  if (!n->is_table()) return WrongType(*this, key, "a table");
  auto impl = std::make_shared<Impl>();
  impl->doc = impl_->doc;
  impl->table = n->as_table();
  impl->prefix = KeyPath(key);
  return TomlTable(std::move(impl));
}

Result<std::vector<TomlTable>> TomlTable::GetTableArray(std::string_view key) const {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return Missing(*this, key);
  if (!n->is_array()) return WrongType(*this, key, "an array of tables");
  std::vector<TomlTable> out;
  const toml::array& arr = *n->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    const toml::node& el = arr[i];
    if (!el.is_table())
      return ErrorAt(key, fmt::format("element {} is {}, expected a table", i, DescribeNode(el)));
    auto impl = std::make_shared<Impl>();
    impl->doc = impl_->doc;
    impl->table = el.as_table();
    impl->prefix = fmt::format("{}[{}]", KeyPath(key), i);
    out.push_back(TomlTable(std::move(impl)));
  }
  return out;
}

Result<std::vector<std::string>> TomlTable::GetStringArray(std::string_view key,
                                                           bool allow_single) const {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return Missing(*this, key);
  if (allow_single && n->is_string()) {
    std::string v = *n->value<std::string>();
    RETURN_IF_ERROR(CheckPrintable(*this, key, v));
    return std::vector<std::string>{std::move(v)};
  }
  if (!n->is_array()) return WrongType(*this, key, "an array of strings");
  std::vector<std::string> out;
  for (const toml::node& el : *n->as_array()) {
    if (!el.is_string())
      return ErrorAt(
          key, fmt::format("expected an array of strings, found element {}", DescribeNode(el)));
    out.push_back(*el.value<std::string>());
    RETURN_IF_ERROR(CheckPrintable(*this, key, out.back()));
  }
  return out;
}

Result<std::vector<double>> TomlTable::GetNumberArray(std::string_view key) const {
  const toml::node* n = impl_->Find(key);
  if (n == nullptr) return Missing(*this, key);
  if (!n->is_array()) return WrongType(*this, key, "an array of numbers");
  std::vector<double> out;
  for (const toml::node& el : *n->as_array()) {
    if (!el.is_number())
      return ErrorAt(
          key, fmt::format("expected an array of numbers, found element {}", DescribeNode(el)));
    out.push_back(*el.value<double>());
  }
  return out;
}

template <typename T, typename F>
static Result<std::optional<T>> Optional(const TomlTable& t, std::string_view key, F get) {
  if (!t.Has(key)) return std::optional<T>();
  auto r = get(key);
  if (!r.ok()) return std::move(r).error();
  return std::optional<T>(std::move(r).value());
}

Result<std::optional<std::string>> TomlTable::GetOptionalString(std::string_view key) const {
  return Optional<std::string>(*this, key, [&](auto k) { return GetString(k); });
}
Result<std::optional<double>> TomlTable::GetOptionalNumber(std::string_view key) const {
  return Optional<double>(*this, key, [&](auto k) { return GetNumber(k); });
}
Result<std::optional<std::int64_t>> TomlTable::GetOptionalInteger(std::string_view key) const {
  return Optional<std::int64_t>(*this, key, [&](auto k) { return GetInteger(k); });
}
Result<std::optional<bool>> TomlTable::GetOptionalBool(std::string_view key) const {
  return Optional<bool>(*this, key, [&](auto k) { return GetBool(k); });
}
Result<std::optional<Date>> TomlTable::GetOptionalDate(std::string_view key) const {
  return Optional<Date>(*this, key, [&](auto k) { return GetDate(k); });
}
Result<std::optional<TomlTable>> TomlTable::GetOptionalTable(std::string_view key) const {
  return Optional<TomlTable>(*this, key, [&](auto k) { return GetTable(k); });
}

Status TomlTable::CheckKeys(std::initializer_list<std::string_view> allowed) const {
  std::vector<std::string> v(allowed.begin(), allowed.end());
  return CheckKeys(v);
}

Status TomlTable::CheckKeys(const std::vector<std::string>& allowed) const {
  for (const std::string& key : Keys()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string best;
    int best_d = 3;
    for (const std::string& a : allowed) {
      const int d = EditDistance(key, a);
      if (d < best_d) best_d = d, best = a;
    }
    SourceLocation loc = location();
    for (auto&& [k, v] : *impl_->table)
      if (k.str() == key && k.source().begin.line != 0) loc = impl_->Loc(k.source());
    std::string msg =
        best.empty() ? fmt::format("{}: unknown key", KeyPath(key))
                     : fmt::format("{}: unknown key (did you mean \"{}\"?)", KeyPath(key), best);
    Error e = MakeError(ErrorCode::kSchema, std::move(msg), loc);
    e.context = Context(*impl_->doc, loc.line);
    return e;
  }
  return OkStatus();
}

int EditDistance(std::string_view a, std::string_view b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace ceiling
