/**
 * Signs in to the dashboard the way the browser does: next-auth's CSRF token first, then the
 * credentials callback. Returns the session cookie (`authjs.session-token=…`) to send as
 * `cookie`, or null when the sign-in was refused.
 */
export async function signIn(baseUrl: string, email: string, password: string, { withCsrf = true } = {}): Promise<string | null> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ ...(withCsrf ? { csrfToken } : {}), email, password, callbackUrl: `${baseUrl}/requests` }),
  });
  const session = response.headers.getSetCookie().find((c) => c.startsWith("authjs.session-token="));
  return session ? session.split(";")[0]! : null;
}
