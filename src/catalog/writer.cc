#include "ceiling/catalog/writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "ceiling/base/text.h"

namespace ceiling::catalog {
namespace {

// A TOML basic string. TOML forbids raw control characters other than tab in one, so every
// other one is escaped (a note may hold a carriage return the reader accepted as "\r").
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (const char* e = ShortEscape(c))
      out += e;
    else if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\u{:04X}", u);
    else
      out += c;
  }
  return out + "\"";
}

// A table key: bare when TOML allows it (letters, digits, '_' and '-'), else quoted, so that a
// source key such as "a.b" stays one key.
std::string Key(const std::string& k) {
  const bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  return bare ? k : Quote(k);
}

// Shortest representation that round-trips.
std::string Num(double v) { return fmt::format("{}", v); }

template <typename T>
std::string Meta(const Figure<T>& f) {
  std::string out = ", source = [";
  for (std::size_t i = 0; i < f.sources.size(); ++i) out += (i ? ", " : "") + Quote(f.sources[i]);
  out += "]";
  if (!f.note.empty()) out += ", note = " + Quote(f.note);
  if (!f.formula.empty()) out += ", formula = " + Quote(f.formula);
  return out;
}

std::string Keys(const std::vector<std::string>& keys) {
  std::string out = "[";
  for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? ", " : "") + Quote(keys[i]);
  return out + "]";
}

// `, alternatives = [{ value = ..., source = [...], label = "...", ... }, ...]`; `value` formats
// one value.
template <typename T, typename V>
std::string Alternatives(const std::vector<Alternative<T>>& alts, V value) {
  if (alts.empty()) return "";
  std::string out = ", alternatives = [";
  for (std::size_t i = 0; i < alts.size(); ++i) {
    const Alternative<T>& a = alts[i];
    out += (i ? ", " : "") + std::string("{ value = ") + value(a.value) +
           ", source = " + Keys(a.sources) + ", label = " + Quote(a.label);
    if (!a.note.empty()) out += ", note = " + Quote(a.note);
    if (!a.formula.empty()) out += ", formula = " + Quote(a.formula);
    out += " }";
  }
  return out + "]";
}

template <typename D>
std::string QFig(const Figure<Quantity<D>>& f, double unit, const char* unit_name) {
  auto value = [&](const Quantity<D>& q) { return Quote(Num(q.In(unit)) + " " + unit_name); };
  std::string out = "{ value = " + value(f.value);
  if (f.sparse) out += ", sparse = " + value(*f.sparse);
  return out + Meta(f) + Alternatives(f.alternatives, value) + " }";
}

std::string CFig(const Figure<double>& f) {
  return "{ value = " + Num(f.value) + Meta(f) +
         Alternatives(f.alternatives, [](double v) { return Num(v); }) + " }";
}
std::string DFig(const Figure<Date>& f) {
  return "{ value = " + f.value.ToString() + Meta(f) + " }";
}

}  // namespace

std::string ChipToToml(const Chip& c) {
  std::string out;
  out += "id = " + Quote(c.id) + "\n";
  out += "name = " + Quote(c.name) + "\n";
  out += "vendor = " + Quote(c.vendor) + "\n";
  out += "family = " + Quote(c.family) + "\n";
  out += "market = " + Quote(std::string(MarketName(c.market))) + "\n";
  out += "form_factor = " + Quote(std::string(FormFactorName(c.form_factor))) + "\n";
  if (c.derived_from) out += "derived_from = " + Quote(*c.derived_from) + "\n";
  if (c.released) out += "released = " + DFig(*c.released) + "\n";
  if (c.announced) out += "announced = " + DFig(*c.announced) + "\n";
  if (c.first_reported) out += "first_reported = " + DFig(*c.first_reported) + "\n";
  for (const Die& d : c.dies) {
    out += "\n[[dies]]\n";
    out += "name = " + Quote(d.name) + "\n";
    out += std::string("kind = ") + (d.kind == DieKind::kLogic ? "\"logic\"" : "\"memory\"") + "\n";
    out += "process = " + Quote(d.process) + "\n";
    out += std::string("non_planar = ") + (d.non_planar ? "true" : "false") + "\n";
    if (d.count_figure)
      out += "count = " + CFig(*d.count_figure) + "\n";
    else if (d.count != 1)
      out += fmt::format("count = {}\n", d.count);
    if (d.area) out += "area = " + QFig(*d.area, 1e-6, "mm^2") + "\n";
  }
  bool any = false;
  for (const auto& t : c.throughput) any = any || t.has_value();
  if (any) {
    out += "\n[throughput]\n";
    for (std::size_t i = 0; i < kPrecisionCount; ++i) {
      if (!c.throughput[i]) continue;
      const auto p = static_cast<Precision>(i);
      out += std::string(PrecisionName(p)) + " = " +
             QFig(*c.throughput[i], 1e12, IsInteger(p) ? "TOP/s" : "TFLOP/s") + "\n";
    }
  }
  if (c.memory) {
    out += "\n[memory]\ntype = " + Quote(c.memory->type) + "\n";
    if (c.memory->capacity) out += "capacity = " + QFig(*c.memory->capacity, 1e9, "GB") + "\n";
    if (c.memory->bandwidth) out += "bandwidth = " + QFig(*c.memory->bandwidth, 1e9, "GB/s") + "\n";
    if (c.memory->stacks) out += "stacks = " + CFig(*c.memory->stacks) + "\n";
  }
  const auto& ic = c.interconnect;
  if (ic.scale_up || ic.scale_up_links || ic.io_aggregate || ic.pcie) {
    out += "\n[interconnect]\n";
    if (ic.scale_up) out += "scale_up = " + QFig(*ic.scale_up, 1e9, "GB/s") + "\n";
    if (ic.scale_up_links && ic.scale_up_links->value > 0)
      out += "scale_up_links = " + CFig(*ic.scale_up_links) + "\n";
    if (ic.io_aggregate) out += "io_aggregate = " + QFig(*ic.io_aggregate, 1e9, "GB/s") + "\n";
    if (ic.pcie) out += "pcie = " + QFig(*ic.pcie, 1e9, "GB/s") + "\n";
  }
  if (c.tdp) out += "\n[power]\ntdp = " + QFig(*c.tdp, 1.0, "W") + "\n";
  if (c.compute.units || c.compute.boost_clock) {
    out += "\n[compute]\n";
    if (c.compute.units) out += "units = " + CFig(*c.compute.units) + "\n";
    if (!c.compute.unit_name.empty()) out += "unit_name = " + Quote(c.compute.unit_name) + "\n";
    if (c.compute.boost_clock)
      out += "boost_clock = " + QFig(*c.compute.boost_clock, 1e9, "GHz") + "\n";
  }
  for (const auto& [key, s] : c.sources) {
    out += "\n[sources." + Key(key) + "]\n";
    out += "title = " + Quote(s.title) + "\n";
    if (!s.url.empty()) out += "url = " + Quote(s.url) + "\n";
    out += "kind = " + Quote(std::string(SourceKindName(s.kind))) + "\n";
    out += "read = " + s.read.ToString() + "\n";
    if (!s.note.empty()) out += "note = " + Quote(s.note) + "\n";
  }
  return out;
}

}  // namespace ceiling::catalog
