// The static page: the text (headline, introduction, contents, chapters, glossary, references) is in
// dist/index.html itself, written at build time by prerender/ from content/, so it paints before the
// wasm arrives and reads with JavaScript off. When the app starts it removes the static page and
// draws the live one in its place: the same markup, so the text stays where it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, DIST, LabPage, harness, liveMounted, newPage } from "./support.js";

const INDEX = readFileSync(join(DIST, "index.html"), "utf8");
// The same page without its static text, to measure what the static page gains.
const PLAIN = INDEX.replace(/\s*<div id="static-page">[\s\S]*?<\/main><\/div>/, "");
const h = harness({ "/plain.html": PLAIN });

const CHAPTERS = [...INDEX.matchAll(/<section class="chapter prose" id="([a-z0-9-]+)"[^>]*>.*?<h2 id="[a-z0-9-]+-title">([^<]+)<\/h2>/g)].map(
  (m) => ({ id: m[1], title: m[2] }),
);
const HEADLINE = INDEX.match(/<h1>([^<]+)<\/h1>/)?.[1];

test("dist/index.html holds the text, outside any script", () => {
  assert.ok(HEADLINE?.includes("two-minute failover"), "the headline");
  assert.ok(CHAPTERS.length >= 6, `${CHAPTERS.length} chapters`);
  assert.equal(PLAIN.includes("static-page"), false);
  const page = INDEX.slice(INDEX.indexOf('<div id="static-page">'), INDEX.indexOf("</main></div>"));
  assert.doesNotMatch(page, /<script|<style|\sstyle=|\son[a-z]+=/i);
  console.log(`static page: ${page.length} bytes in index.html (${INDEX.length} in all)`);
});

test("with JavaScript off, the headline, every chapter and its prose are there to read", async () => {
  const page = await newPage(h.browser, { javaScriptEnabled: false });
  await page.goto(`${h.server.origin}/`);
  await assert.doesNotReject(page.locator("h1", { hasText: HEADLINE }).waitFor({ state: "visible" }));
  assert.ok(await page.locator("noscript").count(), "the noscript note");
  for (const c of CHAPTERS) {
    const heading = page.locator(`#${c.id} h2`);
    assert.equal(await heading.textContent(), c.title);
    assert.ok(await heading.isVisible(), `chapter ${c.id}'s heading`);
    const prose = page.locator(`#${c.id} .prose-html p`).first();
    assert.ok(await prose.isVisible(), `chapter ${c.id}'s prose`);
    assert.ok((await prose.textContent()).length > 40);
  }
  assert.ok(await page.locator("#failover .try").first().isVisible(), "a try-this prompt");
  assert.ok(await page.locator("#failover .widget-caption").first().isVisible(), "a widget's caption");
  assert.ok(await page.locator("#glossary dt").first().isVisible(), "the glossary");
  assert.ok(await page.locator("#references").isVisible(), "the references");
  // Nothing waits for the simulation: the placeholders take no room when scripts cannot run.
  const blank = await page.locator("#static-page .lazy-placeholder").evaluateAll((els) => els.filter((e) => e.offsetHeight > 0).length);
  assert.equal(blank, 0, "no empty boxes without JavaScript");
  // Every link within the page has its target, and the sections after the chapters are there to
  // read: the exercises' goals, what the lab needs, how to read the figures, what is known.
  const missing = await page.evaluate(() =>
    [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute("href").slice(1)).filter((id) => !document.getElementById(id)),
  );
  assert.deepEqual([...new Set(missing)], [], "links to targets the static page lacks");
  for (const id of ["contents", "exercises", "lab", "explore", "reading", "sources", "glossary"]) {
    assert.ok(await page.locator(`#${id}`).isVisible(), `#${id} shows`);
  }
  assert.ok((await page.locator("#exercises .exercise-list li").count()) >= 10, "the exercises' goals");
  // An exercise's link lands on its text, which reads without the app.
  await page.locator('#exercises a[href="#exercise-normal-day-capacity"]').click();
  const exercise = page.locator("#exercise-normal-day-capacity h3");
  assert.ok(await exercise.isVisible(), "the exercise's heading");
  await page.waitForFunction(() => Math.abs(document.querySelector("#exercise-normal-day-capacity").getBoundingClientRect().top) < 20);
  assert.match(await page.locator("#exercise-normal-day-capacity").textContent(), /Goal:.*needs JavaScript/s);
  assert.ok(await page.locator("#lab .nojs-only").isVisible(), "the lab says what it needs");
  assert.ok(await page.locator("#sources", { hasText: "No public source confirms it" }).isVisible(), "what is reconstruction");
  assert.ok(await page.locator("#reading dt", { hasText: "Requests lost" }).isVisible(), "how to read the figures");
  // A link in the contents goes to its chapter.
  await page.locator(`.toc a[href="#${CHAPTERS[3].id}"]`).click();
  await page.waitForFunction((id) => Math.abs(document.getElementById(id).getBoundingClientRect().top) < 20, CHAPTERS[3].id);
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const [width, height] of [[1280, 900], [375, 812]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: join(ARTIFACTS, `static-nojs-${width}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling at ${width} px (${overflow} px)`);
  }
  await page.context().close();
});

