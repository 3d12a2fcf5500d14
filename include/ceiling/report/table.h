// Text tables and CSV for the CLI.
//
//   Table t({{"id"}, {"TPP", Align::kRight}});
//   t.AddRow({"nvidia-h20", "2,368"});
//   t.AddRule("TPP 4,800: 3A090.a.1");        // a labelled separator line
//   std::string text = t.RenderText();         // aligned columns, header underlined
//   std::string csv = t.RenderCsv();           // RFC 4180 quoting; rules are skipped
//
// Text output fits a terminal of TextWidth() columns (100 unless the CLI's --width says
// otherwise): a table wider than that first
// leaves out its optional columns (Column::drop) and names them under the table, then wraps
// its prose columns onto continuation lines (not narrower than Column::wrap), and only then
// splits into blocks of columns, each repeating the key columns (SetKeyColumns). CSV always
// has every column, one row per line.
//
// Widths count UTF-8 code points, so "µ" and "≥" align. Deterministic output.
#ifndef CEILING_REPORT_TABLE_H_
#define CEILING_REPORT_TABLE_H_

#include <string>
#include <vector>

namespace ceiling::report {

enum class Align { kLeft, kRight };

struct Column {
  std::string header;
  Align align = Align::kLeft;
  // A prose column whose cells may be broken at spaces onto continuation lines when the
  // table is too wide, down to this many columns (0: never wrapped).
  std::size_t wrap = 0;
  // An optional column, left out of the text output when the table is too wide: the highest
  // number goes first (0: always shown).
  int drop = 0;
  // Starts a group of columns that stay together when the table is split into blocks (when
  // any column sets it; else every column is a group of its own).
  bool group = false;
};

// The width text tables and reports fit by default: kTextWidth unless SetTextWidth changed it
// (0: no limit; one line per row). The CLI sets it once, from --width, before any output.
inline constexpr std::size_t kTextWidth = 100;
std::size_t TextWidth();
void SetTextWidth(std::size_t columns);

class Table {
 public:
  explicit Table(std::vector<Column> columns);

  // Rows shorter than the header are padded with empty cells; longer ones are truncated.
  void AddRow(std::vector<std::string> cells);
  // A full-width separator carrying a label (text output only).
  void AddRule(std::string label);
  std::size_t rows() const;
  // The first `n` columns shown name a row: when the table is split into blocks of columns,
  // every block repeats them. Default 1.
  void SetKeyColumns(std::size_t n);

  // Aligned text of at most `width` columns where the cells allow it (0: no limit; a word or
  // a key column wider than the limit stays whole).
  std::string RenderText(std::size_t width = TextWidth()) const;
  std::string RenderCsv() const;

 private:
  struct Row {
    std::vector<std::string> cells;
    bool rule = false;
  };
  // The rows over `cols` at the given column widths; a rule's label past `limit` wraps.
  std::string RenderBlock(const std::vector<std::size_t>& cols,
                          const std::vector<std::size_t>& width, std::size_t limit) const;
  std::vector<Column> columns_;
  std::vector<Row> rows_;
  std::size_t keys_ = 1;
};

// Display width of UTF-8 text (code points).
std::size_t DisplayWidth(const std::string& s);
// CSV field quoting.
std::string CsvField(const std::string& s);

// One line of prose for a terminal: `text` (no newline in it) broken at spaces into lines of at
// most `width` display columns (0: not broken), the continuation lines indented by `indent`
// spaces; a word longer than a line stays whole. Ends with a newline.
//
//   WrapText("memory per GPU: 99.6 GB of 150.8 GB (weights ...)")  // lines of <= 100 columns
std::string WrapText(const std::string& text, std::size_t width = TextWidth(),
                     std::size_t indent = 2);

// A whole text report for a terminal: every line longer than `width` is wrapped (WrapText) with
// its continuation lines aligned under its value: the column after the line's first run of two
// or more spaces after its indentation ("Review policy     value", or a table-like row), when
// that is within the first half of the width; else two spaces further in than the line. Shorter lines, and
// empty ones, are kept as they are.
std::string WrapReport(const std::string& text, std::size_t width = TextWidth());

}  // namespace ceiling::report

#endif  // CEILING_REPORT_TABLE_H_
