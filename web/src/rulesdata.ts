// The rule versions (rules/list), indexed by clause for titles and source links.
import { get, type Source } from "./api";

export interface Clause { id: string; kind: string; title: string; paragraph?: string; condition?: string; sources: Source[]; secondary: boolean; basis: string; note?: string }
export interface Parameter { name: string; value: number; text: string; title: string; overridden: boolean; sources: Source[] }
export interface Rule {
  id: string; title: string; short_title: string; citation: string; effective: string;
  compliance?: string | null; summary?: string; clauses: Clause[]; parameters: Parameter[]; sources: Source[];
  enforcement?: { from: string; status: string; note?: string }[];
}

export const rulesList = (): Promise<Rule[]> => get<Rule[]>("rules/list");

export async function clauseIndex(): Promise<Map<string, Clause & { rule: Rule }>> {
  const m = new Map<string, Clause & { rule: Rule }>();
  for (const r of await rulesList()) for (const c of r.clauses) m.set(c.id, { ...c, rule: r });
  return m;
}
