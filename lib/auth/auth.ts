import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { config } from "../shared/config";
import { authSecret } from "./auth-secret";
import { findUserForLogin } from "../storage/users";
import { clearSignInFailures, countSignInFailure, signInBlockedFor } from "./login-throttle";
import { hashPassword, verifyPassword } from "./passwords";

/** Too many failed sign-ins for this address lately: refused before the password is checked. */
export class TooManySignInAttempts extends CredentialsSignin {
  code = "too_many_attempts";
}

declare module "next-auth" {
  interface Session {
    user: { id: string; role: string } & DefaultSession["user"];
  }
}

const credentialsSchema = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});

// Verified against when the e-mail is unknown, so a wrong address costs the same scrypt time as a
// wrong password and response times do not reveal which accounts exist.
let decoyHash: Promise<string> | undefined;

async function authorize(raw: unknown) {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  if ((await signInBlockedFor(email)) !== null) throw new TooManySignInAttempts();
  const user = await findUserForLogin(email);
  if (!user) {
    await verifyPassword(password, await (decoyHash ??= hashPassword("decoy-password")));
    await countSignInFailure(email);
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash))) {
    await countSignInFailure(email);
    return null;
  }
  await clearSignInFailures(email);
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/**
 * Dashboard login: e-mail and password, sessions in a signed JWT cookie (the Credentials provider
 * cannot use database sessions). The cookie carries the user id only; every API call looks the
 * user up again (lib/http/route.ts), so a removed user loses access at once and the organization
 * always comes from the database. The secret is AUTH_SECRET, or the one generated on first start
 * (auth-secret.ts).
 */
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  trustHost: true,
  secret: authSecret(),
  session: { strategy: "jwt", maxAge: config().SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/login" },
  providers: [Credentials({ credentials: { email: { label: "E-mail" }, password: { label: "Password", type: "password" } }, authorize })],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.role = (user as { role?: string }).role ?? "member";
      }
      return token;
    },
    session({ session, token }) {
      session.user.id = token.sub ?? "";
      session.user.role = typeof token.role === "string" ? token.role : "member";
      return session;
    },
  },
}));
