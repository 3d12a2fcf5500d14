// The ceiling web app: one page, eleven views, each a URL (/chip?chip=nvidia-h20&date=...).
// A view is mounted once per visit (its controls keep focus while the user works) and its
// results are redrawn from the engine's answers whenever the query string changes.
import "./style.css";
import { h, clear } from "./dom";
import { index, errorBox } from "./ui";
import type { View } from "./view";
import { chipView } from "./views/chip";
import { mapView } from "./views/map";
import { matrixView } from "./views/matrix";
import { compareView } from "./views/compare";
import { designView } from "./views/design";
import { capabilityView } from "./views/capability";
import { fleetView } from "./views/fleet";
import { trainView } from "./views/train";
import { rulesView } from "./views/rules";
import { catalogView } from "./views/catalog";
import { accuracyView } from "./views/accuracy";
import { homeView } from "./views/home";

export const VIEWS: Record<string, View> = {
  "/chip": chipView,
  "/map": mapView,
  "/matrix": matrixView,
  "/compare": compareView,
  "/train": trainView,
  "/design": designView,
  "/capability": capabilityView,
  "/fleet": fleetView,
  "/rules": rulesView,
  "/catalog": catalogView,
  "/accuracy": accuracyView,
};

// For the browser tests and the README's timings: how many redraws finished, and when.
declare global {
  interface Window { ceiling: { drawn: number; lastDrawn: number; view: string } }
}
window.ceiling = { drawn: 0, lastDrawn: 0, view: "" };
export function drawn(): void {
  window.ceiling.drawn++;
  window.ceiling.lastDrawn = performance.now();
  document.body.dataset.drawn = String(window.ceiling.drawn);
}

const app = document.getElementById("app")!;
let update: (() => Promise<void>) | null = null;
let generation = 0;

function header(path: string): HTMLElement {
  const links = Object.entries(VIEWS).map(([p, v]) =>
    h("li", null, h("a", { href: p, "aria-current": p === path ? "page" : null }, v.title)));
  return h("header", { class: "top" },
    h("a", { class: "brand", href: "/" }, "ceiling"),
    h("nav", { "aria-label": "Views" }, h("ul", null, links)));
}

async function mount(): Promise<void> {
  const gen = ++generation;
  const path = location.pathname.replace(/\/+$/, "") || "/";
  const view = VIEWS[path] ?? homeView;
  window.ceiling.view = path;
  document.title = view === homeView ? "ceiling" : `${view.title} · ceiling`;
  const main = h("main", { id: "main", tabindex: -1 });
  clear(app, header(path), main, footer());
  update = null;
  try {
    const u = await view.mount(main);
    if (gen !== generation) return;
    update = u;
    await u();
    if (gen === generation) drawn();
  } catch (e) {
    if (gen === generation) {
      showError(main, e);
      drawn();
    }
  }
}

function footer(): HTMLElement {
  const f = h("footer", null, "ceiling: US export-control rules on AI chips since October 2022, clause by clause, and what the chips can do. ",
    h("a", { href: "/api/v1/openapi.json" }, "JSON API"), ".");
  index().then((i) => {
    if (i.current_as_of) f.append(` Sources read up to ${i.current_as_of}; ${i.chips} chips, ${i.rule_versions.length} rule versions.`);
  }).catch(() => {});
  return f;
}

async function refresh(): Promise<void> {
  if (!update) return mount();
  const gen = generation;
  try {
    await update();
  } catch (e) {
    const main = document.getElementById("main");
    if (main) showError(main, e);
  }
  if (gen === generation) drawn();
}

// The error replaces the "Asking the engine…" line and any earlier error: one message, current.
function showError(main: HTMLElement, e: unknown): void {
  main.querySelectorAll(".loading, .error").forEach((x) => x.remove());
  main.appendChild(errorBox(e));
}

// Internal links navigate without reloading the page.
document.addEventListener("click", (e) => {
  const a = (e.target as Element).closest?.("a");
  if (!a || a.target || a.hasAttribute("download") || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  const url = new URL(a.href, location.href);
  // A blob: URL (a download the page made) has this page's origin too: leave it to the browser.
  if (url.protocol !== location.protocol || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  e.preventDefault();
  history.pushState(null, "", url.pathname + url.search);
  void mount().then(() => document.getElementById("main")?.focus());
});
window.addEventListener("popstate", () => void mount());
window.addEventListener("ceiling:params", () => void refresh());
void mount();
