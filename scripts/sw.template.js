// Cascade Lab's service worker, written into dist/sw.js by scripts/sw.mjs with this build's version
// and file list (do not edit dist/sw.js). After the first visit the site works with no network.
//
// - Install: every file of the build is fetched into a cache named after this build's version.
// - Fetch: the page (any query string: the address holds the lab's state) and the build's files come
//   from that cache first, the network only if the cache lacks them; other requests are left alone.
// - A new deploy: the browser notices the changed sw.js when the page loads, installs the new version
//   into its own cache, and waits. At the next load of the page (when it is the only tab of the site),
//   the old worker hands over: the new worker activates, deletes every older cache, and the page
//   loads wholly from the new version. A page never gets files from two versions.
// - Scope: relative to this file, so the site works from the root of a host or from a sub-path.
const PREFIX = "cascade-lab-";
const VERSION = "__VERSION__";
const CACHE = PREFIX + VERSION;
const FILES = [/* __FILES__ */];
const SCOPE = new URL("./", self.location).href;
const INDEX = new URL("index.html", SCOPE).href;
const OWN = new Set(FILES.map((f) => new URL(f, SCOPE).href));
// Trunk's content-hashed names never change content: the HTTP cache may supply them.
const HASHED = /-[0-9a-f]{8,16}(_bg)?\.[a-z]+$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(FILES.map((f) => new Request(new URL(f, SCOPE), { cache: HASHED.test(f) ? "default" : "no-cache" }))),
    ),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "cascade-lab:take-over") self.skipWaiting();
});

/// The cache key for a request of this build, or null if the request is not ours.
function ownKey(request) {
  const url = new URL(request.url);
  url.hash = "";
  if (request.mode === "navigate") {
    const page = url.origin + url.pathname;
    return page === SCOPE || page === INDEX ? INDEX : null;
  }
  url.search = "";
  return OWN.has(url.href) ? url.href : null;
}

async function respond(event, key) {
  if (event.request.mode === "navigate") {
    const waiting = self.registration.waiting;
    if (waiting && (await self.clients.matchAll({ type: "window" })).length <= 1) {
      // A newer version is installed and nothing else of this site is open: let it take over, and
      // have the browser load the page again, this time from the new version.
      waiting.postMessage("cascade-lab:take-over");
      return new Response('<!doctype html><meta http-equiv="refresh" content="0"><link rel="icon" href="data:,">', {
        headers: { refresh: "0", "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
      });
    }
  }
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  // Not in the cache (the browser may have evicted it): the network, without storing the answer,
  // which could belong to a newer deploy.
  return fetch(event.request);
}

self.addEventListener("fetch", (event) => {
  if (event.request.method !== "GET") return;
  const key = ownKey(event.request);
  if (key) event.respondWith(respond(event, key));
});
