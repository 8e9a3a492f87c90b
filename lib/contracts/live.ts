/**
 * The live streams' events (GET /api/v1/traces/{traceId}/events, GET /api/v1/requests/events):
 * Server-Sent Events, declared once for the server that sends them and the dashboard that reads
 * them. Pure types and constants: safe to import from every layer, browser code included.
 */

/** `event: request`: one request, sent once its batch is committed (the read API then has it). */
export const LIVE_REQUEST_EVENT = "request";
/**
 * `event: ready` (trace streams): sent once the stream listens, usually first. A view that fetched
 * the trace before compares the count with what it has, and fetches again only if it differs.
 */
export const LIVE_READY_EVENT = "ready";
/** `event: end`: the server is closing the stream on purpose; a client should not reconnect by itself. */
export const LIVE_END_EVENT = "end";

/** The data of a `request` event: enough to place the node and say what happened, not its content. */
export interface LiveRequestEvent {
  id: string;
  traceId: string | null;
  nodeId: string | null;
  parentNodeId: string | null;
  sessionId: string | null;
  source: string;
  provider: string;
  model: string | null;
  /** status the client saw; 0 when no response came at all */
  status: number;
  /** ISO 8601 */
  startTime: string;
  latencyMs: number;
}

/** The data of a `ready` event. */
export interface LiveReadyEvent {
  /** the trace's requests stored when the stream began listening (as counted by the trace API); null when unknown */
  requestCount: number | null;
}

/**
 * The data of an `end` event. `idle`: nothing was stored for the stream's idle timeout
 * (LIVE_IDLE_TIMEOUT_SECONDS). (A client that reads too slowly is cut off without one: its
 * EventSource reconnects, and it fetches what it missed.)
 */
export interface LiveEndEvent {
  reason: "idle";
}
