import { connection } from "next/server";

/**
 * A share link that does not exist or was revoked (the same answer for both). No link into the
 * app: its visitor has no account. Rendered per request, for the script nonce (see app/not-found.tsx).
 */
export default async function SharedTraceNotFound() {
  await connection();
  return (
    <main className="flex min-h-screen items-center justify-center p-6 text-sm text-slate-700">
      <div>
        <h1 className="mb-1 text-base font-semibold text-slate-900">Link not found</h1>
        <p className="text-slate-500">This shared trace does not exist, or its link was revoked.</p>
      </div>
    </main>
  );
}
