import { z } from "zod";
import { badRequest } from "../shared/api-error";
import { listRequests } from "../storage/requests";
import { toRequestDto } from "./request-dto";
import { asStored, requestFilterFields, splitQuery } from "./request-filter-params";

export const listRequestsQuerySchema = z.object({
  ...requestFilterFields,
  traceId: z.string().min(1).optional(),
  search: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().optional(),
}).superRefine((query, ctx) => {
  // An empty range is a mistake (swapped bounds), not a question whose answer is "nothing".
  if (query.from && query.to && query.from > query.to) {
    ctx.addIssue({ code: "custom", path: ["from"], message: `must not be later than to (${query.from.toISOString()} > ${query.to.toISOString()})` });
  }
});

/** GET /api/v1/requests: filters from the query string, newest first, cursor-paginated. */
export async function listRequestsForApi(organizationId: string, searchParams: URLSearchParams) {
  const { plain, properties } = splitQuery(searchParams);
  const query = listRequestsQuerySchema.parse(plain);
  const rows = await listRequests({
    organizationId,
    model: asStored(query.model),
    provider: asStored(query.provider),
    status: query.status,
    sessionId: asStored(query.sessionId),
    userId: asStored(query.userId),
    traceId: asStored(query.traceId),
    search: asStored(query.search),
    from: query.from,
    to: query.to,
    properties,
    limit: query.limit + 1,
    after: query.cursor ? decodeCursor(query.cursor) : undefined,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map(toRequestDto),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.startTime, last.id) : null,
  };
}

function encodeCursor(startTime: Date, id: string): string {
  return Buffer.from(JSON.stringify([startTime.getTime(), id])).toString("base64url");
}

function decodeCursor(cursor: string): { startTime: Date; id: string } {
  try {
    const [time, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    // An edited cursor may hold a number no Date can be; the database would reject it with a 500.
    const startTime = new Date(time);
    // Ids never hold U+0000, and PostgreSQL would refuse the query over one.
    if (typeof time === "number" && typeof id === "string" && !id.includes("\u0000") && !Number.isNaN(startTime.getTime())) return { startTime, id };
  } catch {
    // falls through to the error below
  }
  throw badRequest("cursor: not a cursor returned by this API");
}
