import { z } from "zod";
import { isSharingEnabled, setSharingEnabled } from "../storage/trace-shares";

export const sharingSettingSchema = z.strictObject({
  enabled: z.boolean({ error: "enabled must be true (members may share traces) or false (no links; every existing one is revoked)" }),
});

/** GET /api/v1/sharing: whether members may make share links. */
export async function getSharingForApi(organizationId: string) {
  return { enabled: await isSharingEnabled(organizationId) };
}

/** PUT /api/v1/sharing: turning sharing off revokes every link of the organization at once. */
export async function setSharingForApi(organizationId: string, body: unknown) {
  const { enabled } = sharingSettingSchema.parse(body);
  const { revoked } = await setSharingEnabled(organizationId, enabled);
  return { enabled, revoked };
}
