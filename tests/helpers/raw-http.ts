// HTTP below fetch: bytes fetch refuses to send (CR, LF, NUL in headers; raw non-ASCII), and
// bodies too large to hold in memory, streamed until the server answers.
import { request as httpRequest } from "node:http";
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `bytes` (a whole request, ideally with `Connection: close`) on a new connection and
 * reads the answer until the server closes it. Rejects when no status line came back at all.
 */
export function sendRawHttp(url: string, bytes: Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    // The server may reset a connection it refused while we were still writing: keep what it said.
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      try {
        resolve(parseResponse(raw));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function parseResponse(raw: Buffer): RawResponse {
  const headEnd = raw.indexOf("\r\n\r\n");
  if (headEnd === -1) throw new Error(`no HTTP response, got ${JSON.stringify(raw.toString("latin1").slice(0, 200))}`);
  const [statusLine, ...headerLines] = raw.subarray(0, headEnd).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(headEnd + 4);
  if (headers["transfer-encoding"] === "chunked") body = dechunk(body);
  else if (headers["content-length"] !== undefined) body = body.subarray(0, Number(headers["content-length"]));
  return { status, headers, body: body.toString("utf8") };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf("\r\n", at);
    if (lineEnd === -1) break;
    const size = parseInt(body.subarray(at, lineEnd).toString("latin1"), 16);
    if (!size) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export interface StreamedResponse extends RawResponse {
  /** body bytes written before the answer came */
  bytesWritten: number;
  elapsedMs: number;
}

/**
 * POSTs a body of `totalBytes` (`prefix`, then filler) in 1 MiB chunks, with Content-Length or
 * chunked, and stops writing as soon as the server answers: a server that refuses a large body
 * early is not made to wait for the rest of it.
 */
export function sendStreamedBody(
  url: string,
  options: { headers: Record<string, string>; totalBytes: number; chunked: boolean; prefix: string },
): Promise<StreamedResponse> {
  const started = performance.now();
  const filler = Buffer.alloc(1024 * 1024, "a");
  return new Promise((resolve, reject) => {
    let answered = false;
    let bytesWritten = 0;
    const req = httpRequest(url, {
      method: "POST",
      headers: { ...options.headers, ...(options.chunked ? {} : { "content-length": String(options.totalBytes) }) },
    });
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => {
        const headers = Object.fromEntries(Object.entries(res.headers).map(([name, value]) => [name, String(value)]));
        resolve({ status: res.statusCode!, headers, body: Buffer.concat(chunks).toString("utf8"), bytesWritten, elapsedMs: performance.now() - started });
        req.destroy();
      });
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });

    let prefix: Buffer | null = options.prefix ? Buffer.from(options.prefix) : null;
    const writeMore = () => {
      while (!answered && bytesWritten < options.totalBytes) {
        const chunk = (prefix ?? filler).subarray(0, options.totalBytes - bytesWritten);
        prefix = null;
        bytesWritten += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", writeMore);
          return;
        }
      }
      if (!answered) req.end();
    };
    writeMore();
  });
}
