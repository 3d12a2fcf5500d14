#include "ceiling/report/table.h"

#include <algorithm>
#include <atomic>
#include <cctype>

#include <fmt/format.h>

namespace ceiling::report {

namespace {
std::atomic<std::size_t> text_width{kTextWidth};
}  // namespace

std::size_t TextWidth() { return text_width.load(std::memory_order_relaxed); }
void SetTextWidth(std::size_t columns) { text_width.store(columns, std::memory_order_relaxed); }

std::size_t DisplayWidth(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back({std::move(cells), false});
}

void Table::AddRule(std::string label) { rows_.push_back({{std::move(label)}, true}); }

std::size_t Table::rows() const {
  return static_cast<std::size_t>(
      std::count_if(rows_.begin(), rows_.end(), [](const Row& r) { return !r.rule; }));
}

void Table::SetKeyColumns(std::size_t n) { keys_ = n; }

namespace {

// The pieces a cell may be broken into: words, each with the separator that follows it (a
// space, or nothing after a slash, so that "us-2023-10-acs/3A090.b.1" may break after the
// rule's id).
struct Piece {
  std::string text, sep;
};

std::vector<Piece> Pieces(const std::string& cell) {
  std::vector<Piece> out;
  std::string word;
  for (char c : cell) {
    if (c == ' ') {
      if (!word.empty()) out.push_back({word, " "});
      word.clear();
    } else {
      word += c;
      if (c == '/') {
        out.push_back({word, ""});
        word.clear();
      }
    }
  }
  if (!word.empty()) out.push_back({word, ""});
  return out;
}

// A cell's lines when its column is `width` wide, broken at spaces and after slashes; a piece
// longer than the width stays whole. Cells that fit are one line.
std::vector<std::string> CellLines(const std::string& cell, std::size_t width) {
  if (DisplayWidth(cell) <= width) return {cell};
  std::vector<std::string> lines;
  std::string line, sep;
  for (const Piece& p : Pieces(cell)) {
    if (!line.empty() && DisplayWidth(line) + DisplayWidth(sep) + DisplayWidth(p.text) > width) {
      lines.push_back(line);
      line.clear();
      sep.clear();
    }
    line += sep + p.text;
    sep = p.sep;
  }
  lines.push_back(line);
  return lines;
}

std::size_t LongestPiece(const std::string& cell) {
  std::size_t best = 0;
  for (const Piece& p : Pieces(cell)) best = std::max(best, DisplayWidth(p.text));
  return best;
}

std::size_t TotalWidth(const std::vector<std::size_t>& cols, const std::vector<std::size_t>& w) {
  std::size_t total = 0;
  for (std::size_t c : cols) total += w[c];
  return total + (cols.empty() ? 0 : 2 * (cols.size() - 1));
}

}  // namespace

std::string Table::RenderText(std::size_t width) const {
  const std::size_t n = columns_.size();
  std::vector<std::size_t> natural(n), narrowest(n);
  for (std::size_t i = 0; i < n; ++i) {
    natural[i] = DisplayWidth(columns_[i].header);
    std::size_t piece = natural[i];
    for (const Row& r : rows_) {
      if (r.rule) continue;
      natural[i] = std::max(natural[i], DisplayWidth(r.cells[i]));
      if (columns_[i].wrap > 0) piece = std::max(piece, LongestPiece(r.cells[i]));
    }
    narrowest[i] =
        columns_[i].wrap > 0 ? std::min(natural[i], std::max(columns_[i].wrap, piece)) : natural[i];
  }
  std::vector<std::size_t> shown(n);
  for (std::size_t i = 0; i < n; ++i) shown[i] = i;
  if (width == 0 || TotalWidth(shown, natural) <= width) return RenderBlock(shown, natural, width);

  // 1. Optional columns go, highest `drop` first, while wrapping alone could not fit.
  std::vector<std::size_t> optional;
  for (std::size_t i = 0; i < n; ++i)
    if (columns_[i].drop > 0) optional.push_back(i);
  std::stable_sort(optional.begin(), optional.end(), [&](std::size_t a, std::size_t b) {
    return columns_[a].drop > columns_[b].drop;
  });
  std::vector<std::string> left_out;
  for (std::size_t c : optional) {
    if (TotalWidth(shown, narrowest) <= width) break;
    shown.erase(std::find(shown.begin(), shown.end(), c));
    left_out.push_back(columns_[c].header);
  }
  // 2. Blocks of columns, each repeating the key columns, when even wrapped the table is too
  // wide; groups of columns (Column::group) stay together.
  std::vector<std::vector<std::size_t>> blocks;
  const std::size_t keys = std::min(keys_, shown.size());
  if (TotalWidth(shown, narrowest) <= width || keys == shown.size()) {
    blocks.push_back(shown);
  } else {
    const std::vector<std::size_t> key_cols(shown.begin(), shown.begin() + keys);
    const bool grouped = std::any_of(columns_.begin(), columns_.end(),
                                     [](const Column& c) { return c.group; });
    std::vector<std::vector<std::size_t>> units;
    for (std::size_t k = keys; k < shown.size(); ++k) {
      if (units.empty() || !grouped || columns_[shown[k]].group) units.emplace_back();
      units.back().push_back(shown[k]);
    }
    std::vector<std::size_t> block = key_cols;
    for (const std::vector<std::size_t>& unit : units) {
      std::vector<std::size_t> wider = block;
      wider.insert(wider.end(), unit.begin(), unit.end());
      if (block.size() > keys && TotalWidth(wider, narrowest) > width) {
        blocks.push_back(block);
        wider = key_cols;
        wider.insert(wider.end(), unit.begin(), unit.end());
      }
      block = std::move(wider);
    }
    blocks.push_back(block);
  }
  // 3. In each block, prose columns wrap until the block fits, one column at a time: the one
  // whose next column less breaks the fewest cells, the widest of those; a wrapped column is
  // then as wide as its longest line.
  auto breaks = [&](std::size_t c, std::size_t w) {
    std::size_t k = 0;
    for (const Row& r : rows_)
      if (!r.rule && DisplayWidth(r.cells[c]) > w) ++k;
    return k;
  };
  std::string out;
  for (const std::vector<std::size_t>& block : blocks) {
    std::vector<std::size_t> w = natural;
    while (TotalWidth(block, w) > width) {
      std::size_t pick = n, fewest = 0;
      for (std::size_t c : block) {
        if (w[c] <= narrowest[c]) continue;
        const std::size_t k = breaks(c, w[c] - 1);
        if (pick == n || k < fewest || (k == fewest && w[c] >= w[pick])) {
          pick = c;
          fewest = k;
        }
      }
      if (pick == n) break;
      --w[pick];
    }
    for (std::size_t c : block) {
      if (w[c] == natural[c]) continue;
      std::size_t used = DisplayWidth(columns_[c].header);
      for (const Row& r : rows_)
        if (!r.rule)
          for (const std::string& l : CellLines(r.cells[c], w[c]))
            used = std::max(used, DisplayWidth(l));
      w[c] = used;
    }
    out += (out.empty() ? "" : "\n") + RenderBlock(block, w, width);
  }
  if (!left_out.empty()) {
    std::string names;
    for (const std::string& h : left_out) names += (names.empty() ? "" : ", ") + h;
    out += WrapText(fmt::format("(left out to fit {} columns: {})", width, names), width);
  }
  return out;
}

std::string Table::RenderBlock(const std::vector<std::size_t>& cols,
                               const std::vector<std::size_t>& width, std::size_t limit) const {
  const std::size_t total = TotalWidth(cols, width);
  auto line = [&](const std::vector<std::string>& cells) {
    std::vector<std::vector<std::string>> parts;
    std::size_t height = 1;
    for (std::size_t c : cols) {
      parts.push_back(columns_[c].wrap > 0 ? CellLines(cells[c], width[c])
                                           : std::vector<std::string>{cells[c]});
      height = std::max(height, parts.back().size());
    }
    std::string out;
    for (std::size_t k = 0; k < height; ++k) {
      std::string text;
      for (std::size_t j = 0; j < cols.size(); ++j) {
        const std::size_t c = cols[j];
        const std::string cell = k < parts[j].size() ? parts[j][k] : std::string();
        const std::size_t w = DisplayWidth(cell);
        const std::size_t pad = width[c] > w ? width[c] - w : 0;
        const bool last = j + 1 == cols.size();
        if (columns_[c].align == Align::kRight) {
          text += std::string(pad, ' ') + cell;
        } else {
          text += cell;
          if (!last) text += std::string(pad, ' ');
        }
        if (!last) text += "  ";
      }
      while (!text.empty() && text.back() == ' ') text.pop_back();
      out += text + "\n";
    }
    return out;
  };

  std::vector<std::string> header(columns_.size());
  for (std::size_t i = 0; i < columns_.size(); ++i) header[i] = columns_[i].header;
  std::string out = line(header);
  std::string underline;
  for (std::size_t j = 0; j < cols.size(); ++j) {
    underline += std::string(width[cols[j]], '-');
    if (j + 1 < cols.size()) underline += "  ";
  }
  out += underline + "\n";
  for (const Row& r : rows_) {
    if (!r.rule) {
      out += line(r.cells);
      continue;
    }
    // A label longer than the table runs on; past the limit it wraps.
    std::string label = "-- " + r.cells[0];
    const std::size_t w = DisplayWidth(label) + 1;
    if (w < total) label += " " + std::string(total - w, '-');
    out += limit > 0 && DisplayWidth(label) > limit ? WrapText(label, limit, 3) : label + "\n";
  }
  return out;
}

std::string Table::RenderCsv() const {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      out += CsvField(cells[i]);
    }
    out += "\n";
  };
  std::vector<std::string> header;
  for (const Column& c : columns_) header.push_back(c.header);
  line(header);
  for (const Row& r : rows_)
    if (!r.rule) line(r.cells);
  return out;
}

