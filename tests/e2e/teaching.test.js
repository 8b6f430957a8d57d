// The explainer as a reader, a student and a teacher use it: chapters with live widgets, deep links
// from a sub-path, glossary tooltips, exercises that check themselves and remember, answer links,
// and the instructor view.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, LabPage, harness, newPage, track } from "./support.js";

const h = harness();

async function frames(page) {
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

/// Sets a range input inside `scope` the way a drag does.
async function drag(scope, id, value) {
  await scope.locator(`[data-testid="slider-${id}"]`).evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, value);
  await frames(scope.page());
}

function foreign(lab) {
  return lab.requests.filter((u) => !u.startsWith(h.server.origin) && !u.startsWith("data:") && !u.startsWith("blob:"));
}

test("the first paint does not wait for widgets far down the page", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  const placeholders = await lab.page.locator(".lazy-placeholder").count();
  assert.ok(placeholders >= 10, `${placeholders} widgets and exercises wait until the reader comes near`);
  const widget = lab.page.locator("#recovery .widget").first();
  assert.equal(await widget.locator(".lazy-placeholder").count(), 1, "not mounted before the reader comes near");
  await widget.scrollIntoViewIfNeeded();
  await widget.locator('[data-testid="peak-failure"]').waitFor();
  assert.equal(await widget.locator(".lazy-placeholder").count(), 0);
  assert.deepEqual(lab.consoleErrors, []);
});

test("six chapters in order, each with a heading, a widget and a way to the lab; the contents link them", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  const chapters = lab.page.locator('[data-testid="chapter"]');
  assert.ok((await chapters.count()) >= 6);
  const ids = await chapters.evaluateAll((els) => els.map((e) => e.id));
  assert.deepEqual(ids.slice(0, 6), ["normal-day", "failover", "pool-exhaustion", "retry-storm", "blast-radius", "recovery"]);
  for (const id of ids) {
    const c = lab.page.locator(`section#${id}`);
    assert.ok((await c.locator("h2").textContent()).length > 3, `${id} has a heading`);
    assert.ok((await c.locator('[data-testid="widget"], [data-testid="architecture"]').count()) >= 1, `${id} has a widget`);
    assert.equal(await c.locator('[data-testid="chapter-open-lab"]').getAttribute("href"), "#lab");
    assert.equal(await lab.page.locator(`[data-testid="toc"] a[href="#${id}"]`).count(), 1, `contents link ${id}`);
  }
  assert.equal(await lab.page.locator('[data-testid="toc"] [data-testid="open-lab"]').getAttribute("href"), "#lab");
  // Every chapter's widgets drew their charts.
  await lab.page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="chapter"] canvas')].every((c) => Number(c.dataset.draws) > 0 || c.closest(".hidden")),
  );
  assert.deepEqual(lab.consoleErrors, []);
  assert.deepEqual(foreign(lab), [], "no request leaves the site");
});

test("a chapter widget redraws its chart when its slider moves, and leaves the lab alone", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  // Widgets mount as the reader comes near them.
  await lab.page.locator("#pool-exhaustion").scrollIntoViewIfNeeded();
  const widget = lab.page.locator('#pool-exhaustion [data-testid="widget"]').filter({ has: lab.page.locator('[data-testid="slider-pool"]') }).first();
  await widget.scrollIntoViewIfNeeded();
  const chart = widget.locator('canvas[data-testid^="chart-"]').first();
  await lab.page.waitForFunction((el) => Number(el.dataset.draws) > 0, await chart.elementHandle());
  const before = await chart.evaluate((c) => c.toDataURL());
  const recoveryBefore = await widget.locator('[data-testid="recovery-time"]').textContent();
  const labPool = await lab.text("value-pool");
  await drag(widget, "pool", 8);
  assert.equal((await widget.locator('[data-testid="value-pool"]').textContent()).trim(), "8");
  assert.notEqual(await chart.evaluate((c) => c.toDataURL()), before, "the widget's chart changed");
  assert.notEqual(await widget.locator('[data-testid="recovery-time"]').textContent(), recoveryBefore);
  assert.equal(await lab.text("value-pool"), labPool, "the lab did not move");
  await widget.screenshot({ path: join(ARTIFACTS, "widget-pool-8.png") });
  // "Open this in the lab" carries the widget's settings there.
  const chapterTop = await widget.evaluate((el) => el.getBoundingClientRect().top);
  await widget.locator('[data-testid="widget-open-lab"]').click();
  await frames(lab.page);
  assert.equal(await lab.text("value-pool"), "8");
  assert.match(lab.page.url(), /#lab$/);
  assert.equal(await lab.page.evaluate(() => document.activeElement?.id), "lab-title", "the keyboard follows to the lab");
  // Back returns to the chapter, and the lab to what it was; Forward goes to the lab again.
  await lab.page.goBack();
  await lab.page.waitForFunction((v) => document.querySelector('[data-testid="value-pool"]:not([data-testid="chapter"] *)')?.textContent.trim() === v, labPool);
  assert.doesNotMatch(lab.page.url(), /#lab$/);
  await frames(lab.page);
  const backTop = await widget.evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(Math.abs(backTop - chapterTop) < 50, `back at the widget: ${chapterTop} then ${backTop}, scrollY ${await lab.page.evaluate(() => scrollY)}`);
  await lab.page.goForward();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid="value-pool"]:not([data-testid="chapter"] *)')?.textContent.trim() === "8");
  assert.deepEqual(lab.consoleErrors, []);
});

