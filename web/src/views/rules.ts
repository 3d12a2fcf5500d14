// Rules: every rule version, one shown in full, the diff of two, and a what-if panel that edits
// threshold parameters and re-classifies the whole catalog through the engine.
import { h, clear, fmt, table, field, select } from "../dom";
import { get, type Outcome } from "../api";
import type { View } from "../view";
import { index, chips, chipNames, params, setParams, countryPicker, datePicker, statusBadge, errorBox } from "../ui";
import { rulesList, type Rule } from "../rulesdata";

interface Change { chip: string; before: Outcome; after: Outcome; changes: string[] }
interface WhatIf { chips: number; changes: Change[]; date: string; destination: string; settings: string[] }
interface Diff { chips: number; changes: Change[]; rule_changes?: string[]; text_changes?: string[] }

export const rulesView: View = {
  title: "Rules",
  blurb: "Every rule version with its clauses and sources, the diff of two, and a what-if panel that moves thresholds and re-classifies the whole catalog.",
  async mount(main) {
    const [idx, rules, list] = await Promise.all([index(), rulesList(), chips()]);
    const names = chipNames(list);
    const p = params();
    const ids = rules.map((r) => ({ value: r.id, label: `${r.id} (${r.effective})` }));
    const id = p.get("id") ?? rules[1]?.id ?? rules[0].id;
    main.append(h("h1", null, "Rule versions"),
      table("Rule versions", ["id", "effective", "citation", "title"], rules.map((r) => [h("a", { href: `/rules?id=${r.id}` }, r.id), r.effective, r.citation, r.short_title])));
    const show = h("section", { class: "results", "aria-live": "polite" });
    const diffOut = h("div", { class: "results", "aria-live": "polite" });
    const whatOut = h("div", { class: "results", "aria-live": "polite" });
    const inputs = new Map<string, HTMLInputElement>();
    const current = new Map(p.getAll("set").map((s) => [s.split("=")[0], s.slice(s.indexOf("=") + 1)]));
    const params0 = uniqueParameters(rules);
    const apply = () => setParams({ set: [...inputs].filter(([n, i]) => i.value !== "" && i.value !== String(params0.get(n)?.text ?? "")).map(([n, i]) => `${n}=${i.value}`) });
    main.append(
      h("h2", null, "One rule"), h("form", { class: "controls", onsubmit: (e: Event) => e.preventDefault() }, field("Rule", select(ids, id, (v) => setParams({ id: v }, true)))), show,
      h("h2", null, "Diff of two versions"),
      h("form", { class: "controls", onsubmit: (e: Event) => e.preventDefault() },
        field("From", select(ids, p.get("a") ?? rules[0].id, (v) => setParams({ a: v }))),
        field("To", select(ids, p.get("b") ?? rules[1].id, (v) => setParams({ b: v }))),
        countryPicker(idx, p.get("to") ?? "CN", (v) => setParams({ to: v }), "Destination")), diffOut,
      h("h2", { id: "whatif" }, "What if: move a threshold"),
      h("form", { class: "controls whatif", onsubmit: (e: Event) => { e.preventDefault(); apply(); } },
        [...params0.values()].map((x) => {
          const i = h("input", { type: "text", inputmode: "decimal", name: x.name, value: current.get(x.name) ?? x.text, size: 8 }) as HTMLInputElement;
          inputs.set(x.name, i);
          return field(x.name, i, x.title);
        }),
        datePicker(idx, p.get("wdate") ?? idx.latest_date, (v) => setParams({ wdate: v }), "What-if date"),
        h("div", { class: "field buttons" }, h("button", { type: "submit" }, "Re-classify the catalog"),
          h("button", { type: "button", onclick: () => { inputs.forEach((i, n) => (i.value = params0.get(n)?.text ?? "")); setParams({ set: [] }); } }, "Reset"))),
      whatOut);
    return async () => {
      const q = params();
      const want = q.get("id") ?? id;
      const r = rules.find((x) => x.id === want);
      clear(show, r ? ruleCard(r) : errorBox(new Error(`No rule version "${want}": pick one of the ${rules.length} above.`)));
      const to = q.get("to") ?? "CN";
      const [d, w] = await Promise.all([
        get<Diff>("rules/diff", { a: q.get("a") ?? rules[0].id, b: q.get("b") ?? rules[1].id, to }),
        q.getAll("set").length ? get<WhatIf>("whatif", { set: q.getAll("set"), date: q.get("wdate") ?? idx.latest_date, to }) : Promise.resolve(null),
      ]);
      clear(diffOut, changesTable(`Chips whose classification changes: ${d.changes.length} of ${d.chips}${sameCode(d.changes)}`, d.changes, names));
      clear(whatOut, w ? [h("p", { class: "summary", "data-testid": "whatif-summary" }, `What if ${w.settings.join(" and ")}? On ${w.date} to ${w.destination}: the classification of ${w.changes.length} of ${w.chips} chips changes${sameCode(w.changes)}.`),
        changesTable("Chips whose classification changes under the what-if", w.changes, names)] : h("p", null, "Edit a threshold above and re-classify: the engine re-runs every chip in the catalog under the changed rule book."));
      if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
    };
  },
};

function uniqueParameters(rules: Rule[]): Map<string, Rule["parameters"][number]> {
  const m = new Map<string, Rule["parameters"][number]>();
  for (const r of rules) for (const p of r.parameters) if (!m.has(p.name) && !/[A-Za-z]/.test(p.text.replace(/e[+-]?\d+$/i, ""))) m.set(p.name, p);
  return m;
}

// A change the status codes cannot show (what cannot be decided) is listed, and said to be.
function sameCode(changes: Change[]): string {
  const n = changes.filter((c) => c.before.code === c.after.code).length;
  return n ? `; the status code stays the same for ${n} (what changes says what does)` : "";
}

function changesTable(caption: string, changes: Change[], names: Map<string, string>): HTMLElement {
  return table(caption, ["chip", "before", "after", "what changes"],
    changes.map((c) => [h("a", { href: `/chip?chip=${c.chip}` }, names.get(c.chip) ?? c.chip), statusBadge(c.before, c.before.code), statusBadge(c.after, c.after.code), c.changes.join("; ")]));
}

function ruleCard(r: Rule): HTMLElement {
  const link = (s: { url: string; title: string; key?: string; kind: string }) => h("a", { href: s.url, rel: "noopener noreferrer", target: "_blank", title: s.title }, s.key ?? s.kind);
  return h("article", { class: "rule" },
    h("h3", null, `${r.id}: ${r.title}`),
    h("p", null, `Effective ${r.effective}${r.compliance ? `, compliance from ${r.compliance}` : ""}; ${r.citation}. `, r.sources.map((s, i) => [i ? ", " : "", link(s)])),
    r.summary ? h("p", null, r.summary) : null,
    r.parameters.length ? table("Parameters", ["name", "value", "meaning"], r.parameters.map((x) => [x.name, x.text, x.title])) : null,
    h("ol", { class: "clauses" }, r.clauses.map((c) => h("li", { id: c.id },
      h("strong", null, c.id), ` [${c.kind}] ${c.title}`, c.secondary ? h("small", null, " (secondary sources only)") : null,
      c.condition ? h("code", null, c.condition) : null,
      h("span", { class: "cite" }, " Sources: ", c.sources.map((s, i) => [i ? ", " : "", link(s)]))))),
    h("p", { class: "note" }, `${fmt(r.clauses.length)} clauses.`));
}
