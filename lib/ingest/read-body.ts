import type { IncomingMessage } from "node:http";
import { isUtf8 } from "node:buffer";
import { ApiError } from "../shared/api-error";

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Body exceeds ${limit} bytes.`);
  }
}

/**
 * Reads a whole request body, refusing (without buffering the rest) past `limit` bytes. A body
 * whose Content-Length already says it is too large is refused before a byte of it is read. The
 * rest of a refused body is drained unread, so that the answer can still be sent.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"]) > limit) {
      req.resume();
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", reject);
    req.on("aborted", () => reject(new Error("client aborted the request")));
  });
}

const BYTE_ORDER_MARK = "\uFEFF";

/**
 * A JSON body as text. JSON must be UTF-8 (RFC 8259 §8.1): decoding other bytes would quietly
 * store U+FFFD in place of what was sent, so they are a 400 naming the first bad byte. A leading
 * byte order mark, which some Windows tools write, is dropped (RFC 8259 lets parsers ignore it).
 */
export function decodeUtf8Body(body: Buffer): string {
  if (!isUtf8(body)) {
    const offset = firstInvalidUtf8Offset(body);
    throw new ApiError(
      "invalid_utf8",
      `Body is not valid UTF-8: byte ${offset} (0x${body[offset]!.toString(16).padStart(2, "0")}) does not start a valid UTF-8 sequence. Send JSON as UTF-8.`,
      400,
    );
  }
  const text = body.toString("utf8");
  return text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
}

/**
 * Offset of the first byte that does not begin a well-formed UTF-8 sequence (Unicode Table 3-7:
 * no overlong forms, no surrogates, nothing past U+10FFFF), or -1 when every byte does.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    // The second byte's range narrows for the leads that could otherwise encode overlong forms,
    // surrogates (ED A0..BF) or code points past U+10FFFF (F4 90..).
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    if (bytes[i + 1]! < low || bytes[i + 1]! > high) return i;
    for (let k = 2; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}
