#include "ceiling/report/dossier.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ceiling/base/text.h"

namespace ceiling::report {

using nlohmann::json;

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Same palette, marker shapes and grouping as the web app (web/src/ui.ts): Okabe-Ito colours and
// a shape per status (circle, diamond, square, triangle, plus), each status also named in text.
struct StatusStyle {
  const char* key;
  const char* color;
  const char* label;
};

StatusStyle StatusOf(const json& o) {
  const std::string lic = o.value("license_required", "");
  const std::string policy = o.value("review_policy", "");
  if (lic == "cannot-decide") return {"undecided", "#CC79A7", "cannot decide (figure missing)"};
  if (lic == "no") return {"free", "#009E73", "no license required"};
  if (o.contains("exceptions") && !o["exceptions"].empty())
    return {"exception", "#56B4E9", "license; exception may apply"};
  if (policy == "presumption-of-approval" || policy == "case-by-case")
    return {"approval", "#E69F00", "license; approval or case-by-case"};
  return {"denial", "#D55E00", "license; denial or policy not published"};
}

std::string E(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return "";
  return HtmlEscape(j[key].is_string() ? j[key].get<std::string>() : j[key].dump());
}

std::string Num(double x) {
  if (!std::isfinite(x)) return "–";
  if (std::fabs(x) >= 1000) {
    std::string s = fmt::format("{:.0f}", x);
    for (int i = static_cast<int>(s.size()) - 3; i > (s[0] == '-' ? 1 : 0); i -= 3)
      s.insert(static_cast<std::size_t>(i), ",");
    return s;
  }
  return fmt::format("{:.3g}", x);
}
std::string Num(const json& j) { return j.is_number() ? Num(j.get<double>()) : "–"; }
std::string Pct(double r) { return fmt::format("{:.0f}%", r * 100); }

std::string Join(const json& list, std::string_view sep = ", ") {
  std::string out;
  if (!list.is_array()) return out;
  for (const json& x : list) {
    if (!out.empty()) out += sep;
    out += HtmlEscape(x.is_string() ? x.get<std::string>() : x.dump());
  }
  return out;
}

std::string Table(const std::string& caption, const std::vector<std::string>& head,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string out = "<div class=\"wrap\"><table><caption>" + caption + "</caption><thead><tr>";
  for (const std::string& h : head) out += "<th scope=\"col\">" + h + "</th>";
  out += "</tr></thead><tbody>";
  for (const auto& r : rows) {
    out += "<tr>";
    for (const std::string& c : r) out += "<td>" + c + "</td>";
    out += "</tr>";
  }
  return out + "</tbody></table></div>";
}

// Horizontal bars, one per row: label, value, optional band [lo, hi], colour; a dashed line at
// `mark` (e.g. 100% of a threshold).
struct Bar {
  std::string label;
  double value = 0;
  double lo = kNaN, hi = kNaN;
  std::string color = "#0072B2";
  std::string text;
};

std::string Bars(const std::string& title, const std::vector<Bar>& bars, double mark,
                 const std::string& axis) {
  const double left = 230, width = 640, row = 24, top = 10;
  double max = mark > 0 ? mark * 1.15 : 0;
  for (const Bar& b : bars) max = std::max({max, b.value, std::isfinite(b.hi) ? b.hi : 0.0});
  if (max <= 0) max = 1;
  const double plot = width - left - 60;
  auto X = [&](double v) { return left + plot * std::min(v, max) / max; };
  const double height = top + row * static_cast<double>(bars.size()) + 30;
  std::string s = fmt::format(
      "<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\" font-family=\"sans-serif\">",
      HtmlEscape(title), width, height, width, height);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double y = top + row * static_cast<double>(i);
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", left - 6, y + 15,
                     HtmlEscape(b.label));
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"/>", left,
                     y + 4, X(b.value) - left, row - 8, b.color);
    if (std::isfinite(b.lo))
      s += fmt::format(
          "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{}\" stroke=\"#000\" "
          "stroke-width=\"2\"/>",
          X(b.lo), std::isfinite(b.hi) ? X(b.hi) : X(max), y + row / 2, y + row / 2);
    // The value's text goes past its band and, where it would sit on it, past the dashed mark.
    double tx = X(b.value) + 4;
    if (std::isfinite(b.lo)) tx = std::max(tx, (std::isfinite(b.hi) ? X(b.hi) : X(max)) + 4);
    if (mark > 0 && X(mark) >= tx - 4 && X(mark) <= tx + 30) tx = X(mark) + 4;
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{}</text>", tx, y + 15, HtmlEscape(b.text));
  }
  if (mark > 0)
    s += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{}\" stroke=\"#000\" "
        "stroke-dasharray=\"4,3\"/>",
        X(mark), X(mark), top, height - 26);
  s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#888\"/>", left,
                   left + plot, height - 26, height - 26);
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", left + plot / 2,
                   height - 8, HtmlEscape(axis));
  return s + "</svg>";
}

