// Builds the web app into a folder: `node web/build.mjs OUT_DIR`.
//
// One bundle (TypeScript and CSS, minified, content-hashed names under assets/), the script also
// brotli- and gzip-compressed (.br, .gz), and index.html pointing at it. OUT_DIR/manifest.txt
// lists every file written, one relative path a line; the CMake step that embeds the app in the `ceiling` binary reads it (cmake/embed_web.cmake).
// Nothing is fetched: esbuild and the chart library come from web/node_modules (npm ci).
import { build } from "esbuild";
import { mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error("usage: node web/build.mjs OUT_DIR");
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });

const result = await build({
  entryPoints: [join(here, "src/main.ts")],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["chrome110", "firefox110", "safari16"],
  outdir: join(out, "assets"),
  entryNames: "app-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const files = Object.keys(result.metafile.outputs).map((p) => relative(out, p));
const js = files.find((f) => f.endsWith(".js"));
const css = files.find((f) => f.endsWith(".css"));
const html = readFileSync(join(here, "src/index.html"), "utf8")
  .replace("%CSS%", `/${css}`)
  .replace("%JS%", `/${js}`);
writeFileSync(join(out, "index.html"), html);
// The script is compressed once here (brotli at its best quality takes about a second for it, too
// slow to do per request); the server picks the form the browser accepts. The small stylesheet is
// left to the server, which compresses text/* responses itself.
const compressed = [];
for (const f of files.filter((x) => x.endsWith(".js"))) {
  const bytes = readFileSync(join(out, f));
  writeFileSync(join(out, `${f}.br`), brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(join(out, `${f}.gz`), gzipSync(bytes, { level: 9 }));
  compressed.push(`${f}.br`, `${f}.gz`);
}
writeFileSync(join(out, "manifest.txt"), ["index.html", ...files, ...compressed].join("\n") + "\n");
