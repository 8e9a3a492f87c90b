import { databaseKind, getDb } from "./db";

/** Whether the database answers, and how fast. */
export async function pingDatabase(): Promise<{ kind: string; reachable: boolean; latencyMs: number; error?: string }> {
  const started = performance.now();
  try {
    await getDb().$queryRawUnsafe("SELECT 1");
    return { kind: databaseKind(), reachable: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch (error) {
    return { kind: databaseKind(), reachable: false, latencyMs: Math.round(performance.now() - started), error: error instanceof Error ? error.message.split("\n")[0] : String(error) };
  }
}
