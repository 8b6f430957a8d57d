// A slow phone dragging a replay slider in the lab: 375 × 740 at 2×, touch, the CPU throttled 4×
// over CDP. Loads `?p=as-it-happened#lab`, drags the failover slider with 40 touch moves 16 ms
// apart, and prints frames per second, frame intervals, long tasks, input-to-redraw of the failure
// chart and how many chart draws the drag caused. Prints figures; asserts nothing.
//
// Give one or more served builds; they alternate, three rounds, for a before/after in one run:
//   node scripts/serve.mjs --dir dist --port 8402 &
//   node scripts/serve.mjs --dir /tmp/dist-before --port 8401 &
//   node tests/bench/phone-drag.mjs http://127.0.0.1:8401 http://127.0.0.1:8402
import { chromium } from "playwright-core";

const origins = process.argv.slice(2);
if (!origins.length) {
  console.error("usage: node tests/bench/phone-drag.mjs ORIGIN [ORIGIN …]");
  process.exit(2);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stats = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] ?? 0;
  return { n: a.length, median: +q(0.5).toFixed(1), p90: +q(0.9).toFixed(1), max: +(s.at(-1) ?? 0).toFixed(1) };
};
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
for (let round = 0; round < 3; round++) {
  for (const origin of origins) {
    const ctx = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, serviceWorkers: "block" });
    await ctx.addInitScript(() => {
      window.__lt = [];
      window.__frames = [];
      window.__inputs = [];
      window.__draws = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push([e.startTime, e.duration]); }).observe({ type: "longtask", buffered: true });
      const loop = (t) => { window.__frames.push(t); requestAnimationFrame(loop); };
      requestAnimationFrame(loop);
      document.addEventListener("input", () => window.__inputs.push(performance.now()), true);
      new MutationObserver((ms) => {
        const t = performance.now();
        for (const m of ms) if (m.attributeName === "data-draws") window.__draws.push([t, m.target.dataset.testid]);
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-draws"] });
    });
    const page = await ctx.newPage();
    await page.goto(`${origin}/?p=as-it-happened#lab`);
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="lab"] [data-testid="chart-failure-rate"]');
      return c && Number(c.dataset.draws) > 0 && !document.querySelector('[data-testid="running"]');
    }, null, { timeout: 120000 });
    const slider = '[data-testid="lab"] [data-testid="slider-failover"]';
    await page.evaluate((s) => document.querySelector(s).scrollIntoView({ block: "center" }), slider);
    await sleep(2000);
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    const box = await page.$eval(slider, (el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y + r.height / 2, w: r.width, f: (+el.value - +el.min) / (+el.max - +el.min) };
    });
    const xAt = (f) => box.x + 8 + f * (box.w - 16);
    const t0 = await page.evaluate(() => performance.now());
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x: xAt(box.f), y: box.y }] });
    for (let i = 1; i <= 40; i++) {
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x: xAt(box.f + ((0.9 - box.f) * i) / 40), y: box.y }] });
      await sleep(16);
    }
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    const t1 = await page.evaluate(() => performance.now());
    await sleep(4000);
    const d = await page.evaluate(([t0, t1]) => {
      const frames = window.__frames.filter((t) => t >= t0 && t <= t1);
      const gaps = frames.slice(1).map((t, i) => t - frames[i]);
      const draws = window.__draws.filter(([t]) => t >= t0);
      const lat = window.__inputs
        .filter((t) => t >= t0)
        .map((ti) => draws.find(([t, id]) => t >= ti && id === "chart-failure-rate")?.[0] - ti)
        .filter((x) => !Number.isNaN(x));
      return { gaps, lt: window.__lt.filter(([s]) => s >= t0 && s <= t1).map(([, d]) => d), lat, draws: draws.length, fps: (1000 * frames.length) / (t1 - t0) };
    }, [t0, t1]);
    console.log(origin, JSON.stringify({ fps: +d.fps.toFixed(1), frameMs: stats(d.gaps), longTaskMs: stats(d.lt), inputToRedrawMs: stats(d.lat), chartDraws: d.draws }));
    await ctx.close();
  }
}
await browser.close();
