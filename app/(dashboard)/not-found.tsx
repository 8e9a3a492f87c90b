import Link from "next/link";

/**
 * A trace or session id that is not this organization's: the same page whether it never existed
 * or belongs to another organization, so a guessed or copied id tells nothing.
 */
export default function DashboardNotFound() {
  return (
    <div className="p-6 text-sm text-slate-700">
      <h1 className="mb-1 text-base font-semibold text-slate-900">Not found</h1>
      <p className="mb-3 text-slate-500">There is no such trace or session in your organization.</p>
      <Link href="/requests" className="text-indigo-700 hover:underline">
        Back to requests
      </Link>
    </div>
  );
}
