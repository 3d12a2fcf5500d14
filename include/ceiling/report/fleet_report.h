// Rendering fleet results: text tables, JSON, CSV and the cumulative H100-equivalents chart.
//
//   ASSIGN_OR_RETURN(fleet::FleetResult r, fleet::RunFleet(kb, req));
//   std::string text = FleetText(r);                 // rows, totals, groups, shares, what-if
//   nlohmann::json j = FleetJson(r);                 // everything, machine-readable
//   std::string csv = FleetCsv(r);                   // one line per shipment row
//   std::string svg = FleetChartSvg(r, fleet::CumulativeSeries(r, fleet::Yardstick::kTpp));
//
// JSON field names are an interface: `file`, `title`, `reference` (a chip entry), `workloads`,
// `count`, `view`, `chips` (per-unit values by measure name, `missing` reasons), `rows` (quantity, period,
// `classification` segments, `what_if` segments and fractions, `revenue_share`, `values`),
// `totals`, `by_quarter`, `by_vendor`, `by_chip`, `by_buyer`, `by_family`, `by_license`,
// `revenue_share`, `what_if`, `time_to_train`, `notes`. A total is {"value", "low", "high"} per
// measure (MeasureName) plus `unknown_units`. Unknown values are null, never 0. CSV columns:
// see FleetCsv. Output is deterministic.
#ifndef CEILING_REPORT_FLEET_REPORT_H_
#define CEILING_REPORT_FLEET_REPORT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "ceiling/fleet/fleet.h"

namespace ceiling::report {

std::string FleetText(const fleet::FleetResult& r);
nlohmann::json FleetJson(const fleet::FleetResult& r);
// One line per row: identity, period, status, counted, quantity bounds, the license over the
// period, the revenue share owed, every measure's value with bounds (empty when unknown), and
// the what-if fractions.
std::string FleetCsv(const fleet::FleetResult& r);
// Stacked areas of cumulative H100-equivalents by chip family over time, the total line, and the
// what-if line (dashed) when the result has one. Self-contained SVG 1.1.
std::string FleetChartSvg(const fleet::FleetResult& r, const fleet::ChartSeries& s);
// The chart's data: {"yardstick", "title", "y_label", "dates", "families": [{"family",
// "values"}] (cumulative, one value per date, piecewise linear between dates), "what_if" (one
// value per date, or null), "unknown_units"} — what FleetChartSvg draws, for other renderers.
nlohmann::json FleetChartJson(const fleet::FleetResult& r, const fleet::ChartSeries& s);

}  // namespace ceiling::report

#endif  // CEILING_REPORT_FLEET_REPORT_H_
