// Train: one training job on several chips: step time with its 90% band and where it goes, tokens/s,
// MFU, the time to train a token budget, and whether the model state fits each GPU. One
// `perf/train` answer per chip, drawn side by side; nothing is computed here.
import * as Plot from "@observablehq/plot";
import { h, clear, fmt, table, figure, field, select, accessible, chartBox, pct } from "../dom";
import { get, ApiError } from "../api";
import type { View } from "../view";
import { index, chips, chipNames, leftOut, params, setParams, chipOptions, modelOptions, loading, chipNotes } from "../ui";

interface Band { low: number | null; high: number | null }
interface Answer {
  chip: string; model: string; gpus: number; fits: boolean; step_time_s: number; tokens_per_s: number; mfu: number;
  time_to_train_s: number | null; memory_per_gpu_bytes: number; notes: string[];
  memory: { weights_bytes: number; optimizer_and_gradients_bytes: number; activations_bytes: number; reserve_bytes: number; capacity_bytes: number };
  breakdown: { compute_s: number; memory_s: number; communication_s: number; pipeline_bubble_s: number; optimizer_s: number; overhead_s: number };
  parallelism: { tp: number; pp: number; dp: number; cp: number; ep: number; zero: number; micro_batch: number; micro_batches_per_step: number; virtual_stages: number; recompute: string; sequence_parallel: boolean };
  uncertainty: { basis: string; step_time_s: Band } | null;
  workload: { global_batch: number; seq: number; precision: string };
}

// Where a step's time goes, as perf train's breakdown names the parts.
const PARTS: [keyof Answer["breakdown"], string, string][] = [
  ["compute_s", "compute-bound operators", "#0072B2"],
  ["memory_s", "memory-bound operators", "#56B4E9"],
  ["communication_s", "communication", "#E69F00"],
  ["pipeline_bubble_s", "pipeline bubble", "#CC79A7"],
  ["optimizer_s", "optimizer", "#009E73"],
  ["overhead_s", "fixed overheads", "#999999"],
];
const MEMORY: [keyof Answer["memory"], string, string][] = [
  ["weights_bytes", "weights", "#0072B2"],
  ["optimizer_and_gradients_bytes", "gradients + optimizer", "#E69F00"],
  ["activations_bytes", "activations", "#009E73"],
  ["reserve_bytes", "reserve", "#999999"],
];

const D: Record<string, string | string[]> = {
  chips: ["nvidia-h100-sxm", "nvidia-h20", "huawei-ascend-910c"], model: "llama-3.1-70b", gpus: "64", tp: "8", pp: "4", cp: "1", ep: "1",
  global_batch: "256", seq: "4096", micro_batch: "1", precision: "bf16", recompute: "selective", tokens: "1e12",
};
// Settings the form has no control for (perf train takes them): a preset sets them, the URL keeps
// them, and the summary says so.
const EXTRA: [string, string][] = [["virtual_stages", "virtual stages"], ["dualpipe", "DualPipe"], ["bf16_moments", "bf16 Adam moments"], ["zero", "ZeRO stage"]];
// The runs the model is validated on (data/validation/points.toml), on other chips beside them.
const PRESETS: Record<string, Record<string, string | string[] | null>> = {
  "Llama 3.1 70B on 64 GPUs (H100, H20, Ascend 910C)": { ...D, virtual_stages: null, dualpipe: null, bf16_moments: null, zero: null },
  "Llama 3 405B as Meta trained it: 8,192 GPUs, TP8 PP16, 8 virtual stages": {
    chips: ["nvidia-h100-sxm", "nvidia-h20", "huawei-ascend-910c"], model: "llama-3.1-405b", gpus: "8192", tp: "8", pp: "16", cp: "1", ep: "1", global_batch: "2048",
    seq: "8192", micro_batch: "1", precision: "bf16", recompute: "selective", virtual_stages: "8", dualpipe: null, bf16_moments: null, zero: null,
  },
  "DeepSeek-V3 as DeepSeek trained it: 2,048 GPUs, PP16 EP64, DualPipe, fp8, 14.8T tokens": {
    chips: ["nvidia-h800-sxm", "nvidia-h20", "huawei-ascend-910c"], model: "deepseek-v3", gpus: "2048", tp: "1", pp: "16", cp: "1", ep: "64", global_batch: "15360",
    seq: "4096", micro_batch: "1", precision: "fp8", recompute: "selective", tokens: "14.8e12", virtual_stages: null, dualpipe: "true", bf16_moments: "true", zero: null,
  },
};
const NUMBERS: [string, string][] = [["gpus", "GPUs"], ["tp", "Tensor parallel"], ["pp", "Pipeline parallel"], ["cp", "Context parallel"], ["ep", "Expert parallel"],
  ["global_batch", "Global batch (sequences)"], ["seq", "Sequence length"], ["micro_batch", "Micro-batch"]];

