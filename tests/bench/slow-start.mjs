// The start-up on a slow phone, as Lighthouse's mobile profile throttles it (1.6 Mbps down, 150 ms
// round trips, a CPU four times slower; at a 412×823 viewport, the service worker blocked): for a
// few fresh loads, the time to the network going quiet, then, as the reader starts to scroll (the
// page asks for its wasm then, scripts/preload.mjs), how long from that request until the live page
// is in and until the first widget, the architecture diagram, is drawn when the reader goes straight
// to it. Run scripts/build.sh first. Prints figures; asserts nothing.
//   node tests/bench/slow-start.mjs          CPU=1 BW=1e9 RUNS=1 for no throttling, one load
import { serve, launch } from "../e2e/support.js";

const CPU = Number(process.env.CPU ?? 4);
const BW = Number(process.env.BW ?? 1.6e6);
const server = await serve();
const browser = await launch();
try {
  for (let run = 0; run < Number(process.env.RUNS ?? 3); run++) {
    const context = await browser.newContext({ viewport: { width: 412, height: 823 }, serviceWorkers: "block" });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 150, downloadThroughput: BW / 8, uploadThroughput: 750e3 / 8 });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU });
    let asked = 0;
    page.on("request", (r) => {
      if (/app-[^/]*_bg\.wasm$/.test(r.url())) asked ||= Date.now();
    });
    const t0 = Date.now();
    await page.goto(`${server.origin}/`);
    await page.waitForLoadState("networkidle");
    const quiet = Date.now() - t0;
    const before = asked;
    for (let i = 0; i < 20 && !asked; i++) {
      await page.evaluate(() => window.scrollBy(0, innerHeight / 2));
      await page.waitForTimeout(200);
    }
    await page.waitForFunction(() => !document.getElementById("static-page"), null, { timeout: 120_000 });
    const live = Date.now() - asked;
    await page.evaluate(() => document.querySelector(".widget-architecture").scrollIntoView());
    await page.locator('[data-testid="architecture-svg"]:not(.pending)').first().waitFor({ timeout: 120_000 });
    const drawn = Date.now() - asked;
    console.log(
      `load ${run + 1}: network quiet after ${quiet} ms (wasm ${before ? "already asked for" : "not asked for"}); ` +
        `from the wasm request: live page after ${live} ms, diagram drawn after ${drawn} ms`,
    );
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
