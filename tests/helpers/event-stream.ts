/**
 * A Server-Sent Events client for tests: reads a text/event-stream response as it arrives and
 * keeps every event (name and parsed JSON data) and comment, so a test can wait for an event, or
 * check that none came.
 */
export interface ReceivedEvent<T = any> {
  event: string;
  data: T;
  /** performance.now() when it was read */
  atMs: number;
}

export interface EventStreamClient {
  status: number;
  headers: Headers;
  /** the error body when the stream was refused (status ≠ 200) */
  errorBody: any;
  events: ReceivedEvent[];
  comments: string[];
  /** resolves when the server ends the stream */
  closed: Promise<void>;
  isClosed(): boolean;
  /** the first event (already received or still to come) that `matches`; rejects after `timeoutMs` */
  waitFor<T = any>(matches: (event: ReceivedEvent<T>) => boolean, timeoutMs?: number): Promise<ReceivedEvent<T>>;
  /** goes away, as a closed tab does */
  close(): void;
}

export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStreamClient> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal });
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  let closed = false;
  const wake = () => waiters.forEach((waiter) => waiter());

  let closedPromise = Promise.resolve();
  let errorBody: any = null;
  if (response.status !== 200) {
    closed = true;
    const text = await response.text();
    try {
      errorBody = JSON.parse(text);
    } catch {
      errorBody = text;
    }
  } else {
    closedPromise = (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf("\n\n")) !== -1) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let event = "message";
            const data: string[] = [];
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) comments.push(line.slice(1).trim());
              else if (line.startsWith("event:")) event = line.slice(6).trim();
              else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
            }
            if (data.length > 0) events.push({ event, data: JSON.parse(data.join("\n")), atMs: performance.now() });
          }
          wake();
        }
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      } finally {
        closed = true;
        wake();
      }
    })();
  }

  return {
    status: response.status,
    headers: response.headers,
    errorBody,
    events,
    comments,
    closed: closedPromise,
    isClosed: () => closed,
    waitFor(matches, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(matches);
          if (found) {
            done();
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching event in ${timeoutMs} ms; received: ${JSON.stringify(events.map((e) => [e.event, e.data]))}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => abort.abort(),
  };
}
