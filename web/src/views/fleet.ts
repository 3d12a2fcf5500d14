// Fleets: what a file of cited shipment figures adds up to. Each row is classified on its own
// dates for its destination and end user; the counted rows add up to H100-equivalents by three
// yardsticks (TPP, decode and training throughput), the revenue shares the 2025 and 2026 measures
// set, and the time to train a reference run; a what-if classifies every row under one date's
// rules. The engine's `fleet` answer, drawn: nothing here is computed outside it.
import * as Plot from "@observablehq/plot";
import { h, clear, fmt, table, figure, field, select, accessible, chartBox, type Child } from "../dom";
import { get, post, type Source } from "../api";
import type { View } from "../view";
import { index, chips, chipNames, chipPicker, params, setParams, loading } from "../ui";

interface Range { value: number; low: number; high: number; unknown_units?: number }
type Measure = "units" | "tpp" | "memory_gb" | "bandwidth_gbps" | "power_mw" | "h100_eq_tpp" | "h100_eq_decode" | "h100_eq_train" | "train_pflops";
type Totals = Record<Measure, Range> & { rows: number };
interface Segment { first: string; last: string; fraction: number; license: string; status: string; measures: string[]; controls: string[]; review_policy: string }
interface Row {
  id: string; chip: string; buyer: string; first: string; last: string; date: string; destination: string; status: string; kind: string;
  counted: boolean; not_counted: string; derived: boolean; formula: string; note: string; quantity: Range;
  classification: Segment[]; values: Partial<Record<Measure, Range>>; sources: Source[];
  what_if?: { classification: Segment[]; newly_licensed: number; denied: number; freed: number };
}
interface ChipInfo { id: string; name: string; decode_deployment: string; decode_tokens_per_s_per_gpu: number | null; train_tokens_per_s_per_gpu: number | null; mfu: number | null; train_layout: string }
interface Share { measure: string; share: number; rows: number; units: number; owed: Range; currency: string; rows_without_price: number }
type WhatIfPart = Totals;
interface Answer {
  file: string; title: string; view: string; count: string[]; reference: ChipInfo; notes: string[];
  rows: Row[]; totals: Totals; by_chip: { key: string; totals: Totals }[]; by_license: { key: string; totals: Totals }[];
  revenue_share: Share[]; workloads: { decode: string; training: string };
  time_to_train: { run: string; days: Range; pflops: Range; unknown_units: number } | null;
  what_if: { description: string; needs_license: WhatIfPart; denial: WhatIfPart; freed: WhatIfPart; undecided: WhatIfPart; rows_needing_license: string[]; rows_denied: string[] } | null;
  chart: { yardstick: string; title: string; y_label: string; dates: string[]; families: { family: string; values: number[] }[]; what_if: number[] | null; unknown_units: number };
}

const STATUSES = ["shipped", "produced", "ordered", "approved", "planned", "blocked"];
const D = { count: ["shipped", "produced"], chart: "tpp", view: "enforced", reference: "nvidia-h100-sxm" };

// The totals' measures, named as the CLI names them.
const MEASURES: [Measure, string][] = [
  ["units", "units"], ["tpp", "TPP"], ["memory_gb", "memory (GB)"], ["bandwidth_gbps", "memory bandwidth (GB/s)"],
  ["power_mw", "power at TDP (MW)"], ["h100_eq_tpp", "H100-eq (TPP)"], ["h100_eq_decode", "H100-eq (decode)"],
  ["h100_eq_train", "H100-eq (training)"], ["train_pflops", "training PFLOP/s at modelled MFU"],
];

// A range as the CLI writes it: the value, then (low – high) when they differ; "?" when no unit
// of the group has the figure, "+?" when some lack it.
function range(r: Range | undefined, digits = 0): string {
  if (!r) return "?";
  const f = (x: number) => (digits ? x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : fmt(Math.round(x)));
  const unknown = r.unknown_units ?? 0;
  if (unknown > 0 && r.value === 0 && r.high === 0) return "?";
  const body = r.low === r.high ? f(r.value) : `${f(r.value)} (${f(r.low)} – ${f(r.high)})`;
  return unknown > 0 ? `${body} +?` : body;
}

const licenseText = (l: string): string => l.replaceAll("-", " ");

// A row's license over its period: "no", or "no → yes from 2023-11-17" where it changes.
function licenseOver(segments: Segment[]): string {
  const parts: string[] = [];
  let last = "";
  for (const s of segments) {
    if (s.license === last) continue;
    parts.push(parts.length ? `${licenseText(s.license)} from ${s.first}` : licenseText(s.license));
    last = s.license;
  }
  return parts.join(" → ") || "–";
}