test("on a touch screen a slider has a step down and a step up a finger can hit; a mouse's page does not show them", async () => {
  const phone = new LabPage(await newPage(h.browser, { viewport: { width: 375, height: 800 }, hasTouch: true, isMobile: true }));
  await phone.open(`${h.server.origin}/`);
  await phone.page.locator("#failover").scrollIntoViewIfNeeded();
  const widget = phone.page.locator('#failover [data-testid="widget"]').filter({ has: phone.page.locator('[data-testid="slider-failover"]') }).first();
  await widget.scrollIntoViewIfNeeded();
  const value = widget.locator('[data-testid="value-failover"]');
  const before = (await value.textContent()).trim();
  assert.equal(before, "30 s");
  const up = widget.locator('[data-testid="step-up-failover"]');
  const box = await up.boundingBox();
  assert.ok(box.width >= 44 && box.height >= 44, `step button ${box.width}×${box.height}`);
  const slider = await widget.locator('[data-testid="slider-failover"]').boundingBox();
  assert.ok(slider.height >= 44, `slider ${slider.height} px tall`);
  await up.tap();
  await up.tap();
  assert.equal((await value.textContent()).trim(), "40 s", "two steps of 5 s up, as chapter 2's prompt asks");
  await widget.locator('[data-testid="step-down-failover"]').tap();
  assert.equal((await value.textContent()).trim(), "35 s");
  await phone.page.screenshot({ path: join(ARTIFACTS, "touch-steps-375.png") });
  assert.deepEqual(phone.consoleErrors, []);
  // With a mouse, the compact slider only.
  const desk = new LabPage(await newPage(h.browser));
  await desk.open(`${h.server.origin}/`);
  assert.equal(await desk.page.locator('[data-testid="step-up-failover"]').first().isVisible(), false);
});

test("an exercise greys out the breaker's settings while the breaker is off, as the lab does", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/#exercise-invisible-failover`);
  const card = lab.page.locator("#exercise-invisible-failover");
  await card.locator('[data-testid="exercise-status"]').waitFor();
  const threshold = card.locator('[data-testid="slider-breaker-threshold"]');
  const perFeature = card.locator('[data-testid="toggle-breaker-per-feature"]');
  assert.equal(await card.locator('[data-testid="toggle-breaker"]').isChecked(), false);
  assert.equal(await threshold.isDisabled(), true);
  assert.equal(await perFeature.isDisabled(), true);
  await card.locator('[data-testid="toggle-breaker"]').check();
  await frames(lab.page);
  assert.equal(await threshold.isDisabled(), false);
  assert.equal(await perFeature.isDisabled(), false);
  assert.deepEqual(lab.consoleErrors, []);
});

/// "412 k" → 412000, "1.2 M" → 1200000.
function count(text) {
  const m = text.trim().match(/^([\d.]+)(?: ([kMG]))?$/);
  assert.ok(m, `a count: ${text}`);
  return Number(m[1]) * { undefined: 1, k: 1e3, M: 1e6, G: 1e9 }[m[2]];
}

