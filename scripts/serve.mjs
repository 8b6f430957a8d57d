// A small static file server for a built site (dist/ by default) that behaves like a well-configured
// static host: gzip when the client accepts it, correct MIME types (application/wasm included) and
// the cache headers README.md recommends. For audits (scripts/audit.sh) and for looking at a release
// build by hand; `trunk serve` remains the authoring server.
//
//   node scripts/serve.mjs [--dir dist] [--port 8081] [--host 127.0.0.1]
//
// The site is served at `/` and again under `/cascade/`, to check a sub-path by hand.
// Prints one line `serving DIR at http://HOST:PORT/` once it listens.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const DIR = resolve(arg("dir", "dist"));
const PORT = Number(arg("port", "8081"));
const HOST = arg("host", "127.0.0.1");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};
const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".wasm", ".css", ".json", ".svg", ".txt"]);
// Trunk's content-hashed names (`app-0123456789abcdef_bg.wasm`): never change, so cache for a year.
const HASHED = /-[0-9a-f]{8,16}(_bg)?\.[a-z]+$/;

/// gzip -9 of each file, kept while the file's modification time is unchanged.
const gzipped = new Map();

const server = createServer(async (req, res) => {
  try {
    let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path.startsWith("/cascade/")) path = path.slice("/cascade".length);
    if (path === "/cascade") {
      res.writeHead(301, { location: "/cascade/" });
      res.end();
      return;
    }
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(DIR, path));
    if (!file.startsWith(DIR + "/")) throw new Error("outside the site");
    const info = await stat(file);
    if (!info.isFile()) throw new Error("not a file");
    const ext = extname(file);
    const headers = {
      "content-type": TYPES[ext] ?? "application/octet-stream",
      "cache-control": HASHED.test(file) ? "public, max-age=31536000, immutable" : "no-cache",
      vary: "accept-encoding",
    };
    let body;
    if (COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
      const key = `${file}:${info.mtimeMs}`;
      if (!gzipped.has(key)) gzipped.set(key, gzipSync(await readFile(file), { level: 9 }));
      body = gzipped.get(key);
      headers["content-encoding"] = "gzip";
    } else {
      body = await readFile(file);
    }
    headers["content-length"] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  } catch {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end("not found");
  }
});
server.listen(PORT, HOST, () => {
  const { port } = server.address();
  console.log(`serving ${DIR} at http://${HOST}:${port}/`);
});
