const MAX_REASON_LENGTH = 500;

/**
 * A one-line reason for a failed call, from the provider's error body when it has one
 * (OpenAI `{error:{message}}`, Anthropic `{type:"error",error:{message}}`), else the status.
 */
export function errorReasonFromBody(body: unknown, status: number): string {
  const parsed = typeof body === "string" ? tryParseJson(body) : body;
  const error = (parsed as { error?: unknown } | null)?.error;
  const message =
    typeof error === "string" ? error : typeof (error as { message?: unknown })?.message === "string" ? (error as { message: string }).message : null;
  const reason = message ?? (status === 0 ? "no response" : `HTTP ${status}`);
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason;
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
