import { jsonStream } from "@/lib/http/json-stream";
import { withShareLink } from "@/lib/http/route";
import { getSharedTraceJson } from "@/lib/read-api/shared-trace";

export const runtime = "nodejs";

// GET /api/v1/shared/{token} – the trace a share link shows, without signing in
export const GET = withShareLink<{ token: string }>(async (_request, { grant }) => jsonStream(await getSharedTraceJson(grant)));
