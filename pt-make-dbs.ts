import pg from "pg";
import { migrateDatabase } from "./lib/storage/migrate";
import { fillPostgres } from "./tests/bench/synthetic-database";
const { ensurePartitionedLayout, createPartitionsAhead } = await import("./lib/storage/partitions");
const rows = Number(process.argv[2] ?? 1000000);
for (const name of ["pt_plain", "pt_parted"]) {
  const admin = new pg.Client("postgresql://postgres@127.0.0.1:5432/postgres"); await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); await admin.query(`CREATE DATABASE ${name}`); await admin.end();
  const url = `postgresql://postgres@127.0.0.1:5432/${name}`;
  await migrateDatabase(url);
  const c = new pg.Client(url); await c.connect();
  await c.query(`INSERT INTO "Organization" (id, name, "createdAt") VALUES ('org', 'Default', now())`);
  await c.end();
  let t = performance.now();
  await fillPostgres(url, "org", rows);
  console.log(name, "filled", Math.round(performance.now() - t));
  if (name === "pt_parted") { t = performance.now(); console.log(await ensurePartitionedLayout(url, "day")); await createPartitionsAhead(url, new Date(), "day"); console.log("took over", Math.round(performance.now() - t)); }
}
