// Compare: the same serving workload on several chips: TTFT, TPOT and output tokens/s per GPU
// with their 90% bands drawn, memory fit, and what bounds each step.
import * as Plot from "@observablehq/plot";
import { h, clear, fmt, table, figure, field, select, accessible, chartBox } from "../dom";
import { get } from "../api";
import type { View } from "../view";
import { index, chips, chipNames, leftOut, params, setParams, chipOptions, modelOptions, loading, chipNotes } from "../ui";

interface Band { low: number | null; high: number | null }
interface Layout { tp: number; pp: number; ep: number; dp_attn: number; instances: number }
interface Step { total_ms: number; bound: string }
interface ChipPerf {
  chip: string; fits: boolean; does_not_fit?: string | null; ttft_ms: number | null; tpot_ms: number | null; output_tokens_per_s_per_gpu: number | null;
  memory_per_gpu_bytes: number | null; memory: { capacity_bytes: number }; parallelism: Layout;
  disaggregation?: { prefill: Layout; decode: Layout } | null;
  uncertainty: { basis: string; regime: string; regime_tpot_throughput: string; ttft_ms: Band; tpot_ms: Band; output_tokens_per_s_per_gpu: Band } | null;
  reference: { prefill_step: Step; decode_step: Step } | null; breakdown: { prefill_step: Step; decode_step: Step } | null;
  notes: string[]; ratio_to_first: { output_tokens_per_s_per_gpu: number | null } | null; workload: { concurrency: number };
  latency_parts_ms?: { ttft: Record<string, number>; tpot: Record<string, number> };
}

// "TP1 DP-attn8 EP8": a worker's or an instance's layout.
const layoutText = (l: Layout): string => `TP${l.tp}${l.pp > 1 ? ` PP${l.pp}` : ""}${l.ep > 1 ? ` EP${l.ep}` : ""}${l.dp_attn > 1 ? ` DP-attn${l.dp_attn}` : ""}`;
// Aggregated: the instance's layout × instances; disaggregated: each kind of worker × its count.
const deploymentText = (d: ChipPerf): string => {
  const g = d.disaggregation;
  return g ? `${g.prefill.instances} prefill × ${layoutText(g.prefill)} + ${g.decode.instances} decode × ${layoutText(g.decode)}` : `${layoutText(d.parallelism)} × ${d.parallelism.instances}`;
};

// Where a request's TTFT goes, as the engine splits it (perf serve's latency_parts_ms).
const TTFT_PARTS: [string, string, string][] = [
  ["waiting", "waiting for the running iteration and the prompts ahead", "#E69F00"],
  ["prefill", "iterations carrying the prompt", "#0072B2"],
  ["kv_transfer", "KV cache to the decode worker", "#56B4E9"],
  ["request", "engine, per request and per client (fitted)", "#999999"],
  ["slot", "waiting for a KV-cache slot", "#D55E00"],
];

// A chip's milliseconds in one of TTFT_PARTS (the fixed costs per request and per client as one).
const partMs = (d: ChipPerf, k: string): number => {
  const t = d.latency_parts_ms?.ttft ?? {};
  return k === "request" ? (t.request ?? 0) + (t.clients ?? 0) : (t[k] ?? 0);
};

function partsChart(data: ChipPerf[], name: (chip: string) => string): SVGSVGElement | HTMLElement {
  const rows = data.filter((d) => d.latency_parts_ms).flatMap((d) => TTFT_PARTS.map(([k, label]) => ({ chip: name(d.chip), part: label, v: partMs(d, k) })))
    .filter((r) => r.v > 0);
  const shown = TTFT_PARTS.filter(([, l]) => rows.some((r) => r.part === l));  // the legend's
  const chart = Plot.plot({
    ...chartBox(640, 160), height: 60 + 34 * data.length, marginRight: 20,
    x: { label: "TTFT (ms) →", grid: true }, y: { label: null, domain: data.map((d) => name(d.chip)) },
    color: { domain: shown.map(([, l]) => l), range: shown.map(([, , c]) => c), legend: true },
    marks: [Plot.barX(rows, Plot.stackX({ y: "chip", x: "v", fill: "part", title: (r: { part: string; v: number }) => `${r.part}: ${fmt(r.v)} ms`, order: TTFT_PARTS.map(([, l]) => l) }))],
  });
  return accessible(chart, "Each chip's TTFT split into waiting, the prompt's iterations, the engine's fixed costs and the wait for a slot");
}

