import { LIVE_END_EVENT, LIVE_REQUEST_EVENT, type LiveEndEvent } from "../contracts/live";
import { parseNodeId } from "../domain/node-id";
import { eventStreamResponse } from "../http/event-stream";
import { liveBus, type LiveTopic, type StoredRequest } from "../live/live-bus";
import { badRequest } from "../shared/api-error";
import { config } from "../shared/config";

// Proxies and load balancers commonly cut a connection after 60 s without a byte.
const KEEP_ALIVE_MS = 15_000;

/**
 * GET /api/v1/traces/{traceId}/events: a request event for each request of the trace the
 * organization stores from now on. The trace need not exist yet: the stream waits for its first
 * node. Another organization's trace of the same id is a different topic and sends nothing here.
 */
export function traceEventsForApi(organizationId: string, traceId: string, signal: AbortSignal): Response {
  const parsed = parseNodeId(traceId);
  if (!parsed.ok) throw badRequest(`traceId: ${parsed.reason}`);
  if (parsed.depth !== 1 || parsed.nodeId !== traceId) throw badRequest("traceId: a trace id is the first segment of a node id, without ':' or surrounding spaces");
  return liveEvents({ organizationId, traceId }, signal);
}

/** GET /api/v1/requests/events: a request event for each request the organization stores from now on. */
export function requestEventsForApi(organizationId: string, signal: AbortSignal): Response {
  return liveEvents({ organizationId }, signal);
}

function liveEvents(topic: LiveTopic, signal: AbortSignal): Response {
  const idleTimeoutMs = config().LIVE_IDLE_TIMEOUT_SECONDS * 1000;
  return eventStreamResponse({
    signal,
    idleTimeoutMs,
    // A short idle timeout (tests) still hears a keep-alive before it ends.
    keepAliveMs: Math.min(KEEP_ALIVE_MS, idleTimeoutMs / 2),
    endEvent: { event: LIVE_END_EVENT, data: { reason: "idle" } satisfies LiveEndEvent },
    start: (send) => liveBus().subscribe(topic, (requests) => send(requests.map(toEvent))),
  });
}

/** The organization stays on the server: the stream is the organization's already. */
function toEvent({ event }: StoredRequest) {
  return { event: LIVE_REQUEST_EVENT, data: event };
}
