// The chip map as SVG: log TPP against log PD, regions by paragraph, chips by status.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <limits>

#include "ceiling/base/units.h"
#include "ceiling/report/rules_report.h"
#include "rules_common.h"

namespace ceiling::report {
namespace {

constexpr double kWidth = 1200, kHeight = 740;
constexpr double kLeft = 80, kRight = 420, kTop = 80, kBottom = 70;
constexpr double kCharWidth = 6.2;  // average glyph width of 11px sans-serif

std::string Esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

struct Scale {
  double lo, hi;  // data range (log10)
  double p0, p1;  // pixel range
  // Values outside the range (or zero, or infinite: a what-if threshold of 1e308) land just
  // outside the plot, never at an infinite or NaN coordinate.
  double operator()(double v) const {
    const double l = v > 0 ? std::clamp(std::log10(v), lo - 1, hi + 1) : lo - 1;
    return p0 + (l - lo) / (hi - lo) * (p1 - p0);
  }
};

struct Box {
  double x0, y0, x1, y1;
  bool Overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

enum class Status { kLicense, kMeasure, kNoLicense, kFree, kUnknown };

Status StatusOf(const rules::Classification& c) {
  if (c.license_required.tri == rules::Tri::kUnknown || c.controlled.tri == rules::Tri::kUnknown)
    return Status::kUnknown;
  if (c.license_required.tri == rules::Tri::kTrue) {
    for (const rules::Clause* b : c.license_basis)
      if (b->kind != rules::ClauseKind::kMeasure) return Status::kLicense;
    return Status::kMeasure;
  }
  return c.controls.empty() ? Status::kFree : Status::kNoLicense;
}

const char* Color(Status s) {
  switch (s) {
    case Status::kLicense: return "#b2182b";
    case Status::kMeasure: return "#762a83";
    case Status::kNoLicense: return "#e08214";
    case Status::kFree: return "#1b7837";
    case Status::kUnknown: return "#7f7f7f";
  }
  return "#000";
}

const char* StatusName(Status s) {
  switch (s) {
    case Status::kLicense: return "license required (3A090/4A090)";
    case Status::kMeasure: return "license required (product measure)";
    case Status::kNoLicense: return "controlled, no license here";
    case Status::kFree: return "outside 3A090, no license";
    case Status::kUnknown: return "cannot decide (metric unknown)";
  }
  return "";
}

std::string RegionFill(rules::RegionClass c) {
  switch (c) {
    case rules::RegionClass::kA:
      return "#f6cfc9";
    case rules::RegionClass::kB:
      return "#fde7c4";
    case rules::RegionClass::kC:
      return "#d9e8f5";
    case rules::RegionClass::kConditional:
      return "url(#hatch)";
    case rules::RegionClass::kOther:
      return "#eeeeee";
  }
  return "#eeeeee";
}

// The exclusions in force, in the rule book's own terms: clause, condition and the TPP bound it
// has in this book (an overridden parameter shows its new value).
std::string ExclusionsCaption(const rules::MapData& map) {
  std::vector<std::string> parts;
  for (const rules::MapExclusion& e : map.exclusions) {
    std::string p = fmt::format("{} takes a chip out of {} where {}", e.clause->full_id,
                                Join(e.clause->excludes, ", "),
                                e.clause->condition ? e.clause->condition->text : "its condition holds");
    if (e.tpp_below) p += fmt::format(" (TPP {})", FormatDown(*e.tpp_below));
    parts.push_back(std::move(p));
  }
  if (parts.empty()) return "No exclusion clause is in force.";
  return "Not shaded: " + Join(parts, "; ") + ".";
}

// The catalog id without its vendor prefix: "nvidia-h100-sxm" -> "h100-sxm".
std::string ShortName(const rules::ChipEntry& chip) {
  const auto dash = chip.id.find('-');
  return dash == std::string::npos || dash + 1 >= chip.id.size() ? chip.id : chip.id.substr(dash + 1);
}

std::string TickLabel(double v) {
  if (v >= 1000) return FormatFixed(v, 0);
  return FormatNumber(v, 3);
}

}  // namespace

std::string ChipMapSvg(const rules::RuleBook& book, const std::vector<rules::ChipEntry>& chips,
                       const rules::MapData& map) {
  // Data range: chips and thresholds, padded, in whole decades.
  double tmin = std::numeric_limits<double>::infinity(), tmax = 0;
  double pmin = std::numeric_limits<double>::infinity(), pmax = 0;
  for (const rules::MapPoint& p : map.points) {
    tmin = std::min(tmin, p.tpp), tmax = std::max(tmax, p.tpp);
    pmin = std::min(pmin, p.pd), pmax = std::max(pmax, p.pd);
  }
  for (const rules::MapThreshold& t : map.thresholds) {
    if (t.axis == rules::Var::kTpp) tmin = std::min(tmin, t.value), tmax = std::max(tmax, t.value);
    if (t.axis == rules::Var::kPd) pmin = std::min(pmin, t.value), pmax = std::max(pmax, t.value);
  }
  if (!std::isfinite(tmin)) tmin = 1000, tmax = 10000;
  if (!std::isfinite(pmin)) pmin = 1, pmax = 10;
  // The axes span at most TPP 1e-2..1e12 and PD 1e-4..1e10: a what-if threshold or a user's chip
  // beyond them is drawn at the edge instead of stretching the axes to infinity.
  tmin = std::clamp(tmin, 1e-2, 1e12), tmax = std::clamp(tmax, tmin, 1e12);
  pmin = std::clamp(pmin, 1e-4, 1e10), pmax = std::clamp(pmax, pmin, 1e10);
  const Scale x{std::floor(std::log10(tmin / 1.3)), std::ceil(std::log10(tmax * 1.3)), kLeft,
                kWidth - kRight};
  const Scale y{std::floor(std::log10(pmin / 1.3)), std::ceil(std::log10(pmax * 1.3)),
                kHeight - kBottom, kTop};
  const double xl = std::pow(10, x.lo), xh = std::pow(10, x.hi);
  const double yl = std::pow(10, y.lo), yh = std::pow(10, y.hi);
  const rules::CountryDb& db = book.countries();

  std::string s;
  s += fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">)",
                   kWidth, kHeight);
  s += "\n<defs><pattern id=\"hatch\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" "
       "patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#fbeeeb\"/>"
       "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#e8a79d\" stroke-width=\"3\"/>"
       "</pattern></defs>\n";
  s += fmt::format("<rect width=\"{}\" height=\"{}\" fill=\"white\"/>\n", kWidth, kHeight);
  s += fmt::format("<text x=\"{}\" y=\"28\" font-size=\"16\" font-weight=\"bold\">Chip map on {}: "
                   "total processing performance vs performance density</text>\n",
                   kLeft, map.query.date.ToString());
  s += fmt::format("<text x=\"{}\" y=\"48\" font-size=\"12\" fill=\"#444\">Shaded: control "
                   "paragraphs of the rules in force ({} view) for a chip designed or marketed for "
                   "datacenters. Points: each chip's status to {}.</text>\n",
                   kLeft, rules::ViewName(map.query.view),
                   Esc(CountryLabel(db, map.query.destination)));
  s += fmt::format("<text x=\"{}\" y=\"64\" font-size=\"12\" fill=\"#444\">{} Dashed lines: "
                   "thresholds of the clauses in force.</text>\n",
                   kLeft, Esc(ExclusionsCaption(map)));

