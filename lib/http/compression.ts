import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { constants, createBrotliCompress, createDeflate, createGzip, type BrotliCompress, type Deflate, type Gzip } from "node:zlib";

/**
 * Compression of everything Next answers (server.ts wraps each response before Next's handler;
 * next.config.mjs turns Next's own off). Next compressed with the `compression` middleware: gzip
 * only, at zlib's default level 6, with a full flush (which restarts the dictionary) after every
 * chunk it streamed. A 10,000-node trace (8.5 MB of JSON) spent ≈ 120 ms more through HTTP with
 * gzip than without, as long as building the trace.
 *
 * Which responses are compressed is unchanged: a compressible Content-Type (text, JSON,
 * JavaScript, XML, SVG…), no `Cache-Control: no-transform`, not already encoded, not HEAD, not a
 * known size under 1 KB; those also get `Vary: Accept-Encoding`. What changes:
 * - a 206 (a byte range of a static file) is sent as it is: its Content-Range counts stored bytes;
 * - brotli when the client accepts it (fetch and browsers offer `br` over HTTPS only);
 * - the level follows the size (see compressionLevel): bulk bodies, like the read API's JSON, get
 *   the fast levels (gzip 1, brotli 1: on the 8.5 MB trace 18 / 16 ms, against 45 ms for gzip 6,
 *   for 8.7 / 8.0 % of the size against 7.2 %); static files and pages are compressed as well as
 *   before or better (gzip 6, brotli 4; the login page is 2.4 KB, against 2.8 KB from Next),
 *   where brotli 1 would lose: it compresses each flushed piece of a streamed page on its own
 *   (3.1 KB);
 * - a flush keeps the dictionary (Z_SYNC_FLUSH), and the encoder takes a whole written chunk
 *   before pushing back, so the writer makes the next chunk while this one is compressed on the
 *   thread pool.
 */
export function compressResponse(req: IncomingMessage, res: ServerResponse): void {
  const original = {
    writeHead: res.writeHead as (...args: unknown[]) => ServerResponse,
    write: res.write as (...args: unknown[]) => boolean,
    end: res.end as (...args: unknown[]) => ServerResponse,
    on: res.on,
    removeListener: res.removeListener,
  };
  let decided = false;
  /** the encoding chosen with the headers; its encoder is made with the first body bytes */
  let encoding: Encoding | null = null;
  let statedBytes: number | undefined;
  let encoder: Encoder | undefined;
  let ended = false;
  /** the body's size when res.end(body) came before the headers */
  let endBytes: number | undefined;
  /** `drain` listeners added before there is an encoder to wait for */
  let pendingDrain: ((...args: unknown[]) => void)[] | null = [];

  function decide(statusCode: number): void {
    decided = true;
    statedBytes = knownBodyBytes(res.getHeader("content-length")) ?? endBytes;
    const choice = chooseCompression({
      method: req.method,
      statusCode,
      acceptEncoding: req.headers["accept-encoding"],
      contentType: headerText(res.getHeader("content-type")),
      contentEncoding: headerText(res.getHeader("content-encoding")),
      cacheControl: headerText(res.getHeader("cache-control")),
      bodyBytes: statedBytes,
    });
    if (choice.vary) addVary(res, "Accept-Encoding");
    encoding = choice.encoding;
    if (encoding) {
      res.setHeader("Content-Encoding", encoding);
      res.removeHeader("Content-Length");
    } else {
      for (const listener of pendingDrain!) original.on.call(res, "drain", listener);
      pendingDrain = null;
    }
  }

  function startEncoder(firstChunkBytes: number): Encoder {
    const stream = createEncoder(encoding!, compressionLevel(encoding!, statedBytes, firstChunkBytes));
    stream.on("data", (chunk: Buffer) => {
      if (!original.write.call(res, chunk)) stream.pause();
    });
    stream.on("end", () => original.end.call(res));
    stream.on("error", (error) => res.destroy(error));
    original.on.call(res, "drain", () => stream.resume());
    // A client that hangs up never reads the rest: release the encoder's memory now.
    original.on.call(res, "close", () => {
      if (!res.writableFinished) stream.destroy();
    });
    for (const listener of pendingDrain!) stream.on("drain", listener);
    pendingDrain = null;
    encoder = stream;
    return stream;
  }

  res.writeHead = function writeHead(this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    if (!decided) {
      // writeHead(status, [message], [headers]): headers given here count for the decision too.
      const headers = rest[rest.length - 1];
      if (headers && typeof headers === "object") {
        rest = rest.slice(0, -1);
        applyHeaders(this, headers as OutgoingHttpHeaders | unknown[]);
      }
      decide(statusCode);
    }
    return original.writeHead.call(this, statusCode, ...rest);
  } as ServerResponse["writeHead"];

  res.write = function write(this: ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
    if (ended) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    if (!encoding) return original.write.call(this, chunk, ...rest);
    const bytes = toBuffer(chunk, rest[0]);
    const callback = typeof rest[rest.length - 1] === "function" ? (rest[rest.length - 1] as (error?: Error | null) => void) : undefined;
    if (!encoder && bytes.length === 0) {
      // Says nothing about the body's size yet: the encoder (and its level) waits for real bytes.
      if (callback) process.nextTick(callback);
      return true;
    }
    return (encoder ?? startEncoder(bytes.length)).write(bytes, callback);
  } as ServerResponse["write"];

  res.end = function end(this: ServerResponse, ...args: unknown[]): ServerResponse {
    if (ended) return this;
    const callback = typeof args[args.length - 1] === "function" ? (args.pop() as () => void) : undefined;
    const bytes = args[0] === undefined || args[0] === null ? undefined : toBuffer(args[0], args[1]);
    if (!this.headersSent) {
      endBytes = bytes?.length ?? 0;
      this.writeHead(this.statusCode);
    }
    if (!encoding) return original.end.call(this, ...args, ...(callback ? [callback] : []));
    ended = true;
    if (callback) this.once("finish", callback);
    const stream = encoder ?? startEncoder(bytes?.length ?? 0);
    if (bytes) stream.end(bytes);
    else stream.end();
    return this;
  } as ServerResponse["end"];

  // Writers wait for `drain` after a write that returned false: the encoder's, once there is one.
  res.on = res.addListener = function on(this: ServerResponse, event: string | symbol, listener: (...args: unknown[]) => void) {
    if (event !== "drain") return original.on.call(this, event, listener);
    if (pendingDrain) pendingDrain.push(listener);
    else if (encoder) encoder.on("drain", listener);
    else original.on.call(this, "drain", listener);
    return this;
  } as ServerResponse["on"];
  res.removeListener = res.off = function off(this: ServerResponse, event: string | symbol, listener: (...args: unknown[]) => void) {
    if (event === "drain" && pendingDrain) pendingDrain = pendingDrain.filter((l) => l !== listener);
    else if (event === "drain" && encoder) encoder.removeListener("drain", listener);
    else original.removeListener.call(this, event, listener);
    return this;
  } as ServerResponse["removeListener"];

  // Next calls res.flush() after each chunk it streams, when the response has one. The flush ends
  // what was written so far at a byte boundary and keeps the dictionary.
  (res as ServerResponse & { flush(): void }).flush = () => {
    if (encoder && !ended) encoder.flush(encoding === "br" ? constants.BROTLI_OPERATION_FLUSH : constants.Z_SYNC_FLUSH);
  };
}

