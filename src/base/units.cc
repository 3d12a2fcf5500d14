#include "ceiling/base/units.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace ceiling {
namespace {

struct Symbol {
  std::string_view text;
  double factor;  // in SI base units
  DimVector dim;
  bool binary_prefix_ok;
};

constexpr DimVector kByte{1, 0, 0, 0, 0};
constexpr DimVector kSecond{0, 1, 0, 0, 0};
constexpr DimVector kOp{0, 0, 1, 0, 0};
constexpr DimVector kOpPerSecond{0, -1, 1, 0, 0};
constexpr DimVector kWatt{0, 0, 0, 1, 0};
constexpr DimVector kMetre{0, 0, 0, 0, 1};
constexpr DimVector kPerSecond{0, -1, 0, 0, 0};

// Exact symbols are tried before prefix+symbol splits, so "min" is a minute and "ms" is milli-s.
constexpr std::array<Symbol, 13> kSymbols{{
    {"B", 1.0, kByte, true},
    {"b", 0.125, kByte, true},
    {"bit", 0.125, kByte, true},
    {"FLOP", 1.0, kOp, false},
    {"OP", 1.0, kOp, false},
    {"FLOPS", 1.0, kOpPerSecond, false},
    {"OPS", 1.0, kOpPerSecond, false},
    {"W", 1.0, kWatt, false},
    {"s", 1.0, kSecond, false},
    {"min", 60.0, kSecond, false},
    {"h", 3600.0, kSecond, false},
    {"Hz", 1.0, kPerSecond, false},
    {"m", 1.0, kMetre, false},
}};

struct Prefix {
  std::string_view text;
  double factor;
  bool binary;
};

constexpr std::array<Prefix, 19> kPrefixes{{
    {"Ki", 1024.0, true},
    {"Mi", 1048576.0, true},
    {"Gi", 1073741824.0, true},
    {"Ti", 1099511627776.0, true},
    {"Pi", 1125899906842624.0, true},
    {"Ei", 1152921504606846976.0, true},
    {"\xC2\xB5", 1e-6, false},  // µ (micro sign, UTF-8)
    {"k", 1e3, false},
    {"M", 1e6, false},
    {"G", 1e9, false},
    {"T", 1e12, false},
    {"P", 1e15, false},
    {"E", 1e18, false},
    {"m", 1e-3, false},
    {"c", 1e-2, false},
    {"u", 1e-6, false},
    {"n", 1e-9, false},
    {"p", 1e-12, false},
    {"K", 1e3, false},  // common misspelling of k, accepted
}};

DimVector Scale(DimVector d, int k) {
  return {d.bytes * k, d.seconds * k, d.ops * k, d.watts * k, d.metres * k};
}
DimVector Add(DimVector a, DimVector b) {
  return {a.bytes + b.bytes, a.seconds + b.seconds, a.ops + b.ops, a.watts + b.watts,
          a.metres + b.metres};
}

constexpr int kMaxPower = 9;
// Units are short ("TFLOP/s", "kW*h" is not even accepted); a long one is not a unit.
constexpr std::size_t kMaxUnitTerms = 8;

const Symbol* FindSymbol(std::string_view s) {
  for (const Symbol& sym : kSymbols)
    if (sym.text == s) return &sym;
  return nullptr;
}

// One term: [prefix] symbol [^N]. Returns factor and dimension.
std::optional<std::pair<double, DimVector>> ParseTerm(std::string_view term) {
  int power = 1;
  if (auto caret = term.find('^'); caret != std::string_view::npos) {
    std::string_view exp = term.substr(caret + 1);
    term = term.substr(0, caret);
    if (exp.empty()) return std::nullopt;
    auto [ptr, ec] = std::from_chars(exp.data(), exp.data() + exp.size(), power);
    // Powers are small (mm^2, s^-1); a large one would overflow the dimension exponents.
    if (ec != std::errc() || ptr != exp.data() + exp.size() || power == 0 || power > kMaxPower ||
        power < -kMaxPower)
      return std::nullopt;
  }
  double factor = 0;
  DimVector dim;
  if (const Symbol* sym = FindSymbol(term)) {
    factor = sym->factor;
    dim = sym->dim;
  } else {
    bool found = false;
    for (const Prefix& p : kPrefixes) {
      if (term.size() > p.text.size() && term.substr(0, p.text.size()) == p.text) {
        const Symbol* base_sym = FindSymbol(term.substr(p.text.size()));
        if (base_sym == nullptr || (p.binary && !base_sym->binary_prefix_ok)) continue;
        factor = p.factor * base_sym->factor;
        dim = base_sym->dim;
        found = true;
        break;
      }
    }
    if (!found) return std::nullopt;
  }
  return std::make_pair(std::pow(factor, power), Scale(dim, power));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct NamedDim {
  DimVector dim;
  const char* name;
  const char* example;
};

constexpr std::array<NamedDim, 12> kNamedDims{{
    {kByte, "data size", "\"80 GB\""},
    {{1, -1, 0, 0, 0}, "bandwidth", "\"3.35 TB/s\""},
    {kOpPerSecond, "compute rate", "\"989.4 TFLOP/s\""},
    {kOp, "operation count", "\"3.1e23 FLOP\""},
    {kWatt, "power", "\"700 W\""},
    {{0, 0, 0, 0, 2}, "area", "\"814 mm^2\""},
    {kMetre, "length", "\"5 nm\""},
    {kPerSecond, "frequency", "\"1.98 GHz\""},
    {kSecond, "time", "\"20 ms\""},
    {{0, 0, 0, 0, 0}, "plain number", "\"0.5\""},
    {{-1, 0, 1, 0, 0}, "arithmetic intensity", "\"300 FLOP/B\""},
    {{0, 1, 0, 1, 0}, "energy", "\"1 kW*h\""},
}};

}  // namespace

Result<ParsedQuantity> ParseQuantity(std::string_view text) {
  const std::string_view s = Trim(text);
  if (s.empty()) return MakeError(ErrorCode::kParse, "empty quantity");
  // Number: [+-] digits [. digits] [e [+-] digits]
  size_t i = 0;
  if (s[i] == '+' || s[i] == '-') ++i;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0)
    return MakeError(ErrorCode::kParse,
                     fmt::format("expected a number at the start of \"{}\"", std::string(s)));
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    size_t exp_digits = 0;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j, ++exp_digits;
    // "3 EB" must stay exabytes: only take 'e' as an exponent when digits follow.
    if (exp_digits > 0) i = j;
  }
  const std::string number(s.substr(0, i));
  char* end = nullptr;
  const double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(value))
    return MakeError(ErrorCode::kParse, fmt::format("invalid number in \"{}\"", std::string(s)));
  if (i < s.size() && s[i] == ',')
    return MakeError(ErrorCode::kParse,
                     fmt::format("thousands separators are not allowed in \"{}\"", std::string(s)));
  const std::string_view unit = Trim(s.substr(i));
  if (unit.empty())
    return MakeError(ErrorCode::kParse, fmt::format("missing unit in \"{}\"", std::string(s)));

  double factor = 1.0;
  DimVector dim;
  size_t start = 0;
  bool first = true;
  std::size_t terms = 0;
  while (start <= unit.size()) {
    if (++terms > kMaxUnitTerms)
      return MakeError(ErrorCode::kParse, fmt::format("unknown unit \"{}\" in \"{}\"",
                                                      std::string(unit), std::string(s)));
    size_t slash = unit.find('/', start);
    std::string_view term = Trim(unit.substr(start, slash == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : slash - start));
    auto parsed = term.empty() ? std::nullopt : ParseTerm(term);
    if (!parsed)
      return MakeError(ErrorCode::kParse, fmt::format("unknown unit \"{}\" in \"{}\"",
                                                      std::string(unit), std::string(s)));
    if (first) {
      factor *= parsed->first;
      dim = Add(dim, parsed->second);
    } else {
      factor /= parsed->first;
      dim = Add(dim, Scale(parsed->second, -1));
    }
    first = false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  // "1e300 TFLOP/s" is a finite number and a known unit, but not a finite quantity.
  const double base = value * factor;
  if (!std::isfinite(base) || (base == 0 && value != 0))
    return MakeError(ErrorCode::kParse,
                     fmt::format("\"{}\" is out of range (in base units it is {})", std::string(s),
                                 std::isfinite(base) ? "below the smallest number" : "infinite"));
  return ParsedQuantity{base, dim};
}

