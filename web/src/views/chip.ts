// Chip: may this chip go there on that date? Verdict, headroom to every threshold, the chip's
// timeline to that destination, the clause-by-clause trace with citations, its figures.
import * as Plot from "@observablehq/plot";
import { h, clear, fmt, fmtAgainst, pct, holdsText, chartBox, table, figure, accessible, type Child } from "../dom";
import { get, type ChipRecord, type Source } from "../api";
import type { View } from "../view";
import { index, chips, params, setParams, chipPicker, countryPicker, datePicker, statusBadge, statusOf, STATUS, policyText, loading, sourceLinks, legend } from "../ui";
import { clauseIndex } from "../rulesdata";

interface Basis { clause: string; title: string; citation: string; kind: string; secondary: boolean }
interface Measure { id: string; title: string; effect: string; policy: string; revenue_share: number | null; conditions: string[]; equivalents?: string; products_text?: string; sources: Source[] }
interface Comparison { text: string; evaluated: string; lhs: string; rhs: string; op: string; outcome: string }
interface TraceEntry { clause: string; kind: string; outcome: string; outcome_text: string; citation: string; basis: string; condition?: string; comparisons?: Comparison[]; destinations?: string; destination_in?: boolean | null }
interface Classification {
  chip: { id: string; name: string };
  query: { date: string; destination: string; destination_name: string; headquarters: string; headquarters_given: boolean; view: string };
  before_first_rule: boolean;
  controlled: string; controls: string[]; controls_undecided: string[];
  license_required: "yes" | "no" | "cannot-decide"; license_basis: Basis[];
  exceptions: { exception: string; title: string; clause: string; eligible: string; text: string }[]; exceptions_blocked: boolean;
  review_policy: string; review_clause: string | null; review_conditions: string[];
  measures: Measure[]; cannot_decide: string[];
  rules: { id: string; title: string; citation: string; status_text: string; applied: boolean }[];
  trace: TraceEntry[];
  disputed_figures?: { agreement: string; verdict: string; sources?: { label: string; tpp: number | null; pd: number | null; answer?: string }[] };
}
// The engine writes areas as "mm^2" (plain text for terminals); a page can show the superscript.
const squared = (s: string): string => s.replaceAll("^2", "²");

interface HeadroomRow { clause: string; metric: string; op: string; value: number; threshold: number; threshold_name: string; ratio: number; holds: string; unit: string }
interface TimelineEntry { from: string; status: string; code: string; license_required: "yes" | "no" | "cannot-decide"; review_policy: string; exceptions: string[]; changes: string[]; events: string[] }

export const chipView: View = {
  title: "Chip",
  blurb: "One chip, a date, a destination: the verdict clause by clause, headroom to each threshold, its timeline and its figures with sources.",
  async mount(main) {
    const [idx, list] = await Promise.all([index(), chips()]);
    const p = params();
    const chip = p.get("chip") ?? "nvidia-h20";
    const date = p.get("date") ?? idx.latest_date;
    const to = p.get("to") ?? "CN";
    const hq = p.get("hq") ?? "";
    main.append(
      h("h1", null, "Chip"),
      h("form", { class: "controls", onsubmit: (e: Event) => e.preventDefault() },
        chipPicker(list, chip, (v) => setParams({ chip: v })),
        countryPicker(idx, to, (v) => setParams({ to: v }), "Destination"),
        countryPicker(idx, hq, (v) => setParams({ hq: v }), "End user's headquarters", "same as the destination"),
        datePicker(idx, date, (v) => setParams({ date: v }))),
    );
    const out = h("div", { class: "results", "aria-live": "polite" });
    main.append(out);
    const clauses = clauseIndex();
    return async () => {
      const q = params();
      const args = { chip: q.get("chip") ?? chip, date: q.get("date") ?? date, to: q.get("to") ?? to, hq: q.get("hq") ?? "" };
      if (!out.firstChild) out.append(loading());
      const [c, room, tl, rec, cl] = await Promise.all([
        get<Classification>("classify", args),
        get<{ headroom: HeadroomRow[] }>("headroom", args),
        get<{ timeline: TimelineEntry[] }>("timeline", { chip: args.chip, to: args.to, hq: args.hq }),
        get<ChipRecord>("show", { chip: args.chip }),
        clauses,
      ]);
      clear(out, verdict(c), headroom(room.headroom), timeline(tl.timeline, args.date), trace(c, cl), figures(rec));
    };
  },
};

function clauseLink(id: string): HTMLElement {
  const rule = id.split("/")[0];
  return h("a", { href: `/rules?id=${rule}#${encodeURIComponent(id)}` }, id);
}

