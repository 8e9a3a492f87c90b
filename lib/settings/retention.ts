import { z } from "zod";
import { effectiveRetentionDays, MAX_RETENTION_DAYS } from "../domain/retention";
import { config } from "../shared/config";
import { findOrganizationRetentionDays, setOrganizationRetentionDays } from "../storage/organizations";

const DAYS_RULE = `a whole number of days from 1 to ${MAX_RETENTION_DAYS.toLocaleString("en-US")}, or null to follow the server's RETENTION_DAYS`;

export const retentionSettingSchema = z.strictObject({
  days: z
    .number({ error: `days must be ${DAYS_RULE}` })
    .int({ error: `days must be ${DAYS_RULE}` })
    .min(1, { error: `days must be ${DAYS_RULE}` })
    .max(MAX_RETENTION_DAYS, { error: `days must be ${DAYS_RULE}` })
    .nullable(),
});

/**
 * What the organization keeps: its own window (`days`, null when it follows the server), the
 * server's (`defaultDays`, RETENTION_DAYS, null when unset) and the one that applies
 * (`effectiveDays`, null: requests are kept forever).
 */
async function retentionOf(organizationId: string, days?: number | null) {
  const own = days === undefined ? await findOrganizationRetentionDays(organizationId) : days;
  const defaultDays = config().RETENTION_DAYS ?? null;
  return { days: own, defaultDays, effectiveDays: effectiveRetentionDays(own, defaultDays) };
}

/** GET /api/v1/retention: how long the organization's requests are kept. */
export async function getRetentionForApi(organizationId: string) {
  return retentionOf(organizationId);
}

/** PUT /api/v1/retention: the organization's own window (null: the server's); the next run (within 10 minutes) applies it. */
export async function setRetentionForApi(organizationId: string, body: unknown) {
  const { days } = retentionSettingSchema.parse(body);
  await setOrganizationRetentionDays(organizationId, days);
  return retentionOf(organizationId, days);
}
