import Link from "next/link";
import { connection } from "next/server";

/**
 * Any URL that is no page. Rendered per request, not prerendered: a prerendered page carries no
 * script nonce, so the Content-Security-Policy (proxy.ts) would block its scripts.
 */
export default async function NotFound() {
  await connection();
  return (
    <main className="flex min-h-screen items-center justify-center p-6 text-sm text-slate-700">
      <div>
        <h1 className="mb-1 text-base font-semibold text-slate-900">Not found</h1>
        <p className="mb-3 text-slate-500">There is no page at this address.</p>
        <Link href="/requests" className="text-indigo-700 hover:underline">
          Go to requests
        </Link>
      </div>
    </main>
  );
}
