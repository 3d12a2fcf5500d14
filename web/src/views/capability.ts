// Capability: per die, the best derivative that meets the constraint on each chosen date: the
// capability a rule leaves open.
import * as Plot from "@observablehq/plot";
import { h, clear, fmt, fmtDown, table, figure, field, select, accessible, chartBox } from "../dom";
import { get } from "../api";
import type { View } from "../view";
import { index, params, setParams, countryPicker, modelOptions, loading } from "../ui";

interface Cell { setting: string; feasible: boolean; objective: number | null; tpp: number | null; pd: number | null; knobs: string; binding: string | null; note: string; searched: boolean }
interface Answer { destination: string; objective: string; requirement: string; workload: string; rows: { die: string; base: string; cells: Cell[] }[]; skipped: string[]; settings: string[]; legend: string }

const D = { dates: ["2023-06-01", "2024-06-01"], to: "CN", model: "llama-3.1-8b", objective: "prefill", require: "no-license" };

export const capabilityView: View = {
  title: "Capability",
  blurb: "Per die, the best derivative a rule lets through on each chosen date: the capability each rule leaves open.",
  async mount(main) {
    const idx = await index();
    const p = params();
    const dates = p.getAll("dates").length ? p.getAll("dates") : D.dates;
    const ruleDates = idx.dates.map((d) => d.date).filter((d) => d >= "2022-10-01");
    // "2023-10-17: Entity List notice ... lists \"Biren Technology\" and…": cut at a word.
    const clip = (t: string, n = 90) => (t.length <= n ? t : `${t.slice(0, t.lastIndexOf(" ", n - 1))}…`);
    const dateOpts = [{ value: "", label: "(none)" }, ...ruleDates.map((d) => ({ value: d, label: clip(`${d}: ${idx.dates.find((x) => x.date === d)?.events[0] ?? "no event recorded"}`) }))];
    for (const d of dates) if (!ruleDates.includes(d)) dateOpts.push({ value: d, label: d });
    const setDate = (i: number, v: string) => {
      const now = [...(params().getAll("dates").length ? params().getAll("dates") : dates)];
      now[i] = v;
      setParams({ dates: now.filter(Boolean) });
    };
    main.append(h("h1", null, "Capability left open"),
      h("form", { class: "controls", onsubmit: (e: Event) => e.preventDefault() },
        [0, 1].map((i) => field(`Date ${i + 1}`, select(dateOpts, dates[i] ?? "", (v) => setDate(i, v)))),
        countryPicker(idx, p.get("to") ?? D.to, (v) => setParams({ to: v }), "Destination"),
        field("Objective", select([{ value: "prefill", label: "prefill tokens/s per GPU (fast)" }, { value: "decode", label: "decode tokens/s per GPU (slower: a deployment search per design)" }, { value: "train", label: "training tokens/s per GPU" }], p.get("objective") ?? D.objective, (v) => setParams({ objective: v }))),
        field("Model", select(modelOptions(idx), p.get("model") ?? D.model, (v) => setParams({ model: v })))));
    const out = h("div", { class: "results", "aria-live": "polite" }, loading());
    main.append(out);
    return async () => {
      const q = params();
      const a = { dates: q.getAll("dates").length ? q.getAll("dates") : D.dates, to: q.get("to") ?? D.to, model: q.get("model") ?? D.model, objective: q.get("objective") ?? D.objective, require: D.require };
      if (!out.querySelector(".loading")) out.prepend(loading());
      const r = await get<Answer>("capability", a);
      clear(out, draw(r));
    };
  },
};

function draw(r: Answer): HTMLElement {
  const data = r.rows.flatMap((row) => row.cells.map((c) => ({ die: row.die, base: row.base, ...c, v: c.feasible && c.objective !== null ? c.objective : 0 })));
  const top = [...r.rows].sort((a, b) => Math.max(...b.cells.map((c) => c.objective ?? 0)) - Math.max(...a.cells.map((c) => c.objective ?? 0))).slice(0, 20).map((x) => x.die);
  // Longest first, so that each date's shorter bar is drawn over the longer one (x1/x2: no stacking).
  const shown = data.filter((d) => top.includes(d.die)).sort((a, b) => b.v - a.v);
  const colors = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"];
  const chart = Plot.plot({
    ...chartBox(640, 170), height: 60 + 26 * top.length,
    x: { label: `${r.objective} →`, grid: true }, y: { label: null, domain: top },
    fy: undefined,
    color: { domain: r.settings, range: colors.slice(0, r.settings.length), legend: true },
    marks: [Plot.barX(shown, { y: "die", x1: 0, x2: "v", fill: "setting", fy: undefined, insetTop: 2, insetBottom: 2, title: (d) => `${d.die} on ${d.setting}: ${fmt(d.objective)} (TPP ${fmtDown(d.tpp)}); ${d.knobs}${d.binding ? `; binding ${d.binding}` : ""}` }),
      Plot.ruleX([0])],
  });
  accessible(chart, `Best compliant ${r.objective} per die on ${r.settings.join(" and ")}`);
  return h("div", null,
    h("p", { class: "summary" }, `${r.requirement}, ${r.destination}; ${r.workload}. ${r.rows.length} dies searched${r.skipped.length ? `, ${r.skipped.length} skipped` : ""}; the chart shows the 20 with the most capability (the bars of a die's dates overlap, the shorter drawn over the longer).`),
    figure("Best compliant derivative per die", chart,
      table("Capability per die", ["die", "base", "date", "objective", "TPP", "PD", "binding", "knobs"], data.map((d) => d.feasible && d.v <= 0
        // Nothing runs on any derivative: which one the search kept says nothing.
        ? [d.die, d.base, d.setting, `0 (${d.note || "the workload does not run"})`, "–", "–", "–", "–"]
        : d.feasible
          ? [d.die, d.base, d.setting, fmt(d.objective), fmtDown(d.tpp), fmtDown(d.pd, 2), d.binding ?? "(none)", d.knobs]
          // No derivative meets the requirement: binding names the clause that rules out the most.
          : [d.die, d.base, d.setting, "none", "–", "–", d.binding ?? "–", "–"]), [3, 4, 5])),
    h("p", { class: "note" }, r.legend),
    r.skipped.length ? h("details", null, h("summary", null, `Skipped dies (${r.skipped.length})`), h("ul", null, r.skipped.map((s) => h("li", null, s)))) : null);
}
