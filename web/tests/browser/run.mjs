// Browser tests of the web app: Playwright (playwright-core) driving Debian's /usr/bin/chromium
// against `ceiling serve --port 0` started here. Registered in ctest (tests/CMakeLists.txt).
//
//   node web/tests/browser/run.mjs --binary build/ceiling --out build/browser [--only NAME]
//
// Writes screenshots of every view at 1280x800 and 390x844, timings.json (first-load bytes and
// interaction times) and prints "N passed, N failed". Exit 1 on any failure.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const arg = (name, def) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : def);
const binary = resolve(arg("--binary", "build/ceiling"));
const out = resolve(arg("--out", "build/browser"));
const only = arg("--only", "");
const dossier = arg("--dossier", "");
const chromiumPath = arg("--chromium", "/usr/bin/chromium");
const sourceDir = resolve(new URL("../../../", import.meta.url).pathname);  // the repository
mkdirSync(join(out, "screenshots"), { recursive: true });

// The server -----------------------------------------------------------------------------------
const server = spawn(binary, ["serve", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
server.stderr.on("data", (d) => process.stderr.write(d));
const base = await new Promise((ok, fail) => {
  let text = "";
  server.stdout.on("data", (d) => {
    text += d;
    const m = text.match(/listening on (http:\/\/[^/\s]+)\//);
    if (m) ok(m[1]);
  });
  server.on("exit", (c) => fail(new Error(`ceiling serve exited with ${c}: ${text}`)));
  setTimeout(() => fail(new Error("ceiling serve did not start in 20 s")), 20000);
});

process.on("exit", () => server.kill("SIGTERM"));
// Playwright gives every launch a fresh, temporary --user-data-dir of its own (it refuses one in
// args); the browser is Debian's, never a downloaded one.
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const axeSource = require("fs").readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const VIEWS = {
  home: "/",
  chip: "/chip?chip=nvidia-h20&date=2025-09-01&to=CN",
  map: "/map?date=2024-06-01&to=CN",
  matrix: "/matrix?to=CN&chip=nvidia-a800-sxm",
  compare: "/compare?chips=nvidia-h20&chips=nvidia-h100-sxm&chips=nvidia-h200-sxm&chips=huawei-ascend-910c&model=deepseek-r1&gpus=8&isl=4096&osl=1536&concurrency=64",
  train: "/train?chips=nvidia-h100-sxm&chips=nvidia-h20&chips=huawei-ascend-910c&model=llama-3.1-70b&gpus=64&tp=8&pp=4&global_batch=256&seq=4096&tokens=1e12",
  design: "/design?base=nvidia-h100-sxm&date=2024-06-01&to=CN&objective=decode&model=deepseek-r1&compare=nvidia-h20",
  capability: "/capability?dates=2023-06-01&dates=2024-06-01&to=CN&objective=prefill&model=llama-3.1-8b",
  fleet: "/fleet?fleet=china-2022-2026&chart=decode&as_of=2025-04-20",
  rules: "/rules?id=us-2023-10-acs&a=us-2022-10-acs&b=us-2023-10-acs",
  catalog: "/catalog?sort=tpp&desc=1",
  accuracy: "/accuracy",
};

// A page that records console errors and failed requests.
async function open(path, viewport = VIEWPORTS.desktop) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  if (path !== null) {
    await page.goto(base + path);
    await drawn(page, 0);
  }
  return { page, context, problems };
}

// Waits until the app has finished `after` + 1 redraws.
async function drawn(page, after, timeout = 60000) {
  await page.waitForFunction((n) => (window.ceiling?.drawn ?? 0) > n, after, { timeout });
}

const text = (page, sel) => page.locator(sel).first().innerText();

const results = [];
const timings = {};
async function test(name, fn) {
  if (only && !name.includes(only)) return;
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok    ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL  ${name} (${Date.now() - t0} ms)\n      ${String(e?.stack ?? e).split("\n").slice(0, 4).join("\n      ")}`);
  }
}
function expect(cond, message) { if (!cond) throw new Error(message); }

// Every view: loads clean at both sizes, passes axe, gets its screenshots ---------------------------
for (const [name, path] of Object.entries(VIEWS)) {
  await test(`view ${name}: loads with no console errors or failed requests, axe clean, screenshots`, async () => {
    for (const [vp, size] of Object.entries(VIEWPORTS)) {
      const { page, context, problems } = await open(path, size);
      expect(!(await page.locator(".error").count()), `${vp}: an error box is shown: ${await page.locator(".error").allInnerTexts()}`);
      await page.screenshot({ path: join(out, "screenshots", `${name}-${vp}.png`), fullPage: false });
      await page.screenshot({ path: join(out, "screenshots", `${name}-${vp}-full.png`), fullPage: true });
      await page.evaluate(axeSource); // CDP evaluation: the page's CSP (script-src 'self') stays on
      const axe = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ["violations"] });
        return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes, e.g. ${v.nodes[0]?.target})`);
      });
      if (vp === "phone") {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow <= 1, `phone: the page is ${overflow} px wider than the viewport`);
      }
      await context.close();
      expect(problems.length === 0, `${vp}: ${problems.join("; ")}`);
      expect(axe.length === 0, `${vp}: axe: ${axe.join("; ")}`);
    }
  });
}

// The H20 story ------------------------------------------------------------------------------------
await test("chip view: the H20 story to China (2024-06-01 free, 2025-05-01 letter, 2025-09-01 approval with 15%)", async () => {
  const { page, context, problems } = await open("/chip?chip=nvidia-h20&date=2024-06-01&to=CN");
  let v = await text(page, ".verdict");
  expect(/No license required/.test(v), `2024-06-01: ${v}`);
  // Move the date the way a user does: the exact-date box.
  for (const [date, want] of [["2025-05-01", /License required by us-2025-04-h20-letter\/h20-letter/], ["2025-09-01", /presumption of approval/]]) {
    const n = await page.evaluate(() => window.ceiling.drawn);
    await page.getByLabel("Exact date", { exact: true }).fill(date);
    await page.getByLabel("Exact date", { exact: true }).dispatchEvent("change");
    await drawn(page, n);
    v = await text(page, ".verdict");
    expect(want.test(v), `${date}: ${v}`);
    expect(new URL(page.url()).searchParams.get("date") === date, `URL date ${page.url()}`);
  }
  expect(/15% revenue share/.test(v) && /us-2025-08-h20-licensing\/revenue-share/.test(v), `2025-09-01 revenue share: ${v}`);
  // Every trace clause links to its rule; the citations link out.
  const links = await page.locator("ol.trace li a[href^='/rules?id=']").count();
  const cites = await page.locator("ol.trace .cite a[href^='http']").count();
  expect(links > 5 && cites > 5, `trace links ${links}, citation links ${cites}`);
  // Comparisons read as the CLI prints them: numbers with their values, strings quoted.
  const tr = await text(page, "ol.trace");
  expect(tr.includes("tpp 2,368 >= tpp_a 4,800: false"), "trace: no numeric comparison with values");
  expect(tr.includes('market "datacenter" != "datacenter": false'), "trace: string comparison without its value");
  await context.close();
  expect(problems.length === 0, problems.join("; "));
});

