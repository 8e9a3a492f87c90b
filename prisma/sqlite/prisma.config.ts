// Prisma CLI config for SQLite: the JS (wasm) schema engine keeps every command offline.
import { defineConfig } from "prisma/config";
import { resolveDatabase } from "../../lib/storage/database-url";
import { sqliteMigrationAdapter } from "../adapter-shims";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  async adapter() {
    const db = resolveDatabase();
    if (db.kind !== "sqlite") throw new Error("prisma/sqlite needs a file: DATABASE_URL");
    return sqliteMigrationAdapter(db.filePath);
  },
});
