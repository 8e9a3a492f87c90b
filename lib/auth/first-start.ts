import { createApiKey, ensureApiKey } from "./api-keys";
import { generatePassword, hashPassword } from "./passwords";
import { createMember, findUserForLogin, setPasswordHash } from "../storage/users";
import { createOrganization, findDefaultOrganization } from "../storage/organizations";

export interface FirstStartOptions {
  adminEmail?: string;
  adminPassword?: string;
  seedApiKey?: string;
}

export interface FirstStartResult {
  organizationId: string;
  /** set only when this start created the admin or changed its password */
  admin: { email: string; password: string } | null;
  /** set only when this start created a key that nobody has seen yet */
  apiKey: string | null;
}

export const DEFAULT_ADMIN_EMAIL = "admin@localhost";
const DEFAULT_ORGANIZATION_NAME = "Default organization";

/**
 * On an empty database: the default organization, an admin user and one API key, returned in
 * clear text once so the start script can print them. On later starts it only applies what the
 * environment asks for (SEED_API_KEY, ADMIN_EMAIL/ADMIN_PASSWORD), idempotently.
 */
export async function ensureFirstStart(options: FirstStartOptions): Promise<FirstStartResult> {
  let organization = await findDefaultOrganization();
  const isFirstStart = !organization;
  organization ??= await createOrganization(DEFAULT_ORGANIZATION_NAME);

  const result: FirstStartResult = { organizationId: organization.id, admin: null, apiKey: null };

  const email = (options.adminEmail ?? DEFAULT_ADMIN_EMAIL).toLowerCase();
  const existingAdmin = await findUserForLogin(email);
  if (!existingAdmin) {
    const password = options.adminPassword ?? generatePassword();
    await createMember(organization.id, { email, name: "Admin", role: "admin", passwordHash: await hashPassword(password) });
    result.admin = { email, password };
  } else if (options.adminPassword) {
    await setPasswordHash(existingAdmin.id, await hashPassword(options.adminPassword));
  }

  if (options.seedApiKey) {
    await ensureApiKey(organization.id, "Seed key (SEED_API_KEY)", options.seedApiKey);
  } else if (isFirstStart) {
    result.apiKey = (await createApiKey(organization.id, "Default key")).key;
  }
  return result;
}
