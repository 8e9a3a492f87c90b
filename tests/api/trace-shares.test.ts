import { createHash, randomBytes, randomUUID } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { databaseAsText } from "../helpers/database-contents";
import { signIn } from "../helpers/dashboard-login";
import { createKeyWithCli } from "../helpers/keys-cli";
import { describeOnEachDatabase } from "../helpers/test-stack";

// Share links as a program and a browser use them: made and revoked with an API key or a dashboard
// session, opened by anyone without either. Each test logs its own traces (custom log, which
// chooses the prompt, the answer and the failure text), so every piece of content is a string the
// test can look for in what a link sends.
const ADMIN = { email: "admin@shares.test", password: "shares-admin-password-1" };
const PUBLIC_URL = "https://traces.example.com/";

describeOnEachDatabase(
  "share links",
  (stack) => {
    const url = () => stack().app.url;
    let adminCookie: string;
    let memberCookie: string;
    let memberEmail: string;
    /** a key of a second organization, and a trace of its own */
    let other: { key: string; traceId: string };

    interface Answer {
      status: number;
      headers: Headers;
      text: string;
      body: any;
    }

    /** A call with an API key (default: the stack's), a session cookie, or nothing ("none"). */
    async function call(method: string, path: string, { as = stack().app.apiKey, body }: { as?: string; body?: unknown } = {}): Promise<Answer> {
      const headers: Record<string, string> = {};
      if (as.startsWith("authjs.")) Object.assign(headers, { cookie: as, origin: url() });
      else if (as !== "none") headers.authorization = `Bearer ${as}`;
      if (body !== undefined) headers["content-type"] = "application/json";
      const response = await fetch(url() + path, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // HTML or empty
      }
      return { status: response.status, headers: response.headers, text, body: parsed };
    }

    /** Logs one call of a trace's node; its prompt, answer (or error) and property name the node and the tag. */
    async function logNode(key: string, tag: string, nodeId: string, { fail = false } = {}): Promise<void> {
      const step = nodeId.split(":").at(-1)!;
      const response = await fetch(`${url()}/v1/trace/custom/log`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/json",
          "Helicone-Node-Id": nodeId,
          "Helicone-Property-Case": tag,
          "Helicone-Property-Secret": `property-${tag}-${step}`,
          "Helicone-Session-Id": `session-${tag}`,
          "Helicone-User-Id": `user-${tag}`,
        },
        body: JSON.stringify({
          providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: { model: "gpt-4o-mini", messages: [{ role: "user", content: `prompt-${tag}-${step}` }] } },
          providerResponse: fail
            ? { status: 500, json: { error: { message: `failure-${tag}-${step}`, type: "server_error" } } }
            : {
                status: 200,
                json: {
                  id: "chatcmpl-1",
                  object: "chat.completion",
                  model: "gpt-4o-mini",
                  choices: [{ index: 0, message: { role: "assistant", content: `answer-${tag}-${step}` }, finish_reason: "stop" }],
                  usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
                },
              },
          provider: "openai",
        }),
      });
      expect(response.status, await response.text()).toBe(200);
    }

    /** A trace of three nodes (one failed) under a virtual root; returns its id, tag and request ids. */
    async function logTrace(key = stack().app.apiKey) {
      const tag = `share-${randomUUID()}`;
      const traceId = `trace-${tag}`;
      await logNode(key, tag, `${traceId}:plan`);
      await logNode(key, tag, `${traceId}:plan:search`, { fail: true });
      await logNode(key, tag, `${traceId}:answer`);
      const rows = await waitForTrace(key, tag);
      return { tag, traceId, requestIds: rows.map((row) => row.id) };
    }

    /** Logging is asynchronous: polls the read API, with the key that logged them, until the trace's 3 requests are stored. */
    async function waitForTrace(key: string, tag: string): Promise<Array<{ id: string }>> {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const { body } = await call("GET", `/api/v1/requests?property.case=${tag}`, { as: key });
        if (body.data?.length >= 3) return body.data;
        if (Date.now() > deadline) throw new Error(`the trace of ${tag} was not stored`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    async function share(traceId: string, content: boolean, as?: string): Promise<{ id: string; url: string; token: string }> {
      const created = await call("POST", `/api/v1/traces/${encodeURIComponent(traceId)}/shares`, { as, body: { content } });
      expect(created.status, created.text).toBe(201);
      return { ...created.body, token: created.body.url.split("/").at(-1) };
    }

    /** What anyone holding the link gets: the page, the trace's JSON and one request's bodies. */
    const open = {
      page: (token: string) => call("GET", `/share/${token}`, { as: "none" }),
      trace: (token: string) => call("GET", `/api/v1/shared/${token}`, { as: "none" }),
      request: (token: string, requestId: string) => call("GET", `/api/v1/shared/${token}/requests/${requestId}`, { as: "none" }),
    };

    const madeUpToken = () => randomBytes(32).toString("base64url");

    beforeAll(async () => {
      adminCookie = (await signIn(url(), ADMIN.email, ADMIN.password))!;
      expect(adminCookie).toBeTruthy();
      memberEmail = `member-${randomUUID()}@shares.test`;
      const invited = await call("POST", "/api/v1/members", { as: adminCookie, body: { email: memberEmail, role: "member" } });
      expect(invited.status).toBe(201);
      memberCookie = (await signIn(url(), memberEmail, invited.body.password))!;
      const key = (await createKeyWithCli(stack().databaseUrl, ["--name", "other", "--organization", "Other org"])).key;
      other = { key, traceId: (await logTrace(key)).traceId };
    });

    it("a link opens the trace without signing in, with its prompts and answers, until it is revoked; then it is a 404 like a made-up one", async () => {
      const { tag, traceId, requestIds } = await logTrace();
      const created = await share(traceId, true);
      // absolute, from PUBLIC_URL, with a 256-bit token
      expect(created.url).toMatch(/^https:\/\/traces\.example\.com\/share\/[A-Za-z0-9_-]{43}$/);

      const page = await open.page(created.token);
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/<meta name="robots" content="noindex, nofollow"\s*\/?>/);
      expect(page.headers.get("x-robots-tag")).toContain("noindex");
      expect(page.text).toMatch(/<meta name="referrer" content="no-referrer"\s*\/?>/);
      expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);

      const own = await call("GET", `/api/v1/traces/${traceId}`);
      const shared = await open.trace(created.token);
      expect(shared.status).toBe(200);
      expect(shared.headers.get("x-robots-tag")).toContain("noindex");
      expect(shared.headers.get("cache-control")).toBe("no-store");
      // the same tree and metrics as the read API's
      expect(shared.body.traceId).toBe(traceId);
      expect(shared.body.metrics).toEqual(own.body.metrics);
      expect(shared.body.nodes.map((n: any) => [n.id, n.parentId, n.virtual, n.onCriticalPath, n.subtreeCost])).toEqual(
        own.body.nodes.map((n: any) => [n.id, n.parentId, n.virtual, n.onCriticalPath, n.subtreeCost]),
      );
      const failed = shared.body.nodes.find((n: any) => n.id === `${traceId}:plan:search`).requests[0];
      expect(failed).toMatchObject({ status: 500, errorReason: expect.stringContaining(`failure-${tag}-search`), properties: { secret: `property-${tag}-search` } });
      // never the organization's session or end-user ids
      expect(shared.text).not.toContain(`session-${tag}`);
      expect(shared.text).not.toContain(`user-${tag}`);

      for (const requestId of requestIds) {
        const bodies = await open.request(created.token, requestId);
        expect(bodies.status, bodies.text).toBe(200);
        expect(Object.keys(bodies.body).sort()).toEqual(["requestBody", "responseBody"]);
        expect(JSON.stringify(bodies.body.requestBody)).toContain(`prompt-${tag}-`);
      }
      const plan = shared.body.nodes.find((n: any) => n.id === `${traceId}:plan`).requests[0].id;
      expect(JSON.stringify((await open.request(created.token, plan)).body.responseBody)).toContain(`answer-${tag}-plan`);

      // Listed without the link; the database holds its hash, never the token.
      const listed = await call("GET", `/api/v1/traces/${traceId}/shares`);
      expect(listed.status).toBe(200);
      expect(listed.body.data).toEqual([{ id: created.id, traceId, content: true, prefix: created.token.slice(0, 6), createdAt: expect.any(String), createdBy: null }]);
      expect(listed.text).not.toContain(created.token);
      const database = await databaseAsText(stack().databaseUrl);
      expect(database).not.toContain(created.token);
      expect(database).toContain(createHash("sha256").update(created.token).digest("hex"));

      const revoked = await call("DELETE", `/api/v1/traces/${traceId}/shares/${created.id}`);
      expect(revoked.status).toBe(204);
      expect((await open.page(created.token)).status).toBe(404);
      expect((await open.trace(created.token)).body).toEqual({ error: { code: "not_found", message: "shared trace not found" } });
      expect((await open.request(created.token, requestIds[0]!)).status).toBe(404);
      expect((await call("GET", `/api/v1/traces/${traceId}/shares`)).body.data).toEqual([]);
      expect((await call("DELETE", `/api/v1/traces/${traceId}/shares/${created.id}`)).status).toBe(404);

      for (const token of [madeUpToken(), "short", created.token.slice(0, -1) + (created.token.endsWith("A") ? "B" : "A")]) {
        const madeUpPage = await open.page(token);
        expect(madeUpPage.status, token).toBe(404);
        expect(madeUpPage.headers.get("x-robots-tag")).toContain("noindex");
        expect(madeUpPage.text).toContain("Link not found");
        expect((await open.trace(token)).body).toEqual({ error: { code: "not_found", message: "shared trace not found" } });
      }
    });

    it("content: false sends no prompt, answer, error message or property at all, only structure, timings, cost and status", async () => {
      const { tag, traceId, requestIds } = await logTrace();
      const created = await share(traceId, false, adminCookie);
      const own = await call("GET", `/api/v1/traces/${traceId}`);
      expect(own.text).toContain(`failure-${tag}-search`); // the read API has it: its absence below means something
      expect(own.text).toContain(`property-${tag}-`);

      const shared = await open.trace(created.token);
      expect(shared.status).toBe(200);
      expect(shared.text).not.toContain(`failure-${tag}`);
      expect(shared.text).not.toContain(`property-${tag}`);
      expect(shared.text).not.toContain(`session-${tag}`);
      expect(shared.text).not.toContain(`user-${tag}`);
      expect(shared.text).not.toContain(`prompt-${tag}`);
      expect(shared.text).not.toContain(`answer-${tag}`);
      expect(shared.body.metrics).toEqual(own.body.metrics);
      const strip = (node: any) => ({ ...node, requests: node.requests.map((r: any) => ({ ...r, errorReason: null, properties: {}, sessionId: null, userId: null })) });
      expect(shared.body.nodes).toEqual(own.body.nodes.map(strip));

      for (const requestId of requestIds) {
        const bodies = await open.request(created.token, requestId);
        expect(bodies.status).toBe(404);
        expect(bodies.text).not.toContain(tag);
      }
      const listed = await call("GET", `/api/v1/traces/${traceId}/shares`, { as: memberCookie });
      expect(listed.body.data).toEqual([expect.objectContaining({ id: created.id, content: false, createdBy: ADMIN.email })]);
    });

    it("a link shows only its own trace's requests", async () => {
      const first = await logTrace();
      const second = await logTrace();
      const created = await share(first.traceId, true);
      for (const requestId of [...second.requestIds, randomUUID()]) {
        const answer = await open.request(created.token, requestId);
        expect(answer.status).toBe(404);
        expect(answer.text).not.toContain(second.tag);
      }
      expect((await open.request(created.token, first.requestIds[0]!)).status).toBe(200);
    });

    it("a bad body is a 400 that says what is wrong; an unknown trace is a 404; no credentials a 401; a cross-site change with the cookie a 403", async () => {
      const { traceId } = await logTrace();
      const path = `/api/v1/traces/${traceId}/shares`;
      for (const body of [{}, { content: "yes" }, { content: 1 }, { content: null }, [], { content: true, expiresIn: 3600 }]) {
        const answer = await call("POST", path, { body });
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.body.error.message, JSON.stringify(body)).toMatch(/content|expiresIn|object/);
      }
      expect((await call("POST", path, { body: {} })).body.error.message).toContain("content must be true (the link shows prompts and answers) or false");
      expect((await call("POST", path, { body: "{not json" })).body).toEqual({ error: { code: "invalid_json", message: "Body is not valid JSON." } });

      for (const unknown of [`/api/v1/traces/${randomUUID()}/shares`, `/api/v1/traces/${other.traceId}/shares`]) {
        expect((await call("POST", unknown, { body: { content: true } })).body).toEqual({ error: { code: "not_found", message: "trace not found" } });
        expect((await call("GET", unknown)).status).toBe(404);
      }
      expect((await call("DELETE", `${path}/${randomUUID()}`)).body).toEqual({ error: { code: "not_found", message: "share not found" } });
      expect((await call("POST", path, { as: "none", body: { content: true } })).status).toBe(401);
      expect((await call("GET", path, { as: "none" })).status).toBe(401);
      expect((await call("GET", "/api/v1/shares", { as: "none" })).status).toBe(401);
      expect((await call("GET", `/api/v1/traces/${traceId}/shares`)).body.data).toEqual([]);

      // With the session cookie, only our own pages may make or revoke links (no cross-site forms or fetches).
      const made = await share(traceId, false, adminCookie);
      const crossSite = (method: string, target: string, headers: Record<string, string>, body?: string) =>
        fetch(url() + target, { method, headers: { cookie: adminCookie, ...headers }, body });
      const foreignOrigin = await crossSite("POST", path, { origin: "https://evil.example", "content-type": "application/json" }, JSON.stringify({ content: true }));
      expect(foreignOrigin.status).toBe(403);
      const form = await crossSite("POST", path, { "content-type": "application/x-www-form-urlencoded" }, "content=true");
      expect(form.status).toBe(415);
      expect((await crossSite("DELETE", `${path}/${made.id}`, { origin: "https://evil.example" })).status).toBe(403);
      expect((await call("GET", path)).body.data.map((s: any) => s.id)).toEqual([made.id]);
    });

    it("another organization can neither make, list nor revoke links on a trace it does not own, nor see ours in its list", async () => {
      const { traceId } = await logTrace();
      const ours = await share(traceId, true);
      const theirs = await share(other.traceId, true, other.key);

      expect((await call("POST", `/api/v1/traces/${traceId}/shares`, { as: other.key, body: { content: true } })).status).toBe(404);
      const list = await call("GET", `/api/v1/traces/${traceId}/shares`, { as: other.key });
      expect(list.status).toBe(404);
      expect(list.text).not.toContain(ours.id);
      expect((await call("DELETE", `/api/v1/traces/${traceId}/shares/${ours.id}`, { as: other.key })).status).toBe(404);
      // its own trace's id with our link's id: not its link either
      expect((await call("DELETE", `/api/v1/traces/${other.traceId}/shares/${ours.id}`, { as: other.key })).status).toBe(404);
      expect((await open.trace(ours.token)).status).toBe(200);

      const theirList = await call("GET", "/api/v1/shares", { as: other.key });
      expect(theirList.body.data.map((s: any) => s.id)).toEqual([theirs.id]);
      const ourList = await call("GET", "/api/v1/shares");
      expect(ourList.body.data.map((s: any) => s.id)).toContain(ours.id);
      expect(ourList.text).not.toContain(theirs.id);
      expect(ourList.text).not.toContain(other.traceId);
    });

    it("an admin turning sharing off revokes every link at once and makes new ones a 403 until it is on again; members and keys cannot", async () => {
      const { traceId } = await logTrace();
      const links = [await share(traceId, true), await share(traceId, false, memberCookie)];
      const theirs = await share(other.traceId, false, other.key);

      const listed = await call("GET", "/api/v1/shares", { as: memberCookie });
      expect(listed.body.data.map((s: any) => s.id)).toEqual(expect.arrayContaining(links.map((l) => l.id)));
      expect(listed.body.data.find((s: any) => s.id === links[1]!.id)).toMatchObject({ traceId, content: false, createdBy: memberEmail });
      expect((await call("GET", "/api/v1/sharing", { as: memberCookie })).body).toEqual({ enabled: true });

      expect((await call("PUT", "/api/v1/sharing", { as: memberCookie, body: { enabled: false } })).body).toEqual({ error: { code: "forbidden", message: "Only an admin can do this." } });
      expect((await call("PUT", "/api/v1/sharing", { body: { enabled: false } })).status).toBe(401);
      expect((await call("PUT", "/api/v1/sharing", { as: adminCookie, body: { enabled: "off" } })).status).toBe(400);
      for (const link of links) expect((await open.trace(link.token)).status).toBe(200);

      const before = (await call("GET", "/api/v1/shares")).body.data.length;
      const off = await call("PUT", "/api/v1/sharing", { as: adminCookie, body: { enabled: false } });
      expect(off.body).toEqual({ enabled: false, revoked: before });
      for (const link of links) {
        expect((await open.page(link.token)).status).toBe(404);
        expect((await open.trace(link.token)).status).toBe(404);
      }
      expect((await call("GET", "/api/v1/shares")).body.data).toEqual([]);
      expect((await call("GET", "/api/v1/sharing")).body).toEqual({ enabled: false });
      const refused = await call("POST", `/api/v1/traces/${traceId}/shares`, { as: adminCookie, body: { content: true } });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toEqual({ code: "sharing_disabled", message: expect.stringContaining("Sharing is turned off for this organization") });
      // the other organization's links and sharing are its own
      expect((await open.trace(theirs.token)).status).toBe(200);
      expect((await call("GET", "/api/v1/sharing", { as: other.key })).body).toEqual({ enabled: true });

      const on = await call("PUT", "/api/v1/sharing", { as: adminCookie, body: { enabled: true } });
      expect(on.body).toEqual({ enabled: true, revoked: 0 });
      // revoked links stay revoked; new ones work
      expect((await open.trace(links[0]!.token)).status).toBe(404);
      expect((await open.trace((await share(traceId, true)).token)).status).toBe(200);
    });

    it("links made while sharing is being turned off never outlive it", async () => {
      const { traceId } = await logTrace();
      const attempts = Array.from({ length: 12 }, () => call("POST", `/api/v1/traces/${traceId}/shares`, { body: { content: true } }));
      const off = call("PUT", "/api/v1/sharing", { as: adminCookie, body: { enabled: false } });
      const answers = await Promise.all(attempts);
      expect((await off).status).toBe(200);
      for (const answer of answers) expect([201, 403]).toContain(answer.status);
      // whichever came first, nothing made before or during the switch opens now
      for (const answer of answers.filter((a) => a.status === 201)) expect((await open.trace(answer.body.url.split("/").at(-1))).status).toBe(404);
      expect((await call("GET", "/api/v1/shares")).body.data).toEqual([]);
      expect((await call("PUT", "/api/v1/sharing", { as: adminCookie, body: { enabled: true } })).status).toBe(200);
    });
  },
  { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, PUBLIC_URL },
);
