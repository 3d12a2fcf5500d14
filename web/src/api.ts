// The engine's HTTP API (/api/v1/<operation>): every answer the app shows comes from here; the
// browser only draws. GET answers are cached per URL for the life of the page.
export class ApiError extends Error {
  // `location`: "file:line:col" where the error is in a file's text the request carried.
  constructor(public status: number, public field: string | null, message: string, public location: string | null = null) {
    super(message);
  }
}

const cache = new Map<string, Promise<unknown>>();

export type Params = Record<string, string | number | boolean | string[] | null | undefined>;

export function query(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === "") continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else q.append(k, String(v));
  }
  return q.toString();
}

async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const e = body?.error;
    throw new ApiError(res.status, e?.field ?? null, e?.message ?? `HTTP ${res.status}`, e?.location ?? null);
  }
  return body as T;
}

export function get<T>(op: string, params: Params = {}): Promise<T> {
  const q = query(params);
  const url = `/api/v1/${op}${q ? `?${q}` : ""}`;
  let p = cache.get(url);
  if (!p) {
    p = fetchJson<T>(url);
    cache.set(url, p);
    p.catch(() => cache.delete(url));
  }
  return p as Promise<T>;
}

export function post<T>(op: string, body: unknown): Promise<T> {
  return fetchJson<T>(`/api/v1/${op}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

// The shapes the views read (a subset of each response; the OpenAPI document has them all).
export interface Source { key?: string; kind: string; title: string; url: string; read?: string; note?: string }
export interface IndexAnswer {
  dates: { date: string; events: string[] }[];
  latest_date: string;
  countries: { code: string; name: string; groups: string[] }[];
  models: { id: string; name: string; family: string; total_params: number | null; active_params: number | null; context: number | null; native_context: number | null; fp8_block: number | null }[];
  designs: { id: string; title: string; base: string; products: string[]; size: number }[];
  fleets: { id: string; title: string; rows: number }[];
  chips: number;
  rule_versions: string[];
  current_as_of: string | null;
}
export interface Outcome {
  code: string;
  controls: string[];
  controls_undecided?: string[];
  exceptions: string[];
  license_required: "yes" | "no" | "cannot-decide";
  review_policy: string;
  measures?: string[];
  status: string;
}
export interface Figure { value: number | null; text?: string; unit?: string; sources?: string[]; note?: string }
export interface Metric { title: string; value: number | null; unit: string; how?: string; missing?: string; sources?: string[] }
export interface ChipRecord {
  id: string; name: string; vendor: string; market: string; family: string; form_factor?: string;
  released?: { value: string | null } | null; announced?: string | null;
  metrics: Record<string, Metric>; metrics_order?: string[];
  throughput?: Record<string, Figure>;
  memory?: { type?: string; bandwidth?: Figure; capacity?: Figure; stacks?: number };
  power?: { tdp?: Figure };
  dies?: { name: string; kind: string; process?: string; area_mm2?: number | null; count?: number; non_planar?: boolean }[];
  sources: Record<string, Source>;
  file?: string;
}
