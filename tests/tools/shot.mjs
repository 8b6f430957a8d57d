// Takes a screenshot of the built site for looking at it by hand:
//   node tests/tools/shot.mjs [preset-id] [out.png] [width] [dpr] [query]
import { serve, launch, newPage, LabPage } from "../e2e/support.js";

const [preset = "", out = "tests/artifacts/shot.png", width = "1280", dpr = "1", query = ""] = process.argv.slice(2);
const server = await serve();
const browser = await launch();
try {
  const page = await newPage(browser, { viewport: { width: Number(width), height: 900 }, deviceScaleFactor: Number(dpr) });
  const lab = new LabPage(page);
  await lab.open(`${server.origin}/${query}`);
  if (preset) {
    await lab.byTestId("preset-picker").selectOption(preset);
    await lab.waitForCharts();
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  }
  await page.screenshot({ path: out, fullPage: true });
  console.log(`${out}: ${await lab.text("timing")}`);
  if (lab.consoleErrors.length) console.log("console:", lab.consoleErrors);
} finally {
  await browser.close();
  await server.close();
}
