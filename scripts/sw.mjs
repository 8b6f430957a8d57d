// The offline service worker of a release build (scripts/build.sh calls this; `trunk serve` never
// does, so authoring has no service worker). Two steps:
//
//   node scripts/sw.mjs register dist/index.html   puts the registration script into index.html
//                                                   (before scripts/csp.mjs, which allows it by hash)
//   node scripts/sw.mjs write dist                 writes dist/sw.js, precaching every file of dist/
//                                                   (after everything else has written to dist/)
//
// The cache is named after a hash of every file of the build (names and contents), so each deploy has
// its own cache and a page is served from one version only. See README.md ("Offline").
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const [step, target] = process.argv.slice(2);

// Registers ./sw.js (relative, scope ./: works from the root or any sub-path) after the page has
// loaded, so precaching never competes with the first load. Where service workers are unavailable
// (an old browser, a private window that refuses them, a file: URL) the page simply runs without.
const REGISTER =
  `if ("serviceWorker" in navigator) addEventListener("load", () => { ` +
  `try { navigator.serviceWorker.register("./sw.js", { scope: "./" }).catch(() => {}); } catch {} });`;

if (step === "register") {
  const file = target ?? "dist/index.html";
  let html = readFileSync(file, "utf8");
  if (!html.includes(REGISTER)) {
    if (!html.includes("</head>")) {
      console.error(`sw: no </head> in ${file}`);
      process.exit(1);
    }
    html = html.replace("</head>", `<script>${REGISTER}</script>\n  </head>`);
    writeFileSync(file, html);
  }
  console.log(`sw: registration script in ${file}`);
} else if (step === "write") {
  const dir = target ?? "dist";
  const files = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(relative(dir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  const precache = files.filter((f) => f !== "sw.js" && !f.startsWith("."));
  const hash = createHash("sha256");
  for (const f of precache) hash.update(`${f}\0`).update(readFileSync(join(dir, f))).update("\0");
  const version = hash.digest("hex").slice(0, 16);
  const template = readFileSync(new URL("sw.template.js", import.meta.url), "utf8");
  const sw = template
    .replace('"__VERSION__"', JSON.stringify(version))
    .replace("[/* __FILES__ */]", JSON.stringify(precache, null, 2));
  writeFileSync(join(dir, "sw.js"), sw);
  console.log(`sw: ${join(dir, "sw.js")} precaches ${precache.length} files, version ${version}`);
} else {
  console.error("usage: node scripts/sw.mjs register dist/index.html | write dist");
  process.exit(2);
}
