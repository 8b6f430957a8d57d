// The page as a guest on any host: its Content-Security-Policy allows only its own origin and the
// page works under it; a panic shows a panel instead of a dead page; the embed is safe inside a
// sandboxed iframe and ignores messages; hand-edited input is clamped or refused with a message.
// Every test here (as in every file) also fails on a CSP violation or a request to another host
// (see `track` in support.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, DIST, LabPage, harness, liveMounted, newPage } from "./support.js";

const BLOG = `<!doctype html><html><head><title>A blog post</title></head><body>
<h1>Why retries can keep an outage going</h1>
<p>Move the slider:</p>
<iframe id="lab" sandbox="allow-scripts allow-same-origin" src="/?embed=1&charts=failure-rate&knobs=failover,breaker"
  style="width:100%;max-width:640px;height:520px;border:0" title="Cascade Lab"></iframe>
<script>
  window.heights = [];
  addEventListener("message", (e) => { if (e.data && e.data.type === "cascade-lab:height") window.heights.push(e.data.height); });
</script>
</body></html>`;

const h = harness({ "/sandboxed.html": BLOG });

async function frames(page) {
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

test("the built page carries a Content-Security-Policy of its own origin, and the page works under it", async () => {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/);
  assert.ok(meta, "the policy is in index.html");
  const policy = meta[1];
  for (const d of ["default-src 'self'", "style-src 'self'", "connect-src 'self'", "worker-src 'self'", "object-src 'none'"]) {
    assert.ok(policy.includes(d), d);
  }
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
  assert.doesNotMatch(policy.replace("style-src-attr 'unsafe-inline'", ""), /unsafe-inline|https?:|\*/, "no inline code, no other host");
  assert.ok(html.indexOf("Content-Security-Policy") < html.indexOf("<script"), "before any script");
  assert.doesNotMatch(html, /\son[a-z]+="/i, "no inline event handlers");

  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  await lab.setSlider("failover", 30);
  await lab.page.locator("#retry-storm").scrollIntoViewIfNeeded();
  await lab.page.locator('#retry-storm [data-testid="peak-failure"]').first().waitFor();
  assert.deepEqual(lab.consoleErrors, []);
});

test("the policy is enforced: injected inline code does not run", async () => {
  // An untracked page: this test provokes a violation on purpose.
  const context = await h.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${h.server.origin}/`);
  await liveMounted(page); // the app running (it starts as a reader nears a widget)
  const result = await page.evaluate(
    () =>
      new Promise((ok) => {
        document.addEventListener("securitypolicyviolation", (e) => ok(`blocked: ${e.violatedDirective}`), { once: true });
        const s = document.createElement("script");
        s.textContent = "window.injected = true;";
        document.body.append(s);
        setTimeout(() => ok(window.injected ? "ran" : "silent"), 1000);
      }),
  );
  assert.match(result, /^blocked: script-src/);
  assert.equal(await page.evaluate(() => window.injected === true), false);
  await context.close();
});

test("a panic shows a panel saying what happened, and reset brings back the default scenario", async () => {
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/cascade/?p=failover&db.pool_size=12`);
  await page.evaluate(() => {
    try {
      window.wasmBindings.test_panic();
    } catch {
      /* the wasm traps after the hook ran */
    }
  });
  const panel = page.locator('[data-testid="crash-panel"]');
  await panel.waitFor();
  assert.match(await panel.textContent(), /Something went wrong/);
  assert.match(await panel.textContent(), /test panic requested/);
  await page.screenshot({ path: join(ARTIFACTS, "crash-panel.png") });
  await page.locator('[data-testid="crash-reset"]').click();
  await page.waitForURL(/\/cascade\/(\?.*)?$/);
  await lab.waitForCharts();
  assert.equal(await page.locator('[data-testid="crash-panel"]').count(), 0);
  assert.equal(await lab.text("value-pool"), "40", "the default scenario");
  await context.close();
});

test("the embed works in a sandboxed iframe, posts its height only to its parent, and ignores messages", async () => {
  const page = await newPage(h.browser, { viewport: { width: 800, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${h.server.origin}/sandboxed.html`);
  const embed = page.frameLocator("#lab");
  await embed.locator('[data-testid="recovery-time"]').waitFor();
  await page.waitForFunction(() => window.heights.length > 0);
  const before = await embed.locator('[data-testid="recovery-time"]').textContent();
  // Messages of every shape, from the host page: none changes the widget.
  await page.evaluate(() => {
    const w = document.querySelector("#lab").contentWindow;
    for (const m of [
      "set faults[0].duration_s=10",
      { type: "cascade-lab:set", path: "faults[0].duration_s", value: 10 },
      { type: "cascade-lab:height", height: -1 },
      null,
      12,
      { __proto__: { polluted: true } },
    ]) {
      w.postMessage(m, "*");
    }
  });
  await frames(page);
  await page.waitForTimeout(200);
  assert.equal(await embed.locator('[data-testid="recovery-time"]').textContent(), before);
  // The reader's own hands still work.
  await embed.locator('[data-testid="slider-failover"]').evaluate((el) => {
    el.value = "10";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.waitForFunction(
    (b) => document.querySelector("#lab").contentDocument.querySelector('[data-testid="recovery-time"]').textContent !== b,
    before,
  );
  assert.ok((await page.evaluate(() => window.heights)).every((x) => Number.isFinite(x) && x > 100));
  assert.deepEqual(errors, []);
});

test("a slider given a value it cannot take is clamped, and the page keeps working", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  for (const v of ["-50", "1e12", "abc", "", "NaN"]) {
    await lab.setSlider("pool", v);
    const shown = await lab.text("value-pool");
    assert.match(shown, /^\d+$/, `${v} shows ${shown}`);
    const n = Number(shown);
    assert.ok(n >= 1 && n <= 120, `${v} → ${n}`);
  }
  assert.match(await lab.text("peak-failure"), /%$/);
  assert.deepEqual(lab.consoleErrors, []);
});