// Capability: a die on which nothing runs says why, not a search artefact's TPP ---------------------
await test("capability: a zero says why (GB202: no rate the model needs), a die with no compliant derivative shows none and its clause, the legend explains", async () => {
  const { page, context, problems } = await open(VIEWS.capability);
  const rows = await page.evaluate(() => [...document.querySelectorAll("table tr")]
    .map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent))
    .filter((c) => c[0] === "GB202"));
  expect(rows.length === 2, `GB202 rows: ${JSON.stringify(rows)}`);
  for (const r of rows) {
    expect(r[3].startsWith("0 (the performance model needs"), `objective cell: ${r[3]}`);
    expect(r[4] === "–" && r[6] === "–", `TPP and binding of a zero: ${r[4]}, ${r[6]}`);
  }
  // No derivative of the wafer meets the requirement: "none", no TPP or PD, and the clause.
  const wse = await page.evaluate(() => [...document.querySelectorAll("table tr")]
    .map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent))
    .find((c) => c[0] === "WSE-3 wafer" && c[2] === "2024-06-01"));
  expect(wse && wse[3] === "none" && wse[4] === "–" && wse[5] === "–" && /3A090\.a/.test(wse[6]),
    `WSE-3 on 2024-06-01: ${JSON.stringify(wse)}`);
  const legend = await text(page, ".results p.note");
  expect(/none: no derivative meets the requirement/.test(legend), `legend: ${legend}`);
  await context.close();
  expect(problems.length === 0, problems.join("; "));
});

// The matrix ---------------------------------------------------------------------------------------
await test("matrix: the A800 flips from free to a LIC; the codes' legend is the CLI's, (EL) included", async () => {
  const { page, context, problems } = await open(VIEWS.matrix);
  const cells = await page.evaluate(() => [...document.querySelectorAll("table.matrix tr.selected td")].map((td) => td.textContent));
  expect(cells[0] === "free" && cells.slice(1).some((c) => /a LIC deny/.test(c)), `A800 row: ${JSON.stringify(cells)}`);
  const note = await text(page, ".results p.note");
  expect(/\(EL\) by the end-user controls/.test(note) && /\? after a part = cannot decide it/.test(note), `legend: ${note}`);
  await context.close();
  expect(problems.length === 0, problems.join("; "));
});

// The chip view lists each clause once and no stray metric -----------------------------------------
await test("chip view: the trace lists each clause once (the revenue-share approval is a measure and the review), no 'undefined' anywhere", async () => {
  const { page, context, problems } = await open("/chip?chip=nvidia-h20&date=2025-09-01&to=CN");
  const ids = await page.evaluate(() => [...document.querySelectorAll("ol.trace > li")].map((li) => li.id));
  expect(ids.length > 10 && new Set(ids).size === ids.length, `trace items: ${ids.join(" ")}`);
  expect(ids.includes("trace-us-2025-08-h20-licensing/revenue-share"), ids.join(" "));
  const body = await page.locator("main").innerText();
  expect(!/\bundefined\b|\bNaN\b/.test(body), "the page shows undefined or NaN");
  // An exception whose availability cannot be decided is a phrase, not "[object Object]".
  await page.goto(`${base}/chip?chip=google-tpu-v4&to=CN&date=2026-11-10`);
  await drawn(page, 0);
  const verdict = await text(page, ".verdict");
  expect(/NAC: License exception NAC .*cannot be decided/.test(verdict) && !/object Object/.test(verdict), `TPU v4 exceptions: ${verdict}`);
  await context.close();
  expect(problems.length === 0, problems.join("; "));
});

// Bad parameters: one error that names the problem, and no "Asking the engine…" left beside it --
await test("errors: an unknown chip, a bad date, an unknown model each give one clear error and no loading line", async () => {
  for (const [path, want] of [
    ["/chip?chip=bogus-chip&to=CN", /bogus-chip/],
    ["/map?date=2024-02-30&to=CN", /2024-02-30/],
    ["/compare?chips=nvidia-h20&model=no-such-model", /no-such-model/],
  ]) {
    const { page, context } = await open(path); // the 4xx answers are the point here
    const errors = await page.locator(".error").allInnerTexts();
    expect(errors.length === 1 && want.test(errors[0]), `${path}: ${JSON.stringify(errors)}`);
    expect(await page.locator(".loading").count() === 0, `${path}: the loading line stays beside the error`);
    await context.close();
  }
  // An id in the address that names nothing is shown as such, never silently replaced by another.
  for (const [path, want] of [
    ["/rules?id=nope", /No rule version "nope"/],
    ["/catalog?vendor=nobody", /no vendor "nobody"/],
  ]) {
    const { page, context, problems } = await open(path);
    const alerts = await page.locator(".error, .warning").allInnerTexts();
    expect(alerts.length === 1 && want.test(alerts[0]), `${path}: ${JSON.stringify(alerts)}`);
    const shown = await page.locator("select").first().evaluate((s) => s.options[s.selectedIndex]?.text ?? "");
    expect(/not known/.test(shown), `${path}: the picker shows "${shown}"`);
    expect(problems.length === 0, problems.join("; "));
    await context.close();
  }
});

