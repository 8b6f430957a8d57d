// The worker pool alone, without the page: the 32 × 32 phase-diagram grid of the core cascade
// (failover 0–600 s × offered load 1–40/s, one seed per cell, each cell its own job, two jobs in
// flight per worker), in headless Chromium on the release build in dist/ (or $DIST). Prints the wall
// time and the sum of the cells' run times in the workers: the engine's speed in wasm, apart from
// the page's work. Asserts nothing.
//
//   node tests/bench/workers.mjs [--workers N]
import { execFileSync } from "node:child_process";
import { serve, launch, newPage } from "../e2e/support.js";

const i = process.argv.indexOf("--workers");
const workers = i > 0 ? Number(process.argv[i + 1]) : 2;
const base = JSON.parse(
  execFileSync("cargo", ["run", "--quiet", "--release", "-p", "sim-core", "--example", "bench", "--", "--params", "failover"], {
    encoding: "utf8",
  }),
);
const server = await serve();
const browser = await launch();
try {
  const page = await newPage(browser);
  await page.goto(`${server.origin}/cascade-worker_loader.js`);
  const res = await page.evaluate(
    async ({ base, workers }) => {
      const jobs = [];
      for (let i = 0; i < 32; i++) {
        for (let j = 0; j < 32; j++) {
          const p = structuredClone(base);
          p.faults[0].duration_s = (i * 600) / 31;
          p.traffic.rate_per_s = 1 + (j * 39) / 31;
          jobs.push(p);
        }
      }
      const pool = await Promise.all(
        [...Array(workers)].map(
          () =>
            new Promise((ok) => {
              const w = new Worker("./cascade-worker_loader.js", { type: "module" });
              w.onmessage = (e) => e.data === "ready" && ok(w);
            }),
        ),
      );
      let sum = 0;
      let next = 0;
      let done = 0;
      const t0 = performance.now();
      await new Promise((finished) => {
        const feed = (w) => {
          if (next < jobs.length) {
            const id = next++;
            w.postMessage(JSON.stringify({ id, job: { summary: { params: jobs[id] } } }));
          }
        };
        for (const w of pool) {
          w.onmessage = (e) => {
            sum += JSON.parse(e.data).elapsed_ms;
            if (++done === jobs.length) finished();
            else feed(w);
          };
          feed(w);
          feed(w);
        }
      });
      return { wall: performance.now() - t0, sum };
    },
    { base, workers },
  );
  console.log(`1024 cells in ${workers} workers: ${(res.wall / 1000).toFixed(2)} s wall, ${(res.sum / 1000).toFixed(2)} s of runs in the workers`);
} finally {
  await browser.close();
  await server.close();
}
