import { readLogWriterStats } from "@/lib/ingest/ingest-status";
import { openLiveStreamCount } from "@/lib/read-api/live-events";
import { pingDatabase } from "@/lib/storage/health";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// GET /api/health – database state and the log queue (depth, dropped), for load balancers and humans
export async function GET(): Promise<Response> {
  const database = await pingDatabase();
  const logQueue = readLogWriterStats();
  const status = database.reachable ? "ok" : "degraded";
  return Response.json({ status, database, logQueue, liveStreams: openLiveStreamCount() }, { status: database.reachable ? 200 : 503 });
}
