// A soak test: 1,000 slider changes and 100 preset switches in one page. The JS heap must not grow
// without bound and input-to-redraw time must not rise. Prints heap at start and end and the trend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LabPage, harness, newPage } from "./support.js";

const h = harness();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

test("1,000 slider changes and 100 preset switches: bounded heap, steady redraw time", async () => {
  const page = await newPage(h.browser);
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/`);
  const cdp = await page.context().newCDPSession(page);
  const heap = async () => {
    await cdp.send("HeapProfiler.collectGarbage");
    const { usedSize } = await cdp.send("Runtime.getHeapUsage");
    const wasm = await page.evaluate(() => window.wasmBindings.wasm_memory_bytes());
    return { js: usedSize, wasm };
  };
  const start = await heap();
  // In-page loop: set the slider, wait for the redraw, read the app's own input-to-redraw time.
  const times = await page.evaluate(async () => {
    const slider = document.querySelector('[data-testid="slider-failover"]:not([data-testid="chapter"] *)');
    const timing = document.querySelector('[data-testid="timing"]:not([data-testid="chapter"] *)');
    const frame = () => new Promise((ok) => requestAnimationFrame(() => ok()));
    const out = [];
    for (let i = 0; i < 1000; i++) {
      slider.value = String(10 + ((i * 37) % 230));
      slider.dispatchEvent(new Event("input", { bubbles: true }));
      await frame();
      const m = timing.textContent.match(/last change to redraw ([\d.]+) ms/);
      out.push(m ? Number(m[1]) : NaN);
    }
    return out;
  });
  const presets = ["retry-storm", "pool-exhaustion", "cache-miss-storm", "reconnect-herd", "stale-queue", "failover", "lessons-applied"];
  for (let i = 0; i < 100; i++) {
    await lab.byTestId("preset-picker").selectOption(presets[i % presets.length]);
  }
  await lab.byTestId("preset-picker").selectOption("failover");
  const end = await heap();
  const first = median(times.slice(0, 100));
  const last = median(times.slice(-100));
  console.log(
    `soak: JS heap ${(start.js / 1e6).toFixed(1)} MB → ${(end.js / 1e6).toFixed(1)} MB; wasm memory ${(start.wasm / 1e6).toFixed(1)} MB → ${(end.wasm / 1e6).toFixed(1)} MB; ` +
      `input-to-redraw median ${first.toFixed(1)} ms (first 100 changes) → ${last.toFixed(1)} ms (last 100)`,
  );
  assert.ok(times.every(Number.isFinite), "every change was timed");
  assert.ok(end.js < start.js * 1.5 + 10e6, `JS heap ${start.js} → ${end.js}`);
  assert.ok(end.wasm < 256e6, `wasm memory ${end.wasm}`);
  assert.ok(last < first * 1.5 + 3, `redraw time rose: ${first} → ${last} ms`);
  assert.deepEqual(lab.consoleErrors, []);
});