export type Encoding = "br" | "gzip" | "deflate";

/** Below this many bytes (when known) compressing gains nothing: the same threshold as Next's. */
export const MIN_COMPRESSED_BYTES = 1024;

/** A stated size up to this gets the thorough levels (compressionLevel). */
export const THOROUGH_MAX_BYTES = 1024 * 1024;

/** With no size stated, a first chunk this large marks bulk data (compressionLevel). */
export const BULK_CHUNK_BYTES = 64 * 1024;

export interface CompressionInput {
  method: string | undefined;
  statusCode: number;
  acceptEncoding: string | string[] | undefined;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  cacheControl: string | undefined;
  /** the body's size when known before it is written (Content-Length, or a body given whole) */
  bodyBytes: number | undefined;
}

export interface CompressionChoice {
  /** whether the answer depends on Accept-Encoding (then `Vary: Accept-Encoding` is sent) */
  vary: boolean;
  encoding: Encoding | null;
}

/** Whether to compress one response, and how, from its request and headers. */
export function chooseCompression(input: CompressionInput): CompressionChoice {
  const none = (vary: boolean): CompressionChoice => ({ vary, encoding: null });
  if (!isCompressible(input.contentType)) return none(false);
  if (input.cacheControl && /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(input.cacheControl)) return none(false);
  const withoutBody = input.method === "HEAD" || input.statusCode === 204 || input.statusCode === 304 || input.statusCode < 200;
  // A 206's Content-Range counts bytes of the file as stored: compressing the part would break it.
  if (withoutBody || input.statusCode === 206) return none(true);
  if (input.bodyBytes !== undefined && input.bodyBytes < MIN_COMPRESSED_BYTES) return none(true);
  if (input.contentEncoding && input.contentEncoding.toLowerCase() !== "identity") return none(true);
  return { vary: true, encoding: negotiateEncoding(input.acceptEncoding) };
}

