// Benchmarks of the engine off the main thread, in headless Chromium on the release build in dist/
// (build it first with scripts/build.sh). Prints figures; asserts nothing.
//
//   node tests/bench/compare.mjs [--grid 32] [--runs 5] [--only drag|band|phase]
//
// - dragging a slider of the as-it-happened replay: the longest main-thread task during the drag
//   (PerformanceObserver "longtask": tasks over 50 ms) and the input-to-redraw time once it settles;
// - the 20-seed band of the core cascade: from the change of the seeds control to the drawn band;
// - a phase diagram of the core cascade (failover × offered load, one seed per cell): wall time and
//   the longest main-thread task while it runs.
import { serve, launch, newPage, LabPage } from "../e2e/support.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const grid = arg("--grid", 32);
// `--only drag` measures the drag alone (it also runs against a build from before the workers:
// DIST=../other/dist node tests/bench/compare.mjs --only drag).
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
const runs = arg("--runs", 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await serve();
const browser = await launch();

/// A page that records every long task from the start.
async function page() {
  const p = await newPage(browser);
  await p.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: "longtask", buffered: true });
  });
  return new LabPage(p);
}
const longest = (lab, from) =>
  lab.page.evaluate((t0) => Math.max(0, ...window.__long.filter((e) => e.start >= t0).map((e) => e.ms)), from);
const now = (lab) => lab.page.evaluate(() => performance.now());

try {
  console.log(`navigator.hardwareConcurrency here: ${await (await newPage(browser)).evaluate(() => navigator.hardwareConcurrency)}`);

  // 1. Dragging a replay slider: one input event per frame, 40 frames.
  {
    const lab = await page();
    await lab.open(`${server.origin}/?v=2&p=as-it-happened#lab`);
    const drags = [];
    const redraws = [];
    for (let r = 0; r < runs; r++) {
      const t0 = await now(lab);
      await lab.byTestId("slider-pool").evaluate(async (el, r) => {
        for (let i = 0; i < 40; i++) {
          el.value = String(6 + ((i + r) % 12));
          el.dispatchEvent(new Event("input", { bubbles: true }));
          await new Promise((ok) => requestAnimationFrame(ok));
        }
      }, r);
      await lab.settled();
      drags.push(await longest(lab, t0));
      const m = /redraw ([\d.]+) ms/.exec(await lab.text("timing"));
      if (m) redraws.push(parseFloat(m[1]));
    }
    console.log(`replay drag (40 input events, one per frame) × ${runs}: longest main-thread task, median ${median(drags).toFixed(0)} ms (max ${Math.max(...drags).toFixed(0)} ms; 0 = none over 50 ms)`);
    console.log(`replay drag: last input to redrawn, median ${median(redraws).toFixed(0)} ms (${redraws.map((x) => x.toFixed(0)).join(", ")})`);
    console.log(`replay: ${await lab.text("timing")}`);
  }

  // 2. The 20-seed band of the core cascade.
  if (!only || only === "band") {
    const times = [];
    const tasks = [];
    for (let r = 0; r < runs; r++) {
      const lab = await page();
      await lab.open(`${server.origin}/?v=2&p=failover&seed=${1 + 20 * r}#lab`);
      // Warm the pool (its workers start on the first job) with a 5-seed band first.
      await lab.byTestId("seeds").selectOption("5");
      await lab.page.waitForSelector('[data-testid="band-summary"][data-runs="5"]');
      await lab.byTestId("seeds").selectOption("1");
      const t0 = await now(lab);
      const ms = await lab.page.evaluate(async () => {
        const chart = () => document.querySelector('[data-testid="chart-failure-rate"]:not([data-testid="chapter"] *)');
        const sel = document.querySelector('[data-testid="seeds"]');
        const draws = Number(chart().dataset.draws);
        const t0 = performance.now();
        sel.value = "20";
        sel.dispatchEvent(new Event("change", { bubbles: true }));
        for (;;) {
          await new Promise((ok) => requestAnimationFrame(ok));
          if (document.querySelector('[data-testid="band-summary"][data-runs="20"]') && Number(chart().dataset.draws) > draws) {
            return performance.now() - t0;
          }
        }
      });
      times.push(ms);
      tasks.push(await longest(lab, t0));
      await lab.page.context().close();
    }
    console.log(`20-seed band of the core cascade × ${runs}: change to drawn band, median ${median(times).toFixed(0)} ms (${times.map((x) => x.toFixed(0)).join(", ")}); longest task median ${median(tasks).toFixed(0)} ms`);
  }

  // 3. The phase diagram.
  if (!only || only === "phase") {
    const lab = await page();
    // The same grid in every version of this benchmark: failover 0–600 s × offered load 1–40/s
    // (the sliders' whole ranges; mostly failing runs, the costly kind). A 4 × 4 first, from the
    // link, warms the workers.
    await lab.open(`${server.origin}/?v=2&p=failover&sweep=failover,0,600,rate,1,40,4,1,recovery#explore`);
    await lab.page.waitForSelector('[data-testid="chart-recovery-curve"][data-complete="true"]', { timeout: 120000 });
    await lab.page.waitForFunction(() => {
      const p = document.querySelector('[data-testid="sweep-progress"]');
      return Number(p.value) === Number(p.max) && Number(p.max) === 16;
    });
    const res = [4, 8, 16, 24, 32, 40].includes(grid) ? grid : 32;
    await lab.byTestId("sweep-resolution").selectOption(String(res));
    const t0 = await now(lab);
    // Also when the coarse levels were in: the runs go out coarse to fine (phase.rs, `fill_order`),
    // so after n²/16 runs the diagram reads as a grid of a quarter the resolution.
    const { ms, preview } = await lab.page.evaluate(async (n) => {
      const t0 = performance.now();
      const preview = {};
      document.querySelector('[data-testid="sweep-start"]').click();
      for (;;) {
        await new Promise((ok) => setTimeout(ok, 20));
        const p = document.querySelector('[data-testid="sweep-progress"]');
        if (Number(p.max) !== n * n) continue;
        for (const k of [n * n / 16, n * n / 4]) {
          if (preview[k] === undefined && Number(p.value) >= k) preview[k] = performance.now() - t0;
        }
        if (Number(p.value) === n * n) return { ms: performance.now() - t0, preview };
      }
    }, res);
    const task = await longest(lab, t0);
    console.log(`phase diagram ${res}×${res} of the core cascade, 1 seed per cell (${res * res} runs): ${(ms / 1000).toFixed(2)} s wall; longest main-thread task ${task.toFixed(0)} ms (0 = none over 50 ms)`);
    for (const [k, t] of Object.entries(preview)) {
      const side = Math.sqrt(k);
      console.log(`phase diagram: the first ${k} runs (a ${side} × ${side} grid of the whole range) in ${(t / 1000).toFixed(2)} s`);
    }
    console.log(`phase diagram: ${await lab.text("sweep-eta")}`);
  }
} finally {
  await browser.close();
  await server.close();
}