namespace {

// A quantity's unit after its number ("8.95 ms", "80 GB", "3.35 TB/s"): a line break between the
// two would leave a bare number at a line's end.
bool IsUnit(std::string_view word) {
  while (!word.empty() && std::string_view(",.;:)").find(word.back()) != std::string_view::npos)
    word.remove_suffix(1);
  static constexpr std::string_view kUnits[] = {
      "ns",  "us",   "µs",   "ms",  "s",    "%",       "x",        "B",     "kB",      "MB",
      "GB",  "TB",   "MiB",  "GiB", "TiB",  "GB/s",    "TB/s",     "Gb/s",  "W",       "kW",
      "MW",  "GHz",  "MHz",  "TFLOP/s", "PFLOP/s", "tokens/s", "tok/s", "FLOP/s"};
  for (std::string_view u : kUnits)
    if (word == u) return true;
  return false;
}

// A number, perhaps with a sign, an opening bracket or thousands separators ("(2,048", "-0.5").
bool IsNumber(std::string_view word) {
  while (!word.empty() && (word.front() == '(' || word.front() == '-' || word.front() == '+'))
    word.remove_prefix(1);
  if (word.empty() || !std::isdigit(static_cast<unsigned char>(word.front()))) return false;
  for (char c : word)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != ',') return false;
  return true;
}

}  // namespace