test("chapter 3's widget counts the wasted queries its prompt speaks of", async () => {
  // "Raise the client timeout to 45 seconds … the count of wasted queries above the charts falls more
  // than tenfold, and the failover heals" (backed natively by a_timeout_longer_than_the_queue_heals).
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/#pool-exhaustion`);
  const widget = lab.page.locator('#pool-exhaustion [data-testid="widget"]').filter({ has: lab.page.locator('[data-testid="slider-timeout"]') }).first();
  await widget.scrollIntoViewIfNeeded();
  const wasted = widget.locator('[data-testid="wasted-queries"]');
  await wasted.waitFor();
  const before = await wasted.textContent();
  const at30 = count(before);
  await drag(widget, "timeout", 45);
  // The widget's new run: its count changes (or goes, if nothing was wasted).
  await widget.evaluate(
    (w, b) =>
      new Promise((ok) => {
        const check = () => {
          const el = w.querySelector('[data-testid="wasted-queries"]');
          if (!el || el.textContent !== b) ok();
          else requestAnimationFrame(check);
        };
        check();
      }),
    before,
  );
  const at45 = (await wasted.count()) ? count(await wasted.textContent()) : 0;
  assert.ok(at45 * 10 < at30, `wasted queries ${at30} at 30 s, ${at45} at 45 s`);
  assert.doesNotMatch(await widget.locator('[data-testid="recovery-time"]').textContent(), /did not recover/);
  await lab.page.context().close();
});

test("deep links open the right chapter, also from a sub-path, and keep the anchor", async () => {
  for (const base of ["/", "/cascade/"]) {
    const page = await newPage(h.browser);
    const lab = new LabPage(page);
    await page.goto(`${h.server.origin}${base}#retry-storm`);
    await lab.waitForCharts();
    await page.waitForFunction(() => Math.abs(document.getElementById("retry-storm").getBoundingClientRect().top) < 80);
    await frames(page);
    assert.ok(page.url().endsWith("#retry-storm"), `the anchor survives the address update: ${page.url()}`);
    assert.match(page.url(), new RegExp(`^${h.server.origin}${base.replace(/\//g, "\\/")}\\?`));
    assert.deepEqual(lab.consoleErrors, []);
  }
});

test("glossary terms link to the glossary and explain themselves on focus", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  const links = lab.page.locator('[data-testid="term-link"]');
  assert.ok((await links.count()) >= 10, `${await links.count()} terms linked`);
  const first = links.first();
  const href = await first.getAttribute("href");
  assert.match(href, /^#term-/);
  assert.equal(await lab.page.locator(href).count(), 1, "the glossary has the entry");
  const tip = lab.page.locator(`#${await first.getAttribute("aria-describedby")}`);
  assert.equal(await tip.isVisible(), false);
  await first.focus();
  assert.equal(await tip.isVisible(), true, "focus shows the definition");
  assert.ok((await tip.textContent()).length > 20);
});

