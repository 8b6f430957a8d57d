// Offline: the release build's service worker (dist/sw.js, written by scripts/sw.mjs) precaches every
// file of the build, so after one visit the page loads, simulates and redraws with no network, from
// the root and from a sub-path. A new deploy takes over at the next load, wholly (never a mix of two
// versions), and old caches go. Without service workers the page works as before.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { spawnSync } from "node:child_process";
import { DIST, LabPage, harness, newPage, track } from "./support.js";

const h = harness();

/// Waits until a service worker controls the page; returns its script URL and the page's caches.
async function controlled(page) {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((ok) => navigator.serviceWorker.addEventListener("controllerchange", ok, { once: true }));
    }
    return { script: navigator.serviceWorker.controller.scriptURL, caches: await caches.keys() };
  });
}

/// Moves the failover slider and checks that the lab's failure-rate chart is drawn again, differently.
async function sliderRedraws(lab) {
  const before = await lab.draws("chart-failure-rate");
  const pixels = await lab.canvasPixels("chart-failure-rate");
  await lab.setSlider("failover", 240);
  await lab.page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="chart-failure-rate"]:not([data-testid="chapter"] *)').dataset.draws) > n,
    before,
  );
  assert.notEqual(await lab.canvasPixels("chart-failure-rate"), pixels, "the chart changed");
}

for (const base of ["/", "/cascade/"]) {
  test(`after one visit to ${base}, the page works offline: reload, move a slider, the chart redraws`, async () => {
    const page = await newPage(h.browser);
    const lab = new LabPage(page);
    await lab.open(`${h.server.origin}${base}`);
    const sw = await controlled(page);
    assert.equal(sw.script, `${h.server.origin}${base}sw.js`);
    assert.equal(sw.caches.length, 1, `one cache: ${sw.caches}`);
    assert.match(sw.caches[0], /^cascade-lab-[0-9a-f]{16}$/);

    await page.context().setOffline(true);
    const failed = [];
    const network = [];
    page.on("requestfailed", (r) => failed.push(r.url()));
    page.on("response", (r) => {
      if (!r.fromServiceWorker() && !/^(data|blob):/.test(r.url())) network.push(r.url());
    });
    await page.reload();
    await lab.showLab();
    await lab.byTestId("peak-failure").first().waitFor();
    await lab.waitForCharts();
    await sliderRedraws(lab);
    // A link with the lab's state in its query string opens offline too.
    await page.goto(`${h.server.origin}${base}?v=2&p=as-it-happened`);
    await lab.showLab();
    await lab.waitForCharts();
    assert.equal(await lab.byTestId("preset-picker").inputValue(), "as-it-happened");
    // The replay runs in the simulation worker, whose files came from the cache too.
    await lab.settled();
    assert.match(await lab.text("timing"), /in a background worker/);
    assert.deepEqual(failed, [], "no request failed offline");
    assert.deepEqual(network, [], "every response came from the service worker");
    assert.deepEqual(lab.consoleErrors, []);
    await page.context().close();
  });
}

test("without service workers the page loads, simulates and redraws as before", async () => {
  // A browser that blocks them (as some private windows do), and one that has none at all.
  for (const how of ["blocked", "absent"]) {
    const page = await newPage(h.browser, how === "blocked" ? { serviceWorkers: "block" } : {});
    if (how === "absent") await page.addInitScript(() => delete Navigator.prototype.serviceWorker);
    const lab = new LabPage(page);
    await lab.open(`${h.server.origin}/`);
    await page.evaluate(() => new Promise((ok) => setTimeout(ok, 200)));
    await sliderRedraws(lab);
    assert.equal(await page.evaluate(() => navigator.serviceWorker?.controller ?? null), null);
    const errors = lab.consoleErrors.filter((e) => !/Service Worker registration blocked by Playwright/.test(e));
    assert.deepEqual(errors, [], how);
    assert.equal(await page.evaluate(() => "serviceWorker" in navigator), how === "blocked");
    await page.context().close();
  }
});

/// A host whose site can be swapped for a new deploy: serves `site.dir`, no caching headers.
async function deployable(dir) {
  const site = { dir };
  const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
  const server = createServer((req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      if (path.endsWith("/")) path += "index.html";
      const file = normalize(join(site.dir, path));
      if (!file.startsWith(site.dir)) throw new Error("outside");
      const body = readFileSync(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  site.origin = `http://127.0.0.1:${server.address().port}`;
  site.close = () => new Promise((ok) => server.close(ok));
  return site;
}

test("a new deploy takes over at the next load, wholly, and the old cache is deleted", async () => {
  // Two builds: dist/ as it is, and the same with a marked index.html (a new sw.js, so a new version).
  const tmp = mkdtempSync(join(tmpdir(), "cascade-deploy-"));
  const v1 = join(tmp, "v1");
  const v2 = join(tmp, "v2");
  cpSync(DIST, v1, { recursive: true });
  cpSync(DIST, v2, { recursive: true });
  const index = join(v2, "index.html");
  writeFileSync(index, readFileSync(index, "utf8").replace(/<title>/, '<meta name="cascade-test-deploy" content="2"><title>'));
  const sw = spawnSync("node", [join(import.meta.dirname, "..", "..", "scripts", "sw.mjs"), "write", v2], { encoding: "utf8" });
  assert.equal(sw.status, 0, sw.stderr);
  const site = await deployable(v1);
  try {
    const page = track(await (await h.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage());
    const lab = new LabPage(page);
    const deployed = () => page.evaluate(() => document.querySelector('meta[name="cascade-test-deploy"]') !== null);
    await lab.open(`${site.origin}/`);
    const first = await controlled(page);
    assert.equal(await deployed(), false);

    site.dir = v2;
    // The next load still comes wholly from the first version; the browser fetches the new sw.js
    // and installs the new version beside it, waiting.
    await page.reload();
    await lab.waitForCharts();
    assert.equal(await deployed(), false, "the page from the cache of the first version");
    await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      await reg.update();
      while (!reg.waiting) await new Promise((ok) => setTimeout(ok, 50));
    });
    // The load after that is the new version's, and only the new version's cache is left.
    // (The old version answers the reload with a page that refreshes itself: the new version's page
    // is the second document to load, so wait for it by polling, which outlives a navigation.)
    await page.reload();
    await page.waitForFunction(() => document.querySelector('meta[name="cascade-test-deploy"]') !== null);
    await lab.waitForCharts();
    const second = await controlled(page);
    assert.equal(second.caches.length, 1, `one cache: ${second.caches}`);
    assert.notEqual(second.caches[0], first.caches[0]);
    // And offline it is still the new version.
    await page.context().setOffline(true);
    await page.reload();
    await lab.waitForCharts();
    assert.equal(await deployed(), true);
    await sliderRedraws(lab);
    assert.deepEqual(lab.consoleErrors, []);
    await page.context().close();
  } finally {
    await site.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});
