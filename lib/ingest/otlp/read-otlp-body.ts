import type { IncomingMessage } from "node:http";
import { createGunzip } from "node:zlib";
import { ApiError } from "../../shared/api-error";
import { BodyTooLargeError, readBody } from "../read-body";

/**
 * The request body, gunzipped when `Content-Encoding: gzip`. The limit applies to the bytes
 * received and, separately, to the bytes inflated (the spec: "including after decompression").
 * Inflation streams and stops at the limit, so a gzip bomb costs at most `maxBytes` of memory
 * and a few milliseconds; the rest of the upload is drained unread so the answer can be sent.
 */
export async function readOtlpBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  const declaredLength = Number(req.headers["content-length"]);
  if (declaredLength > maxBytes) throw tooLarge(maxBytes);
  if (encoding === "gzip" || encoding === "x-gzip") return gunzipWithLimit(req, maxBytes);
  if (encoding !== "identity" && encoding !== "") {
    throw new ApiError("unsupported_encoding", `Content-Encoding "${encoding}" is not supported: send gzip or no encoding.`, 415);
  }
  try {
    return await readBody(req, maxBytes);
  } catch (error) {
    throw error instanceof BodyTooLargeError ? tooLarge(maxBytes) : error;
  }
}

function gunzipWithLimit(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let received = 0;
    let inflated = 0;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      req.unpipe(gunzip);
      gunzip.destroy();
      req.resume();
      reject(error);
    };

    // Counted apart from the output: a stream of empty gzip members inflates to nothing, forever.
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) fail(tooLarge(maxBytes));
    });
    req.on("error", fail);
    req.on("aborted", () => fail(new Error("client aborted the request")));
    gunzip.on("data", (chunk: Buffer) => {
      inflated += chunk.length;
      if (inflated > maxBytes) fail(tooLarge(maxBytes));
      else chunks.push(chunk);
    });
    gunzip.on("error", () => fail(new ApiError("invalid_gzip", "Body is not valid gzip (Content-Encoding: gzip).", 400)));
    gunzip.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, inflated));
    });
    req.pipe(gunzip);
  });
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError("payload_too_large", `Body exceeds ${maxBytes} bytes (after decompression); send smaller batches.`, 413);
}