test("an exercise turns met when the solution's value is entered, stays met after a reload, and an answer link shows it", async () => {
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = track(await context.newPage());
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/#exercise-pool-that-heals`);
  const ex = page.locator('[data-testid="exercise"][data-exercise="pool-that-heals"]');
  const status = ex.locator('[data-testid="exercise-status"]');
  assert.equal(await status.textContent(), "not met yet");
  assert.match(await ex.locator(".exercise-goal").textContent(), /seeds 1, 2, 3/);
  // The pool is limited to 40 in this exercise.
  assert.equal(await ex.locator('[data-testid="slider-pool"]').getAttribute("max"), "40");
  await drag(ex, "pool", 8);
  assert.equal(await status.textContent(), "met");
  assert.equal(await ex.locator('[data-testid="exercise-seeds"] li.met').count(), 3);
  await ex.screenshot({ path: join(ARTIFACTS, "exercise-met.png") });
  // Saved in this browser: a reload keeps the answer and the verdict.
  await page.reload();
  await lab.waitForCharts();
  assert.equal(await status.textContent(), "met");
  assert.equal((await ex.locator('[data-testid="value-pool"]').textContent()).trim(), "8");
  assert.match(await page.locator('[data-testid="exercise-progress"]').textContent(), /You have met 1 of/);
  // "Copy my answer": the link opens the exercise with these settings in a browser that has nothing saved.
  await ex.locator('[data-testid="exercise-copy"]').click();
  const link = await ex.locator('[data-testid="exercise-answer-link"]').inputValue();
  assert.match(link, /exercise=pool-that-heals/);
  assert.match(link, /db\.pool_size=8/);
  // Whether the browser let the page copy it is said, not assumed (this context has no clipboard
  // permission, so headless Chromium refuses).
  const label = ex.locator(".answer-link label");
  await page.waitForFunction((el) => /\((copied|select it)/.test(el.textContent), await label.elementHandle());
  console.log(`copy: ${await label.textContent()}`);
  const teacher = new LabPage(await newPage(h.browser));
  await teacher.open(link);
  const seen = teacher.page.locator('[data-testid="exercise"][data-exercise="pool-that-heals"]');
  assert.equal(await seen.locator('[data-testid="exercise-status"]').textContent(), "met");
  assert.equal(await teacher.text("value-pool"), "40", "the lab itself starts as usual");
  // The student's answer is not the teacher's progress, and the card says whose settings these are.
  assert.match(await teacher.page.locator('[data-testid="exercise-progress"]').textContent(), /You have met 0 of/);
  assert.match(await seen.locator('[data-testid="exercise-from-link"]').textContent(), /answer link/);
  // The address keeps the answer, so a reload (or a bookmark) shows it again.
  await teacher.page.waitForTimeout(800);
  assert.match(teacher.page.url(), /exercise=pool-that-heals/);
  assert.match(teacher.page.url(), /db\.pool_size=8/);
  await teacher.page.reload();
  await teacher.waitForCharts();
  assert.equal(await seen.locator('[data-testid="exercise-status"]').textContent(), "met");
  assert.equal((await seen.locator('[data-testid="value-pool"]').textContent()).trim(), "8");
  // Changing a setting makes it the reader's own work: the note goes.
  await drag(seen, "pool", 9);
  assert.equal(await seen.locator('[data-testid="exercise-from-link"]').count(), 0);
  assert.deepEqual(lab.consoleErrors, []);
  assert.deepEqual(teacher.consoleErrors, []);
  await context.close();
});

test("corrupt saved progress is set aside with a notice, and the page still works", async () => {
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    if (!sessionStorage.getItem("seeded")) {
      localStorage.setItem("cascade-lab:exercises", "{not json");
      sessionStorage.setItem("seeded", "1");
    }
  });
  const page = track(await context.newPage());
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/`);
  assert.match(await page.locator('[data-testid="storage-notice"]').textContent(), /could not be read/);
  await page.locator('[data-testid="exercise"]').first().scrollIntoViewIfNeeded();
  assert.equal(await page.locator('[data-testid="exercise-status"]').first().textContent(), "not met yet");
  // The first save keeps the unreadable text aside, where it can still be recovered by hand.
  const pool = page.locator('[data-testid="exercise"][data-exercise="pool-that-heals"]');
  await pool.scrollIntoViewIfNeeded();
  await pool.locator('[data-testid="slider-pool"]').waitFor();
  await drag(pool, "pool", 8);
  await page.waitForFunction(() => localStorage.getItem("cascade-lab:exercises")?.includes("pool-that-heals"));
  assert.equal(await page.evaluate(() => localStorage.getItem("cascade-lab:exercises:set-aside")), "{not json");
  assert.deepEqual(lab.consoleErrors, []);
  await context.close();
});

test("progress saved in two tabs keeps both, and a partly unreadable answer is kept until changed", async () => {
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const open = async (hash) => {
    const lab = new LabPage(track(await context.newPage()));
    await lab.open(`${h.server.origin}/${hash}`);
    return lab;
  };
  const card = (lab, id) => lab.page.locator(`[data-testid="exercise"][data-exercise="${id}"]`);
  const a = await open("#exercise-pool-that-heals");
  const b = await open("#exercise-retry-budget");
  await card(a, "pool-that-heals").locator('[data-testid="slider-pool"]').waitFor();
  await drag(card(a, "pool-that-heals"), "pool", 8);
  await a.page.waitForFunction(() => localStorage.getItem("cascade-lab:exercises")?.includes("pool-that-heals"));
  // Tab B was opened before A saved: its save keeps A's answer.
  await card(b, "retry-budget").locator('[data-testid="slider-attempts"]').waitFor();
  await drag(card(b, "retry-budget"), "attempts", 2);
  await b.page.waitForFunction(() => localStorage.getItem("cascade-lab:exercises")?.includes("retry-budget"));
  const stored = JSON.parse(await b.page.evaluate(() => localStorage.getItem("cascade-lab:exercises")));
  assert.deepEqual(Object.keys(stored.exercises).sort(), ["pool-that-heals", "retry-budget"]);
  assert.equal(stored.exercises["pool-that-heals"].met, true);
  await a.page.reload();
  await a.waitForCharts();
  await card(a, "pool-that-heals").scrollIntoViewIfNeeded();
  await card(a, "pool-that-heals").locator('[data-testid="exercise-status"]').waitFor();
  assert.equal(await card(a, "pool-that-heals").locator('[data-testid="exercise-status"]').textContent(), "met");

  // A saved answer with a parameter this site no longer knows: the rest applies, the card says what
  // was left out, and the saved text stays as it was until the student changes something.
  const odd = "v=2&p=failover&db.pool_size=8&renamed.param=3";
  await a.page.evaluate((q) => {
    const s = JSON.parse(localStorage.getItem("cascade-lab:exercises"));
    s.exercises["pool-that-heals"].query = q;
    localStorage.setItem("cascade-lab:exercises", JSON.stringify(s));
  }, odd);
  await a.page.reload();
  await a.waitForCharts();
  const c = card(a, "pool-that-heals");
  await c.scrollIntoViewIfNeeded();
  await c.locator('[data-testid="exercise-saved-problems"]').waitFor();
  assert.match(await c.locator('[data-testid="exercise-saved-problems"]').textContent(), /renamed\.param/);
  assert.equal((await c.locator('[data-testid="value-pool"]').textContent()).trim(), "8");
  await frames(a.page);
  const kept = JSON.parse(await a.page.evaluate(() => localStorage.getItem("cascade-lab:exercises")));
  assert.equal(kept.exercises["pool-that-heals"].query, odd, "not written over on opening");
  await drag(c, "pool", 9);
  await a.page.waitForFunction(() => !localStorage.getItem("cascade-lab:exercises").includes("renamed"));
  assert.equal(await c.locator('[data-testid="exercise-saved-problems"]').count(), 0, "the notice goes once it is changed");

  // Progress written by a newer version of the site is never written over, and the card says so.
  const newer = JSON.stringify({ version: 2, exercises: { "pool-that-heals": { future: true } } });
  await a.page.evaluate((t) => localStorage.setItem("cascade-lab:exercises", t), newer);
  await a.page.reload();
  await a.waitForCharts();
  await c.scrollIntoViewIfNeeded();
  await c.locator('[data-testid="exercise-not-saved"]').waitFor();
  assert.match(await c.locator('[data-testid="exercise-not-saved"]').textContent(), /not saved: a newer version/);
  await drag(c, "pool", 7);
  await frames(a.page);
  assert.equal(await a.page.evaluate(() => localStorage.getItem("cascade-lab:exercises")), newer);
  assert.deepEqual(a.consoleErrors, []);
  assert.deepEqual(b.consoleErrors, []);
  await context.close();
});

test("the instructor view says what in its link it could not use", async () => {
  const page = await newPage(h.browser);
  const lab = new LabPage(page);
  await page.goto(`${h.server.origin}/?instructor=1&db.pool_size=abc&exercise=nope`);
  await page.locator('[data-testid="instructor"]').waitFor();
  const text = await page.locator('[data-testid="link-problems"]').textContent();
  assert.match(text, /db\.pool_size/);
  assert.match(text, /no exercise called "nope"/);
  assert.deepEqual(lab.consoleErrors, []);
});

test("the instructor view lists every exercise with its solution and figures, and prints", async () => {
  const page = await newPage(h.browser);
  const lab = new LabPage(page);
  await page.goto(`${h.server.origin}/cascade/?instructor=1`);
  await page.locator('[data-testid="instructor"]').waitFor();
  const cards = page.locator('[data-testid="instructor-exercise"]');
  assert.ok((await cards.count()) >= 8);
  const text = await cards.first().textContent();
  for (const part of ["Goal.", "Solution.", "At the start", "With the solution", "Discussion questions", "seed 1"]) {
    assert.ok(text.includes(part), part);
  }
  await page.pdf({ path: join(ARTIFACTS, "instructor.pdf"), format: "A4", printBackground: true });
  assert.deepEqual(lab.consoleErrors, []);
});

test("a teacher pastes students' answer links into the instructor view and sees whether each meets its goal", async () => {
  const page = await newPage(h.browser);
  const lab = new LabPage(page);
  await page.goto(`${h.server.origin}/cascade/?instructor=1`);
  const input = page.locator('[data-testid="check-answer-link"]');
  await input.waitFor();
  // As "Copy my answer" writes it (here from another host: the checker opens it on this site).
  const answer = (rate) =>
    `https://school.example/cascade/?v=2&p=failover&faults=%5B%5D&traffic.rate_per_s=${rate}&exercise=normal-day-capacity#exercise-normal-day-capacity`;
  await input.fill(answer(27));
  const verdict = page.locator('[data-testid="check-answer-verdict"]');
  assert.equal(await verdict.textContent(), "Met on every seed (1, 2, 3).");
  assert.match(await page.locator('[data-testid="check-answer-result"]').textContent(), /How busy can a normal day get\?/);
  const open = await page.locator('[data-testid="check-answer-open"]').getAttribute("href");
  assert.ok(open.startsWith(`${h.server.origin}/cascade/?`) && open.endsWith("#exercise-normal-day-capacity"), open);
  await input.fill(answer(28));
  assert.match(await verdict.textContent(), /^Not met on 3 of 3 seeds/);
  await input.fill(`${h.server.origin}/cascade/?p=failover#lab`);
  assert.match(await page.locator('[data-testid="check-answer-error"]').textContent(), /^1\. This link names no exercise/);
  // A class's links at once, one per line: each checked in turn, with a count of those met.
  await input.fill([answer(27), "", answer(28), `${h.server.origin}/cascade/?p=failover#lab`, answer(27)].join("\n"));
  await page.locator('[data-testid="check-answer-summary"]').filter({ hasText: "2 of 4 links meet their goal." }).waitFor();
  assert.equal(await page.locator('[data-testid="check-answer-pending"]').count(), 0);
  assert.deepEqual(await page.locator('[data-testid="check-answer-result"]').evaluateAll((els) => els.map((e) => e.dataset.met)), ["true", "false", "true"]);
  assert.equal(await page.locator('[data-testid="check-answer-error"]').count(), 1);
  assert.equal(await page.locator('[data-testid="check-answer-again"]').textContent(), " (the same link as no. 1)");
  // A name before a link is shown with its result; a hand-edited value between the slider's steps
  // is named, as no slider could have set it.
  await input.fill([`Ana: ${answer(27)}`, `Bo\t${answer(27.5)}`].join("\n"));
  await page.locator('[data-testid="check-answer-summary"]').filter({ hasText: "1 of 2 links meet their goal." }).waitFor();
  const rows = await page.locator('[data-testid="check-answer-result"] .answer-line').allTextContents();
  assert.match(rows[0], /^1\. Ana — How busy can a normal day get\?/);
  assert.match(rows[1], /^2\. Bo — How busy can a normal day get\? Not met, not a possible answer: traffic\.rate_per_s is 27\.5, between the slider's steps of 1 req\/s\./);
  await input.fill([answer(27), "", answer(28), `${h.server.origin}/cascade/?p=failover#lab`, answer(27)].join("\n"));
  await page.locator('[data-testid="check-answer-summary"]').filter({ hasText: "2 of 4 links meet their goal." }).waitFor();
  // A reload of the tab keeps what was pasted, and checks it again.
  await page.reload();
  await page.locator('[data-testid="check-answer-summary"]').filter({ hasText: "2 of 4 links meet their goal." }).waitFor();
  assert.match(await input.inputValue(), /rate_per_s=28/);
  await input.fill("");
  assert.equal(await page.locator('[data-testid="check-answer-error"], [data-testid="check-answer-result"]').count(), 0);
  // The link opens the exercise with the student's settings.
  await page.goto(open);
  const card = page.locator("#exercise-normal-day-capacity");
  await card.locator('[data-testid="exercise-status"]').waitFor();
  assert.equal((await card.locator('[data-testid="exercise-status"]').textContent()).trim(), "met");
  assert.deepEqual(lab.consoleErrors, []);
  await page.context().close();
});

