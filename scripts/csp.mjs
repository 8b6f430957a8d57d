// Writes the Content-Security-Policy into the built index.html (dist/ by default), as a <meta> tag so
// that any static host applies it. The policy allows only the page's own origin; Trunk's inline
// start-up script is allowed by its SHA-256 hash (it changes with the hashed file names, so it is
// computed here, after the build), and the wasm needs 'wasm-unsafe-eval'. The one relaxation is
// `style-src-attr 'unsafe-inline'`, explained below.
//
//   node scripts/csp.mjs [dist/index.html]
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2] ?? "dist/index.html";
let html = readFileSync(file, "utf8");
html = html.replace(/\s*<meta (?:content="[^"]*" )?http-equiv="?Content-Security-Policy"?[^>]*>/, "");

const hashes = [];
for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
  if (/\bsrc=/.test(m[1])) continue;
  hashes.push(`'sha256-${createHash("sha256").update(m[2], "utf8").digest("base64")}'`);
}
if (/<style\b/.test(html) || /\son[a-z]+=/i.test(html.replace(/<script[\s\S]*?<\/script>/g, ""))) {
  console.error(`csp: ${file} has an inline <style> or an inline event handler; move it to a file`);
  process.exit(1);
}

const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(" ")}`.trim(),
  "style-src 'self'",
  // plotters measures chart text with a <span> whose size it sets in a style attribute; a style
  // attribute can load nothing (fonts and images are 'self' only), so attributes alone are allowed.
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
// Trunk's release build minifies the HTML: `<meta charset=utf-8>`.
const charset = /<meta charset="?utf-8"?\s*\/?>/i;
if (!charset.test(html)) {
  console.error(`csp: no <meta charset="utf-8"> in ${file} to put the policy after`);
  process.exit(1);
}
html = html.replace(charset, (m) => `${m}\n    ${meta}`);
writeFileSync(file, html);
console.log(`csp: ${hashes.length} inline script(s) allowed by hash in ${file}`);
