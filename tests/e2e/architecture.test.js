// The living architecture diagram: it renders, the scrubber moves it through the cascade, the charts
// draw the scrubbed moment, Play runs the whole run, and it reads on a phone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, LabPage, harness, newPage } from "./support.js";

const h = harness();

/// The data-health of every component on show, by name.
async function healths(lab) {
  return lab.page.$$eval('[data-testid="architecture"]:not([data-testid="chapter"] *) [data-testid^="component-"]', (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.testid.slice("component-".length), e.dataset.health])),
  );
}

async function frames(page) {
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

test("the diagram shows the worst moment, and the scrubber moves it and the charts' cursor", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  const figure = lab.byTestId("architecture");
  await figure.waitFor();
  assert.equal(await figure.evaluate((e) => e.tagName), "FIGURE");

  // The core cascade: clients, API, Redis and PostgreSQL, and no switched-off subsystem.
  const worst = await healths(lab);
  assert.deepEqual(Object.keys(worst).sort(), ["api", "clients", "postgres", "redis"]);
  assert.equal(worst.api, "failing", "a first look shows the cascade");
  for (const state of Object.values(worst)) assert.match(state, /^(ok|degraded|failing)$/);
  const summary = await lab.byTestId("architecture-svg").getAttribute("aria-label");
  assert.match(summary, /^The system at .*API failing/);
  assert.match(await figure.locator("figcaption").textContent(), /worst moment/);
  assert.ok((await lab.byTestId("component-api").locator("title").textContent()).length > 0, "a hover title");
  await lab.page.screenshot({ path: join(ARTIFACTS, "architecture-worst.png") });

  // Home: the calm start. Every part is healthy and the failure-rate chart redrew for the cursor.
  const scrubber = lab.byTestId("scrubber");
  const drawsBefore = await lab.draws("chart-failure-rate");
  const cursorBefore = await lab.canvasPixels("chart-failure-rate");
  const timingBefore = await lab.text("timing");
  await scrubber.focus();
  await lab.page.keyboard.press("Home");
  await frames(lab.page);
  const calm = await healths(lab);
  assert.deepEqual(calm, { clients: "ok", api: "ok", redis: "ok", postgres: "ok" });
  assert.notDeepEqual(calm, worst, "the scrubber changed at least one part's health");
  assert.equal(await scrubber.getAttribute("aria-valuetext"), "0 s");
  assert.equal(await lab.text("scrub-time"), "0 s");
  assert.ok((await lab.draws("chart-failure-rate")) > drawsBefore, "the chart redrew for the cursor");
  assert.notEqual(await lab.canvasPixels("chart-failure-rate"), cursorBefore, "the cursor line is drawn");
  assert.equal(await lab.text("timing"), timingBefore, "the cursor only redraws: no new run, no timed change");

  // ArrowRight steps one interval (5 s); then into the failover, where Redis is failing.
  await lab.page.keyboard.press("ArrowRight");
  await frames(lab.page);
  assert.equal(await scrubber.getAttribute("aria-valuetext"), "5 s");
  await scrubber.fill("20"); // 100 s: inside the failover (60–180 s)
  await frames(lab.page);
  assert.equal(await scrubber.getAttribute("aria-valuetext"), "1 min 40 s");
  assert.equal((await healths(lab)).redis, "failing");
  await lab.page.screenshot({ path: join(ARTIFACTS, "architecture-failover.png") });

  // End: the retry storm after the failover keeps the API and PostgreSQL failing.
  const drawsEnd = await lab.draws("chart-failure-rate");
  await scrubber.focus();
  await lab.page.keyboard.press("End");
  await frames(lab.page);
  const end = await healths(lab);
  assert.equal(end.redis, "ok");
  assert.equal(end.api, "failing");
  assert.equal(end.postgres, "failing");
  assert.ok((await lab.draws("chart-failure-rate")) > drawsEnd);
  assert.deepEqual(lab.consoleErrors, []);
});

test("a run in which nothing fails has no worst moment to mark", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  await lab.setSlider("failover", 10);
  assert.equal(await lab.peakFailure(), 0);
  await frames(lab.page);
  const time = lab.byTestId("scrub-time");
  assert.doesNotMatch(await time.textContent(), /worst/);
  assert.equal(await time.evaluate((e) => e.classList.contains("worst")), false, "not in red");
  const caption = await lab.byTestId("architecture").locator("figcaption").textContent();
  assert.match(caption, /No attempt fails in this run, so it has no worst moment/);
  assert.doesNotMatch(caption, /opens at the worst moment/);
  // A failing run has one again.
  await lab.setSlider("failover", 240);
  await frames(lab.page);
  assert.match(await time.textContent(), /worst moment/);
  await lab.page.context().close();
});

test("the diagram follows the parameters: the replay shows every part", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  await lab.byTestId("preset-picker").selectOption("as-it-happened");
  await lab.waitForCharts();
  await lab.settled();
  await frames(lab.page);
  const all = await healths(lab);
  assert.deepEqual(Object.keys(all).sort(), ["api", "clients", "gateway", "postgres", "queue", "redis", "replica"]);
  assert.match(await lab.byTestId("scrubber").getAttribute("aria-valuetext"), /^\d\d:\d\d(:\d\d)? UTC$/);
  await lab.page.screenshot({ path: join(ARTIFACTS, "architecture-replay.png") });
  // A cursor past the end of a shorter run moves to its last interval.
  const scrubber = lab.byTestId("scrubber");
  await scrubber.focus();
  await lab.page.keyboard.press("End");
  await frames(lab.page);
  await lab.byTestId("preset-picker").selectOption("failover");
  await lab.waitForCharts();
  await lab.settled();
  await frames(lab.page);
  assert.equal(await scrubber.inputValue(), await scrubber.getAttribute("max"));
  assert.equal(await scrubber.getAttribute("aria-valuetext"), "14 min 55 s");
  assert.deepEqual(lab.consoleErrors, []);
});

