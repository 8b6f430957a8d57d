// Comparing runs: the engine in workers, a pinned run, several seeds, the recovery curve and the
// phase diagram — and that the page's figures equal the command line's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ARTIFACTS, LabPage, harness, newPage } from "./support.js";

const h = harness();

/// Runs the `cascade` CLI (built by the native tests) and returns its standard output.
function cascade(args) {
  const r = spawnSync("cargo", ["run", "--release", "-q", "-p", "cascade", "--", ...args], {
    cwd: join(import.meta.dirname, "..", ".."),
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

async function status(page) {
  return JSON.parse(await page.evaluate(() => window.wasmBindings.pool_status()));
}

test("large runs go to the worker pool; a failed worker is replaced and said so", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/cascade/?v=2&p=as-it-happened#lab`);
  await lab.settled();
  assert.match(await lab.text("timing"), /in a background worker/);
  const s = await status(lab.page);
  assert.ok(s.workers >= 1 && s.workers <= 8, JSON.stringify(s));
  assert.equal(s.main_thread, null);
  await lab.page.evaluate(() => window.wasmBindings.test_worker_failure());
  await lab.byTestId("worker-notice").waitFor();
  assert.match(await lab.text("worker-notice"), /worker failed .*a new one has taken its place/s);
  // The page goes on: a slider still gives a new run from the pool.
  const before = await lab.peakFailure();
  await lab.setSlider("pool", 400);
  await lab.page.waitForFunction(() => JSON.parse(window.wasmBindings.pool_status()).ready >= 1);
  assert.notEqual(await lab.text("timing"), "");
  assert.ok(Number.isFinite(before));
  assert.deepEqual(lab.consoleErrors.filter((e) => !/simulation worker failed/.test(e)), []);
});

test("a pinned run is overlaid, its differences shown, and it travels in the link", async () => {
  const page = await newPage(h.browser);
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/#lab`);
  await lab.byTestId("pin").click();
  await lab.byTestId("toggle-breaker").check();
  await lab.settled();
  assert.match(await lab.text("delta-recovery"), /recovers now/);
  assert.match(await lab.text("delta-lost"), /^−/);
  const legend = await lab.byTestId("card-failure-rate").locator(".legend").textContent();
  assert.match(legend, /pinned: failure rate/);
  await page.waitForURL(/pin=breaker\.enabled%3Dfalse/);
  const url = page.url();
  // The same link, opened fresh: before and after in one URL.
  const other = new LabPage(await newPage(h.browser));
  await other.open(url);
  await other.byTestId("pin-deltas").waitFor();
  assert.equal(await other.text("delta-recovery"), await lab.text("delta-recovery"));
  assert.equal(await other.text("delta-peak"), await lab.text("delta-peak"));
  await other.byTestId("unpin").click();
  assert.equal(await other.byTestId("pin-deltas").count(), 0);
  await other.page.waitForURL((u) => !/pin=/.test(u.href));
  await other.byTestId("lab").screenshot({ path: join(ARTIFACTS, "compare-unpinned.png") });
  // What the differences are between is said when it is not obvious.
  assert.equal(await lab.byTestId("pin-note").count(), 0, "same scenario, one seed: nothing to add");
  await lab.byTestId("seeds").selectOption("5");
  await page.waitForSelector('[data-testid="band-summary"][data-runs="5"]');
  // With several seeds the pinned run is run over as many, and the differences are between medians:
  // the same medians as `cascade sweep --seeds 5 --summary` for each run's parameters.
  await page.waitForSelector('[data-testid="pin-deltas"][data-basis="medians"]');
  assert.match(await lab.text("pin-note"), /between medians over 5 seeds \(seeds 1–5 here, 1–5 for the pinned run\)/);
  const summary = (args) => {
    const [head, row] = cascade(["sweep", "--preset", "failover", ...args, "--seeds", "5", "--summary"]).trim().split("\n").map((l) => l.split(","));
    return Object.fromEntries(head.map((k, i) => [k, row[i]]));
  };
  const pinnedCli = summary([]);
  const nowCli = summary(["--set", "breaker.enabled=true"]);
  const deltas = await lab.byTestId("pin-deltas").evaluate((el) => ({ ...el.dataset }));
  assert.equal(deltas.pinnedPeakMedian, pinnedCli.peak_failure_rate_median);
  assert.equal(deltas.pinnedFailedMedian, pinnedCli.failed_requests_median);
  const band = await lab.byTestId("band-summary").evaluate((el) => ({ ...el.dataset }));
  assert.equal(band.peakMedian, nowCli.peak_failure_rate_median);
  const points = 100 * (Number(nowCli.peak_failure_rate_median) - Number(pinnedCli.peak_failure_rate_median));
  const peakText = await lab.text("delta-peak");
  const shown = peakText === "no change" ? 0 : parseFloat(peakText.replace("−", "-"));
  assert.ok(Math.abs(shown - points) < 0.11, `${peakText} against ${points} points`);
  assert.match(await lab.text("delta-recovery"), /recovers now/);
  await lab.byTestId("lab").screenshot({ path: join(ARTIFACTS, "compare-pinned.png") });
  await lab.byTestId("seeds").selectOption("1");
  await lab.byTestId("preset-picker").selectOption("retry-storm");
  await lab.settled();
  assert.match(await lab.text("pin-note"), /pinned run is from another scenario .*this one is Metastable retry storm/);
});

test("a pin from another scenario: the link names it, and each run's requests are scaled by its own", async () => {
  const page = await newPage(h.browser);
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/#lab`);
  const lostBefore = await lab.text("failed-requests");
  await lab.byTestId("pin").click();
  await lab.byTestId("preset-picker").selectOption("lessons-applied");
  await lab.settled();
  await page.waitForURL(/pin=p%3Dfailover/);
  const lostNow = await lab.text("failed-requests");
  // "28.4 M" → 28,400,000; the difference shown is that of the two figures (the scenarios stand
  // for different numbers of real requests per simulated one).
  const real = (t) => {
    const m = t.replace("−", "-").match(/^(-?[\d.]+)\s*(k|M|G)?/);
    return Number(m[1]) * ({ k: 1e3, M: 1e6, G: 1e9 }[m[2]] ?? 1);
  };
  const delta = real(await lab.text("delta-lost"));
  const expected = real(lostNow) - real(lostBefore);
  assert.ok(Math.abs(delta - expected) <= 0.01 * Math.abs(real(lostBefore)), `Δ ${await lab.text("delta-lost")}: ${lostNow} − ${lostBefore}`);
  assert.match(await lab.text("pin-note"), /pinned run is from another scenario \(The core cascade\); this one is With the lessons applied/);
  const url = page.url();
  assert.ok(url.length < 400, `the link stays short: ${url.length} characters`);
  // Opened fresh, the link says the same.
  const other = new LabPage(await newPage(h.browser));
  await other.open(url);
  await other.byTestId("pin-deltas").waitFor();
  assert.equal(await other.text("pin-note"), await lab.text("pin-note"));
  assert.equal(await other.text("delta-lost"), await lab.text("delta-lost"));
  assert.equal(await other.text("delta-recovery"), await lab.text("delta-recovery"));
  assert.deepEqual([...lab.consoleErrors, ...other.consoleErrors], []);
});

test("Back and Forward bring back the pinned run and the seeds each entry had", async () => {
  const page = await newPage(h.browser);
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/#lab`);
  await lab.byTestId("pin").click();
  await lab.byTestId("pin-deltas").waitFor();
  await lab.byTestId("seeds").selectOption("5");
  await page.waitForSelector('[data-testid="band-summary"][data-runs="5"]');
  await page.waitForURL((u) => /pin=/.test(u.href) && /seeds=5/.test(u.href));
  // A new entry (loading a scenario from the page), then unpin and one seed there.
  await lab.byTestId("load-retry-storm").click();
  await lab.settled();
  await lab.byTestId("unpin").click();
  await lab.byTestId("seeds").selectOption("1");
  await page.waitForURL((u) => !/pin=|seeds=/.test(u.href) && /p=retry-storm/.test(u.href));
  await page.goBack();
  await page.waitForURL((u) => !/p=retry-storm/.test(u.href));
  await lab.byTestId("pin-deltas").waitFor();
  assert.equal(await lab.byTestId("seeds").inputValue(), "5");
  await page.waitForSelector('[data-testid="band-summary"][data-runs="5"]');
  assert.match(page.url(), /pin=/);
  await page.goForward();
  await page.waitForURL(/p=retry-storm/);
  await lab.settled();
  assert.equal(await lab.byTestId("pin-deltas").count(), 0);
  assert.equal(await lab.byTestId("seeds").inputValue(), "1");
  assert.deepEqual(lab.consoleErrors, []);
});

test("five seeds: the band's figures equal cascade sweep --seeds 5 --summary", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/?v=2&p=failover&db.pool_size=60&seeds=5#lab`);
  const band = lab.byTestId("band-summary");
  await lab.page.waitForSelector('[data-testid="band-summary"][data-runs="5"]');
  const page = await band.evaluate((el) => ({ ...el.dataset }));
  const [head, row] = cascade(["sweep", "--preset", "failover", "--set", "db.pool_size=60", "--seeds", "5", "--summary"])
    .trim()
    .split("\n")
    .map((l) => l.split(","));
  const cli = Object.fromEntries(head.map((k, i) => [k, row[i]]));
  assert.equal(page.runs, cli.seeds);
  assert.equal(page.recovered, cli.recovered);
  assert.equal(page.peakMedian, cli.peak_failure_rate_median);
  assert.equal(page.recoveryMedian, cli.recovery_time_s_median);
  assert.equal(page.failedMedian, cli.failed_requests_median);
  assert.equal(page.amplificationMedian, cli.retry_amplification_median);
  assert.equal(page.outageMedian, cli.outage_s_median);
  // Every figure is over the seeds: the median, and the range where the seeds differ.
  const amplification = await lab.text("amplification");
  assert.ok(amplification.startsWith(`${Number(cli.retry_amplification_median).toFixed(2)}×`), amplification);
  if (cli.retry_amplification_p10 !== cli.retry_amplification_p90) assert.match(amplification, /\(.+ – .+\)/);
  assert.doesNotMatch(await lab.text("band-summary"), /recovery did not/);
  assert.match(await lab.text("seeds-verdict"), new RegExp(cli.verdict));
  // The failure-rate chart draws the median and the band.
  const legend = await lab.byTestId("card-failure-rate").locator(".legend").textContent();
  assert.match(legend, /median of 5 seeds/);
  assert.match(legend, /10–90 % of 5 seeds/);
  // The system diagram shows one run, and says so.
  assert.match(await lab.byTestId("architecture").locator("figcaption").textContent(), /one run, seed 1; the figures are medians over 5 seeds/);
});

test("the recovery curve is computed in the workers and moves with the other sliders", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/#explore`);
  const curve = lab.byTestId("chart-recovery-curve");
  await lab.page.waitForSelector('[data-testid="chart-recovery-curve"][data-complete="true"]', { timeout: 60000 });
  const first = await curve.getAttribute("aria-label");
  assert.match(first, /recovers at .* and stops recovering at/);
  const draws = Number(await curve.getAttribute("data-draws"));
  // Less traffic: the system rides out longer failovers, so the tipping point moves right.
  await lab.setSlider("rate", 4);
  await lab.page.waitForFunction(
    (n) => {
      const c = document.querySelector('[data-testid="chart-recovery-curve"]');
      return Number(c.dataset.draws) > n && c.dataset.complete === "true";
    },
    draws,
    { timeout: 60000 },
  );
  assert.notEqual(await curve.getAttribute("aria-label"), first);
});