const days = (s: number | null) => (s === null ? "–" : fmt(s / 86400));
const layout = (a: Answer) => {
  const p = a.parallelism;
  return [`TP${p.tp}${p.sequence_parallel && p.tp > 1 ? " (SP)" : ""}`, p.pp > 1 ? `PP${p.pp}${p.virtual_stages > 1 ? `×${p.virtual_stages}` : ""}` : "", p.cp > 1 ? `CP${p.cp}` : "",
    p.ep > 1 ? `EP${p.ep}` : "", `DP${p.dp}`, `ZeRO-${p.zero}`].filter(Boolean).join(" ");
};

export const trainView: View = {
  title: "Train",
  blurb: "One training job on several chips: step time with its band and where it goes, tokens/s, MFU, time to train, memory per GPU.",
  async mount(main) {
    const [idx, list] = await Promise.all([index(), chips()]);
    const p = params();
    const val = (k: string) => p.get(k) ?? (D[k] as string);
    const chosen = p.getAll("chips").length ? p.getAll("chips") : (D.chips as string[]);
    const opts = [{ value: "", label: "(none)" }, ...chipOptions(list)];
    const setChip = (i: number, v: string) => {
      const now = [...(params().getAll("chips").length ? params().getAll("chips") : chosen)];
      now[i] = v;
      setParams({ chips: now.filter(Boolean) });
    };
    const num = (k: string, label: string) => {
      const i = h("input", { type: "number", min: 1, step: 1, value: val(k), onchange: () => setParams({ [k]: i.value }) }) as HTMLInputElement;
      return field(label, i);
    };
    const tokens = h("input", { type: "text", inputmode: "decimal", value: val("tokens"), size: 8, onchange: () => setParams({ tokens: tokens.value }) }) as HTMLInputElement;
    main.append(h("h1", null, "Train a model on several chips"),
      h("form", { class: "controls", onsubmit: (e: Event) => e.preventDefault() },
        field("Preset", select([{ value: "", label: "choose a preset…" }, ...Object.keys(PRESETS).map((k) => ({ value: k, label: k }))], "", (v) => {
          if (PRESETS[v]) { setParams(PRESETS[v]); window.dispatchEvent(new PopStateEvent("popstate")); }
        })),
        [0, 1, 2].map((i) => field(`Chip ${i + 1}`, select(opts, chosen[i] ?? "", (v) => setChip(i, v)))),
        field("Model", select(modelOptions(idx), val("model"), (v) => setParams({ model: v }))),
        NUMBERS.map(([k, label]) => num(k, label)),
        field("GEMM format", select([{ value: "bf16", label: "bf16" }, { value: "fp8", label: "fp8" }], val("precision"), (v) => setParams({ precision: v }))),
        field("Recompute", select([{ value: "none", label: "none" }, { value: "selective", label: "selective" }, { value: "full", label: "full" }], val("recompute"), (v) => setParams({ recompute: v }))),
        field("Tokens to train on", tokens, "for the time to train, e.g. 1e12")),
      h("p", { class: "note" }, "Megatron-style defaults: sequence parallelism with tensor parallelism, ZeRO-1, 1F1B pipeline schedule, bf16 gradients reduced in fp32. The command line (perf train) sets the rest: interleaved stages, ZeRO stage, DualPipe, the scale-out network."));
    const out = h("div", { class: "results", "aria-live": "polite" }, loading());
    main.append(out);
    return async () => {
      const q = params();
      const v = (k: string) => q.get(k) ?? (D[k] as string);
      const which = q.getAll("chips").length ? q.getAll("chips") : chosen;
      if (!out.querySelector(".loading")) out.prepend(loading());
      const extra = Object.fromEntries(EXTRA.map(([k]) => [k, q.get(k)]));
      const asked = which.map((chip) => get<Answer>("perf/train", {
        chip, model: v("model"), gpus: v("gpus"), tp: v("tp"), pp: v("pp"), cp: v("cp"), ep: v("ep"), global_batch: v("global_batch"), seq: v("seq"),
        micro_batch: v("micro_batch"), precision: v("precision"), recompute: v("recompute"), tokens: v("tokens"), ...extra,
      }));
      const settled = await Promise.allSettled(asked);
      const answers = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
      const failed = settled.flatMap((s, i) => (s.status === "rejected" ? [{ chip: which[i], error: s.reason as unknown }] : []));
      // A question no chip can answer (a layout that does not divide the GPUs): the one error.
      if (!answers.length && failed.length) throw failed[0].error;
      const names = chipNames(list);
      clear(out,
        leftOut(failed.map((f) => ({ chip: f.chip, reason: `${f.error instanceof ApiError && f.error.field && f.error.field !== "chip" ? `${f.error.field}: ` : ""}${f.error instanceof Error ? f.error.message : String(f.error)}` })), names),
        answers.length ? draw(answers, names, idx.models.find((m) => m.id === v("model"))?.name ?? v("model"),
          EXTRA.filter(([k]) => q.get(k)).map(([k, label]) => (q.get(k) === "true" ? label : `${label} ${q.get(k)}`))) : null);
    };
  },
};

