import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  createBrotliDecompress,
  createGunzip,
  gunzipSync,
  gzipSync,
  inflateSync,
} from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compressResponse } from "@/lib/http/compression";

// The middleware as server.ts uses it, on a plain node:http server: what a client receives.
describe("compressed responses (compressResponse on node:http)", () => {
  let server: Server;
  let url: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void> = () => {};

  beforeAll(async () => {
    server = createServer((req, res) => {
      compressResponse(req, res);
      void handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** The raw response: status, headers and the body exactly as sent (not decoded). */
  function get(
    headers: Record<string, string>,
    { method = "GET", path = "/page" } = {},
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = request(url + path, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  /** Answers 5 KB of the given type, its size unknown to the middleware. */
  function answer(contentType: string | undefined, extra: (res: ServerResponse) => void = () => {}) {
    return (_req: IncomingMessage, res: ServerResponse) => {
      if (contentType) res.setHeader("content-type", contentType);
      extra(res);
      res.write("x".repeat(5000));
      res.end();
    };
  }

  /**
   * 3 MB of JSON-like text, written in 256 KB chunks with a flush after each, as Next streams a
   * body: one `drain` listener for the whole response, as Next's writer has (see below).
   */
  const large = Buffer.from(JSON.stringify(Array.from({ length: 30_000 }, (_, i) => ({ id: `node-${i}`, cost: i / 7, ok: i % 3 === 0 }))));
  async function streamLarge(res: ServerResponse): Promise<void> {
    res.setHeader("content-type", "application/json");
    let drained: () => void = () => {};
    res.on("drain", () => drained());
    for (let at = 0; at < large.length; at += 256 * 1024) {
      const ok = res.write(large.subarray(at, at + 256 * 1024));
      (res as ServerResponse & { flush?: () => void }).flush?.();
      if (!ok) await new Promise<void>((resolve) => (drained = resolve));
    }
    res.end();
  }

  it.each([
    ["gzip, deflate, br", "br"],
    ["gzip, deflate", "gzip"],
    ["deflate", "deflate"],
    ["br;q=0.5, gzip", "gzip"],
    ["GZIP;Q=0.8, br;q=0.2", "gzip"],
    ["gzip;q=0", undefined],
    ["identity", undefined],
    ["", undefined],
  ])("Accept-Encoding %j is answered with %s", async (acceptEncoding, expected) => {
    handler = answer("application/json");
    const response = await get({ "accept-encoding": acceptEncoding });
    expect(response.headers["content-encoding"]).toBe(expected);
    expect(response.headers["vary"]).toBe("Accept-Encoding");
  });

  it.each([
    ["a JSON answer", "application/json", "gzip"],
    ["a page", "text/html; charset=utf-8", "gzip"],
    ["an RSC payload", "text/x-component", "gzip"],
    ["a script", "application/javascript; charset=UTF-8", "gzip"],
    ["an image", "image/png", undefined],
    ["a body with no Content-Type", undefined, undefined],
  ])("%s (%s) is sent as %s", async (_name, contentType, expected) => {
    handler = answer(contentType);
    const response = await get({ "accept-encoding": "gzip" });
    expect(response.headers["content-encoding"]).toBe(expected);
    if (expected) expect(gunzipSync(response.body).toString()).toBe("x".repeat(5000));
  });

  it("Cache-Control: no-transform is honoured, and the answer does not vary", async () => {
    handler = answer("application/json", (res) => res.setHeader("cache-control", "public, no-transform"));
    const response = await get({ "accept-encoding": "gzip, br" });
    expect(response.headers["content-encoding"]).toBeUndefined();
    expect(response.headers["vary"]).toBeUndefined();
    expect(response.body.toString()).toBe("x".repeat(5000));
  });

  it("a 206 (a byte range of a static file) is sent as stored: its Content-Range counts those bytes", async () => {
    const file = Buffer.from("y".repeat(4000));
    handler = (_req, res) => {
      res.writeHead(206, { "content-type": "application/javascript", "content-range": `bytes 0-1999/${file.length}` });
      res.end(file.subarray(0, 2000));
    };
    const response = await get({ "accept-encoding": "gzip, br", range: "bytes=0-1999" });
    expect(response.status).toBe(206);
    expect(response.headers["content-encoding"]).toBeUndefined();
    expect(response.body.equals(file.subarray(0, 2000))).toBe(true);
  });

  it.each([
    ["gzip", (body: Buffer) => gzipSync(body, { level: 1 }), (body: Buffer) => gzipSync(body, { level: 6 })],
    [
      "br",
      (body: Buffer) => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }),
      (body: Buffer) => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }),
    ],
  ] as const)("%s: the read API's JSON gets the fast level, everything else the thorough one", async (encoding, fast, thorough) => {
    const body = Buffer.from(JSON.stringify(Array.from({ length: 2_000 }, (_, i) => ({ id: `n${i}`, costUsd: i / 3 }))));
    handler = (_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end(body);
    const api = await get({ "accept-encoding": encoding }, { path: "/api/v1/traces/t1" });
    const page = await get({ "accept-encoding": encoding }, { path: "/traces/t1" });
    expect(api.body.equals(fast(body))).toBe(true);
    expect(page.body.equals(thorough(body))).toBe(true);
  });

  it.each([
    ["br", (body: Buffer) => brotliDecompressSync(body)],
    ["gzip", (body: Buffer) => gunzipSync(body)],
    ["deflate", (body: Buffer) => inflateSync(body)],
  ])("a large streamed body sent as %s decodes to exactly the bytes written", async (encoding, decode) => {
    handler = (_req, res) => streamLarge(res);
    const response = await get({ "accept-encoding": encoding }, { path: "/api/v1/traces/t1" });
    expect(response.headers["content-encoding"]).toBe(encoding);
    expect(response.headers["vary"]).toBe("Accept-Encoding");
    expect(response.headers["content-length"]).toBeUndefined();
    expect(response.body.length).toBeLessThan(large.length / 4);
    expect(decode(response.body).equals(large)).toBe(true);
  });

  it("a client accepting no compression gets the bytes as written", async () => {
    handler = (_req, res) => streamLarge(res);
    const response = await get({});
    expect(response.headers["content-encoding"]).toBeUndefined();
    expect(response.headers["vary"]).toBe("Accept-Encoding");
    expect(response.body.equals(large)).toBe(true);
  });

  it.each([
    ["br", createBrotliDecompress],
    ["gzip", createGunzip],
  ] as const)("a flushed chunk reaches the client before the response ends (streamed pages, %s)", async (encoding, decoder) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    handler = async (_req, res) => {
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.write("<!DOCTYPE html><html><body><p>shell</p>");
      (res as ServerResponse & { flush(): void }).flush();
      await released;
      res.end("<p>rest</p></body></html>");
    };
    const firstText = await new Promise<string>((resolve, reject) => {
      const req = request(url + "/page", { headers: { "accept-encoding": encoding } }, (res) => {
        expect(res.headers["content-encoding"]).toBe(encoding);
        let text = "";
        const decoded = res.pipe(decoder());
        decoded.on("data", (chunk: Buffer) => {
          text += chunk;
          if (text.includes("shell")) resolve(text);
        });
        decoded.on("end", () => reject(new Error("ended before the flushed chunk was seen on its own")));
      });
      req.on("error", reject);
      req.end();
    });
    release();
    expect(firstText).toBe("<!DOCTYPE html><html><body><p>shell</p>");
  });

  it("a small body given whole is sent as it is, with Vary", async () => {
    handler = (_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end('{"ok":true}');
    };
    const response = await get({ "accept-encoding": "gzip, br" });
    expect(response.headers["content-encoding"]).toBeUndefined();
    expect(response.headers["vary"]).toBe("Accept-Encoding");
    expect(response.body.toString()).toBe('{"ok":true}');
  });

  it("headers given to writeHead count, and an existing Vary is extended", async () => {
    const body = Buffer.from("x".repeat(5000));
    handler = (_req, res) => {
      res.setHeader("vary", "rsc, next-router-state-tree");
      res.writeHead(200, { "content-type": "text/plain", "content-length": body.length }).end(body);
    };
    const response = await get({ "accept-encoding": "gzip" });
    expect(response.headers["content-encoding"]).toBe("gzip");
    expect(response.headers["content-length"]).toBeUndefined();
    expect(response.headers["vary"]).toBe("rsc, next-router-state-tree, Accept-Encoding");
    expect(gunzipSync(response.body).equals(body)).toBe(true);
  });

  it("HEAD keeps the Content-Length and sends no body", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/html", "content-length": "5000" });
      res.end();
    };
    const response = await get({ "accept-encoding": "gzip" }, { method: "HEAD" });
    expect(response.headers["content-encoding"]).toBeUndefined();
    expect(response.headers["content-length"]).toBe("5000");
    expect(response.body.length).toBe(0);
  });

  it("an already encoded body passes through untouched", async () => {
    const encoded = gzipSync(JSON.stringify({ already: "compressed by the handler".repeat(100) }));
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(encoded);
    };
    const response = await get({ "accept-encoding": "gzip, br" });
    expect(response.headers["content-encoding"]).toBe("gzip");
    expect(response.body.equals(encoded)).toBe(true);
  });

  it("a 304 carries no encoded body, even with a compressible type; a redirect's body decodes", async () => {
    handler = (req, res) => {
      if (req.headers["if-none-match"]) res.writeHead(304, { etag: '"a"', "content-type": "text/html" }).end();
      else res.writeHead(307, { location: "/login", "content-type": "text/plain" }).end("/login");
    };
    const notModified = await get({ "accept-encoding": "gzip", "if-none-match": '"a"' });
    expect(notModified.status).toBe(304);
    expect(notModified.headers["content-encoding"]).toBeUndefined();
    const redirect = await get({ "accept-encoding": "gzip" });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.location).toBe("/login");
    // writeHead came before the body, so its size was unknown: compressed, as Next's middleware did.
    expect(gunzipSync(redirect.body).toString()).toBe("/login");
  });

  it("a client that hangs up mid-stream leaves the server serving", async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    handler = async (_req, res) => {
      res.on("close", closed);
      await streamLarge(res).catch(() => undefined);
    };
    await new Promise<void>((resolve) => {
      const req = request(url + "/api/v1/traces/t1", { headers: { "accept-encoding": "gzip" } }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => undefined);
      req.end();
    });
    await serverSawClose;
    handler = (_req, res) => streamLarge(res);
    const response = await get({ "accept-encoding": "gzip" });
    expect(gunzipSync(response.body).equals(large)).toBe(true);
  });
});
