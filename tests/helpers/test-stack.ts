import { afterAll, beforeAll, describe } from "vitest";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { startMockProvider } from "../mock-provider/server";
import { startApp, type RunningApp, type StartAppOptions } from "./app-server";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "./test-databases";

export type DatabaseKindUnderTest = "sqlite" | "postgres";

/** A running app on a fresh database, with the mock provider as its only upstream. */
export interface TestStack {
  kind: DatabaseKindUnderTest;
  app: RunningApp;
  mock: Awaited<ReturnType<typeof startMockProvider>>;
  databaseUrl: string;
  /** the real openai SDK pointed at our proxy */
  openai(extraHeaders?: Record<string, string>): OpenAI;
  /** the real Anthropic SDK pointed at our /anthropic mount */
  anthropic(extraHeaders?: Record<string, string>): Anthropic;
  /** GET on the read API with the stack's API key; returns status and parsed JSON */
  api<T = any>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  /** polls GET /api/v1/requests?<query> until at least `count` rows (logging is asynchronous) */
  waitForRequests<T = any>(query: string, count: number, timeoutMs?: number): Promise<T[]>;
}

export const PROVIDER_KEY = "sk-provider-secret-should-never-be-stored-0123456789";

/** What a suite may ask of its app beyond the environment (OTLP/gRPC on a free port). */
export type StackAppOptions = Pick<StartAppOptions, "otlpGrpc">;

export async function startStack(
  kind: DatabaseKindUnderTest,
  env: Record<string, string> = {},
  appOptions: StackAppOptions = {},
): Promise<TestStack & { stop(): Promise<void> }> {
  const database: TestDatabase = kind === "sqlite" ? await createSqliteTestDatabase() : await createPostgresTestDatabase();
  const mock = await startMockProvider();
  const app = await startApp({ databaseUrl: database.url, openaiUpstreamUrl: mock.url, anthropicUpstreamUrl: mock.url, env, ...appOptions });
  return {
    ...stackOf({ kind, app, mock, databaseUrl: database.url }),
    async stop() {
      await app.stop();
      await mock.close();
      await database.cleanup();
    },
  };
}

/** The clients and read API helpers for an app and mock started by the caller (who stops them). */
export function stackOf({ kind, app, mock, databaseUrl }: Pick<TestStack, "kind" | "app" | "mock" | "databaseUrl">): TestStack {
  const api: TestStack["api"] = async (path, init = {}) => {
    const response = await fetch(app.url + path, {
      ...init,
      headers: { authorization: `Bearer ${app.apiKey}`, ...(init.headers as Record<string, string>) },
    });
    const text = await response.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body };
  };

  return {
    kind,
    app,
    mock,
    databaseUrl,
    openai: (extraHeaders = {}) =>
      new OpenAI({
        apiKey: PROVIDER_KEY,
        baseURL: `${app.url}/v1`,
        defaultHeaders: { "Helicone-Auth": `Bearer ${app.apiKey}`, ...extraHeaders },
        maxRetries: 0,
      }),
    anthropic: (extraHeaders = {}) =>
      new Anthropic({
        apiKey: PROVIDER_KEY,
        baseURL: `${app.url}/anthropic`,
        defaultHeaders: { "Helicone-Auth": `Bearer ${app.apiKey}`, ...extraHeaders },
        maxRetries: 0,
      }),
    api,
    async waitForRequests(query, count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { status, body } = await api(`/api/v1/requests?limit=1000&${query}`);
        if (status === 200 && body.data.length >= count) return body.data;
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} logged requests for "${query}", found ${status === 200 ? body.data.length : `status ${status}`}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/**
 * Runs a suite once on SQLite and once on PostgreSQL, each against its own running app.
 * The PostgreSQL run skips without a server, except under CI=true where it fails.
 */
export function describeOnEachDatabase(
  name: string,
  suite: (stack: () => TestStack) => void,
  env: Record<string, string> = {},
  appOptions: StackAppOptions = {},
): void {
  const define = (kind: DatabaseKindUnderTest) => () => {
    let stack: (TestStack & { stop(): Promise<void> }) | undefined;
    beforeAll(async () => {
      stack = await startStack(kind, env, appOptions);
    });
    afterAll(async () => {
      await stack?.stop();
    });
    suite(() => {
      if (!stack) throw new Error("stack did not start");
      return stack;
    });
  };
  describe(`${name} [sqlite]`, define("sqlite"));
  describePostgres(`${name} [postgres]`, define("postgres"));
}
