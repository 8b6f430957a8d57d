import { serve, launch, LabPage } from "../e2e/support.js";
const srv = await serve();
const browser = await launch();
const out = "/work/shots8";
// 1. The diagram while its worker is held.
{
  const ctx = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, serviceWorkers: "block" });
  const page = await ctx.newPage();
  let release; const held = new Promise((ok) => (release = ok));
  await page.route(/cascade-worker/, async (r) => { await held; await r.continue(); });
  await page.goto(srv.origin + "/");
  await page.waitForTimeout(1500);
  let n = 0;
  for (let y = 0; y < 8000; y += 500) {
    await page.evaluate((y) => window.scrollTo(0, y), y);
    await page.waitForTimeout(150);
    if (await page.locator(".arch-empty").count()) break;
  }
  n = await page.locator('[data-testid="architecture"]').count();
  const idx = await page.evaluate(() => [...document.querySelectorAll('[data-testid="architecture"]')].findIndex((e) => e.querySelector(".arch-empty")));
  console.log("diagrams", n, "waiting one", idx);
  const arch = page.locator('[data-testid="architecture"]').nth(Math.max(idx, 0));
  await arch.scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  const h1 = await arch.evaluate((e) => e.getBoundingClientRect().height);
  const txt = await arch.locator(".arch-empty").textContent().catch(() => "(none)");
  console.log("notes", await arch.evaluate((e) => [e.className, e.querySelector(".arch-notes").getAttribute("style"), e.querySelector(".arch-notes").getBoundingClientRect().height, e.querySelector("svg").getBoundingClientRect().height]));
  await page.screenshot({ path: `${out}/arch-waiting.png` });
  release();
  await page.waitForFunction(() => !document.querySelector(".arch-svg.pending"));
  await page.waitForTimeout(500);
  const h2 = await arch.evaluate((e) => e.getBoundingClientRect().height);
  console.log("notes after", await arch.evaluate((e) => [e.className, e.querySelector(".arch-notes").getAttribute("style"), e.querySelector(".arch-notes").getBoundingClientRect().height, e.querySelector("svg").getBoundingClientRect().height]));
  await arch.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${out}/arch-ready.png` });
  console.log("diagram waiting:", JSON.stringify(txt), "height", h1, "→", h2);
  await ctx.close();
}
// 2. The lab's stuck panel at 375, pinned.
{
  const ctx = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const lab = new LabPage(page);
  await lab.open(srv.origin + "/#lab");
  await lab.byTestId("pin").click();
  await lab.setSlider("failover", 135);
  const main = page.locator(".lab-main");
  console.log("stuck panel height", await main.evaluate((e) => e.getBoundingClientRect().height));
  await lab.byTestId("seeds").scrollIntoViewIfNeeded();
  await lab.byTestId("seeds").focus();
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${out}/lab-pinned.png` });
  const r = await lab.byTestId("seeds").evaluate((e) => e.getBoundingClientRect().top);
  const m = await main.evaluate((e) => e.getBoundingClientRect().bottom);
  console.log("seeds top", r, "panel bottom", m);
  console.log(lab.consoleErrors);
  await ctx.close();
}
await browser.close(); await srv.close();