// Compare where nothing fits: a warning, not three bare charts ------------------------------------
await test("compare: when no chip fits the workload, a warning says so and only the memory chart is drawn", async () => {
  // DeepSeek-R1's 671 GB of weights on one GPU of either chip.
  const { page, context, problems } = await open("/compare?chips=nvidia-h20&chips=nvidia-h100-sxm&model=deepseek-r1&gpus=1&isl=1024&osl=1024&concurrency=64");
  const warning = await page.locator(".warning").allInnerTexts();
  expect(warning.length === 1 && /No chip runs this workload/.test(warning[0]), JSON.stringify(warning));
  const captions = await page.locator("figure figcaption").allInnerTexts();
  expect(captions.some((c) => /^Memory fit/.test(c)), `no memory chart: ${captions.join(" | ")}`);
  expect(!captions.some((c) => /^TTFT|^TPOT|^Output tokens/.test(c)), `charts drawn: ${captions.join(" | ")}`);
  await context.close();
  expect(problems.length === 0, problems.join("; "));
});

// Latency targets: each chip's best deployment under them, a note for a chip that misses ----------
await test("compare: a TPOT target searches each chip, draws the target and notes the chip that cannot meet it", async () => {
  // Batch-1 decode of Llama 3.1 70B on 8 GPUs: the H20 (4.0 TB/s) beats the H100 (3.35 TB/s), so a
  // target between the two meets the H20 and not the H100.
  const one = "model=llama-3.1-70b&gpus=8&tp=8&isl=1024&osl=1024&concurrency=1";
  const tpot = async (chip) => (await (await fetch(`${base}/api/v1/perf/serve?chip=${chip}&${one}`)).json()).tpot_ms;
  const [h100, h20] = [await tpot("nvidia-h100-sxm"), await tpot("nvidia-h20")];
  expect(h20 < h100, `batch-1 TPOT: H20 ${h20} ms, H100 ${h100} ms`);
  const target = String(Number(((h100 + h20) / 2).toFixed(3)));
  const { page, context, problems } = await open(`/compare?chips=nvidia-h100-sxm&chips=nvidia-h20&model=llama-3.1-70b&gpus=8&isl=1024&osl=1024&concurrency=64&sla_tpot=${target}`);
  const box = await page.getByLabel("TPOT target (ms)").inputValue();
  expect(box === target, `TPOT target box: "${box}" for ${target}`);
  const notes = await page.locator("ul.note li").allInnerTexts();
  const against = new RegExp(`^NVIDIA H100 SXM5 80GB: no deployment meets the latency targets; the nearest, TP8 at 1 client, has TPOT [0-9.]+ ms against ${target.replace(".", "\\.")} ms$`);
  expect(notes.some((n) => against.test(n)), JSON.stringify(notes));
  expect(!notes.some((n) => /^NVIDIA HGX H20 96GB: no deployment meets/.test(n)), JSON.stringify(notes));
  // The H100's TPOT bar is past the target: drawn in vermillion, the H20's in blue.
  const fills = await page.locator("figure", { hasText: "TPOT, ms" }).locator("svg g rect").evaluateAll((rs) => rs.map((r) => r.getAttribute("fill")));
  expect(fills.includes("#D55E00") && fills.includes("#0072B2"), JSON.stringify(fills));
  const captions = await page.locator("figure figcaption").allInnerTexts();
  expect(captions.some((c) => /^TPOT, ms \(dashed: the target; vermillion: misses it\)/.test(c)), captions.join(" | "));
  const clients = await page.locator("table").last().locator("tbody tr td:nth-child(4)").allInnerTexts();
  expect(clients.length === 2 && clients.every((c) => /^[0-9,]+$/.test(c)), JSON.stringify(clients));
  // A bad target is the API's refusal under the field's label.
  await page.getByLabel("TPOT target (ms)").fill("-1");
  await page.getByLabel("TPOT target (ms)").dispatchEvent("change");
  await page.locator(".error").first().waitFor({ timeout: 10000 });
  const alerts = await page.locator(".error").allInnerTexts();
  expect(alerts.length === 1 && alerts[0] === "TPOT target (ms): must be a positive number", JSON.stringify(alerts));
  await context.close();
  const others = problems.filter((p) => !/^HTTP 400: .*\/api\/v1\/compare|status of 400/.test(p)); // the 400 is the point
  expect(others.length === 0, others.join("; "));
});

// The engine and the format: the engine's defaults shape the answer (TensorRT-LLM holds gpt-oss's
// sliding-window layers at every token, vLLM only their window, so vLLM runs more at once).
await test("compare: the engine and the weights' format travel to the API and say what they change", async () => {
  const q = "chips=nvidia-gb200&model=gpt-oss-120b&gpus=1&isl=8192&osl=1024&concurrency=1500&precision=fp4";
  const { page, context, problems } = await open(`/compare?${q}&engine=trtllm`);
  expect(await page.getByLabel("Engine", { exact: true }).inputValue() === "trtllm", "engine box");
  expect(await page.getByLabel("GEMM format", { exact: true }).inputValue() === "fp4", "format box");
  const notes = await page.locator("ul.note li").allInnerTexts();
  expect(notes.some((n) => /trtllm keeps 100% of each sequence's tokens in the KV cache of the 18 sliding-window layers, not only the last 128/.test(n)), JSON.stringify(notes));
  const api = await (await fetch(`${base}/api/v1/compare?${q}&engine=trtllm`)).json();
  const clients = async () => (await page.locator("table").last().locator("tbody tr td:nth-child(4)").allInnerTexts())[0];
  const row = await page.locator("table").last().locator("tbody tr").first().innerText();
  expect(row.includes(Math.round(api.chips[0].output_tokens_per_s_per_gpu).toLocaleString("en-US")), `${row} vs ${api.chips[0].output_tokens_per_s_per_gpu}`);
  expect(await clients() === "1,500", await clients());
  const n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("Engine", { exact: true }).selectOption("vllm");
  await drawn(page, n);
  expect(new URL(page.url()).searchParams.get("engine") === "vllm", page.url());
  const after = await page.locator("ul.note li").allInnerTexts();
  expect(!after.some((t) => /sliding-window layers/.test(t)), JSON.stringify(after));
  const vllm = await (await fetch(`${base}/api/v1/compare?${q}&engine=vllm`)).json();
  expect(vllm.chips[0].batch_per_attention_rank > api.chips[0].batch_per_attention_rank, `vLLM ${vllm.chips[0].batch_per_attention_rank}, TensorRT-LLM ${api.chips[0].batch_per_attention_rank}`);
  await context.close();
  expect(problems.length === 0, problems.join("; "));
  // An engine the model has no calibration for is the API's refusal, under the field's label.
  const bad = await open(null);
  await bad.page.goto(`${base}/compare?${q}&engine=foo`);
  await bad.page.locator(".error").first().waitFor({ timeout: 10000 });
  const alerts = await bad.page.locator(".error").allInnerTexts();
  expect(alerts.length === 1 && alerts[0].startsWith('Engine: unknown engine "foo" (calibrated: sglang, trtllm, vllm)'), JSON.stringify(alerts));
  await bad.context.close();
  expect(bad.problems.every((p) => /^HTTP 400: .*\/api\/v1\/compare|status of 400/.test(p)), bad.problems.join("; "));
});

// Disaggregated serving: prefill workers hand the KV cache to decode workers -----------------------
await test("compare: with prefill workers each chip is served disaggregated, and its workers are named", async () => {
  const { page, context, problems } = await open("/compare?chips=nvidia-h20&chips=nvidia-h200-sxm&model=llama-3.1-70b&gpus=16&isl=4096&osl=1024&concurrency=64&prefill_workers=1&prefill_gpus=4&decode_workers=3");
  const workers = await page.getByLabel("Prefill workers (0: aggregated)").inputValue();
  expect(workers === "1", `prefill workers box: "${workers}"`);
  const layouts = await page.locator("table").last().locator("tbody tr td:nth-child(3)").allInnerTexts();
  expect(layouts.length === 2 && layouts.every((l) => /^1 prefill × TP[0-9]+.* \+ 3 decode × TP[0-9]+/.test(l)), JSON.stringify(layouts));
  // The KV hand-off is a part of the first token's time.
  const legend = await page.locator("figure", { hasText: "Where the first token's time goes" }).innerText();
  expect(/KV cache to the decode worker/.test(legend), legend.slice(0, 400));
  const from = await page.locator("table").last().locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.lastElementChild.textContent));
  expect(from.every((f) => /; disaggregated$/.test(f)), JSON.stringify(from));
  // Decode workers that do not divide the GPUs left are the API's refusal under the field's label.
  await page.getByLabel("Decode workers").fill("5");
  await page.getByLabel("Decode workers").dispatchEvent("change");
  await page.locator(".error").first().waitFor({ timeout: 10000 });
  const alerts = await page.locator(".error").allInnerTexts();
  expect(alerts.length === 1 && /^Decode workers: 5 does not divide the 12 GPUs left/.test(alerts[0]), JSON.stringify(alerts));
  await context.close();
  const others = problems.filter((p) => !/^HTTP 400: .*\/api\/v1\/compare|status of 400/.test(p)); // the 400 is the point
  expect(others.length === 0, others.join("; "));
});

