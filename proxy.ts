import { NextResponse, type NextRequest } from "next/server";
import { RETURN_PATH_HEADER } from "@/lib/auth/return-path-header";

/**
 * For every page request:
 * - a Content-Security-Policy with a fresh nonce. Next reads the nonce from the request's policy
 *   and puts it on its own scripts (framework, chunks, the inline hydration data), so only those
 *   run: no inline script, and no script from logged data, even if markup ever slipped through.
 *   Pages are rendered per request (they all need the signed-in user, or a share link's token),
 *   so each gets its nonce.
 * - the URL that was asked for, so that a logged-out visitor of a shared link
 *   (`/requests?model=gpt-4`) lands there again after logging in. Authentication itself happens
 *   in the layouts and route handlers, against the database: the dashboard's layout requires a
 *   user; only /share/{token} and /api/v1/shared/{token}/… take the link's token instead.
 */
export function proxy(request: NextRequest) {
  const policy = contentSecurityPolicy(newNonce());
  const forwarded = new Headers(request.headers);
  forwarded.set(RETURN_PATH_HEADER, request.nextUrl.pathname + request.nextUrl.search);
  forwarded.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: forwarded } });
  response.headers.set("content-security-policy", policy);
  return response;
}

function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

/**
 * Pages render logged prompts and model output. React escapes all of it; this policy is the second
 * line: even markup that slipped through could run no script, load no image from elsewhere, call
 * no other host, and the page cannot be framed. 'strict-dynamic' lets the nonced scripts load
 * Next's chunks; styles stay 'unsafe-inline' because the trace canvas positions nodes with inline
 * style attributes (which no nonce can cover). Development also needs eval for fast refresh.
 */
function contentSecurityPolicy(nonce: string): string {
  const development = process.env.NODE_ENV !== "production";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const config = {
  // Pages only: the read API answers JSON, and _next/ serves static files.
  matcher: ["/((?!api/|_next/|favicon.ico).*)"],
};
