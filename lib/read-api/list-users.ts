import { z } from "zod";
import { listEndUsers } from "../storage/end-users";

export const listUsersQuerySchema = z.object({
  search: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** the `nextCursor` of the previous page */
  cursor: z.coerce.number().int().positive().optional(),
});

/** GET /api/v1/users: per Helicone-User-Id, requests, traces, sessions, errors, cost, first and last seen. */
export async function listUsersForApi(organizationId: string, searchParams: URLSearchParams) {
  const query = listUsersQuerySchema.parse(Object.fromEntries(searchParams));
  const users = await listEndUsers({ organizationId, search: query.search, limit: query.limit + 1, before: query.cursor ? new Date(query.cursor) : undefined });
  const page = users.slice(0, query.limit);
  return {
    data: page.map(({ firstSeen, lastSeen, costUsd, ...user }) => ({ ...user, cost: costUsd, firstSeen: firstSeen.toISOString(), lastSeen: lastSeen.toISOString() })),
    nextCursor: users.length > query.limit ? String(page.at(-1)!.lastSeen.getTime()) : null,
  };
}