// A chip the model cannot answer for, and one that does not fit ------------------------------------
await test("compare: a chip the model cannot model is left out with its reason; one that does not fit keeps its row", async () => {
  // The MI308X's record has no dense tensor rate; DeepSeek-R1 does not fit 8 H100s (80 GB each).
  const { page, context, problems } = await open("/compare?chips=amd-mi308x&chips=nvidia-h20&chips=nvidia-h100-sxm&model=deepseek-r1&gpus=8&isl=1024&osl=1024&concurrency=16");
  const warning = await page.locator(".warning").allInnerTexts();
  // Named as the catalog names it, linked to its page by id.
  expect(warning.length === 1 && /^Left out: AMD Instinct MI308X: the performance model needs a dense/.test(warning[0]), JSON.stringify(warning));
  const link = await page.locator(".warning a").getAttribute("href");
  expect(link === "/chip?chip=amd-mi308x", String(link));
  const chart = page.locator("figure", { hasText: "Output tokens/s per GPU" }).locator("svg").first();
  const labels = await chart.locator("text").evaluateAll((ts) => ts.map((t) => t.textContent));
  // The rows keep the order chosen (not alphabetical ids), named as the picker names them.
  const h20 = labels.indexOf("NVIDIA HGX H20 96GB"), h100 = labels.indexOf("NVIDIA H100 SXM5 80GB");
  expect(h20 >= 0 && h100 > h20, JSON.stringify(labels));
  expect(labels.includes("does not fit"), JSON.stringify(labels));
  // Where the H20's first token's time goes: the parts chart and its table, which add up to TTFT.
  const parts = await page.locator("figure", { hasText: "Where the first token's time goes" }).locator("table tbody tr").first().locator("td").evaluateAll((tds) => tds.map((t) => t.textContent));  // in a closed <details>
  const ttft = await page.locator("table").last().locator("tbody tr").first().locator("td:nth-child(6)").innerText();
  const sum = parts.slice(1).reduce((a, x) => a + Number(x.replace(/,/g, "")), 0);
  expect(parts[0] === "NVIDIA HGX H20 96GB" && Math.abs(sum / Number(ttft.split(" ")[0].replace(/,/g, "")) - 1) < 0.02, `${JSON.stringify(parts)} vs ${ttft}`);
  // Where each chip's bands come from: the H20's basis and regime; the H100 has no figures, so
  // its basis only.
  const from = await page.locator("table").last().locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.lastElementChild.textContent));
  expect(/^unprofiled chip; (small|large) batch$/.test(from[0]) && from[1] === "profiled", JSON.stringify(from));
  await context.close();
  expect(problems.length === 0, problems.join("; "));
});

// A request longer than the model's context: the engine's refusal, in words ------------------------
await test("compare: a request longer than the model's context is refused, and the picker gives the context", async () => {
  const { page, context, problems } = await open("/compare?chips=nvidia-h20&chips=nvidia-h100-sxm&model=llama-2-13b&gpus=1&isl=8000&osl=512&concurrency=16");
  const others = () => problems.filter((p) => !/^HTTP 400: .*\/api\/v1\/compare|status of 400/.test(p)); // the 400 is the point
  const alerts = await page.locator(".error").allInnerTexts();
  expect(alerts.length === 1 && /^Input tokens: input 8,000 \+ output 512 = 8,512 tokens exceed the 4,096-token context of Llama 2 13B/.test(alerts[0]), JSON.stringify(alerts));
  const model = await page.locator("select").nth(5).evaluate((s) => s.options[s.selectedIndex]?.text ?? "");
  expect(model === "Llama 2 13B (context 4,096 tokens)", `model picker: "${model}"`);
  expect((await page.locator("figure").count()) === 0, "charts drawn for a refused request");
  await context.close();
  expect(others().length === 0, others().join("; "));
});

