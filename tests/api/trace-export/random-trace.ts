// Random traces logged through the real ingest paths, as clients log them: proxied calls with the
// openai SDK (streams, upstream errors, connections that break mid-answer), custom logs (Helicone
// statuses, tool steps, fractional timings, text answers) and OTLP spans (GenAI conventions,
// Langfuse observations, failures with exceptions, streams without usage, roll-ups), placed by
// Helicone paths with ancestors never logged (virtual nodes) and by span ids with parents that
// never arrive, several attempts on a node (retries) included.
import { randomBytes, randomUUID } from "node:crypto";
import fc from "fast-check";
import { expect } from "vitest";
import { jsonExportRequest, type TestAttributes, type TestSpan } from "../../helpers/otlp-requests";
import type { TestStack } from "../../helpers/test-stack";

const tag = fc.record(
  {
    session: fc.constantFrom("s-1", "s-2"),
    sessionName: fc.constantFrom("Support chat", "Trip"),
    user: fc.constantFrom("ada", "grace"),
    step: fc.constantFrom("plan", "search", "answer"),
  },
  { requiredKeys: [] },
);

const usage = fc.option(fc.record({ prompt: fc.integer({ min: 1, max: 3000 }), completion: fc.integer({ min: 0, max: 800 }) }), { nil: null });
const model = fc.constantFrom("gpt-4o-mini", "gpt-4o", "claude-haiku-4-5", "house-model-v2");

const proxied = fc.record({
  via: fc.constant("proxy" as const),
  stream: fc.boolean(),
  outcome: fc.constantFrom("ok", "ok", "429", "500", "mid-stream"),
  tag,
});

const customLogged = fc.record({
  via: fc.constant("custom" as const),
  // Helicone's loggers: -3 is a cancelled call, other negative statuses mean no HTTP status
  status: fc.constantFrom(200, 200, 500, 429, -3, -1),
  tool: fc.boolean(),
  model,
  usage,
  textAnswer: fc.boolean(),
  startOffsetMs: fc.integer({ min: 0, max: 20_000 }),
  durationMs: fc.double({ min: 0, max: 3000, noNaN: true }),
  timeToFirstTokenMs: fc.option(fc.integer({ min: 1, max: 400 }), { nil: null }),
  tag,
});

const spanFields = fc.record({
  convention: fc.constantFrom("genai", "langfuse", "openinference-stream", "plain"),
  model,
  usage,
  error: fc.constantFrom(null, "status", "exception"),
  kind: fc.integer({ min: 0, max: 5 }),
  startOffsetMs: fc.integer({ min: 0, max: 20_000 }),
  durationMs: fc.double({ min: 0.001, max: 3000, noNaN: true }),
  tag,
});
const spanAttempt = spanFields.map((fields) => ({ via: "otlp" as const, ...fields }));

type Attempt = (typeof proxied | typeof customLogged | typeof spanAttempt) extends fc.Arbitrary<infer T> ? T : never;
type SpanAttempt = typeof spanAttempt extends fc.Arbitrary<infer T> ? T : never;

