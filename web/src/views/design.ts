// Design: the best derivative of a die that a rule still lets through, the Pareto front, the
// binding clause, and a real product beside it (the H20 for GH100 in 2024).
import * as Plot from "@observablehq/plot";
import { h, clear, fmt, fmtDown, fmtBeside, pct, holdsText, table, figure, field, select, accessible, chartBox } from "../dom";
import { get } from "../api";
import type { View } from "../view";
import { index, chips, params, setParams, countryPicker, datePicker, chipOptions, modelOptions, loading } from "../ui";

interface Objective { value: number; unit: string; deployment?: string; band?: { low: number | null; high: number | null }; why_zero?: string | null }
interface Evaluated { id: string; name: string; knobs?: string; status: string; satisfies: boolean; binding_clause: { id: string; title: string } | null; binding_knob?: string | null;
  objective: Record<string, Objective>; metrics: Record<string, { value: number | null }>; headroom: { clause: string; metric: string; op: string; value: number; threshold: number; threshold_name: string; ratio: number; holds: "yes" | "no" | "cannot-decide" }[] }
interface DesignAnswer {
  space: { id: string; title: string; base: string; size: number }; requirement: string; workload: string; strategy: string; evaluated: number; budget_exhausted: boolean;
  objectives: string[]; best: Evaluated | null; compare: { record: Evaluated; objective: Record<string, Objective>; distance: { objective_ratio: Record<string, number> } } | null;
  front: { id: string; knobs: string; metrics: Record<string, number>; objective: Record<string, number> }[]; binding_everywhere?: string | null;
}

const D = { base: "nvidia-h100-sxm", date: "2024-06-01", to: "CN", require: "no-license", objective: "decode", model: "deepseek-r1", compare: "nvidia-h20" };

export const designView: View = {
  title: "Design",
  blurb: "The best derivative of a die that a rule still lets through, its Pareto front and binding clause, beside the real product (the H20 for GH100 in 2024).",
  async mount(main) {
    const [idx, list] = await Promise.all([index(), chips()]);
    const p = params();
    const v = (k: keyof typeof D) => p.get(k) ?? D[k];
    const bases = idx.designs.map((d) => ({ value: d.base, label: `${d.base} (${d.title})` }));
    const others = chipOptions(list).filter((o) => !bases.some((b) => b.value === o.value)).map((o) => ({ ...o, label: `${o.label} (default space)` }));
    main.append(h("h1", null, "Design a compliant derivative"),
      h("form", { class: "controls", onsubmit: (e: Event) => e.preventDefault() },
        field("Base die", select([...bases, ...others], v("base"), (x) => setParams({ base: x }))),
        countryPicker(idx, v("to"), (x) => setParams({ to: x }), "Destination"),
        field("Constraint", select([
          { value: "no-license", label: "no license required" }, { value: "not-3a090", label: "outside 3A090" },
          { value: "exception-eligible", label: "no license, or an exception" }, { value: "case-by-case", label: "at most case-by-case review" }], v("require"), (x) => setParams({ require: x }))),
        field("Objective", select([
          { value: "decode", label: "decode tokens/s per GPU" }, { value: "prefill", label: "prefill tokens/s per GPU" }, { value: "train", label: "training tokens/s per GPU" },
          { value: "decode,prefill", label: "decode and prefill (Pareto front)" }, { value: "decode,train", label: "decode and training (Pareto front)" }], v("objective"), (x) => setParams({ objective: x }))),
        field("Model", select(modelOptions(idx), v("model"), (x) => setParams({ model: x }))),
        field("Real product beside it", select([{ value: "", label: "(none)" }, ...chipOptions(list)], v("compare"), (x) => setParams({ compare: x }))),
        datePicker(idx, v("date"), (x) => setParams({ date: x }))));
    const out = h("div", { class: "results", "aria-live": "polite" }, loading());
    main.append(out);
    return async () => {
      const q = params();
      const a = Object.fromEntries(Object.keys(D).map((k) => [k, q.get(k) ?? D[k as keyof typeof D]]));
      if (out.firstChild && !out.querySelector(".loading")) out.prepend(loading());
      const r = await get<DesignAnswer>("design", a);
      clear(out, draw(r));
    };
  },
};

function objText(o: Objective | undefined): string {
  if (!o) return "–";
  const b = o.band ? ` (90% band ${fmt(o.band.low)}–${o.band.high === null ? "unbounded" : fmt(o.band.high)})` : "";
  return `${fmt(o.value)} ${o.unit}${b}${o.deployment ? `; ${o.deployment}` : ""}${o.why_zero ? `; ${o.why_zero}` : ""}`;
}

