import { parseJsonWithinNesting } from "../shared/json-nesting";
import type { RequestRow } from "../storage/requests";

/** How a logged request looks in the read API: ISO times, `cost` in USD, properties as an object. */
export function toRequestDto(row: RequestRow) {
  const { costUsd, properties, startTime, endTime, ...rest } = row;
  return {
    ...rest,
    startTime: startTime.toISOString(),
    endTime: endTime.toISOString(),
    cost: costUsd,
    properties: parseJsonObject(properties),
  };
}

export type RequestDto = ReturnType<typeof toRequestDto>;

export function parseJsonObject(text: string): Record<string, string> {
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/**
 * Bodies come back as JSON when they are JSON, else as the text that was logged. JSON nested
 * deeper than JSON.stringify can write back (a proxied body is stored as sent) stays text too.
 */
export function parseBody(text: string | null): unknown {
  if (text === null) return null;
  const parsed = parseJsonWithinNesting(text);
  return parsed.ok ? parsed.value : text;
}
