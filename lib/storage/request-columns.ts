import type { LoggedRequest } from "../domain/logged-request";

/**
 * The Request table's columns, listed once: what the read queries select (every column but the
 * organization, which they filter on, and the insert time) and what the batch insert writes. A
 * module of its own so that the write thread, which never loads Prisma's client, can import it.
 */
export const requestListFields = {
  id: true,
  source: true,
  provider: true,
  model: true,
  method: true,
  path: true,
  status: true,
  errorReason: true,
  cancelled: true,
  startTime: true,
  endTime: true,
  latencyMs: true,
  timeToFirstTokenMs: true,
  stream: true,
  promptTokens: true,
  completionTokens: true,
  cachedTokens: true,
  totalTokens: true,
  tokensEstimated: true,
  costUsd: true,
  costUnknown: true,
  traceId: true,
  nodeId: true,
  parentNodeId: true,
  traceError: true,
  sessionId: true,
  sessionName: true,
  userId: true,
  properties: true,
  // not a field of the record: storage derives it (usage-rollups.ts)
  usageRollup: true,
} as const;

type RequestColumn = Exclude<keyof LoggedRequest, "requestBody" | "responseBody" | "requestHeaders" | "responseHeaders"> | "createdAt" | "usageRollup";

// As a record typed by the record's fields, so that the compiler insists on every one of them
// (bodies and headers live in RequestBody) and on nothing else.
const REQUEST_COLUMN_SET = { ...requestListFields, organizationId: true, createdAt: true } satisfies Record<RequestColumn, true>;
// …and a spread escapes the excess-property check: a column the record does not have fails here.
const noExtraColumns: [Exclude<keyof typeof REQUEST_COLUMN_SET, RequestColumn>] extends [never] ? true : never = true;
void noExtraColumns;

export const REQUEST_COLUMNS = Object.keys(REQUEST_COLUMN_SET) as RequestColumn[];
