// Pathological settings in a link stay bounded in the browser: each is refused with a message that
// names the field (and the rest applies), or runs until its budget and says it was cut short; the tab
// never stays busy for more than a second; wasm memory stays far below 256 MB.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LabPage, harness, newPage } from "./support.js";

const h = harness();

const CASES = [
  { name: "a rate of 10^9 requests a second", query: "traffic.rate_per_s=1000000000", refused: /traffic\.rate_per_s/ },
  { name: "the largest rate a 15-minute run allows (5,000 a second)", query: "traffic.rate_per_s=5000", cut: true },
  { name: "a pool of 1 with a queue of 10^6", query: "traffic.rate_per_s=5000&db.pool_size=1&defences.shedding.enabled=true&defences.shedding.queue_limit=1000000", cut: true },
  { name: "100 immediate retries", query: "client.max_attempts=100&client.backoff=immediate", refused: /client\.max_attempts/ },
  { name: "20 immediate retries at the largest rate", query: "client.max_attempts=20&client.backoff=immediate&traffic.rate_per_s=5000", cut: true },
  { name: "hour-long timeouts", query: "client.timeout_ms=3600000&db.acquire_timeout_ms=3600000&traffic.rate_per_s=300", cut: true },
  { name: "a 1 ms interval over 24 hours", query: "run.horizon_s=86400&run.interval_s=0.001", refused: /run\.interval_s/ },
  { name: "the finest interval over 24 hours", query: "run.horizon_s=86400&run.interval_s=4.32&traffic.rate_per_s=40", cut: true },
  { name: "a budget of u64::MAX events", query: "run.max_events=18446744073709551615", refused: /run\.max_events/ },
];

test("pathological links are refused by name or cut short, and never freeze the tab", async () => {
  const page = await newPage(h.browser);
  await page.addInitScript(() => {
    window.__longest = 0;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  const report = [];
  for (const c of CASES) {
    const lab = new LabPage(page);
    await lab.open(`${h.server.origin}/?v=2&p=failover&${c.query}`);
    await page.evaluate(() => (window.__longest = 0));
    // Move a slider once more: the run under these settings happens again, in the page.
    await lab.setSlider("pool", 12);
    await page.waitForTimeout(100);
    const longest = await page.evaluate(() => window.__longest);
    const memory = await page.evaluate(() => window.wasmBindings.wasm_memory_bytes());
    if (c.refused) {
      const problems = await lab.text("link-problems");
      assert.match(problems, c.refused, c.name);
    } else {
      const notice = await lab.text("run-notice");
      assert.match(notice, /cut short at .* of simulated time: (the run hit its work budget|more than .* open at once)/, `${c.name}: ${notice}`);
    }
    assert.ok(longest < 1000, `${c.name}: the longest main-thread task took ${longest} ms`);
    assert.ok(memory < 256e6, `${c.name}: wasm memory ${memory}`);
    report.push(`${c.name}: ${c.refused ? "refused" : "cut short"}, longest task ${Math.round(longest)} ms, wasm memory ${(memory / 1e6).toFixed(1)} MB`);
    assert.deepEqual(lab.consoleErrors, [], c.name);
  }
  console.log(`bounds in the browser:\n  ${report.join("\n  ")}`);
});
