import { z } from "zod";
import { parseDimension, type Dimension } from "../domain/insights/dimensions";
import { badRequest } from "../shared/api-error";
import type { MetricsSlice } from "../storage/metrics";
import { asStored, requestFilterFields, splitQuery } from "./request-filter-params";

/** With neither `from` nor `to`, the last 24 hours (the dashboard's default range). */
export const DEFAULT_RANGE_MS = 24 * 3_600_000;

const sliceFields = z.object(requestFilterFields);
const SLICE_PARAMETERS = Object.keys(requestFilterFields);

/**
 * The slice every metrics endpoint takes: `[from, to)` (ISO 8601 or epoch ms; `to` defaults to
 * now, `from` to 24 hours before `to`) and the Requests page's filters. `extra` is the
 * endpoint's own parameters' schema. A parameter the endpoint does not know is refused rather
 * than ignored: a misspelt `groupby` would otherwise answer quietly without grouping.
 */
export function parseMetricsQuery<E extends z.ZodRawShape>(
  searchParams: URLSearchParams,
  organizationId: string,
  nowMs: number,
  extra: E,
): { slice: MetricsSlice; options: z.infer<z.ZodObject<E>> } {
  const { plain, properties } = splitQuery(searchParams);
  const known = [...SLICE_PARAMETERS, ...Object.keys(extra)];
  const unknown = Object.keys(plain).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw badRequest(`unknown parameter${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")}: this endpoint takes ${known.join(", ")} and property.<key>`);
  }
  const query = sliceFields.parse(plain);
  const options = z.object(extra).parse(plain);
  const to = query.to ?? new Date(nowMs);
  const from = query.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
  if (from >= to) throw badRequest(`from (${from.toISOString()}) must be before to (${to.toISOString()}): the range is [from, to)`);
  const slice: MetricsSlice = {
    organizationId,
    from,
    before: to,
    model: asStored(query.model),
    provider: asStored(query.provider),
    status: query.status,
    sessionId: asStored(query.sessionId),
    userId: asStored(query.userId),
    properties,
  };
  return { slice, options };
}

/** `groupBy` / `by`: model, provider, status, userId, sessionId or property.<key>. */
export const dimensionParam = z.string().transform((value, ctx): Dimension => {
  const parsed = parseDimension(asStored(value));
  if (parsed.ok) return parsed.dimension;
  ctx.addIssue({ code: "custom", message: parsed.reason });
  return z.NEVER;
});
