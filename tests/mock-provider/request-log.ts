import type { IncomingHttpHeaders } from "node:http";

/** One request as the upstream received it, for tests that check what the proxy forwarded. */
export interface RecordedRequest {
  method: string;
  /** Path with query string, as sent. */
  path: string;
  /** Lower-cased header names, as Node parses them. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON; the raw text when it was not JSON; null when empty. */
  body: unknown;
}

/**
 * The last `capacity` requests in arrival order. A fixed ring, so recording stays O(1) and
 * bounded in memory when the mock is a load-test upstream.
 */
export class RequestLog {
  readonly #capacity: number;
  readonly #entries: RecordedRequest[] = [];
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  add(request: RecordedRequest): void {
    if (this.#capacity === 0) return;
    this.#entries[this.#next] = request;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  list(): RecordedRequest[] {
    if (this.#entries.length < this.#capacity) return [...this.#entries];
    return [...this.#entries.slice(this.#next), ...this.#entries.slice(0, this.#next)];
  }

  clear(): void {
    this.#entries.length = 0;
    this.#next = 0;
  }
}