const PRESETS: Record<string, Record<string, string | string[]>> = {
  "H20 vs H100 vs H200 vs Ascend 910C, DeepSeek-R1": { chips: ["nvidia-h20", "nvidia-h100-sxm", "nvidia-h200-sxm", "huawei-ascend-910c"], model: "deepseek-r1", gpus: "8", isl: "4096", osl: "1536", concurrency: "64" },
  "H20 vs H100 vs H200, DeepSeek-R1 on 16 GPUs": { chips: ["nvidia-h20", "nvidia-h100-sxm", "nvidia-h200-sxm"], model: "deepseek-r1", gpus: "16", isl: "4096", osl: "1536", concurrency: "128" },
  "H20 vs H100, Llama 3.1 70B": { chips: ["nvidia-h20", "nvidia-h100-sxm"], model: "llama-3.1-70b", gpus: "8", isl: "2048", osl: "512", concurrency: "32" },
};
const DEFAULTS = PRESETS["H20 vs H100 vs H200 vs Ascend 910C, DeepSeek-R1"];
// The engines the model is calibrated for (the API refuses others) and the `--precision` formats.
const ENGINES = [{ value: "", label: "(none: their common defaults)" }, { value: "vllm", label: "vLLM" }, { value: "sglang", label: "SGLang" }, { value: "trtllm", label: "TensorRT-LLM" }];
const FORMATS = ["fp8", "fp4", "bf16", "int4", "int8"].map((f) => ({ value: f, label: f }));