test("a class's link hides the exercises' solutions, and keeps hiding them as the page rewrites its address", async () => {
  const page = await newPage(h.browser);
  const lab = new LabPage(page);
  await page.goto(`${h.server.origin}/cascade/?instructor=1`);
  const classLink = await page.locator('[data-testid="class-link"] a').getAttribute("href");
  assert.equal(classLink, `${h.server.origin}/cascade/?solutions=hide#exercises`);
  await lab.open(classLink);
  const card = page.locator("#exercise-normal-day-capacity");
  await card.scrollIntoViewIfNeeded();
  await card.locator('[data-testid="exercise-solution-hidden"]').waitFor();
  assert.equal(await card.locator('[data-testid="exercise-reveal"]').count(), 0, "no solution to reveal");
  assert.equal(await lab.byTestId("instructor-link").count(), 0, "no link to the instructor view in the contents");
  assert.doesNotMatch(await lab.byTestId("exercises").textContent(), /instructor view/);
  // The lab moved: the address the page writes keeps the key, so a reload keeps them hidden.
  await lab.setSlider("failover", 60);
  await page.waitForFunction(() => /duration_s/.test(decodeURIComponent(location.search)));
  assert.match(page.url(), /solutions=hide/);
  await page.reload();
  await lab.mounted(); // the app, not the static page before it
  await page.locator("#exercise-normal-day-capacity").scrollIntoViewIfNeeded();
  await page.locator('#exercise-normal-day-capacity [data-testid="exercise-solution-hidden"]').waitFor();
  // Without the key the solutions show; a value it does not know is said and ignored.
  await lab.open(`${h.server.origin}/cascade/?solutions=later#exercise-normal-day-capacity`);
  await page.locator('#exercise-normal-day-capacity [data-testid="exercise-reveal"]').waitFor();
  assert.match(await lab.text("link-problems"), /solutions: only `solutions=hide` is understood/);
  assert.deepEqual(lab.consoleErrors, []);
  await page.context().close();
});

