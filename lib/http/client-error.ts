import type { Duplex } from "node:stream";

/**
 * Answers a request node:http could not even parse (its `clientError` event): a header with a bare
 * CR or LF, a NUL or another control character, a header section too large, a bad Content-Length.
 * Node's default answer is a bodiless `400 Bad Request`; this one says what is wrong, in the
 * `{ error: { code, message } }` shape every other error has. Wire it with
 * `server.on("clientError", answerClientError)`.
 */
export function answerClientError(error: Error & { code?: string; reason?: string }, socket: Duplex): void {
  // A connection the client already dropped, or one mid-response, cannot carry an answer.
  if (error.code === "ECONNRESET" || !socket.writable || (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, code, message } = describeClientError(error);
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large" };

export function describeClientError(error: Error & { code?: string; reason?: string }): { status: number; code: string; message: string } {
  // llhttp's own words ("Invalid header value char", "Missing expected LF after header value").
  const reason = error.reason ?? error.message.replace(/^Parse Error:\s*/, "");
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return { status: 431, code: "headers_too_large", message: "The request's headers are too large (more than 16 KB in all)." };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, code: "request_timeout", message: "The request was not received in time." };
    case "HPE_INVALID_HEADER_TOKEN":
    case "HPE_LF_EXPECTED":
    case "HPE_CR_EXPECTED":
    case "HPE_UNEXPECTED_SPACE":
      return {
        status: 400,
        code: "malformed_header",
        message: `Malformed header: ${reason}. Header names and values may not contain CR, LF, NUL or other control characters.`,
      };
    case "HPE_INVALID_CONTENT_LENGTH":
    case "HPE_UNEXPECTED_CONTENT_LENGTH":
    case "HPE_INVALID_TRANSFER_ENCODING":
    case "HPE_INVALID_CHUNK_SIZE":
      return { status: 400, code: "malformed_body_framing", message: `Malformed body framing: ${reason}.` };
    default:
      return { status: 400, code: "malformed_request", message: `Malformed HTTP request: ${reason}.` };
  }
}
