import { mkdirSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { config } from "../shared/config";

export type DatabaseKind = "sqlite" | "postgres";

export type ResolvedDatabase =
  | { kind: "sqlite"; filePath: string; url: string }
  | { kind: "postgres"; url: string };

// Every entry point (npm scripts, next, vitest, the Prisma CLI through npm) runs from the
// project root; bundled server code has no reliable path of its own to anchor on.
export const projectRoot = process.cwd();

const createdDirectories = new Set<string>();

/**
 * Resolves DATABASE_URL: unset → SQLite at ./data/tracing.db, `file:` → SQLite (relative paths
 * against the project root, directory created), `postgres(ql)://` → PostgreSQL, else an error.
 */
export function resolveDatabase(url = config().DATABASE_URL): ResolvedDatabase {
  const raw = url?.trim() || "file:./data/tracing.db";
  if (/^postgres(ql)?:\/\//.test(raw)) return { kind: "postgres", url: raw };
  if (!raw.startsWith("file:")) {
    throw new Error(
      `DATABASE_URL must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL); got "${raw.split(":")[0]}:…"`,
    );
  }
  // Prisma-style SQLite URLs may carry options after "?"; better-sqlite3 wants a bare path.
  const location = raw.split("?")[0];
  const path = location.startsWith("file://") ? fileURLToPath(location) : location.slice("file:".length);
  const filePath = isAbsolute(path) ? path : resolve(/*turbopackIgnore: true*/ projectRoot, path);
  // Once per directory: the log writer resolves the database for every batch it writes.
  if (!createdDirectories.has(dirname(filePath))) {
    mkdirSync(dirname(filePath), { recursive: true });
    createdDirectories.add(dirname(filePath));
  }
  return { kind: "sqlite", filePath, url: `file:${filePath}` };
}

/** Where the server keeps its own files (auth secret, log spool): beside the SQLite file, else ./data. */
export function dataDirectory(url = config().DATABASE_URL): string {
  const database = resolveDatabase(url);
  return database.kind === "sqlite" ? dirname(database.filePath) : resolve(/*turbopackIgnore: true*/ projectRoot, "data");
}