export const compareView: View = {
  title: "Compare",
  blurb: "The same LLM serving workload on several chips: TTFT, TPOT and throughput per GPU with uncertainty bands, memory fit, what bounds each step.",
  async mount(main) {
    const [idx, list] = await Promise.all([index(), chips()]);
    const p = params();
    const val = (k: string) => p.get(k) ?? (DEFAULTS[k] as string);
    const chosen = p.getAll("chips").length ? p.getAll("chips") : (DEFAULTS.chips as string[]);
    const opts = [{ value: "", label: "(none)" }, ...chipOptions(list)];
    const num = (k: string, label: string, attrs: Record<string, string | number> = { min: 1, value: val(k) }) => {
      const i = h("input", { type: "number", ...attrs, onchange: () => setParams({ [k]: i.value }) }) as HTMLInputElement;
      return field(label, i);
    };
    // Latency targets are optional: with one, each chip's best deployment meeting it is searched
    // (up to the clients given), and a chip that cannot meet it shows its nearest with a note.
    const target = (k: string, label: string) => num(k, label, { min: 0, step: "any", placeholder: "none", value: p.get(k) ?? "" });
    const setChip = (i: number, v: string) => {
      const now = [...(params().getAll("chips").length ? params().getAll("chips") : chosen)];
      now[i] = v;
      setParams({ chips: now.filter(Boolean) });
    };
    main.append(h("h1", null, "Compare chips on a serving workload"),
      h("form", { class: "controls", onsubmit: (e: Event) => e.preventDefault() },
        field("Preset", select([{ value: "", label: "choose a preset…" }, ...Object.keys(PRESETS).map((k) => ({ value: k, label: k }))], "", (v) => {
          if (PRESETS[v]) { setParams(PRESETS[v]); void remount(main); }
        })),
        [0, 1, 2, 3].map((i) => field(`Chip ${i + 1}`, select(opts, chosen[i] ?? "", (v) => setChip(i, v)))),
        field("Model", select(modelOptions(idx), val("model"), (v) => setParams({ model: v }))),
        // The engine sets the scheduler defaults, the memory it keeps back (and how it holds
        // sliding-window layers' KV cache) and its fitted overheads; none: their common defaults.
        field("Engine", select(ENGINES, p.get("engine") ?? "", (v) => setParams({ engine: v || null }))),
        field("GEMM format", select(FORMATS, p.get("precision") ?? "fp8", (v) => setParams({ precision: v === "fp8" ? null : v }))),
        num("gpus", "GPUs"), num("isl", "Input tokens"), num("osl", "Output tokens"), num("concurrency", "Concurrent clients"),
        target("sla_tpot", "TPOT target (ms)"), target("sla_ttft", "TTFT target (ms)"),
        num("prefill_workers", "Prefill workers (0: aggregated)", { min: 0, value: p.get("prefill_workers") ?? "0" }),
        num("decode_workers", "Decode workers", { min: 1, value: p.get("decode_workers") ?? "1" }),
        num("prefill_gpus", "GPUs per prefill worker", { min: 1, placeholder: "even split", value: p.get("prefill_gpus") ?? "" })),
      h("p", { class: "note" }, "With a TPOT or TTFT target, each chip gets the deployment with the most output tokens/s per GPU that meets it, at up to the concurrent clients given; a chip that cannot meet it shows the deployment nearest the target, with a note. With prefill workers, serving is disaggregated: they prefill the prompts and hand the KV cache to the decode workers, which share the other GPUs."));
    const out = h("div", { class: "results", "aria-live": "polite" }, loading());
    main.append(out);
    return async () => {
      const q = params();
      const args = { chips: q.getAll("chips").length ? q.getAll("chips") : chosen, model: q.get("model") ?? val("model"), gpus: q.get("gpus") ?? val("gpus"), isl: q.get("isl") ?? val("isl"), osl: q.get("osl") ?? val("osl"), concurrency: q.get("concurrency") ?? val("concurrency"), sla_tpot: q.get("sla_tpot"), sla_ttft: q.get("sla_ttft"), engine: q.get("engine") || null, precision: q.get("precision") || null, ...disaggregation(q) };
      const r = await get<{ chips: ChipPerf[]; left_out: { chip: string; reason: string }[] }>("compare", args);
      const ms = (k: string) => { const v = q.get(k); return v && Number.isFinite(Number(v)) ? Number(v) : null; };
      const names = chipNames(list);
      clear(out,
        // A chip the model cannot answer for is left out with its reason; the others are compared.
        leftOut(r.left_out, names),
        draw(r.chips, ms("sla_ttft"), ms("sla_tpot"), names));
    };
  },
};

// The disaggregated fields, sent only with prefill workers (the API refuses them without).
function disaggregation(q: URLSearchParams): Record<string, string | null> {
  const workers = Number(q.get("prefill_workers") ?? "0");
  if (!(workers > 0)) return {};
  return { prefill_workers: String(workers), decode_workers: q.get("decode_workers"), prefill_gpus: q.get("prefill_gpus") || null };
}

async function remount(main: HTMLElement): Promise<void> {
  window.dispatchEvent(new PopStateEvent("popstate"));
  void main;
}

// `ms`: a time in milliseconds, which past a minute also reads in minutes or hours (a queue of
// far more clients than the KV cache holds waits that long).
function band(v: number | null, b: Band | undefined, ms = false): string {
  if (v === null) return "–";
  const long = ms && v >= 60_000 ? ` ≈ ${v >= 3_600_000 ? `${fmt(v / 3_600_000)} h` : `${fmt(v / 60_000)} min`}` : "";
  // A band is null only where validation had no rows to set it (never for a serving regime today).
  if (b?.low == null || b?.high == null) return `${fmt(v)}${long} (no band)`;
  return `${fmt(v)}${long} (${fmt(b.low)}–${fmt(b.high)})`;
}

