import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { createKeyWithCli } from "../helpers/keys-cli";
import { uniqueTag } from "../helpers/logged-requests";
import { describeOnEachDatabase, PROVIDER_KEY, stackOf, type TestStack } from "../helpers/test-stack";

// GET /api/v1/requests, /requests/{id}, /traces/{traceId} and /sessions/{sessionId} as a program
// holding an API key uses them. Every test marks its requests with a unique Case property and
// filters on it, so that the requests of other tests sharing the database never interfere.
describeOnEachDatabase("read API", (stack) => {
  const ask = (content: string, model = "gpt-4o-mini") => ({ model, messages: [{ role: "user" as const, content }] });

  /** GET /api/v1/requests?property.case=<tag>&<query>, all pages' worth. */
  async function list(tag: string, query = "", as: TestStack = stack()) {
    const { status, body } = await as.api(`/api/v1/requests?limit=1000&property.case=${tag}${query ? `&${query}` : ""}`);
    expect(status, JSON.stringify(body)).toBe(200);
    return body.data as any[];
  }

  /** Logs a call through the custom log endpoint, which lets the test choose its start time. */
  async function customLog(tag: string, startMs: number, headers: Record<string, string> = {}): Promise<string> {
    const response = await fetch(`${stack().app.url}/v1/trace/custom/log`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack().app.apiKey}`, "content-type": "application/json", "Helicone-Property-Case": tag, ...headers },
      body: JSON.stringify({
        providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: ask("logged by the caller") },
        providerResponse: {
          status: 200,
          json: {
            id: "chatcmpl-1",
            object: "chat.completion",
            model: "gpt-4o-mini",
            choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
            usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
          },
        },
        timing: { startTime: startMs, endTime: startMs + 100 },
        provider: "openai",
      }),
    });
    const body = (await response.json()) as any;
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body.id;
  }

  it("model filter returns only that model's requests", async () => {
    const tag = uniqueTag();
    const client = stack().openai({ "Helicone-Property-Case": tag });
    await client.chat.completions.create(ask("one"));
    await client.chat.completions.create(ask("two"));
    await client.chat.completions.create(ask("three", "gpt-4.1-mini"));
    await stack().waitForRequests(`property.case=${tag}`, 3);

    expect((await list(tag, "model=gpt-4o-mini")).map((r) => r.model)).toEqual(["gpt-4o-mini", "gpt-4o-mini"]);
    expect((await list(tag, "model=gpt-4.1-mini")).map((r) => r.model)).toEqual(["gpt-4.1-mini"]);
    expect(await list(tag, "model=gpt-4")).toEqual([]);
  });

  it("status filter takes ok (2xx), error (anything else) or an exact code", async () => {
    const tag = uniqueTag();
    const client = stack().openai({ "Helicone-Property-Case": tag });
    await client.chat.completions.create(ask("fine"));
    for (const status of ["429", "500"]) {
      await expect(client.chat.completions.create(ask("fails"), { headers: { "x-mock-error-status": status } })).rejects.toThrow();
    }
    const missing = await fetch(`${stack().app.url}/v1/no-such-endpoint`, {
      headers: { "Helicone-Auth": `Bearer ${stack().app.apiKey}`, authorization: `Bearer ${PROVIDER_KEY}`, "Helicone-Property-Case": tag },
    });
    expect(missing.status).toBe(404);
    await stack().waitForRequests(`property.case=${tag}`, 4);

    const statuses = async (query: string) => (await list(tag, query)).map((r) => r.status).sort();
    expect(await statuses("status=ok")).toEqual([200]);
    expect(await statuses("status=error")).toEqual([404, 429, 500]);
    expect(await statuses("status=429")).toEqual([429]);
    expect(await statuses("status=503")).toEqual([]);
  });

  it("two property filters must both match; keys match case-insensitively, values exactly", async () => {
    const tag = uniqueTag();
    const combos = [
      { step: "plan", env: "prod" },
      { step: "plan", env: "dev" },
      { step: "act", env: "prod" },
    ];
    for (const { step, env } of combos) {
      await stack()
        .openai({ "Helicone-Property-Case": tag, "Helicone-Property-Step": step, "Helicone-Property-Env": env })
        .chat.completions.create(ask(`${step} in ${env}`));
    }
    await stack().waitForRequests(`property.case=${tag}`, 3);

    const matching = async (query: string) => (await list(tag, query)).map((r) => `${r.properties.step}/${r.properties.env}`).sort();
    expect(await matching("property.step=plan&property.env=prod")).toEqual(["plan/prod"]);
    expect(await matching("property.Step=plan")).toEqual(["plan/dev", "plan/prod"]);
    expect(await matching("property.env=prod")).toEqual(["act/prod", "plan/prod"]);
    expect(await matching("property.step=PLAN")).toEqual([]);
    expect(await matching("property.step=plan&property.env=staging")).toEqual([]);
  });

  it("sessionId, userId and traceId filters each narrow to their requests, and combine", async () => {
    const tag = uniqueTag();
    const [s1, s2, u1, u2, t1] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const calls: Array<Record<string, string>> = [
      { name: "a", "Helicone-Session-Id": s1, "Helicone-User-Id": u1, "Helicone-Node-Id": t1 },
      { name: "b", "Helicone-Session-Id": s1, "Helicone-User-Id": u2, "Helicone-Node-Id": `${t1}:child` },
      { name: "c", "Helicone-Session-Id": s2, "Helicone-User-Id": u1 },
    ];
    for (const { name, ...headers } of calls) {
      await stack()
        .openai({ "Helicone-Property-Case": tag, "Helicone-Property-Name": name, ...headers })
        .chat.completions.create(ask(name));
    }
    await stack().waitForRequests(`property.case=${tag}`, 3);

    const names = async (query: string) => (await list(tag, query)).map((r) => r.properties.name).sort();
    expect(await names(`sessionId=${s1}`)).toEqual(["a", "b"]);
    expect(await names(`userId=${u1}`)).toEqual(["a", "c"]);
    expect(await names(`traceId=${t1}`)).toEqual(["a", "b"]);
    expect(await names(`sessionId=${s1}&userId=${u1}`)).toEqual(["a"]);
    expect(await names(`traceId=${randomUUID()}`)).toEqual([]);
  });

  it("from and to bound the start time inclusively, as ISO dates or epoch milliseconds", async () => {
    const tag = uniqueTag();
    const t0 = Date.now() - 3_600_000;
    const [early, middle, late] = [await customLog(tag, t0), await customLog(tag, t0 + 1000), await customLog(tag, t0 + 2000)];
    const iso = (ms: number) => new Date(ms).toISOString();

    const ids = async (query: string) => (await list(tag, query)).map((r) => r.id);
    expect(await ids(`from=${t0 + 1000}`)).toEqual([late, middle]);
    expect(await ids(`from=${iso(t0 + 1000)}`)).toEqual([late, middle]);
    expect(await ids(`to=${t0 + 1000}`)).toEqual([middle, early]);
    expect(await ids(`to=${encodeURIComponent(iso(t0 + 1000))}`)).toEqual([middle, early]);
    expect(await ids(`from=${t0 + 1000}&to=${t0 + 1000}`)).toEqual([middle]);
    expect(await ids(`from=${t0 + 1001}&to=${t0 + 1999}`)).toEqual([]);
    expect(await ids(`from=${t0 + 2001}`)).toEqual([]);
  });

  it("limit and cursor walk every request exactly once, newest first, even when start times tie", async () => {
    const tag = uniqueTag();
    const t0 = Date.now() - 600_000;
    // Three share one start time, so pages must break ties the same way on every request.
    const offsets = [0, 10, 10, 10, 20, 30, 40];
    const created = new Set<string>();
    for (const offset of offsets) created.add(await customLog(tag, t0 + offset));

    const seen: any[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { status, body }: { status: number; body: any } = await stack().api(
        `/api/v1/requests?property.case=${tag}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(status).toBe(200);
      seen.push(...body.data);
      pageSizes.push(body.data.length);
      cursor = body.nextCursor;
      if (cursor === null) break;
    }

    expect(pageSizes).toEqual([2, 2, 2, 1]);
    expect(seen.map((r) => r.id).sort()).toEqual([...created].sort());
    const order = seen.map((r) => [Date.parse(r.startTime), r.id] as const);
    const newestFirst = [...order].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0));
    expect(order).toEqual(newestFirst);
    expect(order.map(([time]) => time - t0)).toEqual([...offsets].reverse());

    const exact = await stack().api(`/api/v1/requests?property.case=${tag}&limit=7`);
    expect(exact.body.data).toHaveLength(7);
    expect(exact.body.nextCursor).toBeNull();
  });

  it("a bad limit, status, from, to or cursor is a 400 whose message names the parameter", async () => {
    const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const cases: Array<[string, string]> = [
      ["limit", "limit=0"],
      ["limit", "limit=-5"],
      ["limit", "limit=abc"],
      ["limit", "limit=2.5"],
      ["limit", "limit=1001"],
      ["status", "status=fine"],
      ["status", "status=1000"],
      ["from", "from=yesterday"],
      ["to", "to=2024-13-45"],
      ["cursor", "cursor=not-a-cursor"],
      ["cursor", `cursor=${cursorOf({ page: 2 })}`],
      ["cursor", `cursor=${cursorOf([1e20, "x"])}`],
    ];
    for (const [param, query] of cases) {
      const { status, body } = await stack().api(`/api/v1/requests?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.message, query).toContain(param);
    }
  });

  it("every read endpoint answers 401 without a key, with an unknown key, or with a non-Bearer Authorization", async () => {
    const paths = ["/api/v1/requests", `/api/v1/requests/${randomUUID()}`, `/api/v1/traces/${randomUUID()}`, `/api/v1/sessions/${randomUUID()}`];
    const credentials: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer sk-tw-not-a-real-key" },
      { authorization: `Bearer ${stack().app.apiKey}x` },
      { authorization: `Basic ${Buffer.from(`user:${stack().app.apiKey}`).toString("base64")}` },
      { authorization: stack().app.apiKey },
    ];
    for (const path of paths) {
      for (const headers of credentials) {
        const response = await fetch(stack().app.url + path, { headers });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        // Without credentials the caller is told to sign in or send a key; a key that is not one is an invalid key, as on every endpoint.
        const code = headers.authorization?.startsWith("Bearer ") ? "invalid_api_key" : "unauthorized";
        expect(await response.json()).toMatchObject({ error: { code, message: expect.any(String) } });
      }
    }
  });

  it("GET /api/v1/requests/{id} returns one request with its bodies and redacted headers; an unknown id is 404", async () => {
    const tag = uniqueTag();
    const completion = await stack().openai({ "Helicone-Property-Case": tag }).chat.completions.create(ask("tell me a fact"));
    const [row] = await stack().waitForRequests(`property.case=${tag}`, 1);

    const { status, body } = await stack().api(`/api/v1/requests/${row.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: row.id, model: "gpt-4o-mini", status: 200, properties: { case: tag } });
    expect(body.requestBody).toEqual(ask("tell me a fact"));
    expect(body.responseBody).toMatchObject({ id: completion.id, choices: [{ message: { content: completion.choices[0]!.message.content } }] });
    expect(body.requestHeaders).toMatchObject({ authorization: "[redacted]", "helicone-auth": "[redacted]" });

    const missing = await stack().api(`/api/v1/requests/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: "not_found" } });
  });

  it("organizations are isolated: neither sees the other's requests, traces, sessions or property values, even under the same trace id", async () => {
    const { key: otherKey } = await createKeyWithCli(stack().databaseUrl, ["--name", "x", "--organization", "Other"]);
    const other = stackOf({ ...stack(), app: { ...stack().app, apiKey: otherKey } });
    const sharedTraceId = randomUUID();

    const traffic = async (as: TestStack, org: string) => {
      const tag = uniqueTag(org);
      const ids = { tag, traceId: randomUUID(), sessionId: randomUUID() };
      const client = as.openai({ "Helicone-Property-Case": tag, "Helicone-Session-Id": ids.sessionId, "Helicone-User-Id": `user-${org}` });
      await client.chat.completions.create(ask(`${org} root`), { headers: { "Helicone-Node-Id": ids.traceId } });
      await client.chat.completions.create(ask(`${org} shared`), { headers: { "Helicone-Node-Id": `${sharedTraceId}:${org}` } });
      const rows = await as.waitForRequests(`property.case=${tag}`, 2);
      return { ...ids, requestIds: rows.map((r) => r.id) as string[] };
    };
    const mine = await traffic(stack(), "first");
    const theirs = await traffic(other, "other");

    for (const [viewer, own, foreign] of [
      [stack(), mine, theirs],
      [other, theirs, mine],
    ] as const) {
      const everything = (await viewer.api(`/api/v1/requests?limit=1000`)).body.data.map((r: any) => r.id);
      expect(everything).toEqual(expect.arrayContaining(own.requestIds));
      expect(everything.filter((id: string) => foreign.requestIds.includes(id))).toEqual([]);
      for (const filter of [`traceId=${foreign.traceId}`, `sessionId=${foreign.sessionId}`, `property.case=${foreign.tag}`]) {
        expect((await viewer.api(`/api/v1/requests?${filter}`)).body.data, filter).toEqual([]);
      }
      for (const path of [
        `/api/v1/requests/${foreign.requestIds[0]}`,
        `/api/v1/traces/${foreign.traceId}`,
        `/api/v1/sessions/${foreign.sessionId}`,
      ]) {
        const { status, body } = await viewer.api(path);
        expect(status, path).toBe(404);
        expect(JSON.stringify(body)).not.toContain(foreign.tag);
      }
      const values = async (prefix: string) => (await viewer.api(`/api/v1/properties?key=case&prefix=${prefix}`)).body.values;
      expect(await values(foreign.tag)).toEqual([]);
      expect(await values(own.tag)).toEqual([{ value: own.tag, count: 2 }]);
      expect((await viewer.api(`/api/v1/traces/${own.traceId}`)).status).toBe(200);
      expect((await viewer.api(`/api/v1/sessions/${own.sessionId}`)).status).toBe(200);

      const shared = (await viewer.api(`/api/v1/traces/${sharedTraceId}`)).body;
      const requests = shared.nodes.flatMap((n: any) => n.requests.map((r: any) => r.id));
      expect(requests).toHaveLength(1);
      expect(own.requestIds).toContain(requests[0]);
    }
  });
});
