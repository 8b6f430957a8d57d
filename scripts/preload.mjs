// Drops Trunk's `<link rel="preload" … as="fetch">` of the app's wasm from the built index.html
// (scripts/build.sh calls this). The page's text is static HTML that paints without the wasm; a
// preload of the wasm (about 500 KB gzip) only competes with the HTML and CSS for the connection before
// that first paint. The wasm is still fetched at once when the start-up script runs, right after the
// HTML is parsed (its JavaScript is still preloaded as a module). Lighthouse's simulated LCP also
// counts a preloaded wasm as part of the largest paint (3.8 s instead of 1.1 s on its mobile profile).
//
//   node scripts/preload.mjs [dist/index.html]
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2] ?? "dist/index.html";
const html = readFileSync(file, "utf8");
const drop = (tag) => /\brel=["']?preload\b/.test(tag) && /\bas=["']?fetch\b/.test(tag) && /\.wasm\b/.test(tag);
const out = html.replace(/<link\b[^>]*>/g, (tag) => (drop(tag) ? "" : tag));
writeFileSync(file, out);
console.log(`preload: ${html === out ? "no wasm preload in" : "dropped the wasm preload from"} ${file}`);
