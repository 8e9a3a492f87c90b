import { Readable } from "node:stream";

/**
 * JSON as it is written, chunk by chunk: a 10,000-node trace is 8.5 MB, which never exists as one
 * string or one buffer. Next compresses it as it compresses every response (a route handler
 * cannot send its own Content-Encoding: Next drops that header).
 */
export function jsonStream(chunks: Iterable<Buffer>): Response {
  const body = Readable.toWeb(Readable.from(chunks, { objectMode: false })) as ReadableStream<Uint8Array>;
  return new Response(body, { headers: { "content-type": "application/json" } });
}
