import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { describeOnEachDatabase, type TestStack } from "../helpers/test-stack";
import { uniqueTag } from "../helpers/logged-requests";
import { signIn as login } from "../helpers/dashboard-login";

const ADMIN = { email: "admin@dashboard.test", password: "dashboard-password-1" };

describeOnEachDatabase(
  "dashboard API: sessions, users, suggestions, keys, members, cookie auth",
  (stack) => {
    const get = async (path: string, headers: Record<string, string>) => {
      const response = await fetch(stack().app.url + path, { headers });
      return { status: response.status, body: response.status === 204 ? null : await response.json() };
    };

    async function seed(s: TestStack) {
      const tag = uniqueTag("dash");
      const sessionId = `sess-${randomUUID()}`;
      const traceId = randomUUID();
      const client = s.openai();
      const ask = (headers: Record<string, string>) =>
        client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }, { headers: { "Helicone-Property-Case": tag, ...headers } }).catch(() => null);
      await ask({ "Helicone-Session-Id": sessionId, "Helicone-Session-Name": "Checkout help", "Helicone-User-Id": `${tag}-alice`, "Helicone-Node-Id": traceId, "Helicone-Property-Step": "plan" });
      await ask({ "Helicone-Session-Id": sessionId, "Helicone-User-Id": `${tag}-alice`, "Helicone-Node-Id": `${traceId}:a`, "Helicone-Property-Step": "act" });
      await ask({ "Helicone-Session-Id": sessionId, "Helicone-User-Id": `${tag}-bob`, "x-mock-error-status": "500" });
      await s.waitForRequests(`property.case=${tag}`, 3);
      return { tag, sessionId, traceId };
    }

    it("a signed-in user reads every endpoint with the session cookie; without a cookie or key it is 401", async () => {
      const cookie = await login(stack().app.url, ADMIN.email, ADMIN.password);
      expect(cookie).not.toBeNull();
      for (const path of ["/api/v1/requests", "/api/v1/sessions", "/api/v1/users", "/api/v1/properties", "/api/v1/models", "/api/v1/keys", "/api/v1/members"]) {
        expect((await get(path, { cookie: cookie! })).status, path).toBe(200);
        expect((await get(path, {})).status, path).toBe(401);
      }
    });

    it("a wrong password or a missing CSRF token gives no session", async () => {
      expect(await login(stack().app.url, ADMIN.email, "wrong-password")).toBeNull();
      expect(await login(stack().app.url, "nobody@dashboard.test", ADMIN.password)).toBeNull();
      expect(await login(stack().app.url, ADMIN.email, ADMIN.password, { withCsrf: false })).toBeNull();
    });

    it("an API key in the request is checked as before: a bad one is 401 even beside a valid cookie", async () => {
      const cookie = await login(stack().app.url, ADMIN.email, ADMIN.password);
      const { status, body } = await get("/api/v1/requests", { cookie: cookie!, authorization: "Bearer sk-tw-not-a-key" });
      expect(status).toBe(401);
      expect(body.error.code).toBe("invalid_api_key");
    });

    it("GET /api/v1/sessions lists a session with its name, users, counts, errors, cost and span", async () => {
      const { sessionId, tag } = await seed(stack());
      const { status, body } = await stack().api(`/api/v1/sessions?search=${sessionId}`);
      expect(status).toBe(200);
      expect(body.data).toHaveLength(1);
      const session = body.data[0];
      expect(session).toMatchObject({ sessionId, name: "Checkout help", requestCount: 3, traceCount: 1, errorCount: 1, costComplete: true });
      expect(session.userIds.sort()).toEqual([`${tag}-alice`, `${tag}-bob`]);
      const requests = (await stack().api(`/api/v1/requests?sessionId=${sessionId}`)).body.data;
      expect(session.cost).toBeCloseTo(requests.reduce((sum: number, r: { cost: number }) => sum + r.cost, 0), 12);
      const first = Math.min(...requests.map((r: { startTime: string }) => Date.parse(r.startTime)));
      const last = Math.max(...requests.map((r: { endTime: string }) => Date.parse(r.endTime)));
      expect(session.durationMs).toBe(last - first);
      expect((await stack().api("/api/v1/sessions?search=Checkout%20help")).body.data.map((s: { sessionId: string }) => s.sessionId)).toContain(sessionId);
    });

    it("GET /api/v1/sessions pages by cursor, most recently active first, without repeats", async () => {
      for (let i = 0; i < 3; i++) await seed(stack());
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { data: Array<{ sessionId: string; lastStartTime: string }>; nextCursor: string | null } } = await stack().api(`/api/v1/sessions?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
        seen.push(...page.body.data.map((s) => s.sessionId));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBeGreaterThanOrEqual(3);
    });

    it("GET /api/v1/users: requests, traces, sessions, errors and cost per Helicone-User-Id", async () => {
      const { tag } = await seed(stack());
      const { body } = await stack().api(`/api/v1/users?search=${tag}`);
      const byId = Object.fromEntries(body.data.map((u: { userId: string }) => [u.userId, u]));
      expect(byId[`${tag}-alice`]).toMatchObject({ requestCount: 2, traceCount: 1, sessionCount: 1, errorCount: 0 });
      expect(byId[`${tag}-bob`]).toMatchObject({ requestCount: 1, traceCount: 0, sessionCount: 1, errorCount: 1 });
      expect(Date.parse(byId[`${tag}-alice`].lastSeen)).toBeGreaterThanOrEqual(Date.parse(byId[`${tag}-alice`].firstSeen));
    });

    it("GET /api/v1/properties suggests keys and a key's values; GET /api/v1/models the models", async () => {
      const { tag } = await seed(stack());
      const keys = (await stack().api("/api/v1/properties")).body.keys.map((k: { key: string }) => k.key);
      expect(keys).toEqual(expect.arrayContaining(["case", "step"]));
      const values = (await stack().api("/api/v1/properties?key=Step")).body;
      expect(values.key).toBe("step");
      expect(values.values.map((v: { value: string }) => v.value)).toEqual(expect.arrayContaining(["plan", "act"]));
      expect((await stack().api(`/api/v1/properties?key=case&prefix=${tag}`)).body.values).toEqual([{ value: tag, count: 3 }]);
      expect((await stack().api("/api/v1/models")).body.models.map((m: { model: string }) => m.model)).toContain("gpt-4o-mini");
    });

    it("API keys are managed with a session only: created once in clear, listed by prefix, revoked at once", async () => {
      expect((await stack().api("/api/v1/keys")).status).toBe(401);
      const cookie = (await login(stack().app.url, ADMIN.email, ADMIN.password))!;
      const origin = stack().app.url;
      const created = await fetch(`${origin}/api/v1/keys`, { method: "POST", headers: { cookie, origin, "content-type": "application/json" }, body: JSON.stringify({ name: "ci" }) });
      expect(created.status).toBe(201);
      const { key, apiKey } = await created.json();
      expect(key).toMatch(/^sk-tw-/);
      const listed = (await get("/api/v1/keys", { cookie })).body.data.find((k: { id: string }) => k.id === apiKey.id);
      expect(listed).toMatchObject({ name: "ci", prefix: key.slice(0, 10), revokedAt: null });
      expect(JSON.stringify(listed)).not.toContain(key);
      expect((await get("/api/v1/requests?limit=1", { authorization: `Bearer ${key}` })).status).toBe(200);

      const revoked = await fetch(`${origin}/api/v1/keys/${apiKey.id}`, { method: "DELETE", headers: { cookie, origin } });
      expect(revoked.status).toBe(204);
      expect((await get("/api/v1/requests?limit=1", { authorization: `Bearer ${key}` })).status).toBe(401);
      const proxied = await fetch(`${origin}/v1/chat/completions`, {
        method: "POST",
        headers: { "helicone-auth": `Bearer ${key}`, authorization: "Bearer sk-x", "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(proxied.status).toBe(401);
    });

    it("cookie-authenticated changes from another origin, or not in JSON, are refused", async () => {
      const cookie = (await login(stack().app.url, ADMIN.email, ADMIN.password))!;
      const post = (headers: Record<string, string>, body: string) => fetch(`${stack().app.url}/api/v1/keys`, { method: "POST", headers: { cookie, ...headers }, body });
      expect((await post({ origin: "https://evil.example", "content-type": "application/json" }, '{"name":"x"}')).status).toBe(403);
      expect((await post({ "content-type": "text/plain" }, '{"name":"x"}')).status).toBe(415);
      expect((await post({ "content-type": "application/json" }, "{not json")).status).toBe(400);
      expect((await post({ "content-type": "application/json" }, '{"name":""}')).status).toBe(400);
    });

    it("an admin invites a member, who signs in with the password shown once but cannot invite or remove anyone", async () => {
      const admin = (await login(stack().app.url, ADMIN.email, ADMIN.password))!;
      const origin = stack().app.url;
      const email = `${uniqueTag("member")}@dashboard.test`;
      const invited = await fetch(`${origin}/api/v1/members`, { method: "POST", headers: { cookie: admin, origin, "content-type": "application/json" }, body: JSON.stringify({ email }) });
      expect(invited.status).toBe(201);
      const { member, password } = await invited.json();
      expect(member).toMatchObject({ email, role: "member" });
      expect((await fetch(`${origin}/api/v1/members`, { method: "POST", headers: { cookie: admin, origin, "content-type": "application/json" }, body: JSON.stringify({ email }) })).status).toBe(409);

      const memberCookie = (await login(origin, email, password))!;
      expect(memberCookie).toBeTruthy();
      expect((await get("/api/v1/requests?limit=1", { cookie: memberCookie })).status).toBe(200);
      const memberInvite = await fetch(`${origin}/api/v1/members`, { method: "POST", headers: { cookie: memberCookie, origin, "content-type": "application/json" }, body: JSON.stringify({ email: "x@dashboard.test" }) });
      expect(memberInvite.status).toBe(403);

      expect((await fetch(`${origin}/api/v1/members/${member.id}`, { method: "DELETE", headers: { cookie: admin, origin } })).status).toBe(204);
      // The removed member's cookie is still signed, but no longer names a user: refused at once.
      expect((await get("/api/v1/requests?limit=1", { cookie: memberCookie })).status).toBe(401);
    });
  },
  { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
);
