import { z } from "zod";
import type { TraceCompareResponse } from "../contracts/trace-compare";
import { exchangeText, type ExchangeText } from "../domain/exchange-text";
import { alignTraces, compareTraces, contentRequests, type ComparedTraceInput } from "../domain/trace-compare";
import { notFound } from "../shared/api-error";
import { findRequestBodies } from "../storage/request-bodies";
import { findTraceRows } from "../storage/trace-rows";
import { buildTree, type TracedRow } from "./get-trace";
import { parseBody } from "./request-dto";

const traceIdParameter = (name: "a" | "b", which: string) =>
  z
    .string({ error: `Name the ${which} trace: /api/v1/traces/compare?a=<traceId>&b=<traceId> (${name} is missing).` })
    .trim()
    .min(1, `Name the ${which} trace: ${name} is empty.`)
    .max(4096, `${name} is longer than a trace id can be (4096 characters).`);

export const compareTracesQuerySchema = z.object({
  a: traceIdParameter("a", "first"),
  b: traceIdParameter("b", "second"),
});

/**
 * GET /api/v1/traces/compare?a=&b=: both traces' metrics and deltas, and their nodes aligned by
 * path (lib/domain/trace-compare.ts). Only the bodies of nodes in both traces are read, to compare
 * their prompt and answer text.
 */
export async function compareTracesForApi(organizationId: string, searchParams: URLSearchParams): Promise<TraceCompareResponse> {
  const query = compareTracesQuerySchema.parse({ a: searchParams.get("a") ?? undefined, b: searchParams.get("b") ?? undefined });
  const [a, b] = await Promise.all([loadTrace(organizationId, query.a, "a"), loadTrace(organizationId, query.b, "b")]);
  const aligned = alignTraces(a, b);

  const requests = contentRequests(aligned);
  const sourceOf = new Map(requests.map((request) => [request.id, request.source]));
  const content = new Map<string, ExchangeText>();
  for (const stored of await findRequestBodies(organizationId, requests.map((request) => ({ id: request.id, startTime: new Date(request.startMs) })))) {
    content.set(stored.requestId, exchangeText(sourceOf.get(stored.requestId)!, parseBody(stored.requestBody), parseBody(stored.responseBody)));
  }
  return compareTraces(a, b, (id) => content.get(id), aligned);
}

async function loadTrace(organizationId: string, traceId: string, name: "a" | "b"): Promise<ComparedTraceInput<TracedRow>> {
  const rows = await findTraceRows(organizationId, traceId);
  // Another organization's trace is not found either, in the same words.
  if (rows.length === 0) throw notFound(`trace ${name}`);
  return { traceId, ...buildTree(rows) };
}
