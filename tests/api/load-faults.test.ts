import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockProvider } from "../mock-provider/server";
import { startApp, type RunningApp } from "../helpers/app-server";
import { queryDatabase } from "../helpers/database-contents";
import { uniqueTag } from "../helpers/logged-requests";
import { holdWriteLock } from "../helpers/write-lock";
import { createPostgresTestDatabase, createSqliteTestDatabase, describePostgres, type TestDatabase } from "../helpers/test-databases";
import { PROVIDER_KEY, type DatabaseKindUnderTest } from "../helpers/test-stack";

// Nothing lost under load: 10,000 proxied calls, 200 at a time, one in ten with an upstream fault,
// and the database's write lock held by someone else for a few seconds in the middle. Every call
// gets what the upstream did, and the database ends with exactly one row per call sent.
const TOTAL = 10_000;
const CONCURRENCY = 200;
const STALL_AFTER = 3_000;
const STALL_MS = 3_000;

type Fault = "none" | "error-500" | "error-429" | "drop-before-headers" | "drop-mid-stream" | "slow";
const FAULTS: Fault[] = ["error-500", "error-429", "drop-before-headers", "drop-mid-stream", "slow"];

/** One call in ten is faulty, the kinds taking turns; one healthy call in four streams. */
function planOf(index: number): { fault: Fault; stream: boolean } {
  if (index % 10 === 0) {
    const fault = FAULTS[(index / 10) % FAULTS.length]!;
    return { fault, stream: fault === "drop-mid-stream" };
  }
  return { fault: "none", stream: index % 4 === 1 };
}

const FAULT_HEADERS: Record<Fault, Record<string, string>> = {
  none: {},
  "error-500": { "x-mock-error-status": "500" },
  "error-429": { "x-mock-error-status": "429" },
  "drop-before-headers": { "x-mock-drop-connection": "before-headers" },
  "drop-mid-stream": { "x-mock-drop-connection": "mid-stream" },
  slow: { "x-mock-latency-ms": "300" },
};

/** What the client saw: "ok", or the HTTP status of the error, or "connection" for a broken stream. */
async function call(client: OpenAI, index: number, tag: string): Promise<string> {
  const { fault, stream } = planOf(index);
  const headers = { ...FAULT_HEADERS[fault], "Helicone-Property-Case": tag };
  const messages = [{ role: "user" as const, content: `call ${index}` }];
  try {
    if (stream) {
      const chunks = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true }, { headers });
      let text = "";
      for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? "";
      return text.includes(`Mock answer to: call ${index}`) ? "ok" : "incomplete";
    }
    const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages }, { headers });
    return completion.choices[0]!.message.content?.includes(`Mock answer to: call ${index}`) ? "ok" : "wrong answer";
  } catch (error) {
    if (error instanceof OpenAI.APIError && error.status !== undefined) return String(error.status);
    return "connection";
  }
}

/** Stored rows of the run by status, read from the database itself. */
async function storedByStatus(databaseUrl: string, tag: string): Promise<Map<number, { rows: number; withReason: number }>> {
  const rows = await queryDatabase<{ status: number; n: number | string; reasons: number | string }>(
    databaseUrl,
    `SELECT r."status" AS status, count(*) AS n, count(r."errorReason") AS reasons
     FROM "Request" r JOIN "RequestProperty" p ON p."requestId" = r."id"
     WHERE p."key" = 'case' AND p."value" = $1 GROUP BY r."status"`,
    [tag],
  );
  return new Map(rows.map((row) => [Number(row.status), { rows: Number(row.n), withReason: Number(row.reasons) }]));
}

const total = (byStatus: Map<number, { rows: number }>) => [...byStatus.values()].reduce((sum, { rows }) => sum + rows, 0);

function defineSuite(kind: DatabaseKindUnderTest) {
  return () => {
    let database: TestDatabase;
    let mock: Awaited<ReturnType<typeof startMockProvider>>;
    let app: RunningApp;

    beforeAll(async () => {
      database = kind === "sqlite" ? await createSqliteTestDatabase() : await createPostgresTestDatabase();
      mock = await startMockProvider({ maxRecordedRequests: 0 });
      app = await startApp({ databaseUrl: database.url, openaiUpstreamUrl: mock.url, anthropicUpstreamUrl: mock.url });
    });
    afterAll(async () => {
      await app?.stop();
      await mock?.close();
      await database?.cleanup();
    });

    it(`${TOTAL} calls, ${CONCURRENCY} at a time, 10 % upstream faults and a database stall: each gets what the upstream did, and rows == calls sent`, { timeout: 240_000 }, async () => {
      const tag = uniqueTag("load");
      const client = new OpenAI({ apiKey: PROVIDER_KEY, baseURL: `${app.url}/v1`, defaultHeaders: { "Helicone-Auth": `Bearer ${app.apiKey}` }, maxRetries: 0, timeout: 60_000 });
      const outcomes = new Map<string, number>();
      let next = 0;
      let finished = 0;
      let stall: Promise<void> | null = null;
      let stalledWhileCalling = false;

      const worker = async () => {
        while (next < TOTAL) {
          const index = next++;
          const outcome = await call(client, index, tag);
          const expected = expectedOutcome(index);
          const key = outcome === expected ? `as expected: ${expected}` : `call ${index}: expected ${expected}, got ${outcome}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          if (++finished === STALL_AFTER) {
            stall = (async () => {
              const release = await holdWriteLock(database.url);
              await new Promise((resolve) => setTimeout(resolve, STALL_MS));
              stalledWhileCalling = next < TOTAL;
              await release();
            })();
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      await stall;

      const unexpected = [...outcomes.keys()].filter((key) => !key.startsWith("as expected"));
      expect(unexpected.slice(0, 10)).toEqual([]);
      expect(stalledWhileCalling).toBe(true);

      // Every call is stored once the database is back: exactly one row per call sent.
      let byStatus = await storedByStatus(database.url, tag);
      for (let i = 0; i < 300 && total(byStatus) < TOTAL; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        byStatus = await storedByStatus(database.url, tag);
      }
      expect(total(byStatus)).toBe(TOTAL);
      const faultsOfKind = TOTAL / 10 / FAULTS.length;
      expect(byStatus.get(500)?.rows).toBe(faultsOfKind);
      expect(byStatus.get(429)?.rows).toBe(faultsOfKind);
      // A provider that hangs up before answering: our 502, logged with the reason.
      expect(byStatus.get(502)).toEqual({ rows: faultsOfKind, withReason: faultsOfKind });
      // Healthy calls, slow calls and streams cut mid-way were all 200s; the cut ones say why.
      expect(byStatus.get(200)).toEqual({ rows: TOTAL - 3 * faultsOfKind, withReason: faultsOfKind });

      const health = (await (await fetch(`${app.url}/api/health`)).json()) as { logQueue: { dropped: number; spooled: number } };
      expect(health.logQueue).toMatchObject({ dropped: 0, spooled: 0 });
    });
  };
}

function expectedOutcome(index: number): string {
  switch (planOf(index).fault) {
    case "error-500":
      return "500";
    case "error-429":
      return "429";
    case "drop-before-headers":
      return "502";
    case "drop-mid-stream":
      return "connection";
    default:
      return "ok";
  }
}

describe("nothing lost under load with faults [sqlite]", defineSuite("sqlite"));
describePostgres("nothing lost under load with faults [postgres]", defineSuite("postgres"));