// A shipments file from the user's computer: its text stays in this page (POSTed with each
// question), the URL names it (own=NAME) so that a reload can say to choose it again.
let own: { name: string; text: string } | null = null;

export const fleetView: View = {
  title: "Fleets",
  blurb: "What cited shipments add up to: each row classified on its own dates, totals in H100-equivalents, revenue shares owed, and what another rule would have required.",
  async mount(main) {
    const [idx, list] = await Promise.all([index(), chips()]);
    const p = params();
    const fleets = idx.fleets ?? [];
    const fileField = field("Shipments file", select(fleets.map((f) => ({ value: f.id, label: `${f.title} (${f.rows} rows)` })), p.get("fleet") ?? fleets[0]?.id ?? "", (v) => setParams({ fleet: v, own: null })));
    fileField.classList.add("wide");  // a long title: its own line on a phone
    const upload = h("input", { type: "file", accept: ".csv,.toml,text/csv",
      onchange: async () => {
        const f = upload.files?.[0];
        if (!f) return;
        own = { name: f.name, text: await f.text() };
        setParams({ own: f.name });
      } }) as HTMLInputElement;
    const ownField = field("Or a file of your own (.csv or .toml)", upload, "read in this page and sent to the engine; the format: docs/data-format.md, \"Shipment files\"");
    const moved = h("input", { type: "text", value: p.getAll("set").join(", "), placeholder: "tpp_a=2000", size: 24,
      onchange: () => setParams({ set: moved.value.split(",").map((x) => x.trim()).filter(Boolean) }) }) as HTMLInputElement;
    const asOf = h("input", { type: "date", value: p.get("as_of") ?? "", min: "2015-01-01", max: "2035-12-31",
      onchange: () => setParams({ as_of: asOf.value || null }) }) as HTMLInputElement;
    const counted = p.getAll("count").length ? p.getAll("count") : D.count;
    // At least one status stays ticked: a total of no rows answers nothing.
    const toggle = (box: HTMLInputElement, s: string) => {
      const now = new Set(params().getAll("count").length ? params().getAll("count") : D.count);
      if (box.checked) now.add(s); else now.delete(s);
      if (now.size === 0) { box.checked = true; return; }
      setParams({ count: STATUSES.filter((x) => now.has(x)) });
    };
    const boxes = h("fieldset", { class: "field checks" }, h("legend", null, "Rows counted in totals (status)"),
      h("div", { class: "row" }, STATUSES.map((s) => h("label", null, h("input", { type: "checkbox", checked: counted.includes(s), onchange: (e: Event) => toggle(e.target as HTMLInputElement, s) }), ` ${s}`))));
    main.append(h("h1", null, "Fleets: what shipments add up to"));
    if (fleets.length === 0) main.append(h("p", { class: "note" }, "The data has no shipments files (data/fleets): choose one of your own."));
    main.append(h("form", { class: "controls", onsubmit: (e: Event) => e.preventDefault() },
        fileField,
        ownField,
        boxes,
        field("Chart", select([{ value: "tpp", label: "H100-equivalents by TPP" }, { value: "decode", label: "H100-equivalents by decode throughput" }, { value: "train", label: "H100-equivalents by training throughput" }], p.get("chart") ?? D.chart, (v) => setParams({ chart: v }))),
        field("Rules", select([{ value: "enforced", label: "as BIS enforces them" }, { value: "text", label: "as the texts read" }], p.get("view") ?? D.view, (v) => setParams({ view: v }))),
        chipPicker(list, p.get("reference") ?? D.reference, (v) => setParams({ reference: v }), "One H100-equivalent is"),
        field("What-if: every row under the rules of", asOf, "any date; empty for none"),
        field("What-if: rule parameters moved", moved, "NAME=VALUE or RULE.NAME=VALUE, comma-separated (the Rules page lists them)")),
      h("p", { class: "note" }, "Each row's units ship evenly over its period. Totals count the rows whose status is ticked and that do not restate another row; H100-equivalents by throughput come from the performance model (the workloads are named under the totals)."));
    const out = h("div", { class: "results", "aria-live": "polite" }, loading());
    main.append(out);
    return async () => {
      const q = params();
      const a = { count: q.getAll("count").length ? q.getAll("count") : D.count, chart: q.get("chart") ?? D.chart, view: q.get("view") ?? D.view, reference: q.get("reference") ?? D.reference, as_of: q.get("as_of"), set: q.getAll("set") };
      if (!out.querySelector(".loading")) out.prepend(loading());
      const wanted = q.get("own");
      const mine = wanted !== null && own !== null && own.name === wanted ? own : null;
      // POST: the body carries the file's text; the other fields as the GET would send them.
      const body = Object.fromEntries(Object.entries(a).filter(([, v]) => v !== null && !(Array.isArray(v) && !v.length)));
      if (!mine && !fleets.length) { clear(out); return; }
      const r = mine ? await post<Answer>("fleet", { ...body, shipments: { toml: mine.text, name: mine.name } })
        : await get<Answer>("fleet", { ...a, fleet: q.get("fleet") ?? fleets[0].id });
      clear(out,
        wanted !== null && !mine ? h("p", { class: "warning", role: "status" }, `${wanted} was a file from your computer, which a link cannot carry: choose it again above. Showing the data's file.`) : null,
        mine ? h("p", { class: "note" }, `Your file ${mine.name}, read in this page. `,
          h("button", { type: "button", onclick: () => { own = null; upload.value = ""; setParams({ own: null }); } }, "Back to the data's file")) : null,
        draw(r, chipNames(list)));
    };
  },
};

