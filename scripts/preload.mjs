// Makes the built index.html fetch the app's wasm only after the page's first paint, and only once
// the page needs it (scripts/build.sh calls this, before scripts/csp.mjs hashes the inline scripts):
// - drops Trunk's `<link rel="preload" … as="fetch">` of the wasm,
// - has Trunk's start-up script wait for the largest paint to be reported, and then
// - for the reader to scroll or do anything else on the page, or for a widget to be within a screen
//   of the window (or for a link with a query), before it fetches the wasm.
// The page's text is static HTML that paints without the wasm; fetching the wasm (about 590 KB gzip)
// before that first paint only competes with the HTML and CSS for the connection. Lighthouse's
// simulated LCP also counts a wasm request that started before the first paint as part of the largest
// paint: 3.8 s instead of 1.1 s on its mobile profile with a preload, and, without one, 4.1 s in some
// runs once the static page had grown (the first paint came after the start-up script had run). The
// JavaScript is still preloaded as a module; the wait is a frame or two (none in a hidden tab, which paints nothing).
//
//   node scripts/preload.mjs [dist/index.html]
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2] ?? "dist/index.html";
const html = readFileSync(file, "utf8");
const drop = (tag) => /\brel=["']?preload\b/.test(tag) && /\bas=["']?fetch\b/.test(tag) && /\.wasm\b/.test(tag);
const dropped = html.replace(/<link\b[^>]*>/g, (tag) => (drop(tag) ? "" : tag));
const start = /const wasm = await init\(/;
if (!start.test(dropped)) {
  console.error(`preload: no "const wasm = await init(" in ${file}: Trunk's start-up script changed; see scripts/preload.mjs`);
  process.exit(1);
}
// The wait ends when the browser reports the largest paint (or, without that entry type, the first
// contentful paint; without either, after the first frame), or after 2 s whatever happens. A frame
// alone was not enough: the paint is presented, and the largest paint timed, after the frame's tasks,
// so in some runs the wasm request still started before the largest paint's time.
const afterPaint =
  'if (document.visibilityState !== "hidden") await new Promise((ok) => {' +
  ' const types = (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];' +
  ' const type = ["largest-contentful-paint", "paint"].find((t) => types.includes(t));' +
  ' setTimeout(ok, 2000);' +
  ' if (!type) return requestAnimationFrame(() => setTimeout(ok, 0));' +
  ' const o = new PerformanceObserver(() => { o.disconnect(); setTimeout(ok, 0); });' +
  ' o.observe({ type, buffered: true });' +
  ' });\n';
// Then the wait for need: the first screen is text and links only (the first widget is two screens
// or more down), so the wasm is fetched once the reader scrolls (reading on, towards the widgets, or
// following a link into the page) or does anything else on the page (a key, a click or a touch, the
// focus moving: a keyboard or screen-reader user reads on without scrolling), or once a widget's
// placeholder (`.lazy-placeholder`, which the static page puts where the app mounts each widget, the
// lab and each exercise) is within a screen of the window (a short window). A page already scrolled
// (a restored position, a link's anchor) and a link with a query (the lab's parameters, an embed,
// the instructor view) need the app at once; so does a page without placeholders. On a slow phone
// the wasm takes seconds to arrive (about 8 s at Lighthouse's mobile throttling): the first scroll
// gives it the most time before the first widget is in view.
const whenNeeded =
  'await new Promise((ok) => {' +
  ' const near = document.querySelectorAll(".lazy-placeholder");' +
  ' if (location.search || !near.length || window.scrollY > 0) return ok();' +
  ' let done = false;' +
  ' const on = ["scroll", "keydown", "pointerdown", "touchstart", "focusin"];' +
  ' const go = () => { if (done) return; done = true; on.forEach((t) => removeEventListener(t, go, true)); o && o.disconnect(); ok(); };' +
  ' on.forEach((t) => addEventListener(t, go, { capture: true, passive: true }));' +
  ' const o = window.IntersectionObserver && new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting)) go(); }, { rootMargin: "100% 0px" });' +
  ' if (o) near.forEach((e) => o.observe(e));' +
  ' });\n';
const out = dropped.replace(start, (m) => afterPaint + whenNeeded + m);
writeFileSync(file, out);
console.log(`preload: ${html === dropped ? "no wasm preload in" : "dropped the wasm preload from"} ${file}; the wasm is fetched after the first paint, once the page needs it`);
