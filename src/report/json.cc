#include "ceiling/report/json.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "ceiling/base/text.h"
#include "ceiling/base/units.h"

namespace ceiling::report {

using nlohmann::json;
using namespace ceiling::catalog;

namespace {

// The text nlohmann::json::dump(indent, ' ', false, replace) writes, without its per-byte UTF-8
// state machine on every string: a served classification is ~56 KB of mostly ASCII, and the
// library serializer spent a third of the request there. Same bytes (tests/report/json_test.cc
// compares the two on generated trees); numbers and strings that are not well-formed UTF-8 are
// handed to the library's own serializer.

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0.
std::size_t Utf8Length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return k < s.size() && b(k) >= lo && b(k) <= hi;
  };
  const unsigned c = b(i);
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

// Bytes written as they are: printable ASCII but the quote and the backslash.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

void WriteString(std::string_view s, std::string& out) {
  const std::size_t start = out.size();
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    std::size_t plain = i;  // a run of printable ASCII that needs no escape
    while (plain < s.size() && kPlain[static_cast<unsigned char>(s[plain])]) ++plain;
    out.append(s.data() + i, plain - i);
    if ((i = plain) == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = Utf8Length(s, i);
      if (n == 0) {  // not UTF-8: the library's replacement rules decide
        out.resize(start);
        out += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
        return;
      }
      out.append(s.data() + i, n);
      i += n;
      continue;
    }
    if (const char* e = ShortEscape(s[i]))
      out += e;
    else
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);  // the other controls
    ++i;
  }
  out += '"';
}

void Write(const json& j, int indent, int level, std::string& out) {
  const bool pretty = indent >= 0;
  const auto newline = [&](int depth) {
    if (!pretty) return;
    out += '\n';
    out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(depth), ' ');
  };
  // "{}" or "[]" when empty; else one item per line, indented one level deeper.
  const auto container = [&](char open, char close, const auto& items, const auto& write_item) {
    out += open;
    bool first = true;
    for (const auto& item : items) {
      if (!first) out += ',';
      first = false;
      newline(level + 1);
      write_item(item);
    }
    if (!first) newline(level);
    out += close;
  };
  switch (j.type()) {
    case json::value_t::object:
      container('{', '}', j.get_ref<const json::object_t&>(), [&](const auto& member) {
        WriteString(member.first, out);
        out += pretty ? ": " : ":";
        Write(member.second, indent, level + 1, out);
      });
      return;
    case json::value_t::array:
      container('[', ']', j.get_ref<const json::array_t&>(),
                [&](const json& value) { Write(value, indent, level + 1, out); });
      return;
    case json::value_t::string:
      WriteString(j.get_ref<const std::string&>(), out);
      return;
    case json::value_t::boolean:
      out += j.get<bool>() ? "true" : "false";
      return;
    case json::value_t::null:
      out += "null";
      return;
    case json::value_t::number_integer:
      fmt::format_to(std::back_inserter(out), "{}", j.get<std::int64_t>());
      return;
    case json::value_t::number_unsigned:
      fmt::format_to(std::back_inserter(out), "{}", j.get<std::uint64_t>());
      return;
    default:  // floats (shortest round trip, "1.0" for whole numbers, null if not finite), binary
      out += j.dump(-1, ' ', false, json::error_handler_t::replace);
      return;
  }
}

}  // namespace

std::string DumpJson(const json& j, int indent) {
  std::string out;
  Write(j, indent, 0, out);
  return out;
}

void AppendJson(const json& j, int level, std::string& out) { Write(j, 2, level, out); }
void AppendJsonString(std::string_view s, std::string& out) { WriteString(s, out); }

namespace {

template <typename T>
json FigureMeta(const Figure<T>& f) {
  json j;
  j["sources"] = f.sources;
  if (!f.note.empty()) j["note"] = f.note;
  if (!f.formula.empty()) j["formula"] = f.formula;
  return j;
}

// `alternatives` (only for disputed figures): each with value, label, sources, note, formula.
template <typename T, typename V>
void AddAlternatives(json* j, const Figure<T>& f, V value) {
  if (f.alternatives.empty()) return;
  json alts = json::array();
  for (const Alternative<T>& a : f.alternatives) {
    json x = {{"value", value(a.value)}, {"label", a.label}, {"sources", a.sources}};
    if (!a.note.empty()) x["note"] = a.note;
    if (!a.formula.empty()) x["formula"] = a.formula;
    alts.push_back(x);
  }
  (*j)["alternatives"] = alts;
}

template <typename D>
json QuantityFigure(const std::optional<Figure<Quantity<D>>>& f, double unit,
                    const char* unit_name) {
  if (!f) return nullptr;
  json j = FigureMeta(*f);
  j["value"] = f->value.In(unit);
  j["unit"] = unit_name;
  j["text"] = FormatQuantity(f->value);
  if (f->sparse) j["sparse"] = f->sparse->In(unit);
  AddAlternatives(&j, *f, [unit](const Quantity<D>& q) { return q.In(unit); });
  return j;
}

json CountFigure(const std::optional<Figure<double>>& f) {
  if (!f) return nullptr;
  json j = FigureMeta(*f);
  j["value"] = f->value;
  AddAlternatives(&j, *f, [](double v) { return v; });
  return j;
}

json DateFigure(const std::optional<Figure<Date>>& f) {
  if (!f) return nullptr;
  json j = FigureMeta(*f);
  j["value"] = f->value.ToString();
  return j;
}

}  // namespace

