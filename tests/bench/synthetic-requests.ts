import { randomUUID } from "node:crypto";
import type { LoggedRequest } from "../../lib/domain/logged-request";

/** A logged request with realistic fields, for benchmarks that fill a database directly. */
export function syntheticRequest(organizationId: string, overrides: Partial<LoggedRequest> = {}): LoggedRequest {
  const start = overrides.startTime ?? new Date();
  const latencyMs = overrides.latencyMs ?? 200;
  return {
    id: randomUUID(),
    organizationId,
    source: "custom",
    provider: "openai",
    model: "gpt-4o-mini",
    method: "POST",
    path: "/v1/chat/completions",
    status: 200,
    errorReason: null,
    cancelled: false,
    startTime: start,
    endTime: new Date(start.getTime() + latencyMs),
    latencyMs,
    timeToFirstTokenMs: null,
    stream: false,
    promptTokens: 120,
    completionTokens: 40,
    cachedTokens: 0,
    totalTokens: 160,
    tokensEstimated: false,
    costUsd: 0.000042,
    costUnknown: false,
    traceId: null,
    nodeId: null,
    parentNodeId: null,
    traceError: null,
    sessionId: null,
    sessionName: null,
    userId: null,
    properties: {},
    requestBody: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}',
    responseBody: '{"choices":[{"message":{"role":"assistant","content":"hi"}}]}',
    requestHeaders: {},
    responseHeaders: {},
    ...overrides,
  };
}

/** A random tree of `size` nodes under trace `traceId` (node ids are paths), times nested sensibly. */
export function randomTraceRequests(organizationId: string, traceId: string, size: number, seed = 1): LoggedRequest[] {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const paths: string[] = [traceId];
  const starts: number[] = [Date.UTC(2026, 0, 1)];
  const requests: LoggedRequest[] = [];
  for (let i = 0; i < size; i++) {
    const parentIndex = i === 0 ? -1 : Math.floor(random() * paths.length);
    const path = i === 0 ? traceId : `${paths[parentIndex]}:n${i}`;
    const start = i === 0 ? starts[0]! : starts[parentIndex]! + Math.floor(random() * 500);
    if (i > 0) {
      paths.push(path);
      starts.push(start);
    }
    const segments = path.split(":");
    requests.push(
      syntheticRequest(organizationId, {
        traceId,
        nodeId: path,
        parentNodeId: segments.length > 1 ? segments.slice(0, -1).join(":") : null,
        startTime: new Date(start),
        latencyMs: 50 + Math.floor(random() * 1000),
        status: random() < 0.05 ? 500 : 200,
      }),
    );
  }
  return requests;
}

/** A chain `depth` levels deep: each node the only child of the one before. */
export function chainTraceRequests(organizationId: string, traceId: string, depth: number): LoggedRequest[] {
  const segments = [traceId];
  const requests: LoggedRequest[] = [];
  for (let level = 0; level < depth; level++) {
    if (level > 0) segments.push(`l${level}`);
    requests.push(
      syntheticRequest(organizationId, {
        traceId,
        nodeId: segments.join(":"),
        parentNodeId: level === 0 ? null : segments.slice(0, -1).join(":"),
        startTime: new Date(Date.UTC(2026, 0, 1) + level * 10),
        latencyMs: (depth - level) * 10,
      }),
    );
  }
  return requests;
}
