// The audit behind scripts/audit.sh (run that; it builds, serves dist/ with gzip and calls this).
// Given the URL of a served build, it runs Lighthouse (mobile emulation, headless Chromium) a few
// times and axe-core once, and prints the scores, LCP, TBT, CLS and the gzip sizes of what the first
// load fetches. Prints figures and exits non-zero only if a tool fails, never because of a figure.
//
//   node tests/tools/audit.mjs --url http://127.0.0.1:PORT/ --lighthouse PATH [--runs 3] [--dist dist] [--out DIR]
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { launch, liveMounted } from "../e2e/support.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const URL_ = arg("url");
const LIGHTHOUSE = arg("lighthouse");
const RUNS = Number(arg("runs", "3"));
const DIST = resolve(arg("dist", "dist"));
const OUT = resolve(arg("out", "tests/artifacts/audit"));
if (!URL_ || !LIGHTHOUSE) {
  console.error("usage: node tests/tools/audit.mjs --url URL --lighthouse PATH [--runs N] [--dist DIR] [--out DIR]");
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });

// ---- Sizes: what index.html makes the browser fetch on the first load, gzip -9 bytes. ----
const html = readFileSync(join(DIST, "index.html"), "utf8");
const referenced = new Set();
// Attributes (quoted or not: Trunk minifies the HTML) and the start-up script's import and wasm path.
for (const m of html.matchAll(/\b(?:href|src)=["']?(?:\.\/)?([^"'\s>:]+\.(?:js|wasm|css))/g)) referenced.add(m[1]);
for (const m of html.matchAll(/(?:module_or_path:|from|import\s*\()\s*["'](?:\.\/)?([^"']+\.(?:js|wasm))["']/g)) referenced.add(m[1]);
const gz = (f) => gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length;
const raw = (f) => readFileSync(join(DIST, f)).length;
const files = readdirSync(DIST).filter((f) => !f.startsWith("."));
const first = files.filter((f) => referenced.has(f) && /\.(js|wasm)$/.test(f));
const css = files.filter((f) => referenced.has(f) && f.endsWith(".css"));
const sw = files.filter((f) => f === "sw.js");
const other = files.filter((f) => /\.(js|wasm)$/.test(f) && !referenced.has(f) && !sw.includes(f));
const sum = (fs, by) => fs.reduce((n, f) => n + by(f), 0);
const sizes = {
  firstLoadWasmJs: { files: first, gzip: sum(first, gz), raw: sum(first, raw) },
  css: { files: css, gzip: sum(css, gz), raw: sum(css, raw) },
  html: { gzip: gz("index.html"), raw: raw("index.html") },
  workers: { files: other, gzip: sum(other, gz), raw: sum(other, raw) },
  serviceWorker: { files: sw, gzip: sum(sw, gz), raw: sum(sw, raw) },
  perFile: Object.fromEntries(files.map((f) => [f, { gzip: gz(f), raw: raw(f) }])),
};

// ---- Lighthouse, RUNS times; the run with the median performance score is reported. ----
const runs = [];
for (let i = 0; i < RUNS; i++) {
  const out = join(OUT, `lighthouse-${i + 1}.json`);
  const r = spawnSync(
    LIGHTHOUSE,
    [
      URL_,
      "--quiet",
      "--output=json",
      `--output-path=${out}`,
      "--only-categories=performance,accessibility,best-practices,seo",
      "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync",
    ],
    { env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? "/usr/bin/chromium" }, encoding: "utf8", stdio: ["ignore", "inherit", "inherit"] },
  );
  if (r.status !== 0) {
    console.error(`lighthouse failed (exit ${r.status})`);
    process.exit(1);
  }
  const j = JSON.parse(readFileSync(out, "utf8"));
  const score = (c) => Math.round((j.categories[c]?.score ?? NaN) * 100);
  const audit = (a) => j.audits[a];
  runs.push({
    file: out,
    performance: score("performance"),
    accessibility: score("accessibility"),
    bestPractices: score("best-practices"),
    seo: score("seo"),
    lcpMs: audit("largest-contentful-paint").numericValue,
    fcpMs: audit("first-contentful-paint").numericValue,
    tbtMs: audit("total-blocking-time").numericValue,
    cls: audit("cumulative-layout-shift").numericValue,
    siMs: audit("speed-index").numericValue,
    transferBytes: audit("total-byte-weight").numericValue,
    failed: Object.values(j.categories)
      .flatMap((c) => c.auditRefs.filter((r) => r.weight > 0).map((r) => j.audits[r.id]))
      .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== "informative")
      .map((a) => `${a.id}${a.displayValue ? ` (${a.displayValue})` : ""}`),
  });
}
const sorted = [...runs].sort((a, b) => a.performance - b.performance);
const lh = sorted[Math.floor(sorted.length / 2)];

// ---- axe-core on the page at its lab (which mounts when shown), once the lab's chart is drawn (CSP
// bypassed only to inject axe). ----
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const browser = await launch();
let axe;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${URL_}#lab`);
  // Every part of the live page in (the static page replaced), then the lab's chart.
  await liveMounted(page);
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="chart-failure-rate"]:not([data-testid="chapter"] *)');
    return c && Number(c.dataset.draws) > 0;
  });
  await page.addScriptTag({ content: AXE });
  axe = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} element(s)`);
  });
} finally {
  await browser.close();
}

// ---- Report. ----
const kb = (n) => `${n} B (${(n / 1024).toFixed(1)} KiB)`;
const lines = [
  `Lighthouse 12 (mobile, simulated throttling), median of ${runs.length} run(s) by performance score:`,
  `  performance ${lh.performance}  accessibility ${lh.accessibility}  best-practices ${lh.bestPractices}  SEO ${lh.seo}`,
  `  LCP ${(lh.lcpMs / 1000).toFixed(2)} s  FCP ${(lh.fcpMs / 1000).toFixed(2)} s  TBT ${Math.round(lh.tbtMs)} ms  CLS ${lh.cls.toFixed(3)}  Speed Index ${(lh.siMs / 1000).toFixed(2)} s  transferred ${kb(lh.transferBytes)}`,
  `  all runs: ${runs.map((r) => `perf ${r.performance} LCP ${(r.lcpMs / 1000).toFixed(2)} s TBT ${Math.round(r.tbtMs)} ms`).join(" | ")}`,
  `  audits below 0.9: ${lh.failed.length ? lh.failed.join(", ") : "none"}`,
  `  reports: ${runs.map((r) => r.file).join(", ")}`,
  `axe-core: ${axe.length ? `${axe.length} violation(s): ${axe.join("; ")}` : "no violations"}`,
  `Sizes (gzip -9; raw in brackets):`,
  `  first load, wasm + JS that index.html loads: ${kb(sizes.firstLoadWasmJs.gzip)} [${sizes.firstLoadWasmJs.raw} B]  ${sizes.firstLoadWasmJs.files.join(", ")}`,
  `  first load, CSS: ${kb(sizes.css.gzip)}; index.html: ${kb(sizes.html.gzip)} [${sizes.html.raw} B]`,
  `  workers (not loaded by index.html): ${sizes.workers.files.length ? `${kb(sizes.workers.gzip)} [${sizes.workers.raw} B]  ${sizes.workers.files.join(", ")}` : "none"}`,
  `  service worker: ${sizes.serviceWorker.files.length ? kb(sizes.serviceWorker.gzip) : "none"}`,
];
console.log(lines.join("\n"));
writeFileSync(join(OUT, "summary.json"), JSON.stringify({ lighthouse: lh, runs, axe, sizes }, null, 2));
console.log(`  summary: ${join(OUT, "summary.json")}`);