function verdict(c: Classification): HTMLElement {
  const q = c.query;
  const k = statusOf(c);
  const license: Child =
    c.license_required === "yes" ? ["License required", c.license_basis.length ? [" by ", c.license_basis.map((b, i) => [i ? ", " : "", clauseLink(b.clause), b.kind === "measure" ? " (a product-specific measure)" : ""])] : ""]
    : c.license_required === "no" ? "No license required"
    : "Cannot decide whether a license is required";
  const share = c.measures.find((m) => m.revenue_share !== null);
  const rows: [string, Child][] = [
    ["Controls", c.controls.length ? c.controls.join(", ") : c.controls_undecided.length ? `cannot decide whether ${c.controls_undecided.join(", ")} are met` : "outside 3A090: no control paragraph is met"],
    ["License", license],
    ["Exceptions", c.exceptions.length ? c.exceptions.map((x) => x.text).join("; ") : c.license_required === "no" ? "not needed" : c.exceptions_blocked ? "none: exceptions do not cover a license required by a product-specific measure" : "none applies"],
    ["Review policy", [c.review_policy === "none" ? "none (no license required)" : policyText(c.review_policy), c.review_clause ? [" (", clauseLink(c.review_clause), ")"] : "", c.review_conditions.length ? `; ${c.review_conditions.join("; ")}` : ""]],
  ];
  if (c.measures.length)
    rows.push(["Measures", h("ul", null, c.measures.map((m) => h("li", null, clauseLink(m.id), ": ", m.title, m.equivalents ? h("small", null, ` Equivalents: ${m.equivalents}.`) : null)))]);
  if (c.cannot_decide.length) rows.push(["Cannot decide", c.cannot_decide.join("; ")]);
  if (c.disputed_figures) rows.push(["Disputed figures", c.disputed_figures.verdict]);
  return h("section", { class: `verdict v-${k}`, "aria-labelledby": "verdict-h" },
    h("h2", { id: "verdict-h" }, c.chip.name, " to ", q.destination_name, " on ", q.date),
    h("p", { class: "verdict-line" }, statusBadge(c, c.license_required === "yes" ? `license required${share ? `; ${Math.round((share.revenue_share ?? 0) * 100)}% revenue share` : ""}` : STATUS[k].label)),
    h("p", { class: "query" }, `End user headquartered in ${q.headquarters}${q.headquarters_given ? "" : " (assumed: the destination)"}; ${q.view} view.`,
      c.before_first_rule ? " This date is before the first rule in the data." : ""),
    h("dl", { class: "facts" }, rows.map(([k2, v]) => [h("dt", null, k2), h("dd", null, v)])),
    h("details", null, h("summary", null, `Rules consulted (${c.rules.length})`),
      h("ul", null, c.rules.map((r) => h("li", null, h("a", { href: `/rules?id=${r.id}` }, r.id), ` ${r.status_text} [${r.citation}]`)))));
}

function headroom(rows: HeadroomRow[]): HTMLElement {
  if (rows.length === 0) return h("section", null, h("h2", null, "Headroom"), h("p", null, "No threshold of a rule in force applies on this date."));
  const data = rows.map((r) => ({ ...r, label: `${r.clause.split("/")[1]} ${r.metric} ${r.op} ${r.threshold_name}`, ratio: Math.min(r.ratio, 4) }));
  const chart = Plot.plot({
    // marginRight: room for the label after the longest bar ("182%").
    ...chartBox(640, 190), marginRight: 44, height: 24 * data.length + 40,
    x: { label: "value ÷ threshold", grid: true, domain: [0, Math.max(1.2, ...data.map((d) => d.ratio))], tickFormat: (d: number) => `${Math.round(d * 100)}%` },
    y: { label: null },
    marks: [
      Plot.barX(data, { y: "label", x: "ratio", fill: (d: HeadroomRow) => (d.holds === "yes" ? "#0072B2" : "#999999"), title: (d: HeadroomRow) => `${d.clause}: ${d.metric} ${fmtAgainst(d.value, d.threshold)} ${d.op} ${d.threshold_name} ${fmt(d.threshold)} (${pct(d.ratio)}); holds: ${d.holds}` }),
      Plot.ruleX([1], { stroke: "#000", strokeDasharray: "4,3" }),
      // A label that would sit on the dashed 100% line goes past it.
      Plot.text(data, { y: "label", x: (d: HeadroomRow) => (d.ratio >= 0.85 && d.ratio < 1 ? 1 : d.ratio), text: (d: HeadroomRow) => pct(d.ratio), dx: 4, textAnchor: "start", fontSize: 11 }),
    ],
  });
  accessible(chart, "Headroom bars: each metric as a share of its threshold; the dashed line is the threshold");
  return h("section", null, h("h2", null, "Headroom to each threshold"),
    figure("Value ÷ threshold for every threshold test of the rules in force (dark bars: the test holds)", chart,
      table("Headroom", ["clause", "metric", "value", "test", "threshold", "value ÷ threshold", "holds"],
        rows.map((r) => [clauseLink(r.clause), r.metric, fmtAgainst(r.value, r.threshold), `${r.op} ${r.threshold_name}`, fmt(r.threshold), pct(r.ratio), holdsText(r.holds)]), [2, 4, 5])));
}

