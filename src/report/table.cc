#include "ceiling/report/table.h"

#include <algorithm>

namespace ceiling::report {

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

std::string Table::RenderText() const {
  std::vector<std::size_t> width(columns_.size());
  for (std::size_t i = 0; i < columns_.size(); ++i) width[i] = DisplayWidth(columns_[i].header);
  for (const Row& r : rows_) {
    if (r.rule) continue;
    for (std::size_t i = 0; i < columns_.size(); ++i)
      width[i] = std::max(width[i], DisplayWidth(r.cells[i]));
  }
  std::size_t total = 0;
  for (std::size_t w : width) total += w;
  total += columns_.empty() ? 0 : 2 * (columns_.size() - 1);

  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const std::string& c = cells[i];
      const std::size_t pad = width[i] - DisplayWidth(c);
      const bool last = i + 1 == columns_.size();
      if (columns_[i].align == Align::kRight) {
        out += std::string(pad, ' ') + c;
      } else {
        out += c;
        if (!last) out += std::string(pad, ' ');
      }
      if (!last) out += "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };

  std::vector<std::string> header;
  for (const Column& c : columns_) header.push_back(c.header);
  std::string out = line(header);
  std::string underline;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    underline += std::string(width[i], '-');
    if (i + 1 < columns_.size()) underline += "  ";
  }
  out += underline + "\n";
  for (const Row& r : rows_) {
    if (!r.rule) {
      out += line(r.cells);
      continue;
    }
    std::string label = "-- " + r.cells[0] + " ";
    const std::size_t w = DisplayWidth(label);
    if (w < total) {
      std::string dashes;
      for (std::size_t k = w; k < total; ++k) dashes += "-";
      label += dashes;
    }
    out += label + "\n";
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

std::string WrapText(const std::string& text, std::size_t width, std::size_t indent) {
  std::string out, line;
  std::size_t line_width = 0;
  const std::string pad(indent, ' ');
  std::size_t i = 0;
  while (i < text.size()) {
    // The next word and the spaces before it.
    std::size_t start = i;
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t word_start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (word_start == i) break;  // trailing spaces
    const std::string word = text.substr(word_start, i - word_start);
    const std::string gap = text.substr(start, word_start - start);
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