  // Regions, clipped to the plot.
  s += "<g>\n";
  for (const rules::MapRegion& r : map.regions) {
    const double x0 = x(std::max(r.tpp_lo, xl)), x1 = x(std::min(r.tpp_hi, xh));
    const double y0 = y(std::min(r.pd_hi, yh)), y1 = y(std::max(r.pd_lo, yl));
    if (x1 <= x0 || y1 <= y0) continue;
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                     "fill=\"{}\"><title>{}</title></rect>\n",
                     x0, y0, x1 - x0, y1 - y0, RegionFill(r.cls), Esc(Join(r.paragraphs, ", ")));
  }
  s += "</g>\n";

  // Region labels: one per class (3A090.a, 3A090.b, conditional), in the largest rectangle.
  {
    struct Best {
      std::string label;
      Box box;
      double area;
    };
    std::vector<Best> best;
    for (const rules::MapRegion& r : map.regions) {
      const double x0 = x(std::max(r.tpp_lo, xl)), x1 = x(std::min(r.tpp_hi, xh));
      const double y0 = y(std::min(r.pd_hi, yh)), y1 = y(std::max(r.pd_lo, yl));
      if (x1 <= x0 || y1 <= y0) continue;
      std::string label(rules::RegionClassLabel(r.cls));
      const double area = (x1 - x0) * (y1 - y0);
      auto it = std::find_if(best.begin(), best.end(), [&](const Best& b) { return b.label == label; });
      if (it == best.end()) best.push_back({label, {x0, y0, x1, y1}, area});
      else if (area > it->area) *it = {label, {x0, y0, x1, y1}, area};
    }
    for (const Best& b : best)
      if (b.box.x1 - b.box.x0 > 70 && b.box.y1 - b.box.y0 > 20)
        s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#9b4338\" "
                         "font-size=\"13\" font-weight=\"bold\" opacity=\"0.75\">{}</text>\n",
                         b.box.x1 - 8, b.box.y1 - 8, Esc(b.label));
  }

  // Axes and grid.
  s += "<g stroke=\"#ccc\" stroke-width=\"0.5\">\n";
  for (int e = static_cast<int>(x.lo); e <= static_cast<int>(x.hi); ++e)
    for (int m = 1; m < 10; ++m) {
      const double v = m * std::pow(10, e);
      if (v < xl || v > xh) continue;
      s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\"{3}/>\n", x(v), kTop,
                       kHeight - kBottom, m == 1 ? " stroke=\"#aaa\"" : "");
    }
  for (int e = static_cast<int>(y.lo); e <= static_cast<int>(y.hi); ++e)
    for (int m = 1; m < 10; ++m) {
      const double v = m * std::pow(10, e);
      if (v < yl || v > yh) continue;
      s += fmt::format("<line x1=\"{1}\" y1=\"{0:.1f}\" x2=\"{2}\" y2=\"{0:.1f}\"{3}/>\n", y(v), kLeft,
                       kWidth - kRight, m == 1 ? " stroke=\"#aaa\"" : "");
    }
  s += "</g>\n";
  s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
                   "stroke=\"#333\"/>\n",
                   kLeft, kTop, kWidth - kRight - kLeft, kHeight - kBottom - kTop);
  for (int e = static_cast<int>(x.lo); e <= static_cast<int>(x.hi); ++e)
    for (int m : {1, 2, 5}) {
      const double v = m * std::pow(10, e);
      if (v < xl || v > xh) continue;
      s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>\n",
                       x(v), kHeight - kBottom + 16, TickLabel(v));
    }
  for (int e = static_cast<int>(y.lo); e <= static_cast<int>(y.hi); ++e)
    for (int m : {1, 2, 5}) {
      const double v = m * std::pow(10, e);
      if (v < yl || v > yh) continue;
      s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#333\">{}</text>\n",
                       kLeft - 6, y(v) + 4, TickLabel(v));
    }
  s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">Total "
                   "processing performance (TPP, log scale)</text>\n",
                   (kLeft + kWidth - kRight) / 2, kHeight - 28);
  s += fmt::format("<text transform=\"translate(24 {:.1f}) rotate(-90)\" text-anchor=\"middle\" "
                   "font-size=\"12\">Performance density (TPP per mm², log scale)</text>\n",
                   (kTop + kHeight - kBottom) / 2);

  // Threshold lines with labels.
  s += "<g font-size=\"9.5\" fill=\"#555\">\n";
  int tpp_row = 0, pd_row = 0;
  std::vector<rules::MapThreshold> ths = map.thresholds;
  std::sort(ths.begin(), ths.end(), [](const auto& a, const auto& b) { return a.value < b.value; });
  for (const rules::MapThreshold& t : ths) {
    if (t.axis == rules::Var::kTpp && t.value >= xl && t.value <= xh) {
      const double px = x(t.value);
      s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#555\" "
                       "stroke-dasharray=\"4 3\"/>\n",
                       px, kTop, kHeight - kBottom);
      s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" transform=\"rotate(-90 {:.1f} {})\" "
                       "text-anchor=\"end\">{}</text>\n",
                       px - 3, kTop + 4, px - 3, kTop + 4, Esc(t.label));
      ++tpp_row;
    }
    if (t.axis == rules::Var::kPd && t.value >= yl && t.value <= yh) {
      const double py = y(t.value);
      s += fmt::format("<line x1=\"{1}\" y1=\"{0:.1f}\" x2=\"{2}\" y2=\"{0:.1f}\" stroke=\"#555\" "
                       "stroke-dasharray=\"4 3\"/>\n",
                       py, kLeft, kWidth - kRight);
      s += fmt::format("<text x=\"{}\" y=\"{:.1f}\">{}</text>\n", kWidth - kRight + 4, py + 3,
                       Esc(t.label));
      ++pd_row;
    }
  }
  s += "</g>\n";
  (void)tpp_row;
  (void)pd_row;

  // Points: chips at the same place share one marker and one label.
  struct Group {
    double tpp, pd;
    std::vector<std::size_t> points;
  };
  std::vector<Group> groups;
  for (std::size_t i = 0; i < map.points.size(); ++i) {
    const rules::MapPoint& p = map.points[i];
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return std::fabs(x(g.tpp) - x(p.tpp)) < 2 && std::fabs(y(g.pd) - y(p.pd)) < 2 &&
             StatusOf(map.points[g.points[0]].result) == StatusOf(p.result);
    });
    if (it == groups.end()) groups.push_back({p.tpp, p.pd, {i}});
    else it->points.push_back(i);
  }
  // Groups at the same place with different statuses (A100 and A800 share TPP and PD): the
  // first is a dot, each further one a ring around it, so every colour stays visible.
  std::vector<int> ring(groups.size(), 0);
  for (std::size_t i = 0; i < groups.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (std::fabs(x(groups[i].tpp) - x(groups[j].tpp)) < 2 &&
          std::fabs(y(groups[i].pd) - y(groups[j].pd)) < 2)
        ring[i] = std::max(ring[i], ring[j] + 1);
  std::vector<Box> taken;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const double r = 5 + 3.5 * ring[i];
    taken.push_back({x(groups[i].tpp) - r, y(groups[i].pd) - r, x(groups[i].tpp) + r, y(groups[i].pd) + r});
  }
  std::string marks, rings, labels;
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    const Group& g = groups[gi];
    const rules::MapPoint& first = map.points[g.points[0]];
    const double px = x(g.tpp), py = y(g.pd);
    std::vector<std::string> names;
    std::string tooltip;
    for (std::size_t k : g.points) {
      const rules::MapPoint& p = map.points[k];
      names.push_back(ShortName(chips[p.chip]));
      tooltip += fmt::format("{}: TPP {}, PD {}; {}\n", chips[p.chip].id, FormatNumber(p.tpp, 5),
                             FormatNumber(p.pd, 3), StatusLine(p.result));
    }
    if (ring[gi] == 0)
      marks += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4.5\" fill=\"{}\" stroke=\"white\" "
                           "stroke-width=\"1\"><title>{}</title></circle>\n",
                           px, py, Color(StatusOf(first.result)), Esc(tooltip));
    else
      rings += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:.1f}\" fill=\"none\" stroke=\"{}\" "
                           "stroke-width=\"2.2\"><title>{}</title></circle>\n",
                           px, py, 4.5 + 3.5 * ring[gi], Color(StatusOf(first.result)), Esc(tooltip));
    std::string label = Join(names, " / ");
    if (names.size() > 3)
      label = fmt::format("{} / {} / +{} more", names[0], names[1], names.size() - 2);
    if (label.size() > 44) label = label.substr(0, 42) + "...";
    const double w = static_cast<double>(label.size()) * kCharWidth, h = 12;
    // Candidate positions on growing rings around the point: right, left, above, below, then
    // the diagonals; far ones get a leader line.
    std::vector<std::pair<double, double>> offsets;
    for (double r : {8.0, 18.0, 30.0, 46.0, 64.0, 86.0}) {
      offsets.push_back({r, -h / 2});
      offsets.push_back({-r - w, -h / 2});
      offsets.push_back({-w / 2, -r - h});
      offsets.push_back({-w / 2, r});
      offsets.push_back({r * 0.7, -r * 0.7 - h});
      offsets.push_back({r * 0.7, r * 0.7});
      offsets.push_back({-r * 0.7 - w, -r * 0.7 - h});
      offsets.push_back({-r * 0.7 - w, r * 0.7});
    }
    bool placed = false;
    for (const auto& [dx, dy] : offsets) {
      const Box b{px + dx, py + dy, px + dx + w, py + dy + h};
      if (b.x0 < kLeft + 2 || b.x1 > kWidth - kRight - 2 || b.y0 < kTop + 2 ||
          b.y1 > kHeight - kBottom - 2)
        continue;
      if (std::any_of(taken.begin(), taken.end(), [&](const Box& o) { return o.Overlaps(b); }))
        continue;
      taken.push_back(b);
      const double gap_x = std::max({0.0, b.x0 - px, px - b.x1});
      const double gap_y = std::max({0.0, b.y0 - py, py - b.y1});
      if (gap_x > 12 || gap_y > 12)
        labels += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
                              "stroke=\"#999\" stroke-width=\"0.6\"/>\n",
                              px, py, std::clamp(px, b.x0, b.x1), std::clamp(py, b.y0, b.y1));
      labels += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#222\">{}</text>\n", b.x0,
                            b.y1 - 2.5, Esc(label));
      placed = true;
      break;
    }
    if (!placed)
      labels += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#222\" opacity=\"0.6\">{}</text>\n",
                            px + 8, py - 8, Esc(label));
  }
  s += "<g>\n" + rings + marks + "</g>\n<g>\n" + labels + "</g>\n";

  // Legend.
  double ly = kTop + 4;
  const double lx = kWidth - kRight + 175;
  s += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">Chips (to {})</text>\n", lx, ly,
                   Esc(db.country(map.query.destination).code));
  ly += 16;
  for (Status st : {Status::kLicense, Status::kMeasure, Status::kNoLicense, Status::kFree,
                    Status::kUnknown}) {
    s += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"4.5\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" "
                     "font-size=\"9.5\">{}</text>\n",
                     lx + 5, ly - 3, Color(st), lx + 14, ly, StatusName(st));
    ly += 15;
  }
  ly += 8;
  s += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">Regions</text>\n", lx, ly);
  ly += 16;
  std::vector<std::pair<std::string, std::string>> fills;
  for (rules::RegionClass c : {rules::RegionClass::kA, rules::RegionClass::kB,
                               rules::RegionClass::kC, rules::RegionClass::kConditional})
    if (std::any_of(map.regions.begin(), map.regions.end(),
                    [c](const rules::MapRegion& r) { return r.cls == c; }))
      fills.emplace_back(RegionFill(c), std::string(rules::RegionClassLabel(c)));
  for (const auto& [fill, text] : fills) {
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"10\" fill=\"{}\" stroke=\"#999\" "
                     "stroke-width=\"0.5\"/><text x=\"{}\" y=\"{}\" font-size=\"9.5\">{}</text>\n",
                     lx, ly - 9, fill, lx + 18, ly, Esc(text));
    ly += 15;
  }
  ly += 8;
  if (!map.unplotted.empty()) {
    s += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">Not plotted (TPP or PD "
                     "unknown)</text>\n",
                     lx, ly);
    ly += 14;
    for (std::size_t i : map.unplotted) {
      if (ly > kHeight - 20) {
        s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"9.5\">...</text>\n", lx, ly);
        break;
      }
      s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"9.5\">{}</text>\n", lx, ly,
                       Esc(chips[i].id));
      ly += 12;
    }
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"9\" fill=\"#777\">ceiling plot map; "
                   "data and rules: data/chips, data/rules (cited)</text>\n",
                   kLeft, kHeight - 8);
  s += "</svg>\n";
  return s;
}

}  // namespace ceiling::report
