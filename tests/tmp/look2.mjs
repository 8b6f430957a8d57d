import { serve, launch, LabPage } from "../e2e/support.js";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const server = await serve();
const browser = await launch();
const out = "/work/shots6";
for (const width of [1280, 375]) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true, deviceScaleFactor: width === 375 ? 2 : 1 });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(e.message));
  const lab = new LabPage(page);
  await lab.open(`${server.origin}/?v=2&p=failover&faults.0.duration_s=120&seeds=20#lab`);
  await page.waitForSelector('[data-testid="band-summary"][data-runs="20"]');
  await lab.byTestId("pin").click();
  await lab.setSlider("failover", 60);
  await lab.settled();
  await page.waitForSelector('[data-testid="pin-deltas"][data-basis="medians"]', { timeout: 60000 });
  await lab.byTestId("pin-bar").screenshot({ path: `${out}/pinbar-${width}.png` });
  await lab.byTestId("lab").screenshot({ path: `${out}/lab-${width}.png` });
  await page.addScriptTag({ path: axePath });
  const r = await page.evaluate(async () => (await axe.run(document, { resultTypes: ["violations"] })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html.slice(0, 200) + " | " + n.failureSummary.slice(0, 300)).join(" || ")}`));
  console.log(width, "axe", JSON.stringify(r), "console", JSON.stringify(errors), await lab.text("pin-note"));
  await context.close();
}
await browser.close();
await server.close();