function draw(r: DesignAnswer): HTMLElement {
  const head = h("p", { class: "summary" }, `${r.space.title}: ${fmt(r.space.size)} designs, ${fmt(r.evaluated)} checked (${r.strategy}); constraint: ${r.requirement}; ${r.workload}.`,
    r.budget_exhausted ? " The search budget ran out." : "");
  if (!r.best) return h("div", null, head, h("p", { class: "error" }, `No derivative meets the constraint${r.binding_everywhere ? `; ${r.binding_everywhere} rules out the most designs` : ""}.`));
  const b = r.best;
  const o1 = r.objectives[0], o2 = r.objectives[1];
  const pts = r.front.map((f) => ({ tpp: f.metrics.tpp, y: f.objective[o2 ?? o1], x: o2 ? f.objective[o1] : f.metrics.tpp, name: f.knobs, kind: "optimum" }));
  if (r.compare) pts.push({ tpp: r.compare.record.metrics.tpp?.value ?? 0, y: r.compare.objective[o2 ?? o1]?.value, x: o2 ? r.compare.objective[o1]?.value : r.compare.record.metrics.tpp?.value ?? 0, name: r.compare.record.name, kind: "real product" });
  const bind = b.headroom.filter((x) => x.clause === b.binding_clause?.id && x.metric === "tpp");
  const axisName = (k: string) => (b.objective[k]?.unit ? `${k} (${b.objective[k].unit})` : k);
  const chart = Plot.plot({
    ...chartBox(560, 60), height: 320, grid: true,
    x: { label: o2 ? `${axisName(o1)} →` : "TPP →", zero: true }, y: { label: `↑ ${axisName(o2 ?? o1)}`, zero: true },
    symbol: { domain: ["optimum", "real product"], range: ["circle", "diamond"], legend: true },
    color: { domain: ["optimum", "real product"], range: ["#0072B2", "#E69F00"] },
    marks: [
      o2 ? null : Plot.ruleX(bind, { x: "threshold", stroke: "#D55E00", strokeDasharray: "4,3" }),
      // Threshold names at the foot of their lines, clear of the designs near the top.
      o2 ? null : Plot.text(bind, { x: "threshold", text: (d) => `${d.threshold_name} ${fmt(d.threshold)}`, frameAnchor: "bottom", dy: -6, dx: -4, textAnchor: "end", fill: "#000" }),
      Plot.dot(pts, { x: "x", y: "y", fill: "kind", symbol: "kind", r: 7, stroke: "#000", title: (d) => `${d.name}: ${fmt(d.y)}` }),
      Plot.text(pts, { x: "x", y: "y", text: (d) => (d.kind === "optimum" ? "best design" : d.name), dx: 10, dy: -10, textAnchor: "start", fontSize: 11 }),
    ],
  });
  accessible(chart, o2 ? `Pareto front of ${o1} against ${o2}` : `${o1} against TPP: the best design, the real product and the binding threshold`);
  return h("div", null, head,
    h("section", { class: "verdict v-free" }, h("h2", null, "Best design"),
      h("dl", { class: "facts" },
        h("dt", null, "Knobs"), h("dd", null, b.knobs ?? b.id),
        r.objectives.map((k) => [h("dt", null, k), h("dd", null, objText(b.objective[k]))]),
        h("dt", null, "Classification"), h("dd", null, b.status),
        h("dt", null, "Binding clause"), h("dd", null, b.binding_clause ? [h("a", { href: `/rules?id=${b.binding_clause.id.split("/")[0]}` }, b.binding_clause.id), `: ${b.binding_clause.title}; one more step of ${b.binding_knob ?? "the knob"} would meet it`] : "none: every knob is at its maximum"),
        h("dt", null, "TPP, PD"), h("dd", null, `${fmtDown(b.metrics.tpp?.value)}, ${fmtDown(b.metrics.pd?.value, 2)}`))),
    r.compare ? h("section", null, h("h2", null, `Beside it: ${r.compare.record.name}`),
      h("dl", { class: "facts" },
        r.objectives.map((k) => [h("dt", null, k), h("dd", null, objText(r.compare!.objective[k]), r.compare!.distance.objective_ratio[k] !== undefined ? ` = ${pct(r.compare!.distance.objective_ratio[k])} of the best design` : "")]),
        h("dt", null, "Classification"), h("dd", null, r.compare.record.status),
        h("dt", null, "TPP, PD"), h("dd", null, `${fmtDown(r.compare.record.metrics.tpp?.value)}, ${fmtDown(r.compare.record.metrics.pd?.value, 2)}`))) : null,
    figure(o2 ? "Pareto front" : "Best design and the real product against the binding threshold", chart,
      table("Designs on the chart", ["design", "TPP", o2 ? o1 : "", o2 ?? o1], pts.map((p) => [p.name, fmtDown(p.tpp), o2 ? fmt(p.x) : "", fmt(p.y)]), [1, 2, 3])),
    h("h2", null, "Headroom of the best design"),
    table("Headroom", ["clause", "metric", "value", "test", "threshold", "value ÷ threshold", "holds"],
      b.headroom.map((x) => [x.clause === b.binding_clause?.id ? h("strong", null, `${x.clause} (binding)`) : x.clause, x.metric, fmtBeside(x.value), `${x.op} ${x.threshold_name}`, fmt(x.threshold), pct(x.ratio), holdsText(x.holds)]), [2, 4, 5]));
}
