// Strict, location-aware reading of TOML data files.
//
// This is the one adapter over toml++: its exceptions are caught here and turned into `Error`s
// that point at `file:line:col`. Readers of chip, rule, country, model and design files use it
// to get typed values, and to reject unknown keys:
//
//   ASSIGN_OR_RETURN(TomlTable doc, TomlTable::ParseFile("data/chips/nvidia/h20.toml"));
//   RETURN_IF_ERROR(doc.CheckKeys({"id", "name", "memory"}));
//   ASSIGN_OR_RETURN(std::string id, doc.GetString("id"));
//   ASSIGN_OR_RETURN(std::optional<TomlTable> mem, doc.GetOptionalTable("memory"));
//   // errors read: "data/chips/nvidia/h20.toml:3:6: id: expected a string, got 42"
//
// Messages name the full key path ("memory.bandwidth"), say what was expected and what was
// found. Tables share ownership of the parsed document, so they stay valid on their own.
// Thread safety: a TomlTable is immutable; concurrent reads are safe.
#ifndef CEILING_BASE_TOML_READER_H_
#define CEILING_BASE_TOML_READER_H_

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"

namespace ceiling {

class TomlTable {
 public:
  enum class Kind { kNone, kString, kInteger, kFloat, kBool, kDate, kTable, kArray, kOther };

  // Reads (ReadTextFile: regular files only, size-capped) and parses a file. Errors: those of
  // ReadTextFile; kParse for TOML syntax errors, invalid UTF-8, empty files and text over the
  // shape limits below, located at the offending line and column. `display_name` is the name
  // used in diagnostics (default: the path as given). Diagnostics quote source lines only from
  // files named *.toml (never the first line of an arbitrary file such as /etc/shadow).
  static Result<TomlTable> ParseFile(const std::filesystem::path& path,
                                     std::string display_name = "");
  // Parses text held in memory; `display_name` stands for the file in diagnostics. Text over
  // kMaxInputFileBytes fails with kTooLarge.
  static Result<TomlTable> ParseString(std::string_view text, std::string display_name);

  // Shape limits checked before the text reaches toml++ (whose 3.3.0 release overflows the
  // stack on a dotted key of ~50,000 segments): a key or table header of more than
  // kMaxKeySegments dotted parts, or arrays / inline tables nested deeper than kMaxNesting, fail
  // with kParse at the key or bracket; so does a document whose tables and arrays (headers,
  // dotted keys and inline tables together) nest deeper than kMaxNesting.
  static constexpr int kMaxKeySegments = 64;
  static constexpr int kMaxNesting = 64;

  const std::string& file() const;
  // Location of this table (its header or opening brace).
  SourceLocation location() const;
  // Location of the value stored under `key` (of the key itself if it has no value location).
  SourceLocation LocationOf(std::string_view key) const;
  // "memory.bandwidth" for key "bandwidth" of table "memory".
  std::string KeyPath(std::string_view key) const;

  bool Has(std::string_view key) const;
  Kind KindOf(std::string_view key) const;
  // Keys in file order.
  std::vector<std::string> Keys() const;

  // Required getters: a missing key is "missing required key"; a wrong type says what was found.
  // Strings (here and in the array and optional getters) must not hold control characters other
  // than tab and newline (kSchema).
  Result<std::string> GetString(std::string_view key) const;
  Result<double> GetNumber(std::string_view key) const;  // integer or float
  Result<std::int64_t> GetInteger(std::string_view key) const;
  Result<bool> GetBool(std::string_view key) const;
  // A TOML local date (2023-11-17) or a string "2023-11-17".
  Result<Date> GetDate(std::string_view key) const;
  Result<TomlTable> GetTable(std::string_view key) const;
  // An array of tables ([[dies]]) or an array of inline tables.
  Result<std::vector<TomlTable>> GetTableArray(std::string_view key) const;
  // An array of strings; with `allow_single`, a lone string counts as a one-element list.
  Result<std::vector<std::string>> GetStringArray(std::string_view key,
                                                  bool allow_single = false) const;

  // An array of numbers (integers or floats).
  Result<std::vector<double>> GetNumberArray(std::string_view key) const;

  // Optional getters: absent key -> nullopt; present with the wrong type -> error.
  Result<std::optional<std::string>> GetOptionalString(std::string_view key) const;
  Result<std::optional<double>> GetOptionalNumber(std::string_view key) const;
  Result<std::optional<std::int64_t>> GetOptionalInteger(std::string_view key) const;
  Result<std::optional<bool>> GetOptionalBool(std::string_view key) const;
  Result<std::optional<Date>> GetOptionalDate(std::string_view key) const;
  Result<std::optional<TomlTable>> GetOptionalTable(std::string_view key) const;

  // Fails at the first key (in file order) that is not in `allowed`, with a "did you mean"
  // hint when a close allowed key exists.
  Status CheckKeys(std::initializer_list<std::string_view> allowed) const;
  Status CheckKeys(const std::vector<std::string>& allowed) const;

  // "file:line:col: key.path: message" errors (kSchema), with the source line for a caret.
  Error ErrorAt(std::string_view key, std::string_view message,
                ErrorCode code = ErrorCode::kSchema) const;
  Error ErrorHere(std::string_view message, ErrorCode code = ErrorCode::kSchema) const;
  // How a value looks in a diagnostic: 4.0, "abc", 2023-11-17, true, a table, an array.
  std::string Describe(std::string_view key) const;

  struct Impl;

 private:
  explicit TomlTable(std::shared_ptr<const Impl> impl);
  static Result<TomlTable> Parse(std::string_view text, std::string display_name, bool echo);
  std::shared_ptr<const Impl> impl_;
};

// Edit distance, for "did you mean" hints (also used for unknown chip ids).
int EditDistance(std::string_view a, std::string_view b);

}  // namespace ceiling

#endif  // CEILING_BASE_TOML_READER_H_