/**
 * The gzip/deflate level or brotli quality for a body: fast for bulk data, thorough otherwise.
 * Bulk means a stated size over 1 MiB, or, with no size stated, a first chunk of 64 KiB or more
 * (the trace API writes 256 KiB at a time; a JSON answer comes as one chunk). Static files (their
 * size stated, ≤ 1 MiB) and pages (streamed in small pieces) get the thorough levels, where the
 * cost is small and the bytes are fewer for every browser that loads them.
 */
export function compressionLevel(encoding: Encoding, statedBytes: number | undefined, firstChunkBytes: number): number {
  const bulk = statedBytes !== undefined ? statedBytes > THOROUGH_MAX_BYTES : firstChunkBytes >= BULK_CHUNK_BYTES;
  return LEVELS[encoding][bulk ? "fast" : "thorough"];
}

const LEVELS: Record<Encoding, { fast: number; thorough: number }> = {
  br: { fast: 1, thorough: 4 },
  gzip: { fast: 1, thorough: 6 },
  deflate: { fast: 1, thorough: 6 },
};

/**
 * The encoding to send for an Accept-Encoding header: the one with the highest q-value (`*`
 * standing for any not named), brotli first on a tie, then gzip, then deflate; null when none is
 * acceptable or `identity` is explicitly preferred. No header means no compression.
 */
export function negotiateEncoding(header: string | string[] | undefined): Encoding | null {
  if (header === undefined) return null;
  const qualities = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(",") : header).split(",")) {
    const [name, ...params] = part.split(";");
    const coding = name!.trim().toLowerCase();
    if (!coding) continue;
    let quality = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(param);
      if (match) quality = Number(match[1]);
    }
    if (Number.isFinite(quality)) qualities.set(coding, Math.max(qualities.get(coding) ?? 0, quality));
  }
  const any = qualities.get("*");
  let best: Encoding | null = null;
  let bestQuality = 0;
  for (const coding of ["br", "gzip", "deflate"] as const) {
    const quality = qualities.get(coding) ?? any ?? 0;
    if (quality > bestQuality) {
      best = coding;
      bestQuality = quality;
    }
  }
  const identity = qualities.get("identity");
  return identity !== undefined && identity > bestQuality ? null : best;
}

/**
 * Media types worth compressing, as Next's middleware decided (mime-db's `compressible`): text,
 * JSON, JavaScript, XML and their `+json`/`+xml` kinds, SVG, icons, uncompressed fonts, wasm.
 */
export function isCompressible(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return (
    type.startsWith("text/") ||
    /\+(?:json|text|xml)$/.test(type) ||
    COMPRESSIBLE_TYPES.has(type)
  );
}

const COMPRESSIBLE_TYPES = new Set([
  "application/json",
  "application/javascript",
  "application/x-javascript",
  "application/ecmascript",
  "application/xml",
  "application/wasm",
  "application/x-ndjson",
  "image/svg+xml",
  "image/x-icon",
  "image/vnd.microsoft.icon",
  "image/bmp",
  "font/ttf",
  "font/otf",
  "application/vnd.ms-fontobject",
]);

type Encoder = Gzip | Deflate | BrotliCompress;

function createEncoder(encoding: Encoding, level: number): Encoder {
  // Taking a whole written chunk (the trace API writes 256 KiB at a time) before pushing back lets
  // the writer make the next one while this one is compressed, instead of taking turns.
  const stream = { writableHighWaterMark: 1024 * 1024, chunkSize: 64 * 1024 };
  if (encoding === "br") return createBrotliCompress({ ...stream, params: { [constants.BROTLI_PARAM_QUALITY]: level } });
  return encoding === "gzip" ? createGzip({ ...stream, level }) : createDeflate({ ...stream, level });
}

function addVary(res: ServerResponse, field: string): void {
  const current = headerText(res.getHeader("vary"));
  if (!current) {
    res.setHeader("Vary", field);
    return;
  }
  const fields = current.split(",").map((f) => f.trim().toLowerCase());
  if (fields.includes("*") || fields.includes(field.toLowerCase())) return;
  res.setHeader("Vary", `${current}, ${field}`);
}

/** Headers given to writeHead, set on the response so that the decision sees them. */
function applyHeaders(res: ServerResponse, headers: OutgoingHttpHeaders | unknown[]): void {
  if (!Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
    return;
  }
  // [[name, value], …] or the raw [name, value, name, value, …]
  const pairs = Array.isArray(headers[0]) ? (headers as [string, string][]) : pairsOf(headers as string[]);
  for (const [name, value] of pairs) res.appendHeader(name, value);
}

function pairsOf(flat: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  return pairs;
}

function headerText(value: number | string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(", ") : String(value);
}

function knownBodyBytes(contentLength: number | string | string[] | undefined): number | undefined {
  const text = headerText(contentLength);
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text);
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
}