test("with JavaScript on, the app replaces the static page: every id once, and the lab works", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  assert.equal(await lab.page.locator("#static-page").count(), 0, "the static page is gone");
  for (const c of CHAPTERS) {
    assert.equal(await lab.page.locator(`[id="${c.id}"]`).count(), 1, `one #${c.id}`);
    assert.equal(await lab.page.locator(`[id="${c.id}-title"]`).count(), 1, `one #${c.id}-title`);
    assert.equal(await lab.page.locator(`#${c.id} h2`).textContent(), c.title);
  }
  assert.equal(await lab.page.locator("h1").count(), 1);
  assert.equal(await lab.page.locator("h1").textContent(), HEADLINE, "the live headline is the static one");
  assert.equal(await lab.page.locator("#glossary").count(), 1);
  const missing = await lab.page.evaluate(() =>
    [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute("href").slice(1)).filter((id) => !document.getElementById(id)),
  );
  assert.deepEqual([...new Set(missing)], [], "links to targets the live page lacks");
  assert.ok(await lab.byTestId("peak-failure").first().isVisible(), "a lab figure shows");
  assert.ok(await lab.draws("chart-failure-rate") > 0);
  assert.deepEqual(lab.consoleErrors, []);
  await lab.page.context().close();
});

/// Opens `path` with the wasm held back by `delay` ms; returns when the headline and the first chapter's
/// heading became visible (ms after navigation started), the first contentful paint, the heading's
/// place before and after the app started, and the layout shift the page recorded.
async function firstPaint(path, delay) {
  const page = await newPage(h.browser);
  await page.route(/\.wasm$/, async (route) => {
    await new Promise((ok) => setTimeout(ok, delay));
    await route.continue();
  });
  await page.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  const start = Date.now();
  await page.goto(`${h.server.origin}${path}`, { waitUntil: "commit" });
  await page.locator("h1").waitFor({ state: "visible" });
  const headline = Date.now() - start;
  const before = await page.locator(`#${CHAPTERS[0].id}-title`).evaluate((e) => e.getBoundingClientRect().top);
  const stillStatic = await page.locator("#static-page").count();
  await liveMounted(page);
  const app = Date.now() - start;
  const after = await page.locator(`#${CHAPTERS[0].id}-title`).evaluate((e) => e.getBoundingClientRect().top);
  const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null);
  const shift = await page.evaluate(() => window.__shift);
  await page.context().close();
  return { headline, fcp: fcp && Math.round(fcp), app, before, after, stillStatic, shift: Number(shift.toFixed(4)) };
}

test("the text paints before the wasm arrives, and stays put when the app takes over", async () => {
  const delay = 1500;
  const withStatic = await firstPaint("/", delay);
  const without = await firstPaint("/plain.html", delay);
  const report = { wasmDelayMs: delay, withStatic, withoutStatic: without };
  console.log(JSON.stringify(report));
  writeFileSync(join(ARTIFACTS, "static-first-paint.json"), JSON.stringify(report, null, 2));
  assert.equal(withStatic.stillStatic, 1, "the headline came from the static page");
  assert.ok(withStatic.headline < delay, `the headline showed at ${withStatic.headline} ms, before the wasm (${delay} ms)`);
  assert.ok(without.headline >= delay, `without the static page the headline waits for the wasm (${without.headline} ms)`);
  assert.ok(Math.abs(withStatic.after - withStatic.before) < 2, `chapter 1's heading stays put (${withStatic.before} → ${withStatic.after})`);
});