// Where a chip's bands come from: its basis and regime (TTFT's and the others' when they differ).
function bandFrom(d: ChipPerf): string {
  const u = d.uncertainty;
  if (!u) return "–";
  const r = (s: string) => s.replaceAll("_", " ");
  if (!d.fits) return r(u.basis);  // no figures, so no regime
  const regime = u.regime === u.regime_tpot_throughput ? r(u.regime) : `${r(u.regime)} (TTFT), ${r(u.regime_tpot_throughput)} (TPOT, throughput)`;
  return `${r(u.basis)}; ${regime}`;
}

// `target`: a latency target, drawn as a dashed line; a bar past it is drawn in vermillion. Every
// chip keeps its row, in the order chosen: one without the figure says why instead of a bar.
function metricChart(data: ChipPerf[], key: "output_tokens_per_s_per_gpu" | "ttft_ms" | "tpot_ms", label: string, names: Map<string, string>, target: number | null = null): SVGSVGElement | HTMLElement {
  const name = (chip: string) => names.get(chip) ?? chip;
  const rows = data.filter((d) => d[key] !== null).map((d) => ({ chip: name(d.chip), v: d[key] as number, lo: d.uncertainty?.[key]?.low ?? null, hi: d.uncertainty?.[key]?.high ?? null }));
  const missing = data.filter((d) => d[key] === null).map((d) => ({ chip: name(d.chip), why: d.fits ? "no figure" : "does not fit" }));
  const banded = rows.filter((r) => r.lo !== null && r.hi !== null);
  const max = Math.max(...rows.map((r) => r.hi ?? r.v * 1.2), target ?? 0, 1);
  const over = (r: { v: number }) => target !== null && r.v > target;
  const chart = Plot.plot({
    ...chartBox(420, 160), height: 40 + 34 * Math.max(data.length, 1), marginRight: 30, marginTop: 20,
    x: { label, grid: true, domain: [0, max * 1.05] }, y: { label: null, domain: data.map((d) => name(d.chip)) },
    marks: [
      Plot.barX(rows, { y: "chip", x: "v", fill: (r: { v: number }) => (over(r) ? "#D55E00" : "#0072B2"), fillOpacity: 0.75 }),
      Plot.text(missing, { y: "chip", x: 0, text: "why", textAnchor: "start", dx: 4, fontSize: 11, fill: "#555" }),
      Plot.ruleY(banded, { y: "chip", x1: "lo", x2: "hi", stroke: "#000", strokeWidth: 2, markerStart: "tick-x", markerEnd: "tick-x" }),
      Plot.text(rows.filter((r) => r.lo === null || r.hi === null), { y: "chip", x: () => max * 1.05, text: () => "no band", textAnchor: "end", dy: -9, fontSize: 10 }),
      target === null ? null : Plot.ruleX([target], { stroke: "#D55E00", strokeWidth: 2, strokeDasharray: "5,3" }),
      target === null ? null : Plot.text([target], { x: (t: number) => t, frameAnchor: "top", text: () => "target", fill: "#D55E00", dy: -9, fontSize: 10 }),
    ],
  });
  accessible(chart, `${label} per chip with its 90% band${target === null ? "" : ` and the ${fmt(target)} ms target (dashed; bars past it in vermillion)`}`);
  return chart;
}

