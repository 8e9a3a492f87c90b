import { randomUUID } from "node:crypto";
import type { RunningApp } from "./app-server";
import type { TestStack } from "./test-stack";

/** A value no other test sends, to find this test's requests with a filter. */
export function uniqueTag(prefix = "case"): string {
  return `${prefix}-${randomUUID()}`;
}

/**
 * The request logged with `Helicone-Property-Case: <tag>`, with bodies and headers, as
 * GET /api/v1/requests/{id} returns it. Proxy logging is asynchronous, hence the wait.
 */
export async function loggedRequestTagged(stack: TestStack, tag: string): Promise<any> {
  const [row] = await stack.waitForRequests(`property.case=${encodeURIComponent(tag)}`, 1);
  return loggedRequest(stack, row.id);
}

/** GET /api/v1/requests/{id}, waiting for the log writer when the request is not stored yet. */
export async function loggedRequest(stack: TestStack, id: string, timeoutMs = 15_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await stack.api(`/api/v1/requests/${encodeURIComponent(id)}`);
    if (status === 200) return body;
    if (status !== 404 || Date.now() > deadline) throw new Error(`GET /api/v1/requests/${id} answered ${status}: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One custom log (the seed's path) tagged with `Helicone-Property-Case: <tag>`, started 5 s ago. */
export function postCustomLog(app: RunningApp, tag: string, index: number): Promise<Response> {
  const start = Date.now() - 5_000;
  return fetch(`${app.url}/v1/trace/custom/log`, {
    method: "POST",
    headers: { authorization: `Bearer ${app.apiKey}`, "content-type": "application/json", "Helicone-Property-Case": tag },
    body: JSON.stringify({
      providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: { model: "gpt-4o-mini", messages: [{ role: "user", content: `log ${index}` }] }, meta: {} },
      providerResponse: { json: { choices: [{ message: { role: "assistant", content: "ok" } }] }, status: 200, headers: {} },
      timing: { startTime: start, endTime: start + 800 },
      provider: "openai",
    }),
  });
}
