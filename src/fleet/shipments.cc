#include "ceiling/fleet/shipments.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <unordered_map>

#include "ceiling/base/toml_reader.h"
#include "ceiling/base/units.h"
#include "row_reader.h"

namespace ceiling::fleet {
namespace {

constexpr std::pair<ShipmentStatus, std::string_view> kStatusNames[] = {
    {ShipmentStatus::kShipped, "shipped"}, {ShipmentStatus::kProduced, "produced"},
    {ShipmentStatus::kOrdered, "ordered"}, {ShipmentStatus::kApproved, "approved"},
    {ShipmentStatus::kPlanned, "planned"}, {ShipmentStatus::kBlocked, "blocked"},
};
constexpr std::pair<FigureKind, std::string_view> kKindNames[] = {
    {FigureKind::kOfficial, "official"},
    {FigureKind::kReported, "reported"},
    {FigureKind::kEstimate, "estimate"},
};

Error SchemaError(std::string message) { return MakeError(ErrorCode::kSchema, std::move(message)); }

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

int ToInt(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

constexpr std::string_view kPeriodForms =
    "a date (2024-06-01), month (2024-06), quarter (2024Q3), year (2024) or FIRST/LAST of two of "
    "those";

constexpr int kFirstYear = 1900, kLastYear = 2200;
// Counts beyond this are typing errors, not fleets (and would overflow the totals' precision).
constexpr double kMaxQuantity = 1e12;
constexpr double kMaxAmount = 1e15;

Result<Period> ParseSpanUnchecked(std::string_view t);

// One end of a period: its first and last day, in years the engine can reason about.
Result<Period> ParseSpan(std::string_view t) {
  ASSIGN_OR_RETURN(Period p, ParseSpanUnchecked(t));
  if (p.first.year < kFirstYear || p.last.year > kLastYear)
    return SchemaError(fmt::format("year out of range {}-{}: \"{}\"", kFirstYear, kLastYear, t));
  return p;
}

Result<Period> ParseSpanUnchecked(std::string_view t) {
  Period p;
  p.text = std::string(t);
  if (t.size() == 4 && AllDigits(t)) {
    const int y = ToInt(t);
    p.first = {y, 1, 1};
    p.last = {y, 12, 31};
    return p;
  }
  if (t.size() == 6 && AllDigits(t.substr(0, 4)) && t[4] == 'Q' && t[5] >= '1' && t[5] <= '4') {
    const int y = ToInt(t.substr(0, 4));
    const int q = t[5] - '0';
    p.first = {y, 3 * q - 2, 1};
    p.last = Date{q == 4 ? y + 1 : y, q == 4 ? 1 : 3 * q + 1, 1}.AddDays(-1);
    return p;
  }
  if (t.size() == 7 && AllDigits(t.substr(0, 4)) && t[4] == '-' && AllDigits(t.substr(5))) {
    const int y = ToInt(t.substr(0, 4));
    const int m = ToInt(t.substr(5));
    if (m < 1 || m > 12) return SchemaError(fmt::format("no such month: \"{}\"", t));
    p.first = {y, m, 1};
    p.last = Date{m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1}.AddDays(-1);
    return p;
  }
  if (t.size() == 10) {
    auto d = ParseDate(t);
    if (!d.ok()) return SchemaError(d.error().message);
    p.first = p.last = *d;
    return p;
  }
  return SchemaError(fmt::format("expected {}, got \"{}\"", kPeriodForms, t));
}

Error RangeError(const internal::RowReader& r, std::string_view key, std::string_view name,
                 double v, double bound, std::string_view rel) {
  return r.ErrorAt(
      key, fmt::format("{} is {} {} = {}", FormatNumber(v, 6), rel, name, FormatNumber(bound, 6)));
}

// Reads NAME, NAME_low and NAME_high as numbers (required: NAME). Bounds default to the value.
Result<std::optional<Range>> ReadRange(const internal::RowReader& r, const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<double> v, r.Number(name));
  ASSIGN_OR_RETURN(std::optional<double> lo, r.Number(name + "_low"));
  ASSIGN_OR_RETURN(std::optional<double> hi, r.Number(name + "_high"));
  if (!v) {
    if (lo) return r.ErrorAt(name + "_low", fmt::format("given without {}", name));
    if (hi) return r.ErrorAt(name + "_high", fmt::format("given without {}", name));
    return std::optional<Range>();
  }
  for (const auto& [x, key] :
       {std::pair{v, name}, std::pair{lo, name + "_low"}, std::pair{hi, name + "_high"}})
    if (x && (!std::isfinite(*x) || *x < 0 || *x > kMaxQuantity))
      return r.ErrorAt(key,
                       fmt::format("must be a number from 0 to 1e12, got {}", FormatNumber(*x, 6)));
  Range out{*v, lo.value_or(*v), hi.value_or(*v)};
  if (out.low > out.value) return RangeError(r, name + "_low", name, out.low, out.value, "above");
  if (out.high < out.value)
    return RangeError(r, name + "_high", name, out.high, out.value, "below");
  return std::optional<Range>(out);
}

// Reads NAME, NAME_low, NAME_high as money in one currency.
Result<std::optional<Price>> ReadMoneyRange(const internal::RowReader& r, const std::string& name) {
  Price p;
  std::optional<double> vals[3];
  const std::string keys[3] = {name, name + "_low", name + "_high"};
  for (int i = 0; i < 3; ++i) {
    ASSIGN_OR_RETURN(std::optional<std::string> s, r.String(keys[i]));
    if (!s) continue;
    auto m = ParseMoney(*s);
    if (!m.ok()) return r.ErrorAt(keys[i], m.error().message);
    if (p.currency.empty()) {
      p.currency = m->currency;
    } else if (m->currency != p.currency) {
      return r.ErrorAt(
          keys[i], fmt::format("currency {} differs from {}'s {}", m->currency, name, p.currency));
    }
    vals[i] = m->amount;
  }
  if (!vals[0]) {
    if (vals[1]) return r.ErrorAt(keys[1], fmt::format("given without {}", name));
    if (vals[2]) return r.ErrorAt(keys[2], fmt::format("given without {}", name));
    return std::optional<Price>();
  }
  p.amount = {*vals[0], vals[1].value_or(*vals[0]), vals[2].value_or(*vals[0])};
  if (p.amount.low > p.amount.value)
    return RangeError(r, keys[1], name, p.amount.low, p.amount.value, "above");
  if (p.amount.high < p.amount.value)
    return RangeError(r, keys[2], name, p.amount.high, p.amount.value, "below");
  return std::optional<Price>(p);
}

// "4,600,000,000" (cents only when there are any).
std::string Amount(double v) { return FormatFixed(v, v == std::floor(v) ? 0 : 2); }

std::string RangeText(const Range& r, const std::string& currency) {
  if (!r.ranged()) return fmt::format("{} {}", Amount(r.value), currency);
  return fmt::format("{} ({} - {}) {}", Amount(r.value), Amount(r.low), Amount(r.high), currency);
}

}  // namespace

std::string_view StatusName(ShipmentStatus s) {
  for (const auto& [k, n] : kStatusNames)
    if (k == s) return n;
  return "?";
}

std::optional<ShipmentStatus> StatusFromName(std::string_view name) {
  for (const auto& [k, n] : kStatusNames)
    if (n == name) return k;
  return std::nullopt;
}

std::string_view FigureKindName(FigureKind k) {
  for (const auto& [f, n] : kKindNames)
    if (f == k) return n;
  return "?";
}

std::optional<FigureKind> FigureKindFromName(std::string_view name) {
  for (const auto& [k, n] : kKindNames)
    if (n == name) return k;
  return std::nullopt;
}

Result<Period> ParsePeriod(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return ParseSpan(text);
  ASSIGN_OR_RETURN(Period a, ParseSpan(text.substr(0, slash)));
  ASSIGN_OR_RETURN(Period b, ParseSpan(text.substr(slash + 1)));
  if (b.last < a.first) return SchemaError(fmt::format("\"{}\" ends before it starts", text));
  return Period{a.first, b.last, std::string(text)};
}

std::string QuarterOf(Date d) { return fmt::format("{}Q{}", d.year, (d.month + 2) / 3); }

Result<Money> ParseMoney(std::string_view text) {
  const std::size_t space = text.rfind(' ');
  const auto example = [&] {
    return fmt::format(
        "expected an amount and an ISO 4217 currency code such as \"12000 USD\", "
        "got \"{}\"",
        text);
  };
  if (space == std::string_view::npos || space == 0) return SchemaError(example());
  std::string_view num = text.substr(0, space);
  while (!num.empty() && num.back() == ' ') num.remove_suffix(1);
  const std::string_view cur = text.substr(space + 1);
  if (cur.size() != 3 ||
      !std::all_of(cur.begin(), cur.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return SchemaError(example());
  const std::string n(num);
  char* end = nullptr;
  const double v = std::strtod(n.c_str(), &end);
  if (n.empty() || end != n.c_str() + n.size() || !std::isfinite(v) ||
      n.find_first_of("xXpP") != std::string::npos)
    return SchemaError(example());
  if (v < 0) return SchemaError(fmt::format("must not be negative, got \"{}\"", text));
  if (v > kMaxAmount) return SchemaError(fmt::format("more than 1e15, got \"{}\"", text));
  return Money{v, std::string(cur)};
}

std::string Shipment::label() const { return id.empty() ? fmt::format("row {}", index + 1) : id; }

const Shipment* ShipmentSet::Find(std::string_view id) const {
  for (const Shipment& s : rows)
    if (!s.id.empty() && s.id == id) return &s;
  return nullptr;
}

Result<Format> FormatOf(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.ends_with(".csv")) return Format::kCsv;
  if (lower.ends_with(".toml")) return Format::kToml;
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("{}: a shipments file must end in .csv or .toml", name));
}

Result<ShipmentSet> ParseShipments(std::string_view text, std::string name) {
  ASSIGN_OR_RETURN(Format f, FormatOf(name));
  return f == Format::kCsv ? ParseShipmentsCsv(text, std::move(name))
                           : ParseShipmentsToml(text, std::move(name));
}

namespace internal {

std::string DidYouMean(std::string_view name, const std::vector<std::string_view>& known) {
  std::string_view best;
  int best_d = 1 << 30;
  for (std::string_view k : known) {
    const int d = EditDistance(name, k);
    if (d < best_d) best_d = d, best = k;
  }
  if (best.empty() || best_d > std::max<int>(2, static_cast<int>(name.size()) / 3)) return "";
  return fmt::format("; did you mean \"{}\"?", best);
}

Result<Shipment> ReadRow(const RowReader& r, bool price_cited) {
  Shipment s;
  ASSIGN_OR_RETURN(std::optional<std::string> id, r.String("id"));
  s.id = id.value_or("");
  if (!s.id.empty() && s.id.find_first_of(" \t,\"") != std::string::npos)
    return r.ErrorAt("id",
                     fmt::format("must not contain spaces, commas or quotes, got \"{}\"", s.id));

  ASSIGN_OR_RETURN(std::optional<Range> quantity, ReadRange(r, "quantity"));
  ASSIGN_OR_RETURN(std::optional<Price> revenue, ReadMoneyRange(r, "revenue"));
  ASSIGN_OR_RETURN(s.unit_price, ReadMoneyRange(r, "unit_price"));
  if (quantity && revenue)
    return r.ErrorAt("revenue",
                     "give quantity or revenue (with unit_price to derive it), not "
                     "both");
  if (!quantity && !revenue)
    return r.ErrorAt("",
                     "missing required field \"quantity\" (or \"revenue\" with "
                     "\"unit_price\")");
  if (s.unit_price && !price_cited)
    return r.ErrorAt("unit_price", "a unit price needs its own source (price_source)");
  if (!s.unit_price && price_cited) return r.ErrorAt("price_source", "given without unit_price");
  if (quantity) {
    s.quantity = *quantity;
  } else {
    if (!s.unit_price)
      return r.ErrorAt("revenue",
                       "units are derived from revenue only with a stated unit price "
                       "(unit_price)");
    if (s.unit_price->currency != revenue->currency)
      return r.ErrorAt("unit_price", fmt::format("currency {} differs from the revenue's {}",
                                                 s.unit_price->currency, revenue->currency));
    const Range& p = s.unit_price->amount;
    if (p.low <= 0)
      return r.ErrorAt(p.value <= 0 ? "unit_price" : "unit_price_low",
                       "must be positive to derive units from revenue");
    s.revenue = revenue->amount;
    s.revenue_currency = revenue->currency;
    s.derived = true;
    s.quantity = {s.revenue->value / p.value, s.revenue->low / p.high, s.revenue->high / p.low};
    s.formula = fmt::format("revenue {} / unit price {}", RangeText(*s.revenue, s.revenue_currency),
                            RangeText(p, s.unit_price->currency));
  }

  ASSIGN_OR_RETURN(std::optional<Period> period, r.PeriodField("date"));
  if (!period) return r.ErrorAt("", "missing required field \"date\"");
  s.period = *period;
  s.period_at = r.Location("date");

  ASSIGN_OR_RETURN(std::optional<std::string> dest, r.String("destination"));
  if (!dest) return r.ErrorAt("", "missing required field \"destination\"");
  s.destination = *dest;
  s.destination_at = r.Location("destination");
  ASSIGN_OR_RETURN(std::optional<std::string> hq, r.String("hq"));
  s.headquarters = hq.value_or("");
  s.headquarters_at = r.Location("hq");
  ASSIGN_OR_RETURN(std::optional<std::string> origin, r.String("origin"));
  s.origin = origin.value_or("");
  ASSIGN_OR_RETURN(std::optional<std::string> buyer, r.String("buyer"));
  s.buyer = buyer.value_or("");

  ASSIGN_OR_RETURN(std::optional<std::string> status, r.String("status"));
  if (status) {
    auto st = StatusFromName(*status);
    if (!st)
      return r.ErrorAt("status", fmt::format("expected shipped, produced, ordered, approved, "
                                             "planned or blocked, got \"{}\"",
                                             *status));
    s.status = *st;
  }
  ASSIGN_OR_RETURN(std::optional<std::string> kind, r.String("kind"));
  if (!kind)
    return r.ErrorAt("",
                     "missing required field \"kind\" (official, reported or "
                     "estimate)");
  auto k = FigureKindFromName(*kind);
  if (!k)
    return r.ErrorAt("kind",
                     fmt::format("expected official, reported or estimate, got \"{}\"", *kind));
  s.kind = *k;
  ASSIGN_OR_RETURN(std::optional<std::string> note, r.String("note"));
  s.note = note.value_or("");
  ASSIGN_OR_RETURN(std::optional<std::string> overlaps, r.String("overlaps"));
  s.overlaps = overlaps.value_or("");
  s.id_at = r.Location("id");
  s.overlaps_at = r.Location("overlaps");
  return s;
}

Status CheckRows(const ShipmentSet& set, bool toml_paths) {
  auto error_at = [&](std::size_t i, std::string_view key, std::string message) {
    const Shipment& s = set.rows[i];
    const Pos p = key == "id" ? s.id_at : key == "overlaps" ? s.overlaps_at : s.chip_at;
    const std::string path = toml_paths ? fmt::format("shipment[{}].{}", i, key) : std::string(key);
    return MakeError(ErrorCode::kSchema, fmt::format("{}: {}", path, message), set.At(p));
  };
  std::unordered_map<std::string_view, std::size_t> ids;
  ids.reserve(set.rows.size());
  for (std::size_t i = 0; i < set.rows.size(); ++i) {
    const Shipment& s = set.rows[i];
    if (s.id.empty()) continue;
    auto [it, fresh] = ids.emplace(s.id, i);
    if (!fresh)
      return error_at(i, "id",
                      fmt::format("\"{}\" is already the id of the row on line {}", s.id,
                                  set.rows[it->second].at.line));
  }
  for (std::size_t i = 0; i < set.rows.size(); ++i) {
    const Shipment& s = set.rows[i];
    if (s.overlaps.empty()) continue;
    const auto it = ids.find(s.overlaps);
    if (it == ids.end()) {
      std::vector<std::string_view> known;
      for (const auto& [k, v] : ids) known.push_back(k);
      std::sort(known.begin(), known.end());
      return error_at(
          i, "overlaps",
          fmt::format("no row has the id \"{}\"{}", s.overlaps, DidYouMean(s.overlaps, known)));
    }
    if (it->second == i) return error_at(i, "overlaps", "a row cannot overlap itself");
    if (!set.rows[it->second].overlaps.empty())
      return error_at(i, "overlaps",
                      fmt::format("\"{}\" itself overlaps \"{}\": name the row that is counted",
                                  s.overlaps, set.rows[it->second].overlaps));
  }
  std::map<std::string, std::size_t> inline_ids;
  for (std::size_t i = 0; i < set.rows.size(); ++i) {
    const Shipment& s = set.rows[i];
    if (!s.inline_chip) continue;
    auto [it, fresh] = inline_ids.emplace(s.chip, i);
    if (!fresh)
      return error_at(
          i, "chip",
          fmt::format("chip \"{}\" is already defined inline on line {}; refer to it by "
                      "its id",
                      s.chip, set.rows[it->second].chip_at.line));
  }
  return OkStatus();
}

}  // namespace internal
}  // namespace ceiling::fleet
