import { LIVE_END_EVENT, LIVE_READY_EVENT, LIVE_REQUEST_EVENT, type LiveEndEvent, type LiveReadyEvent } from "../contracts/live";
import { parseNodeId } from "../domain/node-id";
import { encodeEvents, eventStreamResponse } from "../http/event-stream";
import { liveBus, topicKey, type LiveTopic, type StoredRequest } from "../live/live-bus";
import { badRequest } from "../shared/api-error";
import { config } from "../shared/config";
import { processSingleton } from "../shared/process-slot";
import { countTraceRequests } from "../storage/traces";

// Proxies and load balancers commonly cut a connection after 60 s without a byte.
const KEEP_ALIVE_MS = 15_000;
/**
 * A topic's events go out at most this often: a busy trace stores a batch every few tens of
 * milliseconds, and each write to each open stream costs the main thread, which also serves the
 * proxy (npm run bench -- live). The trace view fetches its trace again at most this often
 * anyway (lib/queries/live-events.ts), and quiet topics' events leave at once.
 */
const FLUSH_INTERVAL_MS = 250;

/**
 * GET /api/v1/traces/{traceId}/events: a request event for each request of the trace the
 * organization stores from now on. The trace need not exist yet: the stream waits for its first
 * node. Another organization's trace of the same id is a different topic and sends nothing here.
 * Once it listens, a `ready` event says how many requests the trace has: counted after the
 * subscription, so whatever a view's earlier fetch missed is either in the count or an event.
 */
export function traceEventsForApi(organizationId: string, traceId: string, signal: AbortSignal): Response {
  const parsed = parseNodeId(traceId);
  if (!parsed.ok) throw badRequest(`traceId: ${parsed.reason}`);
  if (parsed.depth !== 1 || parsed.nodeId !== traceId) throw badRequest("traceId: a trace id is the first segment of a node id, without ':' or surrounding spaces");
  const ready = async (): Promise<LiveReadyEvent> => ({ requestCount: await countTraceRequests(organizationId, traceId).catch(() => null) });
  return liveEvents({ organizationId, traceId }, signal, ready);
}

/** GET /api/v1/requests/events: a request event for each request the organization stores from now on. */
export function requestEventsForApi(organizationId: string, signal: AbortSignal): Response {
  return liveEvents({ organizationId }, signal);
}

/** Live streams open in this process, for /api/health. */
export function openLiveStreamCount(): number {
  let count = 0;
  for (const fanout of fanouts().values()) count += fanout.size;
  return count;
}

function liveEvents(topic: LiveTopic, signal: AbortSignal, ready?: () => Promise<LiveReadyEvent>): Response {
  const idleTimeoutMs = config().LIVE_IDLE_TIMEOUT_SECONDS * 1000;
  return eventStreamResponse({
    signal,
    idleTimeoutMs,
    // A short idle timeout (tests) still hears a keep-alive before it ends.
    keepAliveMs: Math.min(KEEP_ALIVE_MS, idleTimeoutMs / 2),
    endEvent: { event: LIVE_END_EVENT, data: { reason: "idle" } satisfies LiveEndEvent },
    start: (write) => {
      const stop = fanoutFor(topic).add(write);
      if (ready) void ready().then((data) => write(encodeEvents([{ event: LIVE_READY_EVENT, data }])));
      return stop;
    },
  });
}

// A process slot: the two routes may be served from different copies of this module.
const fanouts = () => processSingleton("read-api.live-fanouts", () => new Map<string, TopicFanout>());

function fanoutFor(topic: LiveTopic): TopicFanout {
  const key = topicKey(topic);
  const all = fanouts();
  let fanout = all.get(key);
  if (!fanout) all.set(key, (fanout = new TopicFanout(topic, () => all.delete(key))));
  return fanout;
}

/**
 * Every stream open on one topic (a trace's views, an organization's Requests pages) shares one
 * bus subscription; what is stored is encoded once and written to each at most every
 * FLUSH_INTERVAL_MS: at once when the topic was quiet, else gathered until the interval is up.
 */
class TopicFanout {
  private readonly writers = new Set<(events: Uint8Array) => void>();
  private pending: StoredRequest[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastFlushMs = Number.NEGATIVE_INFINITY;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly topic: LiveTopic,
    private readonly onEmpty: () => void,
  ) {}

  get size(): number {
    return this.writers.size;
  }

  /** Adds a stream; returns the function that removes it (the last one out ends the subscription). */
  add(write: (events: Uint8Array) => void): () => void {
    // Each stream is its own entry, even when two pass the same function.
    const entry = (events: Uint8Array) => write(events);
    this.writers.add(entry);
    this.unsubscribe ??= liveBus().subscribe(this.topic, (requests) => this.gather(requests));
    return () => {
      if (!this.writers.delete(entry) || this.writers.size > 0) return;
      this.unsubscribe?.();
      if (this.timer) clearTimeout(this.timer);
      this.onEmpty();
    };
  }

  private gather(requests: readonly StoredRequest[]): void {
    for (const request of requests) this.pending.push(request);
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlushMs + FLUSH_INTERVAL_MS - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = null;
    this.lastFlushMs = performance.now();
    // The organization stays on the server: the stream is the organization's already.
    const events = encodeEvents(this.pending.map(({ event }) => ({ event: LIVE_REQUEST_EVENT, data: event })));
    this.pending = [];
    for (const write of [...this.writers]) write(events);
  }
}
