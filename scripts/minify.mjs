// Minifies every JavaScript file of a release build in place (scripts/build.sh calls this after
// `trunk build`): the wasm-bindgen glue of the app and of any worker, and Trunk's worker loaders.
// Trunk's `minify = "on_release"` (Trunk.toml) handles CSS and HTML, but its JS minifier fails on
// wasm-bindgen's output and leaves it as it is. terser comes from .tools/ (scripts/setup.sh).
// File names keep Trunk's content hash (of the unminified file): minifying is deterministic, so a
// name still changes exactly when its content does.
//
//   node scripts/minify.mjs [dist]
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const dir = process.argv[2] ?? "dist";
const tools = process.env.TOOLS_DIR ?? resolve(import.meta.dirname, "..", ".tools");
const { minify } = createRequire(join(tools, "terser", "package.json"))("terser");

let before = 0;
let after = 0;
for (const name of readdirSync(dir).filter((f) => f.endsWith(".js") && f !== "sw.js")) {
  const file = join(dir, name);
  const code = readFileSync(file, "utf8");
  // ES modules (wasm-bindgen's `web` target, module workers) may have their top level renamed;
  // classic scripts (`no-modules`) define globals, which must keep their names.
  const module = /^\s*(import|export)\b/m.test(code) || code.includes("import.meta");
  const out = await minify(code, { module, ecma: 2020, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  writeFileSync(file, out.code);
  before += code.length;
  after += out.code.length;
}
console.log(`minify: JavaScript in ${dir} ${before} → ${after} bytes`);
