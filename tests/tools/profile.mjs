// CPU profile of the main thread (CDP Profiler) while dragging a replay slider, on a build with names:
//   trunk build --release --public-url ./ --dist /tmp/x/dist-prof index-prof.html (data-keep-debug)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { launch, LabPage, track } from "../e2e/support.js";
const DIST = process.env.DIST ?? "/tmp/x/dist-prof";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
const server = createServer(async (req, res) => {
  let p = new URL(req.url, "http://x").pathname;
  if (p.endsWith("/")) p += "index.html";
  try { const b = await readFile(join(DIST, p)); res.writeHead(200, { "content-type": TYPES[extname(p)] ?? "application/octet-stream" }); res.end(b); }
  catch { res.writeHead(404); res.end(); }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
const lab = new LabPage(page);
const mode = process.argv[2] ?? "drag";
// `sweep N`: an N × N phase diagram (default 16).
const res = Number(process.argv[3] ?? 16);
await lab.open(mode === "drag" ? `${origin}/?v=2&p=as-it-happened#lab` : `${origin}/?v=2&p=failover#explore`);
const cdp = await page.context().newCDPSession(page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
if (mode !== "drag") {
  await page.waitForSelector('[data-testid="chart-recovery-curve"][data-complete="true"]', { timeout: 120000 });
  await lab.byTestId("sweep-resolution").selectOption(String(res));
}
await cdp.send("Profiler.start");
if (mode === "drag") {
  await lab.byTestId("slider-pool").evaluate(async (el) => {
    for (let i = 0; i < 40; i++) {
      el.value = String(6 + (i % 12));
      el.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((ok) => requestAnimationFrame(ok));
    }
  });
  await lab.settled();
} else {
  await lab.byTestId("sweep-start").click();
  await page.waitForFunction((n) => { const p = document.querySelector('[data-testid="sweep-progress"]'); return Number(p.value) === Number(p.max) && Number(p.max) === n * n; }, res, { timeout: 120000 });
}
const { profile } = await cdp.send("Profiler.stop");
const wall = (profile.endTime - profile.startTime) / 1000;
await browser.close(); server.close();
// Self time and total (inclusive) time per function.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map(); const total = new Map();
const dt = profile.timeDeltas;
profile.samples.forEach((id, i) => {
  const ms = (dt[i + 1] ?? dt[i]) / 1000;
  const name = (n) => `${n.callFrame.functionName || "(anon)"}`;
  self.set(name(byId.get(id)), (self.get(name(byId.get(id))) ?? 0) + ms);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const nm = name(byId.get(cur));
    if (!seen.has(nm)) { seen.add(nm); total.set(nm, (total.get(nm) ?? 0) + ms); }
  }
});
const top = (m, k) => [...m.entries()].filter(([n]) => !/^\((idle|program|root|garbage collector)\)$/.test(n)).sort((a, b) => b[1] - a[1]).slice(0, k);
const busy = [...self.entries()].filter(([n]) => !/^\((idle|program|root)\)$/.test(n)).reduce((a, [, ms]) => a + ms, 0);
console.log(`main thread busy ${busy.toFixed(0)} ms of ${wall.toFixed(0)} ms (${((100 * busy) / wall).toFixed(1)}%)`);
console.log("SELF"); for (const [n, ms] of top(self, 25)) console.log(ms.toFixed(1).padStart(8), n.slice(0, 140));
console.log("TOTAL"); for (const [n, ms] of top(total, 45)) console.log(ms.toFixed(1).padStart(8), n.slice(0, 140));
