"use client";

import { useState, type FormEvent } from "react";
import { useInviteMember, useMembers, useRemoveMember } from "@/lib/queries/settings";
import { formatTime } from "@/components/ui/format";
import { td, th } from "@/components/ui/table";
import { ShownOnce } from "./shown-once";

/** Who can sign in to this organization; admins invite (first password shown once) and remove. */
export function MembersSection({ currentUserId, isAdmin }: { currentUserId: string; isAdmin: boolean }) {
  const members = useMembers();
  const invite = useInviteMember();
  const remove = useRemoveMember();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<"member" | "admin">("member");
  const [invited, setInvited] = useState<{ email: string; password: string } | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate(
      { email: email.trim(), role },
      {
        onSuccess: ({ member, password }) => {
          setInvited({ email: member.email, password });
          setEmail("");
        },
      },
    );
  };

  return (
    <section aria-labelledby="members-title" className="space-y-3">
      <div>
        <h2 id="members-title" className="text-sm font-semibold text-slate-900">
          Members
        </h2>
        <p className="text-xs text-slate-500">People who can sign in to this organization&apos;s dashboard.</p>
      </div>
      {isAdmin && (
        <form onSubmit={submit} className="flex items-center gap-2">
          <input
            aria-label="E-mail to invite"
            type="email"
            required
            placeholder="teammate@company.com"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            className="h-8 w-72 rounded border border-slate-300 px-2 text-xs focus:border-indigo-500 focus:ring-2 focus:ring-indigo-100 focus:outline-none"
          />
          <select aria-label="Role" value={role} onChange={(e) => setRole(e.target.value as "member" | "admin")} className="h-8 rounded border border-slate-300 px-2 text-xs">
            <option value="member">Member</option>
            <option value="admin">Admin</option>
          </select>
          <button type="submit" disabled={invite.isPending} className="h-8 rounded bg-indigo-600 px-3 text-xs font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
            Invite
          </button>
          {invite.error && <span className="text-xs text-red-700">{invite.error.message}</span>}
        </form>
      )}
      {invited && (
        <ShownOnce
          title={`${invited.email} can now sign in with this password (shown once; pass it on securely).`}
          secret={invited.password}
          label="First password"
          onDismiss={() => setInvited(null)}
        />
      )}
      <table className="w-full max-w-4xl table-fixed border-separate border-spacing-0 rounded border border-slate-200 text-xs" aria-label="Members">
        <thead>
          <tr>
            <th className={th}>E-mail</th>
            <th className={`${th} w-28`}>Role</th>
            <th className={`${th} w-40`}>Added</th>
            <th className={`${th} w-28`} />
          </tr>
        </thead>
        <tbody>
          {members.data?.data.map((member) => (
            <tr key={member.id}>
              <td className={`${td} truncate font-medium`}>
                {member.email}
                {member.id === currentUserId && <span className="ml-2 text-slate-400">(you)</span>}
              </td>
              <td className={td}>{member.role}</td>
              <td className={`${td} font-mono text-[11px]`}>{formatTime(member.createdAt)}</td>
              <td className={td}>
                {isAdmin && member.id !== currentUserId && (
                  <button
                    type="button"
                    aria-label={`Remove ${member.email}`}
                    className="rounded border border-red-200 px-2 py-0.5 text-red-700 hover:bg-red-50"
                    onClick={() => {
                      if (window.confirm(`Remove ${member.email}? They are signed out at once.`)) remove.mutate(member.id);
                    }}
                  >
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
