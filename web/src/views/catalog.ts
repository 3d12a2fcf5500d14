// Catalog: every chip and figure, sortable and filterable, each figure with its source links;
// CSV and JSON downloads of what the table shows.
import { h, clear, fmt, sortableTable, field, select, type Column } from "../dom";
import type { ChipRecord, Figure } from "../api";
import type { View } from "../view";
import { chips, params, setParams, sourceLinks, loading } from "../ui";

const num = (m: ChipRecord["metrics"][string] | undefined) => (m && m.value !== null ? m.value : null);
const fig = (c: ChipRecord, f: Figure | undefined, digits = 3) =>
  f && f.value !== null && f.value !== undefined ? h("span", null, f.text ?? fmt(f.value, digits), " ", sourceLinks(f.sources, c.sources)) : "–";
const metric = (c: ChipRecord, k: string) => {
  const m = c.metrics[k];
  return m && m.value !== null ? h("span", { title: m.how ?? "" }, fmt(m.value), " ", sourceLinks(m.sources, c.sources)) : h("span", { title: m?.missing ?? "" }, "unknown");
};
const best = (c: ChipRecord) => {
  const t = c.throughput ?? {};
  return t.fp8 ?? t.bf16 ?? t.fp16 ?? t.int8;
};

const COLUMNS: Column<ChipRecord>[] = [
  { key: "name", label: "chip", value: (c) => c.name, render: (c) => h("a", { href: `/chip?chip=${c.id}` }, c.name) },
  { key: "vendor", label: "vendor", value: (c) => c.vendor },
  { key: "market", label: "market", value: (c) => c.market },
  { key: "tpp", label: "TPP", numeric: true, value: (c) => num(c.metrics.tpp), render: (c) => metric(c, "tpp") },
  { key: "pd", label: "PD", numeric: true, value: (c) => num(c.metrics.pd), render: (c) => metric(c, "pd") },
  { key: "dense", label: "dense fp8/bf16 rate", numeric: true, value: (c) => best(c)?.value ?? null, render: (c) => fig(c, best(c)) },
  { key: "bw", label: "memory bandwidth", numeric: true, value: (c) => num(c.metrics.dram_bw), render: (c) => fig(c, c.memory?.bandwidth) },
  { key: "cap", label: "memory", numeric: true, value: (c) => num(c.metrics.mem_capacity), render: (c) => fig(c, c.memory?.capacity) },
  { key: "tdp", label: "TDP", numeric: true, value: (c) => num(c.metrics.tdp), render: (c) => fig(c, c.power?.tdp) },
  { key: "released", label: "released", value: (c) => c.released?.value ?? null },
];

function csv(rows: ChipRecord[]): string {
  const cols = ["id", "name", "vendor", "market", "tpp", "pd", "dram_bw_gb_s", "memory_gb", "tdp_w", "released"];
  const q = (v: unknown) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));
  return [cols.join(","), ...rows.map((c) => [c.id, c.name, c.vendor, c.market, num(c.metrics.tpp), num(c.metrics.pd), num(c.metrics.dram_bw), num(c.metrics.mem_capacity), num(c.metrics.tdp), c.released?.value].map(q).join(","))].join("\n") + "\n";
}

function download(name: string, type: string, text: string): void {
  const a = h("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

export const catalogView: View = {
  title: "Catalog",
  blurb: "Every chip and figure with its sources: sort, filter, download as CSV or JSON.",
  async mount(main) {
    const list = await chips();
    const p = params();
    const vendors = [...new Set(list.map((c) => c.vendor))].sort();
    const markets = [...new Set(list.map((c) => c.market))].sort();
    const text = h("input", { type: "search", value: p.get("q") ?? "", placeholder: "name or id", oninput: () => setParams({ q: text.value }) }) as HTMLInputElement;
    let shown: ChipRecord[] = list;
    main.append(h("h1", null, "Catalog"),
      h("form", { class: "controls", onsubmit: (e: Event) => e.preventDefault() },
        field("Filter", text),
        field("Vendor", select([{ value: "", label: "all" }, ...vendors.map((v) => ({ value: v, label: v }))], p.get("vendor") ?? "", (v) => setParams({ vendor: v }))),
        field("Market", select([{ value: "", label: "all" }, ...markets.map((v) => ({ value: v, label: v }))], p.get("market") ?? "", (v) => setParams({ market: v }))),
        h("div", { class: "field buttons" },
          h("button", { type: "button", onclick: () => download("ceiling-chips.csv", "text/csv", csv(shown)) }, "Download CSV"),
          h("button", { type: "button", onclick: () => download("ceiling-chips.json", "application/json", JSON.stringify(shown, null, 2)) }, "Download JSON"))));
    const out = h("div", { class: "results" }, loading());
    main.append(out);
    return async () => {
      const q = params();
      const needle = (q.get("q") ?? "").toLowerCase();
      shown = list.filter((c) => (!needle || c.name.toLowerCase().includes(needle) || c.id.includes(needle)) &&
        (!q.get("vendor") || c.vendor === q.get("vendor")) && (!q.get("market") || c.market === q.get("market")));
      const sort = { key: q.get("sort") ?? "tpp", desc: q.get("desc") !== "0" };
      const unknownOf = (k: string, known: string[]) => {
        const v = q.get(k);
        return v && !known.includes(v) ? [`no ${k} "${v}" in the catalog (pick one above)`] : [];
      };
      const unknown = [...unknownOf("vendor", vendors), ...unknownOf("market", markets)];
      clear(out, unknown.length ? h("p", { class: "warning", role: "alert" }, `${unknown.join("; ")}.`) : null,
        h("p", { class: "summary" }, `${shown.length} of ${list.length} chips. Hover a TPP or PD for how it is computed; the bracketed keys link to the sources.`),
        sortableTable("Chip catalog", COLUMNS, shown, sort, (key, desc) => setParams({ sort: key, desc: desc ? "1" : "0" })));
    };
  },
};
