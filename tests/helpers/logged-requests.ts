import { randomUUID } from "node:crypto";
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
