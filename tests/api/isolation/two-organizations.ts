// Two organizations on one running app, each with its own API keys, dashboard users and traffic
// from every ingest path, and a marker string in everything it sends: whatever of B shows up in
// A's answers is found by looking for B's marker and ids.
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { createKeyWithCli } from "../../helpers/keys-cli";
import { signIn } from "../../helpers/dashboard-login";
import { addUserToOrganization } from "../../helpers/organization-users";
import { jsonExportRequest, randomHexId } from "../../helpers/otlp-requests";
import { stackOf, type TestStack } from "../../helpers/test-stack";

export const ADMIN_A = { email: "admin@org-a.test", password: "org-a-admin-password-1" };
const ADMIN_B = { email: "admin@org-b.test", password: "org-b-admin-password-1" };

export interface Organization {
  label: "A" | "B";
  /** in every prompt, session name, user id, property value and model this organization sends */
  marker: string;
  /** the key its traffic and API calls use */
  apiKey: string;
  /** a second key, created in the dashboard: the one the other organization tries to revoke */
  extraKey: { key: string; id: string };
  admin: { id: string; email: string; password: string; cookie: string };
  /** a member invited in the dashboard: the one the other organization tries to remove */
  member: { id: string; email: string; password: string };
  /** every key of the organization (the first one, the dashboard one) */
  keyIds: string[];
  /** the same stack, speaking with this organization's key */
  stack: TestStack;
  ids: {
    requestIds: string[];
    /** the proxied trace (OpenAI, Anthropic, custom log) and the OTLP trace */
    traceIds: string[];
    sessionId: string;
    userId: string;
    model: string;
  };
}

/**
 * A session id and a user id both organizations send: each must still count only its own requests.
 * (A trace id sent by both is covered in read-api.test.ts.)
 */
export const SHARED = { sessionId: `shared-session-${randomUUID()}`, userId: `shared-user-${randomUUID()}` };

/** Requests each organization logs in sendTraffic (2 OpenAI, 1 Anthropic, 1 custom log, 2 OTLP spans). */
export const REQUESTS_PER_ORGANIZATION = 6;

/**
 * A is the first organization (first start: admin from ADMIN_EMAIL/ADMIN_PASSWORD, the SEED_API_KEY
 * key); B is created by `npm run keys -- create --organization`, and its admin is added beside it.
 * Each admin then creates a key and invites a member through the dashboard API.
 */
export async function setUpOrganizations(stack: TestStack): Promise<[Organization, Organization]> {
  const cliKey = await createKeyWithCli(stack.databaseUrl, ["--name", "org-b-key", "--organization", "Org B"]);
  await addUserToOrganization(stack.databaseUrl, "Org B", { ...ADMIN_B, role: "admin" });
  const a = await organization(stack, "A", stack.app.apiKey, ADMIN_A);
  const b = await organization(stack, "B", cliKey.key, ADMIN_B);
  return [a, b];
}

async function organization(
  base: TestStack,
  label: "A" | "B",
  apiKey: string,
  admin: { email: string; password: string },
): Promise<Organization> {
  const cookie = await signIn(base.app.url, admin.email, admin.password);
  if (!cookie) throw new Error(`the admin of ${label} could not sign in`);
  const dashboard = (path: string, body: unknown) =>
    fetch(base.app.url + path, { method: "POST", headers: { cookie, origin: base.app.url, "content-type": "application/json" }, body: JSON.stringify(body) });

  const created = await dashboard("/api/v1/keys", { name: `extra key of ${label}` });
  expect(created.status).toBe(201);
  const { key, apiKey: extraKey } = await created.json();
  const memberEmail = `member-${randomUUID()}@org-${label.toLowerCase()}.test`;
  const invited = await dashboard("/api/v1/members", { email: memberEmail, name: `Member of ${label}` });
  expect(invited.status).toBe(201);
  const { member, password } = await invited.json();
  const session = await (await fetch(`${base.app.url}/api/auth/session`, { headers: { cookie } })).json();
  const keys = await (await fetch(`${base.app.url}/api/v1/keys`, { headers: { cookie } })).json();

  const marker = `marker-${label.toLowerCase()}-${randomUUID()}`;
  return {
    label,
    marker,
    apiKey,
    extraKey: { key, id: extraKey.id },
    admin: { id: session.user.id, email: admin.email, password: admin.password, cookie },
    member: { id: member.id, email: memberEmail, password },
    keyIds: keys.data.map((k: { id: string }) => k.id),
    stack: stackOf({ ...base, app: { ...base.app, apiKey } }),
    ids: { requestIds: [], traceIds: [randomUUID(), randomHexId(16)], sessionId: `session-${randomUUID()}`, userId: `${marker}-user`, model: `${marker}-model` },
  };
}

