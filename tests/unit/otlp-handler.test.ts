import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import protobuf from "protobufjs";
import { ApiError } from "@/lib/shared/api-error";
import type { OtlpDependencies } from "@/lib/ingest/otlp/ingest-otlp-export";
import { handleOtlpTraces } from "@/lib/ingest/otlp/otlp-handler";
import { otlpFormatOf } from "@/lib/ingest/otlp/otlp-response";
import { decodeProtobufExportResponse, jsonExportRequest, protobufExportRequest, randomHexId, type TestSpan } from "../helpers/otlp-requests";
import { stubLogWriter } from "../helpers/stub-log-writer";

// google.rpc.Status as googleapis defines it: an independent check of the error bodies' encoding.
const rpc = protobuf.parse(`syntax = "proto3";
  message Status { int32 code = 1; string message = 2; repeated bytes details = 3; }
  message Any { string type_url = 1; bytes value = 2; }
  message ErrorInfo { string reason = 1; string domain = 2; }`).root;
const Status = rpc.lookupType("Status");
const Any = rpc.lookupType("Any");
const ErrorInfo = rpc.lookupType("ErrorInfo");

const KEY = "sk-test-key";
const LIMIT = 64 * 1024;


const { writer, stored } = stubLogWriter();
const deps: OtlpDependencies = {
  authenticate: async (key) => {
    if (key === KEY) return "org-1";
    throw new ApiError("invalid_api_key", "Invalid or revoked API key.", 401);
  },
  writer,
  maxBodyBytes: LIMIT,
  queueHighWater: 1000,
  writeTimeoutMs: 200,
};
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => void handleOtlpTraces(req, res, deps));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function spans(count: number, overrides: Partial<TestSpan> = {}): TestSpan[] {
  const traceId = randomHexId(16);
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({ traceId, spanId: randomHexId(8), name: `s${i}`, startMs: now - 100, endMs: now, ...overrides }));
}

async function post(body: Uint8Array | string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/x-protobuf", ...headers },
    body: body as BodyInit,
  });
  return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) };
}

const postJson = (value: unknown, headers: Record<string, string> = {}) => post(JSON.stringify(value), { "content-type": "application/json", ...headers });
const statusMessage = (body: Uint8Array) => (Status.decode(body) as unknown as { message: string }).message;
const jsonOf = (body: Uint8Array) => JSON.parse(Buffer.from(body).toString("utf8"));