/// The top of each section of the page (chapters, exercises, lab, Explore, how to read the figures,
/// what is known, glossary, references), in CSS pixels from the top of the page: of the static page
/// (the wasm held back) or of the live page as it first mounts.
async function sectionTops(width, live) {
  const page = await newPage(h.browser, { viewport: { width, height: 800 } });
  if (!live) await page.route(/\.wasm$/, (route) => route.abort());
  await page.goto(`${h.server.origin}/`);
  if (live) await liveMounted(page);
  else await page.locator("#static-page").waitFor();
  const ids = [...CHAPTERS.map((c) => c.id), "exercises", "lab", "explore", "reading", "sources", "glossary", "references"];
  const tops = await page.evaluate(
    (ids) => Object.fromEntries(ids.map((id) => [id, Math.round(document.getElementById(id).getBoundingClientRect().top + scrollY)])),
    ids,
  );
  await page.context().close();
  return tops;
}

test("text far down the page stays put too when the app takes over (within 60 px at 1280 and 375 px)", async () => {
  // A reader who has scrolled on while the wasm loads (a slow phone) must not lose their place:
  // the static placeholders are as tall as the live page's before anything in it mounts.
  for (const width of [1280, 375]) {
    const before = await sectionTops(width, false);
    const after = await sectionTops(width, true);
    const moved = Object.fromEntries(Object.keys(before).map((id) => [id, after[id] - before[id]]));
    console.log(`${width} px: ${JSON.stringify(moved)}`);
    for (const [id, d] of Object.entries(moved)) assert.ok(Math.abs(d) <= 60, `#${id} moves ${d} px at ${width} px`);
  }
});

