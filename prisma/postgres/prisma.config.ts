// Prisma CLI config for PostgreSQL: the JS (wasm) schema engine keeps every command offline.
import { defineConfig } from "prisma/config";
import { resolveDatabase } from "../../lib/storage/database-url";
import { postgresMigrationAdapter } from "../adapter-shims";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  async adapter() {
    const db = resolveDatabase();
    if (db.kind !== "postgres") throw new Error("prisma/postgres needs a postgres:// DATABASE_URL");
    return postgresMigrationAdapter(db.url);
  },
});
