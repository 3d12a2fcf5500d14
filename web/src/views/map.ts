// Map: every catalog chip on TPP x PD (log-log) with the threshold regions of the rules in force
// on the chosen date; points coloured (and shaped) by their status for the destination. Chips
// whose PD is unknown sit on a strip at their TPP; chips without TPP are listed. None is dropped.
import * as Plot from "@observablehq/plot";
import { h, clear, fmtDown, table, figure, accessible } from "../dom";
import { get, query } from "../api";
import type { View } from "../view";
import { index, params, setParams, countryPicker, datePicker, statusOf, STATUS, legend, loading, type StatusKey } from "../ui";

interface Point { chip: string; name: string; tpp: number | null; pd?: number | null; status: string; code: string; license_required: "yes" | "no" | "cannot-decide"; exceptions: string[]; review_policy: string; why?: string }
interface Region { class: string; paragraphs: string[]; tpp: [number, number | null]; pd: [number, number | null]; depends_on_other_metrics: boolean }
interface MapAnswer { date: string; destination: string; points: Point[]; unplotted: Point[]; regions: Region[]; thresholds: { axis: string; label: string; value: number }[]; exclusions: { clause: string; title: string }[] }

const REGION_FILL: Record<string, string> = { "3A090.a": "#D55E00", "3A090.b": "#E69F00" };

export const mapView: View = {
  title: "Map",
  blurb: "Every chip on TPP × performance density with the threshold regions in force on a date; move the date and the regions move.",
  async mount(main) {
    const idx = await index();
    const p = params();
    main.append(h("h1", null, "Map: TPP × performance density"),
      h("form", { class: "controls", onsubmit: (e: Event) => e.preventDefault() },
        countryPicker(idx, p.get("to") ?? "CN", (v) => setParams({ to: v }), "Destination (colours the points)"),
        countryPicker(idx, p.get("hq") ?? "", (v) => setParams({ hq: v }), "End user's headquarters", "same as the destination"),
        datePicker(idx, p.get("date") ?? idx.latest_date, (v) => setParams({ date: v }))));
    const out = h("div", { class: "results", "aria-live": "polite" }, loading());
    main.append(out);
    return async () => {
      const q = params();
      const args = { date: q.get("date") ?? idx.latest_date, to: q.get("to") ?? "CN", hq: q.get("hq") ?? "" };
      const m = await get<MapAnswer>("map", args);
      clear(out, draw(m, args));
    };
  },
};

