import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactAttributes } from "@/lib/ingest/otlp/redact-attributes";

describe("OTLP attribute redaction", () => {
  it("credential headers recorded as attributes, and attributes named for a credential, are redacted; the rest is kept", () => {
    const attributes = {
      "http.request.header.authorization": ["Bearer sk-live-abcdefghijklmnop"],
      "http.request.header.x-api-key": ["sk-ant-0123456789abcdef"],
      "http.request.header.content-type": ["application/json"],
      "http.response.header.set-cookie": ["session=abc"],
      "openai.api_key": "sk-proj-0123456789",
      "db.password": "hunter2",
      "gen_ai.usage.input_tokens": 12,
      "llm.token_count.prompt": 12,
      "gen_ai.request.model": "gpt-4o-mini",
    };
    expect(redactAttributes(attributes)).toEqual({
      "http.request.header.authorization": "[redacted]",
      "http.request.header.x-api-key": "[redacted]",
      "http.request.header.content-type": ["application/json"],
      "http.response.header.set-cookie": "[redacted]",
      "openai.api_key": "[redacted]",
      "db.password": "[redacted]",
      "gen_ai.usage.input_tokens": 12,
      "llm.token_count.prompt": 12,
      "gen_ai.request.model": "gpt-4o-mini",
    });
  });

  it("property: a bearer credential under any http.request.header.<name> never survives", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.stringMatching(/^[A-Za-z0-9]{12,40}$/), (name, secret) => {
        const redacted = redactAttributes({ [`http.request.header.${name}`]: [`Bearer ${secret}`] });
        expect(JSON.stringify(redacted)).not.toContain(secret);
      }),
    );
  });

  it("returns the same object when nothing is secret (no copy per span)", () => {
    const attributes = { "service.name": "agent", "gen_ai.system": "openai" };
    expect(redactAttributes(attributes)).toBe(attributes);
  });
});
