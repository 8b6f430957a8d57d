import { serve, launch, LabPage } from "../e2e/support.js";
const srv = await serve();
const browser = await launch();
const out = "/work/shots8";
for (const pinned of [false, true]) {
  const ctx = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const lab = new LabPage(page);
  await lab.open(srv.origin + "/?p=as-it-happened#lab");
  if (pinned) await lab.byTestId("pin").click();
  await lab.setSlider("failover", 400);
  await lab.byTestId("slider-failover").focus();
  await page.keyboard.press("ArrowRight");
  await lab.settled();
  await page.waitForTimeout(400);
  const main = page.locator(".lab-main");
  const box = await main.evaluate((e) => e.getBoundingClientRect().toJSON());
  const ctl = await lab.byTestId("slider-failover").evaluate((e) => e.getBoundingClientRect().toJSON());
  console.log(pinned ? "pinned" : "one run", "panel", Math.round(box.top), Math.round(box.bottom), "slider top", Math.round(ctl.top), "--stuck-height", await page.evaluate(() => getComputedStyle(document.querySelector(".lab-grid")).getPropertyValue("--stuck-height")));
  await page.screenshot({ path: `${out}/stuck-${pinned ? "pinned" : "one"}.png` });
  if (pinned) {
    await lab.byTestId("unpin").focus();
    await page.waitForTimeout(300);
    const u = await lab.byTestId("unpin").evaluate((e) => e.getBoundingClientRect().toJSON());
    const b2 = await main.evaluate((e) => e.getBoundingClientRect().toJSON());
    console.log("unpin top", Math.round(u.top), "panel bottom", Math.round(b2.bottom));
  }
  console.log(lab.consoleErrors);
  await ctx.close();
}
await browser.close(); await srv.close();