export const randomTrace = fc.record({
  /** OTLP trace ids are 32 hex digits; a Helicone trace id is any first path segment */
  otlpTraceId: fc.boolean(),
  paths: fc.array(
    fc.record({
      parent: fc.nat(),
      logged: fc.boolean(),
      attempts: fc.array(fc.oneof(proxied, customLogged, spanAttempt), { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  /** spans placed by their own ids (in an OTLP trace only); a parent "missing" never arrives */
  spans: fc.array(
    fc.record({ parent: fc.oneof(fc.constant(null), fc.constant("missing" as const), fc.nat()), attempts: fc.array(spanAttempt, { minLength: 1, maxLength: 2 }) }),
    { maxLength: 4 },
  ),
});

export type RandomTrace = typeof randomTrace extends fc.Arbitrary<infer T> ? T : never;

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

/** Logs the trace through the real paths; resolves with its id once every request is stored. */
export async function logRandomTrace(stack: TestStack, trace: RandomTrace): Promise<string> {
  const traceId = trace.otlpTraceId ? hex(16) : `trace-${randomUUID()}`;
  const baseMs = Date.now() - 60_000;
  const spans: TestSpan[] = [];
  let expected = 0;

  const pathIds: string[] = [];
  for (const [index, node] of trace.paths.entries()) {
    const parent = index === 0 ? traceId : pathIds[node.parent % index]!;
    const nodeId = `${parent}:step-${index}`;
    pathIds.push(nodeId);
    // The deepest node is always logged, so the trace has at least one request.
    if (!node.logged && index !== trace.paths.length - 1) continue;
    for (const attempt of node.attempts) {
      expected++;
      if (attempt.via === "proxy") await proxiedCall(stack, nodeId, attempt);
      else if (attempt.via === "custom") await customLog(stack, nodeId, attempt, baseMs);
      else spans.push(otlpSpan(attempt, { traceId: hex(16), spanId: hex(8), attributes: { "helicone.node_id": nodeId } }, baseMs));
    }
  }
  if (trace.otlpTraceId) {
    const spanIds = trace.spans.map(() => hex(8));
    for (const [index, node] of trace.spans.entries()) {
      const parentSpanId = node.parent === null ? undefined : node.parent === "missing" ? hex(8) : index === 0 ? undefined : spanIds[node.parent % index];
      for (const attempt of node.attempts) {
        expected++;
        spans.push(otlpSpan(attempt, { traceId, spanId: spanIds[index]!, parentSpanId, attributes: {} }, baseMs));
      }
    }
  }
  if (spans.length > 0) await postOtlp(stack, jsonExportRequest(spans, { "service.name": "random-agent" }));
  await stack.waitForRequests(`traceId=${encodeURIComponent(traceId)}`, expected);
  return traceId;
}

function tagHeaders(attempt: Attempt): Record<string, string> {
  const headers: Record<string, string> = {};
  if (attempt.tag.session) headers["Helicone-Session-Id"] = attempt.tag.session;
  if (attempt.tag.sessionName) headers["Helicone-Session-Name"] = attempt.tag.sessionName;
  if (attempt.tag.user) headers["Helicone-User-Id"] = attempt.tag.user;
  if (attempt.tag.step) headers["Helicone-Property-Step"] = attempt.tag.step;
  return headers;
}

async function proxiedCall(stack: TestStack, nodeId: string, attempt: Attempt & { via: "proxy" }): Promise<void> {
  const scenario: Record<string, string> =
    attempt.outcome === "mid-stream" ? { "x-mock-drop-connection": "mid-stream" } : attempt.outcome === "ok" ? {} : { "x-mock-error-status": attempt.outcome };
  const client = stack.openai({ ...tagHeaders(attempt), ...scenario, "Helicone-Node-Id": nodeId });
  const body = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: `Step ${nodeId}: what next?` }] };
  try {
    if (attempt.stream) {
      const stream = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
      for await (const _chunk of stream) {
        // drained: the call is logged once the stream ends
      }
    } else {
      await client.chat.completions.create(body);
    }
  } catch {
    // an upstream error or a broken connection: logged all the same
  }
}

async function customLog(stack: TestStack, nodeId: string, attempt: Attempt & { via: "custom" }, baseMs: number): Promise<void> {
  const startMs = baseMs + attempt.startOffsetMs + 0.25;
  const answer = {
    id: "chatcmpl-random",
    object: "chat.completion",
    model: attempt.model,
    choices: [{ index: 0, message: { role: "assistant", content: `Answer for ${nodeId}` }, finish_reason: "stop" }],
    ...(attempt.usage ? { usage: { prompt_tokens: attempt.usage.prompt, completion_tokens: attempt.usage.completion, total_tokens: attempt.usage.prompt + attempt.usage.completion } } : {}),
  };
  const request = attempt.tool
    ? { _type: "tool", toolName: "search_hotels", input: { city: "Lisbon" } }
    : { model: attempt.model, messages: [{ role: "user", content: `Custom step ${nodeId}` }] };
  const failed = attempt.status !== 200;
  const response = await fetch(`${stack.app.url}/v1/trace/custom/log`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.app.apiKey}`, "content-type": "application/json", "Helicone-Node-Id": nodeId, ...tagHeaders(attempt) },
    body: JSON.stringify({
      providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: request, meta: {} },
      providerResponse: failed
        ? { json: { error: { message: `upstream said ${attempt.status}` } }, status: attempt.status, headers: {} }
        : attempt.textAnswer
          ? { json: {}, textBody: `Plain answer for ${nodeId}\nsecond line`, status: 200, headers: {} }
          : { json: attempt.tool ? { hotels: ["Bellevue"] } : answer, status: 200, headers: {} },
      timing: {
        startTime: { seconds: Math.floor(startMs / 1000), nanos: Math.round((startMs % 1000) * 1e6) },
        endTime: { seconds: Math.floor((startMs + attempt.durationMs) / 1000), nanos: Math.round(((startMs + attempt.durationMs) % 1000) * 1e6) },
        timeToFirstToken: attempt.timeToFirstTokenMs,
      },
      provider: "openai",
    }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

function otlpSpan(attempt: SpanAttempt, placement: { traceId: string; spanId: string; parentSpanId?: string; attributes: TestAttributes }, baseMs: number): TestSpan {
  const startMs = baseMs + attempt.startOffsetMs + 0.123456;
  const attributes: TestAttributes = { ...placement.attributes };
  if (attempt.tag.session) attributes["session.id"] = attempt.tag.session;
  if (attempt.tag.user) attributes["user.id"] = attempt.tag.user;
  if (attempt.tag.step) attributes["helicone.property.step"] = attempt.tag.step;
  const prompt = `Span prompt ${placement.spanId}`;
  const completion = `Span answer ${placement.spanId}`;
  switch (attempt.convention) {
    case "genai":
      Object.assign(attributes, { "gen_ai.system": "openai", "gen_ai.request.model": attempt.model, "gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": prompt, "gen_ai.completion.0.content": completion });
      if (attempt.usage) Object.assign(attributes, { "gen_ai.usage.input_tokens": attempt.usage.prompt, "gen_ai.usage.output_tokens": attempt.usage.completion });
      break;
    case "langfuse":
      Object.assign(attributes, {
        "langfuse.observation.type": "generation",
        "langfuse.observation.model.name": attempt.model,
        "langfuse.observation.input": JSON.stringify([{ role: "user", content: prompt }]),
        "langfuse.observation.output": JSON.stringify({ role: "assistant", content: completion }),
        "langfuse.trace.name": "random agent",
      });
      if (attempt.usage) {
        attributes["langfuse.observation.usage_details"] = JSON.stringify({ input: attempt.usage.prompt, output: attempt.usage.completion });
        attributes["langfuse.observation.cost_details"] = JSON.stringify({ total: attempt.usage.prompt * 1e-6 });
      }
      break;
    case "openinference-stream":
      // no usage at all: tokens are counted from the text, and marked estimated
      Object.assign(attributes, { "llm.provider": "openai", "llm.model_name": attempt.model, "llm.is_streaming": true, "input.value": prompt, "output.value": completion });
      break;
    case "plain":
      attributes["tool.name"] = "lookup";
      break;
  }
  return {
    traceId: placement.traceId,
    spanId: placement.spanId,
    parentSpanId: placement.parentSpanId,
    name: attempt.convention === "plain" ? "lookup" : "chat",
    kind: attempt.kind,
    startMs,
    endMs: startMs + attempt.durationMs,
    attributes,
    events: attempt.error === "exception" ? [{ name: "exception", timeMs: startMs + 1, attributes: { "exception.message": "tool crashed", "exception.type": "Error" } }] : [],
    status: attempt.error === null ? { code: 0 } : attempt.error === "status" ? { code: 2, message: "the model refused" } : { code: 2 },
  };
}

export async function postOtlp(stack: TestStack, exportRequest: unknown): Promise<void> {
  const response = await fetch(`${stack.app.url}/v1/traces`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.app.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(exportRequest),
  });
  const body = await response.text();
  expect(response.status, body).toBe(200);
  // every span kept: a partial success would name the ones refused
  expect(body).not.toContain("rejected");
}
