// Driver adapters for the Prisma CLI's JS (wasm) schema engine, which is what lets
// `migrate dev/diff/status/reset/deploy` run offline. Prisma 6.19.3's wasm engine has bugs that
// these shims work around; they are loaded by prisma/<provider>/prisma.config.ts only, never by
// the app (the query runtime does not touch the catalog tables involved).
import { randomUUID } from "node:crypto";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { SQLITE_HISTORY_TABLE } from "../lib/storage/migrate";

type SqlAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;

/**
 * SQLite: (1) the wasm engine reads `_prisma_migrations` before creating it (P1014 "The
 * underlying table for model `_prisma_migrations` does not exist"), so create it on connect;
 * (2) it sends whole migration scripts through argument-less `executeRaw`, which better-sqlite3
 * prepares as one statement ("contains more than one statement"), so route those to executeScript.
 */
export function sqliteMigrationAdapter(filePath: string) {
  const factory = new PrismaBetterSQLite3({ url: filePath });
  return {
    provider: "sqlite" as const,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = sendScriptsToExecuteScript(await factory.connect());
      await adapter.executeScript(SQLITE_HISTORY_TABLE);
      return adapter;
    },
    async connectToShadowDb() {
      return sendScriptsToExecuteScript(await factory.connectToShadowDb());
    },
  };
}

function sendScriptsToExecuteScript(adapter: SqlAdapter): SqlAdapter {
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    // A ";" inside a string literal also counts: harmless, executeScript runs single statements too.
    const isScript = query.args.length === 0 && query.sql.trim().replace(/;$/, "").includes(";");
    if (!isScript) return executeRaw(query);
    await adapter.executeScript(query.sql);
    return 0;
  };
  return adapter;
}

/**
 * PostgreSQL: (1) prisma/orm#27403 — the engine's catalog queries return `name`, `"char"`,
 * `regproc`, `pg_node_tree` and `regclass` columns (and `"char"[]`, `name[]` arrays)
 * that adapter-pg refuses ("Column type 'name' could not be deserialized"); they are text on
 * the wire, so label them text / text[] before pg picks parsers. (2) adapter-pg's own shadow
 * database overrides `database` under a connectionString (so the shadow silently is the main
 * database) and drops it while its pool is still connected; create and drop it here instead.
 */
export function postgresMigrationAdapter(url: string) {
  reportCatalogTypesAsText();
  // allowExitOnIdle: idle pooled connections must not keep the CLI alive (10 s) after its work.
  const factory = new PrismaPg({ connectionString: url, allowExitOnIdle: true });
  return {
    provider: "postgres" as const,
    adapterName: factory.adapterName,
    connect: () => factory.connect(),
    async connectToShadowDb() {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const shadowName = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
      await admin.query(`CREATE DATABASE "${shadowName}"`);
      const shadowUrl = new URL(url);
      shadowUrl.pathname = `/${shadowName}`;
      const shadowPool = new pg.Pool({ connectionString: shadowUrl.toString(), allowExitOnIdle: true });
      const adapter = await new PrismaPg(shadowPool, { disposeExternalPool: true }).connect();
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose(); // ends the shadow pool: PostgreSQL cannot drop a database in use
        await admin.query(`DROP DATABASE IF EXISTS "${shadowName}"`);
        await admin.end();
      };
      return adapter;
    },
  };
}

const CATALOG_TYPE_AS = new Map([
  [18, 25], // "char"
  [19, 25], // name
  [24, 25], // regproc
  [194, 25], // pg_node_tree
  [2205, 25], // regclass
  [1002, 1009], // "char"[]
  [1003, 1009], // name[]
]);

let catalogTypesPatched = false;

// pg has no per-pool hook between the row description and the choice of parsers, so this patches
// pg's Result once per process — harmless, as it only runs inside the Prisma CLI.
function reportCatalogTypesAsText() {
  if (catalogTypesPatched) return;
  catalogTypesPatched = true;
  const result = pg.Result.prototype as unknown as { addFields(fields: pg.FieldDef[]): void };
  const addFields = result.addFields;
  result.addFields = function (fields) {
    for (const field of fields) field.dataTypeID = CATALOG_TYPE_AS.get(field.dataTypeID) ?? field.dataTypeID;
    return addFields.call(this, fields);
  };
}
