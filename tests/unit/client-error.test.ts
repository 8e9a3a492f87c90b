import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerClientError } from "@/lib/http/client-error";
import { sendRawHttp } from "../helpers/raw-http";

// What a client gets for a request node:http cannot parse, once server.ts wires
// answerClientError: a status and a JSON message saying what is wrong, instead of a bare 400.
describe("answers to requests node:http cannot parse (lib/http/client-error.ts)", () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((_req, res) => res.end("ok"));
    server.on("clientError", answerClientError);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const request = (headerLines: string) => Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\n${headerLines}Connection: close\r\n\r\n`, "latin1");

  it.each([
    ["a bare LF inside a header value", "X-Note: a\nInjected: yes\r\n", 400, "malformed_header", "Missing expected CR after header value"],
    ["a bare CR inside a header value", "Helicone-Node-Id: root\r:child\r\n", 400, "malformed_header", "Missing expected LF after header value"],
    ["a NUL inside a header value", "X-Note: a\u0000b\r\n", 400, "malformed_header", "Invalid header value char"],
    ["a space inside a header name", "Helicone Node-Id: a\r\n", 400, "malformed_header", "Invalid header token"],
    ["a folded header", "X-Note: a\r\n b\r\n", 400, "malformed_header", "whitespace"],
    ["Content-Length beside Transfer-Encoding", "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n", 400, "malformed_body_framing", "Transfer-Encoding"],
    ["20 KB of headers", `X-Padding: ${"p".repeat(20 * 1024)}\r\n`, 431, "headers_too_large", "too large"],
  ])("%s: %i with a JSON message naming the problem", async (_name, headerLines, status, code, reason) => {
    const response = await sendRawHttp(url, request(headerLines));
    expect(response.status).toBe(status);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body)).toEqual({ error: { code, message: expect.stringContaining(reason) } });
  });

  it("a malformed request line is answered too, and the server keeps serving", async () => {
    const response = await sendRawHttp(url, Buffer.from("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"));
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.message).toMatch(/^Malformed HTTP request: /);
    expect((await sendRawHttp(url, request(""))).body).toBe("ok");
  });
});
