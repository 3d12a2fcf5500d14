// Shared pieces of the views: the status palette, the chip / date / destination pickers, and
// URL state (every view is a URL: its query string reproduces it).
import { h, select, field, type Option } from "./dom";
import { get, type IndexAnswer, type ChipRecord, type Outcome } from "./api";

// Okabe-Ito colours (distinguishable with the common colour-vision deficiencies); each status
// also has its own marker shape and text, so colour is never the only cue.
export const STATUS = {
  free: { label: "no license required", color: "#009E73", symbol: "circle" },
  exception: { label: "license; exception may apply", color: "#56B4E9", symbol: "diamond" },
  approval: { label: "license; approval or case-by-case", color: "#E69F00", symbol: "square" },
  denial: { label: "license; denial or policy not published", color: "#D55E00", symbol: "triangle" },
  undecided: { label: "cannot decide (figure missing)", color: "#CC79A7", symbol: "cross" },
} as const;
export type StatusKey = keyof typeof STATUS;

// The engine's outcome, grouped for colouring (no law here: every field is the engine's).
// Only the count of exceptions matters: a summary lists their names, a full classification their records.
type StatusInput = Pick<Outcome, "license_required" | "review_policy"> & { exceptions: readonly unknown[] };

export function statusOf(o: StatusInput): StatusKey {
  if (o.license_required === "cannot-decide") return "undecided";
  if (o.license_required === "no") return "free";
  if (o.exceptions.length > 0) return "exception";
  if (o.review_policy === "presumption-of-approval" || o.review_policy === "case-by-case") return "approval";
  return "denial";
}

export function statusBadge(o: StatusInput, text?: string): HTMLElement {
  const k = statusOf(o);
  return h("span", { class: `badge s-${k}` }, h("span", { class: `mark m-${k}`, "aria-hidden": "true" }), text ?? STATUS[k].label);
}

export function legend(): HTMLElement {
  return h("ul", { class: "legend", "aria-label": "Legend" },
    (Object.keys(STATUS) as StatusKey[]).map((k) =>
      h("li", null, h("span", { class: `mark m-${k}`, "aria-hidden": "true" }), STATUS[k].label)));
}

export const policyText = (p: string): string => p.replaceAll("-", " ");

// URL state -------------------------------------------------------------------------------------

export function params(): URLSearchParams {
  return new URLSearchParams(location.search);
}

// Replaces the current URL's query (the view stays); `render` redraws.
export function setParams(values: Record<string, string | string[] | null | undefined>, push = false): void {
  const q = params();
  for (const [k, v] of Object.entries(values)) {
    q.delete(k);
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else if (v !== null && v !== undefined && v !== "") q.set(k, v);
  }
  const url = `${location.pathname}${q.toString() ? `?${q}` : ""}`;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
  window.dispatchEvent(new Event("ceiling:params"));
}

// Data every view may need ------------------------------------------------------------------------

export const index = (): Promise<IndexAnswer> => get<IndexAnswer>("index");
export const chips = (): Promise<ChipRecord[]> => get<ChipRecord[]>("chips");
// Each chip's name by its id, for tables and charts that the API fills with ids.
export const chipNames = (list: ChipRecord[]): Map<string, string> => new Map(list.map((c) => [c.id, c.name]));

// Chips a view could not answer for, each named and linked to its page, with the engine's reason.
export function leftOut(items: { chip: string; reason: string }[], names: Map<string, string>): HTMLElement | null {
  if (!items.length) return null;
  return h("div", { class: "warning", role: "status" }, h("strong", null, "Left out: "),
    items.map((l, i) => [i ? "; " : "", h("a", { href: `/chip?chip=${encodeURIComponent(l.chip)}` }, names.get(l.chip) ?? l.chip), `: ${l.reason}`]));
}

// The notes of several chips' results: those every chip has (about the model or the workload)
// once, then each chip's own under its name.
export function chipNotes(data: { chip: string; notes: string[] }[], name: (id: string) => string): HTMLElement | null {
  if (!data.some((d) => d.notes.length)) return null;
  const shared = data.length > 1 ? data[0].notes.filter((n) => data.every((d) => d.notes.includes(n))) : [];
  return h("ul", { class: "note" }, shared.map((n) => h("li", null, n)),
    data.flatMap((d) => d.notes.filter((n) => !shared.includes(n)).map((n) => h("li", null, `${name(d.chip)}: ${n}`))));
}

export function chipOptions(list: ChipRecord[]): Option[] {
  const vendorName = (v: string) => v.charAt(0).toUpperCase() + v.slice(1);
  return [...list]
    .sort((a, b) => a.vendor.localeCompare(b.vendor) || a.name.localeCompare(b.name))
    .map((c) => ({ value: c.id, label: c.name, group: vendorName(c.vendor) }));
}

// Models by name, with the longest request (prompt + output) each takes where its file gives it.
export function modelOptions(idx: IndexAnswer): Option[] {
  return idx.models.map((m) => ({ value: m.id, label: m.context ? `${m.name} (context ${m.context.toLocaleString("en-US")} tokens)` : m.name }));
}