std::string Verdict(const json& c) {
  const StatusStyle st = StatusOf(c);
  const json& q = c["query"];
  std::string license;
  const std::string lic = c.value("license_required", "");
  if (lic == "yes") {
    license = "License required";
    std::string by;
    for (const json& b : c["license_basis"])
      by += (by.empty() ? "" : ", ") + E(b, "clause") +
            (b.value("kind", "") == "measure" ? " (a product-specific measure)" : "");
    if (!by.empty()) license += " by " + by;
  } else if (lic == "no") {
    license = "No license required";
  } else {
    license = "Cannot decide whether a license is required";
  }
  std::string share;
  for (const json& m : c["measures"])
    if (m.contains("revenue_share") && m["revenue_share"].is_number())
      share = fmt::format("; {:.0f}% revenue share", m["revenue_share"].get<double>() * 100);
  std::string out = fmt::format(
      "<section class=\"verdict\" style=\"border-left-color:{}\"><h2>{} to {} on {}</h2>"
      "<p class=\"big\"><span class=\"dot s-{}\" style=\"background:{}\"></span>{}{}</p>"
      "<p class=\"muted\">End user headquartered in {}{}; {} view.</p><dl>",
      st.color, E(c["chip"], "name"), E(q, "destination_name"), E(q, "date"), st.key, st.color,
      license,
      share, E(q, "headquarters"),
      q.value("headquarters_given", false) ? "" : " (assumed: the destination)", E(q, "view"));
  const bool any_controls = !c["controls"].empty();
  out += "<dt>Controls</dt><dd>" +
         (any_controls ? Join(c["controls"])
          : !c["controls_undecided"].empty()
              ? "cannot decide whether " + Join(c["controls_undecided"]) + " are met"
              : std::string("outside 3A090: no control paragraph is met")) +
         "</dd>";
  out += "<dt>License</dt><dd>" + license + "</dd>";
  // Each exception as the phrase the JSON carries ("NAC: License exception NAC ... (clause)"),
  // never the object itself.
  std::string exceptions;
  for (const json& x : c["exceptions"]) {
    if (!exceptions.empty()) exceptions += "; ";
    exceptions += x.is_object() ? E(x, "text")
                                : HtmlEscape(x.is_string() ? x.get<std::string>() : x.dump());
  }
  out += "<dt>Exceptions</dt><dd>" +
         (!exceptions.empty() ? exceptions
          : lic == "no"            ? std::string("not needed")
          : c.value("exceptions_blocked", false)
              ? std::string("none: exceptions do not cover a license required by a "
                            "product-specific measure")
              : std::string("none applies")) +
         "</dd>";
  std::string policy = c.value("review_policy", "");
  std::replace(policy.begin(), policy.end(), '-', ' ');
  out += "<dt>Review policy</dt><dd>" + HtmlEscape(policy) +
         (c["review_clause"].is_string() ? " (" + E(c, "review_clause") + ")" : "") +
         (c["review_conditions"].empty() ? "" : "; " + Join(c["review_conditions"], "; ")) +
         "</dd>";
  if (!c["measures"].empty()) {
    out += "<dt>Measures</dt><dd><ul>";
    for (const json& m : c["measures"]) out += "<li>" + E(m, "id") + ": " + E(m, "title") + "</li>";
    out += "</ul></dd>";
  }
  if (!c["cannot_decide"].empty())
    out += "<dt>Cannot decide</dt><dd>" + Join(c["cannot_decide"], "; ") + "</dd>";
  if (c.contains("disputed_figures"))
    out += "<dt>Disputed figures</dt><dd>" + E(c["disputed_figures"], "verdict") + "</dd>";
  return out + "</dl></section>";
}

