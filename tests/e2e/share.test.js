// Share, restore, export and embed, as readers, teachers and bloggers use them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ARTIFACTS, LabPage, harness, holdWasm, newPage } from "./support.js";

const BLOG = `<!doctype html><html><head><title>A post about outages</title><link rel="icon" href="data:,"></head>
<body style="font-family: serif; max-width: 700px; margin: 2rem auto">
<h1>Why retries hurt</h1><p>Move the slider below.</p>
<iframe id="lab" src="/?embed=1&p=failover&charts=failure-rate&knobs=failover,breaker"
  width="640" height="520" style="border:0" title="Cascade Lab"></iframe>
<p>And that is why.</p></body></html>`;

const h = harness({ "/blog.html": BLOG });

const frame = (page) => page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));

test("the state lives in the URL and a reload restores it", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  await lab.setSlider("pool", 12);
  await lab.byTestId("toggle-breaker").check();
  await frame(lab.page);
  // The address follows the lab once it pauses (a drag does not rewrite it on every step).
  await lab.page.waitForURL(/breaker\.enabled=true/);
  const url = lab.page.url();
  assert.match(url, /[?&]p=failover/);
  assert.match(url, /db\.pool_size=12/);
  assert.match(url, /breaker\.enabled=true/);
  const peak = await lab.text("peak-failure");
  const recovery = await lab.text("recovery-time");

  const again = new LabPage(await newPage(h.browser));
  await again.open(url);
  assert.equal(await again.text("value-pool"), "12");
  assert.equal(await again.byTestId("toggle-breaker").isChecked(), true);
  assert.equal(await again.text("peak-failure"), peak);
  assert.equal(await again.text("recovery-time"), recovery);
  assert.equal(await again.byTestId("link-problems").count(), 0);
  assert.deepEqual(again.consoleErrors, []);
});

test("copy link gives a short link that opens the same run", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  await lab.byTestId("preset-picker").selectOption("reconnect-herd");
  await lab.waitForCharts();
  await lab.page.locator("summary", { hasText: "Subsystems and people" }).click();
  await lab.setSlider("reconnect-jitter", 100);
  await lab.byTestId("copy-link").click();
  const link = await lab.byTestId("share-link").inputValue();
  assert.ok(link.length < 160, `${link.length} characters: ${link}`);
  assert.match(link, /p=reconnect-herd/);
  assert.match(link, /gateway\.reconnect_jitter=1/);
  assert.match(link, /#lab$/, "the link opens at the lab");
  const other = new LabPage(await newPage(h.browser));
  await other.open(link);
  assert.equal(await other.byTestId("preset-picker").inputValue(), "reconnect-herd");
  assert.equal(await other.text("recovery-time"), await lab.text("recovery-time"));
});

