// Accessibility: axe-core audits every state of the page a reader can reach — the page at the top
// with the lab, each chapter with its widgets mounted, an exercise after a control moved, the embed,
// the instructor view, the architecture diagram after scrubbing, and the comparisons (pin, seeds,
// recovery curve, phase diagram) — and finds nothing. The lab's
// headline figures are announced to screen readers once after a change, not on every frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { LabPage, harness, holdWasm, track } from "./support.js";

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
  await lab.showLab();
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

/// Starts counting every text change of every live region of the page (an element with aria-live
/// other than "off", a status, or an <output>, which is a status by default).
async function countLiveRegions(page) {
  await page.evaluate(() => {
    window.__live = [];
    const live = [...document.querySelectorAll('[aria-live], [role="status"], output')].filter(
      (el) => el.getAttribute("aria-live") !== "off",
    );
    for (const el of live) {
      new MutationObserver(() => window.__live.push([el.dataset.testid ?? el.className, el.textContent.trim()])).observe(el, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    }
  });
}

test("a figure's first run is not announced: it arrives as the reader scrolls near, not after a change of theirs", async () => {
  const lab = await auditPage("/");
  await lab.waitForCharts();
  const widget = lab.page.locator('#recovery [data-testid="widget"]').first();
  await widget.scrollIntoViewIfNeeded();
  await lab.page.waitForFunction(
    () => /%$/.test(document.querySelector('#recovery [data-testid="widget"] [data-testid="peak-failure"]')?.textContent.trim() ?? ""),
  );
  await lab.page.waitForTimeout(1500);
  assert.equal((await widget.locator('[data-testid="widget-announcement"]').textContent()).trim(), "", "the widget's first run");
  assert.equal((await lab.byTestId("figures-announcement").textContent()).trim(), "", "the lab's first run");
  await lab.page.context().close();
});

test("a slider's value is not spoken twice, and a chapter widget's figures are announced once after a drag", async () => {
  const lab = await auditPage("/");
  await lab.waitForCharts();
  // The lab: during a drag, no live region speaks (the slider says its own value, with its unit once).
  await countLiveRegions(lab.page);
  for (const v of [60, 120, 180, 240]) await lab.setSlider("failover", v);
  assert.deepEqual(await lab.page.evaluate(() => window.__live), [], "nothing spoken while dragging");
  assert.equal(await lab.byTestId("slider-failover").getAttribute("aria-valuetext"), "4 min");
  // A chapter's widget: the same, then one announcement with its new figures.
  await lab.page.locator("#pool-exhaustion").scrollIntoViewIfNeeded();
  const widget = lab.page.locator('#pool-exhaustion [data-testid="widget"]').filter({ has: lab.page.locator('[data-testid="slider-pool"]') }).first();
  await widget.scrollIntoViewIfNeeded();
  await widget.locator('[data-testid="peak-failure"]').waitFor();
  await lab.page.waitForTimeout(1000);
  await countLiveRegions(lab.page);
  for (const v of [30, 24, 18, 12, 8]) {
    await widget.locator('[data-testid="slider-pool"]').evaluate((el, x) => {
      el.value = String(x);
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }, v);
    await frames(lab.page);
  }
  assert.deepEqual(await lab.page.evaluate(() => window.__live), [], "nothing spoken while dragging");
  await lab.page.waitForTimeout(1500);
  const spoken = await lab.page.evaluate(() => window.__live.filter((t, i, a) => JSON.stringify(t) !== JSON.stringify(a[i - 1])));
  assert.equal(spoken.length, 1, JSON.stringify(spoken));
  const [region, text] = spoken[0];
  assert.equal(region, "widget-announcement");
  const peak = (await widget.locator('[data-testid="peak-failure"]').textContent()).trim();
  assert.ok(text.startsWith(`Peak failure rate ${peak}; `), text);
  assert.deepEqual(lab.consoleErrors, []);
  await lab.page.context().close();
});

test("the keyboard: a skip link, the import button, Escape on a glossary tip, the focus kept when the app arrives", async () => {
  // The focus a reader gave a link of the static text, before the wasm came, is on the same link
  // of the live page after.
  // No service worker: it would serve the second load's wasm from its cache, past the held route.
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, bypassCSP: true, serviceWorkers: "block" });
  const page = track(await context.newPage());
  const release = await holdWasm(page);
  const lab = new LabPage(page);
  await page.goto(`${h.server.origin}/`);
  await page.locator("#static-page .toc a").nth(2).focus();
  const href = await page.evaluate(() => document.activeElement.getAttribute("href"));
  release();
  await lab.mounted();
  await frames(page);
  assert.equal(await page.evaluate(() => document.querySelector("#static-page")), null);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute("href")), href, "the same link has the focus");
  assert.equal(await page.evaluate(() => document.activeElement.closest("main") !== null), true);

  // The same for the lab's heading, where the static page's skip link puts the focus (found by id).
  const again = await holdWasm(page);
  await page.goto(`${h.server.origin}/`);
  await page.locator("#static-page #lab-title").focus();
  again();
  await lab.mounted();
  await frames(page);
  assert.deepEqual(await page.evaluate(() => [document.activeElement.id, document.activeElement.closest("#static-page") === null]), ["lab-title", true]);

  // The first Tab stop skips to the lab, and shows itself while it has the focus.
  await page.goto(`${h.server.origin}/`);
  await lab.mounted();
  await page.keyboard.press("Tab");
  const skip = await page.evaluate(() => {
    const a = document.activeElement;
    const r = a.getBoundingClientRect();
    return { text: a.textContent, href: a.getAttribute("href"), left: r.left, width: r.width };
  });
  assert.deepEqual([skip.text, skip.href], ["Skip to the lab", "#lab-title"]);
  assert.ok(skip.left >= 0 && skip.width > 0, JSON.stringify(skip));
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => location.hash === "#lab-title");
  assert.equal(await page.evaluate(() => document.activeElement.id), "lab-title", "the focus is at the lab, so Tab goes on from there");

  // A figure far down the page, not mounted yet, is a Tab stop: reaching it mounts it and gives its
  // first control the focus (a reader who tabs faster than the page scrolls skips nothing).
  const far = page.locator("#recovery .lazy-placeholder").first();
  assert.equal(await far.getAttribute("tabindex"), "0");
  assert.match(await far.getAttribute("aria-label"), /live figure/);
  await far.focus();
  await page.waitForFunction(() => document.activeElement.matches("input, select, button, summary, a") && document.activeElement.closest("#recovery"));
  assert.equal(await page.locator("#recovery .lazy-placeholder").count() < (await page.locator("#recovery .when-near").count()), true);

  // "Import scenario…" is a Tab stop after "Scenario file (JSON)" (at the lab's end, which mounts
  // when shown).
  await lab.showLab();
  await lab.byTestId("export-scenario").focus();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), "import-scenario");

  // A glossary term's explanation: shown on focus, hidden by Escape, shown again after moving on.
  const term = page.locator('[data-testid="term-link"]').first();
  const tip = page.locator(".term-wrap .tip").first();
  await term.focus();
  assert.equal(await tip.isVisible(), true);
  await page.keyboard.press("Escape");
  assert.equal(await tip.isVisible(), false, "Escape hides the explanation");
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), "term-link", "the focus stays");
  await page.keyboard.press("Tab");
  await term.focus();
  assert.equal(await tip.isVisible(), true, "shown again on the next visit");
  assert.deepEqual(lab.consoleErrors.filter((e) => !/Service Worker registration blocked/.test(e)), []);
  await context.close();
});

test("in a short window the lab's figures scroll with the page instead of covering the controls", async () => {
  for (const [width, height, sticky] of [[375, 740, true], [640, 360, false], [320, 256, false]]) {
    const context = await h.browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, bypassCSP: true });
    const lab = new LabPage(track(await context.newPage()));
    await lab.page.goto(`${h.server.origin}/#lab`);
    await lab.waitForCharts();
    const position = await lab.page.evaluate(() => getComputedStyle(document.querySelector(".lab-main")).position);
    assert.equal(position, sticky ? "sticky" : "static", `${width}×${height}`);
    await context.close();
  }
});

test("summary", () => {
  console.log("axe violations (elements) per page state:");
  for (const [state, n] of Object.entries(COUNTS)) console.log(`  ${String(n).padStart(3)}  ${state}`);
});
