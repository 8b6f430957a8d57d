// Shared support for the end-to-end tests: a static file server for dist/, a headless Chromium
// launched from the system's /usr/bin/chromium, and a page object for the lab.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { mkdir } from "node:fs/promises";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

/// The built site: dist/ (or $DIST, e.g. another checkout's build for a before/after benchmark).
export const DIST = process.env.DIST ? resolve(process.env.DIST) : resolve(import.meta.dirname, "..", "..", "dist");
export const ARTIFACTS = resolve(import.meta.dirname, "..", "artifacts");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".png": "image/png",
  ".json": "application/json",
};

/// Serves dist/ at `/` and again under `/cascade/`, so tests can check that a sub-path works.
/// Extra pages (path → HTML) can be served too, e.g. a blog post that embeds the lab.
export async function serve(extra = {}) {
  const server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      if (extra[path]) {
        res.writeHead(200, { "content-type": TYPES[".html"] });
        res.end(extra[path]);
        return;
      }
      if (path.startsWith("/cascade/")) path = path.slice("/cascade".length);
      if (path.endsWith("/")) path += "index.html";
      const file = normalize(join(DIST, path));
      if (!file.startsWith(DIST)) throw new Error("outside dist");
      await stat(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(await readFile(file));
    } catch {
      res.writeHead(404);
      res.end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => server.close(ok)) };
}

/// Headless Chromium from Debian's package, with a fresh temporary profile and no background
/// networking. Returns the browser; `newPage(browser, options)` opens a page in a fresh context.
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

/// Every page the tests open, with what it did that it must not: a Content-Security-Policy
/// violation, or a request to any host but this machine's test server. Checked after each file.
const TRACKED = [];

/// Watches a page (and its frames) for CSP violations and requests that leave the site.
export function track(page) {
  const t = { csp: [], foreign: [], pages: new Set() };
  page.on("console", (m) => {
    if (/Content.Security.Policy/i.test(m.text())) t.csp.push(m.text());
  });
  page.on("framenavigated", (f) => t.pages.add(f.url()));
  page.on("request", (r) => {
    const u = r.url();
    if (/^(data|blob):/.test(u)) return;
    if (new URL(u).hostname !== "127.0.0.1") t.foreign.push(u);
  });
  page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`Content-Security-Policy violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`),
    );
  });
  TRACKED.push(t);
  return page;
}

/// Starts the server and the browser before a test file's tests and stops them after; returns an
/// object whose `server` and `browser` are set once they run. `extra` pages are served too.
export function harness(extra = {}) {
  const h = { server: null, browser: null };
  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    h.server = await serve(extra);
    h.browser = await launch();
  });
  after(async () => {
    await h.browser?.close();
    await h.server?.close();
    const csp = TRACKED.flatMap((t) => t.csp);
    const foreign = TRACKED.flatMap((t) => t.foreign);
    const visited = new Set(TRACKED.flatMap((t) => [...t.pages]));
    if (csp.length || foreign.length) {
      throw new Error(`on the ${visited.size} page states visited: CSP violations ${JSON.stringify(csp)}; requests to other hosts ${JSON.stringify(foreign)}`);
    }
  });
  return h;
}

/// Holds back the page's wasm (the app's and the worker's) until the returned function is called:
/// the page as a reader on a slow connection sees it before the app arrives. (The service worker
/// serves a later load past the route: a page loaded twice needs `serviceWorkers: "block"`.)
export async function holdWasm(page) {
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route(/_bg\.wasm$/, async (r) => {
    await held;
    await r.continue();
  });
  return release;
}

/// A page in a new browser context (viewport 1280×900 at one device pixel per CSS pixel unless
/// `options` says otherwise).
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, ...options });
  return track(await context.newPage());
}

