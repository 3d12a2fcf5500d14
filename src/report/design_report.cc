#include "ceiling/report/design_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ceiling/base/units.h"
#include "ceiling/report/json.h"
#include "ceiling/report/perf_report.h"
#include "ceiling/report/rules_report.h"
#include "ceiling/report/table.h"

namespace ceiling::report {

using catalog::MetricId;
using design::ObjectiveKind;
using nlohmann::json;

namespace {

const char* StrategyName(design::Strategy s) {
  switch (s) {
    case design::Strategy::kExhaustive:
      return "exhaustive";
    case design::Strategy::kMonotone:
      return "monotone";
    case design::Strategy::kAuto:
      return "auto";
  }
  return "?";
}

std::optional<double> Value(const catalog::ChipMetrics& m, MetricId id) { return m[id].value; }

std::string MetricCell(const catalog::ChipMetrics& m, MetricId id) {
  const auto v = Value(m, id);
  if (!v) return "unknown";
  switch (id) {
    case MetricId::kTpp:
      return FormatFixed(*v, 0);
    case MetricId::kPd:
      return FormatNumber(*v, 3);
    case MetricId::kDramBandwidth:
    case MetricId::kIoAggregate:
    case MetricId::kScaleUp:
      return FormatFixed(*v, 0) + " GB/s";
    case MetricId::kMemoryCapacity:
      return FormatNumber(*v, 4) + " GB";
    case MetricId::kApplicableArea:
      return FormatFixed(*v, 0) + " mm^2";
    case MetricId::kTdp:
      return FormatFixed(*v, 0) + " W";
  }
  return "?";
}

constexpr MetricId kShownMetrics[] = {MetricId::kTpp,
                                      MetricId::kPd,
                                      MetricId::kDramBandwidth,
                                      MetricId::kMemoryCapacity,
                                      MetricId::kScaleUp,
                                      MetricId::kIoAggregate,
                                      MetricId::kApplicableArea,
                                      MetricId::kTdp};

std::string ClauseLabel(const rules::Clause* c) {
  if (c == nullptr) return "";
  return c->title.empty() ? c->full_id : fmt::format("{} ({})", c->full_id, c->title);
}

std::string StepWords(design::Knob knob) {
  switch (knob) {
    case design::Knob::kLinks:
      return "one more scale-up link";
    case design::Knob::kMemory:
      return "the next memory configuration";
    default:
      return "one more step of compute";
  }
}

// A binding in a table cell: "us-2023-10-acs/3A090.b.1 (compute)", "cap: TDP", "".
std::string BindingCell(const design::Binding& b, design::Knob knob) {
  if (!b) return "";
  if (knob == design::Knob::kNone) return std::string(b.Name());
  return fmt::format("{} ({})", b.Name(), design::KnobName(knob));
}

std::string BindingLine(const EvaluatedDesign& d) {
  using Kind = design::Binding::Kind;
  if (d.binding.kind == Kind::kClause && d.binding.clause != nullptr)
    return fmt::format("{}: {} would meet it", ClauseLabel(d.binding.clause),
                       StepWords(d.binding_knob));
  if (d.binding.kind == Kind::kUndecided)
    return fmt::format(
        "undecided: {} leaves the classification undecided (a metric the rule "
        "needs is unknown)",
        StepWords(d.binding_knob));
  if (d.binding)
    return fmt::format("{}: {} would break it", d.binding.Name(), StepWords(d.binding_knob));
  return "none: no step up in compute, links or memory is ruled out (the design space ends "
         "first)";
}

// True when some objective of the design is positive (the workload runs on it).
bool Runs(const EvaluatedDesign& d) {
  return std::any_of(d.objectives.begin(), d.objectives.end(),
                     [](const design::ObjectiveReport& o) { return o.value > 0; });
}

std::string ObjectiveLine(const design::ObjectiveReport& o) {
  if (o.value <= 0)
    return fmt::format("{}: 0 ({})", design::ObjectiveName(o.kind),
                       o.why_zero.empty() ? "no value" : o.why_zero);
  // The value and its band with the same decimals and separators: "5,148 (90% band 3,417 - ...)".
  const int d = o.value >= 100 ? 0 : o.value >= 1 ? 1 : 3;
  return fmt::format("{}: {} {} (90% band {}){}", design::ObjectiveName(o.kind),
                     FormatFixed(o.value, d), design::ObjectiveUnit(o.kind),
                     BandText(o.value, o.band, d), o.deployment.empty() ? "" : "; " + o.deployment);
}

json ObjectiveJson(const design::ObjectiveReport& o) {
  return {{"value", o.value},
          {"unit", design::ObjectiveUnit(o.kind)},
          {"band", BandJson(o.value, o.band)},
          {"deployment", o.deployment},
          {"why_zero", o.why_zero.empty() ? json(nullptr) : json(o.why_zero)}};
}

json ClauseJson(const rules::Clause* c) {
  if (c == nullptr) return nullptr;
  return {{"id", c->full_id},
          {"clause", c->id},
          {"title", c->title},
          {"kind", rules::ClauseKindName(c->kind)}};
}

json DesignJsonOf(const EvaluatedDesign& d, const std::vector<ObjectiveKind>& kinds) {
  json j = ChipJson(d.chip, d.metrics);
  j["knobs"] = d.knobs;
  json obj = json::object();
  for (std::size_t i = 0; i < d.objectives.size() && i < kinds.size(); ++i)
    obj[std::string(design::ObjectiveName(kinds[i]))] = ObjectiveJson(d.objectives[i]);
  j["objective"] = obj;
  j["satisfies"] = d.satisfies;
  j["status"] = StatusLine(d.classification);
  j["binding_clause"] = ClauseJson(d.binding.clause);
  j["binding_knob"] = d.binding_knob == design::Knob::kNone
                          ? json(nullptr)
                          : json(std::string(design::KnobName(d.binding_knob)));
  if (d.binding && d.binding.clause == nullptr) j["binding_cap"] = std::string(d.binding.Name());
  j["headroom"] = HeadroomRowsJson(d.headroom);
  return j;
}

// Headroom rows of the clause that binds (all rows when none binds).
std::string HeadroomTable(const EvaluatedDesign& d) {
  Table t({{"clause"},
           {"metric"},
           {"value", Align::kRight},
           {"test"},
           {"threshold", Align::kRight},
           {"value/threshold", Align::kRight},
           {"holds"}});
  for (const rules::HeadroomRow& r : d.headroom) {
    const DimVector dim = rules::VarDim(r.metric);
    const bool binds = d.binding.clause != nullptr && r.clause == d.binding.clause;
    t.AddRow({(binds ? "* " : "  ") + r.clause->full_id, std::string(rules::VarName(r.metric)),
              r.value ? rules::FormatCanonical(*r.value, dim) : "unknown",
              std::string(rules::CmpOpText(r.op)) + " " + r.threshold_name,
              rules::FormatCanonical(r.threshold, dim), r.ratio ? Percent(*r.ratio) : "-",
              r.holds == rules::Tri::kUnknown ? "?"
              : r.holds == rules::Tri::kTrue  ? "yes"
                                              : "no"});
  }
  return t.RenderText();
}

double Ratio(std::optional<double> a, std::optional<double> b) {
  return a && b && *b != 0 ? *a / *b : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

std::string DesignText(const DesignReport& r) {
  const design::DesignEvaluator::Setup& s = r.evaluator->setup();
  const design::SearchResult& res = *r.result;
  const rules::CountryDb& db = r.book->countries();
  std::string out;
  out += fmt::format("Design search: {} (base {}{})\n", r.space->title, r.space->base.id,
                     r.space->file.empty() ? ", default design space" : ", " + r.space->file);
  out += fmt::format(
      "  rules in force on {} ({} view), destination {}, end user headquartered "
      "in {}\n",
      s.query.date.ToString(), rules::ViewName(s.query.view), CountryLabel(db, s.query.destination),
      CountryLabel(db, s.query.headquarters));
  out += fmt::format("  constraint: {}", design::RequirementTitle(s.requirement));
  if (s.max_tdp) out += fmt::format("; TDP <= {}", FormatQuantity(*s.max_tdp));
  if (s.max_memory) out += fmt::format("; memory <= {}", FormatQuantity(*s.max_memory));
  out += "\n";
  std::vector<std::string> names;
  for (ObjectiveKind k : s.objectives)
    names.push_back(fmt::format("{} ({})", design::ObjectiveName(k), design::ObjectiveUnit(k)));
  out += fmt::format("  objective{}: {}; {}\n", names.size() > 1 ? "s" : "", fmt::join(names, ", "),
                     r.workload);
  // The timing has a line of its own, so that wrapping never splits it.
  out += fmt::format(
      "  {} {} designs ({}): {} rule checks, {} objective evaluations{}\n  {:.2f} s on {} "
      "thread{}\n\n",
      res.budget_exhausted ? "a space of" : "searched",
      FormatFixed(static_cast<double>(r.space->size()), 0), StrategyName(res.strategy),
      FormatFixed(static_cast<double>(res.evaluated), 0),
      FormatFixed(static_cast<double>(res.objective_evaluations), 0),
      res.budget_exhausted ? "; the budget stopped the search before it covered the space" : "",
      r.seconds, res.threads, res.threads == 1 ? "" : "s");
  if (!r.best) {
    out += "No design satisfies the constraint.\n";
    const design::Binding most = res.MostBinding();
    if (most) {
      out += fmt::format("Binding everywhere: {} ruled out {} of {} designs checked",
                         most.clause != nullptr ? ClauseLabel(most.clause) : most.Name(),
                         FormatFixed(static_cast<double>(res.binding_counts.at(most)), 0),
                         FormatFixed(static_cast<double>(res.evaluated), 0));
      out += res.binding_counts.size() > 1 ? " (others:" : "";
      for (const auto& [k, v] : res.binding_counts)
        if (!(k == most)) out += fmt::format(" {} x{}", k.Name(), v);
      out += res.binding_counts.size() > 1 ? ")\n" : "\n";
    }
    out = WrapReport(out);
  } else {
    const EvaluatedDesign& b = *r.best;
    if (!Runs(b))
      out +=
          "The workload does not run on any allowed design (every objective is 0); the design "
          "below is the first allowed one, not an optimum.\n";
    out += fmt::format("{}: {}\n", Runs(b) ? "Best design" : "Design shown", b.chip.id);
    out += fmt::format("  knobs: {}\n", b.knobs);
    for (const auto& o : b.objectives) out += "  " + ObjectiveLine(o) + "\n";
    out += fmt::format("  classification: {}\n", StatusLine(b.classification));
    out += fmt::format("  binding clause: {}\n\n", BindingLine(b));
    out = WrapReport(out);  // everything so far is prose; the tables below fit by themselves
    out += HeadroomTable(b);
  }
  if (r.compare) {
    const EvaluatedDesign& c = *r.compare;
    std::string prose = fmt::format("\nCompared with {} ({}):\n", c.chip.id, c.chip.name);
    for (std::size_t i = 0; i < c.objectives.size(); ++i) {
      prose += "  " + ObjectiveLine(c.objectives[i]);
      if (r.best && r.best->objectives[i].value > 0)
        prose += fmt::format(" = {} of the best design",
                             Percent(c.objectives[i].value / r.best->objectives[i].value));
      prose += "\n";
    }
    prose += fmt::format("  classification: {}{}\n", StatusLine(c.classification),
                         c.satisfies ? "" : " (does not satisfy the constraint)");
    out += WrapReport(prose);
    Table t({{"metric"},
             {c.chip.id, Align::kRight},
             {"best design", Align::kRight},
             {"ratio", Align::kRight}});
    for (MetricId id : kShownMetrics) {
      const double ratio =
          r.best ? Ratio(Value(c.metrics, id), Value(r.best->metrics, id)) : std::nan("");
      t.AddRow({std::string(catalog::MetricName(id)), MetricCell(c.metrics, id),
                r.best ? MetricCell(r.best->metrics, id) : "-",
                std::isnan(ratio) ? "-" : Percent(ratio)});
    }
    out += "\n" + t.RenderText();
  }
  if (r.best && s.objectives.size() > 1) {
    out += fmt::format("\nPareto front ({} design{}):\n", res.front.size(),
                       res.front.size() == 1 ? "" : "s");
    std::vector<Column> cols = {{.header = "design", .wrap = 24}};
    for (ObjectiveKind k : s.objectives)
      cols.push_back({std::string(design::ObjectiveName(k)), Align::kRight});
    Table t(std::move(cols));
    for (const design::Candidate& c : res.front) {
      std::vector<std::string> row = {r.space->Describe(c.point)};
      for (std::size_t i = 0; i < s.objectives.size(); ++i)
        row.push_back(FormatNumber(c.objectives[i], 4));
      t.AddRow(std::move(row));
    }
    out += t.RenderText();
  }
  return out;
}

json DesignJson(const DesignReport& r) {
  const design::DesignEvaluator::Setup& s = r.evaluator->setup();
  const design::SearchResult& res = *r.result;
  const rules::CountryDb& db = r.book->countries();
  json j;
  j["space"] = {{"id", r.space->id},
                {"title", r.space->title},
                {"base", r.space->base.id},
                {"file", r.space->file.empty() ? json(nullptr) : json(r.space->file)},
                {"size", r.space->size()}};
  j["query"] = {{"date", s.query.date.ToString()},
                {"view", rules::ViewName(s.query.view)},
                {"destination", db.country(s.query.destination).code},
                {"headquarters", db.country(s.query.headquarters).code}};
  j["requirement"] = design::RequirementName(s.requirement);
  json objectives = json::array();
  for (ObjectiveKind k : s.objectives) objectives.push_back(design::ObjectiveName(k));
  j["objectives"] = objectives;
  j["workload"] = r.workload;
  j["strategy"] = StrategyName(res.strategy);
  j["evaluated"] = res.evaluated;
  j["objective_evaluations"] = res.objective_evaluations;
  j["budget_exhausted"] = res.budget_exhausted;
  j["feasible"] = res.feasible();
  j["workload_runs"] = r.best ? Runs(*r.best) : false;
  json counts = json::object();
  for (const auto& [k, v] : res.binding_counts) counts[std::string(k.Name())] = v;
  j["binding_counts"] = counts;
  j["binding_everywhere"] =
      res.feasible() ? json(nullptr) : json(std::string(res.MostBinding().Name()));
  j["best"] = r.best ? DesignJsonOf(*r.best, s.objectives) : json(nullptr);
  json front = json::array();
  for (const design::Candidate& c : res.front) {
    json f = {{"knobs", r.space->Describe(c.point)}};
    json obj = json::object();
    for (std::size_t i = 0; i < s.objectives.size(); ++i)
      obj[std::string(design::ObjectiveName(s.objectives[i]))] = c.objectives[i];
    f["objective"] = obj;
    const catalog::Chip chip = r.space->Build(c.point);
    const catalog::ChipMetrics m = catalog::ComputeMetrics(chip, catalog::MetricDetail::kValues);
    f["id"] = chip.id;
    json metrics = json::object();
    for (MetricId id : kShownMetrics) {
      const auto v = Value(m, id);
      metrics[std::string(catalog::MetricName(id))] = v ? json(*v) : json(nullptr);
    }
    f["metrics"] = metrics;
    front.push_back(f);
  }
  j["front"] = front;
  if (r.compare) {
    json c = DesignJsonOf(*r.compare, s.objectives);
    json distance = json::object();
    if (r.best) {
      json ratios = json::object();
      for (std::size_t i = 0; i < s.objectives.size(); ++i) {
        const double best = r.best->objectives[i].value;
        ratios[std::string(design::ObjectiveName(s.objectives[i]))] =
            best > 0 ? json(r.compare->objectives[i].value / best) : json(nullptr);
      }
      distance["objective_ratio"] = ratios;
      json metric_ratios = json::object();
      for (MetricId id : kShownMetrics) {
        const double ratio = Ratio(Value(r.compare->metrics, id), Value(r.best->metrics, id));
        metric_ratios[std::string(catalog::MetricName(id))] =
            std::isnan(ratio) ? json(nullptr) : json(ratio);
      }
      distance["metric_ratio"] = metric_ratios;
    }
    j["compare"] = {{"record", c}, {"objective", c["objective"]}, {"distance", distance}};
  } else {
    j["compare"] = nullptr;
  }
  return j;
}

std::string DesignFrontSvg(const DesignReport& r) {
  const design::DesignEvaluator::Setup& s = r.evaluator->setup();
  const design::SearchResult& res = *r.result;
  const bool plane = s.objectives.size() >= 2;
  struct Pt {
    double x, y;
    int kind;  // 0 candidate, 1 front, 2 best, 3 compare
  };
  std::vector<Pt> pts;
  auto tpp_of = [&](const design::Candidate& c) {
    const catalog::Chip chip = r.space->Build(c.point);
    const auto v =
        catalog::ComputeMetrics(chip, catalog::MetricDetail::kValues)[MetricId::kTpp].value;
    return v.value_or(0);
  };
  if (plane) {
    for (const auto& c : res.candidates) pts.push_back({c.objectives[0], c.objectives[1], 0});
    for (const auto& c : res.front) pts.push_back({c.objectives[0], c.objectives[1], 1});
  } else {
    for (const auto& c : res.candidates) pts.push_back({tpp_of(c), c.objectives[0], 0});
  }
  if (res.best)
    pts.push_back(plane ? Pt{res.best->objectives[0], res.best->objectives[1], 2}
                        : Pt{tpp_of(*res.best), res.best->objectives[0], 2});
  if (r.compare) {
    const auto& o = r.compare->objectives;
    pts.push_back(plane ? Pt{o[0].value, o[1].value, 3}
                        : Pt{Value(r.compare->metrics, MetricId::kTpp).value_or(0), o[0].value, 3});
  }
  // The binding TPP line (one objective).
  std::optional<double> line;
  std::string line_label;
  if (!plane && r.best && r.best->binding.clause != nullptr)
    for (const auto& h : r.best->headroom)
      if (h.clause == r.best->binding.clause && h.metric == rules::Var::kTpp) {
        line = h.threshold;
        line_label = fmt::format("{} {} {}", h.clause->id, rules::CmpOpText(h.op),
                                 FormatFixed(h.threshold, 0));
        break;
      }
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  for (const Pt& p : pts) x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  if (line) x1 = std::max(x1, *line);
  // Round axis ends: 5 ticks at a 1/2/5 x 10^k step.
  auto nice = [](double hi, double* step) {
    const double raw = hi * 1.05 / 5;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    *step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    return *step * std::ceil(hi * 1.05 / *step);
  };
  double xs = 1, ys = 1;
  x1 = nice(x1, &xs);
  y1 = nice(y1, &ys);
  const int W = 760, H = 510, L = 80, R = 30, T = 80, B = 60;
  auto X = [&](double v) { return L + (v - x0) / (x1 - x0) * (W - L - R); };
  auto Y = [&](double v) { return H - B - (v - y0) / (y1 - y0) * (H - T - B); };
  std::string svg = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" )"
      R"(font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">)"
      "\n",
      W, H);
  svg += fmt::format(R"(<rect width="{}" height="{}" fill="white"/>)"
                     "\n",
                     W, H);
  const std::string xname = plane ? fmt::format("{} ({})", design::ObjectiveName(s.objectives[0]),
                                                design::ObjectiveUnit(s.objectives[0]))
                                  : std::string("TPP");
  const std::string yname =
      fmt::format("{} ({})", design::ObjectiveName(s.objectives[plane ? 1 : 0]),
                  design::ObjectiveUnit(s.objectives[plane ? 1 : 0]));
  auto esc = [](std::string t) {
    std::string o;
    for (char ch : t) {
      if (ch == '<')
        o += "&lt;";
      else if (ch == '>')
        o += "&gt;";
      else if (ch == '&')
        o += "&amp;";
      else
        o += ch;
    }
    return o;
  };
  svg += fmt::format(R"(<text x="{}" y="22" font-size="14" font-weight="bold">{}</text>)"
                     R"(<text x="{}" y="40" font-size="12">{}</text>)"
                     R"(<text x="{}" y="56" font-size="11" fill="#555">{}</text>)"
                     "\n",
                     L, esc(r.space->title), L,
                     esc(fmt::format("{} on {} to {}", design::RequirementTitle(s.requirement),
                                     s.query.date.ToString(),
                                     r.book->countries().country(s.query.destination).code)),
                     L, esc(r.workload));
  // Axes and ticks.
  svg += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="black"/>)"
                     R"(<line x1="{0}" y1="{3}" x2="{0}" y2="{1}" stroke="black"/>)"
                     "\n",
                     L, H - B, W - R, T);
  for (double xv = x0; xv <= x1 * (1 + 1e-9); xv += xs)
    svg += fmt::format(R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#eee"/>)"
                       R"(<text x="{0:.1f}" y="{3}" text-anchor="middle">{4}</text>)"
                       "\n",
                       X(xv), T, H - B, H - B + 16, FormatNumber(xv, 4));
  for (double yv = y0; yv <= y1 * (1 + 1e-9); yv += ys)
    svg += fmt::format(R"(<line x1="{0}" y1="{1:.1f}" x2="{2}" y2="{1:.1f}" stroke="#eee"/>)"
                       R"(<text x="{3}" y="{4:.1f}" text-anchor="end">{5}</text>)"
                       "\n",
                       L, Y(yv), W - R, L - 6, Y(yv) + 4, FormatNumber(yv, 4));
  svg += fmt::format(
      R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)"
      R"x(<text transform="translate(18,{}) rotate(-90)" text-anchor="middle">{}</text>)x"
      "\n",
      (L + W - R) / 2, H - 18, esc(xname), (T + H - B) / 2, esc(yname));
  if (line) {
    svg += fmt::format(
        R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#c0392b" )"
        R"(stroke-dasharray="5,4"/><text x="{3:.1f}" y="{4}" fill="#c0392b" text-anchor="end">{5}</text>)"
        "\n",
        X(*line), T, H - B, X(*line) - 4, T + 12, esc(line_label));
  }
  static constexpr const char* kFill[] = {"#95a5a6", "#2980b9", "#27ae60", "#e67e22"};
  static constexpr int kRadius[] = {3, 4, 7, 7};
  for (const Pt& p : pts)
    svg += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="{}" fill="{}" fill-opacity="0.85"/>)"
                       "\n",
                       X(p.x), Y(p.y), kRadius[p.kind], kFill[p.kind]);
  // Legend.
  const std::string labels[] = {
      plane ? "evaluated design" : "evaluated design (best per memory/links)", "Pareto front",
      "best design", r.compare ? r.compare->chip.id : std::string()};
  int ly = T + 14;
  for (int k = 0; k < 4; ++k) {
    if ((k == 1 && !plane) || (k == 3 && !r.compare)) continue;
    svg += fmt::format(R"(<circle cx="{}" cy="{}" r="5" fill="{}"/><text x="{}" y="{}">{}</text>)"
                       "\n",
                       L + 16, ly, kFill[k], L + 26, ly + 4, esc(labels[k]));
    ly += 16;
  }
  svg += "</svg>\n";
  return svg;
}