describe("POST /v1/traces", () => {
  it("stores a protobuf export and answers an empty ExportTraceServiceResponse in protobuf", async () => {
    const before = stored.length;
    const response = await post(protobufExportRequest(spans(3)));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-protobuf");
    expect(decodeProtobufExportResponse(response.body)).toEqual({});
    expect(stored.length - before).toBe(3);
  });

  it("answers JSON in JSON, whatever the charset parameter", async () => {
    const response = await postJson(jsonExportRequest(spans(2)), { "content-type": "application/json; charset=utf-8" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(jsonOf(response.body)).toEqual({});
  });

  it("takes gzip bodies (Content-Encoding: gzip)", async () => {
    const response = await post(gzipSync(protobufExportRequest(spans(5))), { "content-encoding": "gzip" });
    expect(response.status).toBe(200);
  });

  it("answers success to an export with no spans", async () => {
    expect((await postJson({ resourceSpans: [] })).status).toBe(200);
  });

  it("partial success: stores the valid spans, counts and explains the rest, in the request's encoding", async () => {
    const before = stored.length;
    const batch = [...spans(2), ...spans(1, { spanId: "abc" }), ...spans(1, { traceId: "AAECAwQFBgcICQoLDA0ODw==" })];
    const protobufAnswer = await post(protobufExportRequest(batch));
    expect(protobufAnswer.status).toBe(200);
    expect(decodeProtobufExportResponse(protobufAnswer.body).partialSuccess).toEqual({
      rejectedSpans: "2",
      errorMessage: expect.stringMatching(/^2 of 4 spans rejected: span .*spanId must be 8 bytes.*traceId must be 16 bytes/),
    });
    const jsonAnswer = jsonOf((await postJson(jsonExportRequest(batch))).body);
    expect(jsonAnswer.partialSuccess).toEqual({ rejectedSpans: "2", errorMessage: expect.stringContaining("not base64") });
    expect(stored.length - before).toBe(4);
  });

  it("400 when no span is usable: nothing stored, and the exporter must not retry", async () => {
    const response = await post(protobufExportRequest(spans(2, { traceId: "00" })));
    expect(response.status).toBe(400);
    expect(statusMessage(response.body)).toContain("2 of 2 spans rejected");
  });

  it("400 for bodies that do not decode, with a google.rpc.Status saying why", async () => {
    const truncated = protobufExportRequest(spans(2)).subarray(0, 40);
    const protobufAnswer = await post(truncated);
    expect(protobufAnswer.status).toBe(400);
    expect(protobufAnswer.headers.get("content-type")).toBe("application/x-protobuf");
    expect(statusMessage(protobufAnswer.body)).toMatch(/^Body is not an OTLP ExportTraceServiceRequest in protobuf/);

    const jsonAnswer = await post('{"resourceSpans": [', { "content-type": "application/json" });
    expect(jsonAnswer.status).toBe(400);
    expect(jsonOf(jsonAnswer.body)).toMatchObject({ code: 3, message: "Body is not valid JSON.", details: [{ reason: "invalid_json" }] });

    expect((await post(Buffer.from("not gzip at all"), { "content-encoding": "gzip" })).status).toBe(400);
  });

  it("413 for a body over the limit, counted after decompression; a gzip bomb is never inflated whole", async () => {
    expect((await post(new Uint8Array(LIMIT + 1))).status).toBe(413);
    // 64 MiB of zeros in ~64 KiB: only the first LIMIT bytes are ever inflated.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const started = performance.now();
    const response = await post(bomb, { "content-encoding": "gzip" });
    expect(response.status).toBe(413);
    expect(statusMessage(response.body)).toContain("after decompression");
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await post(protobufExportRequest(spans(1)))).status).toBe(200);
  });

  it("415 for other content types and encodings", async () => {
    const text = await post("hello", { "content-type": "text/plain" });
    expect(text.status).toBe(415);
    expect(jsonOf(text.body).message).toContain("application/x-protobuf or application/json");
    expect((await post(protobufExportRequest(spans(1)), { "content-encoding": "br" })).status).toBe(415);
  });

  it("401 without a valid key; Helicone-Auth works as well as Authorization", async () => {
    expect((await post(protobufExportRequest(spans(1)), { authorization: "" })).status).toBe(401);
    expect((await post(protobufExportRequest(spans(1)), { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await post(protobufExportRequest(spans(1)), { authorization: "", "helicone-auth": `Bearer ${KEY}` })).status).toBe(200);
  });

  it("a protobuf error is a google.rpc.Status whose ErrorInfo names the error code every endpoint uses", async () => {
    const response = await post(protobufExportRequest(spans(1)), { authorization: "Bearer wrong" });
    expect(response.status).toBe(401);
    const status = Status.toObject(Status.decode(response.body), { defaults: true }) as { code: number; message: string; details: Uint8Array[] };
    expect(status.code).toBe(16);
    expect(status.message).toBe("Invalid or revoked API key.");
    const [any] = status.details.map((bytes) => Any.toObject(Any.decode(bytes)) as { typeUrl: string; value: Uint8Array });
    expect(any!.typeUrl).toBe("type.googleapis.com/google.rpc.ErrorInfo");
    expect(ErrorInfo.toObject(ErrorInfo.decode(any!.value))).toEqual({ reason: "invalid_api_key", domain: "tracewell" });
  });

  it("a JSON error is a google.rpc.Status whose ErrorInfo names the error code every endpoint uses", async () => {
    const response = await postJson({ resourceSpans: [] }, { authorization: "Bearer wrong" });
    expect(response.status).toBe(401);
    expect(jsonOf(response.body)).toEqual({
      code: 16,
      message: "Invalid or revoked API key.",
      details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "invalid_api_key", domain: "tracewell" }],
    });
  });

  it("405 for anything but POST", async () => {
    const response = await fetch(url);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("503 with Retry-After when the log queue is above its high-water mark, when it refuses, or when storage stalls", async () => {
    writer.queued = 5000;
    const backlog = await post(protobufExportRequest(spans(1)));
    writer.queued = 0;
    expect(backlog.status).toBe(503);
    expect(backlog.headers.get("retry-after")).toBe("5");

    for (const mode of ["refuse", "stall"] as const) {
      writer.mode = mode;
      const response = await post(protobufExportRequest(spans(1)));
      writer.mode = "store";
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(statusMessage(response.body)).toContain("retry later");
    }
  });
});

describe("content types", () => {
  it.each([
    ["application/x-protobuf", "protobuf"],
    ["Application/X-Protobuf", "protobuf"],
    ["application/json", "json"],
    ["application/json; charset=UTF-8", "json"],
  ])("%s is %s", (contentType, format) => {
    expect(otlpFormatOf(contentType)).toBe(format);
  });

  it.each([undefined, "", "application/protobuf", "text/json", "application/grpc"])("%s is refused with 415", (contentType) => {
    expect(() => otlpFormatOf(contentType)).toThrow(expect.objectContaining({ status: 415 }) as unknown as Error);
  });
});