test("a hand-edited link gets a clear message and safe defaults", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/?p=failover&db.pool_sise=3&client.jitter=0.5&breaker.open_s=lots`);
  const problems = await lab.text("link-problems");
  assert.match(problems, /db\.pool_sise/);
  assert.match(problems, /did you mean db\.pool_size/);
  assert.match(problems, /breaker\.open_s/);
  assert.equal(await lab.text("value-jitter"), "50%", "the good setting applies");
  assert.equal(await lab.text("value-pool"), "40", "the bad one keeps the preset's value");
  assert.deepEqual(lab.consoleErrors, []);

  // A link that cannot run, an unknown preset, garbage: always a working page.
  for (const q of ["?db.pool_size=0", "?p=volcano", "?%%%&&==", "?faults=[{]", "?run.horizon_s=1e12"]) {
    const l = new LabPage(await newPage(h.browser));
    await l.open(`${h.server.origin}/${q}`);
    assert.match(await l.text("peak-failure"), /%$/, q);
    assert.deepEqual(l.consoleErrors, [], q);
  }
  // A value thousands of characters long is quoted short; a misspelt instructor view is named.
  const long = new LabPage(await newPage(h.browser, { viewport: { width: 375, height: 800 } }));
  await long.open(`${h.server.origin}/?p=${"y".repeat(4000)}&instructor=banana`);
  const notice = long.byTestId("link-problems");
  assert.match(await notice.textContent(), /unknown preset 'y{40}…'/);
  assert.match(await notice.textContent(), /only `instructor=1` opens the instructor view, not "banana"/);
  const height = (await notice.boundingBox()).height;
  assert.ok(height < 400, `the notice is ${height} px tall`);
  assert.deepEqual(long.consoleErrors, []);
  // A link made by the first version still works (its one query cost is migrated).
  const old = new LabPage(await newPage(h.browser));
  await old.open(`${h.server.origin}/?v=1&db.query_ms=60`);
  assert.equal(await old.byTestId("link-problems").count(), 0);
});

test("scenario files export and import, naming bad fields and keeping the rest", async () => {
  const page = await newPage(h.browser);
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/`);
  await lab.setSlider("pool", 20);
  const [download] = await Promise.all([page.waitForEvent("download"), lab.byTestId("export-scenario").click()]);
  assert.equal(download.suggestedFilename(), "cascade-lab_failover_seed1_scenario.json");
  const file = join(ARTIFACTS, "scenario.json");
  await download.saveAs(file);
  const scenario = JSON.parse(await readFile(file, "utf8"));
  assert.equal(scenario.version, 1);
  assert.equal(scenario.params.db.pool_size, 20);

  scenario.params.db.pool_size = "lots";
  scenario.params.client.jitter = 0.25;
  scenario.params.mystery = 1;
  const edited = join(ARTIFACTS, "scenario-edited.json");
  await writeFile(edited, JSON.stringify(scenario));
  await lab.page.reload();
  await lab.waitForCharts();
  await lab.byTestId("import-scenario").setInputFiles(edited);
  await lab.byTestId("import-report").waitFor();
  const report = await lab.text("import-report");
  assert.match(report, /db\.pool_size/);
  assert.match(report, /mystery/);
  assert.equal(await lab.text("value-jitter"), "25%");
  assert.equal(await lab.text("value-pool"), "40");

  // Values out of range are put back to the preset's, each named; the rest of the file is kept.
  scenario.params.db.pool_size = 0;
  scenario.params.traffic.rate_per_s = 1e12;
  scenario.params.client.jitter = 0.5;
  delete scenario.params.mystery;
  await writeFile(edited, JSON.stringify(scenario));
  await lab.byTestId("import-scenario").setInputFiles(edited);
  await lab.page.waitForFunction(() => /traffic\.rate_per_s/.test(document.querySelector('[data-testid="import-report"]').textContent));
  const ranged = await lab.text("import-report");
  assert.match(ranged, /db\.pool_size = 0 is out of range.*kept db\.pool_size = 40 instead/s);
  assert.doesNotMatch(ranged, /not loaded/);
  await lab.settled();
  assert.equal(await lab.text("value-jitter"), "50%");
  assert.equal(await lab.text("value-pool"), "40");

  await writeFile(edited, "this is not json");
  await lab.byTestId("import-scenario").setInputFiles(edited);
  await lab.page.waitForFunction(() => /not loaded/.test(document.querySelector('[data-testid="import-report"]').textContent));
  assert.match(await lab.text("import-report"), /not a scenario/);
  assert.deepEqual(lab.consoleErrors, []);
});