std::string Headroom(const json& h) {
  const json& rows = h["headroom"];
  if (rows.empty())
    return "<section><h2>Headroom</h2><p>No threshold of a rule in force applies.</p></section>";
  std::vector<Bar> bars;
  std::vector<std::vector<std::string>> table;
  // A figure the catalog lacks (the TPP of a chip without a published rate, the PD of one without
  // a die area) has no ratio: it gets no bar, the note under the chart names the metrics and the
  // table says "unknown".
  std::vector<std::string> unknown;
  std::size_t unknown_rows = 0;
  for (const json& r : rows) {
    const bool known = r.value("ratio", json()).is_number();
    const double ratio = known ? r["ratio"].get<double>() : 0.0;
    const std::string clause = r.value("clause", "");
    const std::string metric = r.value("metric", "");
    if (known) {
      bars.push_back({clause.substr(clause.find('/') + 1) + " " + metric + " " +
                          r.value("op", "") + " " + r.value("threshold_name", ""),
                      std::min(ratio, 4.0), kNaN, kNaN,
                      r.value("holds", "") == "yes" ? "#0072B2" : "#999999", Pct(ratio)});
    } else {
      ++unknown_rows;
      if (std::find(unknown.begin(), unknown.end(), metric) == unknown.end())
        unknown.push_back(metric);
    }
    std::string holds = r.value("holds", "");
    std::replace(holds.begin(), holds.end(), '-', ' ');
    table.push_back({HtmlEscape(clause), HtmlEscape(metric),
                     r.value("value", json()).is_number() ? Num(r["value"]) : "unknown",
                     E(r, "op") + " " + E(r, "threshold_name"), Num(r["threshold"]),
                     known ? Pct(ratio) : "?", HtmlEscape(holds)});
  }
  std::string names;
  for (const std::string& m : unknown) names += (names.empty() ? "" : ", ") + HtmlEscape(m);
  const std::string why = "the catalog has no figure for the chip's " + names;
  std::string figure;
  if (bars.empty()) {
    figure = "<p class=\"note\">None of the " + std::to_string(rows.size()) +
             " threshold tests can be judged: " + why + " (the table lists them).</p>";
  } else {
    figure = "<figure>" +
             Bars("Headroom: each metric as a share of its threshold", bars, 1.0,
                  "value ÷ threshold (dashed: the threshold; dark bars: the test holds)") +
             "<figcaption>Value ÷ threshold for every threshold test of the rules in force"
             "</figcaption>";
    if (unknown_rows > 0)
      figure += "<p class=\"note\">" + std::to_string(unknown_rows) + " of " +
                std::to_string(rows.size()) + " tests have no bar: " + why +
                ", so they cannot be judged (the table lists them).</p>";
    figure += "</figure>";
  }
  return "<section><h2>Headroom to each threshold</h2>" + figure +
         Table("Headroom",
               {"clause", "metric", "value", "test", "threshold", "value ÷ threshold", "holds"},
               table) +
         "</section>";
}

std::string Timeline(const json& t, const std::string& date) {
  const json& entries = t["timeline"];
  const double left = 10, width = 640, plot = width - 20;
  const double t0 = 2022.5, t1 = 2027.0;
  auto Year = [](const std::string& d) {
    if (d.size() < 10) return 2022.5;
    const int y = std::stoi(d.substr(0, 4)), m = std::stoi(d.substr(5, 2)),
              day = std::stoi(d.substr(8, 2));
    return y + (m - 1) / 12.0 + (day - 1) / 365.0;
  };
  auto X = [&](double y) { return left + plot * (std::clamp(y, t0, t1) - t0) / (t1 - t0); };
  std::string svg = fmt::format(
      "<svg role=\"img\" aria-label=\"The chip's status over time\" viewBox=\"0 0 {} 70\" "
      "width=\"{}\" height=\"70\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\" "
      "font-family=\"sans-serif\">",
      width, width);
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const json& e = entries[i];
    const double a = Year(e.value("from", "")),
                 b = i + 1 < entries.size() ? Year(entries[i + 1].value("from", "")) : t1;
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"14\" width=\"{:.1f}\" height=\"26\" fill=\"{}\" "
        "stroke=\"#fff\"><title>{}: {}</title></rect>",
        X(a), std::max(0.0, X(b) - X(a)), StatusOf(e).color, E(e, "from"), E(e, "status"));
    rows.push_back(
        {E(e, "from"), E(e, "status"), Join(e["changes"], "; "), Join(e["events"], "; ")});
  }
  for (int y = 2023; y <= 2026; ++y)
    svg += fmt::format("<text x=\"{:.1f}\" y=\"56\" text-anchor=\"middle\">{}</text>", X(y), y);
  // The dossier's date above its line, kept inside the chart near either end (it once ran off the
  // right edge, the line through its last digit).
  const double at = X(Year(date));
  const char* anchor = at > width - 40 ? "end" : at < left + 40 ? "start" : "middle";
  svg += fmt::format(
      "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"12\" y2=\"44\" stroke=\"#000\" stroke-width=\"2\"/>"
      "<text x=\"{0:.1f}\" y=\"10\" text-anchor=\"{1}\">{2}</text></svg>",
      at, anchor, HtmlEscape(date));
  return "<section><h2>Timeline to this destination</h2><figure>" + svg +
         "<figcaption>Status over time (green: no license; blue: license with an exception; "
         "orange: approval or case-by-case; vermillion: denial or policy not published; purple: "
         "cannot decide); the line marks the dossier's date</figcaption></figure>" +
         Table("Timeline", {"from", "status", "changes", "because"}, rows) + "</section>";
}