namespace {

// What the binding column's words mean; `undecided` adds the word only where a cell shows it.
std::string CapabilityLegend(bool undecided) {
  std::string legend =
      "binding: the clause one step up from the best derivative would meet, with the knob "
      "stepped (compute, links or memory); (none): no step is ruled out, the design space ends "
      "first; none: no derivative meets the requirement, and binding names the clause that rules "
      "out the most.";
  if (undecided)
    legend += " undecided: that clause cannot be decided there (a figure it needs, such as the "
              "die area behind performance density, is unknown).";
  return legend;
}

}  // namespace

std::string CapabilityText(const CapabilityReport& r) {
  std::string out = fmt::format(
      "Capability left open: for each die, the best derivative with {} for {}\n"
      "objective: {}; {}\n\n",
      r.requirement, r.destination, r.objective, r.workload);
  out = WrapReport(out);
  // A setting's columns stay together when the table is split to fit 100 columns; each
  // block repeats the die and its base.
  std::vector<Column> cols = {{.header = "die", .wrap = 12}, {"base"}};
  for (const std::string& s : r.settings) {
    cols.push_back({.header = s, .align = Align::kRight, .wrap = 10, .group = true});
    cols.push_back({"TPP", Align::kRight});
    cols.push_back({.header = "binding", .wrap = 15});
  }
  if (r.settings.size() == 2) cols.push_back({"change", Align::kRight});
  Table t(std::move(cols));
  t.SetKeyColumns(2);
  // Why a cell holds no number goes under the table, numbered: "0 [1]" ... "[1] the weights do
  // not fit ..."; one number per distinct reason, whichever dies and dates share it.
  std::vector<std::string> notes;
  auto mark = [&](const std::string& note) {
    auto it = std::find(notes.begin(), notes.end(), note);
    if (it == notes.end()) it = notes.insert(notes.end(), note);
    return fmt::format("[{}]", it - notes.begin() + 1);
  };
  bool undecided = false;
  for (const CapabilityRow& row : r.rows) {
    std::vector<std::string> cells = {row.die, row.base};
    for (const CapabilityCell& c : row.cells) {
      if (!c.searched) {
        cells.insert(cells.end(), {"- " + mark(c.note), "-", ""});
        continue;
      }
      if (c.feasible && c.objective <= 0) {
        // Nothing runs on any derivative: which one the search kept says nothing.
        cells.insert(cells.end(), {"0 " + mark(c.note), "-", "-"});
        continue;
      }
      undecided = undecided || c.binding.kind == design::Binding::Kind::kUndecided;
      if (!c.feasible)
        cells.insert(cells.end(), {"none", "-", BindingCell(c.binding, c.binding_knob)});
      else
        cells.insert(cells.end(),
                     {FormatNumber(c.objective, 4), FormatDown(c.tpp),
                      c.binding ? BindingCell(c.binding, c.binding_knob) : "(none)"});
    }
    if (row.cells.size() == 2) {
      const CapabilityCell &a = row.cells[0], &b = row.cells[1];
      const double va = a.feasible ? a.objective : 0, vb = b.feasible ? b.objective : 0;
      cells.push_back(va > 0 ? Percent(vb / va - 1) : vb > 0 ? "new" : "-");
    }
    t.AddRow(std::move(cells));
  }
  out += t.RenderText();
  out += WrapReport("\n" + CapabilityLegend(undecided) + "\n");
  for (std::size_t i = 0; i < notes.size(); ++i)
    out += WrapReport(fmt::format("[{}] {}\n", i + 1, notes[i]));
  return out;
}

