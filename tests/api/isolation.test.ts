// Two organizations on one app: nothing one of them can call, open or export shows anything of the
// other (its ids answer 404), and no credential that passed through the app is kept anywhere.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { databaseAsText, readAllTables } from "../helpers/database-contents";
import { signIn } from "../helpers/dashboard-login";
import { openEventStream } from "../helpers/event-stream";
import { jsonExportRequest, randomHexId } from "../helpers/otlp-requests";
import { describeOnEachDatabase, PROVIDER_KEY } from "../helpers/test-stack";
import { ADMIN_A, REQUESTS_PER_ORGANIZATION, SHARED, sendTraffic, setUpOrganizations, type Organization } from "./isolation/two-organizations";

type Credentials = "key" | "cookie" | "none";

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/** Everything of `org` the other organization must never see (its marker is in all its data). */
function traces(org: Organization): string[] {
  return [
    org.marker,
    ...org.ids.requestIds,
    ...org.ids.traceIds,
    org.ids.sessionId,
    ...org.keyIds,
    org.member.id,
    org.member.email,
    org.admin.id,
    org.admin.email,
  ];
}

function leaked(text: string, org: Organization, typedByCaller: string[] = []): string[] {
  return traces(org).filter((value) => !typedByCaller.includes(value) && text.includes(value));
}

