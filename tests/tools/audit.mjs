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

// ---- Sizes, gzip -9 bytes of the files in dist/. What a first load fetches is measured in Chromium:
// the page fetches its wasm only once a widget comes within a screen of the window (scripts/preload.mjs),
// so the first load is what a load without scrolling requests (at Lighthouse's phone viewport and at a
// laptop's, service worker blocked so that only the page's own requests count), and the rest is what
// scrolling to the first widget adds. ----
const gz = (f) => gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length;
const raw = (f) => readFileSync(join(DIST, f)).length;
const files = readdirSync(DIST).filter((f) => !f.startsWith("."));
const sum = (fs, by) => fs.reduce((n, f) => n + by(f), 0);
const group = (fs) => ({ files: fs, gzip: sum(fs, gz), raw: sum(fs, raw) });
const quiet = (page) => page.waitForLoadState("networkidle").then(() => page.waitForTimeout(1000));
const fetched = async (browser, width, height) => {
  const context = await browser.newContext({ viewport: { width, height }, serviceWorkers: "block" });
  const page = await context.newPage();
  const names = [];
  page.on("request", (r) => {
    const f = new URL(r.url()).pathname.split("/").pop();
    if (files.includes(f) && !names.includes(f)) names.push(f);
  });
  await page.goto(URL_);
  await quiet(page);
  const atLoad = [...names];
  await page.evaluate(() => document.querySelector(".lazy-placeholder")?.scrollIntoView());
  await page.waitForFunction(() => !document.getElementById("static-page"));
  await quiet(page);
  await context.close();
  const script = (fs) => fs.filter((f) => /\.(js|wasm)$/.test(f));
  return {
    viewport: `${width}x${height}`,
    firstLoadWasmJs: group(script(atLoad)),
    css: group(atLoad.filter((f) => f.endsWith(".css"))),
    atFirstWidget: group(script(names.filter((f) => !atLoad.includes(f)))),
  };
};
let loads;
{
  const browser = await launch();
  try {
    loads = [await fetched(browser, 412, 823), await fetched(browser, 1280, 800)];
  } finally {
    await browser.close();
  }
}
const seen = new Set(loads.flatMap((l) => [...l.firstLoadWasmJs.files, ...l.css.files, ...l.atFirstWidget.files]));
const sizes = {
  firstLoadWasmJs: loads[0].firstLoadWasmJs,
  loads,
  html: { gzip: gz("index.html"), raw: raw("index.html") },
  later: group(files.filter((f) => /\.(js|wasm)$/.test(f) && f !== "sw.js" && !seen.has(f))),
  serviceWorker: group(files.filter((f) => f === "sw.js")),
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
  `Sizes (gzip -9; raw in brackets), of what Chromium fetched (service worker blocked):`,
  ...sizes.loads.flatMap((l) => [
    `  ${l.viewport}, first load (no scrolling), wasm + JS: ${kb(l.firstLoadWasmJs.gzip)} [${l.firstLoadWasmJs.raw} B]  ${l.firstLoadWasmJs.files.join(", ")}; CSS ${kb(l.css.gzip)}`,
    `  ${l.viewport}, added on scrolling to the first widget: ${kb(l.atFirstWidget.gzip)} [${l.atFirstWidget.raw} B]  ${l.atFirstWidget.files.join(", ")}`,
  ]),
  `  index.html: ${kb(sizes.html.gzip)} [${sizes.html.raw} B]`,
  `  fetched later (when first needed), or only by the service worker: ${sizes.later.files.length ? `${kb(sizes.later.gzip)} [${sizes.later.raw} B]  ${sizes.later.files.join(", ")}` : "none"}`,
  `  service worker: ${sizes.serviceWorker.files.length ? kb(sizes.serviceWorker.gzip) : "none"}`,
];
console.log(lines.join("\n"));
writeFileSync(join(OUT, "summary.json"), JSON.stringify({ lighthouse: lh, runs, axe, sizes }, null, 2));
console.log(`  summary: ${join(OUT, "summary.json")}`);