/// Waits until every part of the live page has taken its static twin's place (the app removes the
/// static page's id when the last is in). The page fetches its wasm only once a widget comes within a
/// screen of the window, or at once for a link with a query (scripts/preload.mjs): where it is still
/// waiting, this scrolls to the first widget's place, as a reader would, until the app has started,
/// then back to where the page was.
export async function liveMounted(page) {
  const y = await page.evaluate(() => {
    const first = !window.wasmBindings && !location.search && document.querySelector("#static-page .lazy-placeholder");
    if (!first) return null;
    const y = window.scrollY;
    first.scrollIntoView();
    return y;
  });
  if (y !== null) {
    await page.waitForFunction(() => window.wasmBindings);
    await page.evaluate((y) => window.scrollTo(0, y), y);
  }
  await page.waitForFunction(() => !document.getElementById("static-page") && document.querySelector("main"));
}

/// The lab page, driven through its data-testid locators.
export class LabPage {
  constructor(page) {
    this.page = page;
    this.consoleErrors = [];
    this.requests = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") this.consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => this.consoleErrors.push(`pageerror: ${e.message}`));
    page.on("request", (r) => this.requests.push(r.url()));
  }

  /// An element of the lab (or the embed), not of a chapter's widgets, which reuse the same testids.
  byTestId(id) {
    return this.page.locator(`[data-testid="${id}"]:not([data-testid="chapter"] *)`);
  }

  async open(url) {
    await this.page.goto(url);
    await this.waitForCharts();
    await this.byTestId("peak-failure").first().waitFor();
    await this.settled();
  }

  /// Waits until the live page has taken the static page's place.
  async mounted() {
    await liveMounted(this.page);
  }

  /// The lab mounts (and runs) when the reader comes near it: scroll to its parts, as a reader
  /// would, until each has mounted, then back to where the page was. Nothing to do in an embed.
  async showLab() {
    await this.mounted();
    // Where the page settles after mounting (a link's anchor is scrolled to in the next frame).
    await this.page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    const y = await this.page.evaluate(() => window.scrollY);
    let moved = false;
    for (const part of ["ph-lab", "ph-lab-end"]) {
      const placeholder = `#lab .lazy-placeholder.${part}`;
      if (!(await this.page.evaluate((sel) => {
        const el = document.querySelector(sel);
        el?.scrollIntoView();
        return Boolean(el);
      }, placeholder))) continue;
      moved = true;
      await this.page.waitForFunction((sel) => !document.querySelector(sel), placeholder);
    }
    if (moved) await this.page.evaluate((y) => window.scrollTo(0, y), y);
  }

  /// Waits until the lab has mounted and its failure-rate chart has been drawn (the app counts draws
  /// in `data-draws`).
  async waitForCharts() {
    await this.showLab();
    await this.page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="chart-failure-rate"]:not([data-testid="chapter"] *)');
      return c && Number(c.dataset.draws) > 0;
    });
  }

  /// How many times a chart has been drawn.
  async draws(id) {
    return Number(await this.byTestId(id).getAttribute("data-draws"));
  }

  /// Sets a range input the way a drag does: new value, then an `input` event.
  async setSlider(id, value) {
    await this.byTestId(`slider-${id}`).evaluate((el, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }, value);
    // Effects run after the event; wait for the next frame so the redraw is done, and for a run in
    // a background worker (large scenarios) to come back.
    await this.page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    await this.settled();
  }

  /// Waits until the lab shows the run of its current parameters (none still under way in a worker).
  async settled() {
    await this.page.waitForFunction(() => !document.querySelector('[data-testid="running"]:not([data-testid="chapter"] *)'));
    await this.page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  }

  async text(id) {
    return (await this.byTestId(id).textContent()).trim();
  }

  /// The peak failure rate as a number (percent).
  async peakFailure() {
    return parseFloat(await this.text("peak-failure"));
  }

  /// A fingerprint of a canvas's pixels.
  async canvasPixels(id) {
    return this.byTestId(id).evaluate((c) => c.toDataURL("image/png"));
  }

  /// Canvas size in device pixels and CSS pixels.
  async canvasSize(id) {
    return this.byTestId(id).evaluate((c) => ({
      width: c.width,
      height: c.height,
      cssWidth: c.getBoundingClientRect().width,
      cssHeight: c.getBoundingClientRect().height,
      clientWidth: c.clientWidth,
      clientHeight: c.clientHeight,
    }));
  }
}