test("while its first run is simulated, the diagram shows its outline, not an error", async () => {
  // The replay runs in a worker: hold the worker's files, so the page waits for its first run.
  const page = await newPage(h.browser, { serviceWorkers: "block" });
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route(/cascade-worker/, async (r) => {
    await held;
    await r.continue();
  });
  const lab = new LabPage(page);
  await page.goto(`${h.server.origin}/?p=as-it-happened#lab`);
  const figure = lab.byTestId("architecture");
  await lab.byTestId("architecture-waiting").waitFor();
  assert.equal(await lab.byTestId("architecture-waiting").textContent(), "Simulating the run…");
  assert.equal(await figure.locator('[data-testid="architecture-empty"]').count(), 0, "no 'cannot run' while waiting");
  assert.match(await lab.byTestId("architecture-svg").getAttribute("class"), /pending/);
  // The outline has the replay's seven parts, with no health shown, and Play waits for the run.
  const parts = await figure.locator('[data-testid^="component-"]').count();
  assert.equal(parts, 7);
  assert.ok(await lab.byTestId("play").isDisabled());
  assert.match(await figure.locator("figcaption").textContent(), /^The system, once its run is simulated\./);
  assert.equal((await lab.byTestId("scrub-time").textContent()).trim(), "Simulating the run…", "no moment, and no \"worst moment\", yet");
  const before = await figure.evaluate((e) => e.getBoundingClientRect().height);
  release();
  await lab.waitForCharts();
  await lab.settled();
  await frames(page);
  assert.equal(await lab.byTestId("architecture-waiting").count(), 0);
  assert.doesNotMatch(await lab.byTestId("architecture-svg").getAttribute("class"), /pending/);
  assert.equal(Object.keys(await healths(lab)).length, 7);
  assert.ok(!(await lab.byTestId("play").isDisabled()));
  const after = await figure.evaluate((e) => e.getBoundingClientRect().height);
  // At its final size already (the caption's wording and the moment's line differ a little).
  assert.ok(Math.abs(after - before) < 12, `height ${before} → ${after}`);
  assert.deepEqual(lab.consoleErrors.filter((e) => !/Service Worker registration blocked/.test(e)), []);
});

test("Play runs through the whole run and can be paused", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  const scrubber = lab.byTestId("scrubber");
  const max = Number(await scrubber.getAttribute("max"));
  await lab.byTestId("play").click();
  await lab.page.waitForTimeout(1500);
  const mid = Number(await scrubber.inputValue());
  assert.ok(mid > 0 && mid < max, `playing: at ${mid} of ${max}`);
  assert.match(await lab.text("play"), /Pause/);
  await lab.byTestId("play").click();
  const paused = Number(await scrubber.inputValue());
  await lab.page.waitForTimeout(500);
  assert.equal(Number(await scrubber.inputValue()), paused, "paused");
  assert.match(await lab.text("play"), /Play/);
  // Resume: the rest of the run takes well under the six seconds of the whole.
  await lab.byTestId("play").click();
  await lab.page.waitForFunction(
    (m) => Number(document.querySelector('[data-testid="scrubber"]:not([data-testid="chapter"] *)').value) === m,
    max,
    { timeout: 8000 },
  );
  await lab.page.waitForFunction(() => /Play/.test(document.querySelector('[data-testid="play"]:not([data-testid="chapter"] *)').textContent));
  assert.deepEqual(lab.consoleErrors, []);
});

test("with reduced motion, Play moves in a few jumps", async () => {
  const lab = new LabPage(await newPage(h.browser, { reducedMotion: "reduce" }));
  await lab.open(`${h.server.origin}/`);
  const scrubber = lab.byTestId("scrubber");
  await scrubber.focus();
  await lab.page.keyboard.press("Home");
  const max = Number(await scrubber.getAttribute("max"));
  const seen = new Set();
  const watch = setInterval(async () => {
    try {
      seen.add(Number(await scrubber.inputValue()));
    } catch {}
  }, 100);
  await lab.byTestId("play").click();
  await lab.page.waitForFunction(
    (m) => Number(document.querySelector('[data-testid="scrubber"]:not([data-testid="chapter"] *)').value) === m,
    max,
    { timeout: 9000 },
  );
  clearInterval(watch);
  assert.ok(seen.size <= 8, `a few coarse jumps, saw ${[...seen].join(", ")}`);
  assert.deepEqual(lab.consoleErrors, []);
});

test("on a phone the diagram fits and its text stays readable", async () => {
  const page = await newPage(h.browser, { viewport: { width: 375, height: 800 }, deviceScaleFactor: 2 });
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/`);
  await frames(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  const fig = await lab.byTestId("architecture").boundingBox();
  assert.ok(fig.width <= 375, `diagram is ${fig.width}px wide`);
  // The smallest text in the boxes, in CSS pixels on screen.
  const smallest = await page.$$eval('[data-testid="architecture"]:not([data-testid="chapter"] *) svg text:not(.glyph)', (els) =>
    Math.min(...els.map((e) => e.getBoundingClientRect().height)),
  );
  assert.ok(smallest >= 11, `smallest text is ${smallest.toFixed(1)}px tall`);
  const box = await lab.byTestId("component-postgres").boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 375, "boxes are on screen");
  await lab.byTestId("architecture").screenshot({ path: join(ARTIFACTS, "architecture-phone.png") });
  assert.deepEqual(lab.consoleErrors, []);
});
