// Measures slider-to-redraw time in headless Chromium: builds nothing, serves dist/, moves the
// failover slider through a range of values and reads the page's own timing line (input event to
// the end of the last chart redraw, and the simulation's share). Prints figures; asserts nothing.
//
//   node tests/bench/redraw.mjs [--moves N]
import { spawnSync } from "node:child_process";
import { serve, launch, newPage, LabPage } from "../e2e/support.js";

const moves = Number(process.argv[process.argv.indexOf("--moves") + 1]) || 40;
const server = await serve();
const browser = await launch();
try {
  // Moves a slider `moves` times and reads the page's timing line after each move; the first
  // `warmup` moves let the wasm tiers warm up and are not counted.
  const measure = async (lab, id, values, warmup) => {
    const sims = [];
    const redraws = [];
    for (const [i, value] of values.entries()) {
      await lab.setSlider(id, value);
      const line = await lab.text("timing");
      const sim = /events in ([\d.]+) ms/.exec(line);
      const redraw = /redraw ([\d.]+) ms/.exec(line);
      if (i >= warmup && sim && redraw) {
        sims.push(parseFloat(sim[1]));
        redraws.push(parseFloat(redraw[1]));
      }
    }
    return { sims, redraws };
  };
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return `median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms`;
  };

  const lab = new LabPage(await newPage(browser));
  await lab.open(`${server.origin}/`);
  // 0–300 s in a scrambled order.
  const d = await measure(lab, "failover", [...Array(moves).keys()].map((i) => 5 * ((i * 7) % 61)), 5);
  const charts = await lab.page.locator("figure.chart-card:not(.hidden)").count();
  console.log(`slider moves measured: ${d.sims.length} (after 5 warm-up moves), default scenario, ${charts} charts on show`);
  console.log(`simulation in wasm:      ${stats(d.sims)}`);
  console.log(`input event to redrawn:  ${stats(d.redraws)}`);

  // The 4.4-hour replay: every subsystem on, ten charts.
  const replay = new LabPage(await newPage(browser));
  await replay.open(`${server.origin}/?p=as-it-happened`);
  const r = await measure(replay, "pool", [...Array(12).keys()].map((i) => 8 + (i % 5)), 2);
  console.log(`replay (as-it-happened), ${r.sims.length} moves: simulation ${stats(r.sims)}`);
  console.log(`replay (as-it-happened), ${r.sims.length} moves: input to redrawn ${stats(r.redraws)}`);
  // The default scenario and the replay alone, in wasm, against the same runs natively
  // (sim-core/examples/bench.rs; the replay's parameters as JSON from its `--params`).
  const root = new URL("../..", import.meta.url).pathname;
  const cargo = (...args) =>
    spawnSync("cargo", ["run", "--release", "-q", "-p", "sim-core", "--example", "bench", "--", ...args], { cwd: root, encoding: "utf8" });
  const replayJson = cargo("--params", "as-it-happened").stdout.trim();
  const wasmMs = await lab.page.evaluate(() => window.wasmBindings.bench_run("", 30));
  const wasmReplayMs = await lab.page.evaluate((p) => window.wasmBindings.bench_run(p, 10), replayJson);
  const native = cargo("--runs", "30");
  for (const [name, re, w, n] of [
    ["default scenario", /default.*?median\s+([\d.]+) ms/, wasmMs, 30],
    ["replay (as-it-happened)", /replay.*?median\s+([\d.]+) ms/, wasmReplayMs, 10],
  ]) {
    const m = re.exec(native.stdout ?? "");
    if (m) {
      const nativeMs = parseFloat(m[1]);
      console.log(`${name}: wasm median of ${n} runs ${w.toFixed(2)} ms, native ${nativeMs.toFixed(2)} ms  (wasm / native = ${(w / nativeMs).toFixed(2)})`);
    } else {
      console.log(`native benchmark did not run: ${native.stderr}`);
    }
  }
} finally {
  await browser.close();
  await server.close();
}
