import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliDecompressSync, createBrotliDecompress, gunzipSync, gzipSync, inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseCompression, compressionLevel, compressResponse, negotiateEncoding, type CompressionInput } from "@/lib/http/compression";

describe("Accept-Encoding negotiation (lib/http/compression.ts)", () => {
  it.each([
    ["gzip, deflate, br", "br"],
    ["gzip, deflate", "gzip"],
    ["deflate", "deflate"],
    ["br;q=0.5, gzip", "gzip"],
    ["GZIP;Q=0.8, br;q=0.2", "gzip"],
    ["*", "br"],
    ["*;q=0.5, br;q=0", "gzip"],
    ["gzip;q=0", null],
    ["gzip;q=0.5, identity", null],
    ["identity", null],
    ["", null],
    [undefined, null],
  ])("%j → %s", (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe("which responses are compressed, and how (lib/http/compression.ts)", () => {
  const base: CompressionInput = {
    method: "GET",
    statusCode: 200,
    acceptEncoding: "gzip, deflate, br",
    contentType: "application/json",
    contentEncoding: undefined,
    cacheControl: undefined,
    bodyBytes: undefined,
  };

  it.each([
    ["a streamed JSON answer", {}, { vary: true, encoding: "br" }],
    ["the same for a gzip-only client", { acceptEncoding: "gzip, deflate" }, { vary: true, encoding: "gzip" }],
    ["a static file", { contentType: "application/javascript; charset=UTF-8", bodyBytes: 200_000 }, { vary: true, encoding: "br" }],
    ["a page", { contentType: "text/html; charset=utf-8" }, { vary: true, encoding: "br" }],
    ["an RSC payload", { contentType: "text/x-component" }, { vary: true, encoding: "br" }],
    ["under 1 KB: not worth it, but the answer still varies", { bodyBytes: 1023 }, { vary: true, encoding: null }],
    ["HEAD", { method: "HEAD" }, { vary: true, encoding: null }],
    ["304", { statusCode: 304 }, { vary: true, encoding: null }],
    ["206, a byte range", { statusCode: 206, bodyBytes: 5000 }, { vary: true, encoding: null }],
    ["already encoded", { contentEncoding: "gzip" }, { vary: true, encoding: null }],
    ["a client that accepts no compression", { acceptEncoding: undefined }, { vary: true, encoding: null }],
    ["Cache-Control: no-transform", { cacheControl: "public, no-transform" }, { vary: false, encoding: null }],
    ["an image", { contentType: "image/png" }, { vary: false, encoding: null }],
    ["no Content-Type", { contentType: undefined }, { vary: false, encoding: null }],
  ] as const)("%s", (_name, overrides, expected) => {
    expect(chooseCompression({ ...base, ...overrides })).toEqual(expected);
  });
});

describe("compression levels by size (lib/http/compression.ts)", () => {
  it.each([
    ["a streamed body whose first chunk is 256 KiB (the trace API)", "gzip", undefined, 256 * 1024, 1],
    ["the same for brotli", "br", undefined, 256 * 1024, 1],
    ["a stated size over 1 MiB", "gzip", 5_000_000, 64 * 1024, 1],
    ["a static file of 200 KB: gzip 6, as Next did", "gzip", 200_000, 64 * 1024, 6],
    ["a static file of 200 KB, brotli", "br", 200_000, 64 * 1024, 4],
    ["a page streamed in small pieces", "br", undefined, 2_000, 4],
  ] as const)("%s (%s)", (_name, encoding, statedBytes, firstChunkBytes, level) => {
    expect(compressionLevel(encoding, statedBytes, firstChunkBytes)).toBe(level);
  });
});

// The wrapper as server.ts uses it, on a plain node:http server: what a client receives.
describe("compressed responses (compressResponse on node:http)", () => {
  let server: Server;
  let url: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void> = () => {};
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);

  beforeAll(async () => {
    process.on("warning", onWarning);
    server = createServer((req, res) => {
      compressResponse(req, res);
      void handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    process.off("warning", onWarning);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** The raw response: status, headers and the body exactly as sent (not decoded). */
  function get(headers: Record<string, string>, method = "GET"): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  /** 3 MB of JSON-like text, written in 256 KB chunks with a flush after each, as Next streams a body. */
  const large = Buffer.from(JSON.stringify(Array.from({ length: 30_000 }, (_, i) => ({ id: `node-${i}`, cost: i / 7, ok: i % 3 === 0 }))));
  async function streamLarge(res: ServerResponse): Promise<void> {
    res.setHeader("content-type", "application/json");
    for (let at = 0; at < large.length; at += 256 * 1024) {
      const ok = res.write(large.subarray(at, at + 256 * 1024));
      (res as ServerResponse & { flush?: () => void }).flush?.();
      if (!ok) await new Promise((resolve) => res.once("drain", resolve));
    }
    res.end();
  }

  it.each([
    ["br", (body: Buffer) => brotliDecompressSync(body)],
    ["gzip", (body: Buffer) => gunzipSync(body)],
    ["deflate", (body: Buffer) => inflateSync(body)],
  ])("a large streamed body sent as %s decodes to exactly the bytes written", async (encoding, decode) => {
    handler = (_req, res) => streamLarge(res);
    const response = await get({ "accept-encoding": encoding });
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

  it("waiting for drain on every full write leaks no listener", async () => {
    warnings.length = 0;
    handler = (_req, res) => streamLarge(res);
    for (let i = 0; i < 3; i++) await get({ "accept-encoding": "gzip" });
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });

  it("a flushed chunk reaches the client before the response ends (streamed pages)", async () => {
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
      const req = request(url, { headers: { "accept-encoding": "br" } }, (res) => {
        expect(res.headers["content-encoding"]).toBe("br");
        let text = "";
        const decoded = res.pipe(createBrotliDecompress());
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
    const response = await get({ "accept-encoding": "gzip" }, "HEAD");
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

  it("a 304 carries no encoded body; a redirect's body decodes", async () => {
    handler = (req, res) => {
      if (req.headers["if-none-match"]) res.writeHead(304, { etag: '"a"' }).end();
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
      const req = request(url, { headers: { "accept-encoding": "gzip" } }, (res) => {
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
