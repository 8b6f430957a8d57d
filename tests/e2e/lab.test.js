// The lab as a reader uses it: load the built site, move the failover slider, read the figures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, LabPage, harness, newPage } from "./support.js";

const h = harness();

test("the page loads without console errors and shows sliders, chart and figures", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  for (const id of ["failover", "pool", "jitter", "breaker-threshold", "breaker-open"]) {
    const slider = lab.byTestId(`slider-${id}`);
    assert.equal(await slider.getAttribute("type"), "range", id);
    assert.ok((await lab.text(`value-${id}`)).length > 0, `${id} shows its value`);
  }
  assert.match(await lab.text("peak-failure"), /^\d+(\.\d)?%$/);
  assert.match(await lab.text("recovery-time"), /^(\d+ (h|min|s).*|did not recover)$/);
  const size = await lab.canvasSize("chart-failure-rate");
  assert.ok(size.cssWidth > 300, `chart is ${size.cssWidth}px wide`);
  assert.equal(size.width, Math.round(size.cssWidth), "canvas has one device pixel per CSS pixel at DPR 1");
  assert.equal(size.clientWidth, Math.round(size.cssWidth), "the canvas has no border or padding to blur it");
  await lab.page.screenshot({ path: join(ARTIFACTS, "lab-default.png"), fullPage: true });
  assert.deepEqual(lab.consoleErrors, []);
  const foreign = lab.requests.filter((u) => !u.startsWith(h.server.origin) && !u.startsWith("data:"));
  assert.deepEqual(foreign, [], "no request leaves the site");
});

test("the lab mounts and runs when the reader comes to it, not at load", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.page.goto(`${h.server.origin}/`);
  await lab.mounted();
  await lab.page.waitForTimeout(1000);
  // At the top of the page the lab is its placeholder: no figures, no chart, no run.
  assert.equal(await lab.page.locator("#lab .lazy-placeholder.ph-lab").count(), 1, "the lab waits");
  assert.equal(await lab.byTestId("peak-failure").count(), 0, "no lab figures at load");
  assert.equal(await lab.byTestId("chart-failure-rate").count(), 0, "no lab chart at load");
  // The contents' "Open the lab": the lab mounts, runs and draws, its heading at the top.
  await lab.byTestId("open-lab").click();
  await lab.page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="chart-failure-rate"]:not([data-testid="chapter"] *)');
    return c && Number(c.dataset.draws) > 0;
  });
  assert.match(await lab.text("peak-failure"), /%$/);
  const top = await lab.page.locator("#lab").evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(Math.abs(top) < 80, `the lab is at the top of the window (${top} px)`);
  // Its first slider works at once.
  const before = await lab.canvasPixels("chart-failure-rate");
  await lab.setSlider("failover", 20);
  assert.notEqual(await lab.canvasPixels("chart-failure-rate"), before);
  assert.deepEqual(lab.consoleErrors, []);
  await lab.page.context().close();
});

test("moving the failover slider from short to long raises the peak and redraws the chart", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  await lab.setSlider("failover", 10);
  assert.equal(await lab.text("value-failover"), "10 s");
  const shortPeak = await lab.peakFailure();
  const shortPixels = await lab.canvasPixels("chart-failure-rate");
  const shortRecovery = await lab.text("recovery-time");
  await lab.page.screenshot({ path: join(ARTIFACTS, "lab-failover-10s.png") });

  await lab.setSlider("failover", 240);
  assert.equal(await lab.text("value-failover"), "4 min");
  const longPeak = await lab.peakFailure();
  const longPixels = await lab.canvasPixels("chart-failure-rate");
  await lab.page.screenshot({ path: join(ARTIFACTS, "lab-failover-4min.png") });

  assert.ok(longPeak > shortPeak, `peak ${shortPeak}% at 10 s should rise at 4 min, got ${longPeak}%`);
  assert.notEqual(longPixels, shortPixels, "the chart's pixels changed");
  assert.notEqual(shortRecovery, "did not recover");
  assert.equal(await lab.text("recovery-time"), "did not recover");
  assert.deepEqual(lab.consoleErrors, []);
});

