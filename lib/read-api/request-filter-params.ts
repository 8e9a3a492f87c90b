import { z } from "zod";
import { badRequest } from "../shared/api-error";

/**
 * The Requests page's filters as query parameters, parsed once for every endpoint that takes them
 * (GET /api/v1/requests and the metrics): `model`, `provider`, `status`, `sessionId`, `userId`,
 * `property.<key>=<value>` (repeatable), `from`, `to`.
 */

const PROPERTY_PREFIX = "property.";

export const timeParam = z.string().transform((value, ctx) => {
  const date = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: "custom", message: "expected an ISO date or epoch milliseconds" });
    return z.NEVER;
  }
  return date;
});

const text = z.string().min(1).optional();

export const requestFilterFields = {
  model: text,
  provider: text,
  status: z
    .string()
    .transform((value, ctx) => {
      if (value === "ok" || value === "error") return value;
      if (/^\d{1,3}$/.test(value)) return Number(value);
      ctx.addIssue({ code: "custom", message: 'expected an HTTP status code (such as 200, or 0 for no response), "ok" or "error"' });
      return z.NEVER;
    })
    .optional(),
  sessionId: text,
  userId: text,
  from: timeParam.optional(),
  to: timeParam.optional(),
};

/** The query string split into `property.<key>` filters (as stored: see asStored) and the other parameters (the last of repeated ones). */
export function splitQuery(searchParams: URLSearchParams): { plain: Record<string, string>; properties: Record<string, string> } {
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
  return { plain, properties };
}

/**
 * Filter text as storage keeps it: U+0000 is stored as U+FFFD on both databases (PostgreSQL text
 * cannot hold it, see lib/storage/request-rows.ts), so a filter for a value sent with U+0000 finds
 * it there, and PostgreSQL is never handed a character it rejects with an error.
 */
export function asStored<T extends string | undefined>(text: T): T {
  return (text?.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text) as T;
}
