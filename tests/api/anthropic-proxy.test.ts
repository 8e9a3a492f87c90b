import { randomUUID } from "node:crypto";
import Anthropic, { toFile } from "@anthropic-ai/sdk";
import { expect, it } from "vitest";
import { loggedRequestTagged, uniqueTag } from "../helpers/logged-requests";
import { describeOnEachDatabase, PROVIDER_KEY } from "../helpers/test-stack";

// Published per-million-token prices (USD), below Sonnet 4.5's 200k-token long-context tier.
const SONNET_4_5 = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
const OPUS_3 = { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 };

/** What the provider bills for a Messages API usage block: each kind of token at its own rate. */
function expectedCost(price: typeof SONNET_4_5, usage: Anthropic.Usage | Anthropic.MessageDeltaUsage): number {
  return (
    ((usage.input_tokens ?? 0) * price.input +
      (usage.cache_read_input_tokens ?? 0) * price.cacheRead +
      (usage.cache_creation_input_tokens ?? 0) * price.cacheWrite +
      usage.output_tokens * price.output) /
    1e6
  );
}

// Long enough (~70 mock tokens) for the mock to report 40 of them as read from the prompt cache.
const LONG_PROMPT = `Summarize this quarterly report for the board: ${"revenue grew while costs held steady; ".repeat(6)}`;

