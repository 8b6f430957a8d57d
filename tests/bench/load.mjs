// First load of the built site (run scripts/build.sh first): for a few fresh loads, how long until
// the lab's failure-rate chart is drawn, and the main thread's long tasks (PerformanceObserver
// `longtask`). Prints figures; asserts nothing.
//   node tests/bench/load.mjs [query]      e.g. node tests/bench/load.mjs "?embed=1"
import { launch, serve } from "../e2e/support.js";

const query = process.argv[2] ?? "";
const server = await serve();
const browser = await launch();
for (let run = 0; run < 5; run++) {
  const page = await (await browser.newContext()).newPage();
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__longTasks.push(Math.round(e.duration));
    }).observe({ type: "longtask", buffered: true });
  });
  const t0 = Date.now();
  await page.goto(`${server.origin}/${query}`);
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="chart-failure-rate"]:not([data-testid="chapter"] *)');
    return c && Number(c.dataset.draws) > 0;
  });
  const drawn = Date.now() - t0;
  await page.waitForTimeout(500);
  const tasks = await page.evaluate(() => window.__longTasks);
  const waiting = await page.evaluate(() => document.querySelectorAll(".lazy-placeholder").length);
  console.log(`load ${run + 1}: lab chart drawn after ${drawn} ms; long tasks ${JSON.stringify(tasks)} ms; ${waiting} widgets not yet mounted`);
  await page.context().close();
}
await browser.close();
await server.close();
