import { handlers } from "@/lib/auth/auth";

export const runtime = "nodejs";

// GET, POST /api/auth/* – next-auth: CSRF token, credentials sign-in, session, sign-out
export const { GET, POST } = handlers;
