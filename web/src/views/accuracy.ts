// Accuracy: how far the performance model lies from published measurements it was not fitted on
// (the engine's `validate`): error per chip, engine and model family, leave-one-chip-out, the
// 90% bands' coverage and width per chip, and how far repeat measurements lie apart.
import * as Plot from "@observablehq/plot";
import { h, clear, fmt, table, figure, accessible, chartBox, type Child } from "../dom";
import { get } from "../api";
import { chips, chipNames } from "../ui";
import type { View } from "../view";

interface Stats { count: number; median_pct: number; p90_pct: number }
const METRICS = ["ttft", "tpot", "throughput", "train_step"] as const;
type Metric = (typeof METRICS)[number];
const LABEL: Record<Metric, string> = { ttft: "TTFT", tpot: "TPOT", throughput: "throughput", train_step: "train step" };
type Row = { group: string } & Record<Metric, Stats>;
type Loco = { chip: string } & Record<Metric, { loco: Stats; in_sample: Stats }>;
interface ChipBand { chip: string; metric: string; count: number; coverage: number; median_width: number }
interface Band { basis: string; metric: string; regime: string; slice?: unknown; count: number; coverage: number; low?: number; high?: number }
interface Validation {
  rows: { csv: number; published_points: number; fit: number; held_out: number; repaired: number; excluded: number };
  excluded: { count: number; reason: string }[];
  overall: Row[]; per_chip: Row[]; per_engine: Row[]; per_model_family: Row[];
  leave_one_chip_out: Loco[]; repeat_measurements: Row[]; bands_per_chip: ChipBand[]; bands: Band[];
  calibration: string;
}

const n = (x: number): string => x.toLocaleString("en-US");
// One decimal, as `ceiling validate` prints them.
const pct1 = (x: number): string => x.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
// "median / p90 (count)" of a metric's absolute % errors; "–" where nothing was measured.
const cell = (s: Stats | undefined): string =>
  s && s.count > 0 ? `${pct1(s.median_pct)} / ${pct1(s.p90_pct)} (${s.count})` : "–";

// The serving engines as their projects spell them (the engine's ids: vllm, sglang, trtllm).
const ENGINE: Record<string, string> = { vllm: "vLLM", sglang: "SGLang", trtllm: "TensorRT-LLM" };

// A chip by its name, linked to its page; the engine's id where the catalog has no such chip.
type Names = Map<string, string>;
const chipCell = (names: Names, id: string): Child =>
  names.has(id) ? h("a", { href: `/chip?chip=${encodeURIComponent(id)}` }, names.get(id) as string) : id;

function errorTable(caption: string, first: string, rows: Row[], metrics: readonly Metric[] = METRICS,
                    label: (group: string) => Child = (g) => g): HTMLElement {
  const shown = metrics.filter((m) => rows.some((r) => r[m]?.count > 0));
  return table(caption, [first, ...shown.map((m) => LABEL[m])], rows.map((r) => [label(r.group), ...shown.map((m) => cell(r[m]))]), shown.map((_, i) => i + 1));
}

// Median error per chip and serving metric, one dot per metric.
// The chart's axis labels the chips by their names without the bracketed detail ("NVIDIA B300"
// of "NVIDIA B300 (HGX B300, Blackwell Ultra SXM)"), unless two chips would then share one.
function chipChart(rows: Row[], names: Names): Element {
  const full = (id: string): string => names.get(id) ?? id;
  const short = new Map(rows.map((r) => [r.group, full(r.group).split(" (")[0]]));
  const unique = new Set(short.values()).size === rows.length;
  const label = (id: string): string => (unique ? (short.get(id) as string) : full(id));
  const data = rows.flatMap((r) => (["ttft", "tpot", "throughput"] as const)
    .filter((m) => r[m].count > 0).map((m) => ({ chip: label(r.group), metric: LABEL[m], v: r[m].median_pct, n: r[m].count })));
  const chart = Plot.plot({
    ...chartBox(600, 150), height: 60 + 34 * rows.length, marginRight: 20,
    x: { label: "median absolute error (%)", grid: true, domain: [0, Math.max(...data.map((d) => d.v), 10) * 1.08] },
    y: { label: null }, color: { domain: ["TTFT", "TPOT", "throughput"], range: ["#D55E00", "#0072B2", "#009E73"] },
    symbol: { legend: true, domain: ["TTFT", "TPOT", "throughput"], range: ["circle", "square", "triangle"] },
    marks: [
      Plot.ruleY(data, { y: "chip", stroke: "#eee" }),
      // One row of dots per metric within a chip's band, so that close values stay apart.
      ...(["TTFT", "TPOT", "throughput"] as const).map((m, i) => Plot.dot(data.filter((d) => d.metric === m), {
        y: "chip", x: "v", dy: (i - 1) * 7, stroke: "metric", fill: "metric", symbol: "metric", r: 4.5,
        title: (d: { chip: string; metric: string; v: number; n: number }) => `${d.chip} ${d.metric}: ${pct1(d.v)}% (${d.n} rows)`,
      })),
    ],
  });
  return accessible(chart, "Median absolute error of TTFT, TPOT and throughput on each chip's held-out measurements");
}

// The regimes a prediction's band is chosen by, in words (docs/perf.md section 2).
const REGIMES: [string, string][] = [
  ["small_batch", "small batch: at most 16 decode sequences per attention rank"],
  ["large_batch", "large batch: more than 16"],
  ["queued", "queued: clients wait for KV-cache room (TTFT only)"],
  ["disaggregated", "disaggregated: prefill and decode on separate workers"],
  ["contended", "contended: the prompt's own iterations are under a tenth of its TTFT; the rest is waiting behind other clients' work and the engine's fitted costs"],
  ["offline", "offline: a batch of requests queued at once, served until the last is done (throughput of the published runs)"],
];

