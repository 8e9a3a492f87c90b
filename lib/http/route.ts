import { authenticateApiKey, bearerKeyFrom } from "../auth/api-keys";
import { auth } from "../auth/auth";
import { requireShareGrant, type TraceShareGrant } from "../auth/share-links";
import { findUserById } from "../storage/users";
import { ApiError, unauthorized } from "../shared/api-error";
import { toErrorResponse } from "./error-response";

/** Who is calling: a signed-in dashboard user, or a program holding an API key. */
export type Caller = { kind: "user"; userId: string; role: string } | { kind: "api-key" };

export interface ApiContext<P> {
  organizationId: string;
  caller: Caller;
  params: P;
}

type Handler<P> = (request: Request, context: ApiContext<P>) => Promise<unknown>;

/** The signed-in user, looked up again so that a removed user's cookie stops working at once. */
async function userFromSession(): Promise<{ organizationId: string; caller: Caller } | null> {
  const session = await auth();
  if (!session?.user?.id) return null;
  const user = await findUserById(session.user.id);
  return user ? { organizationId: user.organizationId, caller: { kind: "user", userId: user.id, role: user.role } } : null;
}

/**
 * Wraps a read API handler: an API key when the request carries one (checked exactly as before:
 * a bad key is a 401, never a fallback to the cookie), otherwise the dashboard session (for a
 * change, only from our own pages); resolves params; maps every error to one JSON shape.
 */
export function withAuth<P>(handler: Handler<P>) {
  return wrap<P>(async (request) => {
    // Bearer only: a browser behind a reverse proxy's Basic auth sends that on every request, and
    // its dashboard calls must still fall back to the session cookie.
    const key = bearerKeyFrom(request.headers.get("authorization"), request.headers.get("helicone-auth"));
    if (key) return { organizationId: await authenticateApiKey(key), caller: { kind: "api-key" } };
    // A change made with the session cookie (a share link made or revoked) must come from our pages.
    assertSameOrigin(request);
    const user = await userFromSession();
    if (!user) throw unauthorized('Sign in, or send your API key as "Authorization: Bearer <key>".');
    return user;
  }, handler);
}

/**
 * For actions a leaked API key must not be able to take (minting keys, inviting members): a
 * signed-in user only, and an admin when `role` says so.
 */
export function withSession<P>(handler: Handler<P>, { role }: { role?: "admin" } = {}) {
  return wrap<P>(async (request) => {
    assertSameOrigin(request);
    const user = await userFromSession();
    if (!user) throw unauthorized("Sign in to the dashboard to do this.");
    if (role === "admin" && user.caller.kind === "user" && user.caller.role !== "admin") {
      throw new ApiError("forbidden", "Only an admin can do this.", 403);
    }
    return user;
  }, handler);
}

/**
 * Cookie-authenticated changes must come from our own pages. The session cookie is SameSite=Lax
 * already; this also refuses a cross-origin fetch, and a form post, whose body is never JSON.
 */
function assertSameOrigin(request: Request): void {
  if (request.method === "GET" || request.method === "HEAD") return;
  const origin = request.headers.get("origin");
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (origin && host && hostOf(origin) !== host) throw new ApiError("forbidden", "Cross-origin request refused.", 403);
  const type = request.headers.get("content-type") ?? "";
  if (request.method === "POST" && !type.startsWith("application/json")) {
    throw new ApiError("unsupported_media_type", "Send JSON (Content-Type: application/json).", 415);
  }
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null; // "null" (sandboxed frames, file:) is never our own origin
  }
}

/**
 * For what a share link shows (/api/v1/shared/{token}/…): no session and no key, the token in the
 * path is the credential (lib/auth/share-links.ts); a made-up or revoked one is a 404. Never
 * stored by a cache, so a revoked link stops working at once; the noindex header is set for the
 * whole path in next.config.mjs.
 */
export function withShareLink<P extends { token: string }>(handler: (request: Request, context: { grant: TraceShareGrant; params: P }) => Promise<unknown>) {
  return async (request: Request, { params }: { params: Promise<P> }): Promise<Response> => {
    const response = await respond(async () => {
      const resolved = await params;
      return handler(request, { grant: await requireShareGrant(resolved.token), params: resolved });
    });
    response.headers.set("cache-control", "no-store");
    return response;
  };
}

function wrap<P>(authenticate: (request: Request) => Promise<{ organizationId: string; caller: Caller }>, handler: Handler<P>) {
  return async (request: Request, { params }: { params: Promise<P> }): Promise<Response> =>
    respond(async () => {
      const { organizationId, caller } = await authenticate(request);
      return handler(request, { organizationId, caller, params: await params });
    });
}

/** A handler's result as JSON (a Response as it is); anything thrown as the one error shape. */
async function respond(run: () => Promise<unknown>): Promise<Response> {
  try {
    const result = await run();
    return result instanceof Response ? result : Response.json(result);
  } catch (error) {
    const { status, headers, body } = toErrorResponse(error);
    return Response.json(body, { status, headers });
  }
}
