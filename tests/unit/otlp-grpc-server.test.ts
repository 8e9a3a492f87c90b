import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { ApiError, unavailable } from "@/lib/shared/api-error";
import type { OtlpDependencies } from "@/lib/ingest/otlp/ingest-otlp-export";
import { startOtlpGrpcServer, type OtlpGrpcServer } from "@/lib/ingest/otlp/otlp-grpc-server";
import { grpcCodeOf, otlpFailureOf } from "@/lib/ingest/otlp/otlp-status";
import { otlpGrpcClient } from "../helpers/otlp-grpc-client";
import { protobufExportRequest, randomHexId, type TestSpan } from "../helpers/otlp-requests";
import { stubLogWriter } from "../helpers/stub-log-writer";

const KEY = "sk-test-key";
const LIMIT = 64 * 1024;


const { writer, stored } = stubLogWriter();
const deps: OtlpDependencies = {
  authenticate: async (key) => {
    if (key === KEY) return "org-1";
    if (key === "sk-over-its-rate") throw new ApiError("rate_limit_exceeded", "Too many requests for this API key.", 429, { "retry-after": "3" });
    if (key === "sk-breaks-the-server") throw new Error("SELECT secret FROM internals");
    throw new ApiError("invalid_api_key", "Invalid or revoked API key.", 401);
  },
  writer,
  maxBodyBytes: LIMIT,
  queueHighWater: 1000,
  writeTimeoutMs: 200,
};
let server: OtlpGrpcServer;
let client: ReturnType<typeof otlpGrpcClient>;
let gzipClient: ReturnType<typeof otlpGrpcClient>;

beforeAll(async () => {
  server = await startOtlpGrpcServer("127.0.0.1", 0, deps);
  client = otlpGrpcClient(`127.0.0.1:${server.port}`);
  gzipClient = otlpGrpcClient(`127.0.0.1:${server.port}`, { gzip: true });
});
afterAll(async () => {
  client.close();
  gzipClient.close();
  await server.close(1000);
});

function spans(count: number, overrides: Partial<TestSpan> = {}): TestSpan[] {
  const traceId = randomHexId(16);
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({ traceId, spanId: randomHexId(8), name: `s${i}`, startMs: now - 100, endMs: now, ...overrides }));
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const send = (request: Uint8Array, headers: Record<string, string> = bearer(KEY)) => client.export(request, headers);

describe("TraceService/Export", () => {
  it("stores an export and answers an empty ExportTraceServiceResponse", async () => {
    const before = stored.length;
    const answer = await send(protobufExportRequest(spans(3)));
    expect(answer).toMatchObject({ code: GrpcStatus.OK, response: {} });
    expect(stored.length - before).toBe(3);
  });

  it("takes gzip-compressed messages (grpc-encoding: gzip)", async () => {
    const before = stored.length;
    expect((await gzipClient.export(protobufExportRequest(spans(5)), bearer(KEY))).code).toBe(GrpcStatus.OK);
    expect(stored.length - before).toBe(5);
  });

  it("partial success: stores the valid spans, and counts and explains the rest in partial_success", async () => {
    const before = stored.length;
    const answer = await send(protobufExportRequest([...spans(2), ...spans(1, { spanId: "abc" })]));
    expect(answer.code).toBe(GrpcStatus.OK);
    expect(answer.response?.partialSuccess).toEqual({ rejectedSpans: "1", errorMessage: expect.stringMatching(/^1 of 3 spans rejected: span .*spanId must be 8 bytes/) });
    expect(stored.length - before).toBe(2);
  });

  it("UNAUTHENTICATED without a valid key, not retryable; Helicone-Auth works as well as Authorization", async () => {
    for (const headers of [{}, bearer("wrong"), { authorization: KEY }]) {
      expect(await send(protobufExportRequest(spans(1)), headers)).toMatchObject({
        code: GrpcStatus.UNAUTHENTICATED,
        details: "Invalid or revoked API key.",
        reason: "invalid_api_key",
        retryDelaySeconds: null,
      });
    }
    expect((await send(protobufExportRequest(spans(1)), { "helicone-auth": `Bearer ${KEY}` })).code).toBe(GrpcStatus.OK);
  });

  it("INVALID_ARGUMENT for bytes that are not an ExportTraceServiceRequest, and for an export with no usable span", async () => {
    const before = stored.length;
    expect(await send(protobufExportRequest(spans(2)).subarray(0, 40))).toMatchObject({
      code: GrpcStatus.INVALID_ARGUMENT,
      details: expect.stringMatching(/^Body is not an OTLP ExportTraceServiceRequest in protobuf/),
      reason: "invalid_protobuf",
    });
    expect(await send(protobufExportRequest(spans(2, { traceId: "00" })))).toMatchObject({
      code: GrpcStatus.INVALID_ARGUMENT,
      details: expect.stringContaining("2 of 2 spans rejected"),
      reason: "invalid_spans",
      retryDelaySeconds: null,
    });
    expect(stored.length).toBe(before);
  });

  it("RESOURCE_EXHAUSTED over the size limit, counted after decompression too, without RetryInfo (never retried)", async () => {
    const oversized = protobufExportRequest(spans(1, { attributes: { prompt: "a".repeat(LIMIT) } }));
    expect(gzipSync(oversized).length).toBeLessThan(LIMIT);
    expect(await send(oversized)).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: expect.stringContaining(`vs ${LIMIT}`), retryDelaySeconds: null });
    expect(await gzipClient.export(oversized, bearer(KEY))).toMatchObject({
      code: GrpcStatus.RESOURCE_EXHAUSTED,
      details: `Received message that decompresses to a size larger than ${LIMIT}`,
      retryDelaySeconds: null,
    });
    expect((await send(protobufExportRequest(spans(1)))).code).toBe(GrpcStatus.OK);
  });

  it("RESOURCE_EXHAUSTED with RetryInfo (so retryable, after Retry-After) when the key is over its rate", async () => {
    expect(await send(protobufExportRequest(spans(1)), bearer("sk-over-its-rate"))).toMatchObject({
      code: GrpcStatus.RESOURCE_EXHAUSTED,
      reason: "rate_limit_exceeded",
      retryDelaySeconds: 3,
    });
  });

  it("UNAVAILABLE with RetryInfo when the log queue is above its high-water mark, when it refuses, or when storage stalls", async () => {
    writer.queued = 5000;
    const backlog = await send(protobufExportRequest(spans(1)));
    writer.queued = 0;
    expect(backlog).toMatchObject({ code: GrpcStatus.UNAVAILABLE, details: "Too many spans are waiting to be stored; retry later.", reason: "unavailable", retryDelaySeconds: 5 });

    for (const mode of ["refuse", "stall"] as const) {
      writer.mode = mode;
      const answer = await send(protobufExportRequest(spans(1)));
      writer.mode = "store";
      expect(answer).toMatchObject({ code: GrpcStatus.UNAVAILABLE, details: expect.stringContaining("retry later"), retryDelaySeconds: 5 });
    }
  });

  it("INTERNAL for an unexpected error, its message kept out of the answer", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const answer = await send(protobufExportRequest(spans(1)), bearer("sk-breaks-the-server"));
    log.mockRestore();
    expect(answer).toMatchObject({ code: GrpcStatus.INTERNAL, details: "Internal server error", reason: "internal_error" });
  });
});