function draw(data: Answer[], names: Map<string, string>, model: string, extra: string[]): HTMLElement {
  const name = (id: string) => names.get(id) ?? id;
  const domain = data.map((d) => name(d.chip));
  const steps = data.flatMap((d) => PARTS.map(([k, label]) => ({ chip: name(d.chip), part: label, v: d.breakdown[k] }))).filter((r) => r.v > 0);
  const banded = data.filter((d) => d.uncertainty?.step_time_s.low != null && d.uncertainty?.step_time_s.high != null);
  const stepChart = Plot.plot({
    ...chartBox(640, 170), height: 70 + 40 * data.length, marginRight: 24,
    x: { label: "step time (s) →", grid: true }, y: { label: null, domain },
    color: { domain: PARTS.map(([, l]) => l), range: PARTS.map(([, , c]) => c), legend: true },
    marks: [
      Plot.barX(steps, Plot.stackX({ y: "chip", x: "v", fill: "part", order: PARTS.map(([, l]) => l), insetTop: 4, insetBottom: 4, title: (r: { part: string; v: number }) => `${r.part}: ${fmt(r.v)} s` })),
      Plot.ruleY(banded, { y: (d: Answer) => name(d.chip), x1: (d: Answer) => d.uncertainty!.step_time_s.low, x2: (d: Answer) => d.uncertainty!.step_time_s.high, stroke: "#000", strokeWidth: 2, markerStart: "tick-x", markerEnd: "tick-x", dy: 14 }),
    ],
  });
  accessible(stepChart, "Each chip's step time split into compute, memory-bound operators, communication, pipeline bubble, optimizer and fixed overheads, with the 90% band");
  const mem = data.flatMap((d) => MEMORY.map(([k, label]) => ({ chip: name(d.chip), part: label, v: d.memory[k] / 1e9 })));
  const memChart = Plot.plot({
    ...chartBox(640, 170), height: 70 + 34 * data.length, marginRight: 24,
    x: { label: "memory per GPU (GB) →", grid: true }, y: { label: null, domain },
    color: { domain: MEMORY.map(([, l]) => l), range: MEMORY.map(([, , c]) => c), legend: true },
    marks: [
      Plot.barX(mem, Plot.stackX({ y: "chip", x: "v", fill: "part", order: MEMORY.map(([, l]) => l), insetTop: 6, insetBottom: 6, title: (r: { part: string; v: number }) => `${r.part}: ${fmt(r.v)} GB` })),
      Plot.tickX(data, { y: (d: Answer) => name(d.chip), x: (d: Answer) => d.memory.capacity_bytes / 1e9, stroke: (d: Answer) => (d.fits ? "#000" : "#D55E00"), strokeWidth: 3 }),
    ],
  });
  accessible(memChart, "Memory needed per GPU by part, with each chip's usable capacity as a tick (vermillion where it does not fit)");
  const band = (d: Answer) => {
    const b = d.uncertainty?.step_time_s;
    return b?.low != null && b?.high != null ? `${fmt(d.step_time_s)} (${fmt(b.low)}–${fmt(b.high)})` : `${fmt(d.step_time_s)} (no band)`;
  };
  const first = data[0];
  const all = table("Training on each chip", ["chip", "layout", "fits", "memory per GPU, needed / usable (GB)", "step time s (90% band)", "tokens/s", "× the first chip", "MFU", "time to train (days)", "band from"],
    data.map((d) => [name(d.chip), layout(d), d.fits ? "yes" : "no", `${fmt(d.memory_per_gpu_bytes / 1e9)} / ${fmt(d.memory.capacity_bytes / 1e9)}`, band(d), fmt(d.tokens_per_s),
      `${fmt(d.tokens_per_s / first.tokens_per_s)}×`, pct(d.mfu), days(d.time_to_train_s), d.uncertainty?.basis.replaceAll("_", " ") ?? "–"]), [3, 4, 5, 6, 7, 8]);
  const parts = table("Step time parts (s)", ["chip", ...PARTS.map(([, l]) => l)], data.map((d) => [name(d.chip), ...PARTS.map(([k]) => fmt(d.breakdown[k]))]), PARTS.map((_, i) => i + 1));
  const memTable = table("Memory per GPU (GB)", ["chip", ...MEMORY.map(([, l]) => l), "usable"], data.map((d) => [name(d.chip), ...MEMORY.map(([k]) => fmt(d.memory[k] / 1e9)), fmt(d.memory.capacity_bytes / 1e9)]), [1, 2, 3, 4, 5]);
  const w = first.workload;
  return h("div", null,
    h("p", { class: "summary" }, `${model}: global batch ${fmt(w.global_batch)} × ${fmt(w.seq)} tokens, ${w.precision} GEMMs, recompute ${first.parallelism.recompute}, on ${fmt(first.gpus)} GPUs of each chip${extra.length ? `; also set: ${extra.join(", ")}` : ""}.`),
    data.some((d) => !d.fits) ? h("p", { class: "warning", role: "status" }, `${data.filter((d) => !d.fits).map((d) => name(d.chip)).join(", ")}: the model state does not fit the GPU at this layout (more tensor or pipeline parallelism, ZeRO or recomputation would shrink it); the times are what it would take if it did.`) : null,
    figure("Step time: where it goes (bars) and the 90% band (line)", stepChart, parts),
    figure("Memory per GPU (bars) and usable capacity (tick)", memChart, memTable),
    h("h2", null, "All figures"), all,
    chipNotes(data, name),
    h("p", { class: "note" }, "MFU: model FLOPs (two per active weight per token plus causal attention, three times for the forward and backward passes) over step time × GPUs × the chip's dense bf16 peak, fp8 GEMMs included. The band is the model's measured error on published training runs (Llama 3, DeepSeek-V3, NVIDIA's Megatron Bridge tables); how far it lies: ", h("a", { href: "/accuracy" }, "Accuracy"), "."));
}
