// The whole incident: presets, subsystem charts, defences, the replay's clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, LabPage, harness, newPage } from "./support.js";

const h = harness();

async function choose(lab, preset) {
  const before = await lab.draws("chart-failure-rate");
  await lab.byTestId("preset-picker").selectOption(preset);
  await lab.page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="chart-failure-rate"]:not([data-testid="chapter"] *)').dataset.draws) > n,
    before,
  );
  await lab.settled();
}

const SUBSYSTEM_CHARTS = ["cache-hit", "connected", "backlog", "replica-lag"];

test("the core cascade hides the subsystems it does not model", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  assert.equal(await lab.byTestId("preset-picker").inputValue(), "failover");
  for (const id of SUBSYSTEM_CHARTS) {
    assert.equal(await lab.byTestId(`card-${id}`).isVisible(), false, id);
  }
  for (const id of ["failure-rate", "causes", "load", "amplification", "pool", "query-latency"]) {
    assert.equal(await lab.byTestId(`card-${id}`).isVisible(), true, id);
  }
});

test("the replay shows every subsystem on the write-up's clock and recovers near 18:53", async () => {
  const lab = new LabPage(await newPage(h.browser, { viewport: { width: 1280, height: 1000 } }));
  await lab.open(`${h.server.origin}/`);
  await choose(lab, "as-it-happened");
  for (const id of SUBSYSTEM_CHARTS) {
    assert.equal(await lab.byTestId(`card-${id}`).isVisible(), true, id);
    assert.ok((await lab.draws(`chart-${id}`)) > 0, `${id} was drawn`);
  }
  assert.match(await lab.text("preset-summary"), /17:30/);
  const recovery = await lab.text("recovery-time");
  assert.match(recovery, /^4 h 1\d min$/, `recovery ${recovery}`);
  assert.match(await lab.text("outage"), /^4 h/);
  const label = await lab.byTestId("chart-failure-rate").getAttribute("aria-label");
  assert.match(label, /^Failure rate of API attempts over 4 h 50 min\. failure rate peaks at 100\.0% \(14:3\d\)\.$/, label);
  const lag = await lab.byTestId("chart-replica-lag").getAttribute("aria-label");
  assert.match(lag, /^Replica lag over 4 h 50 min\. replication lag peaks at 1\d\d s/, lag);
  await lab.page.screenshot({ path: join(ARTIFACTS, "replay.png"), fullPage: true });

  // Without the operators it never recovers.
  await lab.page.locator("summary", { hasText: "Operator actions" }).click();
  const before = await lab.draws("chart-failure-rate");
  await lab.byTestId("toggle-operators").uncheck();
  await lab.page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="chart-failure-rate"]:not([data-testid="chapter"] *)').dataset.draws) > n,
    before,
  );
  await lab.settled();
  assert.equal(await lab.text("recovery-time"), "did not recover");
  assert.deepEqual(lab.consoleErrors, []);
});

test("each defence switch changes the outcome of the retry storm", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  await choose(lab, "retry-storm");
  assert.equal(await lab.text("recovery-time"), "did not recover");
  for (const id of ["breaker", "retry-budget", "shedding"]) {
    await lab.byTestId(`toggle-${id}`).check();
    await lab.settled();
    assert.notEqual(await lab.text("recovery-time"), "did not recover", `${id} rescues it`);
    await lab.byTestId(`toggle-${id}`).uncheck();
    await lab.settled();
    assert.equal(await lab.text("recovery-time"), "did not recover", `${id} off again`);
  }
  assert.deepEqual(lab.consoleErrors, []);
});

test("buttons in the prose load their presets", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  await lab.byTestId("load-reconnect-herd").click();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid="preset-picker"]').value === "reconnect-herd");
  await lab.page.waitForFunction(() => !document.querySelector('[data-testid="card-connected"]:not([data-testid="chapter"] *)').classList.contains("hidden"));
  await lab.page.locator("summary", { hasText: "Subsystems and people" }).click();
  assert.ok(await lab.byTestId("slider-reconnect-jitter").isVisible());
});
