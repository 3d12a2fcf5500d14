// The CSV form of a shipments file: RFC 4180 fields (quoted fields may hold commas, doubled
// quotes and line breaks), one header line naming the columns, '#' comment lines, blank lines
// ignored. Unquoted fields are trimmed of surrounding spaces.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <map>
#include <tuple>

#include "ceiling/base/toml_reader.h"
#include "ceiling/catalog/catalog.h"
#include "ceiling/fleet/shipments.h"
#include "row_reader.h"

namespace ceiling::fleet {
namespace {

struct Field {
  std::string text;
  int line = 0;
  int column = 0;          // of the field's first character (the opening quote if quoted)
  int content_column = 0;  // of its first content character
  bool quoted = false;
};

struct Record {
  int line = 0;
  std::vector<Field> fields;
};

constexpr std::array<std::string_view, 25> kColumns = {
    "id",
    "chip",
    "quantity",
    "quantity_low",
    "quantity_high",
    "revenue",
    "revenue_low",
    "revenue_high",
    "unit_price",
    "unit_price_low",
    "unit_price_high",
    "date",
    "destination",
    "hq",
    "origin",
    "buyer",
    "status",
    "kind",
    "source",
    "source_title",
    "read",
    "price_source",
    "note",
    "overlaps",
    "price_source_title",
};
constexpr std::array<std::string_view, 5> kRequired = {"chip", "date", "destination", "kind",
                                                       "source"};

// Splits the text into records. Errors (kParse) point at the offending character.
class Tokenizer {
 public:
  Tokenizer(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  // Reads the next record into `rec`; false at the end of the text.
  Result<bool> Next(Record* rec) {
    while (pos_ < text_.size() && col_ == 1 && (Peek() == '#' || AtBlankLine())) SkipLine();
    if (pos_ >= text_.size()) return false;
    rec->line = line_;
    rec->fields.clear();
    while (true) {
      ASSIGN_OR_RETURN(Field f, ReadField());
      rec->fields.push_back(std::move(f));
      if (pos_ >= text_.size()) break;
      if (text_[pos_] == ',') {
        Advance();
        continue;
      }
      // End of line (ReadField stops only at ',' or a line break).
      SkipLineBreak();
      break;
    }
    return true;
  }

  std::string LineText(int line) const {
    std::size_t start = 0;
    for (int l = 1; l < line && start != std::string_view::npos; ++l) {
      start = text_.find('\n', start);
      if (start != std::string_view::npos) ++start;
    }
    if (start == std::string_view::npos || start > text_.size()) return "";
    std::size_t end = text_.find('\n', start);
    std::string s(text_.substr(start, end == std::string_view::npos ? end : end - start));
    if (!s.empty() && s.back() == '\r') s.pop_back();
    return s;
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void Advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }
  bool AtBlankLine() const {
    std::size_t p = pos_;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t' || text_[p] == '\r')) ++p;
    return p >= text_.size() || text_[p] == '\n';
  }
  void SkipLine() {
    while (pos_ < text_.size() && text_[pos_] != '\n') Advance();
    if (pos_ < text_.size()) Advance();
  }
  void SkipLineBreak() {
    if (Peek() == '\r') Advance();
    if (Peek() == '\n') Advance();
  }
  Error ParseError(std::string message, int line, int col) const {
    Error e = MakeError(ErrorCode::kParse, std::move(message), SourceLocation{name_, line, col});
    e.context = LineText(line);
    return e;
  }
  static bool Space(char c) { return c == ' ' || c == '\t'; }

  Result<Field> ReadField() {
    while (Space(Peek())) Advance();
    Field f;
    f.line = line_;
    f.column = col_;
    if (Peek() == '"') {
      f.quoted = true;
      Advance();
      f.content_column = col_;
      while (true) {
        if (pos_ >= text_.size()) return ParseError("unterminated quoted field", f.line, f.column);
        const char c = text_[pos_];
        if (c == '"') {
          Advance();
          if (Peek() == '"') {
            f.text += '"';
            Advance();
            continue;
          }
          break;
        }
        f.text += c;
        Advance();
      }
      while (Space(Peek())) Advance();
      const char c = Peek();
      if (c != ',' && c != '\n' && c != '\r' && c != '\0')
        return ParseError("expected a comma or the end of the line after a quoted field", line_,
                          col_);
      if (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n')
        return ParseError("carriage return without a line feed", line_, col_);
      return f;
    }
    f.content_column = col_;
    std::size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ',' || c == '\n') break;
      if (c == '\r') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n')
          return ParseError("carriage return without a line feed", line_, col_);
        break;
      }
      if (c == '"')
        return ParseError(
            "a quote inside an unquoted field (quote the whole field and double "
            "the quote)",
            line_, col_);
      Advance();
    }
    std::string_view raw = text_.substr(start, pos_ - start);
    while (!raw.empty() && Space(raw.back())) raw.remove_suffix(1);
    f.text = std::string(raw);
    return f;
  }

