import { readJsonObject, type JsonObject } from "./exchange";

export interface SseJsonEvent {
  /** the `event:` field, null when the stream names none (OpenAI chat streams, JSON lines) */
  event: string | null;
  data: JsonObject;
}

/**
 * Splits a streamed body into its JSON events, in order. Reads server-sent events as providers
 * send them, following the SSE framing rules that matter for provider streams: `data:` lines of
 * one event are joined with "\n", a blank line ends the event, `:` comments and other fields are
 * ignored. Also reads JSON lines, one event object per line, which is how the openai and
 * Anthropic SDKs' toReadableStream() write a stream (and so how Helicone's logger sends one it
 * watched): a line opening with "{" is no SSE field, so it can only be such an event. Events
 * whose data is not a JSON object (`[DONE]`, or the half-written last event of a cut-off stream)
 * are skipped, so a truncated stream yields every event that arrived whole. O(body length).
 */
export function parseStreamEvents(body: string): SseJsonEvent[] {
  const events: SseJsonEvent[] = [];
  let eventName: string | null = null;
  let dataLines: string[] = [];

  const push = (json: string, name: string | null) => {
    const data = readJsonObject(json);
    if (data) events.push({ event: name, data });
  };
  const dispatch = () => {
    if (dataLines.length > 0) push(dataLines.join("\n"), eventName);
    eventName = null;
    dataLines = [];
  };

  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line === "") {
      dispatch();
      continue;
    }
    if (line.trimStart().startsWith("{")) {
      dispatch();
      push(line, null);
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") dataLines.push(value);
    else if (field === "event") eventName = value;
  }
  dispatch();
  return events;
}
