import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import protobuf from "protobufjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockProvider } from "../mock-provider/server";
import { resolveDatabase } from "../../lib/storage/database-url";
import { startApp } from "../helpers/app-server";
import { startCuttableLink } from "../helpers/cuttable-link";
import { signIn } from "../helpers/dashboard-login";
import { createKeyWithCli } from "../helpers/keys-cli";
import { jsonExportRequest, protobufExportRequest, randomHexId } from "../helpers/otlp-requests";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../helpers/test-databases";
import { PROVIDER_KEY, stackOf, type TestStack } from "../helpers/test-stack";

// The promise under test: while the database cannot answer, a request whose API key the server
// cannot check gets the same answer on every endpoint family (503, Retry-After, code
// "unavailable", in that endpoint's error shape), never a 500 and never a 401 that would tell a
// good client its key is bad. Once the database is back, the same key works.

// google.rpc.Status and ErrorInfo as googleapis defines them: an independent reading of the OTLP error body.
const rpc = protobuf.parse(`syntax = "proto3";
  message Any { string type_url = 1; bytes value = 2; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message ErrorInfo { string reason = 1; string domain = 2; }`).root;

function decodeProtobufStatus(body: Uint8Array): { code: number; message: string; details: Array<{ typeUrl: string; reason: string }> } {
  const status = rpc.lookupType("Status").toObject(rpc.lookupType("Status").decode(body), { defaults: true, arrays: true }) as {
    code: number;
    message: string;
    details: Array<{ typeUrl: string; value: Uint8Array }>;
  };
  const errorInfo = rpc.lookupType("ErrorInfo");
  return { ...status, details: status.details.map((any) => ({ typeUrl: any.typeUrl, reason: (errorInfo.decode(any.value) as unknown as { reason: string }).reason })) };
}

const ADMIN = { email: "outage-admin@example.com", password: "outage-password-123" };

/** An outage that can be started and ended, of the database behind `stack`. */
interface Outage {
  begin(): Promise<void>;
  end(): Promise<void>;
}

interface Setup {
  stack: TestStack;
  outage: Outage;
  stop(): Promise<void>;
}

/**
 * SQLite: another process holds the WAL locks of the database's shared-memory file, as a stuck
 * process or a crashed one mid-recovery would: readers and writers both get SQLITE_BUSY or
 * SQLITE_PROTOCOL. (A plain EXCLUSIVE transaction would not do: in WAL mode readers read past it.)
 */
async function sqliteSetup(): Promise<Setup> {
  const database = await createSqliteTestDatabase();
  const mock = await startMockProvider();
  const app = await startApp({ databaseUrl: database.url, openaiUpstreamUrl: mock.url, anthropicUpstreamUrl: mock.url, env: adminEnv() });
  const { filePath } = resolveDatabase(database.url) as { filePath: string };
  let holder: ChildProcess | undefined;
  const outage: Outage = {
    async begin() {
      holder = spawn("python3", ["-c", WAL_LOCK_HOLDER, `${filePath}-shm`], { stdio: ["pipe", "pipe", "inherit"] });
      await once(holder.stdout!, "data");
    },
    async end() {
      holder?.stdin!.end();
      if (holder && holder.exitCode === null) await once(holder, "exit");
    },
  };
  return {
    stack: stackOf({ kind: "sqlite", app, mock, databaseUrl: database.url }),
    outage,
    async stop() {
      await outage.end();
      await app.stop();
      await mock.close();
      await database.cleanup();
    },
  };
}

// SQLite's WAL locks are bytes 120–127 of the -shm file (write, checkpoint, recover, 5 read
// marks), taken with POSIX record locks, which Node cannot take but Python's fcntl can.
const WAL_LOCK_HOLDER = `
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX, 8, 120)
print("locked", flush=True)
sys.stdin.read()
`;

/** PostgreSQL: every connection to the server is cut and new ones refused, as a host that went away. */
async function postgresSetup(): Promise<Setup> {
  const database: TestDatabase = await createPostgresTestDatabase();
  const direct = new URL(database.url);
  const link = await startCuttableLink(direct.hostname, Number(direct.port || 5432));
  const throughLink = new URL(database.url);
  throughLink.host = `127.0.0.1:${link.port}`;
  const mock = await startMockProvider();
  const app = await startApp({ databaseUrl: throughLink.toString(), openaiUpstreamUrl: mock.url, anthropicUpstreamUrl: mock.url, env: adminEnv() });
  return {
    stack: stackOf({ kind: "postgres", app, mock, databaseUrl: database.url }),
    outage: { begin: async () => link.cut(), end: async () => link.restore() },
    async stop() {
      await app.stop();
      await mock.close();
      await link.close();
      await database.cleanup();
    },
  };
}

function adminEnv(): Record<string, string> {
  return { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
}

function openaiWith(stack: TestStack, key: string): OpenAI {
  return new OpenAI({ apiKey: PROVIDER_KEY, baseURL: `${stack.app.url}/v1`, defaultHeaders: { "Helicone-Auth": `Bearer ${key}` }, maxRetries: 0 });
}

function anthropicWith(stack: TestStack, key: string): Anthropic {
  return new Anthropic({ apiKey: PROVIDER_KEY, baseURL: `${stack.app.url}/anthropic`, defaultHeaders: { "Helicone-Auth": `Bearer ${key}` }, maxRetries: 0 });
}

const ask = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "hello" }] };

/** The answer of one endpoint family, reduced to what every family must agree on. */
interface Answer {
  family: string;
  status: number;
  retryAfter: string | null;
  code: unknown;
}

async function fetchAnswer(family: string, response: Response, codeOf: (body: any) => unknown): Promise<Answer> {
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // protobuf or text: no JSON code to read
  }
  return { family, status: response.status, retryAfter: response.headers.get("retry-after"), code: body === null ? null : codeOf(body) };
}