// The Anthropic SDK pointed at /anthropic, as a user would, against the mock Messages API.
describeOnEachDatabase("Anthropic through the /anthropic proxy", (stack) => {
  it("a plain message is answered unchanged and logged with model, path, latency, tokens incl. cache reads and Sonnet 4.5 cost", async () => {
    const tag = uniqueTag();
    const client = stack().anthropic({ "Helicone-Property-Case": tag, "x-mock-cached-tokens": "40", "x-mock-latency-ms": "80" });
    const before = Date.now();
    const message = await client.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 256,
      messages: [{ role: "user", content: LONG_PROMPT }],
    });
    const after = Date.now();
    expect(message.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("Mock answer to: Summarize this quarterly") });
    expect(message.usage.cache_read_input_tokens).toBe(40);

    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({
      source: "proxy",
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      method: "POST",
      path: "/v1/messages",
      status: 200,
      stream: false,
      timeToFirstTokenMs: null,
      // prompt tokens are every prompt token, cached ones included, as for OpenAI
      promptTokens: message.usage.input_tokens + 40,
      cachedTokens: 40,
      completionTokens: message.usage.output_tokens,
      totalTokens: message.usage.input_tokens + 40 + message.usage.output_tokens,
      tokensEstimated: false,
      costUnknown: false,
    });
    expect(logged.cost).toBeCloseTo(expectedCost(SONNET_4_5, message.usage), 12);
    // Cache reads bill at a tenth of the input rate: pricing them as plain input would be off.
    expect(logged.cost).toBeLessThan((logged.promptTokens * 3 + logged.completionTokens * 15) / 1e6);

    expect(logged.latencyMs).toBeGreaterThanOrEqual(80);
    expect(Date.parse(logged.startTime)).toBeGreaterThanOrEqual(before - 5);
    // The server stops its clock once it has handed the last byte on; a client that already had the
    // whole body (its length was known) may resolve first, by a few ms on a loaded machine.
    expect(Date.parse(logged.endTime)).toBeLessThanOrEqual(after + 100);
    expect(Date.parse(logged.endTime) - Date.parse(logged.startTime)).toBeCloseTo(logged.latencyMs, -1);

    expect(logged.requestBody).toMatchObject({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: LONG_PROMPT }] });
    expect(logged.responseBody).toMatchObject({ id: message.id, type: "message", content: message.content, usage: message.usage });
    expect(logged.requestHeaders).toMatchObject({ authorization: "[redacted]", "helicone-auth": "[redacted]" });
    expect(JSON.stringify(logged)).not.toContain(PROVIDER_KEY);
  });

  it("messages.stream().finalMessage() gets the whole answer, and the log holds that same message with TTFT", async () => {
    const tag = uniqueTag();
    const client = stack().anthropic({ "Helicone-Property-Case": tag, "x-mock-latency-ms": "100", "x-mock-chunk-delay-ms": "10", "x-mock-cached-tokens": "24" });
    const stream = client.messages.stream({
      model: "claude-sonnet-4-5",
      max_tokens: 256,
      messages: [{ role: "user", content: LONG_PROMPT }],
    });
    let streamedText = "";
    stream.on("text", (delta) => (streamedText += delta));
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text", text: streamedText });
    expect(final.stop_reason).toBe("end_turn");

    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      path: "/v1/messages",
      status: 200,
      stream: true,
      promptTokens: final.usage.input_tokens + 24,
      cachedTokens: 24,
      completionTokens: final.usage.output_tokens,
      tokensEstimated: false,
      costUnknown: false,
    });
    // The final usage, not message_start's one-token placeholder.
    expect(logged.completionTokens).toBe(16);
    expect(logged.cost).toBeCloseTo(expectedCost(SONNET_4_5, final.usage), 12);
    // The stored body is the reassembled Message, not the raw event stream.
    const { parsed_output: _sdkOnly, ...finalMessage } = final;
    expect(logged.responseBody).toEqual(JSON.parse(JSON.stringify(finalMessage)));
    // The first byte came after the 100 ms upstream wait, the end ~22 chunks × 10 ms later.
    expect(logged.timeToFirstTokenMs).toBeGreaterThanOrEqual(100);
    expect(logged.timeToFirstTokenMs).toBeLessThan(logged.latencyMs - 100);
  });

  it("raw `stream: true` delivers every event to the client and is logged assembled, priced as Claude 3 Opus", async () => {
    const tag = uniqueTag();
    const client = stack().anthropic({ "Helicone-Property-Case": tag, "x-mock-completion-tokens": "12" });
    const events = await client.messages.create({
      model: "claude-3-opus-20240229",
      max_tokens: 256,
      stream: true,
      messages: [{ role: "user", content: "Write a haiku about tracing" }],
    });
    const types: string[] = [];
    let text = "";
    let inputTokens = 0;
    let finalUsage: Anthropic.MessageDeltaUsage | undefined;
    for await (const event of events) {
      types.push(event.type);
      if (event.type === "message_start") inputTokens = event.message.usage.input_tokens;
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
      if (event.type === "message_delta") finalUsage = event.usage;
    }
    expect(types[0]).toBe("message_start");
    expect(types.at(-1)).toBe("message_stop");
    expect(types.filter((type) => type === "content_block_delta")).toHaveLength(12);
    expect(finalUsage).toBeDefined();

    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({
      provider: "anthropic",
      model: "claude-3-opus-20240229",
      stream: true,
      promptTokens: inputTokens,
      completionTokens: 12,
      cachedTokens: 0,
      tokensEstimated: false,
    });
    expect(logged.cost).toBeCloseTo(expectedCost(OPUS_3, { ...finalUsage!, input_tokens: inputTokens }), 12);
    expect(logged.cost).toBeCloseTo((inputTokens * 15 + 12 * 75) / 1e6, 12);
    expect(logged.responseBody).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-3-opus-20240229",
      content: [{ type: "text", text }],
      stop_reason: "end_turn",
      usage: { output_tokens: 12 },
    });
    expect(logged.timeToFirstTokenMs).toEqual(expect.any(Number));
  });

  it("Helicone headers on Anthropic calls place them in one trace, session and user, with their properties", async () => {
    const parentId = randomUUID();
    const childId = `${parentId}:${randomUUID()}`;
    const sessionId = uniqueTag("session");
    const common = { "Helicone-Session-Id": sessionId, "Helicone-Session-Name": "Board summary", "Helicone-User-Id": "user-ada" };
    const ask = { model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user" as const, content: "Plan the summary" }] };
    await stack().anthropic({ ...common, "Helicone-Node-Id": parentId, "Helicone-Property-Step": "plan" }).messages.create(ask);
    await stack()
      .anthropic({ ...common, "Helicone-Node-Id": childId, "Helicone-Property-Step": "write" })
      .messages.stream({ ...ask, messages: [{ role: "user", content: "Write it" }] })
      .finalMessage();

    await stack().waitForRequests(`traceId=${parentId}`, 2);
    const { status, body } = await stack().api(`/api/v1/traces/${parentId}`);
    expect(status).toBe(200);
    const child = body.nodes.find((node: any) => node.id === childId);
    expect(child.parentId).toBe(parentId);
    expect(child.requests[0]).toMatchObject({
      provider: "anthropic",
      stream: true,
      sessionId,
      userId: "user-ada",
      properties: { step: "write" },
    });
    expect(body.metrics).toMatchObject({ nodeCount: 2, maxDepth: 2, successRate: 1, costComplete: true });

    const rows = await stack().waitForRequests(`sessionId=${sessionId}`, 2);
    expect(rows.map((row: any) => row.sessionName)).toEqual(["Board summary", "Board summary"]);
    // Ours, not the provider's: no Helicone-* header reaches Anthropic.
    const upstream = stack().mock.requests().filter((request) => request.headers["helicone-session-id"] !== undefined);
    expect(upstream).toEqual([]);
  });

  it("a provider error reaches the SDK as Anthropic sent it and is logged with its status and reason, at no cost", async () => {
    const tag = uniqueTag();
    const client = stack().anthropic({ "Helicone-Property-Case": tag, "x-mock-error-status": "529" });
    const error = await client.messages
      .create({ model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "Hello" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ status: 529, error: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } } });

    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({ provider: "anthropic", status: 529, cost: 0, costUnknown: false, promptTokens: null });
    expect(logged.errorReason).toContain("Overloaded");
  });

  it("a binary upload (Files API) is logged, and so is every request after it", async () => {
    const tag = uniqueTag();
    const client = stack().anthropic({ "Helicone-Property-Case": tag });
    // A PDF's bytes include NULs, which PostgreSQL text cannot hold.
    const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.from([0x00, 0x01, 0xff, 0x00, 0x0a]), Buffer.from("%%EOF\n")]);
    const upload = await client.files.upload({ file: await toFile(pdf, "report.pdf", { type: "application/pdf" }) }).catch((error: unknown) => error);
    // The mock has no Files API: it refuses the upload, and that answer passes through.
    expect(upload).toBeInstanceOf(Anthropic.BadRequestError);
    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({ provider: "anthropic", method: "POST", path: "/v1/files", status: 400 });
    expect(logged.requestBody).toContain("%PDF-1.7");

    const nextTag = uniqueTag();
    await stack()
      .anthropic({ "Helicone-Property-Case": nextTag })
      .messages.create({ model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "Summarize the PDF" }] });
    expect((await loggedRequestTagged(stack(), nextTag)).status).toBe(200);
  });

  it("a model missing from the price table is logged with its tokens, cost null and flagged, never 0", async () => {
    const tag = uniqueTag();
    const message = await stack()
      .anthropic({ "Helicone-Property-Case": tag })
      .messages.create({ model: "claude-opus-9-9", max_tokens: 64, messages: [{ role: "user", content: "Hello" }] });

    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({
      model: "claude-opus-9-9",
      promptTokens: message.usage.input_tokens,
      completionTokens: message.usage.output_tokens,
      cost: null,
      costUnknown: true,
    });
  });
});