describeOnEachDatabase(
  "isolation between organizations, and secrets",
  (stack) => {
    let a: Organization;
    let b: Organization;
    /** "METHOD /path" of every call made below, to check that every route of the app was tried */
    const exercised = new Set<string>();
    /** a link to A's first trace, with content, made in the setup */
    let linkOfA: { id: string; token: string };

    /** One call as `as` (null: nobody), with its API key, its admin's session cookie, or nothing. */
    async function call(as: Organization | null, credentials: Credentials, method: string, path: string, body?: unknown): Promise<Answer> {
      const url = stack().app.url;
      exercised.add(`${method} ${new URL(path, url).pathname}`);
      const headers: Record<string, string> = {};
      if (as && credentials === "key") headers.authorization = `Bearer ${as.apiKey}`;
      if (as && credentials === "cookie") Object.assign(headers, { cookie: as.admin.cookie, origin: url });
      if (body !== undefined) headers["content-type"] = "application/json";
      const response = await fetch(url + path, { method, headers, redirect: "manual", body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // HTML or empty
      }
      return { status: response.status, headers: response.headers, text, body: parsed };
    }

    beforeAll(async () => {
      [a, b] = await setUpOrganizations(stack());
      // The setup signed both admins in and created a key and a member in each organization.
      for (const route of ["POST /api/auth/callback/credentials", "POST /api/v1/keys", "POST /api/v1/members"]) exercised.add(route);
      await sendTraffic(a);
      await sendTraffic(b);
      const created = await call(a, "key", "POST", `/api/v1/traces/${a.ids.traceIds[0]}/shares`, { content: true });
      expect(created.status).toBe(201);
      linkOfA = { id: created.body.id, token: created.body.url.split("/").at(-1) };
    });

    const pairs = (): Array<[viewer: Organization, owner: Organization]> => [
      [a, b],
      [b, a],
    ];

    it("each organization has its own traffic from every ingest path, so an absence below means something", async () => {
      for (const org of [a, b]) {
        const { body } = await call(org, "key", "GET", `/api/v1/requests?limit=1000&property.marker=${org.marker}`);
        expect(body.data).toHaveLength(REQUESTS_PER_ORGANIZATION);
        expect(new Set(body.data.map((r: any) => r.source))).toEqual(new Set(["proxy", "custom", "otel"]));
        expect(body.data.map((r: any) => r.provider)).toEqual(expect.arrayContaining(["openai", "anthropic"]));
        expect(body.data.every((r: any) => r.sessionId && r.userId)).toBe(true);
      }
    });

    // Each list, asked by the owner of the values in it (must find them) and by the other
    // organization with the same query (must find nothing of them).
    const LISTS: Array<{ path: (owner: Organization) => string; credentials: Credentials[]; evidence: (owner: Organization) => string; inspect?: (body: any) => unknown }> = [
      { path: () => "/api/v1/requests?limit=1000", credentials: ["key", "cookie"], evidence: (o) => o.marker },
      { path: (o) => `/api/v1/requests?search=${o.marker}`, credentials: ["key", "cookie"], evidence: (o) => o.marker },
      { path: (o) => `/api/v1/requests?sessionId=${o.ids.sessionId}`, credentials: ["key"], evidence: (o) => o.marker },
      { path: (o) => `/api/v1/requests?userId=${o.ids.userId}`, credentials: ["key"], evidence: (o) => o.marker },
      { path: (o) => `/api/v1/requests?traceId=${o.ids.traceIds[0]}`, credentials: ["key"], evidence: (o) => o.marker },
      { path: (o) => `/api/v1/requests?traceId=${o.ids.traceIds[1]}`, credentials: ["key"], evidence: (o) => o.marker },
      { path: (o) => `/api/v1/requests?property.marker=${o.marker}`, credentials: ["key", "cookie"], evidence: (o) => o.marker },
      { path: (o) => `/api/v1/requests?model=${o.ids.model}`, credentials: ["key"], evidence: (o) => o.marker },
      { path: () => "/api/v1/sessions?limit=500", credentials: ["key", "cookie"], evidence: (o) => o.marker },
      { path: (o) => `/api/v1/sessions?search=${o.marker}`, credentials: ["key"], evidence: (o) => o.marker },
      { path: (o) => `/api/v1/sessions?userId=${o.ids.userId}`, credentials: ["key"], evidence: (o) => o.marker },
      { path: () => "/api/v1/users?limit=500", credentials: ["key", "cookie"], evidence: (o) => o.marker },
      { path: (o) => `/api/v1/users?search=${o.marker}`, credentials: ["key"], evidence: (o) => o.marker },
      { path: () => "/api/v1/properties?limit=500", credentials: ["key", "cookie"], evidence: (o) => o.marker },
      { path: () => "/api/v1/properties?key=marker&limit=500", credentials: ["key", "cookie"], evidence: (o) => o.marker },
      { path: (o) => `/api/v1/properties?key=marker&prefix=${o.marker}`, credentials: ["key"], evidence: (o) => o.marker },
      // The answer names the key asked for: only its values count.
      { path: (o) => `/api/v1/properties?key=key-${o.marker}`, credentials: ["key"], evidence: () => "\"value\":\"1\"", inspect: (body) => body.values },
      { path: () => "/api/v1/models", credentials: ["key", "cookie"], evidence: (o) => o.ids.model },
      // The metrics count the owner's requests (the default range holds them) and name its values.
      {
        path: (o) => `/api/v1/metrics/summary?property.marker=${o.marker}`,
        credentials: ["key", "cookie"],
        evidence: () => String(REQUESTS_PER_ORGANIZATION),
        inspect: (body) => (body.requests > 0 ? [body.requests] : []),
      },
      { path: () => "/api/v1/metrics/timeseries?groupBy=property.marker", credentials: ["key", "cookie"], evidence: (o) => o.marker },
      { path: () => "/api/v1/metrics/top?by=property.marker&limit=100", credentials: ["key", "cookie"], evidence: (o) => o.marker },
      { path: () => "/api/v1/keys", credentials: ["cookie"], evidence: (o) => o.extraKey.id },
      { path: () => "/api/v1/members", credentials: ["cookie"], evidence: (o) => o.member.email },
      { path: () => "/api/auth/session", credentials: ["cookie"], evidence: (o) => o.admin.email },
    ];

    it("no list shows the other organization's requests, sessions, users, properties, models, keys or members", async () => {
      for (const [viewer, owner] of pairs()) {
        for (const list of LISTS) {
          const path = list.path(owner);
          for (const credentials of list.credentials) {
            const own = await call(owner, credentials, "GET", path);
            expect(own.status, `${owner.label} ${credentials} ${path}`).toBe(200);
            expect(JSON.stringify(list.inspect ? list.inspect(own.body) : own.body), `${owner.label} ${credentials} ${path}`).toContain(list.evidence(owner));

            const other = await call(viewer, credentials, "GET", path);
            expect(other.status, `${viewer.label} ${credentials} ${path}`).toBe(200);
            const shown = list.inspect ? JSON.stringify(list.inspect(other.body)) : other.text;
            expect(leaked(shown, owner), `${owner.label}'s data in ${viewer.label}'s ${credentials} ${path}`).toEqual([]);
            if (list.inspect) expect(list.inspect(other.body)).toEqual([]);
          }
        }
      }
    });

    it("health, which needs no login, tells nothing of any organization", async () => {
      const health = await call(null, "none", "GET", "/api/health");
      expect(health.status).toBe(200);
      expect([...leaked(health.text, a), ...leaked(health.text, b)]).toEqual([]);
    });

    it("a session id and a user id both organizations sent stay apart: counts, users and requests are each one's own", async () => {
      for (const [viewer] of pairs()) {
        const session = await call(viewer, "key", "GET", `/api/v1/sessions/${SHARED.sessionId}`);
        expect(session.status).toBe(200);
        expect(session.body).toMatchObject({ requestCount: 1, userIds: [SHARED.userId] });
        expect(viewer.ids.requestIds).toContain(session.body.requests[0].id);

        const [listed] = (await call(viewer, "key", "GET", `/api/v1/sessions?search=${SHARED.sessionId}`)).body.data;
        expect(listed).toMatchObject({ sessionId: SHARED.sessionId, requestCount: 1, traceCount: 1, userIds: [SHARED.userId] });

        const users = (await call(viewer, "key", "GET", `/api/v1/users?search=${SHARED.userId}`)).body.data;
        expect(users).toEqual([expect.objectContaining({ userId: SHARED.userId, requestCount: 1, sessionCount: 1, traceCount: 1 })]);
      }
    });

    it("the other organization's request, trace and session ids answer 404, with nothing of it in the body", async () => {
      for (const [viewer, owner] of pairs()) {
        const paths = [
          ...owner.ids.requestIds.map((id) => `/api/v1/requests/${id}`),
          ...owner.ids.traceIds.map((id) => `/api/v1/traces/${id}`),
          ...owner.ids.traceIds.flatMap((id) => ["otlp", "json", "markdown"].map((format) => `/api/v1/traces/${id}/export?format=${format}`)),
          `/api/v1/sessions/${owner.ids.sessionId}`,
        ];
        for (const path of paths) {
          const own = await call(owner, "key", "GET", path);
          expect(own.status, `${owner.label} ${path}`).toBe(200);
          expect(own.text).toContain(owner.marker);
          for (const credentials of ["key", "cookie"] as const) {
            const other = await call(viewer, credentials, "GET", path);
            expect(other.status, `${viewer.label} ${credentials} ${path}`).toBe(404);
            expect(other.body).toMatchObject({ error: { code: "not_found" } });
            expect(leaked(other.text, owner)).toEqual([]);
          }
        }
      }
    });

    it("comparing traces: the other organization's trace ids answer 404 on either side, API and page, with nothing of it shown", async () => {
      for (const [viewer, owner] of pairs()) {
        const [ownerTrace, ownerOtlpTrace] = owner.ids.traceIds as [string, string];
        const viewerTrace = viewer.ids.traceIds[0]!;
        const api = (a: string, b: string) => `/api/v1/traces/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`;
        const page = (a: string, b: string) => `/traces/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`;

        const own = await call(owner, "key", "GET", api(ownerTrace, ownerOtlpTrace));
        expect(own.status).toBe(200);
        expect(own.body.nodes.length).toBeGreaterThan(0);
        expect((await call(owner, "cookie", "GET", page(ownerTrace, ownerOtlpTrace))).status).toBe(200);

        for (const [a, b] of [
          [ownerTrace, ownerOtlpTrace],
          [viewerTrace, ownerTrace],
          [ownerOtlpTrace, viewerTrace],
        ] as const) {
          for (const credentials of ["key", "cookie"] as const) {
            const other = await call(viewer, credentials, "GET", api(a, b));
            expect(other.status, `${viewer.label} ${credentials} ${api(a, b)}`).toBe(404);
            expect(other.body).toMatchObject({ error: { code: "not_found" } });
            expect(leaked(other.text, owner)).toEqual([]);
          }
          const shown = await call(viewer, "cookie", "GET", page(a, b));
          expect(shown.status, `${viewer.label} ${page(a, b)}`).toBe(404);
          expect(shown.text).toContain(viewer.admin.email);
          // The ids are in the URL the viewer typed; nothing else of the owner may be on the page.
          expect(leaked(shown.text, owner, [a, b]), `${owner.label}'s data on ${viewer.label}'s ${page(a, b)}`).toEqual([]);
        }
      }
    });

    it("revoking the other organization's keys or removing its members answers 404 and changes nothing", async () => {
      for (const [viewer, owner] of pairs()) {
        for (const id of owner.keyIds) {
          const revoke = await call(viewer, "cookie", "DELETE", `/api/v1/keys/${id}`);
          expect(revoke.status, `${viewer.label} revokes ${owner.label}'s key`).toBe(404);
          expect(leaked(revoke.text, owner)).toEqual([]);
        }
        for (const id of [owner.member.id, owner.admin.id]) {
          const remove = await call(viewer, "cookie", "DELETE", `/api/v1/members/${id}`);
          expect(remove.status, `${viewer.label} removes ${owner.label}'s user`).toBe(404);
          expect(leaked(remove.text, owner)).toEqual([]);
        }

        // Both of the owner's keys still work, on the read API and on the proxy.
        for (const key of [owner.apiKey, owner.extraKey.key]) {
          const read = await fetch(`${stack().app.url}/api/v1/requests?limit=1`, { headers: { authorization: `Bearer ${key}` } });
          expect(read.status).toBe(200);
        }
        const completion = await owner.stack.openai().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "still here?" }] });
        expect(completion.choices).toHaveLength(1);
        const keys = (await call(owner, "cookie", "GET", "/api/v1/keys")).body.data;
        expect(keys.filter((k: any) => owner.keyIds.includes(k.id)).map((k: any) => k.revokedAt)).toEqual(owner.keyIds.map(() => null));
        // Its member is still a member and still signs in.
        const members = (await call(owner, "cookie", "GET", "/api/v1/members")).body.data.map((m: any) => m.id);
        expect(members).toEqual(expect.arrayContaining([owner.member.id, owner.admin.id]));
        expect(await signIn(stack().app.url, owner.member.email, owner.member.password)).not.toBeNull();
      }
    });

    it("dashboard pages show the signed-in organization only; the other's trace and session pages are not found", async () => {
      for (const [viewer, owner] of pairs()) {
        for (const path of ["/dashboard", "/requests", "/sessions", "/users", "/settings", `/requests?request=${owner.ids.requestIds[0]}`]) {
          const page = await call(viewer, "cookie", "GET", path);
          expect(page.status, `${viewer.label} ${path}`).toBe(200);
          expect(page.text, "the page is the signed-in user's").toContain(viewer.admin.email);
          expect(leaked(page.text, owner, [owner.ids.requestIds[0]!]), `${owner.label}'s data on ${viewer.label}'s ${path}`).toEqual([]);
        }
        const ownPages = [...owner.ids.traceIds.map((id) => `/traces/${id}`), `/sessions/${owner.ids.sessionId}`];
        for (const path of ownPages) {
          expect((await call(owner, "cookie", "GET", path)).status, `${owner.label} ${path}`).toBe(200);
          const page = await call(viewer, "cookie", "GET", path);
          expect(page.status, `${viewer.label} ${path}`).toBe(404);
          expect(page.text).toContain(viewer.admin.email);
          // The id is in the URL the viewer typed; nothing else of the owner may be on the page.
          expect(leaked(page.text, owner, [decodeURIComponent(path.split("/").at(-1)!)]), `${owner.label}'s data on ${viewer.label}'s ${path}`).toEqual([]);
        }
      }
      // Ids that exist nowhere are not found either: a 404 tells nothing about other organizations.
      expect((await call(a, "cookie", "GET", `/traces/${randomUUID()}`)).status).toBe(404);
      expect((await call(a, "cookie", "GET", `/sessions/${randomUUID()}`)).status).toBe(404);
    });

    it("dashboard pages carry a nonce-based CSP (no 'unsafe-inline' scripts), nosniff, no framing and a strict referrer policy", async () => {
      const pages: Array<[Organization | null, string, number]> = [
        [null, "/login", 200],
        [a, "/dashboard", 200],
        [a, "/requests", 200],
        [a, "/sessions", 200],
        [a, "/users", 200],
        [a, "/settings", 200],
        [a, `/traces/${a.ids.traceIds[0]}`, 200],
        [a, `/traces/compare?a=${a.ids.traceIds[0]}&b=${a.ids.traceIds[1]}`, 200],
        [a, `/traces/compare?a=${a.ids.traceIds[0]}&b=${b.ids.traceIds[0]}`, 404],
        [a, `/sessions/${a.ids.sessionId}`, 200],
        [a, `/traces/${b.ids.traceIds[0]}`, 404],
        [a, `/no-such-page-${randomUUID()}`, 404],
        // a share link's page, opened by nobody in particular, and one that was never made
        [null, `/share/${linkOfA.token}`, 200],
        [null, `/share/${randomBytes(32).toString("base64url")}`, 404],
      ];
      const nonces = new Set<string>();
      for (const [as, path, status] of pages) {
        const page = await call(as, as ? "cookie" : "none", "GET", path);
        expect(page.status, path).toBe(status);
        const csp = page.headers.get("content-security-policy") ?? "";
        const directives = new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
        const scripts = directives.get("script-src") ?? directives.get("default-src") ?? [];
        expect(scripts, `${path}: ${csp}`).not.toContain("'unsafe-inline'");
        const nonce = scripts.find((s) => s.startsWith("'nonce-"))?.slice(7, -1);
        expect(nonce, `${path}: ${csp}`).toBeTruthy();
        nonces.add(nonce!);
        // Every script the page has is one the policy lets run: none is blocked, none is from data.
        const scriptTags = page.text.match(/<script\b[^>]*>/g) ?? [];
        expect(scriptTags.length, path).toBeGreaterThan(0);
        for (const tag of scriptTags) expect(tag, path).toContain(`nonce="${nonce}"`);
        expect(directives.get("object-src")).toEqual(["'none'"]);
        expect(directives.get("base-uri")).toEqual(["'self'"]);
        expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
        expect(page.headers.get("x-frame-options")).toBe("DENY");
        expect(page.headers.get("x-content-type-options")).toBe("nosniff");
        expect(["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"]).toContain(page.headers.get("referrer-policy"));
      }
      expect(nonces.size, "a fresh nonce for every page view").toBe(pages.length);
      // The API's JSON is never sniffed into something a browser would run.
      expect((await call(a, "key", "GET", "/api/v1/requests?limit=1")).headers.get("x-content-type-options")).toBe("nosniff");
      const home = await call(a, "cookie", "GET", "/");
      expect(home.status).toBe(307);
    });

    it("share links: the other organization cannot make, list or revoke links on a trace it does not own, and a link shows that trace only", async () => {
      const sharePaths = (owner: Organization) => owner.ids.traceIds.map((id) => `/api/v1/traces/${id}/shares`);
      for (const [viewer, owner] of pairs()) {
        for (const path of sharePaths(owner)) {
          expect((await call(owner, "key", "GET", path)).status, `${owner.label} ${path}`).toBe(200);
          for (const credentials of ["key", "cookie"] as const) {
            for (const [method, body] of [["GET", undefined], ["POST", { content: true }]] as const) {
              const answer = await call(viewer, credentials, method, path, body);
              expect(answer.status, `${viewer.label} ${credentials} ${method} ${path}`).toBe(404);
              expect(leaked(answer.text, owner)).toEqual([]);
            }
          }
        }
      }
      // B cannot revoke A's link, by A's trace or by its own.
      for (const traceId of [a.ids.traceIds[0], b.ids.traceIds[0]]) {
        for (const credentials of ["key", "cookie"] as const) {
          expect((await call(b, credentials, "DELETE", `/api/v1/traces/${traceId}/shares/${linkOfA.id}`)).status).toBe(404);
        }
      }
      // Each organization's list and setting are its own; B turning its sharing off leaves A's links alone.
      for (const credentials of ["key", "cookie"] as const) {
        expect((await call(a, credentials, "GET", "/api/v1/shares")).text).toContain(linkOfA.id);
        const theirs = await call(b, credentials, "GET", "/api/v1/shares");
        expect(theirs.body).toEqual({ data: [] });
        expect((await call(b, credentials, "GET", "/api/v1/sharing")).body).toEqual({ enabled: true });
      }
      expect((await call(b, "cookie", "PUT", "/api/v1/sharing", { enabled: false })).body).toEqual({ enabled: false, revoked: 0 });
      expect((await call(b, "key", "POST", `/api/v1/traces/${b.ids.traceIds[0]}/shares`, { content: true })).status).toBe(403);
      expect((await call(a, "cookie", "GET", "/api/v1/sharing")).body).toEqual({ enabled: true });
      expect((await call(b, "cookie", "PUT", "/api/v1/sharing", { enabled: true })).status).toBe(200);
      // Each organization's retention window is its own: B setting one leaves A's as it was.
      const windowOfA = (await call(a, "key", "GET", "/api/v1/retention")).body as { days: number | null };
      expect((await call(b, "cookie", "PUT", "/api/v1/retention", { days: 5 })).body).toMatchObject({ days: 5, effectiveDays: 5 });
      for (const credentials of ["key", "cookie"] as const) {
        expect((await call(a, credentials, "GET", "/api/v1/retention")).body).toMatchObject({ days: windowOfA.days });
        expect((await call(b, credentials, "GET", "/api/v1/retention")).body).toMatchObject({ days: 5 });
      }
      expect((await call(b, "cookie", "PUT", "/api/v1/retention", { days: null })).status).toBe(200);

      // Without any credential, the link shows A's trace and nothing else of A: no session, user,
      // member, key or other trace; its request endpoint answers for that trace's requests only.
      const page = await call(null, "none", "GET", `/share/${linkOfA.token}`);
      const trace = await call(null, "none", "GET", `/api/v1/shared/${linkOfA.token}`);
      expect(page.status).toBe(200);
      expect(trace.status).toBe(200);
      expect(trace.text).toContain(a.marker);
      const ownTraceRequests = trace.body.nodes.flatMap((n: any) => n.requests.map((r: any) => r.id));
      const allowed = [a.marker, a.ids.traceIds[0]!, ...ownTraceRequests];
      for (const text of [page.text, trace.text]) {
        expect(leaked(text, a, allowed)).toEqual([]);
        expect(text).not.toContain(a.ids.userId);
        expect(leaked(text, b)).toEqual([]);
      }
      for (const requestId of [...a.ids.requestIds, ...b.ids.requestIds]) {
        const answer = await call(null, "none", "GET", `/api/v1/shared/${linkOfA.token}/requests/${requestId}`);
        expect(answer.status, requestId).toBe(ownTraceRequests.includes(requestId) ? 200 : 404);
        expect(leaked(answer.text, b)).toEqual([]);
      }
      // Nothing else of the app opens without a session: the link is no key to the read API or the dashboard.
      for (const path of [`/api/v1/traces/${a.ids.traceIds[0]}`, `/api/v1/traces/${a.ids.traceIds[0]}/shares`, "/api/v1/shares", `/api/v1/requests/${ownTraceRequests[0]}`]) {
        const answer = await fetch(stack().app.url + path, { headers: { authorization: `Bearer ${linkOfA.token}` } });
        expect(answer.status, path).toBe(401);
        expect((await call(null, "none", "GET", path)).status, path).toBe(401);
      }
      expect((await call(null, "none", "GET", `/traces/${a.ids.traceIds[0]}`)).status).toBe(307);

      const revoked = await call(a, "cookie", "DELETE", `/api/v1/traces/${a.ids.traceIds[0]}/shares/${linkOfA.id}`);
      expect(revoked.status).toBe(204);
      expect((await call(null, "none", "GET", `/api/v1/shared/${linkOfA.token}`)).status).toBe(404);
      expect((await call(null, "none", "GET", `/share/${linkOfA.token}`)).status).toBe(404);
    });

    it("no credential is stored: provider keys, API keys, passwords, cookies and auth headers are in no table and not in the server's output", async () => {
      // A key nobody holds, sent the ways a mistyped key would be: refused, and not written down either.
      const wrongKey = `sk-tw-wrong-${randomUUID()}`;
      const refused = await fetch(`${stack().app.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "helicone-auth": `Bearer ${wrongKey}`, authorization: `Bearer ${PROVIDER_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(refused.status).toBe(401);
      for (const path of ["/api/v1/requests", "/v1/traces", "/v1/trace/custom/log"]) {
        const response = await fetch(stack().app.url + path, { method: path === "/api/v1/requests" ? "GET" : "POST", headers: { authorization: `Bearer ${wrongKey}`, "content-type": "application/json" }, body: path === "/api/v1/requests" ? undefined : "{}" });
        expect(response.status, path).toBe(401);
      }

      const secrets: Record<string, string> = {
        "provider key (Authorization, x-api-key)": PROVIDER_KEY,
        "wrong API key": wrongKey,
        ...Object.fromEntries(
          [a, b].flatMap((org) => [
            [`${org.label}'s API key`, org.apiKey],
            [`${org.label}'s dashboard key`, org.extraKey.key],
            [`${org.label}'s admin password`, org.admin.password],
            [`${org.label}'s member password`, org.member.password],
            [`${org.label}'s session cookie`, org.admin.cookie.split("=")[1]!],
          ]),
        ),
        "A's share link token": linkOfA.token,
      };
      const database = await databaseAsText(stack().databaseUrl);
      const output = stack().app.output();
      // Both hold real content, so a miss below is not a read of nothing.
      expect(database).toContain(a.marker);
      expect(database).toContain(b.marker);
      expect(database).toContain("[redacted]");
      expect(output).toContain("Listening on");
      for (const [name, secret] of Object.entries(secrets)) {
        expect(database.includes(secret), `${name} in the database`).toBe(false);
        expect(output.includes(secret), `${name} in the server output`).toBe(false);
      }

      // Keys are kept as their SHA-256 and a short prefix; passwords as scrypt hashes.
      const tables = await readAllTables(stack().databaseUrl);
      for (const org of [a, b]) {
        for (const key of [org.apiKey, org.extraKey.key]) {
          const hash = createHash("sha256").update(key).digest("hex");
          const row = tables.ApiKey!.find((r) => r.keyHash === hash);
          expect(row, "the key's row").toBeDefined();
          expect(String(row!.prefix).length).toBeLessThan(12);
        }
      }
      for (const user of tables.User!) expect(String(user.passwordHash)).toMatch(/^scrypt\$/);
    });

    // An HTTP instrumentation that records request headers (OTel's opt-in
    // http.request.header.<name>) must not put the provider key into the database.
    it("OTLP attributes holding credentials (http.request.header.authorization, x-api-key) are not stored", async () => {
      const secret = `sk-in-span-attribute-${randomUUID()}`;
      const tag = `otlp-secret-${randomUUID()}`;
      const now = Date.now();
      const response = await fetch(`${stack().app.url}/v1/traces`, {
        method: "POST",
        headers: { authorization: `Bearer ${a.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify(
          jsonExportRequest([
            {
              traceId: randomHexId(16),
              spanId: randomHexId(8),
              name: "POST /v1/chat/completions",
              kind: 3,
              startMs: now - 100,
              endMs: now,
              attributes: { "helicone.property.case": tag, "http.request.header.authorization": [`Bearer ${secret}`], "http.request.header.x-api-key": [secret] },
            },
          ]),
        ),
      });
      expect(response.status).toBe(200);
      await a.stack.waitForRequests(`property.case=${tag}`, 1);
      expect(await databaseAsText(stack().databaseUrl)).not.toContain(secret);
    });

    it("live event streams carry only the caller's organization's requests, by key or session; without credentials they are refused", async () => {
      const url = stack().app.url;
      const open = (as: Organization | null, credentials: Credentials, path: string) => {
        exercised.add(`GET ${path}`);
        const headers: Record<string, string> = {};
        if (as && credentials === "key") headers.authorization = `Bearer ${as.apiKey}`;
        if (as && credentials === "cookie") headers.cookie = as.admin.cookie;
        return openEventStream(url + path, headers);
      };
      for (const [viewer, owner] of pairs()) {
        const traceId = owner.ids.traceIds[0]!;
        const tracePath = `/api/v1/traces/${encodeURIComponent(traceId)}/events`;
        for (const path of [tracePath, "/api/v1/requests/events"]) expect((await open(null, "none", path)).status, path).toBe(401);

        const ownerStreams = [await open(owner, "key", tracePath), await open(owner, "cookie", "/api/v1/requests/events")];
        const viewerTraceStreams = [await open(viewer, "key", tracePath), await open(viewer, "cookie", tracePath)];
        const viewerStreams = [...viewerTraceStreams, await open(viewer, "key", "/api/v1/requests/events"), await open(viewer, "cookie", "/api/v1/requests/events")];
        const streams = [...ownerStreams, ...viewerStreams];
        try {
          expect(streams.map((stream) => stream.status)).toEqual(streams.map(() => 200));
          // No marker property: the counts checked above stay as they are.
          const { response } = await owner.stack
            .openai()
            .chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "live" }] }, { headers: { "Helicone-Node-Id": `${traceId}:live` } })
            .withResponse();
          const id = response.headers.get("helicone-id")!;
          for (const stream of ownerStreams) await stream.waitFor((event) => event.event === "request" && event.data.id === id);
          await new Promise((resolve) => setTimeout(resolve, 300));
          for (const stream of viewerStreams) {
            // A trace stream's ready event counts the viewer's own requests of that trace id: none.
            const expected = viewerTraceStreams.includes(stream) ? [{ event: "ready", data: { requestCount: 0 } }] : [];
            expect(stream.events.map(({ event, data }) => ({ event, data })), `${viewer.label} hears ${owner.label}'s request`).toEqual(expected);
            expect(leaked(JSON.stringify(stream.events), owner)).toEqual([]);
          }
        } finally {
          for (const stream of streams) stream.close();
        }
      }
    });

    it("every API route and dashboard page of the app was tried above", () => {
      const untried = appRoutes().filter(({ method, pattern }) => ![...exercised].some((call) => call.startsWith(`${method} `) && pattern.test(call.slice(method.length + 1))));
      expect(untried.map((route) => `${route.method} ${route.file}`), "routes this suite does not check: add them above").toEqual([]);
    });
  },
  { ADMIN_EMAIL: ADMIN_A.email, ADMIN_PASSWORD: ADMIN_A.password },
);

