// Records a Chromium trace while dragging a replay slider and lists main-thread tasks over 40 ms
// with what ran inside them.
import { serve, launch, newPage, LabPage } from "../e2e/support.js";
import { readFileSync } from "node:fs";
const server = await serve();
const browser = await launch();
const page = await newPage(browser);
const lab = new LabPage(page);
const mode = process.argv[2] ?? "drag";
if (mode === "drag") {
  await lab.open(`${server.origin}/?v=2&p=as-it-happened#lab`);
} else {
  await lab.open(`${server.origin}/?v=2&p=failover#explore`);
  await page.waitForSelector('[data-testid="chart-recovery-curve"][data-complete="true"]', { timeout: 120000 });
  await lab.byTestId("sweep-resolution").selectOption("16");
}
await browser.startTracing(page, { path: "/tmp/x/trace.json", categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink.user_timing"] });
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
  await page.waitForFunction(() => { const p = document.querySelector('[data-testid="sweep-progress"]'); return Number(p.value) === Number(p.max) && Number(p.max) === 256; }, null, { timeout: 120000 });
}
await browser.stopTracing();
await browser.close(); await server.close();
const ev = JSON.parse(readFileSync("/tmp/x/trace.json", "utf8")).traceEvents;
const main = ev.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`);
const onMain = (e) => main.includes(`${e.pid}:${e.tid}`);
const tasks = ev.filter((e) => onMain(e) && e.name === "RunTask" && e.dur > 40000).sort((a, b) => b.dur - a.dur).slice(0, 8);
for (const t of tasks) {
  const inside = ev.filter((e) => onMain(e) && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= t.ts + t.dur && e.dur > 3000 && e.name !== "RunTask");
  console.log(`task ${(t.dur / 1000).toFixed(0)} ms:`, inside.map((e) => `${e.name}${e.args?.data?.type ? "(" + e.args.data.type + ")" : ""}${e.args?.data?.functionName ? "[" + e.args.data.functionName + "]" : ""} ${(e.dur / 1000).toFixed(1)}`).slice(0, 12).join(" | "));
}
