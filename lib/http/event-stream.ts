/** One Server-Sent Event: its name (`event:`) and its data, sent as one line of JSON. */
export interface ServerSentEvent {
  event: string;
  data: unknown;
}

export interface EventStreamOptions {
  /** the request's signal: the stream stops when the client goes */
  signal: AbortSignal;
  /** the stream ends (with `endEvent`) after this long without an event */
  idleTimeoutMs: number;
  /** a comment line this often keeps proxies and load balancers from cutting a quiet stream */
  keepAliveMs: number;
  /** the last event of a stream that ends for being idle */
  endEvent: ServerSentEvent;
  /** unsent bytes past which the client is cut off (it reads too slowly); default 1 MiB */
  maxBufferedBytes?: number;
  /**
   * Starts the source of events, which writes them (encoded by encodeEvents: one encoding can go
   * to many streams); returns the function that stops it.
   */
  start(write: (events: Uint8Array) => void): () => void;
}

const encoder = new TextEncoder();

/** `event: <name>\ndata: <json>\n\n` per event, as UTF-8: JSON.stringify never writes a line break, so the data is one line. */
export function encodeEvents(events: readonly ServerSentEvent[]): Uint8Array {
  let text = "";
  for (const { event, data } of events) text += `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  return encoder.encode(text);
}

/**
 * A `text/event-stream` response fed by a source of events. It ends quietly: after
 * `idleTimeoutMs` without an event it sends `endEvent` and closes (an EventSource told so closes
 * instead of reconnecting). A client whose unsent events pass `maxBufferedBytes` is cut off
 * without it (an EventSource reconnects). The source stops when the stream ends for any reason,
 * so nothing is left subscribed. `no-transform` keeps the response out of compression
 * (lib/http/compression.ts) and other proxies' buffering, so each event leaves as it is written.
 */
export function eventStreamResponse(options: EventStreamOptions): Response {
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  let stopSource: (() => void) | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  let keepAliveTimer: NodeJS.Timeout | null = null;
  let finished = false;

  const finish = () => {
    if (finished) return;
    finished = true;
    if (idleTimer) clearTimeout(idleTimer);
    if (keepAliveTimer) clearInterval(keepAliveTimer);
    options.signal.removeEventListener("abort", finish);
    stopSource?.();
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const end = (endEvent: ServerSentEvent | null) => {
          if (finished) return;
          if (endEvent) controller.enqueue(encodeEvents([endEvent]));
          finish();
          controller.close();
        };
        if (options.signal.aborted) {
          finished = true;
          controller.close();
          return;
        }
        options.signal.addEventListener("abort", finish);
        // Sent at once, so the client sees the stream open before the first event.
        controller.enqueue(encoder.encode(": stream open\n\n"));
        idleTimer = setTimeout(() => end(options.endEvent), options.idleTimeoutMs).unref();
        const keepAlive = encoder.encode(": keep-alive\n\n");
        keepAliveTimer = setInterval(() => controller.enqueue(keepAlive), options.keepAliveMs).unref();
        stopSource = options.start((events) => {
          if (finished) return;
          // desiredSize is the high-water mark less what waits unsent, in bytes.
          if ((controller.desiredSize ?? 0) < -maxBufferedBytes) return end(null);
          controller.enqueue(events);
          idleTimer?.refresh();
        });
      },
      cancel: finish,
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      // nginx buffers responses unless told not to
      "x-accel-buffering": "no",
    },
  });
}