function chart(r: Answer): HTMLElement {
  const c = r.chart;
  const final = (f: { values: number[] }) => f.values[f.values.length - 1] ?? 0;
  // Largest family at the bottom, as the CLI's SVG stacks them.
  const order = [...c.families].sort((a, b) => final(b) - final(a) || a.family.localeCompare(b.family)).map((f) => f.family);
  const points = c.families.flatMap((f) => c.dates.map((d, i) => ({ date: new Date(d), family: f.family, v: f.values[i] })));
  const total = c.dates.map((d, i) => ({ date: new Date(d), v: c.families.reduce((s, f) => s + f.values[i], 0) }));
  const whatIf = c.what_if ? c.dates.map((d, i) => ({ date: new Date(d), v: c.what_if![i] })) : [];
  // No vermillion among the families: it is the what-if line's.
  const colours = ["#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#999999", "#E69F00", "#000000"];
  const plot = Plot.plot({
    ...chartBox(760, 80), height: 320, marginRight: 20,
    x: { label: null, type: "utc" }, y: { label: `${c.y_label} ↑`, grid: true },
    color: { domain: order, range: colours.slice(0, order.length), legend: true },
    marks: [
      Plot.areaY(points, Plot.stackY({ x: "date", y: "v", fill: "family", order, fillOpacity: 0.8, title: (d: { family: string; v: number }) => `${d.family}: ${fmt(Math.round(d.v))}` })),
      Plot.lineY(total, { x: "date", y: "v", stroke: "black", strokeWidth: 1.5 }),
      whatIf.length ? Plot.lineY(whatIf, { x: "date", y: "v", stroke: "#D55E00", strokeWidth: 2, strokeDasharray: "6,4" }) : null,
      Plot.ruleY([0]),
    ],
  });
  accessible(plot, `${c.title}: ${c.families.map((f) => `${f.family} ${fmt(Math.round(final(f)))}`).join(", ")}`);
  const headers = ["date", ...c.families.map((f) => f.family), "total", ...(c.what_if ? ["what-if"] : [])];
  const rows = c.dates.map((d, i) => [d, ...c.families.map((f) => fmt(Math.round(f.values[i]))), fmt(Math.round(total[i].v)), ...(c.what_if ? [fmt(Math.round(c.what_if[i]))] : [])]);
  const note: Child = [
    "Black line: the total. ",
    c.what_if ? "Dashed line: what would have shipped without the rows the what-if newly requires a license for. " : null,
    c.unknown_units > 0 ? `${fmt(c.unknown_units)} counted units have no figure for this yardstick and are left out. ` : null,
  ];
  return figure(c.title, plot, table(c.title, headers, rows, headers.map((_, i) => i).slice(1)), note);
}