function draw(data: ChipPerf[], ttftTarget: number | null, tpotTarget: number | null, names: Map<string, string>): HTMLElement {
  const name = (chip: string) => names.get(chip) ?? chip;
  const gb = (b: number | null | undefined) => (b === null || b === undefined ? "–" : fmt(b / 1e9));
  const alt = table("Compare", ["chip", "fits", "parallelism", "clients", "memory per GPU, needed / usable (GB)", "TTFT ms (90% band)", "TPOT ms (90% band)", "tokens/s per GPU (90% band)", "× the first chip", "prefill bound", "decode bound", "band from"],
    data.map((d) => [name(d.chip), d.fits ? "yes" : `no${d.does_not_fit ? `: ${d.does_not_fit}` : ""}`,
      d.fits ? deploymentText(d) : "–",
      d.workload ? fmt(d.workload.concurrency) : "–",
      `${gb(d.memory_per_gpu_bytes)} / ${gb(d.memory?.capacity_bytes)}`,
      band(d.ttft_ms, d.uncertainty?.ttft_ms, true), band(d.tpot_ms, d.uncertainty?.tpot_ms, true), band(d.output_tokens_per_s_per_gpu, d.uncertainty?.output_tokens_per_s_per_gpu),
      d.ratio_to_first?.output_tokens_per_s_per_gpu ? `${fmt(d.ratio_to_first.output_tokens_per_s_per_gpu)}×` : "–",
      d.reference?.prefill_step.bound ?? "–", d.reference?.decode_step.bound ?? "–", bandFrom(d)]));
  const fit = Plot.plot({
    ...chartBox(420, 160), height: 40 + 34 * data.length, x: { label: "memory per GPU (GB)", grid: true }, y: { label: null, domain: data.map((d) => name(d.chip)) },
    marks: [
      Plot.barX(data, { y: (d: ChipPerf) => name(d.chip), x: (d: ChipPerf) => d.memory.capacity_bytes / 1e9, fill: "#ddd" }),
      Plot.barX(data, { y: (d: ChipPerf) => name(d.chip), x: (d: ChipPerf) => (d.memory_per_gpu_bytes ?? 0) / 1e9, fill: (d: ChipPerf) => (d.fits ? "#009E73" : "#D55E00"), insetTop: 6, insetBottom: 6 }),
    ],
  });
  accessible(fit, "Memory needed per GPU against each chip's capacity");
  return h("div", null,
    // Charts of chips none of which runs the workload would be bare axes: say why instead.
    data.every((d) => !d.fits) ? h("p", { class: "warning", role: "status" }, "No chip runs this workload: the fits column says why (the weights and one prompt's KV cache must fit the GPUs).") : null,
    h("div", { class: "grid3" },
      data.some((d) => d.fits) ? [
        figure("Output tokens/s per GPU (bar) and 90% band (line)", metricChart(data, "output_tokens_per_s_per_gpu", "tokens/s per GPU", names), alt.cloneNode(true) as HTMLElement),
        figure(ttftTarget === null ? "TTFT, ms" : "TTFT, ms (dashed: the target; vermillion: misses it)", metricChart(data, "ttft_ms", "TTFT (ms)", names, ttftTarget), alt.cloneNode(true) as HTMLElement),
        figure(tpotTarget === null ? "TPOT, ms" : "TPOT, ms (dashed: the target; vermillion: misses it)", metricChart(data, "tpot_ms", "TPOT (ms)", names, tpotTarget), alt.cloneNode(true) as HTMLElement)] : null,
      figure("Memory fit: needed (green fits, vermillion does not) within capacity (grey)", fit, alt.cloneNode(true) as HTMLElement)),
    data.some((d) => d.latency_parts_ms) ? figure("Where the first token's time goes", partsChart(data, name),
      table("TTFT parts (ms)", ["chip", ...TTFT_PARTS.map(([, l]) => l)], data.filter((d) => d.latency_parts_ms).map((d) => [name(d.chip), ...TTFT_PARTS.map(([k]) => fmt(partMs(d, k)))]),
        TTFT_PARTS.map((_, i) => i + 1)),
      "The prompt's iterations include whatever rides with it (the running decodes, other prompts of a wave); the engine's fixed costs (HTTP, tokenization, streaming) are constants fitted per engine.") : null,
    h("h2", null, "All figures"), alt,
    chipNotes(data, name),
    h("p", { class: "note" }, "Usable memory is what an engine budgets from, as the driver reports it (the H100's \"80 GB\" is 81,559 MiB, 85.5 GB). Bands are the measured error of the model in that regime (a chip never measured gets the leave-one-chip-out error): small or large batch, queued for KV-cache room, or contended, where the prompt's own iterations are under a tenth of its TTFT and the rest is waiting behind other clients' work, the least certain part of the model, so its bands are wide; a note says when a chip's own held-out measurements fell inside their bands less often than the 90% promised. Bounds are from the same-work comparison (all GPUs in one instance). How far the model lies from measurements: ", h("a", { href: "/accuracy" }, "Accuracy"), "."));
}