std::string DimensionName(const DimVector& dim) {
  for (const NamedDim& n : kNamedDims)
    if (n.dim == dim) return n.name;
  std::string out;
  auto add = [&](int e, const char* sym) {
    if (e == 0) return;
    if (!out.empty()) out += "*";
    out += sym;
    if (e != 1) out += fmt::format("^{}", e);
  };
  add(dim.bytes, "B");
  add(dim.seconds, "s");
  add(dim.ops, "OP");
  add(dim.watts, "W");
  add(dim.metres, "m");
  return out.empty() ? "plain number" : out;
}

std::string DimensionExample(const DimVector& dim) {
  for (const NamedDim& n : kNamedDims)
    if (n.dim == dim) return n.example;
  return "a quantity of dimension " + DimensionName(dim);
}

Status CheckDimension(const ParsedQuantity& q, const DimVector& want) {
  if (q.dim == want) return OkStatus();
  return MakeError(ErrorCode::kSchema,
                   fmt::format("expected a {} such as {}, got a {}", DimensionName(want),
                               DimensionExample(want), DimensionName(q.dim)));
}

std::string FormatNumber(double v, int significant) {
  if (v == 0.0) return "0";
  if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
  if (magnitude >= 15 || magnitude <= -7) {
    std::string e = fmt::format("{:.{}e}", v, std::max(0, significant - 1));
    return e;
  }
  const int decimals = std::max(0, significant - 1 - magnitude);
  std::string out = fmt::format("{:.{}f}", v, decimals);
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (decimals == 0 && magnitude + 1 > significant) {
    // Round the integer part to `significant` digits: 15831.2 -> 15830.
    const double scale = std::pow(10.0, magnitude + 1 - significant);
    out = fmt::format("{:.0f}", std::round(v / scale) * scale);
  }
  return out;
}