  std::string_view text_;
  const std::string& name_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

class CsvRow final : public internal::RowReader {
 public:
  CsvRow(const std::string& file, const std::map<std::string, std::size_t, std::less<>>& columns,
         const Record& rec)
      : file_(file), columns_(columns), rec_(rec) {}

  const Field* Get(std::string_view key) const {
    const auto it = columns_.find(key);
    if (it == columns_.end()) return nullptr;
    const Field& f = rec_.fields[it->second];
    return f.text.empty() ? nullptr : &f;
  }
  bool Has(std::string_view key) const override { return Get(key) != nullptr; }
  Result<std::optional<std::string>> String(std::string_view key) const override {
    const Field* f = Get(key);
    if (f == nullptr) return std::optional<std::string>();
    return std::optional<std::string>(f->text);
  }
  Result<std::optional<double>> Number(std::string_view key) const override {
    const Field* f = Get(key);
    if (f == nullptr) return std::optional<double>();
    char* end = nullptr;
    const double v = std::strtod(f->text.c_str(), &end);
    if (end != f->text.c_str() + f->text.size() || !std::isfinite(v) ||
        f->text.find_first_of("xXpP") != std::string::npos)
      return ErrorAt(key, fmt::format("expected a number such as 100000 (no thousands "
                                      "separators), got \"{}\"",
                                      f->text));
    return std::optional<double>(v);
  }
  Result<std::optional<Period>> PeriodField(std::string_view key) const override {
    const Field* f = Get(key);
    if (f == nullptr) return std::optional<Period>();
    auto p = ParsePeriod(f->text);
    if (!p.ok()) return ErrorAt(key, p.error().message);
    return std::optional<Period>(*p);
  }
  Pos Location(std::string_view key) const override {
    const Field* f = Get(key);
    if (f == nullptr) return Pos{rec_.line, 1};
    return Pos{f->line, f->column};
  }
  Error ErrorAt(std::string_view key, std::string_view message) const override {
    const Pos p = Location(key);
    return MakeError(ErrorCode::kSchema,
                     key.empty() ? std::string(message) : fmt::format("{}: {}", key, message),
                     SourceLocation{file_, p.line, p.column});
  }
  const Record& record() const { return rec_; }

 private:
  const std::string& file_;
  const std::map<std::string, std::size_t, std::less<>>& columns_;
  const Record& rec_;
};

// A chip cell written as an inline TOML table: `{ id = "acme-x1", ..., sources = {...} }`.
// Diagnostics are moved from the synthetic one-line document to the cell.
Result<std::shared_ptr<const catalog::Chip>> InlineChip(const Field& f, const std::string& file) {
  constexpr std::string_view kPrefix = "chip = ";
  const std::string doc_text = std::string(kPrefix) + f.text;
  auto relocate = [&](Error e) {
    if (e.location.line == 1 && f.text.find('\n') == std::string::npos) {
      const int col = e.location.column > 0 ? e.location.column : 1;
      e.location = SourceLocation{
          file, f.line, f.content_column + std::max(0, col - 1 - static_cast<int>(kPrefix.size()))};
    } else {
      e.location = SourceLocation{file, f.line, f.column};
    }
    e.context.clear();
    if (e.message.starts_with("invalid TOML: ")) e.message = "chip: " + e.message;
    return e;
  };
  auto doc = TomlTable::ParseString(doc_text, file);
  if (!doc.ok()) return relocate(doc.error());
  auto table = doc->GetTable("chip");
  if (!table.ok()) return relocate(table.error());
  auto chip = catalog::ParseChip(*table);
  if (!chip.ok()) return relocate(chip.error());
  return std::shared_ptr<const catalog::Chip>(
      std::make_shared<catalog::Chip>(std::move(chip).value()));
}

}  // namespace

Result<ShipmentSet> ParseShipmentsCsv(std::string_view text, std::string name) {
  ShipmentSet set;
  set.name = name;
  Tokenizer tok(text, set.name);
  // Records are read one at a time: a million-row file is never held as fields.
  Record header;
  ASSIGN_OR_RETURN(bool any, tok.Next(&header));
  if (!any)
    return MakeError(ErrorCode::kParse, "empty file: expected a header line naming the columns",
                     SourceLocation{set.name, 1, 1});
  std::map<std::string, std::size_t, std::less<>> columns;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const Field& f = header.fields[i];
    const SourceLocation loc{set.name, f.line, f.column};
    if (std::find(kColumns.begin(), kColumns.end(), f.text) == kColumns.end()) {
      const std::vector<std::string_view> known(kColumns.begin(), kColumns.end());
      return MakeError(
          ErrorCode::kSchema,
          fmt::format("unknown column \"{}\"{}", f.text, internal::DidYouMean(f.text, known)), loc);
    }
    if (!columns.emplace(f.text, i).second)
      return MakeError(ErrorCode::kSchema, fmt::format("column \"{}\" appears twice", f.text), loc);
  }
  for (std::string_view req : kRequired)
    if (!columns.count(std::string(req)))
      return MakeError(ErrorCode::kSchema,
                       fmt::format("missing required column \"{}\" (the header must name chip, "
                                   "date, destination, kind and source)",
                                   req),
                       SourceLocation{set.name, header.line, 1});
  if (!columns.count("quantity") && !columns.count("revenue"))
    return MakeError(ErrorCode::kSchema, "missing column \"quantity\" (or \"revenue\")",
                     SourceLocation{set.name, header.line, 1});

