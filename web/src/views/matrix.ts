// Matrix and timeline: chips x rule versions for a destination, each cell the status on the date
// that version's last clause takes effect; a cell whose outcome differs from the one before it is
// a transition (outlined, and marked in text). Below: one chip's timeline.
import { h, clear, table, select, field } from "../dom";
import { get, type Outcome } from "../api";
import type { View } from "../view";
import { index, chips, params, setParams, countryPicker, chipOptions, statusOf, statusBadge, legend, loading } from "../ui";

interface MatrixAnswer { columns: { rule: string; date: string; citation: string }[]; rows: { chip: string; name: string; cells: Outcome[] }[]; destination: string; legend: string }
interface TimelineEntry extends Outcome { from: string; changes: string[]; events: string[] }

const same = (a: Outcome, b: Outcome) =>
  a.license_required === b.license_required && a.review_policy === b.review_policy &&
  a.controls.join() === b.controls.join() && a.exceptions.join() === b.exceptions.join() &&
  (a.measures ?? []).join() === (b.measures ?? []).join() && (a.controls_undecided ?? []).join() === (b.controls_undecided ?? []).join();

export const matrixView: View = {
  title: "Matrix",
  blurb: "Chips × rule versions for a destination, transitions highlighted (the A800 and H800: free under 2022, license under 2023), and a chip's timeline.",
  async mount(main) {
    const [idx, list] = await Promise.all([index(), chips()]);
    const p = params();
    const only = h("input", { type: "checkbox", checked: p.get("changed") === "1", onchange: () => setParams({ changed: only.checked ? "1" : null }) }) as HTMLInputElement;
    main.append(h("h1", null, "Matrix and timeline"),
      h("form", { class: "controls", onsubmit: (e: Event) => e.preventDefault() },
        countryPicker(idx, p.get("to") ?? "CN", (v) => setParams({ to: v }), "Destination"),
        countryPicker(idx, p.get("hq") ?? "", (v) => setParams({ hq: v }), "End user's headquarters", "same as the destination"),
        field("Timeline of", select(chipOptions(list), p.get("chip") ?? "nvidia-a800-sxm", (v) => setParams({ chip: v }))),
        h("div", { class: "field check" }, h("label", null, only, " only chips whose status changes"))));
    const out = h("div", { class: "results", "aria-live": "polite" }, loading());
    main.append(out);
    return async () => {
      const q = params();
      const args = { to: q.get("to") ?? "CN", hq: q.get("hq") ?? "" };
      const chip = q.get("chip") ?? "nvidia-a800-sxm";
      const [m, tl] = await Promise.all([get<MatrixAnswer>("matrix", args), get<{ timeline: TimelineEntry[]; chip: { name: string } }>("timeline", { ...args, chip })]);
      const changedOnly = q.get("changed") === "1";
      const rows = m.rows.filter((r) => !changedOnly || r.cells.some((c, i) => i > 0 && !same(c, r.cells[i - 1])));
      const transitions = m.rows.reduce((n, r) => n + r.cells.filter((c, i) => i > 0 && !same(c, r.cells[i - 1])).length, 0);
      const caption = `${rows.length} chips × ${m.columns.length} rule versions, destination ${m.destination}; ${transitions} transitions (outlined cells, marked ▲)`;
      // The caption is read with the table but shown above its scrolling box, so it stays in view.
      const t = h("table", { class: "matrix" },
        h("caption", { class: "sr" }, caption),
        h("thead", null, h("tr", null, h("th", { scope: "col" }, "chip"), m.columns.map((c) => h("th", { scope: "col" }, h("a", { href: `/rules?id=${c.rule}` }, c.rule), h("br"), h("small", null, c.date))))),
        h("tbody", null, rows.map((r) => h("tr", { class: r.chip === chip ? "selected" : null },
          h("th", { scope: "row" }, h("a", { href: `/chip?chip=${r.chip}&to=${args.to}${args.hq ? `&hq=${args.hq}` : ""}` }, r.name)),
          r.cells.map((c, i) => {
            const changed = i > 0 && !same(c, r.cells[i - 1]);
            return h("td", { class: `cell s-${statusOf(c)}${changed ? " changed" : ""}`, title: c.status },
              changed ? h("span", { class: "tr" }, "▲", h("span", { class: "sr" }, " changed: ")) : null, c.code);
          })))));
      clear(out, legend(),
        h("p", { class: "note" }, `Each column is a rule version evaluated on the date its last clause takes effect. Codes: ${m.legend}`),
        h("p", { class: "caption", "aria-hidden": "true" }, caption),
        h("div", { class: "table-wrap", role: "region", "aria-label": "Migration matrix", tabindex: 0 }, t),
        h("section", null, h("h2", null, `Timeline: ${tl.chip.name} to ${args.to}`),
          table("Timeline", ["from", "status", "changes", "because"], tl.timeline.map((e) => [e.from, statusBadge(e, e.status), e.changes.join("; "), e.events.join("; ")]))));
    };
  },
};
