import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/login-form";
import { auth } from "@/lib/auth/auth";
import { safeReturnPath } from "@/lib/auth/return-path";

export const metadata = { title: "Sign in · Tracewell" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const callbackUrl = safeReturnPath((await searchParams).callbackUrl);
  if ((await auth())?.user) redirect(callbackUrl);
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 p-6">
      <div className="w-full max-w-sm">
        <h1 className="mb-1 text-lg font-semibold text-slate-900">Sign in to Tracewell</h1>
        <p className="mb-6 text-sm text-slate-500">The admin login was printed by the first start.</p>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <LoginForm callbackUrl={callbackUrl} />
        </div>
      </div>
    </main>
  );
}