const appDirectory = fileURLToPath(new URL("../../app", import.meta.url));

/** Every route handler method and page under app/, with the URL pattern Next serves it at. */
function appRoutes(): Array<{ method: string; file: string; pattern: RegExp }> {
  const routes: Array<{ method: string; file: string; pattern: RegExp }> = [];
  for (const file of readdirSync(appDirectory, { recursive: true }) as string[]) {
    const name = file.split("/").at(-1);
    if (name !== "route.ts" && name !== "page.tsx") continue;
    const segments = file
      .split("/")
      .slice(0, -1)
      .filter((segment) => !/^\(.*\)$/.test(segment))
      .map((segment) => (segment.startsWith("[...") ? ".+" : segment.startsWith("[") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    const pattern = new RegExp(`^/${segments.join("/")}$`);
    if (name === "page.tsx") {
      routes.push({ method: "GET", file, pattern });
      continue;
    }
    const source = readFileSync(join(appDirectory, file), "utf8");
    const methods = new Set<string>();
    for (const match of source.matchAll(/export\s+(?:async\s+)?(?:const|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g)) methods.add(match[1]!);
    for (const match of source.matchAll(/export\s+const\s*\{([^}]*)\}/g)) for (const method of match[1]!.match(/\b(GET|POST|PUT|PATCH|DELETE)\b/g) ?? []) methods.add(method);
    for (const method of methods) routes.push({ method, file, pattern });
  }
  return routes;
}