test("the phase diagram's cells and CSV equal cascade sweep on the same grid", async () => {
  const page = await newPage(h.browser, { acceptDownloads: true });
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/cascade/?v=2&p=failover&sweep=failover,0,240,rate,4,20,3,1,recovery#explore`);
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid="sweep-progress"]');
    return p && Number(p.max) === 9 && Number(p.value) === 9;
  }, null, { timeout: 60000 });
  const cells = await page.$$eval('[data-testid="sweep-cell"]', (els) => els.map((e) => ({ ...e.dataset })));
  assert.equal(cells.length, 9);
  const [download] = await Promise.all([page.waitForEvent("download"), lab.byTestId("sweep-csv").click()]);
  const csv = await (await import("node:fs/promises")).readFile(await download.path(), "utf8");
  const cli = cascade(["sweep", "--preset", "failover", "--vary", "faults[0].duration_s=0.0,120.0,240.0", "--vary", "traffic.rate_per_s=4.0,12.0,20.0"]);
  assert.equal(csv, cli);
  assert.equal(download.suggestedFilename(), "cascade-lab_failover_seed1_phase-diagram_failover-by-rate_3x3_1-seed.csv");
  // The PNG says what it shows above the diagram: a band taller than the canvas on the page.
  const [png] = await Promise.all([page.waitForEvent("download"), lab.byTestId("sweep-png").click()]);
  assert.equal(png.suggestedFilename(), "cascade-lab_failover_seed1_phase-diagram_failover-by-rate_3x3_1-seed.png");
  const bytes = await (await import("node:fs/promises")).readFile(await png.path());
  const canvasHeight = await page.locator('[data-testid="sweep-panel"] canvas').first().evaluate((c) => c.height);
  assert.equal(bytes.subarray(1, 4).toString(), "PNG");
  assert.ok(bytes.readUInt32BE(20) > canvasHeight, `PNG ${bytes.readUInt32BE(20)} px high, canvas ${canvasHeight}`);
  // Each cell's value is its row's recovery time ("none": did not recover).
  const rows = cli.trim().split("\n").slice(1).map((l) => l.split(","));
  const xs = ["0.0", "120.0", "240.0"];
  const ys = ["4.0", "12.0", "20.0"];
  for (const c of cells) {
    const row = rows.find((r) => r[0] === xs[c.x] && r[1] === ys[c.y]);
    assert.equal(c.value, row[4] === "" ? "none" : String(Number(row[4])), JSON.stringify(c));
  }
  // Both kinds of cell are there: the tipping point is on this grid.
  assert.ok(cells.some((c) => c.value === "none") && cells.some((c) => c.value !== "none"));
  // Clicking a cell loads its run into the lab.
  const target = cells.find((c) => c.value === "none" && c.x === "2");
  const before = [await lab.text("value-failover"), await lab.text("value-rate")];
  const cell = page.locator(`[data-testid="sweep-cell"][data-x="${target.x}"][data-y="${target.y}"]`);
  await cell.scrollIntoViewIfNeeded();
  const cellTop = await cell.evaluate((el) => el.getBoundingClientRect().top);
  await cell.click();
  await lab.settled();
  assert.equal(await lab.text("recovery-time"), "did not recover");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "lab-title", "the keyboard follows to the lab");
  // The loaded run is on the grid: the diagram keeps its cells (no new sweep), its mark moves.
  await page.waitForTimeout(1500); // longer than a restart would wait
  const after = await page.$$eval('[data-testid="sweep-cell"]', (els) => els.map((e) => e.dataset.value));
  assert.deepEqual(after, cells.map((c) => c.value));
  assert.equal(await lab.byTestId("sweep-progress").getAttribute("value"), "9");
  // Back returns to the diagram, still filled.
  await page.goBack();
  await page.waitForFunction(() => location.hash === "#explore");
  await lab.settled();
  assert.deepEqual([await lab.text("value-failover"), await lab.text("value-rate")], before, "the lab as it was");
  assert.deepEqual(await page.$$eval('[data-testid="sweep-cell"]', (els) => els.map((e) => e.dataset.value)), after);
  // …where the reader left it, not at the top of Explore.
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  const backTop = await cell.evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(Math.abs(backTop - cellTop) < 50, `the cell was at ${cellTop} px, after Back at ${backTop} px`);
  await lab.byTestId("sweep-panel").screenshot({ path: join(ARTIFACTS, "phase-small.png") });
});

