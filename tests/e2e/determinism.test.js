// The same parameters and seed give the same trace natively and in the browser's wasm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { LabPage, harness, newPage } from "./support.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function nativeDigest(json) {
  const r = spawnSync("cargo", ["run", "--release", "-q", "-p", "sim-core", "--example", "digest", "--", json], {
    cwd: ROOT,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

const h = harness();

const CASES = {
  defaults: "",
  "breaker, full jitter, seed 7": JSON.stringify({ seed: 7, client: { jitter: 1.0 }, breaker: { enabled: true } }),
  "decorrelated backoff, fail-fast Redis": JSON.stringify({
    seed: 42,
    client: { backoff: "decorrelated", jitter: 0.5 },
    redis: { failure_mode: "fail_fast" },
    faults: [{ kind: "redis_failover", start_s: 30, duration_s: 200 }],
  }),
};

test("native and wasm runs give identical trace digests", async () => {
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  for (const [name, json] of Object.entries(CASES)) {
    const wasm = await lab.page.evaluate((j) => window.wasmBindings.trace_digest(j), json);
    const native = nativeDigest(json);
    assert.match(native, /^[0-9a-f]{16}$/);
    assert.equal(wasm, native, name);
  }
  // Different parameters really do give different digests.
  const a = await lab.page.evaluate(() => window.wasmBindings.trace_digest(""));
  const b = await lab.page.evaluate(() => window.wasmBindings.trace_digest('{"seed": 2}'));
  assert.notEqual(a, b);
});

test("300 random parameter sets give the same digests in wasm as natively (fixture from sim-core/tests/digests.rs)", async () => {
  const { readFileSync } = await import("node:fs");
  const text = readFileSync(new URL("./fixtures/random-digests.json", import.meta.url), "utf8");
  // Cut each line's params out as text: seeds above 2^53 would not survive JSON.parse in JavaScript.
  const cases = text
    .split("\n")
    .filter((l) => l.startsWith('{"params":'))
    .map((l) => {
      const at = l.lastIndexOf(',"digest":"');
      return { params: l.slice('{"params":'.length, at), digest: l.slice(at + ',"digest":"'.length, at + ',"digest":"'.length + 16) };
    });
  assert.equal(cases.length, 300);
  const lab = new LabPage(await newPage(h.browser));
  await lab.open(`${h.server.origin}/`);
  const t0 = Date.now();
  const mismatches = await lab.page.evaluate((cs) => {
    const out = [];
    cs.forEach((c, i) => {
      const got = window.wasmBindings.trace_digest(c.params);
      if (got !== c.digest) out.push(`#${i}: wasm ${got}, native ${c.digest}`);
    });
    return out;
  }, cases);
  console.log(`determinism: 300 random runs in wasm in ${Date.now() - t0} ms, ${mismatches.length} mismatches`);
  assert.deepEqual(mismatches, []);
});
