const MAX_REASON_LENGTH = 500;

/** Why a call the client gave up on has no complete answer: the proxy's words, and a custom log's for Helicone's status -3. */
export const CANCELLED_REASON = "cancelled by the client before the response ended";

/**
 * A one-line reason for a failed call, from the provider's error body when it has one
 * (OpenAI `{error:{message}}`, Anthropic `{type:"error",error:{message}}`), else the status.
 */
export function errorReasonFromBody(body: unknown, status: number): string {
  const parsed = typeof body === "string" ? tryParseJson(body) : body;
  const error = (parsed as { error?: unknown } | null)?.error;
  const message =
    typeof error === "string" ? error : typeof (error as { message?: unknown })?.message === "string" ? (error as { message: string }).message : null;
  return clipped(message ?? statusReason(status));
}

/** 0: nothing answered; a negative status is one a logger sent for "no HTTP status" (Helicone's codes). */
function statusReason(status: number): string {
  if (status === 0) return "no response";
  return status < 0 ? `no HTTP status (logged as ${status})` : `HTTP ${status}`;
}

/**
 * As errorReasonFromBody, for an answer the caller logged as text (Helicone's logBuilder sends an
 * error's stack there): text that is not a JSON error gives its first line.
 */
export function errorReasonFromText(text: string, status: number): string {
  const firstLine = text.split("\n").find((line) => line.trim() !== "")?.trim();
  if (!firstLine || tryParseJson(text) !== null || /^(data|event):|^\{/.test(firstLine)) return errorReasonFromBody(text, status);
  return clipped(firstLine);
}

function clipped(reason: string): string {
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason;
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
