// A few DOM helpers instead of a component library: the views are forms, tables and charts, and
// a framework runtime would cost more of the 300 KB budget than it saves in code.
export type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs)
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = String(v);
      else if (v === true) el.setAttribute(k, "");
      else el.setAttribute(k, String(v));
    }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

let uid = 0;
export const nextId = (prefix: string): string => `${prefix}-${++uid}`;

// A labelled form control: the label is tied to the control for screen readers.
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || nextId("f");
  control.id = id;
  const hintEl = hint ? h("small", { id: `${id}-hint`, class: "hint" }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
}

export interface Option {
  value: string;
  label: string;
  group?: string;
}

export function select(options: Option[], value: string, onChange: (v: string) => void): HTMLSelectElement {
  const s = h("select", { onchange: () => onChange(s.value) });
  const groups = new Map<string, HTMLElement>();
  for (const o of options) {
    const opt = h("option", { value: o.value }, o.label);
    if (o.value === value) opt.selected = true;
    if (o.group) {
      let g = groups.get(o.group);
      if (!g) {
        g = h("optgroup", { label: o.group });
        groups.set(o.group, g);
        s.appendChild(g);
      }
      g.appendChild(opt);
    } else s.appendChild(opt);
  }
  // A value from the address that is not an option (a typo, a chip since renamed) stays visible
  // and marked rather than silently showing another choice.
  if (value !== "" && !options.some((o) => o.value === value))
    s.prepend(h("option", { value, class: "unknown" }, `${value} (not known)`));
  s.value = value;
  return s;
}

export const fmt = (x: number | null | undefined, digits = 3): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  return Number(x.toPrecision(digits)).toLocaleString("en-US", { maximumFractionDigits: 6 });
};

// A metric beside an "or more" threshold, rounded down (the CLI's FormatDown): TPP 4,799.7 reads
// 4,799, PD 5.918 reads 5.91, never the threshold they are under.
export const fmtDown = (x: number | null | undefined, decimals = 0): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  const scale = 10 ** decimals;
  const v = Math.floor(Math.round(x * scale * 1e6) / 1e6) / scale;
  return v.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
};

// A metric's value in a table beside its threshold: fmt's three significant digits, rounded down
// (fmtDown), so that the card and the table agree and 2,398.7 never reads as 2,399.
export const fmtBeside = (x: number | null | undefined): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  return fmtDown(x, a >= 1000 || a === 0 ? 0 : Math.max(0, 2 - Math.floor(Math.log10(a))));
};

// A ratio in percent; one just short of 1 reads 99.9%, never 100% (the test it measures fails).
export const pct = (x: number | null | undefined): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  const whole = Math.round(x * 100);
  return whole === 100 && x !== 1 ? `${(Math.floor(x * 1000) / 10).toFixed(1)}%` : `${whole}%`;
};

// A value in a row with its threshold, rounded as fmt rounds (as the CLI's headroom table does)
// unless that would read as the threshold itself: 2,399.6 against 2,400 reads 2,399.6.
export const fmtAgainst = (x: number | null | undefined, threshold: number): string => {
  const s = fmt(x);
  if (x === null || x === undefined || !Number.isFinite(x) || x === threshold || s !== fmt(threshold)) return s;
  for (let k = 1; k <= 8; ++k) {
    const t = x.toLocaleString("en-US", { maximumFractionDigits: k });
    if (t !== threshold.toLocaleString("en-US", { maximumFractionDigits: k })) return t;
  }
  return s;
};

// Whether a threshold test holds, in words: "yes", "no" or "cannot decide".
export const holdsText = (x: string | null | undefined): string => (x ? x.replace("-", " ") : "–");

// A cell that is a date (YYYY-MM-DD) is never broken at its hyphens.
const isDate = (c: unknown): boolean => typeof c === "string" && /^\d{4}-\d{2}-\d{2}$/.test(c);

// A sortable table: click (or Enter on) a column header to sort by it.
export interface Column<T> {
  key: string;
  label: string;
  value: (row: T) => string | number | null | undefined;
  render?: (row: T) => Child;
  numeric?: boolean;
}