std::string WrapText(const std::string& text, std::size_t width, std::size_t indent) {
  if (width == 0) return text + "\n";
  // The words and the spaces before each; a unit travels with the number before it.
  std::vector<std::pair<std::string, std::string>> words;  // (gap, word)
  std::string last;                                        // the previous word as written
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t word_start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (word_start == i) break;  // trailing spaces
    std::string word = text.substr(word_start, i - word_start);
    std::string gap = text.substr(start, word_start - start);
    const bool glue = !words.empty() && IsNumber(last) && IsUnit(word);
    last = word;
    if (glue)
      words.back().second += gap + word;
    else
      words.emplace_back(std::move(gap), std::move(word));
  }
  std::string out, line;
  std::size_t line_width = 0;
  const std::string pad(indent, ' ');
  for (const auto& [gap, word] : words) {
    const std::size_t w = DisplayWidth(word);
    if (!line.empty() && line_width + DisplayWidth(gap) + w > width) {
      out += line + "\n";
      line = pad + word;
      line_width = indent + w;
    } else {
      line += gap + word;
      line_width += DisplayWidth(gap) + w;
    }
  }
  return out + line + "\n";
}

std::string WrapReport(const std::string& text, std::size_t width) {
  if (width == 0) return text;
  std::string out;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    const bool newline = end != std::string::npos;
    if (!newline) end = text.size();
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    if (DisplayWidth(line) <= width) {
      out += line + (newline ? "\n" : "");
      continue;
    }
    const std::size_t lead = line.find_first_not_of(' ');
    std::size_t indent = lead + 2;
    const std::size_t gap = line.find("  ", lead);
    if (gap != std::string::npos) {
      const std::size_t value = line.find_first_not_of(' ', gap);
      // Columns count code points: the label before the value is ASCII in every report.
      if (value != std::string::npos && value <= width / 2) indent = value;
    }
    out += WrapText(line, width, std::min(indent, width / 2));
  }
  return out;
}

}  // namespace ceiling::report
