/**
 * Runs the mock LLM provider on its own, e.g. as the upstream for the demo or a load test:
 *   npm run mock-provider -- --port 8789 [--latency-ms N] [--chunk-delay-ms N] [--error-rate X]
 *                           [--error-status N] [--completion-tokens N]
 * Point OpenAI clients at <url>/v1 and Anthropic clients at <url>. Stops on SIGINT / SIGTERM.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { startMockProvider } from "../tests/mock-provider/server";

const DEFAULT_PORT = 8789;

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    "latency-ms": { type: "string" },
    "chunk-delay-ms": { type: "string" },
    "completion-tokens": { type: "string" },
    "error-rate": { type: "string" },
    "error-status": { type: "string" },
  },
});

/** Undefined stays undefined so the mock's own default applies; the options schema rejects NaN. */
const numberArg = (raw: string | undefined): number | undefined => (raw === undefined ? undefined : Number(raw));

const mock = await startMockProvider({
  port: numberArg(values.port) ?? DEFAULT_PORT,
  latencyMs: numberArg(values["latency-ms"]),
  chunkDelayMs: numberArg(values["chunk-delay-ms"]),
  completionTokens: numberArg(values["completion-tokens"]),
  errorRate: numberArg(values["error-rate"]),
  errorStatus: numberArg(values["error-status"]),
}).catch((error: unknown) => {
  console.error(error instanceof z.ZodError ? `Invalid option:\n${z.prettifyError(error)}` : error);
  process.exit(1);
});

console.log(`Mock LLM provider listening on ${mock.url}`);
console.log(`  OpenAI baseURL:    ${mock.url}/v1`);
console.log(`  Anthropic baseURL: ${mock.url}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void mock.close().then(() => console.log(`Mock LLM provider stopped (${signal})`));
  });
}