test("on a touch screen a tap reads a cell of the phase diagram and a second tap loads it", async () => {
  const page = await newPage(h.browser, { viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true });
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/?v=2&p=failover&sweep=failover,0,240,rate,4,20,3,1,recovery#explore`);
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid="sweep-progress"]');
    return p && Number(p.max) === 9 && Number(p.value) === 9;
  }, null, { timeout: 60000 });
  const before = [await lab.text("value-failover"), await lab.text("value-rate")];
  const cell = page.locator('[data-testid="sweep-cell"][data-x="2"][data-y="2"]');
  await cell.scrollIntoViewIfNeeded();
  await cell.tap();
  await page.waitForTimeout(500);
  assert.match(await lab.text("sweep-tooltip"), /Redis failover 4 min, Offered load 20\/s.*tap it again to load it into the lab/);
  assert.equal(await page.evaluate(() => location.hash), "#explore", "still at the diagram");
  assert.deepEqual([await lab.text("value-failover"), await lab.text("value-rate")], before, "the lab unchanged");
  await cell.tap();
  await lab.settled();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "lab-title", "the second tap goes to the lab");
  assert.deepEqual([await lab.text("value-failover"), await lab.text("value-rate")], ["4 min", "20/s = 100 k/s"]);
  assert.deepEqual(lab.consoleErrors, []);
});