json MetricJson(MetricId id, const Metric& m) {
  json j;
  j["title"] = MetricTitle(id);
  j["unit"] = MetricUnit(id);
  if (m.value) {
    j["value"] = *m.value;
    j["how"] = m.how;
    j["sources"] = m.sources;
  } else {
    j["value"] = nullptr;
    j["missing"] = m.missing;
  }
  return j;
}

json MetricsJson(const ChipMetrics& m) {
  json j = json::object();
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    const auto id = static_cast<MetricId>(i);
    j[std::string(MetricName(id))] = MetricJson(id, m[id]);
  }
  j["tpp_precision"] = m.tpp_precision ? json(PrecisionName(*m.tpp_precision)) : json(nullptr);
  return j;
}

json ChipJson(const Chip& c, const ChipMetrics& metrics) {
  json j;
  j["id"] = c.id;
  j["name"] = c.name;
  j["vendor"] = c.vendor;
  j["family"] = c.family;
  j["market"] = MarketName(c.market);
  j["form_factor"] = FormFactorName(c.form_factor);
  j["derived_from"] = c.derived_from ? json(*c.derived_from) : json(nullptr);
  j["released"] = DateFigure(c.released);
  j["announced"] = DateFigure(c.announced);
  if (c.first_reported) j["first_reported"] = DateFigure(c.first_reported);
  j["dies"] = json::array();
  for (const Die& d : c.dies) {
    json dj;
    dj["name"] = d.name;
    dj["kind"] = d.kind == DieKind::kLogic ? "logic" : "memory";
    dj["process"] = d.process;
    dj["non_planar"] = d.non_planar;
    dj["count"] = d.count;
    if (d.count_figure) dj["count_figure"] = CountFigure(d.count_figure);
    dj["area_mm2"] = nullptr;
    if (d.area) {
      dj["area_mm2"] = SquareMillimetresOf(d.area->value);
      dj["area"] = FigureMeta(*d.area);
      AddAlternatives(&dj["area"], *d.area,
                      [](const SquareMetres& a) { return SquareMillimetresOf(a); });
    }
    j["dies"].push_back(dj);
  }
  json tp = json::object();
  for (std::size_t i = 0; i < kPrecisionCount; ++i) {
    const auto p = static_cast<Precision>(i);
    if (c.throughput[i])
      tp[std::string(PrecisionName(p))] =
          QuantityFigure(c.throughput[i], 1e12, IsInteger(p) ? "TOP/s" : "TFLOP/s");
  }
  j["throughput"] = tp;
  if (c.memory) {
    j["memory"] = {{"type", c.memory->type},
                   {"capacity", QuantityFigure(c.memory->capacity, 1e9, "GB")},
                   {"bandwidth", QuantityFigure(c.memory->bandwidth, 1e9, "GB/s")},
                   {"stacks", CountFigure(c.memory->stacks)}};
  } else {
    j["memory"] = nullptr;
  }
  j["interconnect"] = {{"scale_up", QuantityFigure(c.interconnect.scale_up, 1e9, "GB/s")},
                       {"scale_up_links", CountFigure(c.interconnect.scale_up_links)},
                       {"io_aggregate", QuantityFigure(c.interconnect.io_aggregate, 1e9, "GB/s")},
                       {"pcie", QuantityFigure(c.interconnect.pcie, 1e9, "GB/s")}};
  j["power"] = {{"tdp", QuantityFigure(c.tdp, 1.0, "W")}};
  j["compute"] = {{"units", CountFigure(c.compute.units)},
                  {"unit_name", c.compute.unit_name},
                  {"boost_clock", QuantityFigure(c.compute.boost_clock, 1e9, "GHz")}};
  json sources = json::object();
  for (const auto& [key, s] : c.sources) {
    json sj = {{"title", s.title}, {"kind", SourceKindName(s.kind)}, {"read", s.read.ToString()}};
    sj["url"] = s.url.empty() ? json(nullptr) : json(s.url);
    if (!s.note.empty()) sj["note"] = s.note;
    sources[key] = sj;
  }
  j["sources"] = sources;
  j["metrics"] = MetricsJson(metrics);
  j["file"] = c.file.empty() ? json(nullptr) : json(c.file);
  return j;
}

}  // namespace ceiling::report