// The catalog's downloads -------------------------------------------------------------------------
await test("catalog: Download CSV and Download JSON save files (a blob: link is not an in-app link)", async () => {
  const { page, context, problems } = await open(VIEWS.catalog);
  for (const [button, name, first] of [["Download CSV", "ceiling-chips.csv", /^id,name,vendor/], ["Download JSON", "ceiling-chips.json", /^\[/]]) {
    const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 10000 }), page.getByRole("button", { name: button }).click()]);
    expect(dl.suggestedFilename() === name, `${button}: ${dl.suggestedFilename()}`);
    const body = require("fs").readFileSync(await dl.path(), "utf8");
    expect(first.test(body) && body.length > 1000, `${button}: ${body.slice(0, 80)}`);
  }
  expect(new URL(page.url()).pathname === "/catalog", `the page moved to ${page.url()}`);
  await context.close();
  expect(problems.length === 0, problems.join("; "));
});

// The map ------------------------------------------------------------------------------------------
await test("map: every catalog chip is accounted for; moving the date changes the regions", async () => {
  const { page, context, problems } = await open("/map?date=2024-06-01&to=CN");
  const total = (await (await fetch(`${base}/api/v1/index`)).json()).chips;
  const counts = await text(page, "[data-testid=map-counts]");
  const m = counts.match(/(\d+) chips plotted, (\d+) on the unknown-PD strip, (\d+) without TPP \(listed below\); (\d+) in all/);
  expect(m, counts);
  const [plotted, strip, none, all] = m.slice(1).map(Number);
  expect(plotted + strip + none === total && all === total, `${counts} vs ${total} chips in the catalog`);
  // Each chip is a link (plotted dots and strip dots) or a row in the no-TPP table.
  const dots = await page.locator("figure.chart svg a").count();
  expect(dots === plotted + strip, `${dots} chip links in the charts, expected ${plotted + strip}`);
  const regions = async () => page.evaluate(() => [...document.querySelectorAll("figure.chart svg")][0].querySelectorAll("rect title").length + ":" +
    [...[...document.querySelectorAll("figure.chart svg")][0].querySelectorAll("rect title")].map((t) => t.textContent).join("|"));
  const before = await regions();
  const n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("Exact date", { exact: true }).fill("2023-01-01");
  await page.getByLabel("Exact date", { exact: true }).dispatchEvent("change");
  await drawn(page, n);
  const after = await regions();
  expect(before !== after, "the regions did not change between 2024-06-01 and 2023-01-01");
  await context.close();
  expect(problems.length === 0, problems.join("; "));
});

// Accuracy ---------------------------------------------------------------------------------------
await test("accuracy: the page shows the engine's held-out errors, one dot per chip and metric, and the repeat pairs", async () => {
  const { page, context, problems } = await open(VIEWS.accuracy);
  const v = await (await fetch(`${base}/api/v1/validate`)).json();
  const held = v.overall.find((r) => r.group === "held-out half (CSV)");
  // One decimal, as the page writes it (32.0, not 32).
  const pct1 = (x) => x.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const shown = (s) => `${pct1(s.median_pct)} / ${pct1(s.p90_pct)} (${s.count})`;
  const row = await page.getByRole("region", { name: "Held-out error" }).getByRole("row", { name: /held-out half \(CSV\)/ }).innerText();
  for (const m of ["ttft", "tpot", "throughput"]) expect(row.includes(shown(held[m])), `held-out ${m}: "${row}" lacks ${shown(held[m])}`);
  const serving = v.per_chip.filter((r) => ["ttft", "tpot", "throughput"].some((m) => r[m].count > 0));
  const want = serving.reduce((n, r) => n + ["ttft", "tpot", "throughput"].filter((m) => r[m].count > 0).length, 0);
  const dots = await page.locator("figure.chart svg[role=img] title").count(); // each dot has its tooltip
  expect(dots === want, `${dots} dots in the chart, expected ${want}`);
  const summary = await text(page, ".summary");
  expect(summary.includes(`${v.rows.held_out.toLocaleString("en-US")} held-out rows`), summary);
  const pairs = await page.getByRole("region", { name: "Repeat measurements" }).innerText();
  expect(/same engine version/.test(pairs) && pairs.includes(`(${v.repeat_measurements[0].ttft.count})`), pairs);
  // Chips by name, linked to their pages, engines as their projects spell them (ids once).
  const chips = await (await fetch(`${base}/api/v1/chips`)).json();
  const h100 = chips.find((c) => c.id === "nvidia-h100-sxm");
  const link = page.getByRole("region", { name: "Per chip" }).first().getByRole("link", { name: h100.name, exact: true });
  expect((await link.getAttribute("href")) === "/chip?chip=nvidia-h100-sxm", `per-chip link: ${await link.getAttribute("href")}`);
  const engines = await page.getByRole("region", { name: "Per serving engine" }).innerText();
  expect(engines.includes("TensorRT-LLM") && !/\btrtllm\b/.test(engines), engines);
  // Each regime's band in words, as the API gives it: the contended regime's TTFT band.
  const contended = v.bands.find((b) => b.basis === "profiled" && b.regime === "contended" && b.metric === "ttft" && !b.slice);
  const regimes = await page.getByRole("region", { name: /90% band per regime/ }).getByRole("row", { name: /^contended/ }).innerText();
  const cov = (contended.coverage * 100).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  expect(regimes.includes(`(${cov}%, ${contended.count})`), `${regimes}; want ${cov}% of ${contended.count}`);
  await context.close();
  expect(problems.length === 0, problems.join("; "));
});