function draw(m: MapAnswer, args: Record<string, string>): HTMLElement {
  const link = (d: Point) => `/chip?${query({ chip: d.chip, date: m.date, to: args.to, hq: args.hq })}`;
  const placed = m.points.map((d) => ({ ...d, key: statusOf(d) }));
  const strip = m.unplotted.filter((d) => d.tpp !== null).map((d) => ({ ...d, key: statusOf(d) }));
  const nowhere = m.unplotted.filter((d) => d.tpp === null);
  const xs = [...placed, ...strip].map((d) => d.tpp as number).concat(m.thresholds.filter((t) => t.axis === "tpp").map((t) => t.value));
  const ys = placed.map((d) => d.pd as number).concat(m.thresholds.filter((t) => t.axis === "pd").map((t) => t.value));
  const x0 = Math.min(...xs) / 1.6, x1 = Math.max(...xs) * 1.6;
  const y0 = Math.max(0.05, Math.min(...ys) / 1.6), y1 = Math.max(...ys) * 1.6;
  const regions = m.regions.map((r) => ({ ...r, x1: Math.max(r.tpp[0], x0), x2: r.tpp[1] ?? x1, y1: Math.max(r.pd[0], y0), y2: r.pd[1] ?? y1 }));
  // A chip far from every other (the wafer-scale one, a decade beyond the rest) carries its name, so
  // that the point that sets the axis's reach says what it is.
  const lone = placed.filter((d) => placed.every((o) => o === d ||
    Math.hypot(Math.log10((o.tpp as number) / (d.tpp as number)), Math.log10((o.pd as number) / (d.pd as number))) > 0.5));
  const color = { domain: Object.keys(STATUS), range: Object.values(STATUS).map((s) => s.color) };
  const symbol = { domain: Object.keys(STATUS), range: Object.values(STATUS).map((s) => s.symbol) };
  // From the window, not the page: reading a laid-out width would force a layout on every redraw.
  const width = Math.min(900, Math.max(340, window.innerWidth - 48));
  const main = Plot.plot({
    width, height: Math.round(width * 0.62), marginLeft: 48,
    x: { type: "log", domain: [x0, x1], label: "TPP (total processing performance) →", grid: true },
    y: { type: "log", domain: [y0, y1], label: "↑ PD (TPP per mm² of logic die)", grid: true },
    color, symbol,
    marks: [
      Plot.rect(regions, { x1: "x1", x2: "x2", y1: "y1", y2: "y2", fill: (r) => REGION_FILL[r.class] ?? "#999", fillOpacity: 0.13, title: (r) => `${r.paragraphs.join(", ")}: TPP ${fmtDown(r.tpp[0])}–${r.tpp[1] === null ? "∞" : fmtDown(r.tpp[1])}, PD ${fmtDown(r.pd[0], 2)}–${r.pd[1] === null ? "∞" : fmtDown(r.pd[1], 2)}` }),
      Plot.ruleX(m.thresholds.filter((t) => t.axis === "tpp"), { x: "value", stroke: "#555", strokeDasharray: "3,3" }),
      Plot.ruleY(m.thresholds.filter((t) => t.axis === "pd"), { y: "value", stroke: "#555", strokeDasharray: "3,3" }),
      Plot.dot(placed, { x: "tpp", y: "pd", fill: "key", symbol: "key", stroke: "#000", strokeWidth: 0.6, r: 5, href: link, ariaLabel: (d) => `${d.name}: ${d.status}`,
        title: (d) => `${d.name}\nTPP ${fmtDown(d.tpp)}, PD ${fmtDown(d.pd, 2)}\n${d.status}` }),
      Plot.text(lone, { x: "tpp", y: "pd", text: "name", dy: 14, fontSize: 11, textAnchor: "end", dx: 6 }),
    ],
  });
  accessible(main, `TPP against PD of ${placed.length} chips on ${m.date}, with threshold regions`);
  const stripChart = Plot.plot({
    width, height: 70, marginLeft: 48,
    x: { type: "log", domain: [x0, x1], label: "TPP of chips whose PD is unknown →" },
    y: { axis: null, domain: [0, 1] },
    color, symbol,
    marks: [
      Plot.ruleX(m.thresholds.filter((t) => t.axis === "tpp"), { x: "value", stroke: "#555", strokeDasharray: "3,3" }),
      Plot.dot(strip, Plot.dodgeY({ x: "tpp", fill: "key", symbol: "key", stroke: "#000", strokeWidth: 0.6, r: 4, href: link, anchor: "middle",
        title: (d: Point) => `${d.name}\nTPP ${fmtDown(d.tpp)}, PD unknown: ${d.why}\n${d.status}` })),
    ],
  });
  accessible(stripChart, `${strip.length} chips whose PD is unknown, placed by TPP`);
  const counts = (Object.keys(STATUS) as StatusKey[]).map((k) => `${STATUS[k].label}: ${[...placed, ...strip, ...nowhere].filter((d) => statusOf(d) === k).length}`).join("; ");
  const all = [...placed, ...strip, ...nowhere];
  return h("div", null,
    h("p", { class: "summary", "data-testid": "map-counts" },
      `${m.date}, ${m.destination}: ${placed.length} chips plotted, ${strip.length} on the unknown-PD strip, ${nowhere.length} without TPP (listed below); ${all.length} in all. By status: `, counts, "."),
    legend(),
    h("p", { class: "note" }, "Shaded: the 3A090.a (darker) and 3A090.b regions of the rules in force; dashed lines are their thresholds. ",
      m.exclusions.map((e) => `${e.title} (${e.clause}).`).join(" ")),
    figure("TPP × PD, log-log", main,
      table("Chips on the map", ["chip", "TPP", "PD", "status"], placed.map((d) => [h("a", { href: link(d) }, d.name), fmtDown(d.tpp), fmtDown(d.pd, 2), d.status]), [1, 2])),
    figure("Chips whose PD is unknown, by TPP", stripChart,
      table("Chips on the strip", ["chip", "TPP", "why PD is unknown", "status"], strip.map((d) => [h("a", { href: link(d) }, d.name), fmtDown(d.tpp), d.why ?? "", d.status]), [1])),
    h("section", null, h("h2", null, `Chips without a TPP (${nowhere.length})`),
      table("Chips that cannot be placed", ["chip", "why", "status"], nowhere.map((d) => [h("a", { href: link(d) }, d.name), d.why ?? "", d.status]))));
}