/** One call of each kind: OpenAI (plain and streamed), Anthropic, custom log, OTLP; then waits until all are stored. */
export async function sendTraffic(org: Organization): Promise<void> {
  const { marker, stack, ids } = org;
  const [traceId, otlpTraceId] = ids.traceIds as [string, string];
  const tagged = {
    "Helicone-Session-Id": ids.sessionId,
    "Helicone-Session-Name": `${marker} chat`,
    "Helicone-User-Id": ids.userId,
    "Helicone-Property-Marker": marker,
  };
  // A property key only this organization uses, for the key suggestions (both send "marker").
  const ownPropertyKey = { [`Helicone-Property-Key-${marker}`]: "1" };

  await stack.openai({ ...tagged, ...ownPropertyKey }).chat.completions.create(
    { model: "gpt-4o-mini", messages: [{ role: "user", content: `${marker}: plan a trip` }] },
    { headers: { "Helicone-Node-Id": traceId } },
  );
  const shared = { "Helicone-Session-Id": SHARED.sessionId, "Helicone-User-Id": SHARED.userId, "Helicone-Property-Marker": marker };
  const stream = await stack.openai(shared).chat.completions.create(
    { model: "gpt-4o-mini", messages: [{ role: "user", content: `${marker}: streamed` }], stream: true, stream_options: { include_usage: true } },
    { headers: { "Helicone-Node-Id": `${traceId}:stream` } },
  );
  for await (const _chunk of stream) {
    // drained: the call is logged once the stream ends
  }
  await stack.anthropic(tagged).messages.create(
    { model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: `${marker}: answer` }] },
    { headers: { "Helicone-Node-Id": `${traceId}:anthropic` } },
  );

  const customLog = await fetch(`${stack.app.url}/v1/trace/custom/log`, {
    method: "POST",
    headers: { authorization: `Bearer ${org.apiKey}`, "content-type": "application/json", "Helicone-Node-Id": `${traceId}:custom` },
    body: JSON.stringify({
      providerRequest: { url: "https://api.openai.com/v1/chat/completions", json: { model: ids.model, messages: [{ role: "user", content: `${marker}: custom` }] }, meta: tagged },
      providerResponse: {
        json: { id: "chatcmpl-custom", object: "chat.completion", model: ids.model, choices: [{ index: 0, message: { role: "assistant", content: `${marker}: reply` }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
        status: 200,
        headers: {},
      },
      provider: "openai",
    }),
  });
  expect(customLog.status).toBe(200);

  const now = Date.now();
  const rootSpanId = randomHexId(8);
  const spanAttributes = {
    "helicone.session.id": ids.sessionId,
    "helicone.session.name": `${marker} chat`,
    "user.id": ids.userId,
    "helicone.property.marker": marker,
  };
  const otlp = await fetch(`${stack.app.url}/v1/traces`, {
    method: "POST",
    headers: { authorization: `Bearer ${org.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(
      jsonExportRequest(
        [
          { traceId: otlpTraceId, spanId: rootSpanId, name: `${marker} agent`, startMs: now - 500, endMs: now, attributes: spanAttributes },
          {
            traceId: otlpTraceId,
            spanId: randomHexId(8),
            parentSpanId: rootSpanId,
            name: "chat",
            startMs: now - 400,
            endMs: now - 100,
            attributes: { ...spanAttributes, "gen_ai.system": "openai", "gen_ai.request.model": `${ids.model}-otel`, "gen_ai.usage.input_tokens": 4, "gen_ai.prompt": `${marker}: otel prompt` },
          },
        ],
        { "service.name": `${marker}-service` },
      ),
    ),
  });
  expect(otlp.status).toBe(200);

  const rows = await stack.waitForRequests(`property.marker=${encodeURIComponent(marker)}`, REQUESTS_PER_ORGANIZATION);
  ids.requestIds = rows.map((row: { id: string }) => row.id);
}