test("the series export as CSV and every chart as PNG, with names that say what they are", async () => {
  const page = await newPage(h.browser);
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/?p=as-it-happened`);
  const [csv] = await Promise.all([page.waitForEvent("download"), lab.byTestId("export-csv").click()]);
  assert.equal(csv.suggestedFilename(), "cascade-lab_as-it-happened_seed1_series.csv");
  const text = await readFile(await csv.path(), "utf8");
  const lines = text.trim().split("\n");
  assert.ok(lines[0].startsWith("t_s,clock_utc,arrivals"));
  assert.equal(lines.length, 581);
  for (const id of ["failure-rate", "backlog"]) {
    const [png] = await Promise.all([page.waitForEvent("download"), lab.byTestId(`png-${id}`).click()]);
    assert.equal(png.suggestedFilename(), `cascade-lab_as-it-happened_seed1_${id}.png`);
    const bytes = await readFile(await png.path());
    assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG file");
    assert.ok(bytes.length > 5000, `${id}.png is ${bytes.length} bytes`);
  }
});

test("an embed inside a blog post's iframe can be driven and fits without scrollbars", async () => {
  const page = await newPage(h.browser, { viewport: { width: 900, height: 900 } });
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${h.server.origin}/blog.html`);
  const embed = page.frameLocator("#lab");
  const chart = embed.locator('[data-testid="chart-failure-rate"]');
  await chart.waitFor();
  await page.waitForFunction(() => {
    const c = document.querySelector("#lab").contentDocument.querySelector('[data-testid="chart-failure-rate"]');
    return c && Number(c.dataset.draws) > 0;
  });
  assert.equal(await embed.locator('[data-testid="controls"]').count(), 0, "no full control panel");
  assert.equal(await embed.locator('[data-testid="slider-pool"]').count(), 0, "only the chosen controls");
  assert.equal(await embed.locator('[data-testid="recovery-time"]').textContent(), "did not recover");

  const draws = Number(await chart.getAttribute("data-draws"));
  await embed.locator('[data-testid="slider-failover"]').evaluate((el) => {
    el.value = "10";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.waitForFunction(
    (n) => Number(document.querySelector("#lab").contentDocument.querySelector('[data-testid="chart-failure-rate"]').dataset.draws) > n,
    draws,
  );
  assert.notEqual(await embed.locator('[data-testid="recovery-time"]').textContent(), "did not recover");
  await embed.locator('[data-testid="toggle-breaker"]').check();

  const fit = await page.evaluate(() => {
    const d = document.querySelector("#lab").contentDocument.documentElement;
    return { sh: d.scrollHeight, ch: d.clientHeight, sw: d.scrollWidth, cw: d.clientWidth };
  });
  assert.ok(fit.sw <= fit.cw, `no horizontal scrollbar: ${JSON.stringify(fit)}`);
  assert.ok(fit.sh <= fit.ch, `no vertical scrollbar: ${JSON.stringify(fit)}`);
  const href = await embed.locator('[data-testid="open-full"]').getAttribute("href");
  assert.doesNotMatch(href, /embed=/);
  assert.match(href, /faults\.0\.duration_s=10/);
  assert.match(href, /#lab$/, "the full page opens at the lab");
  await page.screenshot({ path: join(ARTIFACTS, "embed-in-blog.png"), fullPage: true });
  // The frame's own address keeps the embed's keys as it follows the changes, so a reload of the
  // frame (or the browser restoring it) shows the same widget, not the whole site.
  await page.waitForTimeout(600); // the address follows 250 ms after the last change
  const frameUrl = await page.evaluate(() => document.querySelector("#lab").contentWindow.location.search);
  assert.match(frameUrl, /embed=1/);
  assert.match(frameUrl, /charts=failure-rate/);
  assert.match(frameUrl, /knobs=failover,breaker/);
  await page.evaluate(() => document.querySelector("#lab").contentWindow.location.reload());
  await embed.locator('[data-testid="embed"]').waitFor();
  assert.equal(await embed.locator('[data-testid="toc"]').count(), 0, "still the embed after a reload");
  assert.equal(await embed.locator('[data-testid="toggle-breaker"]').isChecked(), true);
  assert.deepEqual(errors, []);
});

test("an embed resizes to a narrow iframe", async () => {
  const page = await newPage(h.browser, { viewport: { width: 360, height: 640 } });
  const lab = new LabPage(page);
  await lab.open(`${h.server.origin}/?embed=1&p=retry-storm&charts=failure-rate,load&knobs=jitter,retry-budget`);
  const size = await lab.canvasSize("chart-failure-rate");
  assert.ok(size.cssWidth <= 360 && size.cssWidth > 300, `${size.cssWidth}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0);
  await page.screenshot({ path: join(ARTIFACTS, "embed-narrow.png"), fullPage: true });
});

test("an embed says which settings of its link it could not use, and which charts it does not know", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/?embed=1&p=failover&faults.0.duration_s=99999&charts=failure-rate,pie&knobs=failover`);
  assert.match(await lab.text("embed-problems"), /faults\.0\.duration_s/);
  assert.match(await lab.text("embed-unknown"), /chart “pie”.* The charts are failure-rate,/);
  assert.equal(await lab.text("value-failover"), "2 min", "the preset's value instead");
  assert.deepEqual(lab.consoleErrors, []);
  // A chart the scenario has nothing for (no queue in the retry storm) is named, not silently dropped.
  await lab.open(`${h.server.origin}/?embed=1&p=retry-storm&charts=failure-rate,backlog&knobs=jitter`);
  assert.match(await lab.text("embed-empty"), /Nothing to show in this scenario: /);
  assert.equal(await lab.byTestId("embed-problems").count(), 0);
  // Controls of faults this scenario does not have are named too.
  await lab.open(`${h.server.origin}/?embed=1&p=failover&charts=failure-rate&knobs=fault-99-duration,fault-0-factor,failover`);
  const absent = await lab.text("embed-absent");
  assert.match(absent, /controls “fault-99-duration”, “fault-0-factor”/);
  assert.doesNotMatch(absent, /“failover”/);
  assert.equal(await lab.byTestId("slider-failover").count(), 1);
});

test("the snippet generator gives iframe code for the current state", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  await lab.setSlider("pool", 16);
  await lab.page.locator("summary", { hasText: "Embed a widget" }).click();
  await lab.byTestId("embed-chart-load").check();
  await lab.byTestId("embed-knob-pool").check();
  const snippet = await lab.byTestId("embed-snippet").inputValue();
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?v=2&amp;p=failover&amp;db\.pool_size=16&amp;embed=1&amp;charts=failure-rate,load&amp;knobs=failover,pool"/);
  assert.match(snippet, /title="Cascade Lab: The core cascade"/);
  // The snippet's address opens the embed.
  const src = snippet.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&");
  const embed = new LabPage(await newPage(h.browser));
  await embed.open(src);
  assert.equal(await embed.byTestId("embed").count(), 1);
  assert.equal(await embed.text("value-pool"), "16");
  // "Copy code" says it copied.
  await lab.page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await lab.byTestId("copy-snippet").click();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid="snippet-copied"]').textContent.includes("Copied"));
  // A chart this scenario has nothing for cannot be ticked, and says why; with no chart ticked there
  // is no code to copy.
  assert.equal(await lab.byTestId("embed-chart-connected").isDisabled(), true);
  assert.match(await lab.byTestId("embed-chart-connected").locator("xpath=..").textContent(), /nothing to show in this scenario/);
  await lab.byTestId("embed-chart-failure-rate").uncheck();
  await lab.byTestId("embed-chart-load").uncheck();
  assert.equal(await lab.byTestId("embed-snippet").inputValue(), "");
  assert.equal(await lab.byTestId("copy-snippet").isDisabled(), true);
  assert.match(await lab.text("embed-none"), /Tick at least one chart/);
  // The tallest widget the builder is asked for here: two charts, three sliders and a switch.
  for (const id of ["embed-chart-amplification", "embed-chart-pool", "embed-knob-jitter", "embed-knob-retry-budget"]) {
    await lab.byTestId(id).check();
  }
  const big = await lab.byTestId("embed-snippet").inputValue();
  assert.match(big, /charts=amplification,pool&amp;knobs=failover,pool,jitter,retry-budget/);

  // Pasted into a post read on a touch phone 320 px wide (a 288 px column, where text wraps most and
  // sliders have step buttons): the iframe's height holds the widget without an inner scrollbar, and
  // with the snippet's script the frame takes the widget's exact height, also after a data table
  // is opened.
  for (const code of [snippet, big]) {
    const [iframe, script] = code.split("\n");
    assert.match(script, /^<script>.*cascade-lab:height.*<\/script>$/);
    for (const [name, body] of [["iframe", iframe], ["script", code]]) {
      const blog = await newPage(h.browser, { viewport: { width: 320, height: 640 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
      await blog.route("**/post.html", (r) =>
        r.fulfill({ contentType: "text/html", body: `<!doctype html><meta name="viewport" content="width=device-width"><body style="margin:16px"><p>A post.</p>${body}</body>` }),
      );
      await blog.goto(`${h.server.origin}/post.html`);
      const frameEl = blog.frameLocator("iframe");
      await frameEl.locator('[data-testid="chart-pool"], [data-testid="chart-load"]').first().waitFor();
      await blog.waitForTimeout(500);
      const fit = () =>
        blog.evaluate(() => {
          const f = document.querySelector("iframe");
          return { content: f.contentDocument.documentElement.scrollHeight, frame: f.clientHeight, width: f.clientWidth, set: f.style.height };
        });
      const before = await fit();
      assert.equal(before.width, 288, JSON.stringify(before));
      assert.ok(before.content <= before.frame, `${name}: no inner scrollbar ${JSON.stringify(before)}`);
      await blog.screenshot({ path: join(ARTIFACTS, `embed-snippet-phone-${name}-${code === big ? "big" : "small"}.png`), fullPage: true });
      if (name === "script") {
        assert.equal(before.set, `${before.content}px`, JSON.stringify(before));
        await frameEl.locator("summary", { hasText: "Data table" }).first().click();
        await blog.waitForFunction((h0) => parseFloat(document.querySelector("iframe").style.height) > h0 + 50, before.content);
        const after = await fit();
        assert.equal(after.set, `${after.content}px`, `the frame follows an opened data table: ${JSON.stringify(after)}`);
      }
    }
  }
});

test("the snippet carries a pinned run and the seeds, not the explore panel's settings", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/?v=2&p=failover&breaker.enabled=true&seeds=5&pin=breaker.enabled%3Dfalse&curve=pool&sweep=failover,0,240,rate,4,20,4,1,recovery#lab`);
  await lab.page.locator("summary", { hasText: "Embed a widget" }).click();
  await lab.byTestId("embed-chart-amplification").check();
  const code = await lab.byTestId("embed-snippet").inputValue();
  const [iframe] = code.split("\n");
  assert.match(iframe, /pin=breaker\.enabled%3Dfalse/);
  assert.match(iframe, /seeds=5/);
  assert.doesNotMatch(iframe, /sweep=|curve=/);
  assert.match(await lab.text("embed-pinned"), /The pinned run comes with it/);
  // On a 320 px touch phone the frame holds the widget with both runs' legends.
  const blog = await newPage(h.browser, { viewport: { width: 320, height: 640 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
  await blog.route("**/post.html", (r) =>
    r.fulfill({ contentType: "text/html", body: `<!doctype html><meta name="viewport" content="width=device-width"><body style="margin:16px"><p>A post.</p>${iframe}</body>` }),
  );
  await blog.goto(`${h.server.origin}/post.html`);
  const frameEl = blog.frameLocator("iframe");
  await frameEl.locator('[data-testid="chart-amplification"]').waitFor();
  await frameEl.locator(".legend .dashed").first().waitFor();
  await blog.waitForFunction(() => !document.querySelector("iframe").contentDocument.querySelector('[data-testid="running"]'));
  await blog.waitForTimeout(500);
  const fit = await blog.evaluate(() => {
    const f = document.querySelector("iframe");
    return { content: f.contentDocument.documentElement.scrollHeight, frame: f.clientHeight };
  });
  assert.ok(fit.content <= fit.frame, `no inner scrollbar with a pinned run: ${JSON.stringify(fit)}`);
  await blog.screenshot({ path: join(ARTIFACTS, "embed-snippet-phone-pinned.png"), fullPage: true });
  assert.deepEqual(lab.consoleErrors, []);
});

test("an embed shows a line, not the whole essay, while its wasm loads", async () => {
  const page = await newPage(h.browser, { viewport: { width: 400, height: 600 } });
  const release = await holdWasm(page);
  const lab = new LabPage(page);
  await page.goto(`${h.server.origin}/?embed=1&p=failover&charts=failure-rate`);
  await page.locator("#embed-loading").waitFor({ state: "visible" });
  assert.equal(await page.locator("#static-page").isVisible(), false, "the essay is hidden");
  assert.match(await page.locator("#embed-loading").textContent(), /Loading the widget/);
  await page.screenshot({ path: join(ARTIFACTS, "embed-loading.png") });
  release();
  await page.locator('[data-testid="embed"]').waitFor();
  assert.equal(await page.locator("#embed-loading").count(), 0);
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains("embed-boot")), false);
  // The full page never shows the line.
  await page.goto(`${h.server.origin}/`);
  assert.equal(await page.locator("#embed-loading").isVisible(), false);
  assert.deepEqual(lab.consoleErrors, []);
});
