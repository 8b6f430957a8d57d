// Makes the built index.html fetch the app's wasm only after the page's first paint (scripts/build.sh
// calls this, before scripts/csp.mjs hashes the inline scripts):
// - drops Trunk's `<link rel="preload" … as="fetch">` of the wasm, and
// - has Trunk's start-up script wait for the largest paint to be reported before it fetches the wasm.
// The page's text is static HTML that paints without the wasm; fetching the wasm (about 560 KB gzip)
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
const out = dropped.replace(start, (m) => afterPaint + m);
writeFileSync(file, out);
console.log(`preload: ${html === dropped ? "no wasm preload in" : "dropped the wasm preload from"} ${file}; the wasm is fetched after the first paint`);
