import { Readable } from "node:stream";
import { withAuth } from "@/lib/http/route";
import { getTraceJsonForApi } from "@/lib/read-api/get-trace";

export const runtime = "nodejs";

// GET /api/v1/traces/{traceId} – the trace tree with its metrics and critical path
export const GET = withAuth<{ traceId: string }>(async (_request, { organizationId, params }) =>
  jsonStream(await getTraceJsonForApi(organizationId, params.traceId)),
);

/**
 * The JSON as it is written, chunk by chunk: a 10,000-node trace is 8.5 MB, which never exists
 * as one string or one buffer. Next compresses it as it compresses every response (a route
 * handler cannot send its own Content-Encoding: Next drops that header).
 */
function jsonStream(chunks: Iterable<Buffer>): Response {
  const body = Readable.toWeb(Readable.from(chunks, { objectMode: false })) as ReadableStream<Uint8Array>;
  return new Response(body, { headers: { "content-type": "application/json" } });
}
