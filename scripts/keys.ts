/**
 * `npm run keys -- create --name <name> [--organization <name>]`  prints a new key as the last line
 * `npm run keys -- list [--organization <name>]`
 * `npm run keys -- revoke <id>`
 * Works on the database DATABASE_URL names (default: the SQLite file), migrating it first. With
 * REDIS_URL, a revocation is also published, so every running instance refuses the key at once.
 */
import { parseArgs } from "node:util";
import { createApiKey, revokeApiKey } from "../lib/auth/api-keys";
import { listApiKeys } from "../lib/storage/api-keys";
import { ensureFirstStart } from "../lib/auth/first-start";
import { findOrCreateOrganization } from "../lib/storage/organizations";
import { migrateDatabase } from "../lib/storage/migrate";
import { closeDb } from "../lib/storage/db";
import { closeRedis } from "../lib/shared/redis";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: "string" }, organization: { type: "string" } },
});
const [command, id] = positionals;

async function organizationId(): Promise<string> {
  if (values.organization) return findOrCreateOrganization(values.organization);
  return (await ensureFirstStart({})).organizationId;
}

async function main(): Promise<number> {
  await migrateDatabase();
  if (command === "create") {
    if (!values.name) return usage("create needs --name <name>");
    const { key, apiKey } = await createApiKey(await organizationId(), values.name);
    console.log(`Created API key "${apiKey.name}" (id ${apiKey.id}). It is shown only this once:`);
    console.log(key);
    return 0;
  }
  if (command === "list") {
    for (const key of await listApiKeys(await organizationId())) {
      console.log([key.id, key.prefix + "…", key.name, key.revokedAt ? "revoked" : "active"].join("\t"));
    }
    return 0;
  }
  if (command === "revoke") {
    if (!id) return usage("revoke needs the key id");
    const revoked = await revokeApiKey(await organizationId(), id);
    console.log(revoked ? `Revoked ${id}` : `No active key ${id} in this organization`);
    return revoked ? 0 : 1;
  }
  return usage(`unknown command "${command ?? ""}"`);
}

function usage(problem: string): number {
  console.error(`${problem}\nusage: npm run keys -- create --name <name> [--organization <name>] | list | revoke <id>`);
  return 2;
}

const code = await main().finally(() => Promise.all([closeDb(), closeRedis()]));
process.exit(code);
