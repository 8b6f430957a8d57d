// First load of the built site (run scripts/build.sh first), for a few fresh loads: the main thread's
// long tasks (PerformanceObserver `longtask`) in the 1.5 s after the load and whether the wasm was
// fetched then (it is fetched once the reader scrolls or does anything on the page, or a widget is
// within a screen of the window, or at once for a link with a query: scripts/preload.mjs); then, as a
// reader scrolls to the first widget, how long until the live page has
// taken the static page's place and the long tasks until 1.5 s after; then, with the lab scrolled into
// view (it mounts when shown), how long until its failure-rate chart is drawn and the long tasks of
// that. Prints figures; asserts nothing.
//   node tests/bench/load.mjs [query]      e.g. node tests/bench/load.mjs "?embed=1"
import { launch, liveMounted, serve } from "../e2e/support.js";

const query = process.argv[2] ?? "";
const server = await serve();
const browser = await launch();
const taken = () => window.__longTasks.splice(0);
for (let run = 0; run < 5; run++) {
  const page = await (await browser.newContext({ serviceWorkers: "block" })).newPage();
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__longTasks.push(Math.round(e.duration));
    }).observe({ type: "longtask", buffered: true });
  });
  let wasm = false;
  page.on("request", (r) => (wasm ||= /app-[^/]*_bg\.wasm$/.test(r.url())));
  await page.goto(`${server.origin}/${query}`);
  await page.waitForTimeout(1500);
  const atLoad = await page.evaluate(taken);
  const fetchedAtLoad = wasm;
  // The first widget comes near (liveMounted scrolls there if the page waits for that, then back).
  const t0 = Date.now();
  await liveMounted(page);
  const mounted = Date.now() - t0;
  await page.waitForTimeout(1500);
  const atMount = await page.evaluate(taken);
  const waiting = await page.evaluate(() => document.querySelectorAll(".lazy-placeholder").length);
  // The lab, as a reader who scrolls to it (nothing to do in an embed).
  const t1 = Date.now();
  await page.evaluate(() => document.getElementById("lab")?.scrollIntoView());
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="chart-failure-rate"]:not([data-testid="chapter"] *)');
    return c && Number(c.dataset.draws) > 0;
  });
  const drawn = Date.now() - t1;
  await page.waitForTimeout(500);
  const atLab = await page.evaluate(taken);
  console.log(
    `load ${run + 1}: long tasks ${JSON.stringify(atLoad)} ms, wasm ${fetchedAtLoad ? "fetched" : "not fetched"} in 1.5 s; ` +
      `first widget near: live page after ${mounted} ms, long tasks ${JSON.stringify(atMount)} ms, ${waiting} figures not yet mounted; ` +
      `lab scrolled to: chart drawn after ${drawn} ms, long tasks ${JSON.stringify(atLab)} ms`,
  );
  await page.context().close();
}
await browser.close();
await server.close();
