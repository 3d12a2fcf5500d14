// Unit strings: the one parser and formatter for quantities written as text.
//
// Data files and the command line write quantities as strings with units, never bare numbers:
//
//   ASSIGN_OR_RETURN(BytesPerSecond bw, ParseQuantityAs<BytesPerSecond>("3.35 TB/s"));
//   FormatQuantity(bw)                      // "3.35 TB/s"
//   ParseQuantity("96 GiB")->base           // 103079215104 (bytes)
//
// Grammar: a decimal number (optionally with exponent), optional spaces, then a unit made of
// terms joined by '/' (each term: optional prefix, symbol, optional ^N). Symbols: B (byte),
// b (bit), FLOP, OP (one operation), FLOPS/OPS (per second), W, s, min, h, Hz, m (metre).
// Prefixes: SI (k M G T P E, m u µ n p) and, for B/b only, IEC (Ki Mi Gi Ti Pi Ei).
//
// Errors (code kParse or kSchema, message without a file location; callers that read files add
// the location): empty text, no number, missing unit, unknown unit, wrong dimension for
// ParseQuantityAs ("expected a bandwidth such as \"3.35 TB/s\", got a data size").
#ifndef CEILING_BASE_UNITS_H_
#define CEILING_BASE_UNITS_H_

#include <string>
#include <string_view>

#include "ceiling/base/quantity.h"
#include "ceiling/base/result.h"

namespace ceiling {

// A dimension known only at run time (exponents as in Dim<>).
struct DimVector {
  int bytes = 0, seconds = 0, ops = 0, watts = 0, metres = 0;
  bool operator==(const DimVector&) const = default;

  template <typename D>
  static constexpr DimVector Of() {
    return {D::kBytes, D::kSeconds, D::kOps, D::kWatts, D::kMetres};
  }
};

struct ParsedQuantity {
  double base = 0.0;  // value in SI base units
  DimVector dim;
};

// Parses "3.35 TB/s", "96 GiB", "814 mm^2", "1.98 GHz", "989.4 TFLOP/s", "400 W", "400 Gb/s".
Result<ParsedQuantity> ParseQuantity(std::string_view text);

// A human name for a dimension ("bandwidth", "data size", "compute rate", ...) or, for
// unnamed ones, its unit formula ("B*s").
std::string DimensionName(const DimVector& dim);
// An example quantity string for a dimension, for diagnostics: "\"3.35 TB/s\"".
std::string DimensionExample(const DimVector& dim);

Status CheckDimension(const ParsedQuantity& q, const DimVector& want);

template <typename Q>
Result<Q> ParseQuantityAs(std::string_view text) {
  ASSIGN_OR_RETURN(ParsedQuantity q, ParseQuantity(text));
  RETURN_IF_ERROR(CheckDimension(q, DimVector::Of<typename Q::Dimension>()));
  return Q::FromBase(q.base);
}

// Formats with the unit people use for that dimension and an SI prefix that keeps the number
// between 1 and 1000 (bandwidth in GB/s or TB/s, area always in mm^2, compute in TFLOP/s...).
// `significant` digits, trailing zeros trimmed: FormatQuantity(BytesPerSecond::FromTera(3.35))
// == "3.35 TB/s".
std::string FormatQuantity(double base, const DimVector& dim, int significant = 4);
template <typename D>
std::string FormatQuantity(Quantity<D> q, int significant = 4) {
  return FormatQuantity(q.base(), DimVector::Of<D>(), significant);
}

// Formats a plain number with `significant` significant digits, trailing zeros trimmed, no
// exponent for ordinary magnitudes: 15831.2 -> "15830" (4 digits) or "15831.2" (6).
std::string FormatNumber(double v, int significant = 4);
// Fixed decimals with thousands separators for tables: FormatFixed(15831.2, 0) == "15,831".
std::string FormatFixed(double v, int decimals, bool thousands = true);
// Fixed decimals with thousands separators, rounded down: a metric printed beside an "or more"
// threshold (TPP 4,799.7 against 4,800, PD 5.918 against 5.92) never reads as the threshold it
// is under. FormatDown(4799.7) == "4,799", FormatDown(5.918, 2) == "5.91".
std::string FormatDown(double v, int decimals = 0);

}  // namespace ceiling

#endif  // CEILING_BASE_UNITS_H_
