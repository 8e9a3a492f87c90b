import { z } from "zod";
import { badRequest } from "../shared/api-error";
import { listRequests } from "../storage/requests";
import { toRequestDto } from "./request-dto";

const PROPERTY_PREFIX = "property.";

const timeParam = z
  .string()
  .transform((value, ctx) => {
    const date = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: "custom", message: "expected an ISO date or epoch milliseconds" });
      return z.NEVER;
    }
    return date;
  });

export const listRequestsQuerySchema = z.object({
  model: z.string().min(1).optional(),
  status: z
    .string()
    .transform((value, ctx) => {
      if (value === "ok" || value === "error") return value;
      if (/^\d{1,3}$/.test(value)) return Number(value);
      ctx.addIssue({ code: "custom", message: 'expected an HTTP status code (such as 200, or 0 for no response), "ok" or "error"' });
      return z.NEVER;
    })
    .optional(),
  sessionId: z.string().min(1).optional(),
  userId: z.string().min(1).optional(),
  traceId: z.string().min(1).optional(),
  search: z.string().min(1).max(500).optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
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
  const plain: Record<string, string> = {};
  const properties: Record<string, string> = {};
  for (const [name, value] of searchParams) {
    if (!name.startsWith(PROPERTY_PREFIX)) {
      plain[name] = value;
      continue;
    }
    const key = name.slice(PROPERTY_PREFIX.length);
    if (key === "") throw badRequest("property.: a property filter needs a key, as in property.<key>=<value>");
    properties[asStored(key)] = asStored(value);
  }
  const query = listRequestsQuerySchema.parse(plain);
  const rows = await listRequests({
    organizationId,
    model: asStored(query.model),
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

/**
 * Filter text as storage keeps it: U+0000 is stored as U+FFFD on both databases (PostgreSQL text
 * cannot hold it, see lib/storage/requests.ts), so a filter for a value sent with U+0000 finds it
 * there, and PostgreSQL is never handed a character it rejects with an error.
 */
function asStored<T extends string | undefined>(text: T): T {
  return (text?.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text) as T;
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
