import { z } from "zod";
import { listSessions } from "../storage/sessions";

export const listSessionsQuerySchema = z.object({
  search: z.string().min(1).max(200).optional(),
  userId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** the `nextCursor` of the previous page */
  cursor: z.coerce.number().int().positive().optional(),
});

/** GET /api/v1/sessions: sessions, most recently active first, with name, users, counts, cost and span. */
export async function listSessionsForApi(organizationId: string, searchParams: URLSearchParams) {
  const query = listSessionsQuerySchema.parse(Object.fromEntries(searchParams));
  const sessions = await listSessions({
    organizationId,
    search: query.search,
    userId: query.userId,
    limit: query.limit + 1,
    before: query.cursor ? new Date(query.cursor) : undefined,
  });
  const page = sessions.slice(0, query.limit);
  return {
    data: page.map(({ startTime, endTime, lastStartTime, costUsd, ...session }) => ({
      ...session,
      cost: costUsd,
      startTime: startTime.toISOString(),
      endTime: endTime.toISOString(),
      lastStartTime: lastStartTime.toISOString(),
      durationMs: endTime.getTime() - startTime.getTime(),
    })),
    nextCursor: sessions.length > query.limit ? String(page.at(-1)!.lastStartTime.getTime()) : null,
  };
}