json CapabilityJson(const CapabilityReport& r) {
  json rows = json::array();
  for (const CapabilityRow& row : r.rows) {
    json cells = json::array();
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
      const CapabilityCell& c = row.cells[i];
      cells.push_back(
          {{"setting", r.settings[i]},
           {"searched", c.searched},
           {"feasible", c.feasible},
           {"knobs", c.knobs},
           {"tpp", c.tpp},
           {"pd", c.pd >= 0 ? json(c.pd) : json(nullptr)},
           {"memory_bandwidth_tb_s", c.memory_bw_tbs},
           {"objective", c.objective},
           {"binding", c.binding ? json(BindingCell(c.binding, c.binding_knob)) : json(nullptr)},
           {"note", c.note}});
    }
    rows.push_back({{"die", row.die}, {"base", row.base}, {"cells", cells}});
  }
  // The same words as the text's legend; "undecided" only where a shown binding is undecided
  // (a zero's binding is not shown).
  bool undecided = false;
  for (const CapabilityRow& row : r.rows)
    for (const CapabilityCell& c : row.cells)
      undecided = undecided || (c.searched && !(c.feasible && c.objective <= 0) &&
                                c.binding.kind == design::Binding::Kind::kUndecided);
  return {{"settings", r.settings},       {"requirement", r.requirement},
          {"destination", r.destination}, {"objective", r.objective},
          {"workload", r.workload},       {"rows", rows},
          {"legend", CapabilityLegend(undecided)}};
}

}  // namespace ceiling::report