std::string Trace(const json& c) {
  std::string out = "<section class=\"trace\"><h2>Trace: every clause evaluated</h2><ol>";
  for (const json& t : c["trace"]) {
    out += "<li><strong>" + E(t, "clause") + "</strong> [" + E(t, "kind") + "] → <em>" +
           E(t, "outcome_text") + "</em> (" + E(t, "citation") + ")";
    if (t.value("basis", "") == "secondary") out += " <small>secondary source only</small>";
    if (t.contains("condition")) out += "<code>" + E(t, "condition") + "</code>";
    if (t.contains("comparisons") && !t["comparisons"].empty()) {
      out += "<ul>";
      for (const json& x : t["comparisons"])
        out += "<li>" + E(x, "evaluated") + ": " + E(x, "outcome") + "</li>";
      out += "</ul>";
    }
    out += "</li>";
  }
  out += "</ol><h3>Rules consulted</h3><ul>";
  for (const json& r : c["rules"])
    out += "<li>" + E(r, "id") + " " + E(r, "status_text") + " [" + E(r, "citation") + "]</li>";
  return out + "</ul></section>";
}

std::string Figures(const json& chip) {
  const json& sources = chip["sources"];
  auto links = [&](const json& keys) {
    std::string s;
    if (!keys.is_array()) return s;
    for (const json& k : keys) {
      const std::string key = k.get<std::string>();
      if (sources.contains(key))
        s += " <a href=\"" + E(sources[key], "url") + "\">[" + HtmlEscape(key) + "]</a>";
      else
        s += " [" + HtmlEscape(key) + "]";
    }
    return s;
  };
  std::vector<std::vector<std::string>> metrics, rates, src;
  for (const auto& [k, m] : chip["metrics"].items()) {
    if (!m.is_object()) continue;
    metrics.push_back({E(m, "title"),
                       m["value"].is_number() ? Num(m["value"]) + " " + E(m, "unit") : "unknown",
                       m.contains("how") ? E(m, "how") : E(m, "missing"),
                       links(m.value("sources", json::array()))});
  }
  if (chip.contains("throughput"))
    for (const auto& [k, f] : chip["throughput"].items())
      rates.push_back(
          {HtmlEscape(k), E(f, "text"), E(f, "note"), links(f.value("sources", json::array()))});
  for (const auto& [k, s] : sources.items())
    src.push_back({HtmlEscape(k), "<a href=\"" + E(s, "url") + "\">" + E(s, "title") + "</a>",
                   E(s, "kind"), E(s, "read")});
  return "<section><h2>Figures and sources</h2>" +
         Table("Export-control metrics", {"metric", "value", "how", "sources"}, metrics) +
         (rates.empty() ? ""
                        : Table("Dense throughput by precision",
                                {"precision", "rate", "note", "sources"}, rates)) +
         Table("Sources", {"key", "title", "kind", "read"}, src) + "</section>";
}