test("the lab's other charts redraw when they are in view, not while scrolled away", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  await lab.page.evaluate(() => window.scrollTo(0, 0));
  await lab.page.waitForTimeout(200);
  const [main, load] = [await lab.draws("chart-failure-rate"), await lab.draws("chart-load")];
  assert.ok(load > 0, "every chart is drawn once at the start");
  await lab.setSlider("failover", 90);
  await lab.page.waitForTimeout(200);
  assert.ok((await lab.draws("chart-failure-rate")) > main, "the lab's failure chart always redraws");
  assert.equal(await lab.draws("chart-load"), load, "a chart far off screen waits");
  // Printing draws it: on paper every chart shows the run on show.
  await lab.page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  assert.equal(await lab.draws("chart-load"), load + 1, "drawn before printing");
  await lab.setSlider("failover", 120);
  const printed = await lab.draws("chart-load");
  await lab.byTestId("chart-load").scrollIntoViewIfNeeded();
  await lab.page.waitForFunction((n) => Number(document.querySelector('[data-testid="chart-load"]:not([data-testid="chapter"] *)').dataset.draws) > n, printed);
  // Once in view it follows every change at once.
  const seen = await lab.draws("chart-load");
  await lab.setSlider("failover", 150);
  assert.ok((await lab.draws("chart-load")) > seen);
  assert.deepEqual(lab.consoleErrors, []);
});

test("when attempts fail but no request is lost, the figure says the retries got through", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  // A one-minute failover: almost half the attempts fail at the worst, every request succeeds on a
  // retry (cascade run --preset failover --set 'faults[0].duration_s=60': 44.9 %, 0 failed).
  await lab.setSlider("failover", 60);
  assert.ok((await lab.peakFailure()) > 20, "attempts fail");
  assert.equal(await lab.text("failed-requests"), "0");
  assert.equal(await lab.text("failed-requests-note"), "every request got through, on a retry");
  // Nothing failed at all: nothing to explain.
  await lab.setSlider("failover", 10);
  assert.equal(await lab.peakFailure(), 0);
  assert.equal(await lab.byTestId("failed-requests-note").count(), 0);
  // Requests lost: no note.
  await lab.setSlider("failover", 240);
  assert.notEqual(await lab.text("failed-requests"), "0");
  assert.equal(await lab.byTestId("failed-requests-note").count(), 0);
  await lab.page.context().close();
});

test("the circuit breaker brings the long failover back", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  assert.equal(await lab.text("recovery-time"), "did not recover");
  assert.equal(await lab.byTestId("slider-breaker-open").isDisabled(), true);
  await lab.byTestId("toggle-breaker").check();
  await lab.page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  assert.notEqual(await lab.text("recovery-time"), "did not recover");
  assert.equal(await lab.byTestId("slider-breaker-open").isDisabled(), false);
  assert.deepEqual(lab.consoleErrors, []);
});

test("with the gateway on, the figures say when every user is connected again", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/?v=2&p=reconnect-herd#lab`);
  // Requests succeed again at once, but users come back over minutes: the figure says both.
  assert.match(await lab.text("outage-note"), /^WebSockets all reconnected (\d+ min )?\d+ s after the fault$/);
  await lab.open(`${h.server.origin}/?v=2&p=failover#lab`);
  assert.equal(await lab.byTestId("outage-note").count(), 0, "no gateway, no line");
  assert.deepEqual(lab.consoleErrors, []);
});

test("the built site works from a sub-path", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/cascade/`);
  assert.match(await lab.text("peak-failure"), /%$/);
  assert.deepEqual(lab.consoleErrors, []);
});

test("charts are crisp on a high-DPI screen", async () => {
  const page = await newPage(h.browser, { deviceScaleFactor: 2 });
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/`);
  const size = await lab.canvasSize("chart-failure-rate");
  assert.equal(size.width, Math.round(size.cssWidth * 2), "two device pixels per CSS pixel");
  assert.equal(size.height, Math.round(size.cssHeight * 2));
  await page.screenshot({ path: join(ARTIFACTS, "lab-dpr2.png") });
});

test("on a phone-sized screen nothing is wider than the viewport", async () => {
  const page = await newPage(h.browser, { viewport: { width: 375, height: 800 }, deviceScaleFactor: 3 });
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: join(ARTIFACTS, "lab-phone.png"), fullPage: true });
  assert.deepEqual(lab.consoleErrors, []);
});

test("Another run draws a fresh random seed, shown in the seed field and the address", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  const seed = lab.byTestId("seed");
  const old = BigInt(await seed.inputValue());
  const seen = new Set([old]);
  for (let i = 0; i < 2; i++) {
    const before = await seed.inputValue();
    await lab.byTestId("reseed").click();
    await lab.page.waitForFunction((b) => document.querySelector('[data-testid="seed"]').value !== b, before);
    const now = BigInt(await seed.inputValue());
    assert.ok(now !== BigInt(before) + 1n, `a random seed, not ${before} + 1`);
    assert.ok(now <= 2n ** 53n - 1n, `${now} survives a JavaScript number`);
    assert.ok(!seen.has(now));
    seen.add(now);
    await lab.page.waitForFunction((n) => new URL(location.href).searchParams.get("seed") === n, String(now));
  }
  assert.deepEqual(lab.consoleErrors, []);
});
