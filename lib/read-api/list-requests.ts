import { z } from "zod";
import { badRequest } from "../http/api-error";
import { listRequests } from "../storage/requests";
import { toRequestDto } from "./request-dto";

const PROPERTY_PARAM = /^property\.(.+)$/;

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
    .union([z.enum(["ok", "error"]), z.string().regex(/^\d{1,3}$/, 'expected an HTTP status, "ok" or "error"').transform(Number)])
    .optional(),
  sessionId: z.string().min(1).optional(),
  userId: z.string().min(1).optional(),
  traceId: z.string().min(1).optional(),
  search: z.string().min(1).max(500).optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().optional(),
});

/** GET /api/v1/requests: filters from the query string, newest first, cursor-paginated. */
export async function listRequestsForApi(organizationId: string, searchParams: URLSearchParams) {
  const plain: Record<string, string> = {};
  const properties: Record<string, string> = {};
  for (const [name, value] of searchParams) {
    const property = PROPERTY_PARAM.exec(name);
    if (property) properties[property[1]!] = value;
    else plain[name] = value;
  }
  const query = listRequestsQuerySchema.parse(plain);
  const rows = await listRequests({
    organizationId,
    model: query.model,
    status: query.status,
    sessionId: query.sessionId,
    userId: query.userId,
    traceId: query.traceId,
    search: query.search,
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
    if (typeof time === "number" && typeof id === "string" && !Number.isNaN(startTime.getTime())) return { startTime, id };
  } catch {
    // falls through to the error below
  }
  throw badRequest("cursor: not a cursor returned by this API");
}
