import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { DropMode } from "./scenario";

/**
 * A response described as data, so the provider modules stay pure and all I/O (chunk spacing,
 * dropped connections) lives in writeReply. `body` is one string for JSON, or the SSE frames.
 */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | string[];
}

export function jsonReply(status: number, payload: unknown, headers: Record<string, string> = {}): Reply {
  const body = JSON.stringify(payload);
  return {
    status,
    headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...headers },
    body,
  };
}

export function sseReply(frames: string[], headers: Record<string, string> = {}): Reply {
  return {
    status: 200,
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...headers },
    body: frames,
  };
}

export interface Delivery {
  chunkDelayMs: number;
  /** `before-headers` never reaches here: nothing is written at all in that mode. */
  dropConnection: Exclude<DropMode, "before-headers"> | null;
}

/**
 * Writes the reply. With no chunk delay the body goes out in one write, which is what keeps the
 * mock cheap as a load-test upstream. A drop destroys the socket only once the bytes before it
 * are flushed, so the client really sees headers (and half a body) before the reset.
 * Rejects with an AbortError when `signal` fires mid-stream (the mock is closing).
 */
export async function writeReply(res: ServerResponse, reply: Reply, delivery: Delivery, signal: AbortSignal): Promise<void> {
  res.writeHead(reply.status, reply.headers);
  if (delivery.dropConnection === "after-headers") return destroyAfterFlush(res, "");

  const whole = typeof reply.body === "string" ? [reply.body] : reply.body;
  const sent = delivery.dropConnection === "mid-stream" ? firstHalf(whole) : whole;
  const parts = delivery.chunkDelayMs === 0 ? [sent.join("")] : sent;

  for (let index = 0; index < parts.length - 1; index++) {
    res.write(parts[index]);
    await sleep(delivery.chunkDelayMs, undefined, { signal });
    if (res.destroyed) return;
  }
  const last = parts[parts.length - 1] ?? "";
  if (delivery.dropConnection) destroyAfterFlush(res, last);
  else res.end(last);
}

/** Half the frames of a stream, or half the text of a one-piece body. */
function firstHalf(parts: string[]): string[] {
  if (parts.length > 1) return parts.slice(0, Math.ceil(parts.length / 2));
  const text = parts[0] ?? "";
  return [text.slice(0, Math.floor(text.length / 2))];
}

function destroyAfterFlush(res: ServerResponse, data: string): void {
  res.write(data, () => res.destroy());
}
