import { request as httpRequest } from "node:http";
import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loggedRequestTagged, uniqueTag } from "../helpers/logged-requests";
import { describeOnEachDatabase, PROVIDER_KEY, startStack, type TestStack } from "../helpers/test-stack";

interface Arrival {
  /** ms after the request was sent */
  atMs: number;
  frame: string;
}

/** POSTs `body` and notes when each SSE frame of the answer arrives, read straight off the socket. */
function streamArrivals(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; frames: Arrival[] }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const sentAt = performance.now();
    const req = httpRequest(
      url,
      { method: "POST", headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)), ...headers } },
      (res) => {
        const frames: Arrival[] = [];
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          const atMs = performance.now() - sentAt;
          buffer += chunk;
          for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
            frames.push({ atMs, frame: buffer.slice(0, end) });
            buffer = buffer.slice(end + 2);
          }
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, frames }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const CHUNK_DELAY_MS = 50;
// Role chunk, 8 content chunks, finish chunk, [DONE]: 11 frames, 10 gaps of 50 ms upstream.
const EIGHT_TOKEN_STREAM = { model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "Count to eight" }] };
const paced = { "x-mock-chunk-delay-ms": String(CHUNK_DELAY_MS), "x-mock-completion-tokens": "8" };

// Timing does not depend on the database: SQLite only.
describe("streams reach the client as the provider sends them [sqlite]", () => {
  let running: (TestStack & { stop(): Promise<void> }) | undefined;
  const stack = () => running!;
  beforeAll(async () => {
    running = await startStack("sqlite");
    // Warm up: the first call pays for key lookup and connection setup, not for streaming.
    await stack().openai().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "warm up" }] });
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("an OpenAI stream's chunks arrive one by one, spaced like the upstream's, not buffered to the end", async () => {
    const direct = await streamArrivals(`${stack().mock.url}/v1/chat/completions`, { authorization: `Bearer ${PROVIDER_KEY}`, ...paced }, EIGHT_TOKEN_STREAM);
    const proxied = await streamArrivals(
      `${stack().app.url}/v1/chat/completions`,
      { authorization: `Bearer ${PROVIDER_KEY}`, "helicone-auth": `Bearer ${stack().app.apiKey}`, ...paced },
      EIGHT_TOKEN_STREAM,
    );
    expect(proxied.status).toBe(200);
    // The same frames as straight from the upstream, apart from the per-request id and time.
    const normalized = (arrivals: Arrival[]) => arrivals.map((arrival) => arrival.frame.replace(/"id":"[^"]*"|"created":\d+/g, ""));
    expect(normalized(proxied.frames)).toEqual(normalized(direct.frames));
    expect(proxied.frames).toHaveLength(11);
    expect(proxied.frames.at(-1)!.frame).toBe("data: [DONE]");

    const first = proxied.frames[0]!.atMs;
    const last = proxied.frames.at(-1)!.atMs;
    expect(first).toBeLessThan(150);
    expect(last).toBeGreaterThanOrEqual(400);
    const gaps = proxied.frames.slice(1).map((arrival, i) => arrival.atMs - proxied.frames[i]!.atMs);
    expect(gaps.filter((gap) => gap >= CHUNK_DELAY_MS / 2).length, `gaps: ${gaps.map(Math.round).join(", ")}`).toBeGreaterThanOrEqual(8);
    // The proxy adds little to the stream's duration as the client sees it.
    expect(Math.abs(last - direct.frames.at(-1)!.atMs)).toBeLessThan(150);
  });

  it("an Anthropic stream's events reach the SDK one by one as the upstream sends them", async () => {
    const client = stack().anthropic({ "x-mock-chunk-delay-ms": String(CHUNK_DELAY_MS), "x-mock-completion-tokens": "5" });
    const sentAt = performance.now();
    // message_start, content_block_start, ping, 5 deltas, content_block_stop, message_delta, message_stop
    const stream = await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 64, stream: true, messages: [{ role: "user", content: "Hi" }] });
    const arrivals: number[] = [];
    for await (const _event of stream) arrivals.push(performance.now() - sentAt);

    expect(arrivals).toHaveLength(10); // the SDK does not surface `ping`
    expect(arrivals[0]).toBeLessThan(150);
    expect(arrivals.at(-1)).toBeGreaterThanOrEqual(400);
    const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]!);
    expect(gaps.filter((gap) => gap >= CHUNK_DELAY_MS / 2).length, `gaps: ${gaps.map(Math.round).join(", ")}`).toBeGreaterThanOrEqual(7);
  });

  it("the logged time to first token is when the first chunk came, and the latency the whole stream", async () => {
    const tag = uniqueTag();
    const proxied = await streamArrivals(
      `${stack().app.url}/v1/chat/completions`,
      { authorization: `Bearer ${PROVIDER_KEY}`, "helicone-auth": `Bearer ${stack().app.apiKey}`, "helicone-property-case": tag, "x-mock-latency-ms": "200", ...paced },
      EIGHT_TOKEN_STREAM,
    );
    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged.stream).toBe(true);
    expect(logged.timeToFirstTokenMs).toBeGreaterThanOrEqual(200);
    expect(Math.abs(logged.timeToFirstTokenMs - proxied.frames[0]!.atMs)).toBeLessThan(50);
    expect(logged.latencyMs).toBeGreaterThanOrEqual(200 + 10 * CHUNK_DELAY_MS - 20);
    expect(Math.abs(logged.latencyMs - proxied.frames.at(-1)!.atMs)).toBeLessThan(50);
  });
});

