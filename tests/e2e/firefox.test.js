// A smoke test in a second engine: Debian's Firefox ESR, driven by puppeteer-core over WebDriver
// BiDi (no driver binary, no browser download). The release build loads, the lab draws its figures,
// the failover slider changes them, a small phase diagram fills in from the Web Workers (from a
// sub-path), nothing is logged as an error, and nothing leaves this machine.
// scripts/setup.sh --tests installs firefox-esr; without it this test fails rather than skips.
import { test } from "node:test";
import assert from "node:assert/strict";
import { access, constants } from "node:fs/promises";
import puppeteer from "puppeteer-core";
import { serve } from "./support.js";

const FIREFOX = process.env.FIREFOX ?? "/usr/bin/firefox-esr";

/// An element of the lab, not of a chapter's widgets, which reuse the same testids.
const lab = (id) => `[data-testid="${id}"]:not([data-testid="chapter"] *)`;

/// Firefox, headless, over WebDriver BiDi. Its first start on a fresh profile can take long on a
/// busy machine: a generous timeout, and one more try if the first start times out.
async function launchFirefox() {
  const options = { browser: "firefox", executablePath: FIREFOX, headless: true, timeout: 90_000 };
  try {
    return await puppeteer.launch(options);
  } catch (e) {
    console.log(`Firefox did not start (${e.message}); trying once more`);
    return puppeteer.launch(options);
  }
}

test("Firefox ESR loads the release build and the lab's failover slider changes the figures", async () => {
  try {
    await access(FIREFOX, constants.X_OK);
  } catch {
    assert.fail(`Firefox is not installed at ${FIREFOX}: run scripts/setup.sh --tests (it installs Debian's firefox-esr), or set FIREFOX`);
  }
  const server = await serve();
  let browser;
  try {
    browser = await launchFirefox();
  } catch (e) {
    await server.close();
    throw e;
  }
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const errors = [];
    const foreign = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console.error: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message ?? e}`));
    page.on("request", (r) => {
      const u = r.url();
      if (!/^(data|blob):/.test(u) && new URL(u).hostname !== "127.0.0.1") foreign.push(u);
    });

    // At the lab, which mounts when it is shown.
    await page.goto(`${server.origin}/#lab`);
    const figures = () =>
      page.evaluate(
        (peak, recovery) => ({
          peak: document.querySelector(peak).textContent.trim(),
          recovery: document.querySelector(recovery).textContent.trim(),
        }),
        lab("peak-failure"),
        lab("recovery-time"),
      );
    await page.waitForFunction(
      (peak, chart) => {
        const p = document.querySelector(peak);
        const c = document.querySelector(chart);
        return p && /%/.test(p.textContent) && c && Number(c.dataset.draws) > 0;
      },
      { timeout: 30_000 },
      lab("peak-failure"),
      lab("chart-failure-rate"),
    );
    const before = await figures();

    // A drag to a short failover: the value, then an input event, as a browser does.
    await page.$eval(lab("slider-failover"), (el) => {
      el.value = "10";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await page.waitForFunction((sel) => document.querySelector(sel).textContent.trim() === "10 s", {}, lab("value-failover"));
    await page.waitForFunction(
      (peakSel, recoverySel, peak, recovery) =>
        document.querySelector(peakSel).textContent.trim() !== peak
        && document.querySelector(recoverySel).textContent.trim() !== recovery,
      {},
      lab("peak-failure"),
      lab("recovery-time"),
      before.peak,
      before.recovery,
    );
    const after = await figures();
    assert.notEqual(after.peak, before.peak, "the peak failure rate changed");
    assert.notEqual(after.recovery, before.recovery, "the recovery time changed");
    assert.ok(parseFloat(after.peak) < parseFloat(before.peak), `a 10 s failover peaks lower: ${before.peak} → ${after.peak}`);

    // The workers: a pinned run and a small phase diagram, computed in Firefox's Web Workers.
    await page.goto(`${server.origin}/cascade/?v=2&p=failover&sweep=failover,0,240,rate,4,20,3,1,recovery#explore`);
    await page.waitForFunction(
      () => {
        const p = document.querySelector('[data-testid="sweep-progress"]');
        return p && Number(p.max) === 9 && Number(p.value) === 9;
      },
      { timeout: 60_000 },
    );
    const cells = await page.$$eval('[data-testid="sweep-cell"]', (els) => els.map((e) => e.dataset.value));
    assert.equal(cells.length, 9);
    assert.ok(cells.includes("none") && cells.some((v) => v !== "none" && v !== ""), `cells: ${cells}`);
    const pool = JSON.parse(await page.evaluate(() => window.wasmBindings.pool_status()));
    assert.ok(pool.workers >= 1 && pool.main_thread === null, JSON.stringify(pool));

    assert.deepEqual(errors, [], "no console error in Firefox");
    assert.deepEqual(foreign, [], "no request left 127.0.0.1");
  } finally {
    await browser.close();
    await server.close();
  }
});
