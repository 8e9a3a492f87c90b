import { NextResponse, type NextRequest } from "next/server";
import { RETURN_PATH_HEADER } from "@/lib/auth/return-path-header";

/**
 * Tells page layouts which URL was asked for, so that a logged-out visitor of a shared link
 * (`/requests?model=gpt-4`) lands there again after logging in. Authentication itself happens in
 * the layouts and route handlers, against the database.
 */
export function proxy(request: NextRequest) {
  const forwarded = new Headers(request.headers);
  forwarded.set(RETURN_PATH_HEADER, request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.next({ request: { headers: forwarded } });
}

export const config = {
  matcher: ["/((?!api/|_next/|favicon.ico|login).*)"],
};