test("a chart stays sharp when the chart beside it goes (a subsystem switched off)", async () => {
  const page = await newPage(h.browser, { viewport: { width: 1280, height: 900 } });
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/#blast-radius`);
  const widget = page.locator("#blast-radius .widget").first();
  await widget.scrollIntoViewIfNeeded();
  const chart = widget.locator('[data-testid="chart-failure-rate"]');
  await page.waitForFunction((el) => Number(el.dataset.draws) > 0, await chart.elementHandle());
  const sharp = () => chart.evaluate((el) => Math.abs(el.width - Math.round(el.getBoundingClientRect().width * devicePixelRatio)) <= 1);
  assert.ok(await sharp(), "before");
  await widget.locator('[data-testid="toggle-sessions"]').uncheck();
  await frames(page);
  await page.waitForTimeout(300);
  assert.equal(await widget.locator('[data-testid="card-connected"]').isVisible(), false, "the sessions chart is gone");
  assert.ok(await sharp(), "after: the canvas was drawn at its new width, not stretched");
  assert.deepEqual(lab.consoleErrors, []);
});

test("the chapters read at 1280 and 375 pixels (screenshots in tests/artifacts)", async () => {
  for (const width of [1280, 375]) {
    const lab = new LabPage(await newPage(h.browser, { viewport: { width, height: 900 } }));
    await lab.open(`${h.server.origin}/`);
    const overflow = await lab.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling at ${width}px (${overflow}px too wide)`);
    for (const id of ["normal-day", "failover", "pool-exhaustion", "retry-storm", "blast-radius", "recovery"]) {
      const section = lab.page.locator(`section#${id}`);
      // Bring each of its widgets near the viewport so that they mount, then wait for their charts.
      for (const w of await section.locator('.widget, [data-testid="exercise"]').all()) await w.scrollIntoViewIfNeeded();
      await lab.page.waitForFunction(
        (sel) => [...document.querySelectorAll(`${sel} canvas`)].every((c) => Number(c.dataset.draws) > 0 || c.closest(".hidden"))
          && document.querySelectorAll(`${sel} .lazy-placeholder`).length === 0,
        `section#${id}`,
      );
      await section.scrollIntoViewIfNeeded();
      await section.screenshot({ path: join(ARTIFACTS, `chapter-${id}-${width}.png`) });
    }
  }
});
