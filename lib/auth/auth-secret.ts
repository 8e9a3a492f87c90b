import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { config } from "../shared/config";
import { processSingleton } from "../shared/process-slot";
import { dataDirectory } from "../storage/database-url";

/** The secret this process signs sessions with, settled once (see ensureAuthSecret). */
export function authSecret(): string {
  return processSingleton("auth-secret", () => ensureAuthSecret(config().AUTH_SECRET, config().DATABASE_URL));
}

/**
 * The secret that signs dashboard sessions. AUTH_SECRET wins; otherwise one is generated on the
 * first start and kept beside the SQLite file (or in ./data for PostgreSQL), readable by its
 * owner only, so sessions survive restarts and no secret ever lives in the repository.
 * Several app instances sharing one PostgreSQL database should set AUTH_SECRET explicitly.
 */
export function ensureAuthSecret(configured: string | undefined, databaseUrl: string | undefined): string {
  if (configured) return configured;
  const directory = dataDirectory(databaseUrl);
  const file = join(directory, "auth-secret");
  if (existsSync(file)) {
    const stored = readFileSync(file, "utf8").trim();
    if (stored.length >= 32) return stored;
  }
  mkdirSync(directory, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}
