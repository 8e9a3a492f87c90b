import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
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
 * owner only, so sessions survive restarts and no secret ever lives in the repository. Instances
 * started together from one directory settle on one file: it is created whole or not at all
 * (written aside, then linked into place, which fails if another got there first).
 * Instances on different machines must share AUTH_SECRET (see warnIfAuthSecretNotShared).
 */
export function ensureAuthSecret(configured: string | undefined, databaseUrl: string | undefined): string {
  if (configured) return configured;
  const directory = dataDirectory(databaseUrl);
  const file = join(directory, "auth-secret");
  const stored = readSecret(file);
  if (stored) return stored;
  mkdirSync(directory, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  // A file too short to use (edited by hand) is replaced.
  if (existsSync(file)) writeFileSync(file, secret + "\n", { mode: 0o600 });
  else publishSecret(file, secret);
  return readSecret(file) ?? secret;
}

/** Puts a whole file at `file` unless one is there already (then that one wins). */
function publishSecret(file: string, secret: string): void {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(aside, secret + "\n", { mode: 0o600 });
  try {
    linkSync(aside, file);
  } catch (error) {
    // EEXIST: another instance linked its secret first. Anything else: a file system without hard links.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") renameSync(aside, file);
  } finally {
    rmSync(aside, { force: true });
  }
}

function readSecret(file: string): string | null {
  if (!existsSync(file)) return null;
  const stored = readFileSync(file, "utf8").trim();
  return stored.length >= 32 ? stored : null;
}

/**
 * At start: with REDIS_URL (several instances) but no AUTH_SECRET, each machine signs logins with
 * the secret in its own data directory, and a session made on one is refused by the others. Says
 * so (instances started from one directory share that file, so they still agree).
 */
export function warnIfAuthSecretNotShared(): void {
  const { REDIS_URL, AUTH_SECRET } = config();
  if (!REDIS_URL || AUTH_SECRET) return;
  console.warn(
    `AUTH_SECRET is not set, but REDIS_URL is (several instances): this instance signs dashboard logins with the secret in ` +
      `${join(dataDirectory(), "auth-secret")}. A login made on one instance works on another only if they use the same secret: ` +
      `set one AUTH_SECRET (32+ characters, e.g. \`openssl rand -base64 32\`) for every instance.`,
  );
}
