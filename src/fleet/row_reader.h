// Private: the field access both shipment parsers share, so that a row means the same thing
// whether it was written as a CSV line or a TOML table.
#ifndef CEILING_SRC_FLEET_ROW_READER_H_
#define CEILING_SRC_FLEET_ROW_READER_H_

#include <optional>
#include <string>
#include <string_view>

#include "ceiling/base/result.h"
#include "ceiling/fleet/shipments.h"

namespace ceiling::fleet::internal {

// One row's fields by name. Absent fields (an empty CSV cell, a missing TOML key) read as
// nullopt; present fields of the wrong type are errors at the field.
class RowReader {
 public:
  virtual ~RowReader() = default;
  virtual bool Has(std::string_view key) const = 0;
  virtual Result<std::optional<std::string>> String(std::string_view key) const = 0;
  virtual Result<std::optional<double>> Number(std::string_view key) const = 0;
  // A period, written as text (or, in TOML, a date value).
  virtual Result<std::optional<Period>> PeriodField(std::string_view key) const = 0;
  // Where the field is (where the row is when the key is absent).
  virtual Pos Location(std::string_view key) const = 0;
  // "file:line:col: <field>: message" at the field (at the row when the key is absent).
  virtual Error ErrorAt(std::string_view key, std::string_view message) const = 0;
};

// Reads every field except the chip (the caller sets chip and chip_location) and the sources
// (format-specific): quantity or revenue with unit price, ranges, period, places, status, kind,
// note, overlaps. `price_cited` says whether the row cites a source for its price.
Result<Shipment> ReadRow(const RowReader& r, bool price_cited);

// Checks across rows: unique ids, `overlaps` naming another row that is itself counted, inline
// chips not redefined. Errors at the offending row's field, named "shipment[i].key" when
// `toml_paths` (as the TOML reader names keys) and "key" otherwise.
Status CheckRows(const ShipmentSet& set, bool toml_paths);

// Edit-distance suggestions for an unknown name among `known` ("; did you mean \"x\"?" or "").
std::string DidYouMean(std::string_view name, const std::vector<std::string_view>& known);

}  // namespace ceiling::fleet::internal

#endif  // CEILING_SRC_FLEET_ROW_READER_H_