export function sortableTable<T>(
  caption: string,
  columns: Column<T>[],
  rows: T[],
  sort: { key: string; desc: boolean },
  onSort: (key: string, desc: boolean) => void,
): HTMLElement {
  const col = columns.find((c) => c.key === sort.key) ?? columns[0];
  const sorted = [...rows].sort((a, b) => {
    const x = col.value(a), y = col.value(b);
    if (x === y) return 0;
    if (x === null || x === undefined || x === "") return 1;
    if (y === null || y === undefined || y === "") return -1;
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return sort.desc ? -c : c;
  });
  const head = h(
    "tr",
    null,
    columns.map((c) => {
      const active = c.key === col.key;
      return h(
        "th",
        { scope: "col", class: c.numeric ? "num" : null, "aria-sort": active ? (sort.desc ? "descending" : "ascending") : null },
        h(
          "button",
          { type: "button", class: "sort", onclick: () => onSort(c.key, active ? !sort.desc : !!c.numeric) },
          c.label,
          active ? (sort.desc ? " ▼" : " ▲") : "",
        ),
      );
    }),
  );
  const body = sorted.map((r) =>
    h("tr", null, columns.map((c) => h("td", { class: c.numeric ? "num" : isDate(c.value(r)) ? "nowrap" : null }, c.render ? c.render(r) : (c.value(r) ?? "–")))),
  );
  return h("div", { class: "table-wrap", role: "region", "aria-label": caption, tabindex: 0 },
    h("table", null, h("caption", null, caption), h("thead", null, head), h("tbody", null, body)));
}

export function table(caption: string, headers: string[], rows: Child[][], numeric: number[] = []): HTMLElement {
  return h("div", { class: "table-wrap", role: "region", "aria-label": caption, tabindex: 0 },
    h("table", null, h("caption", null, caption),
      h("thead", null, h("tr", null, headers.map((x, i) => h("th", { scope: "col", class: numeric.includes(i) ? "num" : null }, x)))),
      h("tbody", null, rows.map((r) => h("tr", null, r.map((c, i) => h("td", { class: numeric.includes(i) ? "num" : isDate(c) ? "nowrap" : null }, c)))))));
}

// A chart's width and left margin: its natural ones, or on a narrow screen (a phone) the room the
// page has, so that the chart is laid out for it rather than shrunk with its text to 5 px.
export function chartBox(width: number, marginLeft: number): { width: number; marginLeft: number } {
  const room = Math.max(300, Math.min(width, (typeof window === "undefined" ? width : window.innerWidth) - 28));
  return { width: room, marginLeft: room >= width ? marginLeft : Math.min(marginLeft, Math.round(room * 0.42)) };
}

// A chart with its text alternative: the table sits in a <details> right under the figure.
export function figure(title: string, chart: Element, alternative: HTMLElement, note?: Child): HTMLElement {
  return h("figure", { class: "chart" },
    h("figcaption", null, title),
    chart,
    note ? h("p", { class: "note" }, note) : null,
    h("details", null, h("summary", null, "Table of the chart's data"), alternative));
}

// Makes a chart accessible: Plot labels its <g> groups with aria-label, which is not allowed on
// an element without a role, so those go; a chart without links becomes one image with `label`
// (its data is in the table beside it); a chart whose marks are links (the map) stays a labelled
// group and each link is named after its tooltip.
export function accessible<T extends Element>(chart: T, label: string): T {
  const svgs = chart.tagName.toLowerCase() === "svg" ? [chart] : [...chart.querySelectorAll("svg")];
  // With a legend Plot returns a <figure> of swatches (small SVGs beside their text) and the plot.
  const plot = svgs.reduce<Element | null>((a, b) => (!a || b.clientWidth * b.clientHeight + Number(b.getAttribute("width") ?? 0) > a.clientWidth * a.clientHeight + Number(a.getAttribute("width") ?? 0) ? b : a), null);
  for (const svg of svgs) {
    svg.querySelectorAll("g[aria-label], g[aria-description]").forEach((g) => { g.removeAttribute("aria-label"); g.removeAttribute("aria-description"); });
    if (svg !== plot) svg.setAttribute("aria-hidden", "true");
  }
  if (!plot) return chart;
  const links = plot.querySelectorAll("a");
  links.forEach((a) => a.setAttribute("aria-label", a.querySelector("title")?.textContent?.split("\n").join(", ") ?? "chip"));
  plot.setAttribute("role", links.length ? "group" : "img");
  plot.setAttribute("aria-label", label);
  return chart;
}
