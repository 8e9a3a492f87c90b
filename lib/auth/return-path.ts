/**
 * Where to go after logging in: a path on this site only (`/requests?model=x`), never another
 * origin (`//evil.example`, `https://…`), which would make the login page an open redirect.
 * Without one, the dashboard.
 */
export function safeReturnPath(value: unknown, fallback = "/dashboard"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  if (value.startsWith("/login") || value.startsWith("/api/")) return fallback;
  return value;
}
