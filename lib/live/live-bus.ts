import { randomUUID } from "node:crypto";
import type { LiveRequestEvent } from "../contracts/live";
import type { LoggedRequest } from "../domain/logged-request";
import { processSingleton } from "../shared/process-slot";
import { redisChannel, redisConfigured, redisFailed, sharedRedis, subscribeRedis } from "../shared/redis";

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
 * API's event streams subscribe. The in-process bus below serves one instance; with REDIS_URL,
 * RedisLiveBus carries batches between instances too. Either way delivery is best effort and
 * after commit, so a subscriber that missed something (it connected late, it was cut off, Redis
 * was away) fetches the read API again rather than replaying.
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

/** What travels on an organization's channel: one stored batch's events, and which process stored them. */
interface ChannelMessage {
  origin: string;
  events: LiveRequestEvent[];
}

/**
 * Several instances behind a load balancer: a batch stored on one reaches the views open on every
 * other through Redis pub/sub, as one message per organization in the batch (usually one) on that
 * organization's channel. An instance subscribes to an organization's channel only while one of
 * its views follows that organization (a trace view too: its trace's events are picked out here),
 * so instances without viewers receive nothing, and Redis routes each message to the instances
 * that want it; a pattern subscription instead would send every batch to every instance. Local
 * views hear local batches directly (at once, and while Redis is away too); a process skips its
 * own messages by their origin.
 */
export class RedisLiveBus implements LiveBus {
  private readonly local = new InProcessLiveBus();
  private readonly origin = randomUUID();
  /** by organization: the channel subscription and how many local subscriptions hold it */
  private readonly channels = new Map<string, { holders: number; stop: () => void }>();

  publish(requests: readonly StoredRequest[]): void {
    this.local.publish(requests);
    const redis = sharedRedis();
    if (!redis || requests.length === 0) return;
    const byOrganization = new Map<string, LiveRequestEvent[]>();
    for (const { organizationId, event } of requests) {
      const events = byOrganization.get(organizationId);
      if (events) events.push(event);
      else byOrganization.set(organizationId, [event]);
    }
    for (const [organizationId, events] of byOrganization) {
      const message: ChannelMessage = { origin: this.origin, events };
      redis.publish(channelOf(organizationId), JSON.stringify(message)).catch((error: unknown) => redisFailed("publishing live events", error));
    }
  }

  subscribe(topic: LiveTopic, listener: LiveListener): () => void {
    const stopLocal = this.local.subscribe(topic, listener);
    const release = this.holdChannel(topic.organizationId);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      stopLocal();
      release();
    };
  }

  private holdChannel(organizationId: string): () => void {
    let channel = this.channels.get(organizationId);
    if (!channel) {
      const stop = subscribeRedis(channelOf(organizationId), (message) => this.receive(organizationId, message));
      this.channels.set(organizationId, (channel = { holders: 0, stop }));
    }
    const held = channel;
    held.holders++;
    return () => {
      if (--held.holders > 0) return;
      held.stop();
      this.channels.delete(organizationId);
    };
  }

  private receive(organizationId: string, text: string): void {
    let message: ChannelMessage;
    try {
      message = JSON.parse(text) as ChannelMessage;
    } catch {
      return; // not ours: another program on the same channel name
    }
    if (message.origin === this.origin || !Array.isArray(message.events)) return;
    this.local.publish(message.events.map((event) => ({ organizationId, event })));
  }
}

function channelOf(organizationId: string): string {
  return redisChannel(`live:${organizationId}`);
}

/**
 * The process's bus: shared through Redis when REDIS_URL is set, else in-process. A process slot:
 * the log writer publishes from the custom server's copy of this module, the event streams
 * subscribe from Next's bundle, which loads its own copy.
 */
export function liveBus(): LiveBus {
  return processSingleton<LiveBus>("live.bus", () => (redisConfigured() ? new RedisLiveBus() : new InProcessLiveBus()));
}