function draw(r: Answer, names: Map<string, string>): HTMLElement {
  const name = (id: string) => names.get(id) ?? id;
  const chipLink = (id: string) => h("a", { href: `/chip?chip=${encodeURIComponent(id)}` }, name(id));
  const countedRows = r.rows.filter((x) => x.counted).length;
  const restating = r.rows.filter((x) => x.not_counted.startsWith("restates")).length;
  const ref = r.reference;
  const summary = h("p", { class: "summary" },
    `${r.title} (${r.file}). ${r.rows.length} rows; ${countedRows} counted in totals (status ${r.count.join(", ")})${restating ? `; ${restating} restate other rows` : ""}. Rules ${r.view === "text" ? "as the texts read" : "as BIS enforces them"}. One H100-equivalent is one `, chipLink(ref.id),
    `: ${fmt(ref.decode_tokens_per_s_per_gpu)} output tokens/s per GPU (${ref.decode_deployment}), ${fmt(ref.train_tokens_per_s_per_gpu)} training tokens/s per GPU (${ref.train_layout}).`);
  const totals = table(`Totals over the ${countedRows} counted rows`, ["measure", "value", "low", "high", "units without it"],
    MEASURES.map(([k, label]) => {
      const t = r.totals[k];
      const digits = k === "power_mw" ? 2 : 0;
      const f = (x: number) => (digits ? x.toFixed(digits) : fmt(Math.round(x)));
      return [label, f(t.value), f(t.low), f(t.high), t.unknown_units ? fmt(t.unknown_units) : ""];
    }), [1, 2, 3, 4]);
  const workloads = h("p", { class: "note" }, `Decode yardstick: ${r.workloads.decode}. Training yardstick: ${r.workloads.training}.`);
  const byChip = table("By chip (counted rows)", ["chip", "rows", "units", "H100-eq TPP", "H100-eq decode", "H100-eq training"],
    r.by_chip.map((g) => [chipLink(g.key), g.totals.rows, range(g.totals.units), range(g.totals.h100_eq_tpp), range(g.totals.h100_eq_decode), range(g.totals.h100_eq_train)]), [1, 2, 3, 4, 5]);
  const byLicense = table("By license status on the day of shipment (counted rows)", ["license required", "rows", "units", "H100-eq TPP"],
    r.by_license.map((g) => [licenseText(g.key), g.totals.rows, range(g.totals.units), range(g.totals.h100_eq_tpp)]), [1, 2, 3]);
  const shares = r.revenue_share.length ? table("Revenue share owed under product-specific measures (counted rows)", ["measure", "share", "rows", "units", "owed", "rows without a price"],
    r.revenue_share.map((s) => [s.measure, `${Math.round(s.share * 100)}%`, s.rows, fmt(Math.round(s.units)), `${range(s.owed)}${s.currency ? ` ${s.currency}` : ""}`, s.rows_without_price]), [1, 2, 3, 4, 5]) : null;
  const ttt = r.time_to_train;
  const train = ttt ? h("p", null, h("strong", null, `Time to train ${ttt.run} on the counted fleet: `),
    `${range(ttt.days, 2)} days at ${range(ttt.pflops)} PFLOP/s (each chip at its modelled MFU; no scale-out losses)`,
    ttt.unknown_units ? `; ${fmt(ttt.unknown_units)} counted units left out, their training rate unknown.` : ".") : null;
  const w = r.what_if;
  const whatIf = w ? h("section", null, h("h2", null, `What-if: ${w.description}`),
    table("What the what-if changes (counted rows)", ["rows", "count", "units", "H100-eq TPP", "H100-eq decode"],
      ([["would have needed a license", w.needs_license], ["of which presumption of denial", w.denial], ["needed one, would not have", w.freed], ["the what-if cannot decide", w.undecided]] as [string, WhatIfPart][])
        .map(([label, t]) => [label, t.rows, range(t.units), range(t.h100_eq_tpp), range(t.h100_eq_decode)]), [1, 2, 3, 4]),
    h("p", null, `Rows that would have needed a license: ${w.rows_needing_license.join(", ") || "none"}. Facing a presumption of denial: ${w.rows_denied.join(", ") || "none"}.`)) : null;
  const rows = table("Rows: each classified on its own dates", ["#", "id", "period", "chip", "buyer", "status", "units", "in totals", "license over the period", ...(w ? ["under the what-if"] : []), "sources"],
    r.rows.map((x, i) => [
      i + 1, h("span", { title: x.note }, x.id), x.first === x.last ? x.first : `${x.first} – ${x.last}`, chipLink(x.chip), x.buyer || "–", `${x.status} (${x.kind})`,
      `${range(x.quantity)}${x.derived ? " d" : ""}`, x.counted ? "yes" : `no: ${x.not_counted}`, licenseOver(x.classification),
      ...(w ? [x.what_if ? licenseOver(x.what_if.classification) : "–"] : []),
      h("span", { class: "sources" }, x.sources.map((s, j) => [j ? " " : "", h("a", { href: s.url, title: s.title, rel: "noopener noreferrer", target: "_blank" }, `[${s.key ?? j + 1}]`)])),
    ]), [0, 6]);
  return h("div", null, summary, r.notes.length ? h("ul", { class: "notes" }, r.notes.map((n) => h("li", null, n))) : null,
    chart(r), totals, workloads, train, byChip, byLicense, shares, whatIf, rows,
    h("p", { class: "note" }, "d: units derived from a revenue figure and a cited unit price (the row's formula). Hover a row's id for its note; every figure links to its source."));
}
