// Dashboard users in any organization, for tests that need two organizations with a login each.
// No product path does this: the first start creates the first organization's admin, and the
// members API invites into the inviter's own organization. `npm run keys -- --organization`
// creates the organization itself; this adds a user to it, as the members API would.
import { hashPassword } from "../../lib/auth/passwords";
import { createDb } from "../../lib/storage/db";

export interface NewUser {
  email: string;
  password: string;
  role?: "admin" | "member";
}

/** Adds a user to the organization named `organizationName` (created when missing); returns the user id. */
export async function addUserToOrganization(databaseUrl: string, organizationName: string, user: NewUser): Promise<string> {
  const db = createDb(databaseUrl);
  try {
    const organization =
      (await db.organization.findFirst({ where: { name: organizationName }, select: { id: true } })) ??
      (await db.organization.create({ data: { name: organizationName }, select: { id: true } }));
    const created = await db.user.create({
      data: {
        organizationId: organization.id,
        email: user.email.trim().toLowerCase(),
        role: user.role ?? "admin",
        passwordHash: await hashPassword(user.password),
      },
      select: { id: true },
    });
    return created.id;
  } finally {
    await db.$disconnect();
  }
}
