// Accessibility: axe-core audits every state of the page a reader can reach — the page at the top
// with the lab, each chapter with its widgets mounted, an exercise after a control moved, the embed,
// the instructor view, the architecture diagram after scrubbing, and the comparisons (pin, seeds,
// recovery curve, phase diagram) — and finds nothing. The lab's
// headline figures are announced to screen readers once after a change, not on every frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { LabPage, harness, track } from "./support.js";

const h = harness();
const AXE = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/// A page whose Content-Security-Policy is bypassed. The site's policy (script-src 'self' and a
/// hash for Trunk's loader) rightly refuses the inline <script> that `addScriptTag({ content })`
/// injects, and axe must run inside the page to see its DOM. Only this audit's pages bypass it; the
/// policy itself is checked by every other test file (and guest.test.js), so nothing hides behind this.
async function auditPage(path) {
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, bypassCSP: true });
  const lab = new LabPage(track(await context.newPage()));
  await lab.page.goto(`${h.server.origin}${path}`);
  return lab;
}

async function frames(page) {
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

/// Violations per page state, printed as a table at the end.
const COUNTS = {};

/// Runs axe on the whole document and fails with a readable list of what it found.
async function audit(page, state) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
    }));
  });
  COUNTS[state] = violations.reduce((n, v) => n + v.nodes.length, 0);
  const report = violations
    .map((v) =>
      [`  ${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} element(s)`]
        .concat(v.nodes.slice(0, 8).map((n) => `    ${n.target}\n      ${n.summary.replace(/\n/g, "\n      ")}`))
        .concat(v.nodes.length > 8 ? [`    … and ${v.nodes.length - 8} more`] : [])
        .join("\n"),
    )
    .join("\n");
  assert.equal(violations.length, 0, `axe found ${COUNTS[state]} violation(s) on ${state}:\n${report}`);
}

test("the page at the top, with the lab", async () => {
  const lab = await auditPage("/");
  await lab.byTestId("peak-failure").first().waitFor();
  await lab.waitForCharts();
  await audit(lab.page, "top of the page");
  assert.deepEqual(lab.consoleErrors, []);
  await lab.page.context().close();
});

test("each chapter with its widgets mounted", async (t) => {
  const lab = await auditPage("/");
  await lab.waitForCharts();
  const ids = await lab.page.locator('[data-testid="chapter"]').evaluateAll((els) => els.map((e) => e.id));
  assert.ok(ids.length >= 6);
  for (const id of ids) {
    const section = lab.page.locator(`section#${id}`);
    for (const w of await section.locator('.widget, [data-testid="exercise"]').all()) await w.scrollIntoViewIfNeeded();
    await lab.page.waitForFunction(
      (sel) => document.querySelectorAll(`${sel} .lazy-placeholder`).length === 0
        && [...document.querySelectorAll(`${sel} canvas`)].every((c) => Number(c.dataset.draws) > 0 || c.closest(".hidden")),
      `section#${id}`,
    );
    await section.scrollIntoViewIfNeeded();
    // One subtest per chapter, so that every chapter is audited even when one fails.
    await t.test(`chapter #${id}`, () => audit(lab.page, `chapter #${id}`));
  }
  assert.deepEqual(lab.consoleErrors, []);
  await lab.page.context().close();
});

