import type { LiveRequestEvent } from "../contracts/live";
import type { LoggedRequest } from "../domain/logged-request";
import { processSingleton } from "../shared/process-slot";

/** A request just committed to storage, as live streams are told of it: its event and whose it is. */
export interface StoredRequest {
  organizationId: string;
  event: LiveRequestEvent;
}

/** What a subscriber listens to: one organization's requests, or only those of one of its traces. */
export interface LiveTopic {
  organizationId: string;
  /** absent: every request of the organization */
  traceId?: string;
}

/** Told of the requests of one committed batch that match its topic, in batch order (never an empty list). */
export type LiveListener = (requests: readonly StoredRequest[]) => void;

/**
 * Tells open live views what was stored. The log writer publishes each committed batch; the read
 * API's event streams subscribe. The in-process bus below serves one instance; several instances
 * behind a load balancer need one that carries batches between them (Redis pub/sub, issue 15),
 * with the same contract: delivery is best effort and after commit, so a subscriber that missed
 * something (it connected late, it was cut off) fetches the read API again rather than replaying.
 */
export interface LiveBus {
  publish(requests: readonly StoredRequest[]): void;
  /** Returns the function that ends the subscription (safe to call more than once). */
  subscribe(topic: LiveTopic, listener: LiveListener): () => void;
}

/** The event of a stored record: the fields a live view places a node with, never its content. */
export function storedRequestOf(record: LoggedRequest): StoredRequest {
  return {
    organizationId: record.organizationId,
    event: {
      id: record.id,
      traceId: record.traceId,
      nodeId: record.nodeId,
      parentNodeId: record.parentNodeId,
      sessionId: record.sessionId,
      source: record.source,
      provider: record.provider,
      model: record.model,
      status: record.status,
      startTime: record.startTime.toISOString(),
      latencyMs: record.latencyMs,
    },
  };
}

/**
 * Subscribers indexed by topic, so a publish costs a map lookup per request and topic kind,
 * whatever the number of subscribers on other traces and organizations; a batch reaches each
 * subscriber as one call, not one per request.
 */
export class InProcessLiveBus implements LiveBus {
  private readonly listeners = new Map<string, Set<LiveListener>>();

  publish(requests: readonly StoredRequest[]): void {
    if (this.listeners.size === 0 || requests.length === 0) return;
    const byTopic = new Map<string, StoredRequest[]>();
    for (const request of requests) {
      this.collect(byTopic, topicKey({ organizationId: request.organizationId }), request);
      if (request.event.traceId !== null) this.collect(byTopic, topicKey({ organizationId: request.organizationId, traceId: request.event.traceId }), request);
    }
    for (const [key, matching] of byTopic) {
      for (const listener of this.listeners.get(key)!) {
        try {
          listener(matching);
        } catch (error) {
          // One broken stream must not keep the others, or the log writer, from going on.
          console.error("[live] a subscriber failed:", error instanceof Error ? error.message : error);
        }
      }
    }
  }

  subscribe(topic: LiveTopic, listener: LiveListener): () => void {
    const key = topicKey(topic);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    // Each subscription is its own entry, even for a listener passed twice.
    const entry: LiveListener = (requests) => listener(requests);
    set.add(entry);
    return () => {
      if (set.delete(entry) && set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
    };
  }

  private collect(byTopic: Map<string, StoredRequest[]>, key: string, request: StoredRequest): void {
    if (!this.listeners.has(key)) return;
    const list = byTopic.get(key);
    if (list) list.push(request);
    else byTopic.set(key, [request]);
  }
}

/** A topic as a map key. Organization ids never hold NUL, so no organization's key is a prefix of another's. */
export function topicKey({ organizationId, traceId }: LiveTopic): string {
  return traceId === undefined ? organizationId : `${organizationId}\u0000${traceId}`;
}

/**
 * The process's bus. A process slot: the log writer publishes from the custom server's copy of
 * this module, the event streams subscribe from Next's bundle, which loads its own copy.
 */
export function liveBus(): LiveBus {
  return processSingleton<LiveBus>("live.bus", () => new InProcessLiveBus());
}