// Training -------------------------------------------------------------------------------------------
await test("train: each chip's perf/train answer side by side; a chip the model cannot take is left out; a bad layout is one error", async () => {
  const { page, context, problems } = await open(VIEWS.train);
  const q = "model=llama-3.1-70b&gpus=64&tp=8&pp=4&global_batch=256&seq=4096&tokens=1e12";
  const h100 = await (await fetch(`${base}/api/v1/perf/train?chip=nvidia-h100-sxm&${q}`)).json();
  const h20 = await (await fetch(`${base}/api/v1/perf/train?chip=nvidia-h20&${q}`)).json();
  const all = page.getByRole("region", { name: "Training on each chip" });
  const row = await all.getByRole("row", { name: /NVIDIA HGX H20 96GB/ }).innerText();
  const ratio = Number((h20.tokens_per_s / h100.tokens_per_s).toPrecision(3));
  expect(row.includes(Math.round(h20.tokens_per_s).toLocaleString("en-US")) && row.includes(`${ratio}×`), `${row}; want ${h20.tokens_per_s}, ${ratio}×`);
  expect(row.includes(`${Math.round(h20.mfu * 100)}%`) && row.includes("TP8 (SP) PP4 DP2 ZeRO-1"), row);
  const summary = await text(page, ".summary");
  expect(summary.startsWith("Llama 3.1 70B: global batch 256 × 4,096 tokens"), summary);
  // The step chart's bars add up to each chip's step time (the parts table is its data).
  const parts = page.locator("[aria-label='Step time parts (s)'] tbody tr");  // in a closed <details>
  expect(await parts.count() === 3, "parts table rows");
  const h20Parts = (await parts.nth(1).evaluate((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent))).slice(1).map((x) => Number(x.replaceAll(",", "")));
  const sum = h20Parts.reduce((a, b) => a + b, 0);
  expect(Math.abs(sum - h20.step_time_s) < 0.01 * h20.step_time_s, `H20 parts ${h20Parts} add to ${sum}, step ${h20.step_time_s}`);
  // A preset of a published run: the settings the form has no control for travel in the URL.
  const n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("Preset").selectOption({ label: "DeepSeek-V3 as DeepSeek trained it: 2,048 GPUs, PP16 EP64, DualPipe, fp8, 14.8T tokens" });
  await drawn(page, n);
  const url = new URL(page.url()).searchParams;
  expect(url.get("dualpipe") === "true" && url.get("ep") === "64" && url.getAll("chips")[0] === "nvidia-h800-sxm", page.url());
  const ds = await text(page, ".summary");
  expect(/^DeepSeek-V3: .*2,048 GPUs of each chip; also set: DualPipe, bf16 Adam moments\.$/.test(ds), ds);
  const h800 = await (await fetch(`${base}/api/v1/perf/train?chip=nvidia-h800-sxm&model=deepseek-v3&gpus=2048&tp=1&pp=16&cp=1&ep=64&global_batch=15360&seq=4096&micro_batch=1&precision=fp8&recompute=selective&tokens=14.8e12&dualpipe=true&bf16_moments=true`)).json();
  const dsRow = await page.getByRole("region", { name: "Training on each chip" }).getByRole("row", { name: /NVIDIA H800/ }).innerText();
  expect(dsRow.includes(Math.round(h800.tokens_per_s).toLocaleString("en-US")), `${dsRow} vs ${h800.tokens_per_s}`);
  // The Ascend 910C has no fp8 rate: its note says its GEMMs run at the bf16 rate.
  expect(/Huawei Ascend 910C: huawei-ascend-910c has no fp8 rate in its record; GEMMs use the bf16 rate/.test(await page.locator("ul.note").innerText()), "no fp8 note");
  await context.close();
  expect(problems.length === 0, problems.join("; "));
  // A chip without the figures the model needs is left out with the engine's reason.
  const left = await open("/train?chips=nvidia-h100-sxm&chips=amd-mi308x&" + q);
  const warning = await left.page.locator(".warning").allInnerTexts();
  expect(warning.length === 1 && /^Left out: AMD Instinct MI308X: /.test(warning[0]), JSON.stringify(warning));
  expect(await left.page.getByRole("region", { name: "Training on each chip" }).locator("tbody tr").count() === 1, "the MI308X has a row");
  await left.context.close();
  // A layout that does not divide the GPUs: one error, named as the form names the field.
  const bad = await open(null);
  await bad.page.goto(`${base}/train?chips=nvidia-h100-sxm&chips=nvidia-h20&model=llama-3.1-70b&gpus=64&tp=3&global_batch=256&seq=4096`);
  await bad.page.locator(".error").first().waitFor({ timeout: 10000 });
  const errors = await bad.page.locator(".error").allInnerTexts();
  expect(errors.length === 1 && errors[0].startsWith("GPUs: 64 is not divisible by tp x pp x cp = 12"), JSON.stringify(errors));
  expect(await bad.page.locator(".loading").count() === 0, "a loading line is left beside the error");
  await bad.context.close();
});

// Fleets ---------------------------------------------------------------------------------------------
await test("fleet: the engine's totals, the chart with its what-if line, every row; ticking a status recounts", async () => {
  const { page, context, problems } = await open(VIEWS.fleet);
  const f = await (await fetch(`${base}/api/v1/fleet?fleet=china-2022-2026&chart=decode&as_of=2025-04-20`)).json();
  const counted = f.rows.filter((r) => r.counted).length;
  let summary = await text(page, ".summary");
  expect(summary.includes(`${f.rows.length} rows; ${counted} counted in totals (status shipped, produced)`), summary);
  // The totals are the engine's, rounded as the CLI rounds them.
  const totals = page.getByRole("region", { name: `Totals over the ${counted} counted rows` });
  const tpp = await totals.getByRole("row", { name: /^H100-eq \(TPP\)/ }).innerText();
  expect(tpp.includes(Math.round(f.totals.h100_eq_tpp.value).toLocaleString("en-US")), `${tpp} vs ${f.totals.h100_eq_tpp.value}`);
  // The chart: one area per family, the total, and the what-if as a dashed line.
  const fig = page.locator("figure.chart", { hasText: "Cumulative H100-equivalents by chip family (decode)" });
  expect(await fig.locator("svg [stroke-dasharray=\"6,4\"]").count() === 1, "no dashed what-if line");
  const families = await fig.locator("svg[role=img]").getAttribute("aria-label");
  expect(f.chart.families.every((x) => families.includes(x.family)), `chart label: ${families}`);
  // Every row, with the license over its period and under the what-if, and a link to its chip.
  const rows = page.getByRole("region", { name: "Rows: each classified on its own dates" });
  expect(await rows.locator("tbody tr").count() === f.rows.length, "not every row is listed");
  const a800 = await rows.getByRole("row", { name: /a800-2023/ }).innerText();
  expect(/no → yes from 2023-11-17/.test(a800) && /status ordered/.test(a800), a800);
  expect(await rows.locator("a[href='/chip?chip=nvidia-h20']").count() > 0, "no link to the H20's page");
  // Tick "ordered": the URL and the answer follow; unticking every status leaves the last ticked.
  let n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("ordered").check();
  await drawn(page, n);
  expect(new URL(page.url()).searchParams.getAll("count").join(",") === "shipped,produced,ordered", page.url());
  summary = await text(page, ".summary");
  expect(/counted in totals \(status shipped, produced, ordered\)/.test(summary), summary);
  for (const s of ["shipped", "produced"]) {
    n = await page.evaluate(() => window.ceiling.drawn);
    await page.getByLabel(s).uncheck();
    await drawn(page, n);
  }
  await page.getByLabel("ordered").uncheck().catch(() => {});  // refused: it is the last one
  expect(await page.getByLabel("ordered").isChecked(), "the last status could be unticked");
  expect(new URL(page.url()).searchParams.getAll("count").join(",") === "ordered", page.url());
  // Move a threshold: the what-if names it and lists the rows it would have caught.
  n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("What-if: rule parameters moved").fill("tpp_a=2000");
  await page.getByLabel("What-if: rule parameters moved").dispatchEvent("change");
  await drawn(page, n);
  const moved = await page.locator("section", { has: page.locator("h2", { hasText: "What-if:" }) }).innerText();
  expect(/What-if: tpp_a=2000; every row under the rules of 2025-04-20/.test(moved) && /Rows that would have needed a license: .*h20-2024/.test(moved), moved);
  // A parameter no rule has: one error naming the field, in words.
  n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("What-if: rule parameters moved").fill("tpp_zz=1");
  await page.getByLabel("What-if: rule parameters moved").dispatchEvent("change");
  await page.locator(".error").first().waitFor({ timeout: 10000 });
  const errors = await page.locator(".error").allInnerTexts();
  expect(errors.length === 1 && errors[0].startsWith("Rule parameters moved: "), JSON.stringify(errors));
  const others = problems.filter((x) => !/^HTTP 400: .*\/api\/v1\/fleet|status of 400/.test(x)); // the 400 is the point
  problems.length = 0;
  problems.push(...others);
  await context.close();
  expect(problems.length === 0, problems.join("; "));
});

