// The simulation alone, wasm against native: the default scenario and the replay (as-it-happened),
// each measured `--rounds` times (default 3) in a fresh page after a warm-up, best median kept (the machine is shared,
// so the best is the least disturbed). Twice in wasm: on the page's main thread (the page's own
// build of sim-core, which runs the small runs) and in the simulation worker (which runs the rest),
// timed inside the worker (`elapsed_ms` of its replies). Run scripts/build.sh first. Native figures come from
// sim-core/examples/bench.rs; `--native-opt 3` builds it with sim-core at opt-level 3 whatever the
// release profile says (the reference the wasm is held to).
//   node tests/bench/speed.mjs [--rounds N] [--native-opt LEVEL]
import { spawnSync } from "node:child_process";
import { serve, launch, newPage } from "../e2e/support.js";

const arg = (n, d) => (process.argv.includes(`--${n}`) ? process.argv[process.argv.indexOf(`--${n}`) + 1] : d);
const rounds = Number(arg("rounds", "3"));
const nativeOpt = arg("native-opt", null);
const root = new URL("../..", import.meta.url).pathname;
const cargo = (...args) =>
  spawnSync(
    "cargo",
    ["run", "--release", "-q", ...(nativeOpt ? ["--config", `profile.release.package.sim-core.opt-level=${/^\d$/.test(nativeOpt) ? nativeOpt : `"${nativeOpt}"`}`] : []), "-p", "sim-core", "--example", "bench", "--", ...args],
    { cwd: root, encoding: "utf8" },
  );
const replayJson = cargo("--params", "as-it-happened").stdout.trim();
if (!replayJson.startsWith("{")) throw new Error(`no replay parameters: ${replayJson}`);

const server = await serve();
const browser = await launch();
const wasm = { default: [], replay: [] };
const worker = { default: [], replay: [] };
// Median time of `runs` runs of `params` (JSON) in a fresh simulation worker, after `warm` runs.
const inWorker = (page, params, warm, runs) =>
  page.evaluate(
    async ({ params, warm, runs }) => {
      const w = new Worker("./cascade-worker_loader.js", { type: "module" });
      await new Promise((ok, fail) => {
        w.onmessage = (e) => e.data === "ready" && ok();
        w.onerror = (e) => fail(new Error(`worker: ${e.message}`));
      });
      const times = [];
      for (let id = 1; id <= warm + runs; id++) {
        const reply = await new Promise((ok) => {
          w.onmessage = (e) => ok(JSON.parse(e.data));
          w.postMessage(`{"id":${id},"job":{"summary":{"params":${params}}}}`);
        });
        if (!("Ok" in reply.result)) throw new Error(JSON.stringify(reply.result));
        if (id > warm) times.push(reply.elapsed_ms);
      }
      w.terminate();
      times.sort((a, b) => a - b);
      return times[times.length >> 1];
    },
    { params, warm, runs },
  );
try {
  for (let r = 0; r < rounds; r++) {
    const page = await newPage(browser);
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => window.wasmBindings?.bench_run);
    // Warm-up: V8 compiles the wasm with its baseline tier first and optimises hot functions later.
    await page.evaluate((p) => (window.wasmBindings.bench_run("", 40), window.wasmBindings.bench_run(p, 5)), replayJson);
    wasm.default.push(await page.evaluate(() => window.wasmBindings.bench_run("", 30)));
    wasm.replay.push(await page.evaluate((p) => window.wasmBindings.bench_run(p, 10), replayJson));
    worker.default.push(await inWorker(page, "{}", 40, 30));
    worker.replay.push(await inWorker(page, replayJson, 5, 10));
    await page.context().close();
  }
} finally {
  await browser.close();
  await server.close();
}
const native = { default: [], replay: [] };
for (let r = 0; r < rounds; r++) {
  const out = cargo("--runs", "30").stdout;
  native.default.push(parseFloat(/default.*?median\s+([\d.]+) ms/.exec(out)[1]));
  native.replay.push(parseFloat(/replay.*?median\s+([\d.]+) ms/.exec(out)[1]));
}
for (const k of ["default", "replay"]) {
  const w = Math.min(...wasm[k]);
  const n = Math.min(...native[k]);
  const v = Math.min(...worker[k]);
  console.log(`${k.padEnd(8)} main thread ${w.toFixed(2)} ms  worker ${v.toFixed(2)} ms  native${nativeOpt ? ` (sim-core opt-level ${nativeOpt})` : ""} ${n.toFixed(2)} ms  wasm/native: main thread ${(w / n).toFixed(2)}, worker ${(v / n).toFixed(2)}   [main ${wasm[k].map((x) => x.toFixed(1)).join(", ")}; worker ${worker[k].map((x) => x.toFixed(1)).join(", ")}; native ${native[k].map((x) => x.toFixed(1)).join(", ")}]`);
}