std::string FormatDown(double v, int decimals) {
  if (!std::isfinite(v)) return FormatNumber(v);
  const double scale = std::pow(10.0, decimals);
  // Rounded to a millionth of the last digit first, so 5.92 (5.91999... in binary) stays 5.92.
  const double scaled = std::floor(std::round(v * scale * 1e6) / 1e6);
  return FormatFixed(scaled / scale, decimals);
}

std::string FormatFixed(double v, int decimals, bool thousands) {
  std::string s = fmt::format("{:.{}f}", std::fabs(v), decimals);
  if (thousands) {
    const size_t dot = s.find('.');
    const size_t int_end = dot == std::string::npos ? s.size() : dot;
    std::string grouped;
    grouped.reserve(s.size() + int_end / 3);
    for (size_t i = 0; i < int_end; ++i) {
      if (i > 0 && (int_end - i) % 3 == 0) grouped.push_back(',');
      grouped.push_back(s[i]);
    }
    grouped.append(s, int_end, std::string::npos);
    s = std::move(grouped);
  }
  const bool negative = v < 0 && s.find_first_not_of("0.,") != std::string::npos;
  return negative ? "-" + s : s;
}

std::string FormatQuantity(double base, const DimVector& dim, int significant) {
  struct Pref {
    double f;
    const char* p;
  };
  static constexpr Pref kSi[] = {{1e18, "E"}, {1e15, "P"}, {1e12, "T"}, {1e9, "G"},
                                 {1e6, "M"},  {1e3, "k"},  {1, ""}};
  // Largest prefix that keeps the number >= 1, but never below kSi[min_index].
  auto scaled = [&](const char* unit, std::size_t min_index) {
    const double a = std::fabs(base);
    std::size_t chosen = min_index;
    for (std::size_t i = 0; i < min_index; ++i)
      if (a >= kSi[i].f) {
        chosen = i;
        break;
      }
    return FormatNumber(base / kSi[chosen].f, significant) + " " + kSi[chosen].p + unit;
  };
  if (dim == DimVector{1, 0, 0, 0, 0}) return scaled("B", 6);
  if (dim == DimVector{1, -1, 0, 0, 0}) return scaled("B/s", 3);  // at least GB/s
  if (dim == kOpPerSecond) return scaled("FLOP/s", 2);              // at least TFLOP/s
  if (dim == kOp) return scaled("FLOP", 6);
  if (dim == kWatt) return scaled("W", 6);
  if (dim == kPerSecond) return scaled("Hz", 4);                    // at least MHz
  if (dim == DimVector{0, 0, 0, 0, 2}) return FormatNumber(base * 1e6, significant) + " mm^2";
  if (dim == kSecond) {
    const double a = std::fabs(base);
    if (a >= 1.0 || a == 0.0) return FormatNumber(base, significant) + " s";
    if (a >= 1e-3) return FormatNumber(base * 1e3, significant) + " ms";
    return FormatNumber(base * 1e6, significant) + " us";
  }
  return FormatNumber(base, significant) + " " + DimensionName(dim);
}

}  // namespace ceiling
