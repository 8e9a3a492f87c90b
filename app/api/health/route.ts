import { readLogWriterStats } from "@/lib/ingest/ingest-status";
import { openLiveStreamCount } from "@/lib/read-api/live-events";
import { redisConfigured, sharedRedis } from "@/lib/shared/redis";
import { pingDatabase } from "@/lib/storage/health";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// GET /api/health – database state and the log queue (depth, dropped), for load balancers and humans
export async function GET(): Promise<Response> {
  const database = await pingDatabase();
  const logQueue = readLogWriterStats();
  const status = database.reachable ? "ok" : "degraded";
  // With REDIS_URL: whether state is shared right now. Redis away does not make an instance unhealthy: it fails open.
  const redis = redisConfigured() ? { redis: { reachable: sharedRedis() !== null } } : {};
  return Response.json({ status, database, logQueue, liveStreams: openLiveStreamCount(), ...redis }, { status: database.reachable ? 200 : 503 });
}
