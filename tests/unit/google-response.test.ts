import { describe, expect, it } from "vitest";
import { readProviderExchange } from "../../lib/ingest/providers";

// Gemini's wire format as Helicone's logger forwards it to /googleapis/v1/log.
const chunk = (text: string, extra: Record<string, unknown> = {}) => ({
  candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0, ...("finishReason" in extra ? { finishReason: extra.finishReason } : {}) }],
  modelVersion: "gemini-2.0-flash",
  ...("usageMetadata" in extra ? { usageMetadata: extra.usageMetadata } : {}),
});
const usage = { promptTokenCount: 12, candidatesTokenCount: 7, totalTokenCount: 19 };
const chunks = [chunk("Kyoto "), chunk("in "), chunk("autumn.", { finishReason: "STOP", usageMetadata: usage })];
const read = (responseBody: string | object, path = "/v1beta/models/gemini-2.0-flash:streamGenerateContent") =>
  readProviderExchange("google", { path, requestBody: { contents: [] }, responseBody, responseContentType: null });

describe("Gemini responses", () => {
  it("reads model, usage and body of a generateContent answer", () => {
    const result = read({ ...chunk("Kyoto in autumn.", { finishReason: "STOP", usageMetadata: { ...usage, thoughtsTokenCount: 3, cachedContentTokenCount: 4 } }) });
    expect(result).toMatchObject({ model: "gemini-2.0-flash", stream: false, usage: { promptTokens: 12, completionTokens: 10, cachedTokens: 4, totalTokens: 19, estimated: false } });
  });

  it.each([
    ["server-sent events (alt=sse)", chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join("")],
    ["JSON lines", chunks.map((c) => JSON.stringify(c)).join("\n")],
    ["the JSON array of the REST stream", JSON.stringify(chunks)],
  ])("reassembles a stream sent as %s into one answer with the last usage", (_, body) => {
    const result = read(body);
    expect(result).toMatchObject({ model: "gemini-2.0-flash", stream: true, usage: { promptTokens: 12, completionTokens: 7, totalTokens: 19 } });
    expect(JSON.parse(result.storedResponseBody!)).toEqual({
      candidates: [{ content: { role: "model", parts: [{ text: "Kyoto in autumn." }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: usage,
      modelVersion: "gemini-2.0-flash",
    });
  });

  it("takes the model from the request path when the answer names none, and reports no usage for an error", () => {
    const result = read({ error: { code: 400, message: "API key not valid", status: "INVALID_ARGUMENT" } }, "/v1beta/models/gemini-1.5-pro:generateContent");
    expect(result).toMatchObject({ model: "gemini-1.5-pro", stream: false, usage: { promptTokens: null, completionTokens: null } });
  });
});