describeOnEachDatabase("streamed usage through the OpenAI proxy", (stack) => {
  async function streamChat(tag: string, includeUsage: boolean) {
    const stream = await stack()
      .openai({ "Helicone-Property-Case": tag, "x-mock-cached-tokens": "4" })
      .chat.completions.create({
        model: "gpt-4o-mini",
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
        messages: [{ role: "user", content: "Explain distributed tracing in one paragraph" }],
      });
    let text = "";
    let usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens?: number } } | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    return { text, usage };
  }

  it("a stream without include_usage is counted with the tokenizer, marked estimated, and still priced", async () => {
    const tag = uniqueTag();
    const { text, usage } = await streamChat(tag, false);
    expect(usage).toBeNull();

    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({ model: "gpt-4o-mini", stream: true, tokensEstimated: true, costUnknown: false });
    expect(logged.completionTokens).toBe(countO200k(text));
    expect(logged.promptTokens).toBeGreaterThan(countO200k("Explain distributed tracing in one paragraph"));
    expect(logged.promptTokens).toBeLessThan(30);
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output
    expect(logged.cost).toBeCloseTo((logged.promptTokens * 0.15 + logged.completionTokens * 0.6) / 1e6, 12);
    expect(logged.responseBody).toMatchObject({ object: "chat.completion", choices: [{ message: { role: "assistant", content: text }, finish_reason: "stop" }] });
  });

  it("a stream with include_usage is logged with the provider's exact counts, cached tokens priced at their discount", async () => {
    const tag = uniqueTag();
    const { text, usage } = await streamChat(tag, true);
    expect(usage).not.toBeNull();

    const logged = await loggedRequestTagged(stack(), tag);
    expect(logged).toMatchObject({
      stream: true,
      tokensEstimated: false,
      promptTokens: usage!.prompt_tokens,
      completionTokens: usage!.completion_tokens,
      cachedTokens: 4,
    });
    // gpt-4o-mini: $0.15 / 1M input, $0.075 / 1M cached input, $0.60 / 1M output
    const uncached = usage!.prompt_tokens - 4;
    expect(logged.cost).toBeCloseTo((uncached * 0.15 + 4 * 0.075 + usage!.completion_tokens * 0.6) / 1e6, 12);
    expect(logged.responseBody.choices[0].message.content).toBe(text);
    expect(logged.responseBody.usage).toEqual(usage);
  });
});
