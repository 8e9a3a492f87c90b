/**
 * A week of past traffic for `npm run demo`, so that the Dashboard's day and week views have
 * something to say: a few hundred calls logged through the custom-log endpoint with their real
 * start times (the proxy can only log the present), busier in working hours, across three models,
 * three users and their sessions, a `feature` property, small agent traces with a retried step,
 * and some rate limits and server errors. Deterministic: the same week every run.
 */
import { seededRandom } from "../../tests/fixtures/usage-rollup-traces";

const HOUR = 3_600_000;
const DAYS = 7;

interface DemoTarget {
  baseUrl: string;
  apiKey: string;
}

const MODELS = [
  { model: "gpt-4o-mini", provider: "openai", weight: 6 },
  { model: "gpt-4o", provider: "openai", weight: 3 },
  { model: "claude-3-5-haiku-20241022", provider: "anthropic", weight: 2 },
] as const;
const USERS = ["alice@example.com", "bob@example.com", "carol@example.com"];
const FEATURES = ["search", "chat", "summarize"];

export async function sendDemoHistory({ baseUrl, apiKey }: DemoTarget, nowMs = Date.now()): Promise<{ requests: number }> {
  const random = seededRandom(20261207); // the same week on every machine
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const calls: Array<() => Promise<void>> = [];
  for (let hour = DAYS * 24; hour >= 1; hour--) {
    const hourStart = Math.floor(nowMs / HOUR) * HOUR - hour * HOUR;
    const utcHour = new Date(hourStart).getUTCHours();
    const busy = utcHour >= 8 && utcHour <= 18 ? 3 : 1;
    const traces = Math.floor(random() * busy) + (random() < 0.5 ? 1 : 0);
    for (let t = 0; t < traces; t++) {
      const user = pick(USERS);
      const session = `week-${user.split("@")[0]}-${new Date(hourStart).toISOString().slice(0, 10)}`;
      const feature = pick(FEATURES);
      const trace = `week-${hour}-${t}`;
      let at = hourStart + Math.floor(random() * (HOUR - 60_000));
      const steps = 1 + Math.floor(random() * 3);
      for (let s = 0; s < steps; s++) {
        const { model, provider } = weighted(random);
        const failed = random() < 0.06;
        const latencyMs = Math.round(250 + random() * (model === "gpt-4o" ? 2_400 : 1_200));
        const headers = {
          "Helicone-Node-Id": s === 0 ? trace : `${trace}:step-${s}`,
          "Helicone-User-Id": user,
          "Helicone-Session-Id": session,
          "Helicone-Property-Feature": feature,
        };
        const call = { startMs: at, latencyMs, model, provider, status: failed ? pick([429, 500, 503]) : 200, promptTokens: 200 + Math.floor(random() * 1_800), completionTokens: 40 + Math.floor(random() * 400) };
        calls.push(() => customLog(baseUrl, apiKey, headers, call));
        // A failed step is retried on the same node a moment later, as an agent would.
        if (failed) calls.push(() => customLog(baseUrl, apiKey, headers, { ...call, startMs: at + latencyMs + 500, status: 200 }));
        at += latencyMs + 1_000;
      }
    }
  }
  for (let i = 0; i < calls.length; i += 16) await Promise.all(calls.slice(i, i + 16).map((send) => send()));
  return { requests: calls.length };
}

interface PastCall {
  startMs: number;
  latencyMs: number;
  model: string;
  provider: string;
  status: number;
  promptTokens: number;
  completionTokens: number;
}

async function customLog(baseUrl: string, apiKey: string, headers: Record<string, string>, call: PastCall): Promise<void> {
  const anthropic = call.provider === "anthropic";
  const ok = call.status === 200;
  const answer = !ok
    ? { error: { message: call.status === 429 ? "Rate limit reached" : "The server had an error", type: call.status === 429 ? "rate_limit_error" : "server_error" } }
    : anthropic
      ? { id: "msg_demo", type: "message", role: "assistant", model: call.model, content: [{ type: "text", text: "Done." }], stop_reason: "end_turn", usage: { input_tokens: call.promptTokens, output_tokens: call.completionTokens } }
      : {
          id: "chatcmpl-demo",
          object: "chat.completion",
          model: call.model,
          choices: [{ index: 0, message: { role: "assistant", content: "Done." }, finish_reason: "stop" }],
          usage: { prompt_tokens: call.promptTokens, completion_tokens: call.completionTokens, total_tokens: call.promptTokens + call.completionTokens },
        };
  const response = await fetch(`${baseUrl}/v1/trace/custom/log`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({
      providerRequest: {
        url: anthropic ? "https://api.anthropic.com/v1/messages" : "https://api.openai.com/v1/chat/completions",
        json: { model: call.model, messages: [{ role: "user", content: `Help with ${headers["Helicone-Property-Feature"]}` }] },
        meta: {},
      },
      providerResponse: { json: answer, status: call.status, headers: {} },
      timing: { startTime: call.startMs, endTime: call.startMs + call.latencyMs },
    }),
  });
  if (!response.ok) throw new Error(`custom log answered ${response.status}: ${await response.text()}`);
}

function weighted(random: () => number): (typeof MODELS)[number] {
  const total = MODELS.reduce((sum, m) => sum + m.weight, 0);
  let roll = random() * total;
  for (const model of MODELS) if ((roll -= model.weight) < 0) return model;
  return MODELS[0];
}