std::string Compare(const json& cmp, const std::string& flagship) {
  std::vector<Bar> bars;
  std::vector<std::vector<std::string>> rows;
  std::string workload, notes;
  for (const json& c : cmp["chips"]) {
    const std::string id = c.value("chip", "");
    // What the model assumed or warns of for this chip (a fallback, clients that queue, bands
    // that held less often than promised on its measurements), as the web app lists them.
    if (c.contains("notes") && c["notes"].is_array())
      for (const json& n : c["notes"])
        if (n.is_string()) notes += "<li>" + HtmlEscape(id + ": " + n.get<std::string>()) + "</li>";
    const json& u = c.contains("uncertainty") && c["uncertainty"].is_object() ? c["uncertainty"]
                                                                              : json::object();
    const json band = u.contains("output_tokens_per_s_per_gpu") &&
                              u["output_tokens_per_s_per_gpu"].is_object()
                          ? u["output_tokens_per_s_per_gpu"]
                          : json::object();
    const bool fits = c.contains("fits") && c["fits"].is_boolean() && c["fits"].get<bool>();
    const double v = c["output_tokens_per_s_per_gpu"].is_number()
                         ? c["output_tokens_per_s_per_gpu"].get<double>()
                         : 0;
    bars.push_back({id, v, band.value("low", json()).is_number() ? band["low"].get<double>() : kNaN,
                    band.value("high", json()).is_number() ? band["high"].get<double>() : kNaN,
                    fits ? "#0072B2" : "#D55E00", fits ? Num(v) : "does not fit"});
    auto ms = [&](const char* k) { return c[k].is_number() ? Num(c[k]) : std::string("–"); };
    rows.push_back({HtmlEscape(id), fits ? "yes" : "no", ms("ttft_ms"), ms("tpot_ms"),
                    ms("output_tokens_per_s_per_gpu"),
                    c.contains("reference") && c["reference"].is_object()
                        ? E(c["reference"]["prefill_step"], "bound") + " / " +
                              E(c["reference"]["decode_step"], "bound")
                        : "–",
                    E(u, "basis")});
    if (workload.empty() && c.contains("workload") && c.contains("model"))
      workload = fmt::format("{}, {}, input {} / output {} tokens, {}", E(c, "model"),
                             Counted(c.value("gpus", 0), "GPU"), c["workload"].value("isl", 0),
                             c["workload"].value("osl", 0),
                             Counted(c["workload"].value("concurrency", 0), "concurrent client"));
  }
  return "<section><h2>Against its die's flagship, " + HtmlEscape(flagship) + "</h2><p>" +
         workload + "</p><figure>" +
         Bars("Output tokens per second per GPU with the 90% band", bars, 0,
              "output tokens/s per GPU (line: 90% band)") +
         "<figcaption>Serving throughput per GPU of the best deployment found on each "
         "chip</figcaption></figure>" +
         Table("Comparison",
               {"chip", "fits", "TTFT (ms)", "TPOT (ms)", "tokens/s per GPU",
                "prefill / decode bound", "uncertainty"},
               rows) +
         (notes.empty() ? "" : "<ul>" + notes + "</ul>") + "</section>";
}

std::string Design(const json& d) {
  std::string out = "<section><h2>The design search that rebuilds it</h2><p>" +
                    E(d["space"], "title") + ": " + Num(d["space"]["size"]) +
                    " designs; constraint: " + E(d, "requirement") + "; " + E(d, "workload") +
                    ".</p>";
  if (!d["best"].is_object()) return out + "<p>No derivative meets the constraint.</p></section>";
  const json& b = d["best"];
  auto objective = [](const json& o) {
    if (!o.is_object() || !o.contains("decode")) return std::string("–");
    const json& x = o["decode"];
    return Num(x["value"]) + " " + E(x, "unit") + " (" + E(x, "deployment") + ")";
  };
  out += "<dl><dt>Best design</dt><dd>" + E(b, "knobs") + "</dd><dt>Decode</dt><dd>" +
         objective(b["objective"]) + "</dd><dt>Classification</dt><dd>" + E(b, "status") +
         "</dd><dt>Binding clause</dt><dd>" +
         (b["binding_clause"].is_object()
              ? E(b["binding_clause"], "id") + ": " + E(b["binding_clause"], "title")
              : std::string("none")) +
         "</dd><dt>TPP, PD</dt><dd>" + Num(b["metrics"]["tpp"]["value"]) + ", " +
         Num(b["metrics"]["pd"]["value"]) + "</dd></dl>";
  std::vector<Bar> bars;
  // A figure the JSON leaves null (the workload does not run, a ratio to a zero) is a zero bar
  // and no ratio, never an exception.
  auto decode = [](const json& o) {
    return o.is_object() && o.contains("decode") && o["decode"].value("value", json()).is_number()
               ? o["decode"]["value"].get<double>()
               : 0.0;
  };
  const double best = decode(b["objective"]);
  bars.push_back({"best design", best, kNaN, kNaN, "#0072B2", Num(best)});
  if (d["compare"].is_object()) {
    const json& c = d["compare"];
    const double v = decode(c["objective"]);
    bars.push_back({c["record"].value("name", "the product"), v, kNaN, kNaN, "#E69F00", Num(v)});
    out += "<p>" + E(c["record"], "name") + " (TPP " + Num(c["record"]["metrics"]["tpp"]["value"]) +
           "): " + objective(c["objective"]) +
           (c["distance"]["objective_ratio"].value("decode", json()).is_number()
                ? ", " + Pct(c["distance"]["objective_ratio"]["decode"].get<double>()) +
                      " of the best design"
                : "") +
           ".</p>";
  }
  out += "<figure>" +
         Bars("Decode throughput: the best compliant design and the real product", bars, 0,
              "output tokens/s per GPU") +
         "<figcaption>The best compliant derivative beside the real product</figcaption></figure>";
  return out + "</section>";
}