function timeline(entries: TimelineEntry[], date: string): HTMLElement {
  const end = "2027-01-01";
  const data = entries.map((e, i) => ({ ...e, to: entries[i + 1]?.from ?? end, key: statusOf(e) }));
  const chart = Plot.plot({
    ...chartBox(640, 16), height: 90, marginRight: 24, // the last year's label fits
    x: { type: "utc", label: null },
    y: { axis: null },
    marks: [
      Plot.barX(data, { x1: (d) => new Date(d.from), x2: (d) => new Date(d.to), y: () => "status", fill: (d) => STATUS[d.key as keyof typeof STATUS].color, stroke: "#fff", title: (d) => `${d.from}: ${d.status}` }),
      Plot.ruleX([new Date(date)], { stroke: "#000", strokeWidth: 2 }),
      Plot.text([new Date(date)], { x: (d) => d, text: () => date, dy: -38, fontSize: 11 }),
    ],
  });
  accessible(chart, "Timeline bar: the chip's status over time; the black line is the chosen date");
  return h("section", null, h("h2", null, "Timeline to this destination"),
    legend(),
    figure("Status over time (colours as in the legend above; the line marks the chosen date)", chart,
      table("Timeline", ["from", "status", "changes", "because"], entries.map((e) => [e.from, e.status, e.changes.join("; "), e.events.join("; ")]))),
    h("ol", { class: "timeline" }, entries.map((e) => h("li", { class: e.from <= date ? "past" : "future" },
      h("time", { datetime: e.from }, e.from), " ", statusBadge(e, e.status), e.events.length ? h("p", null, e.events.join("; ")) : null))));
}

function trace(c: Classification, clauses: Map<string, { title: string; sources: Source[]; rule: { citation: string } }>): HTMLElement {
  return h("section", null, h("h2", null, "Trace: every clause evaluated"),
    c.trace.length === 0 ? h("p", null, "No clause was evaluated (no rule in force).") :
    h("ol", { class: "trace" }, c.trace.map((t) => {
      const info = clauses.get(t.clause);
      return h("li", { class: `t-${t.outcome}`, id: `trace-${t.clause}` },
        h("p", null, h("strong", null, clauseLink(t.clause)), ` [${t.kind}] → `, h("em", null, t.outcome_text), " ",
          info ? h("span", { class: "cite" }, "(", info.sources.map((s, i) => [i ? ", " : "", h("a", { href: s.url, rel: "noopener noreferrer", target: "_blank", title: s.title }, s.key ?? s.kind)]), `; ${t.citation})`) : `(${t.citation})`,
          t.basis === "secondary" ? h("small", null, " secondary source only") : null),
        info ? h("p", { class: "clause-title" }, info.title) : null,
        t.condition ? h("code", null, t.condition) : null,
        t.comparisons?.length ? h("ul", null, t.comparisons.map((x) => h("li", null,
          `${x.evaluated}: `, h("span", { class: `o-${x.outcome}` }, x.outcome)))) : null);
    })));
}

function figures(c: ChipRecord): HTMLElement {
  // metrics also holds tpp_precision, a word (the TPP row's "how" names the precision).
  const metricRows = Object.entries(c.metrics).filter(([, m]) => typeof m === "object" && m !== null).map(([, m]) => [m.title, m.value === null ? "unknown" : h("span", { class: "nowrap" }, `${fmt(m.value)} ${squared(m.unit)}`), squared(m.how ?? m.missing ?? ""), sourceLinks(m.sources, c.sources)]);
  const tp = Object.entries(c.throughput ?? {}).map(([k, f]) => [k, f.text ?? fmt(f.value), f.note ?? "", sourceLinks(f.sources, c.sources)]);
  return h("section", null, h("h2", null, "Figures and sources"),
    table("Export-control metrics", ["metric", "value", "how", "sources"], metricRows),
    tp.length ? table("Dense throughput by precision", ["precision", "rate", "note", "sources"], tp) : null,
    h("details", null, h("summary", null, `Sources (${Object.keys(c.sources).length})`),
      h("ul", null, Object.entries(c.sources).map(([k, s]) => h("li", null, `[${k}] `, h("a", { href: s.url, rel: "noopener noreferrer", target: "_blank" }, s.title), ` (${s.kind}${s.read ? `, read ${s.read}` : ""})`)))),
    h("p", null, h("a", { href: `/compare?chips=${c.id}` }, "Compare its serving performance"), " · ", h("a", { href: `/train?chips=${c.id}` }, "its training"), " · ", h("a", { href: `/design?base=${c.id}` }, "its compliant derivatives"), " · ", h("a", { href: `/api/v1/report?chip=${c.id}&to=${params().get("to") ?? "CN"}&date=${params().get("date") ?? ""}` }, "Dossier (one HTML file)")));
}
