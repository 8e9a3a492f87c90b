import { ApiKeysSection } from "@/components/settings/api-keys-section";
import { MembersSection } from "@/components/settings/members-section";
import { RetentionSection } from "@/components/settings/retention-section";
import { SharesSection } from "@/components/settings/shares-section";
import { requireUser } from "@/lib/auth/current-user";

export const metadata = { title: "Settings · Tracewell" };

export default async function SettingsPage() {
  const user = await requireUser();
  return (
    <div className="h-full overflow-auto bg-white">
      <div className="space-y-8 px-6 py-5">
        <h1 className="text-base font-semibold text-slate-900">Settings</h1>
        <ApiKeysSection />
        <MembersSection currentUserId={user.id} isAdmin={user.role === "admin"} />
        <SharesSection isAdmin={user.role === "admin"} />
        <RetentionSection isAdmin={user.role === "admin"} />
      </div>
    </div>
  );
}
