import { readJsonObject, type JsonObject } from "./exchange";

export interface SseJsonEvent {
  /** the `event:` field, null when the stream names none (OpenAI chat streams) */
  event: string | null;
  data: JsonObject;
}

/**
 * Splits a server-sent-events body into its JSON events, in order. Follows the SSE framing
 * rules that matter for provider streams: `data:` lines of one event are joined with "\n", a
 * blank line ends the event, `:` comments and other fields are ignored. Events whose data is not
 * a JSON object (`[DONE]`, or the half-written last event of a cut-off stream) are skipped, so a
 * truncated stream yields every event that arrived whole. O(body length).
 */
export function parseSseJson(body: string): SseJsonEvent[] {
  const events: SseJsonEvent[] = [];
  let eventName: string | null = null;
  let dataLines: string[] = [];

  const dispatch = () => {
    if (dataLines.length > 0) {
      const data = readJsonObject(dataLines.join("\n"));
      if (data) events.push({ event: eventName, data });
    }
    eventName = null;
    dataLines = [];
  };

  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line === "") {
      dispatch();
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