test("an exercise after a control moved", async () => {
  const lab = await auditPage("/");
  await lab.waitForCharts();
  const ex = lab.page.locator('[data-testid="exercise"]').first();
  await ex.scrollIntoViewIfNeeded();
  const slider = ex.locator('input[type="range"]').first();
  await slider.waitFor();
  await slider.evaluate((el) => {
    el.value = el.max;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await frames(lab.page);
  await audit(lab.page, "an exercise after a control moved");
  assert.deepEqual(lab.consoleErrors, []);
  await lab.page.context().close();
});

test("the embed", async () => {
  const lab = await auditPage("/?embed=1&charts=failure-rate,load&knobs=failover,breaker");
  await lab.waitForCharts();
  await audit(lab.page, "the embed");
  assert.deepEqual(lab.consoleErrors, []);
  await lab.page.context().close();
});

test("the instructor view", async () => {
  const lab = await auditPage("/?instructor=1");
  await lab.page.locator('[data-testid="instructor"]').waitFor();
  await audit(lab.page, "the instructor view");
  assert.deepEqual(lab.consoleErrors, []);
  await lab.page.context().close();
});

test("the architecture diagram after scrubbing", async () => {
  const lab = await auditPage("/");
  await lab.waitForCharts();
  const scrubber = lab.byTestId("scrubber");
  await scrubber.scrollIntoViewIfNeeded();
  await scrubber.fill("20");
  await frames(lab.page);
  await scrubber.focus();
  await lab.page.keyboard.press("End");
  await frames(lab.page);
  await audit(lab.page, "the architecture diagram after scrubbing");
  assert.deepEqual(lab.consoleErrors, []);
  await lab.page.context().close();
});

test("the lab comparing runs: a pinned run, five seeds, the recovery curve and a phase diagram", async () => {
  // The breaker on (the run recovers: its figure in the "good" colour), pinned against it off.
  const lab = await auditPage("/?v=2&p=failover&breaker.enabled=true&seeds=5&pin=breaker.enabled%3Dfalse&sweep=failover,0,240,rate,4,20,4,1,recovery#explore");
  await lab.page.waitForSelector('[data-testid="band-summary"][data-runs="5"]');
  await lab.page.waitForSelector('[data-testid="chart-recovery-curve"][data-complete="true"]', { timeout: 60000 });
  await lab.page.waitForFunction(() => {
    const p = document.querySelector('[data-testid="sweep-progress"]');
    return p && Number(p.max) === 16 && Number(p.value) === 16;
  }, null, { timeout: 60000 });
  await lab.page.waitForSelector('[data-testid="pin-deltas"][data-basis="medians"]', { timeout: 60000 });
  await lab.page.waitForSelector('.figure.good [data-testid="recovery-time"]');
  await audit(lab.page, "comparing runs");
  assert.deepEqual(lab.consoleErrors, []);
  await lab.page.context().close();
});

test("the lab's figures are announced once after a burst of changes, not on every frame", async () => {
  const lab = await auditPage("/");
  await lab.waitForCharts();
  const region = lab.byTestId("figures-announcement");
  assert.equal(await region.getAttribute("role"), "status");
  assert.equal(await region.getAttribute("aria-live"), "polite");
  const before = (await region.textContent()).trim();
  // Count every change of the region's text from here on.
  await region.evaluate((el) => {
    window.__announcements = [];
    new MutationObserver(() => window.__announcements.push(el.textContent)).observe(el, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  // A drag: twelve input events 40 ms apart, each of which reruns the simulation and redraws.
  for (const v of [20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220, 240]) await lab.setSlider("failover", v);
  const peak = await lab.text("peak-failure");
  const recovery = await lab.text("recovery-time");
  // Nothing is announced while the drag goes on; once, shortly after it stops.
  assert.deepEqual(await lab.page.evaluate(() => window.__announcements), [], "no announcement while dragging");
  await lab.page.waitForTimeout(1500);
  const announced = await lab.page.evaluate(() => window.__announcements.filter((t, i, a) => t !== a[i - 1]));
  assert.equal(announced.length, 1, `one announcement after the burst: ${JSON.stringify(announced)}`);
  const text = (await region.textContent()).trim();
  assert.notEqual(text, before);
  assert.ok(text.includes(peak) && text.includes(recovery), `"${text}" names the new figures ${peak}, ${recovery}`);
  // The region is for screen readers: it takes no room on the page.
  assert.ok((await region.boundingBox()).height <= 1);
  assert.deepEqual(lab.consoleErrors, []);
  await lab.page.context().close();
});

test("summary", () => {
  console.log("axe violations (elements) per page state:");
  for (const [state, n] of Object.entries(COUNTS)) console.log(`  ${String(n).padStart(3)}  ${state}`);
});
