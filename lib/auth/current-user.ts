import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { findUserById, type UserSummary } from "../storage/users";
import { auth } from "./auth";
import { RETURN_PATH_HEADER } from "./return-path-header";

/**
 * The signed-in user for a dashboard page, or a redirect to the login page that comes back to the
 * same URL (proxy.ts passes it in a request header, since layouts cannot see the URL). Cached for
 * the render, so the layout and its page look the user up once.
 */
export const requireUser = cache(async (): Promise<UserSummary> => {
  const session = await auth();
  const user = session?.user?.id ? await findUserById(session.user.id) : null;
  if (user) return user;
  const returnPath = (await headers()).get(RETURN_PATH_HEADER);
  redirect(returnPath ? `/login?callbackUrl=${encodeURIComponent(returnPath)}` : "/login");
});