// Each regime's band for chips with measurements of their own, per metric: "low–high× (coverage,
// rows)"; the engine-and-model slices within a regime are in the API's answer.
function regimeTable(bands: Band[]): HTMLElement {
  const cellOf = (regime: string, metric: string): string => {
    const b = bands.find((x) => x.basis === "profiled" && x.regime === regime && x.metric === metric && !x.slice);
    if (!b || b.low === undefined || b.high === undefined) return "–";
    return `${fmt(b.low, 2)}–${fmt(b.high, 3)}× (${pct1(b.coverage * 100)}%, ${n(b.count)})`;
  };
  return table("90% band per regime: prediction × low–high (coverage, held-out rows)", ["regime", "TTFT", "TPOT", "throughput"],
    REGIMES.map(([r, label]) => [label, cellOf(r, "ttft"), cellOf(r, "tpot"), cellOf(r, "throughput")]), [1, 2, 3]);
}

function draw(v: Validation, names: Names): HTMLElement {
  const chip = (id: string): Child => chipCell(names, id);
  const serving = v.per_chip.filter((r) => r.ttft.count + r.tpot.count + r.throughput.count > 0);
  const locoTable = table("Leave-one-chip-out: fitted without the chip, against the full fit", ["chip", "rows", "TTFT without the chip", "TTFT with it", "TPOT without the chip", "TPOT with it"],
    v.leave_one_chip_out.map((l) => [chip(l.chip), String(l.tpot.loco.count), cell(l.ttft.loco), cell(l.ttft.in_sample), cell(l.tpot.loco), cell(l.tpot.in_sample)]), [1, 2, 3, 4, 5]);
  const bandChips = [...new Set(v.bands_per_chip.map((b) => b.chip))];
  const band = (chip: string, metric: string): string => {
    const b = v.bands_per_chip.find((x) => x.chip === chip && x.metric === metric);
    return b ? `${pct1(b.coverage * 100)}% / ${fmt(b.median_width, 3)}× (${b.count})` : "–";
  };
  const bandTable = table("90% bands per calibrated chip: coverage / median width high ÷ low (rows)", ["chip", "TTFT", "TPOT", "throughput"],
    bandChips.map((c) => [chip(c), band(c, "ttft"), band(c, "tpot"), band(c, "throughput")]), [1, 2, 3]);
  const excluded: Child = h("details", null, h("summary", null, `${n(v.rows.excluded)} rows left out, and why`),
    h("ul", null, v.excluded.map((e) => h("li", null, `${n(e.count)}: ${e.reason}`))));
  return h("div", null,
    h("p", { class: "summary" },
      `${n(v.rows.held_out)} held-out rows of NVIDIA's aiconfigurator measurements (of ${n(v.rows.csv)}: split by sweep, ${n(v.rows.fit)} fitted) and ${n(v.rows.published_points)} published points the model is never fitted on. `,
      "Cells: absolute error in %, median / 90th percentile (rows). Calibration: ", v.calibration, "."),
    errorTable("Held-out error", "set", v.overall),
    figure("Median error per chip (held-out rows)", chipChart(serving, names), errorTable("Per chip", "chip", v.per_chip, METRICS, chip)),
    h("h2", null, "Per chip, engine and model family"),
    errorTable("Per chip", "chip", v.per_chip, METRICS, chip),
    errorTable("Per serving engine", "engine", v.per_engine, ["ttft", "tpot", "throughput"], (g) => ENGINE[g] ?? g),
    errorTable("Per model family", "model family", v.per_model_family),
    h("h2", null, "A chip the model never saw"),
    h("p", null, "Each chip left out of the fit in turn: its held-out rows predicted from the other chips of its family, beside the same rows under the full fit. A chip without measurements of its own gets its band from this error."),
    locoTable,
    h("h2", null, "Bands"),
    h("p", null, "Every prediction comes with a 90% band, the model's measured error in its regime. Coverage is the share of held-out rows inside the band they get, judged by a band set on the other half of the rows. Where validation had enough rows of one serving engine and kind of model (dense or MoE) in a regime, their own band replaces the regime's."),
    regimeTable(v.bands),
    bandTable,
    h("h2", null, "How far repeat measurements lie apart"),
    h("p", null, "Configurations measured more than once, in pairs (larger ÷ smaller − 1, in %). On one engine version the spread is the runs' noise and any setting the export does not record; across versions the engine changed too, and the model does not see versions."),
    errorTable("Repeat measurements", "pairs of measurements", v.repeat_measurements, ["ttft", "tpot", "throughput"]),
    excluded,
    h("p", { class: "note" }, "The same figures as the command ceiling validate and the API's ", h("a", { href: "/api/v1/validate" }, "/api/v1/validate"), "; docs/perf.md section 5 explains each of them."));
}

export const accuracyView: View = {
  title: "Accuracy",
  blurb: "How far the performance model lies from published measurements it was not fitted on: per chip, engine and model, a chip it never saw, its bands, and the data's own noise.",
  async mount(main) {
    main.append(h("h1", null, "How accurate is the performance model?"));
    const out = h("div", { class: "results", "aria-live": "polite" },
      h("p", { class: "loading", role: "status" }, "Fitting the model to half of the measurements and checking it on the other half (a few seconds)…"));
    main.append(out);
    return async () => {
      const [v, list] = await Promise.all([get<Validation>("validate"), chips()]);
      clear(out, draw(v, chipNames(list)));
    };
  },
};
