import { isSecretHeader, REDACTED } from "../headers";
import type { AttributeValue, Attributes } from "./otlp-span";

// OTel's opt-in HTTP semantic conventions record headers as http.request.header.<name>.
const HEADER_ATTRIBUTE = /^http\.(?:request|response)\.header\.(.+)$/i;
// Other attributes named for a credential (openai.api_key, db.password…): by the last segment only,
// so that counts such as llm.token_count.prompt or gen_ai.usage.input_tokens stay.
const SECRET_ATTRIBUTE = /(?:^|\.)(?:api[-_]?key|secret|client[-_]?secret|password|passwd|authorization|access[-_]?token|auth[-_]?token|credentials?)$/i;

/**
 * Span, event and resource attributes as they may be stored: the values of header attributes that
 * carry credentials (the same rules as the proxy's headers) and of attributes named for a
 * credential become "[redacted]". Returns the same object when nothing needed redacting.
 */
export function redactAttributes(attributes: Attributes, keys: readonly string[] = Object.keys(attributes)): Attributes {
  let redacted: Attributes | null = null;
  for (const key of keys) {
    if (!isSecretAttribute(key, attributes[key]!)) continue;
    redacted ??= { ...attributes };
    redacted[key] = REDACTED;
  }
  return redacted ?? attributes;
}

function isSecretAttribute(key: string, value: AttributeValue): boolean {
  const header = HEADER_ATTRIBUTE.exec(key);
  if (header) return isSecretHeader(header[1]!.toLowerCase(), Array.isArray(value) ? value.join(", ") : String(value));
  return SECRET_ATTRIBUTE.test(key);
}