test("the phase diagram: cancel keeps the cells in; a change to its grid runs it again", async () => {
  const page = await newPage(h.browser);
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/?v=2&p=failover#explore`);
  const progress = lab.byTestId("sweep-progress");
  const value = async () => Number(await progress.getAttribute("value"));
  const filled = () => page.$$eval('[data-testid="sweep-cell"]', (els) => els.filter((e) => e.dataset.value !== "").length);
  await lab.byTestId("sweep-resolution").selectOption("16");
  await lab.byTestId("sweep-seeds").selectOption("5");
  await lab.byTestId("sweep-start").click();
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid="sweep-progress"]');
    return Number(p.max) === 1280 && Number(p.value) >= 40;
  });
  await lab.byTestId("sweep-cancel").click();
  const stoppedAt = await value();
  assert.ok(stoppedAt < 1280, `cancelled at ${stoppedAt}`);
  assert.match(await lab.text("sweep-eta"), new RegExp(`^Cancelled after ${stoppedAt} of 1280 runs$`));
  assert.ok(await lab.byTestId("sweep-cancel").isDisabled());
  await page.waitForTimeout(1000); // runs already in the workers come back, and are not counted
  assert.equal(await value(), stoppedAt);
  const kept = await filled();
  assert.ok(kept > 0, "the cells already in stay");
  // What the cells show is not a new grid: nothing runs.
  await lab.byTestId("sweep-metric").selectOption("peak");
  await page.waitForTimeout(600);
  assert.equal(await value(), stoppedAt);
  assert.equal(await filled(), kept);
  // Run again, then change the grid: it runs again with the new settings, on its own.
  // With other settings a cancelled diagram goes (it no longer shows them), and does not start again.
  await lab.byTestId("sweep-seeds").selectOption("1");
  await lab.byTestId("sweep-resolution").selectOption("4");
  assert.equal(await page.locator('[data-testid="sweep-cell"]').count(), 0);
  await page.waitForTimeout(600);
  assert.equal(await value(), 0);
  assert.equal(await page.locator('[data-testid="sweep-cell"]').count(), 0);
  await lab.byTestId("sweep-start").click();
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid="sweep-progress"]');
    return Number(p.max) === 16 && Number(p.value) === 16;
  });
  await lab.byTestId("sweep-y-to").fill("20");
  await lab.byTestId("sweep-y-to").dispatchEvent("change");
  await page.waitForURL(/sweep=failover,0,240,rate,1,20,4,1,peak/);
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid="sweep-progress"]');
    return Number(p.max) === 16 && Number(p.value) === 16 && /16 runs in/.test(document.querySelector('[data-testid="sweep-eta"]').textContent);
  });
  const ys = await page.$$eval('[data-testid="sweep-cell"]', (els) => [...new Set(els.map((e) => e.getAttribute("aria-label").replace(/^.*Offered load ([^:]+):.*$/, "$1")))]);
  assert.ok(ys.some((y) => /^20\b/.test(y)), `the new range is on the grid: ${ys.join(" | ")}`);
  // A range that runs backwards is refused, and the field shows the range kept.
  await lab.byTestId("sweep-y-from").fill("25");
  await lab.byTestId("sweep-y-from").dispatchEvent("change");
  assert.match(await lab.text("sweep-range-problem"), /"from" must be below "to"/);
  assert.equal(await lab.byTestId("sweep-y-from").inputValue(), "1");
  assert.match(page.url(), /sweep=failover,0,240,rate,1,20,4,1,peak/);
  // The message stays when a change just before it starts the grid again.
  await lab.byTestId("sweep-x-from").fill("30");
  await lab.byTestId("sweep-x-from").dispatchEvent("change");
  await lab.byTestId("sweep-x-to").fill("10");
  await lab.byTestId("sweep-x-to").dispatchEvent("change");
  await page.waitForTimeout(1000);
  assert.match(await lab.text("sweep-range-problem"), /Redis failover: "from" must be below "to"/);
  assert.equal(await lab.byTestId("sweep-x-to").inputValue(), "240");
  await page.waitForURL(/sweep=failover,30,240,rate,1,20,4,1,peak/);
  // A change, then "Run again" at once: the grid runs once (the change's own restart is dropped).
  await lab.byTestId("sweep-resolution").selectOption("8");
  await lab.byTestId("sweep-start").click();
  const first = await page.locator('[data-testid="sweep-cell"]').first().elementHandle();
  await page.waitForTimeout(1000);
  assert.ok(await first.evaluate((el) => el.isConnected), "the diagram was not started a second time");
  assert.deepEqual(lab.consoleErrors, []);
});

