import { expect, it } from "vitest";
import { signIn } from "../helpers/dashboard-login";
import { describeOnEachDatabase } from "../helpers/test-stack";

const ADMIN = { email: "guarded@example.com", password: "correct horse battery staple" };

// Passwords cannot be guessed at the speed the server hashes: ten failed sign-ins for an address
// within 15 minutes close it to further attempts, the right password included, for a while.
describeOnEachDatabase(
  "dashboard sign-in throttle",
  (stack) => {
    it("after 10 wrong passwords even the right one is refused for that address, with a reason; other addresses are unaffected", async () => {
      const url = stack().app.url;
      expect(await signIn(url, ADMIN.email, ADMIN.password)).not.toBeNull();
      for (let i = 0; i < 10; i++) expect(await signIn(url, ADMIN.email, `guess ${i}`)).toBeNull();
      expect(await signIn(url, ADMIN.email.toUpperCase(), ADMIN.password)).toBeNull();

      // The form's callback says why (next-auth passes the code along to the login page).
      const csrf = await fetch(`${url}/api/auth/csrf`);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const refused = await fetch(`${url}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") },
        body: new URLSearchParams({ csrfToken, email: ADMIN.email, password: ADMIN.password }),
      });
      expect(refused.headers.get("location")).toMatch(/code=too_many_attempts/);

      // Failures for an unknown address count against that address only.
      for (let i = 0; i < 3; i++) expect(await signIn(url, "nobody@example.com", "x")).toBeNull();
      // The API key path is separate and keeps working.
      expect((await stack().api("/api/v1/requests?limit=1")).status).toBe(200);
    });
  },
  { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
);