  // Rows citing the same source (URL, title, date read) share one entry, named after the first.
  std::map<std::tuple<std::string, std::string, long>, std::string> cited;
  auto Cite = [&](catalog::Source src, std::string key) -> std::string {
    auto [it, fresh] =
        cited.emplace(std::tuple{src.url, src.title, src.read.DaysSinceEpoch()}, key);
    if (fresh) {
      src.key = key;
      set.sources.emplace(std::move(key), std::move(src));
    }
    return it->second;
  };
  set.rows.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')));
  Record rec;
  for (std::size_t i = 0;; ++i) {
    ASSIGN_OR_RETURN(bool more, tok.Next(&rec));
    if (!more) break;
    if (rec.fields.size() != header.fields.size()) {
      const Field& last = rec.fields.back();
      return MakeError(ErrorCode::kSchema,
                       fmt::format("expected {} fields as in the header, got {}",
                                   header.fields.size(), rec.fields.size()),
                       SourceLocation{set.name, last.line, last.column});
    }
    const CsvRow row(set.name, columns, rec);
    const bool price_cited = row.Has("price_source");
    ASSIGN_OR_RETURN(Shipment s, internal::ReadRow(row, price_cited));
    s.index = static_cast<int>(i);
    s.at = Pos{rec.line, 1};
    const Field* chip = row.Get("chip");
    if (chip == nullptr) return row.ErrorAt("", "missing required field \"chip\"");
    s.chip_at = Pos{chip->line, chip->column};
    if (!chip->text.empty() && chip->text.front() == '{') {
      ASSIGN_OR_RETURN(s.inline_chip, InlineChip(*chip, set.name));
      s.chip = s.inline_chip->id;
    } else {
      s.chip = chip->text;
    }
    // Sources: the row's citation (a URL or a reference), and the price's.
    const Field* src = row.Get("source");
    if (src == nullptr) return row.ErrorAt("", "missing required field \"source\"");
    ASSIGN_OR_RETURN(std::optional<std::string> title, row.String("source_title"));
    catalog::Source cite;
    cite.url = src->text;
    cite.title = title.value_or(src->text);
    cite.kind = catalog::SourceKind::kSecondary;
    cite.note = "cited in a CSV row (source kind not recorded)";
    if (row.Has("read")) {
      ASSIGN_OR_RETURN(std::optional<std::string> read, row.String("read"));
      auto d = ParseDate(*read);
      if (!d.ok()) return row.ErrorAt("read", d.error().message);
      cite.read = *d;
    }
    s.sources.push_back(Cite(std::move(cite), fmt::format("row-{}", i + 1)));
    if (price_cited) {
      catalog::Source price;
      ASSIGN_OR_RETURN(std::optional<std::string> ptitle, row.String("price_source_title"));
      price.url = row.Get("price_source")->text;
      price.title = ptitle.value_or(price.url);
      price.kind = catalog::SourceKind::kSecondary;
      price.note = "cited in a CSV row (source kind not recorded)";
      s.price_sources.push_back(Cite(std::move(price), fmt::format("row-{}-price", i + 1)));
    }
    set.rows.push_back(std::move(s));
  }
  RETURN_IF_ERROR(internal::CheckRows(set, false));
  return set;
}

}  // namespace ceiling::fleet