await test("fleet: a file of the user's own is read in the page and answered; a malformed one is one located error; a reload asks for it again", async () => {
  const { page, context, problems } = await open("/fleet");
  const small = require("fs").readFileSync(join(sourceDir, "tests/cases/fleets/small.csv"));
  let n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("Or a file of your own (.csv or .toml)").setInputFiles({ name: "small.csv", mimeType: "text/csv", buffer: small });
  await drawn(page, n);
  const f = await (await fetch(`${base}/api/v1/fleet`, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ shipments: { toml: small.toString(), name: "small.csv" } }) })).json();
  const summary = await text(page, ".summary");
  expect(summary.includes("(small.csv)") && summary.includes(`${f.rows.length} rows; ${f.rows.filter((r) => r.counted).length} counted`), summary);
  expect(new URL(page.url()).searchParams.get("own") === "small.csv", page.url());
  // A malformed file: the engine's diagnostic with its line and column, once.
  n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("Or a file of your own (.csv or .toml)").setInputFiles({ name: "bad.csv", mimeType: "text/csv",
    buffer: Buffer.from("id,chip,quantity,date,destination,kind,source\na,nvidia-h20,ten,2024,CN,reported,https://example.org/a\n") });
  await page.locator(".error").first().waitFor({ timeout: 10000 });
  const errors = await page.locator(".error").allInnerTexts();
  expect(errors.length === 1 && /bad\.csv:2:\d+: /.test(errors[0]), JSON.stringify(errors));
  // Back to the data's file, by the button beside the answer.
  await page.getByLabel("Or a file of your own (.csv or .toml)").setInputFiles({ name: "small.csv", mimeType: "text/csv", buffer: small });
  await page.getByRole("button", { name: "Back to the data's file" }).waitFor({ timeout: 10000 });
  n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByRole("button", { name: "Back to the data's file" }).click();
  await drawn(page, n);
  expect((await text(page, ".summary")).includes("data/fleets/china-2022-2026.toml") && !new URL(page.url()).searchParams.has("own"), page.url());
  // A reload cannot carry the file: the page says so and shows the data's own file.
  await page.goto(`${base}/fleet?own=small.csv`);
  await drawn(page, 0);
  const warning = await page.locator(".warning").allInnerTexts();
  expect(warning.length === 1 && /small\.csv was a file from your computer/.test(warning[0]), JSON.stringify(warning));
  expect((await text(page, ".summary")).includes("data/fleets/china-2022-2026.toml"), "the data's file is not shown");
  await context.close();
  expect(problems.filter((x) => !/^HTTP 400: .*\/api\/v1\/fleet|status of 400/.test(x)).length === 0, problems.join("; "));
});

// URLs reproduce views -----------------------------------------------------------------------------
await test("a copied URL, opened fresh, reproduces the view", async () => {
  const { page, context } = await open("/chip?chip=nvidia-h20&date=2024-06-01&to=CN");
  let n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("Chip", { exact: true }).selectOption("nvidia-h100-sxm");
  await drawn(page, n);
  n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("Destination", { exact: true }).selectOption("SG");
  await drawn(page, n);
  n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("End user's headquarters", { exact: true }).selectOption("CN");
  await drawn(page, n);
  const url = page.url();
  const want = await text(page, "main .results");
  await context.close();
  const fresh = await open(url.replace(base, ""));
  const got = await text(fresh.page, "main .results");
  expect(got === want, "the fresh page differs from the one the URL was copied from");
  expect(/License required/.test(got) && /lic-hq/.test(got), `H100 to SG for a CN-headquartered buyer: ${got.slice(0, 300)}`);
  await fresh.context.close();
});

// What-if ------------------------------------------------------------------------------------------
await test("rules: a what-if edit re-classifies the catalog and changes classifications", async () => {
  const { page, context, problems } = await open("/rules?wdate=2024-06-01");
  const n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("tpp_b1", { exact: true }).fill("2000");
  await page.getByRole("button", { name: "Re-classify the catalog" }).click();
  await drawn(page, n);
  const s = await text(page, "[data-testid=whatif-summary]");
  const m = s.match(/classification of (\d+) of (\d+) chips changes/);
  expect(m && Number(m[1]) > 0, s);
  const rows = await page.locator("#whatif ~ .results table").first().innerText();
  expect(/NVIDIA HGX H20 96GB/.test(rows), `the H20 should move into 3A090.b with tpp_b1=2000: ${rows.slice(0, 300)}`);
  expect(new URL(page.url()).searchParams.getAll("set").includes("tpp_b1=2000"), page.url());
  await context.close();
  expect(problems.length === 0, problems.join("; "));
});

