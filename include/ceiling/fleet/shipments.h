// Shipment files: cited figures of AI chips shipped, produced, ordered or approved, read from text.
//
// A shipments file is CSV or TOML (docs/data-format.md, "Shipment files"). Each row names a chip
// (a catalog id, or in TOML an inline chip table), a quantity (or a revenue amount and a unit
// price to derive it from), a date or period, a destination, optionally the end user's
// headquarters, the buyer and a unit price, what the row records (status), how firm the figure
// is (kind) and its source. Where sources disagree a row carries low/high bounds.
//
//   ASSIGN_OR_RETURN(ShipmentSet set, ParseShipments(text, "data/fleets/china-2022-2026.toml"));
//   for (const Shipment& s : set.rows)
//     fmt::print("{} {} x {} ({})\n", s.period.text, s.quantity.value, s.chip, s.label());
//   // "2024 1000000 x nvidia-h20 (h20-2024)"
//
// Periods: "2024-06-01" (a day), "2024-06" (a month), "2024Q3" (a quarter), "2024" (a year), or
// "FIRST/LAST" of any two of those ("2025-01-27/2025-04-27", a fiscal quarter). A row's units are
// taken to ship evenly over its period; that is how periods split across quarters and rule
// changes.
//
// Derived quantities: a row may give `revenue` and `unit_price` instead of `quantity`; the
// quantity is then revenue / price, its low bound revenue_low / price_high and its high bound
// revenue_high / price_low, and the row is marked derived with the formula in words. The price
// must cite its own source (`price_source`).
//
// Parsing is strict: unknown columns or keys, missing required fields, malformed numbers, dates,
// money or enums, low > value > high, duplicate ids and dangling `overlaps` are errors at
// file:line:col (kParse for broken CSV/TOML syntax, kSchema otherwise). Chip ids and country codes
// are checked later, against the knowledge base (fleet.h), at the same locations.
// Thread safety: plain values.
#ifndef CEILING_FLEET_SHIPMENTS_H_
#define CEILING_FLEET_SHIPMENTS_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceiling/base/date.h"
#include "ceiling/base/result.h"
#include "ceiling/catalog/chip.h"

namespace ceiling::fleet {

// What a row records.
enum class ShipmentStatus {
  kShipped,   // delivered or sold (revenue recognised)
  kProduced,  // made by a domestic producer for the domestic market (Huawei Ascend output)
  kOrdered,   // orders placed; delivery not confirmed
  kApproved,  // import or export approvals; purchases not confirmed
  kPlanned,   // production or delivery plans
  kBlocked,   // shipments a seller reported it could not make
};
inline constexpr std::size_t kStatusCount = 6;
std::string_view StatusName(ShipmentStatus s);  // "shipped", ...
std::optional<ShipmentStatus> StatusFromName(std::string_view name);

// How firm a figure is.
enum class FigureKind {
  kOfficial,  // a company filing or a government statement
  kReported,  // press reports citing people familiar with the matter
  kEstimate,  // an analyst's or a government's estimate or forecast
};
std::string_view FigureKindName(FigureKind k);  // "official", "reported", "estimate"
std::optional<FigureKind> FigureKindFromName(std::string_view name);

// A calendar span, both ends inclusive.
struct Period {
  Date first, last;
  std::string text;  // as written: "2024Q3"

  long Days() const { return last.DaysSinceEpoch() - first.DaysSinceEpoch() + 1; }
};
// Parses the period forms above. Errors (kSchema, no location): anything else, impossible
// dates, a range whose end comes before its start.
Result<Period> ParsePeriod(std::string_view text);
// "2024Q3" for the quarter containing `d`.
std::string QuarterOf(Date d);

// A figure with optional bounds; low <= value <= high (all equal when no range is given).
struct Range {
  double value = 0, low = 0, high = 0;
  bool ranged() const { return low != value || high != value; }
};

// An amount of money: "12000 USD", "1.4e6 CNY" (a number, a space, an ISO 4217 code).
struct Money {
  double amount = 0;
  std::string currency;
};
// Errors (kSchema, no location): no number, a negative or non-finite amount, a missing or
// malformed currency code.
Result<Money> ParseMoney(std::string_view text);

struct Price {
  Range amount;  // per unit
  std::string currency;
};

// A line and column in the shipments file (the file's name is ShipmentSet::name); kept small
// because a set may hold millions of rows.
struct Pos {
  int line = 0, column = 0;
};

struct Shipment {
  std::string id;  // as written; may be empty
  int index = 0;   // 0-based row number in the file
  Pos at;          // the row (CSV line, TOML [[shipment]] header)
  Pos id_at, overlaps_at;

  std::string chip;  // catalog id, or the id of the inline chip
  Pos chip_at;
  std::shared_ptr<const catalog::Chip> inline_chip;  // TOML only

  Range quantity;
  bool derived = false;  // quantity = revenue / unit price
  std::string formula;   // how it was derived, in words
  std::optional<Range> revenue;
  std::string revenue_currency;
  std::optional<Price> unit_price;

  Period period;
  Pos period_at;
  std::string destination;  // ISO 3166 alpha-2 code as written
  Pos destination_at;
  std::string headquarters;  // "" = the destination
  Pos headquarters_at;
  std::string origin;  // where the chip ships from; "" = not recorded (an export)
  std::string buyer;   // "" = not reported
  ShipmentStatus status = ShipmentStatus::kShipped;
  FigureKind kind = FigureKind::kReported;
  std::vector<std::string> sources;        // keys into ShipmentSet::sources
  std::vector<std::string> price_sources;  // keys, when a unit price is given
  std::string note;
  std::string overlaps;  // id of a row this one restates (kept out of totals)

  // The id, or "row N" (1-based) when the row has none.
  std::string label() const;
  // Whether the chip is made where it goes (no export, so US rules are not applied).
  bool domestic() const { return !origin.empty() && origin == destination; }
};

struct ShipmentSet {
  std::string name;  // the file name diagnostics use
  std::string title, description;
  std::vector<Shipment> rows;
  std::map<std::string, catalog::Source> sources;  // by key

  const Shipment* Find(std::string_view id) const;
  SourceLocation At(Pos p) const { return SourceLocation{name, p.line, p.column}; }
};

// The format by the name's extension: ".csv" or ".toml" (case-insensitive). Errors
// (kInvalidArgument): any other extension.
enum class Format { kCsv, kToml };
Result<Format> FormatOf(std::string_view name);

// Parses text held in memory; `name` stands for the file in diagnostics.
Result<ShipmentSet> ParseShipmentsCsv(std::string_view text, std::string name);
Result<ShipmentSet> ParseShipmentsToml(std::string_view text, std::string name);
Result<ShipmentSet> ParseShipments(std::string_view text, std::string name);

}  // namespace ceiling::fleet

#endif  // CEILING_FLEET_SHIPMENTS_H_