describe("shutting down", () => {
  it("an export in progress is stored and answered before the server closes; then nothing listens", async () => {
    const own = await startOtlpGrpcServer("127.0.0.1", 0, { ...deps, writeTimeoutMs: 60_000 });
    const ownClient = otlpGrpcClient(`127.0.0.1:${own.port}`);
    const before = stored.length;
    writer.mode = "hold";
    const writing = new Promise<() => void>((resolve) => (writer.onHold = resolve));
    const inProgress = ownClient.export(protobufExportRequest(spans(1)), bearer(KEY));
    const release = await writing;
    const closed = own.close(60_000);
    writer.mode = "store";
    release();
    expect((await inProgress).code).toBe(GrpcStatus.OK);
    await closed;
    expect(stored.length - before).toBe(1);
    expect((await ownClient.export(protobufExportRequest(spans(1)), bearer(KEY))).code).toBe(GrpcStatus.UNAVAILABLE);
    ownClient.close();
  });
});

describe("HTTP status → gRPC code (OTLP spec, OTLP/gRPC Response)", () => {
  it.each([
    [400, GrpcStatus.INVALID_ARGUMENT],
    [401, GrpcStatus.UNAUTHENTICATED],
    [403, GrpcStatus.PERMISSION_DENIED],
    [404, GrpcStatus.UNIMPLEMENTED],
    [413, GrpcStatus.RESOURCE_EXHAUSTED],
    [415, GrpcStatus.INVALID_ARGUMENT],
    [422, GrpcStatus.INVALID_ARGUMENT],
    [429, GrpcStatus.RESOURCE_EXHAUSTED],
    [500, GrpcStatus.INTERNAL],
    [502, GrpcStatus.UNAVAILABLE],
    [503, GrpcStatus.UNAVAILABLE],
    [504, GrpcStatus.UNAVAILABLE],
  ])("%i is %i", (httpStatus, code) => {
    expect(grpcCodeOf(httpStatus)).toBe(code);
  });

  it("a retry delay only where the error says when to come back (Retry-After)", () => {
    expect(otlpFailureOf(unavailable("Storage is not keeping up with the spans; retry later."))).toMatchObject({ status: { code: GrpcStatus.UNAVAILABLE }, retryDelaySeconds: 5 });
    expect(otlpFailureOf(new ApiError("payload_too_large", "too big", 413))).toMatchObject({ status: { code: GrpcStatus.RESOURCE_EXHAUSTED }, retryDelaySeconds: null });
    expect(otlpFailureOf(new ApiError("invalid_api_key", "no", 401)).retryDelaySeconds).toBeNull();
  });
});