// Keyboard -----------------------------------------------------------------------------------------
await test("keyboard: the skip link, the nav and the controls are reachable with Tab", async () => {
  const { page, context } = await open("/chip?chip=nvidia-h20&date=2024-06-01&to=CN");
  const seen = [];
  for (let i = 0; i < 16; i++) {
    await page.keyboard.press("Tab");
    seen.push(await page.evaluate(() => { const a = document.activeElement; return `${a.tagName}:${a.textContent?.slice(0, 20) ?? ""}:${a.id}`; }));
  }
  expect(seen[0].startsWith("A:Skip"), `first Tab: ${seen[0]}`);
  expect(seen.some((s) => s.startsWith("A:Map")), `nav not reached: ${seen.join(", ")}`);
  expect(seen.some((s) => s.startsWith("SELECT")), `no control reached: ${seen.join(", ")}`);
  // A select changed from the keyboard redraws the view.
  const n = await page.evaluate(() => window.ceiling.drawn);
  await page.getByLabel("Destination", { exact: true }).focus();
  await page.keyboard.press("ArrowDown");
  await drawn(page, n);
  await context.close();
});

// Timings ------------------------------------------------------------------------------------------
await test("measured: first-load bytes (compressed JS + CSS) and interaction times", async () => {
  const { page, context } = await open(null);
  let bytes = 0;
  const assets = [];
  page.on("requestfinished", async (r) => {
    if (!/\.(js|css)$/.test(new URL(r.url()).pathname)) return;
    const s = await r.sizes();
    bytes += s.responseBodySize;
    assets.push({ url: new URL(r.url()).pathname, bytes: s.responseBodySize, encoding: (await r.response()).headers()["content-encoding"] ?? "identity" });
  });
  const t0 = Date.now();
  await page.goto(`${base}/chip?chip=nvidia-h20&date=2024-06-01&to=CN`);
  await drawn(page, 0);
  timings.first_load_ms = Date.now() - t0;
  timings.first_load_js_css_bytes = bytes;
  timings.first_load_assets = assets;
  expect(bytes > 0 && bytes <= 300 * 1024, `first load JS + CSS ${bytes} bytes`);
  // Each interaction: from the control's change event to the redrawn view (window.ceiling.lastDrawn).
  const measure = async (label, act) => {
    // One unmeasured change first (the first redraw of a view also compiles its code).
    {
      const n = await page.evaluate(() => window.ceiling.drawn);
      await act(0);
      await drawn(page, n);
    }
    const samples = [];
    for (let i = 0; i < 6; i++) {
      const n = await page.evaluate(() => window.ceiling.drawn);
      const start = await page.evaluate(() => performance.now());
      await act(i + 1);
      await drawn(page, n);
      samples.push(await page.evaluate((s) => window.ceiling.lastDrawn - s, start));
    }
    samples.sort((a, b) => a - b);
    timings[label] = { median_ms: +samples[3].toFixed(1), max_ms: +samples[5].toFixed(1), samples: samples.map((x) => +x.toFixed(1)) };
  };
  const dates = ["2024-01-01", "2023-01-01", "2024-06-01", "2025-05-01", "2025-09-01", "2026-02-01", "2022-12-01"];
  await measure("chip view: change of date", (i) => page.getByLabel("Exact date", { exact: true }).fill(dates[i]).then(() => page.getByLabel("Exact date", { exact: true }).dispatchEvent("change")));
  const chipIds = ["nvidia-a100-sxm-80gb", "nvidia-h100-sxm", "nvidia-a800-sxm", "amd-mi300x", "huawei-ascend-910b", "nvidia-l40", "nvidia-h20"];
  await measure("chip view: change of chip", (i) => page.getByLabel("Chip", { exact: true }).selectOption(chipIds[i]));
  const dest = ["JP", "SG", "AE", "IN", "DE", "MO", "CN"];
  await measure("chip view: change of destination", (i) => page.getByLabel("Destination", { exact: true }).selectOption(dest[i]));
  await page.goto(`${base}/map?date=2024-06-01&to=CN`);
  await drawn(page, 0);
  await measure("map: change of date", (i) => page.getByLabel("Exact date", { exact: true }).fill(dates[i]).then(() => page.getByLabel("Exact date", { exact: true }).dispatchEvent("change")));
  await context.close();
  // The target is 200 ms; on a shared two-core machine one sample in six can stall on another
  // process, so the median must meet it and no sample may reach twice it (timings.json and the
  // README give both).
  const slow = Object.entries(timings).filter(([, v]) => v?.median_ms > 200 || v?.max_ms > 400).map(([k, v]) => `${k} median ${v.median_ms} ms, max ${v.max_ms} ms`);
  expect(slow.length === 0, `too slow: ${slow.join("; ")}`);
});

// The dossier ----------------------------------------------------------------------------------------
if (dossier) {
  await test("dossier: opens from file:// with no network and holds the verdict and charts", async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop, offline: true });
    const page = await context.newPage();
    const requests = [];
    page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url()); });
    const problems = [];
    page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
    page.on("pageerror", (e) => problems.push(e.message));
    expect(existsSync(dossier), `${dossier} was not written`);
    await page.goto(`file://${resolve(dossier)}`);
    const body = await page.locator("body").innerText();
    expect(/License required|No license required|Cannot decide/.test(body), "no verdict in the dossier");
    expect(body.includes("tpp 2,368 >= tpp_a 4,800: false") && body.includes('market "datacenter" != "datacenter": false'),
      "dossier trace: comparisons without their values");
    const charts = await page.locator("svg").count();
    expect(charts >= 3, `${charts} SVG charts`);
    await page.screenshot({ path: join(out, "screenshots", "dossier-desktop.png") });
    await page.screenshot({ path: join(out, "screenshots", "dossier-desktop-full.png"), fullPage: true });
    await page.evaluate(axeSource); // CDP evaluation: the page's CSP (script-src 'self') stays on
    const axe = await page.evaluate(async () => (await window.axe.run(document)).violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} ${v.nodes[0]?.target}`));
    await context.close();
    expect(requests.length === 0, `network requests: ${requests.join(", ")}`);
    expect(problems.length === 0, problems.join("; "));
    expect(axe.length === 0, `axe: ${axe.join("; ")}`);
  });
}

await browser.close();
server.kill("SIGTERM");
writeFileSync(join(out, "timings.json"), JSON.stringify(timings, null, 2) + "\n");
if (Object.keys(timings).length) console.log(JSON.stringify(Object.fromEntries(Object.entries(timings).filter(([k]) => k !== "first_load_assets")), null, 0));
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