async function sdkAnswer(family: string, call: () => Promise<unknown>): Promise<Answer> {
  try {
    await call();
    return { family, status: 200, retryAfter: null, code: null };
  } catch (error) {
    if (!(error instanceof OpenAI.APIError) && !(error instanceof Anthropic.APIError)) throw error;
    const body = (error as { error?: any }).error;
    return { family, status: error.status ?? 0, retryAfter: error.headers?.get("retry-after") ?? null, code: body?.code ?? body?.error?.code };
  }
}

/** One request of every endpoint family, each carrying `key` the way that family's clients send it. */
function everyFamily(stack: TestStack, key: string, cookie: string): Array<() => Promise<Answer>> {
  const url = stack.app.url;
  const bearer = { authorization: `Bearer ${key}` };
  const now = Date.now();
  const span = { traceId: randomHexId(16), spanId: randomHexId(8), name: "step", startMs: now - 10, endMs: now };
  return [
    () => sdkAnswer("OpenAI proxy (openai SDK)", () => openaiWith(stack, key).chat.completions.create(ask)),
    () => sdkAnswer("Anthropic proxy (@anthropic-ai/sdk)", () =>
      anthropicWith(stack, key).messages.create({ model: "claude-sonnet-4-5", max_tokens: 16, messages: [{ role: "user", content: "hello" }] }),
    ),
    () => fetch(`${url}/v1/trace/custom/log`, {
      method: "POST",
      headers: { ...bearer, "content-type": "application/json" },
      body: JSON.stringify({
        providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: ask, meta: {} },
        providerResponse: { status: 200, json: { choices: [] }, headers: {} },
        timing: { startTime: { seconds: Math.floor(now / 1000) - 1, milliseconds: 0 }, endTime: { seconds: Math.floor(now / 1000), milliseconds: 0 } },
        provider: "openai",
      }),
    }).then((response) => fetchAnswer("custom log", response, (body) => body.error?.code)),
    () => fetch(`${url}/v1/traces`, { method: "POST", headers: { ...bearer, "content-type": "application/json" }, body: JSON.stringify(jsonExportRequest([span])) }).then(
      (response) => fetchAnswer("OTLP JSON", response, (body) => body.details?.[0]?.reason),
    ),
    () => fetch(`${url}/v1/traces`, { method: "POST", headers: { ...bearer, "content-type": "application/x-protobuf" }, body: protobufExportRequest([span]) as BodyInit }).then(
      async (response) => ({
        family: "OTLP protobuf",
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        code: decodeProtobufStatus(new Uint8Array(await response.arrayBuffer())).details[0]?.reason,
      }),
    ),
    () => fetch(`${url}/api/v1/requests?limit=1`, { headers: bearer }).then((response) => fetchAnswer("read API (API key)", response, (body) => body.error?.code)),
    () => fetch(`${url}/api/v1/requests?limit=1`, { headers: { cookie } }).then((response) => fetchAnswer("read API (dashboard session)", response, (body) => body.error?.code)),
  ];
}

function outageSuite(kind: "sqlite" | "postgres", start: () => Promise<Setup>): void {
  let setup: Setup | undefined;
  beforeAll(async () => {
    setup = await start();
  });
  afterAll(async () => {
    await setup?.stop();
  });

  it("a key the server has not checked yet gets 503 unavailable with Retry-After on every endpoint family, then works once the database is back", async () => {
    const { stack, outage } = setup!;
    const cookie = await signIn(stack.app.url, ADMIN.email, ADMIN.password);
    expect(cookie, "signed in before the outage").toBeTruthy();
    // A key created before the outage that no request has used yet: the server has never checked it.
    const { key } = await createKeyWithCli(setup!.stack.databaseUrl, ["--name", `outage ${kind}`]);

    // One family at a time, each in an outage of its own: on SQLite every query that meets the
    // locks blocks for SQLite's WAL retry loop (≈ 10 s), during which the server waits with it.
    const answers: Answer[] = [];
    for (const call of everyFamily(stack, key, cookie!)) {
      await outage.begin();
      try {
        answers.push(await call());
      } finally {
        await outage.end();
      }
    }
    for (const answer of answers) {
      expect({ family: answer.family, status: answer.status, retryAfter: answer.retryAfter }).toEqual({ family: answer.family, status: 503, retryAfter: "5" });
      expect(answer.code, answer.family).toBe("unavailable");
    }

    // The 503 was about the database, not the key: the same key now works.
    await expect(openaiWith(stack, key).chat.completions.create(ask)).resolves.toMatchObject({ object: "chat.completion" });
    expect((await fetch(`${stack.app.url}/api/v1/requests?limit=1`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  }, 240_000);

  it("a key checked a moment before the outage keeps working on the proxy, while the read API, which needs the database, answers 503", async () => {
    const { stack, outage } = setup!;
    await stack.openai().chat.completions.create(ask);
    await outage.begin();
    try {
      await expect(stack.openai().chat.completions.create(ask)).resolves.toMatchObject({ object: "chat.completion" });
      const read = await fetch(`${stack.app.url}/api/v1/requests?limit=1`, { headers: { authorization: `Bearer ${stack.app.apiKey}` } });
      expect(read.status).toBe(503);
      expect(read.headers.get("retry-after")).toBe("5");
      expect(await read.json()).toMatchObject({ error: { code: "unavailable" } });
    } finally {
      await outage.end();
    }
  });
}

describe("API key checks during a database outage [sqlite]", () => outageSuite("sqlite", sqliteSetup));
describePostgres("API key checks during a database outage [postgres]", () => outageSuite("postgres", postgresSetup));
