"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { signIn, signOut } from "./auth";
import { safeReturnPath } from "./return-path";

export interface LoginState {
  error: string | null;
  /** kept for the form: React resets a form after its action, and retyping an address is a chore */
  email: string;
}

/** The login form's action: signs in and redirects back where the user was going. */
export async function logIn(_previous: LoginState, formData: FormData): Promise<LoginState> {
  const email = String(formData.get("email") ?? "");
  try {
    await signIn("credentials", {
      email,
      password: String(formData.get("password") ?? ""),
      redirectTo: safeReturnPath(formData.get("callbackUrl")),
    });
    return { error: null, email };
  } catch (error) {
    // A successful sign-in "throws" Next's redirect, which must propagate.
    if (error instanceof AuthError) {
      return { error: signInErrorMessage(error), email };
    }
    throw error;
  }
}

function signInErrorMessage(error: AuthError): string {
  if (error instanceof CredentialsSignin && error.code === "too_many_attempts") {
    return "Too many failed sign-ins for this address. Try again in 15 minutes.";
  }
  return error.type === "CredentialsSignin" ? "Wrong e-mail or password." : "Could not sign in. Try again.";
}

export async function logOut(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}
