#include "ceiling/report/fleet_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ceiling/base/units.h"
#include "ceiling/report/rules_report.h"
#include "ceiling/report/table.h"

namespace ceiling::report {
namespace {

using fleet::ChipInfo;
using fleet::FleetResult;
using fleet::Group;
using fleet::License;
using fleet::Measure;
using fleet::Range;
using fleet::RowResult;
using fleet::Segment;
using fleet::Totals;

constexpr Measure kAllMeasures[] = {Measure::kUnits,      Measure::kTpp,       Measure::kMemory,
                                    Measure::kBandwidth,  Measure::kPower,     Measure::kH100Tpp,
                                    Measure::kH100Decode, Measure::kH100Train, Measure::kTrainRate};

int Decimals(Measure m) { return m == Measure::kPower ? 2 : 0; }

std::string Num(double v, Measure m) { return FormatFixed(v, Decimals(m)); }

std::string RangeText(const Range& r, Measure m) {
  if (!r.ranged()) return Num(r.value, m);
  return fmt::format("{} ({} - {})", Num(r.value, m), Num(r.low, m), Num(r.high, m));
}

std::string Money(double v) { return FormatFixed(v, 0); }

std::string MoneyRange(const Range& r, const std::string& cur) {
  if (!r.ranged()) return fmt::format("{} {}", Money(r.value), cur);
  return fmt::format("{} ({} - {}) {}", Money(r.value), Money(r.low), Money(r.high), cur);
}

std::string Pct(double f) { return FormatNumber(100 * f, 3) + "%"; }

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string SegmentLine(const Segment& s) {
  if (s.c == nullptr) return "made where it is used: not an export, US rules not applied";
  std::string line = StatusLine(*s.c);
  std::vector<std::string> measures;
  for (const rules::Clause* m : s.c->measures) measures.push_back(m->full_id);
  if (!measures.empty()) line += " [" + Join(measures, ", ") + "]";
  return line;
}

// "no", "yes", "no -> yes (from 2025-04-09, 19%)".
std::string LicenseSummary(const std::vector<Segment>& segs) {
  if (segs.empty()) return "";
  std::string out(fleet::LicenseName(fleet::LicenseOf(segs.front())));
  for (std::size_t i = 1; i < segs.size(); ++i) {
    const std::string next(fleet::LicenseName(fleet::LicenseOf(segs[i])));
    if (next == fleet::LicenseName(fleet::LicenseOf(segs[i - 1]))) continue;
    out += fmt::format(" -> {} from {}", next, segs[i].first.ToString());
  }
  // The JSON keeps the token; a person reads words.
  for (std::size_t at; (at = out.find("not-an-export")) != std::string::npos;)
    out.replace(at, 13, "not an export");
  return out;
}

std::string ReviewOf(const Segment& s) {
  if (s.c == nullptr || s.c->review_policy == rules::ReviewPolicy::kNone) return "";
  return std::string(rules::ReviewPolicyTitle(s.c->review_policy));
}

std::string SourceLine(const Source& s) {
  std::string out = s.title;
  if (!s.url.empty() && s.url != s.title) out += " <" + s.url + ">";
  out += fmt::format(" ({}", SourceKindName(s.kind));
  if (s.read.year > 1970) out += ", read " + s.read.ToString();
  return out + ")";
}

std::string PerUnit(const ChipInfo& c, Measure m, int significant) {
  const auto& v = c.per_unit[fleet::Index(m)];
  return v ? FormatNumber(*v, significant) : "?";
}

// A total in a table: "?" when no unit of it has the metric, "+?" appended when some lack it.
std::string TotalCell(const Totals& t, Measure m, double scale = 1,
                      Measure format = Measure::kUnits) {
  const Range& r = t.sum[fleet::Index(m)];
  const double unknown = t.unknown_units[fleet::Index(m)];
  const double units = t.sum[fleet::Index(Measure::kUnits)].value;
  if (unknown > 0 && unknown >= units * (1 - 1e-9)) return "?";
  std::string text = RangeText(Range{r.value * scale, r.low * scale, r.high * scale}, format);
  if (unknown > 0.5) text += " +?";
  return text;
}

// Group table: key, rows, units, TPP, H100-eq by the three yardsticks, MW.
std::string GroupTable(const std::string& title, const std::vector<Group>& groups) {
  Table t({{title},
           {"rows", Align::kRight},
           {"units", Align::kRight},
           {"TPP (millions)", Align::kRight},
           {"H100-eq TPP", Align::kRight},
           {"H100-eq decode", Align::kRight},
           {"H100-eq train", Align::kRight},
           {"MW at TDP", Align::kRight}});
  for (const Group& g : groups) {
    const Totals& tot = g.totals;
    t.AddRow({g.key, std::to_string(tot.rows), TotalCell(tot, Measure::kUnits),
              TotalCell(tot, Measure::kTpp, 1e-6), TotalCell(tot, Measure::kH100Tpp),
              TotalCell(tot, Measure::kH100Decode), TotalCell(tot, Measure::kH100Train),
              TotalCell(tot, Measure::kPower, 1, Measure::kPower)});
  }
  return t.RenderText();
}

std::string TotalsTable(const Totals& t) {
  Table tab({{"measure"},
             {"value", Align::kRight},
             {"low", Align::kRight},
             {"high", Align::kRight},
             {"units without it", Align::kRight}});
  const double units = t.sum[fleet::Index(Measure::kUnits)].value;
  for (Measure m : kAllMeasures) {
    const Range& r = t.sum[fleet::Index(m)];
    const double unknown = t.unknown_units[fleet::Index(m)];
    // No unit has the metric: the sum is not 0, it is not known (as TotalCell says).
    if (unknown > 0 && unknown >= units * (1 - 1e-9)) {
      tab.AddRow({std::string(fleet::MeasureTitle(m)), "?", "?", "?", FormatFixed(unknown, 0)});
      continue;
    }
    tab.AddRow({std::string(fleet::MeasureTitle(m)), Num(r.value, m), Num(r.low, m), Num(r.high, m),
                unknown > 0 ? FormatFixed(unknown, 0) : ""});
  }
  return tab.RenderText();
}

nlohmann::json RangeJson(const Range& r) {
  return {{"value", r.value}, {"low", r.low}, {"high", r.high}};
}

nlohmann::json TotalsJson(const Totals& t) {
  nlohmann::json j;
  j["rows"] = t.rows;
  for (Measure m : kAllMeasures) {
    nlohmann::json v = RangeJson(t.sum[fleet::Index(m)]);
    v["unknown_units"] = t.unknown_units[fleet::Index(m)];
    j[std::string(fleet::MeasureName(m))] = v;
  }
  return j;
}

nlohmann::json GroupsJson(const std::vector<Group>& groups) {
  nlohmann::json a = nlohmann::json::array();
  for (const Group& g : groups) a.push_back({{"key", g.key}, {"totals", TotalsJson(g.totals)}});
  return a;
}

nlohmann::json SegmentsJson(const std::vector<Segment>& segs) {
  nlohmann::json a = nlohmann::json::array();
  for (const Segment& s : segs) {
    nlohmann::json j = {{"first", s.first.ToString()},
                        {"last", s.last.ToString()},
                        {"fraction", s.fraction},
                        {"license", fleet::LicenseName(fleet::LicenseOf(s))}};
    if (s.c != nullptr) {
      j["status"] = StatusLine(*s.c);
      nlohmann::json controls = nlohmann::json::array();
      for (const rules::Clause* c : s.c->controls) controls.push_back(c->full_id);
      j["controls"] = controls;
      nlohmann::json exceptions = nlohmann::json::array();
      for (const rules::ExceptionHit& e : s.c->exceptions)
        exceptions.push_back(
            {{"exception", e.clause->exception},
             {"eligible", e.eligible.tri == rules::Tri::kTrue ? "yes" : "cannot-decide"}});
      j["exceptions"] = exceptions;
      j["review_policy"] = rules::ReviewPolicyName(s.c->review_policy);
      nlohmann::json measures = nlohmann::json::array();
      for (const rules::Clause* m : s.c->measures) measures.push_back(m->full_id);
      j["measures"] = measures;
    } else {
      j["status"] = "not an export";
    }
    a.push_back(j);
  }
  return a;
}

nlohmann::json OptionalJson(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

std::string FleetText(const FleetResult& r) {
  std::string out;
  const fleet::ShipmentSet& set = r.set;
  int counted = 0, restating = 0;
  for (const RowResult& row : r.rows) {
    counted += row.counted ? 1 : 0;
    restating += row.shipment->overlaps.empty() ? 0 : 1;
  }
  std::vector<std::string> statuses;
  for (fleet::ShipmentStatus s : r.count) statuses.push_back(std::string(fleet::StatusName(s)));
  out +=
      fmt::format("Fleet: {}\n", set.title.empty() ? set.name : set.title + " (" + set.name + ")");
  out += fmt::format("  {} rows; {} counted in totals (status {}){}\n", r.rows.size(), counted,
                     Join(statuses, ", "),
                     restating ? fmt::format("; {} restate other rows", restating) : "");
  out += fmt::format("  rules: {} view; a row's units ship evenly over its period\n",
                     rules::ViewName(r.view));
  // The yardsticks.
  {
    const ChipInfo& ri = r.reference_info;
    std::vector<std::string> parts;
    if (ri.per_unit[fleet::Index(Measure::kTpp)])
      parts.push_back("TPP " + FormatFixed(*ri.per_unit[fleet::Index(Measure::kTpp)], 1));
    if (ri.decode_tps) parts.push_back(FormatFixed(*ri.decode_tps, 0) + " output tokens/s per GPU");
    if (ri.train_tps)
      parts.push_back(FormatFixed(*ri.train_tps, 0) + " training tokens/s per GPU" +
                      (ri.mfu ? " at MFU " + Pct(*ri.mfu) : ""));
    out += fmt::format("  one H100-equivalent = one {}{}: {}\n", r.reference,
                       ri.chip == nullptr ? "" : fmt::format(" ({})", ri.chip->name),
                       Join(parts, ", "));
  }
  if (!r.decode_workload.empty()) {
    out += "  decode yardstick: " + r.decode_workload + "\n";
    out += "  training yardstick: " + r.training_workload + "\n";
  }
  out = WrapReport(out) + "\n";

  // Rows: wider than 100 columns, so in three blocks that repeat the row's number and id: what
  // the row is, how many units it counts, under which license.
  Table rows({{"#", Align::kRight},
              {"id"},
              {"date"},
              {"chip"},
              {"status"},
              {"kind"},
              {.header = "units", .align = Align::kRight, .group = true},
              {"in totals"},
              {.header = "license", .group = true},
              {"H100-eq TPP", Align::kRight}});
  rows.SetKeyColumns(2);
  for (const RowResult& row : r.rows) {
    const fleet::Shipment& s = *row.shipment;
    const auto h = fleet::RowValue(r, row, Measure::kH100Tpp);
    rows.AddRow({std::to_string(s.index + 1), s.id, s.period.text, s.chip,
                 std::string(fleet::StatusName(s.status)),
                 std::string(fleet::FigureKindName(s.kind)),
                 RangeText(s.quantity, Measure::kUnits) + (s.derived ? " d" : ""),
                 row.counted ? "yes" : "no: " + row.not_counted, LicenseSummary(row.base),
                 h ? RangeText(*h, Measure::kH100Tpp) : "?"});
  }
  out += "Rows (units: value (low - high); d = derived from revenue / unit price)\n";
  out += rows.RenderText() + "\n";

  // Classification of each row over its period, with revenue shares (prose, wrapped).
  const std::size_t status_start = out.size();
  out += "License status of each row over its period\n";
  for (const RowResult& row : r.rows) {
    const fleet::Shipment& s = *row.shipment;
    out += fmt::format("  {}: {} {} to {}, end user headquartered in {}{}\n", s.label(),
                       RangeText(s.quantity, Measure::kUnits), s.chip, s.destination,
                       s.headquarters.empty() ? s.destination : s.headquarters,
                       s.buyer.empty() ? "" : "; buyer " + s.buyer);
    for (const Segment& seg : row.base) {
      const std::string span = seg.first == seg.last ? seg.first.ToString()
                                                     : fmt::format("{} .. {}", seg.first.ToString(),
                                                                   seg.last.ToString());
      out +=
          fmt::format("      {}{}: {}\n", span,
                      row.base.size() > 1 ? " (" + Pct(seg.fraction) + ")" : "", SegmentLine(seg));
    }
    for (const fleet::ShareOwed& o : row.shares) {
      out +=
          fmt::format("      revenue share {}% under {}{}: {}\n", FormatNumber(100 * o.share, 3),
                      o.measure->full_id,
                      o.fraction < 1 - 1e-9 ? " for " + Pct(o.fraction) + " of the period" : "",
                      o.owed ? MoneyRange(*o.owed, o.currency) + (row.counted ? "" : " if shipped")
                             : "no unit price or revenue: amount not computed");
    }
    if (s.derived) out += "      units derived: " + s.formula + "\n";
  }
  out = out.substr(0, status_start) + WrapReport(out.substr(status_start)) + "\n";

  // Totals.
  out += fmt::format("Totals over the {} counted rows\n", counted);
  out += TotalsTable(r.total) + "\n";
  out += "By quarter (a row spread evenly over its period; +? = some units lack the metric)\n";
  out += GroupTable("quarter", r.by_quarter) + "\n";
  out += "By chip\n" + GroupTable("chip", r.by_chip) + "\n";
  out += "By vendor\n" + GroupTable("vendor", r.by_vendor) + "\n";
  out += "By buyer\n" + GroupTable("buyer", r.by_buyer) + "\n";
  std::vector<Group> by_license = r.by_license;
  for (Group& g : by_license)
    if (g.key == "not-an-export") g.key = "not an export";
  out += "By license status on the day of shipment\n" + GroupTable("license required", by_license) +
         "\n";

  // Revenue shares.
  out += "Revenue share owed under product-specific measures (counted rows)\n";
  if (r.shares.empty()) {
    out += "  none: no counted row falls under a measure that sets a revenue share\n";
  } else {
    Table t({{"measure"},
             {"share", Align::kRight},
             {"rows", Align::kRight},
             {"units", Align::kRight},
             {"owed"},
             {"rows without a price", Align::kRight}});
    for (const fleet::ShareTotal& s : r.shares)
      t.AddRow({s.measure->full_id,
                FormatNumber(100 * s.measure->revenue_share.value_or(0), 3) + "%",
                std::to_string(s.rows), FormatFixed(s.units, 0),
                s.currency.empty() ? (s.rows_without_price == s.rows ? "" : "0")
                                   : MoneyRange(s.owed, s.currency),
                std::to_string(s.rows_without_price)});
    out += t.RenderText();
  }
  out += "\n";

  // The what-if.
  if (r.what_if) {
    const fleet::WhatIf& w = *r.what_if;
    out += "What-if: " + w.description + "\n";
    Table t({{"rows"},
             {"units", Align::kRight},
             {"H100-eq TPP", Align::kRight},
             {"H100-eq decode", Align::kRight},
             {"H100-eq train", Align::kRight},
             {"training PFLOP/s", Align::kRight}});
    auto add = [&](const std::string& label, const Totals& tot) {
      t.AddRow({label, TotalCell(tot, Measure::kUnits), TotalCell(tot, Measure::kH100Tpp),
                TotalCell(tot, Measure::kH100Decode), TotalCell(tot, Measure::kH100Train),
                TotalCell(tot, Measure::kTrainRate)});
    };
    add("would have needed a license", w.needs_license);
    add("  of which presumption of denial", w.denial);
    add("needed one, would not have", w.freed);
    add("alternative cannot decide", w.undecided);
    out += t.RenderText();
    std::vector<std::string> newly, denied;
    for (const RowResult& row : r.rows) {
      if (row.newly_licensed > 0)
        newly.push_back(
            fmt::format("{}{}{}", row.shipment->label(),
                        row.newly_licensed < 1 - 1e-9 ? " (" + Pct(row.newly_licensed) + ")" : "",
                        row.counted ? "" : " [not counted]"));
      if (row.denied > 0) denied.push_back(row.shipment->label());
    }
    out +=
        "  rows that would have needed a license: " + (newly.empty() ? "none" : Join(newly, ", ")) +
        "\n";
    out +=
        "  rows facing a presumption of denial: " + (denied.empty() ? "none" : Join(denied, ", ")) +
        "\n";
    if (!newly.empty()) {
      // Review policies of the alternative where it newly requires a license.
      std::vector<std::string> policies;
      for (const RowResult& row : r.rows)
        for (rules::ReviewPolicy p : row.newly_policies) {
          const std::string title(rules::ReviewPolicyTitle(p));
          if (std::find(policies.begin(), policies.end(), title) == policies.end())
            policies.push_back(title);
        }
      out +=
          "  review policy where a license would newly be needed: " + Join(policies, ", ") + "\n";
    }
    out += "\n";
  }

  // Time to train.
  if (r.time_to_train) {
    const fleet::TimeToTrain& t = *r.time_to_train;
    out += "Time to train " + t.run + " on the counted fleet at the modelled MFU\n";
    out += fmt::format("  effective rate: {} PFLOP/s\n", RangeText(t.pflops, Measure::kTrainRate));
    if (t.days) {
      out +=
          fmt::format("  time: {} days{}\n",
                      t.days->ranged()
                          ? fmt::format("{} ({} - {})", FormatNumber(t.days->value, 3),
                                        FormatNumber(t.days->low, 3), FormatNumber(t.days->high, 3))
                          : FormatNumber(t.days->value, 3),
                      " (all chips training together at their own MFU; no scale-out losses)");
    } else {
      out += "  time: not computed (no counted chip has a modelled training rate)\n";
    }
    if (t.unknown_units > 0)
      out += fmt::format("  {} counted units left out: their training rate is unknown\n",
                         FormatFixed(t.unknown_units, 0));
    out += "\n";
  }

  // Chips and their per-unit values.
  out += "Chips (per unit)\n";
  Table chips({{"chip"},
               {"family"},
               {"TPP", Align::kRight},
               {"GB", Align::kRight},
               {"GB/s", Align::kRight},
               {"W", Align::kRight},
               {"decode tok/s/GPU", Align::kRight},
               {"train tok/s/GPU", Align::kRight},
               {"MFU", Align::kRight},
               {"H100-eq TPP/decode/train"}});
  for (const ChipInfo& c : r.chips) {
    const auto& w = c.per_unit[fleet::Index(Measure::kPower)];
    chips.AddRow(
        {c.chip->id, c.chip->family, PerUnit(c, Measure::kTpp, 5), PerUnit(c, Measure::kMemory, 4),
         PerUnit(c, Measure::kBandwidth, 4), w ? FormatNumber(*w * 1e6, 4) : "?",
         c.decode_tps ? FormatNumber(*c.decode_tps, 4) : "?",
         c.train_tps ? FormatNumber(*c.train_tps, 4) : "?", c.mfu ? Pct(*c.mfu) : "?",
         fmt::format("{} / {} / {}", PerUnit(c, Measure::kH100Tpp, 3),
                     PerUnit(c, Measure::kH100Decode, 3), PerUnit(c, Measure::kH100Train, 3))});
  }
  out += chips.RenderText();
  std::vector<std::string> unknown;
  for (const ChipInfo& c : r.chips)
    for (Measure m : kAllMeasures) {
      const std::string& why = c.missing[fleet::Index(m)];
      if (!why.empty() && m != Measure::kH100Tpp && m != Measure::kTrainRate &&
          why != "throughput yardsticks not evaluated")
        unknown.push_back(fmt::format("  {} {}: {}", c.chip->id, fleet::MeasureTitle(m), why));
    }
  if (!unknown.empty())
    out += "Unknown per-unit values (rows with these chips add nothing to that measure):\n" +
           Join(unknown, "\n") + "\n";
  out += "\n";

  // Sources.
  out += "Sources\n";
  for (const auto& [key, s] : set.sources) out += fmt::format("  [{}] {}\n", key, SourceLine(s));
  for (const std::string& n : r.notes) out += "note: " + n + "\n";
  return WrapReport(out);
}

nlohmann::json FleetJson(const FleetResult& r) {
  nlohmann::json j;
  j["file"] = r.set.name;
  j["title"] = r.set.title;
  j["view"] = rules::ViewName(r.view);
  nlohmann::json count = nlohmann::json::array();
  for (fleet::ShipmentStatus s : r.count) count.push_back(fleet::StatusName(s));
  j["count"] = count;
  j["workloads"] = {{"decode", r.decode_workload}, {"training", r.training_workload}};
  auto chip_json = [](const ChipInfo& c) {
    nlohmann::json per_unit, missing = nlohmann::json::object();
    for (Measure m : kAllMeasures) {
      per_unit[std::string(fleet::MeasureName(m))] = OptionalJson(c.per_unit[fleet::Index(m)]);
      if (!c.missing[fleet::Index(m)].empty())
        missing[std::string(fleet::MeasureName(m))] = c.missing[fleet::Index(m)];
    }
    return nlohmann::json{{"id", c.chip->id},
                          {"name", c.chip->name},
                          {"vendor", c.chip->vendor},
                          {"family", c.chip->family},
                          {"per_unit", per_unit},
                          {"missing", missing},
                          {"decode_tokens_per_s_per_gpu", OptionalJson(c.decode_tps)},
                          {"decode_deployment", c.decode_deployment},
                          {"train_tokens_per_s_per_gpu", OptionalJson(c.train_tps)},
                          {"train_layout", c.train_layout},
                          {"mfu", OptionalJson(c.mfu)}};
  };
  if (r.reference_info.chip != nullptr) j["reference"] = chip_json(r.reference_info);
  nlohmann::json chips = nlohmann::json::array();
  for (const ChipInfo& c : r.chips) chips.push_back(chip_json(c));
  j["chips"] = chips;
  nlohmann::json rows = nlohmann::json::array();
  for (const RowResult& row : r.rows) {
    const fleet::Shipment& s = *row.shipment;
    nlohmann::json sources = nlohmann::json::array();
    auto cite = [&](const std::vector<std::string>& keys) {
      nlohmann::json a = nlohmann::json::array();
      for (const std::string& k : keys) {
        const Source& src = r.set.sources.at(k);
        a.push_back({{"key", k},
                     {"title", src.title},
                     {"url", src.url},
                     {"kind", SourceKindName(src.kind)},
                     {"read", src.read.year > 1970 ? nlohmann::json(src.read.ToString())
                                                   : nlohmann::json(nullptr)},
                     {"note", src.note}});
      }
      return a;
    };
    nlohmann::json values;
    for (Measure m : kAllMeasures) {
      const auto v = fleet::RowValue(r, row, m);
      values[std::string(fleet::MeasureName(m))] = v ? RangeJson(*v) : nlohmann::json(nullptr);
    }
    nlohmann::json shares = nlohmann::json::array();
    for (const fleet::ShareOwed& o : row.shares)
      shares.push_back({{"measure", o.measure->full_id},
                        {"share", o.share},
                        {"fraction", o.fraction},
                        {"owed", o.owed ? RangeJson(*o.owed) : nlohmann::json(nullptr)},
                        {"currency", o.currency}});
    nlohmann::json jr = {{"index", s.index + 1},
                         {"id", s.id},
                         {"line", s.at.line},
                         {"chip", s.chip},
                         {"date", s.period.text},
                         {"first", s.period.first.ToString()},
                         {"last", s.period.last.ToString()},
                         {"quantity", RangeJson(s.quantity)},
                         {"derived", s.derived},
                         {"formula", s.formula},
                         {"status", fleet::StatusName(s.status)},
                         {"kind", fleet::FigureKindName(s.kind)},
                         {"destination", s.destination},
                         {"hq", s.headquarters.empty() ? s.destination : s.headquarters},
                         {"origin", s.origin},
                         {"buyer", s.buyer},
                         {"counted", row.counted},
                         {"not_counted", row.not_counted},
                         {"overlaps", s.overlaps},
                         {"note", s.note},
                         {"sources", cite(s.sources)},
                         {"classification", SegmentsJson(row.base)},
                         {"revenue_share", shares},
                         {"values", values}};
    if (s.unit_price)
      jr["unit_price"] = {{"value", s.unit_price->amount.value},
                          {"low", s.unit_price->amount.low},
                          {"high", s.unit_price->amount.high},
                          {"currency", s.unit_price->currency},
                          {"sources", cite(s.price_sources)}};
    else
      jr["unit_price"] = nullptr;
    if (s.revenue)
      jr["revenue"] = {{"value", s.revenue->value},
                       {"low", s.revenue->low},
                       {"high", s.revenue->high},
                       {"currency", s.revenue_currency}};
    if (r.what_if)
      jr["what_if"] = {{"classification", SegmentsJson(row.alt)},
                       {"newly_licensed", row.newly_licensed},
                       {"denied", row.denied},
                       {"freed", row.freed}};
    rows.push_back(jr);
  }
  j["rows"] = rows;
  j["totals"] = TotalsJson(r.total);
  j["by_quarter"] = GroupsJson(r.by_quarter);
  j["by_vendor"] = GroupsJson(r.by_vendor);
  j["by_chip"] = GroupsJson(r.by_chip);
  j["by_buyer"] = GroupsJson(r.by_buyer);
  j["by_family"] = GroupsJson(r.by_family);
  j["by_license"] = GroupsJson(r.by_license);
  nlohmann::json shares = nlohmann::json::array();
  for (const fleet::ShareTotal& s : r.shares)
    shares.push_back({{"measure", s.measure->full_id},
                      {"share", s.measure->revenue_share.value_or(0)},
                      {"currency", s.currency},
                      {"owed", RangeJson(s.owed)},
                      {"units", s.units},
                      {"rows", s.rows},
                      {"rows_without_price", s.rows_without_price}});
  j["revenue_share"] = shares;
  if (r.what_if) {
    nlohmann::json newly = nlohmann::json::array(), denied = nlohmann::json::array();
    for (const RowResult& row : r.rows) {
      if (row.newly_licensed > 0) newly.push_back(row.shipment->label());
      if (row.denied > 0) denied.push_back(row.shipment->label());
    }
    j["what_if"] = {{"description", r.what_if->description},
                    {"needs_license", TotalsJson(r.what_if->needs_license)},
                    {"denial", TotalsJson(r.what_if->denial)},
                    {"freed", TotalsJson(r.what_if->freed)},
                    {"undecided", TotalsJson(r.what_if->undecided)},
                    {"rows_needing_license", newly},
                    {"rows_denied", denied}};
  } else {
    j["what_if"] = nullptr;
  }
  if (r.time_to_train) {
    const fleet::TimeToTrain& t = *r.time_to_train;
    j["time_to_train"] = {{"run", t.run},
                          {"flops", t.flops},
                          {"pflops", RangeJson(t.pflops)},
                          {"days", t.days ? RangeJson(*t.days) : nlohmann::json(nullptr)},
                          {"unknown_units", t.unknown_units}};
  } else {
    j["time_to_train"] = nullptr;
  }
  j["notes"] = r.notes;
  return j;
}

std::string FleetCsv(const FleetResult& r) {
  std::vector<std::string> header = {"index",
                                     "id",
                                     "line",
                                     "chip",
                                     "date",
                                     "first",
                                     "last",
                                     "status",
                                     "kind",
                                     "counted",
                                     "not_counted",
                                     "destination",
                                     "hq",
                                     "buyer",
                                     "quantity",
                                     "quantity_low",
                                     "quantity_high",
                                     "derived",
                                     "license",
                                     "license_required_fraction",
                                     "review_policy",
                                     "measures",
                                     "revenue_share_owed",
                                     "revenue_share_owed_low",
                                     "revenue_share_owed_high",
                                     "currency"};
  for (Measure m : kAllMeasures) {
    if (m == Measure::kUnits) continue;
    const std::string n(fleet::MeasureName(m));
    header.insert(header.end(), {n, n + "_low", n + "_high"});
  }
  const bool wi = r.what_if.has_value();
  if (wi) header.insert(header.end(), {"whatif_newly_licensed", "whatif_denied", "whatif_freed"});
  std::string out;
  for (std::size_t i = 0; i < header.size(); ++i) out += (i ? "," : "") + CsvField(header[i]);
  out += "\n";
  auto num = [](double v) { return FormatNumber(v, 10); };
  for (const RowResult& row : r.rows) {
    const fleet::Shipment& s = *row.shipment;
    double required = 0;
    for (const Segment& seg : row.base)
      if (fleet::LicenseOf(seg) == License::kYes) required += seg.fraction;
    const Segment& last = row.base.back();
    std::vector<std::string> measures;
    if (last.c != nullptr)
      for (const rules::Clause* m : last.c->measures) measures.push_back(m->full_id);
    Range owed;
    std::string currency;
    bool any_owed = false;
    for (const fleet::ShareOwed& o : row.shares)
      if (o.owed) {
        owed.value += o.owed->value;
        owed.low += o.owed->low;
        owed.high += o.owed->high;
        currency = o.currency;
        any_owed = true;
      }
    std::vector<std::string> f = {std::to_string(s.index + 1),
                                  s.id,
                                  std::to_string(s.at.line),
                                  s.chip,
                                  s.period.text,
                                  s.period.first.ToString(),
                                  s.period.last.ToString(),
                                  std::string(fleet::StatusName(s.status)),
                                  std::string(fleet::FigureKindName(s.kind)),
                                  row.counted ? "yes" : "no",
                                  row.not_counted,
                                  s.destination,
                                  s.headquarters.empty() ? s.destination : s.headquarters,
                                  s.buyer,
                                  num(s.quantity.value),
                                  num(s.quantity.low),
                                  num(s.quantity.high),
                                  s.derived ? "yes" : "no",
                                  LicenseSummary(row.base),
                                  num(required),
                                  ReviewOf(last),
                                  Join(measures, " "),
                                  any_owed ? num(owed.value) : "",
                                  any_owed ? num(owed.low) : "",
                                  any_owed ? num(owed.high) : "",
                                  currency};
    for (Measure m : kAllMeasures) {
      if (m == Measure::kUnits) continue;
      const auto v = fleet::RowValue(r, row, m);
      f.insert(f.end(), {v ? num(v->value) : "", v ? num(v->low) : "", v ? num(v->high) : ""});
    }
    if (wi) f.insert(f.end(), {num(row.newly_licensed), num(row.denied), num(row.freed)});
    for (std::size_t i = 0; i < f.size(); ++i) out += (i ? "," : "") + CsvField(f[i]);
    out += "\n";
  }
  return out;
}

namespace {

std::string ChartTitle(const fleet::ChartSeries& s) {
  return fmt::format("Cumulative H100-equivalents by chip family ({})",
                     fleet::YardstickName(s.yardstick));
}

std::string ChartYLabel(const fleet::FleetResult& r, const fleet::ChartSeries& s) {
  return fmt::format("cumulative {} ({})", fleet::MeasureTitle(fleet::MeasureOf(s.yardstick)),
                     r.reference);
}

}  // namespace

nlohmann::json FleetChartJson(const fleet::FleetResult& r, const fleet::ChartSeries& s) {
  nlohmann::json dates = nlohmann::json::array(), families = nlohmann::json::array();
  for (Date d : s.dates) dates.push_back(d.ToString());
  for (std::size_t f = 0; f < s.families.size(); ++f)
    families.push_back({{"family", s.families[f]}, {"values", s.cumulative[f]}});
  return {{"yardstick", std::string(fleet::YardstickName(s.yardstick))},
          {"title", ChartTitle(s)},
          {"y_label", ChartYLabel(r, s)},
          {"dates", dates},
          {"families", families},
          {"what_if", s.what_if.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.what_if)},
          {"unknown_units", s.unknown_units}};
}

std::string FleetChartSvg(const FleetResult& r, const fleet::ChartSeries& s) {
  const int W = 820, H = 520, L = 90, R = 190, T = 80, B = 56;
  auto esc = [](const std::string& t) {
    std::string o;
    for (char ch : t) {
      if (ch == '<') {
        o += "&lt;";
      } else if (ch == '>') {
        o += "&gt;";
      } else if (ch == '&') {
        o += "&amp;";
      } else {
        o += ch;
      }
    }
    return o;
  };
  const std::string yname = ChartYLabel(r, s);
  std::string svg = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" )"
      R"(font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">)"
      "\n<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n",
      W, H);
  std::vector<std::string> statuses;
  for (fleet::ShipmentStatus st : r.count) statuses.push_back(std::string(fleet::StatusName(st)));
  svg += fmt::format(R"(<text x="{}" y="24" font-size="14" font-weight="bold">{}</text>)"
                     "\n"
                     R"(<text x="{}" y="42" font-size="11" fill="#555">{}</text>)"
                     "\n"
                     R"(<text x="{}" y="57" font-size="11" fill="#555">{}</text>)"
                     "\n",
                     L,
                     esc(ChartTitle(s)),
                     L, esc(r.set.title.empty() ? r.set.name : r.set.title), L,
                     esc(fmt::format("rows with status {}; each row's units spread evenly over its "
                                     "period",
                                     Join(statuses, ", "))));
  if (s.dates.size() < 2) {
    svg +=
        fmt::format(R"(<text x="{}" y="{}">no counted rows with this yardstick</text>)", L, H / 2);
    return svg + "</svg>\n";
  }
  // Stack families in order of their final value, largest at the bottom.
  std::vector<std::size_t> order(s.families.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double va = s.cumulative[a].back(), vb = s.cumulative[b].back();
    return va != vb ? va > vb : s.families[a] < s.families[b];
  });
  const std::size_t n = s.dates.size();
  std::vector<double> total(n, 0);
  for (std::size_t f = 0; f < s.families.size(); ++f)
    for (std::size_t i = 0; i < n; ++i) total[i] += s.cumulative[f][i];
  double ymax = *std::max_element(total.begin(), total.end());
  for (double v : s.what_if) ymax = std::max(ymax, v);
  if (!(ymax > 0)) ymax = 1;
  const double raw = ymax * 1.05 / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double fr = raw / mag;
  const double ystep = (fr <= 1 ? 1 : fr <= 2 ? 2 : fr <= 5 ? 5 : 10) * mag;
  const double y1 = ystep * std::ceil(ymax * 1.05 / ystep);
  const double x0 = static_cast<double>(s.dates.front().DaysSinceEpoch());
  const double x1 = static_cast<double>(s.dates.back().DaysSinceEpoch());
  auto X = [&](Date d) {
    return L +
           (static_cast<double>(d.DaysSinceEpoch()) - x0) / std::max(1.0, x1 - x0) * (W - L - R);
  };
  auto Y = [&](double v) { return H - B - v / y1 * (H - T - B); };
  // Grid and axes.
  for (double v = 0; v <= y1 * (1 + 1e-9); v += ystep)
    svg += fmt::format(R"(<line x1="{0}" y1="{1:.1f}" x2="{2}" y2="{1:.1f}" stroke="#eee"/>)"
                       R"(<text x="{3}" y="{4:.1f}" text-anchor="end">{5}</text>)"
                       "\n",
                       L, Y(v), W - R, L - 6, Y(v) + 4, FormatFixed(v, 0));
  for (int year = s.dates.front().year; year <= s.dates.back().year + 1; ++year) {
    for (int q = 0; q < 4; ++q) {
      const Date d{year, 3 * q + 1, 1};
      if (d < s.dates.front() || s.dates.back() < d) continue;
      const bool jan = q == 0;
      svg += fmt::format(R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="{3}"/>)"
                         "\n",
                         X(d), T, H - B, jan ? "#ccc" : "#f3f3f3");
      if (jan)
        svg += fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle">{}</text>)"
                           "\n",
                           X(d), H - B + 16, year);
    }
  }
  // The first and last dates, unless a year label already marks them.
  for (const Date d : {s.dates.front(), s.dates.back()})
    if (!(d.month == 1 && d.day == 1))
      svg += fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle" fill="#555">{}</text>)"
                         "\n",
                         X(d), H - B + 30, d.ToString());
  svg += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="black"/>)"
                     R"(<line x1="{0}" y1="{3}" x2="{0}" y2="{1}" stroke="black"/>)"
                     "\n",
                     L, H - B, W - R, T);
  svg += fmt::format(
      R"x(<text transform="translate(20,{}) rotate(-90)" text-anchor="middle">{}</text>)x"
      "\n",
      (T + H - B) / 2, esc(yname));
  // Stacked areas.
  static constexpr const char* kColours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                             "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
  std::vector<double> below(n, 0);
  int legend_y = T + 6;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t f = order[k];
    std::string pts;
    for (std::size_t i = 0; i < n; ++i)
      pts += fmt::format("{:.1f},{:.1f} ", X(s.dates[i]), Y(below[i] + s.cumulative[f][i]));
    for (std::size_t i = n; i-- > 0;)
      pts += fmt::format("{:.1f},{:.1f} ", X(s.dates[i]), Y(below[i]));
    const char* colour = kColours[k % std::size(kColours)];
    svg += fmt::format(R"(<polygon points="{}" fill="{}" fill-opacity="0.75" stroke="{}"/>)"
                       "\n",
                       pts, colour, colour);
    for (std::size_t i = 0; i < n; ++i) below[i] += s.cumulative[f][i];
    svg += fmt::format(R"(<rect x="{}" y="{}" width="12" height="12" fill="{}"/>)"
                       R"(<text x="{}" y="{}">{} ({})</text>)"
                       "\n",
                       W - R + 14, legend_y, colour, W - R + 32, legend_y + 10, esc(s.families[f]),
                       FormatFixed(s.cumulative[f].back(), 0));
    legend_y += 18;
  }
  // Total line and its final value.
  std::string total_pts;
  for (std::size_t i = 0; i < n; ++i)
    total_pts += fmt::format("{:.1f},{:.1f} ", X(s.dates[i]), Y(total[i]));
  svg += fmt::format(R"(<polyline points="{}" fill="none" stroke="black" stroke-width="1.5"/>)"
                     "\n",
                     total_pts);
  svg +=
      fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="black" stroke-width="1.5"/>)"
                  R"(<text x="{3}" y="{4}">total ({5})</text>)"
                  "\n",
                  W - R + 12, legend_y + 6, W - R + 26, W - R + 32, legend_y + 10,
                  FormatFixed(total.back(), 0));
  legend_y += 18;
  if (!s.what_if.empty() && r.what_if) {
    std::string pts;
    for (std::size_t i = 0; i < n; ++i)
      pts += fmt::format("{:.1f},{:.1f} ", X(s.dates[i]), Y(s.what_if[i]));
    svg += fmt::format(R"(<polyline points="{}" fill="none" stroke="#c0392b" stroke-width="2" )"
                       R"(stroke-dasharray="6,4"/>)"
                       "\n",
                       pts);
    svg += fmt::format(
        R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#c0392b" stroke-width="2" )"
        R"(stroke-dasharray="6,4"/><text x="{3}" y="{4}">what-if ({5})</text>)"
        "\n",
        W - R + 12, legend_y + 6, W - R + 26, W - R + 32, legend_y + 10,
        FormatFixed(s.what_if.back(), 0));
    legend_y += 16;
    // The what-if in words, wrapped under the legend.
    std::string desc =
        "without what the alternative newly requires a license for: " + r.what_if->description;
    int line = 0;
    constexpr std::size_t kWidth = 30;
    while (!desc.empty() && line < 10) {
      std::size_t cut = desc.size() <= kWidth ? desc.size() : desc.rfind(' ', kWidth);
      const bool at_space = cut != std::string::npos && cut > 0 && cut < desc.size();
      if (cut == std::string::npos || cut == 0) cut = std::min(kWidth, desc.size());
      svg += fmt::format(R"(<text x="{}" y="{}" font-size="10" fill="#c0392b">{}</text>)"
                         "\n",
                         W - R + 12, legend_y + 10 + 12 * line, esc(desc.substr(0, cut)));
      desc = desc.substr(std::min(desc.size(), cut + (at_space ? 1 : 0)));
      ++line;
    }
  }
  if (s.unknown_units > 0)
    svg += fmt::format(R"(<text x="{}" y="{}" font-size="10" fill="#555">{}</text>)"
                       "\n",
                       L, H - 12,
                       esc(fmt::format("{} counted units lack this yardstick and are not drawn",
                                       FormatFixed(s.unknown_units, 0))));
  return svg + "</svg>\n";
}

}  // namespace ceiling::report