export function chipPicker(list: ChipRecord[], value: string, onChange: (v: string) => void, label = "Chip"): HTMLElement {
  return field(label, select(chipOptions(list), value, onChange));
}

export function countryPicker(idx: IndexAnswer, value: string, onChange: (v: string) => void, label: string, blank?: string): HTMLElement {
  const opts: Option[] = blank ? [{ value: "", label: blank }] : [];
  for (const c of [...idx.countries].sort((a, b) => a.name.localeCompare(b.name)))
    opts.push({ value: c.code, label: `${c.name} (${c.code})` });
  return field(label, select(opts, value, onChange));
}

// The date control: a slider that snaps to the dates on which rules change, and a date box for
// any other day. `onChange` gets YYYY-MM-DD.
export function datePicker(idx: IndexAnswer, value: string, onChange: (v: string) => void, label = "Date"): HTMLElement {
  const dates = idx.dates.map((d) => d.date).filter((d) => d >= "2022-01-01");
  const nearest = () => {
    let i = 0;
    dates.forEach((d, j) => { if (d <= value) i = j; });
    return i;
  };
  const out = h("output", { class: "events" });
  const describe = (d: string) => {
    const e = idx.dates.find((x) => x.date === d);
    out.textContent = e ? e.events.join("; ") : "no rule changes on this day";
  };
  const box = h("input", { type: "date", value, min: "2015-01-01", max: "2035-12-31",
    onchange: () => { if (box.value) onChange(box.value); } }) as HTMLInputElement;
  const slider = h("input", { type: "range", min: 0, max: dates.length - 1, step: 1, value: nearest(),
    "aria-valuetext": value,
    oninput: () => {
      const d = dates[Number(slider.value)];
      box.value = d;
      slider.setAttribute("aria-valuetext", d);
      describe(d);
    },
    onchange: () => onChange(dates[Number(slider.value)]) }) as HTMLInputElement;
  describe(value);
  const sliderId = `${label.toLowerCase().replace(/\W+/g, "-")}-slider`;
  slider.id = sliderId;
  const ticks = h("div", { class: "ticks", "aria-hidden": "true" },
    dates.map((d, i) => (i === 0 || d.slice(0, 4) !== dates[i - 1].slice(0, 4) ? h("span", { style: `left:${(i / (dates.length - 1)) * 100}%` }, d.slice(0, 4)) : null)));
  return h("div", { class: "field date-field" },
    h("label", { for: sliderId }, `${label} (snaps to the ${dates.length} dates a rule changes, spaced in order, not to scale)`),
    h("div", { class: "slider" }, slider, ticks),
    h("div", { class: "date-row" }, field("Exact date", box), out));
}

export function loading(): HTMLElement {
  return h("p", { class: "loading", role: "status" }, "Asking the engine…");
}

// The API names the request field at fault; the forms label it in words.
const FIELD_LABELS: Record<string, string> = {
  isl: "Input tokens", osl: "Output tokens", gpus: "GPUs", concurrency: "Concurrent clients",
  sla_tpot: "TPOT target (ms)", sla_ttft: "TTFT target (ms)",
  prefill_workers: "Prefill workers", decode_workers: "Decode workers", prefill_gpus: "GPUs per prefill worker",
  chip: "Chip", chips: "Chips", model: "Model", date: "Date", to: "Destination", hq: "End user's headquarters",
  base: "Base chip", compare: "Compare with", dates: "Dates", a: "Rule version A", b: "Rule version B", id: "Rule version",
  tp: "Tensor parallel", pp: "Pipeline parallel", cp: "Context parallel", ep: "Expert parallel", global_batch: "Global batch (sequences)",
  seq: "Sequence length", micro_batch: "Micro-batch", tokens: "Tokens to train on", precision: "GEMM format", recompute: "Recompute", engine: "Engine",
  fleet: "Shipments file", shipments: "Shipments file", count: "Rows counted in totals", reference: "One H100-equivalent is", as_of: "What-if date", set: "Rule parameters moved",
};

// The engine's messages point a terminal user at a command; here the page that lists the same.
const FOR_THE_WEB: [string, string][] = [
  [" (see `ceiling chips` for the list)", " (the Catalog lists them)"],
  [" (see `ceiling rules list`)", " (the Rules page lists them)"],
];

export function errorBox(e: unknown): HTMLElement {
  const msg = FOR_THE_WEB.reduce((m, [cli, web]) => m.replaceAll(cli, web), e instanceof Error ? e.message : String(e));
  const f = (e as { field?: string | null }).field;
  const at = (e as { location?: string | null }).location;
  const text = at ? `${at}: ${msg}` : msg;
  return h("p", { class: "error", role: "alert" }, f ? `${FIELD_LABELS[f] ?? f}: ${text}` : text);
}

export function sourceLinks(keys: string[] | undefined, sources: Record<string, { url: string; title: string }>): HTMLElement | null {
  if (!keys || keys.length === 0) return null;
  return h("span", { class: "sources" }, keys.map((k, i) => {
    const s = sources[k];
    return [i ? " " : "", s ? h("a", { href: s.url, title: s.title, rel: "noopener noreferrer", target: "_blank" }, `[${k}]`) : `[${k}]`];
  }));
}