test("a bad sweep or seeds setting in a link is named and replaced by the default", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/?v=2&p=failover&seeds=7&sweep=warp,0,1&curve=nope&pin=zzz#lab`);
  const text = await lab.text("link-problems");
  assert.match(text, /pinned run: ignored 'zzz'/);
  // The link opens at the lab: its problems are said there too.
  assert.equal(await lab.text("lab-link-problems"), text);
  assert.match(text, /no run is pinned/);
  assert.equal(await lab.byTestId("unpin").count(), 0, "a pin that could not be read pins nothing");
  assert.match(text, /seeds=7/);
  assert.match(text, /sweep=warp/);
  assert.match(text, /curve=nope/);
  assert.equal(await lab.byTestId("seeds").inputValue(), "1");
});

test("a link that opens at Explore says there what it could not use; an unknown exercise is named", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/?v=2&p=failover&sweep=failover,240,0,rate,1,30,4,1,recovery#explore`);
  const here = lab.page.locator('#explore [data-testid="lab-link-problems"]');
  assert.match(await here.textContent(), /failover range 240–0: the first value must be below the second/);
  assert.equal(await lab.page.locator('#lab > [data-testid="lab-link-problems"]').count(), 0, "said once, where the link opens");
  await lab.open(`${h.server.origin}/?v=2&p=failover&exercise=nope#exercise-nope`);
  assert.match(await lab.text("link-problems"), /no exercise called "nope"/);
  assert.deepEqual(lab.consoleErrors, []);
});