constexpr const char* kStyle = R"(
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a1a1a;margin:0 auto;max-width:980px;padding:16px}
h1{font-size:1.5rem;margin:.2em 0}h2{font-size:1.2rem;margin:1.4em 0 .5em;border-bottom:1px solid #d0d4da}
.muted,figcaption,small,.note{color:#555}a{color:#0057a3}
.verdict{border:1px solid #d0d4da;border-left:8px solid #555;border-radius:8px;padding:4px 16px 8px}
.verdict h2{border:0}.big{font-size:1.15rem}.dot{display:inline-block;width:12px;height:12px;border:1px solid #000;margin-right:8px}
.s-free{border-radius:50%}.s-exception{transform:rotate(45deg) scale(.85)}
.s-denial{border:0;clip-path:polygon(50% 0,100% 100%,0 100%)}
.s-undecided{border:0;clip-path:polygon(35% 0,65% 0,65% 35%,100% 35%,100% 65%,65% 65%,65% 100%,35% 100%,35% 65%,0 65%,0 35%,35% 35%)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px}dt{font-weight:600}dd{margin:0}dd ul{margin:0;padding-left:1.1em}
.wrap{overflow-x:auto}table{border-collapse:collapse;font-size:.85rem;margin:8px 0}caption{text-align:left;font-weight:600}
th,td{border-bottom:1px solid #d0d4da;padding:3px 7px;text-align:left;vertical-align:top}th{background:#f4f5f7}
figure{margin:10px 0}svg{max-width:100%;height:auto}code{display:block;font-size:.8rem;background:#f4f5f7;padding:2px 6px;white-space:pre-wrap}
.trace li{margin-bottom:6px}button{font:inherit;padding:4px 10px}
@media print{button{display:none}body{max-width:none;font-size:11pt}section{break-inside:auto}figure,table{break-inside:avoid}a{color:inherit}}
)";

}  // namespace

std::string DossierHtml(const DossierParts& p) {
  const json& c = p.classify;
  const std::string date = c["query"].value("date", "");
  const std::string title =
      fmt::format("{} to {} on {}: export-control dossier", c["chip"].value("name", ""),
                  c["query"].value("destination_name", ""), date);
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<link rel=\"icon\" href=\"data:,\">"  // a file on its own: no icon to fetch
      "<title>" +
      HtmlEscape(title) + "</title><style>" + kStyle + "</style></head><body><main><h1>" +
      HtmlEscape(title) + "</h1><p class=\"muted\">Generated by " + HtmlEscape(p.generated_by) +
      ". Every figure is cited; unknown figures are left out, never guessed. "
      "<button type=\"button\" id=\"print\">Print</button></p>";
  out += Verdict(c);
  out += Headroom(p.headroom);
  out += Timeline(p.timeline, date);
  if (p.compare.is_object()) out += Compare(p.compare, p.flagship);
  if (p.design.is_object()) out += Design(p.design);
  if (!p.notes.empty()) {
    out += "<section><h2>Notes</h2><ul>";
    for (const std::string& n : p.notes) out += "<li>" + HtmlEscape(n) + "</li>";
    out += "</ul></section>";
  }
  out += Trace(c);
  out += Figures(p.chip);
  out +=
      "</"
      "main><script>document.getElementById(\"print\").addEventListener(\"click\",function(){"
      "window.print();});</script></body></html>\n";
  return out;
}

}  // namespace ceiling::report
