/** Server-sent event framing as the two providers write it. */

/** OpenAI: unnamed events, `data:` only. */
export function dataFrame(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** OpenAI's end-of-stream sentinel; the SDKs stop reading at it. */
export const DONE_FRAME = "data: [DONE]\n\n";

/** Anthropic: every event is named after its payload's `type`. */
export function namedFrame(payload: { type: string }): string {
  return `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}
