import { randomUUID } from "node:crypto";
import { request, type IncomingHttpHeaders } from "node:http";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../helpers/test-stack";

// What clients receive from the running app now that server.ts compresses Next's answers itself
// (lib/http/compression.ts, with the `compression` middleware): every encoding decodes to exactly
// the uncompressed bytes, and pages, static files, redirects, HEAD and 304 behave as they did
// under Next's own compression; a byte range is sent as stored. The database plays no part here,
// so SQLite alone.
describe("response compression through the app", () => {
  let stack: TestStack & { stop(): Promise<void> };
  const traceId = randomUUID();

  beforeAll(async () => {
    stack = await startStack("sqlite");
    // A trace of 61 requests under 6 virtual nodes (≈ 60 KB of JSON), logged through the custom log endpoint.
    const log = (nodeId: string) =>
      fetch(`${stack.app.url}/v1/trace/custom/log`, {
        method: "POST",
        headers: { authorization: `Bearer ${stack.app.apiKey}`, "content-type": "application/json", "Helicone-Node-Id": nodeId },
        body: JSON.stringify({
          providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: { model: "gpt-4o-mini", messages: [] } },
          providerResponse: { status: 200, json: { usage: { prompt_tokens: 5, completion_tokens: 1 } } },
          timing: { startTime: Date.now() - 1000, endTime: Date.now() },
          provider: "openai",
        }),
      }).then((response) => expect(response.status).toBe(200));
    await log(traceId);
    for (let group = 0; group < 6; group++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => log(`${traceId}:g${group}:n${i}`)));
    }
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** The raw answer: headers and the body exactly as sent (fetch would decode it). */
  function raw(path: string, headers: Record<string, string>, method = "GET"): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = request(stack.app.url + path, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  const decoders: Record<string, (body: Buffer) => Buffer> = { br: brotliDecompressSync, gzip: gunzipSync, deflate: inflateSync };
  const varies = (headers: IncomingHttpHeaders) => String(headers.vary).split(/,\s*/).map((f) => f.toLowerCase()).includes("accept-encoding");

  it.each(["br", "gzip", "deflate"])("GET /api/v1/traces/{id} sent as %s decodes to exactly the uncompressed JSON", async (encoding) => {
    const auth = { authorization: `Bearer ${stack.app.apiKey}` };
    const plain = await raw(`/api/v1/traces/${traceId}`, { ...auth, "accept-encoding": "identity" });
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(plain.body.toString()).metrics.nodeCount).toBe(61);

    const compressed = await raw(`/api/v1/traces/${traceId}`, { ...auth, "accept-encoding": encoding });
    expect(compressed.status).toBe(200);
    expect(compressed.headers["content-encoding"]).toBe(encoding);
    expect(compressed.headers["content-type"]).toBe("application/json");
    expect(varies(compressed.headers)).toBe(true);
    expect(compressed.body.length).toBeLessThan(plain.body.length / 5);
    expect(decoders[encoding]!(compressed.body).equals(plain.body)).toBe(true);
  });

  it("fetch, which sends Accept-Encoding: gzip, reads the same trace", async () => {
    const plain = await raw(`/api/v1/traces/${traceId}`, { authorization: `Bearer ${stack.app.apiKey}`, "accept-encoding": "identity" });
    const { status, body } = await stack.api(`/api/v1/traces/${traceId}`);
    expect(status).toBe(200);
    expect(body).toEqual(JSON.parse(plain.body.toString()));
  });

  it("an error answer is compressed and decodes to the error", async () => {
    const response = await raw("/api/v1/traces/no-such-trace", { authorization: `Bearer ${stack.app.apiKey}`, "accept-encoding": "gzip" });
    expect(response.status).toBe(404);
    expect(JSON.parse(decoders[response.headers["content-encoding"] ?? ""]?.(response.body).toString() ?? response.body.toString())).toMatchObject({
      error: { code: "not_found" },
    });
  });

  it("a page is compressed and decodes to the page; HEAD sends headers only", async () => {
    for (const encoding of ["br", "gzip"]) {
      const page = await raw("/login", { "accept-encoding": encoding });
      expect(page.status).toBe(200);
      expect(page.headers["content-encoding"]).toBe(encoding);
      expect(varies(page.headers)).toBe(true);
      expect(page.headers["content-security-policy"]).toContain("nonce-");
      const html = decoders[encoding]!(page.body).toString();
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain("</html>");
    }
    const head = await raw("/login", { "accept-encoding": "gzip" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-encoding"]).toBeUndefined();
    expect(head.body.length).toBe(0);
  });

  it("a static file decodes to exactly the file; a revalidation is a bare 304; a byte range is sent as stored", async () => {
    const html = await (await fetch(`${stack.app.url}/login`)).text();
    const script = /\/_next\/static\/[^"]+\.js/.exec(html)![0];
    const plain = await raw(script, { "accept-encoding": "identity" });
    expect(plain.status).toBe(200);
    expect(Number(plain.headers["content-length"])).toBe(plain.body.length);
    for (const encoding of ["br", "gzip"]) {
      const compressed = await raw(script, { "accept-encoding": encoding });
      if (plain.body.length < 1024) {
        expect(compressed.headers["content-encoding"]).toBeUndefined();
        continue;
      }
      expect(compressed.headers["content-encoding"]).toBe(encoding);
      expect(compressed.headers["content-length"]).toBeUndefined();
      expect(varies(compressed.headers)).toBe(true);
      expect(decoders[encoding]!(compressed.body).equals(plain.body)).toBe(true);
    }
    const revalidated = await raw(script, { "accept-encoding": "gzip", "if-none-match": String(plain.headers.etag) });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers["content-encoding"]).toBeUndefined();
    expect(revalidated.body.length).toBe(0);

    const range = await raw(script, { "accept-encoding": "gzip, br", range: "bytes=0-1499" });
    expect(range.status).toBe(206);
    expect(range.headers["content-encoding"]).toBeUndefined();
    expect(range.headers["content-range"]).toBe(`bytes 0-1499/${plain.body.length}`);
    expect(range.body.equals(plain.body.subarray(0, 1500))).toBe(true);
  });

  it("a signed-out visit to a dashboard page still redirects to the login", async () => {
    const response = await raw("/requests?model=gpt-4", { "accept-encoding": "gzip" });
    expect(response.status).toBe(307);
    expect(response.headers.location).toContain("/login");
  });

  it("the ingest path is not wrapped: a custom log answer comes back as it always did", async () => {
    const response = await fetch(`${stack.app.url}/v1/trace/custom/log`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.app.apiKey}`, "content-type": "application/json", "accept-encoding": "gzip, br" },
      body: "{",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(response.headers.get("vary")).toBeNull();
  });
});