test("a reader who scrolled on while the wasm loaded keeps their place when the app takes over", async () => {
  // On a slow connection the reader is somewhere in the chapters when the app replaces the static
  // page, and the widgets near them mount at once: the placeholders (the same boxes on both pages)
  // are about as tall as those widgets, so the text stays about where it was.
  const spots = [
    ["#normal-day", "What healthy looks like"],
    ["#pool-exhaustion", "Fewer connections, more done"],
    ["#retry-storm", "The tipping point"],
  ];
  for (const width of [375, 1280]) {
    for (const [chapter, heading] of spots) {
      const page = await newPage(h.browser, { viewport: { width, height: 800 } });
      let release;
      const held = new Promise((ok) => (release = ok));
      await page.route(/\.wasm$/, async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${h.server.origin}/`);
      await page.locator("#static-page").waitFor();
      const title = page.locator(`${chapter} h3`, { hasText: heading }).first();
      await title.evaluate((el) => {
        el.scrollIntoView();
        window.scrollBy(0, -120);
      });
      const before = await title.evaluate((el) => el.getBoundingClientRect().top);
      release();
      await liveMounted(page);
      // The widgets near the reader mount and draw.
      await page.waitForTimeout(1500);
      const after = await page.locator(`${chapter} h3`, { hasText: heading }).first().evaluate((el) => el.getBoundingClientRect().top);
      console.log(`${width} px, ${heading}: ${Math.round(before)} → ${Math.round(after)} px from the top`);
      assert.ok(Math.abs(after - before) <= 160, `"${heading}" moved ${Math.round(after - before)} px at ${width} px`);
      await page.context().close();
    }
  }
});

test("the first load fetches no wasm: it comes when the reader scrolls on, or at once for a link with a query", async () => {
  // The first screen is text and links; the first widget is two screens or more down. The page asks
  // for its wasm once the reader scrolls or does anything on the page, or a widget's place is within
  // a screen of the window (scripts/preload.mjs), so a reader who reads on finds the app there, and
  // one who only reads the top fetches none of it.
  for (const [width, height] of [[412, 823], [1280, 800]]) {
    const page = await newPage(h.browser, { viewport: { width, height }, serviceWorkers: "block" });
    const wasm = [];
    page.on("request", (r) => {
      if (/_bg\.wasm$/.test(r.url())) wasm.push(r.url().split("/").pop());
    });
    await page.goto(`${h.server.origin}/`);
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(1000);
    assert.deepEqual(wasm, [], `no wasm at load (${width} px)`);
    assert.equal(await page.evaluate(() => Boolean(document.getElementById("static-page") && !window.wasmBindings)), true);
    // The reader scrolls a little: the page asks for its wasm while the first widget is still far below.
    const gap = await page.evaluate(() => {
      window.scrollBy(0, 200);
      return document.querySelector("#static-page .lazy-placeholder").getBoundingClientRect().top - innerHeight;
    });
    await page.waitForRequest(/app-[^/]*_bg\.wasm$/);
    console.log(`${width} px: the wasm asked for after a 200 px scroll, the first widget ${Math.round(gap)} px below the window`);
    assert.ok(gap > height, `the first widget still more than a screen away (${Math.round(gap)} px)`);
    await liveMounted(page);
    // Read on to the diagram: it mounts and draws.
    await page.evaluate(() => document.querySelector(".widget-architecture").scrollIntoView());
    await page.locator('[data-testid="architecture-svg"]:not(.pending)').first().waitFor();
    await page.context().close();
  }
  // A keyboard (or screen-reader) user who reads on without scrolling: the first Tab asks for it.
  const keys = await newPage(h.browser, { serviceWorkers: "block" });
  let early = false;
  keys.on("request", (r) => (early ||= /_bg\.wasm$/.test(r.url())));
  await keys.goto(`${h.server.origin}/`);
  await keys.waitForLoadState("networkidle");
  await keys.waitForTimeout(500);
  assert.equal(early, false, "no wasm before the key");
  const tabbed = keys.waitForRequest(/app-[^/]*_bg\.wasm$/);
  await keys.keyboard.press("Tab");
  await assert.doesNotReject(tabbed);
  assert.equal(await keys.evaluate(() => window.scrollY), 0, "asked for without a scroll");
  await keys.context().close();
  // A share link: the lab's parameters need the app at once.
  const page = await newPage(h.browser, { serviceWorkers: "block" });
  const asked = page.waitForRequest(/app-[^/]*_bg\.wasm$/);
  await page.goto(`${h.server.origin}/?p=failover&seed=7#lab`);
  await assert.doesNotReject(asked);
  await page.waitForFunction(() => !document.getElementById("static-page"));
  await page.context().close();
});

test("the text under a figure stays put while the figure mounts and waits for its first run", async () => {
  // A reader on a phone who has scrolled into the architecture diagram's place as the app arrives:
  // the figure mounts, waits a moment for its run from the worker, then draws. Until the run, it
  // holds its placeholder's height (widgets/lazy.rs, Hold); without that the heading below it went up
  // by 500 px and came back (its chart hidden, its figures one line, its legends empty).
  const page = await newPage(h.browser, { viewport: { width: 375, height: 667 }, serviceWorkers: "block" });
  await page.goto(`${h.server.origin}/`);
  const path = await page.evaluate(async () => {
    const ph = document.querySelector("#static-page .ph-architecture");
    window.scrollTo(0, ph.getBoundingClientRect().top + scrollY + 250);
    const below = () => [...document.querySelectorAll("#normal-day h3")].find((e) => e.textContent.startsWith("What healthy looks like"));
    const tops = [];
    const t0 = performance.now();
    while (performance.now() - t0 < 10_000) {
      await new Promise((ok) => requestAnimationFrame(ok));
      tops.push(Math.round(below().getBoundingClientRect().top));
      if (document.querySelector('[data-testid="architecture-svg"]:not(.pending)') && performance.now() - t0 > 1500) break;
    }
    return tops;
  });
  const moved = path.map((t) => t - path[0]);
  console.log(`the heading under the diagram, from ${path[0]} px: moved ${Math.min(...moved)} to ${Math.max(...moved)} px over ${path.length} frames`);
  assert.ok(await page.locator('[data-testid="architecture-svg"]:not(.pending)').count(), "the diagram drew its run");
  assert.ok(Math.max(...moved.map(Math.abs)) <= 60, `moved by up to ${Math.max(...moved.map(Math.abs))} px`);
  await page.context().close();
});
