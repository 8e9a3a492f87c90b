/**
 * Time partitioning of the request tables on PostgreSQL (issue 15). SQLite has no partitions:
 * every function here does nothing there.
 *
 * Layout. "Request", "RequestBody" and "RequestProperty" are each partitioned by range of
 * "startTime" (a body and a property row repeat their request's), with the same ranges, so a
 * request and what hangs off it sit in partitions of one range and go together: a UTC day a
 * partition by default (PARTITION_INTERVAL=hour: an hour), named `<table>_p20260107`, plus a
 * DEFAULT partition `<table>_default` that takes any row outside every range (a record that
 * arrives very late, or dated far ahead), so ingest never fails for want of a partition. Primary
 * keys gain "startTime", as PostgreSQL wants the partition key in every unique constraint: request
 * ids are made by the server and unique without it, and a replayed row has the same id and start
 * time, so the batch insert's ON CONFLICT DO NOTHING still skips it.
 *
 * Foreign keys. With one from "RequestBody" to the partitioned "Request", PostgreSQL refuses to
 * drop a request partition without a DETACH first, and a DETACH checks the whole referencing
 * table while it holds "Request" exclusively: ingest would wait on every retention run. So each
 * body and property partition references the request partition of its own range instead (ON
 * DELETE CASCADE, as the schema says): deleting a request, or an organization, still deletes its
 * body and properties, and dropping a range drops the child partitions first, after which nothing
 * references the request partition.
 *
 * Why here rather than in a Prisma migration: Prisma's schema cannot say PARTITION BY, and
 * `npm run db:new-migration` diffs the replayed migrations against the schema, so after a
 * partitioning migration every new migration would carry statements undoing it (tried on a
 * partitioned database: Prisma's diff puts the three primary keys back to the schema's and
 * re-adds the two foreign keys to "Request", statements PostgreSQL refuses on partitioned
 * tables). The migrations keep describing plain
 * tables, and this module turns them into the partitioned layout at start, after the migrations:
 * once, in one transaction, under an advisory lock (instances starting together take turns, the
 * later ones find it done). A later migration adding a column or an index to these tables applies
 * to the partitioned tables and all their partitions alike.
 */
import pg from "pg";
import { partitionName, rangeHolding, rangesBetween, uncoveredRanges, type PartitionInterval, type TimeRange } from "../domain/partition-ranges";
import { config } from "../shared/config";
import { resolveDatabase } from "./database-url";

const PARTITION_KEY = "startTime";
const REQUESTS = "Request";
/** The tables that hang off a request, each by a column holding the request's id. */
const CHILDREN = [
  { table: "RequestBody", requestIdColumn: "requestId" },
  { table: "RequestProperty", requestIdColumn: "requestId" },
] as const;
/** In the order a batch insert writes them: locks are taken in this order, never deadlocking with one. */
const TABLES = [REQUESTS, ...CHILDREN.map((child) => child.table)];

/** How far ahead of now createPartitionsAhead makes partitions, per interval. */
export const PARTITIONS_AHEAD_MS: Record<PartitionInterval, number> = { day: 7 * 86_400_000, hour: 86_400_000 };

// Serialises the layout and partition upkeep across instances (Prisma Migrate's own key is 72707369).
const PARTITION_UPKEEP_LOCK = 72707370;
// Creating and dropping partitions waits this long at most for a lock; past it, that run fails and
// the next one (the retention job's) tries again. Ingest itself waits 3 s at most (postgres-insert.ts).
const UPKEEP_LOCK_TIMEOUT_MS = 2_000;

/** What a takeover of an unpartitioned database did. */
export interface TakeOver {
  requests: number;
  partitions: number;
  durationMs: number;
}

/**
 * Makes sure the request tables are partitioned by time: an unpartitioned database (any database
 * before issue 15) is taken over in one transaction without losing a row, while writers wait.
 * Resolves with what the takeover did, or null when there was nothing to do (SQLite, or already
 * partitioned). Idempotent; safe when several instances start at once.
 */
export async function ensurePartitionedLayout(url: string, interval: PartitionInterval = config().PARTITION_INTERVAL): Promise<TakeOver | null> {
  const database = resolveDatabase(url);
  if (database.kind === "sqlite") return null;
  // No lock timeout: until the takeover is done nothing can be written anyway.
  return inUpkeep(database.url, 0, async (client) => ((await isPartitioned(client)) ? null : takeOver(client, interval)));
}

/**
 * Creates the partitions that requests starting from `now`'s day (or hour) to PARTITIONS_AHEAD_MS
 * after `now` need, moving in any rows the default partition took for their ranges; returns the
 * names of the partitions created (every table's). Existing partitions are kept, whatever interval
 * made them.
 */
export async function createPartitionsAhead(url: string, now: Date, interval: PartitionInterval = config().PARTITION_INTERVAL): Promise<string[]> {
  const database = resolveDatabase(url);
  if (database.kind === "sqlite") return [];
  const wanted = rangesBetween(rangeHolding(now.getTime(), interval).fromMs, now.getTime() + PARTITIONS_AHEAD_MS[interval], interval);
  return inUpkeep(database.url, UPKEEP_LOCK_TIMEOUT_MS, async (client) => {
    await assertPartitioned(client);
    const existing = (await listPartitions(client, REQUESTS)).flatMap((partition) => partition.range ?? []);
    const created: string[] = [];
    for (const range of uncoveredRanges(wanted, existing)) created.push(...(await createPartitions(client, range, { linked: true })));
    return created;
  });
}

/**
 * Drops every partition whose whole time range ends at or before `cutoff` (retention); returns the
 * names dropped. Rows older than `cutoff` in a partition that straddles it are left to the caller.
 */
export async function dropPartitionsBefore(url: string, cutoff: Date): Promise<string[]> {
  const database = resolveDatabase(url);
  if (database.kind === "sqlite") return [];
  return inUpkeep(database.url, UPKEEP_LOCK_TIMEOUT_MS, async (client) => {
    await assertPartitioned(client);
    const doomed: string[] = [];
    // Children first: then nothing references the request partitions dropped after them.
    for (const table of [...TABLES].reverse()) {
      for (const { name, range } of await listPartitions(client, table)) if (range && range.toMs <= cutoff.getTime()) doomed.push(name);
    }
    if (doomed.length === 0) return [];
    // Dropping a partition locks its parent exclusively; all three at once, in ingest's order.
    await client.query(`LOCK TABLE ${TABLES.map(quote).join(", ")} IN ACCESS EXCLUSIVE MODE`);
    for (const name of doomed) await client.query(`DROP TABLE ${quote(name)}`);
    return doomed;
  });
}

// ---------------------------------------------------------------- the takeover

interface TableDefinition {
  table: string;
  columns: string[];
  primaryKey: { name: string; columns: string[] };
  /** CREATE INDEX statements of every index but the primary key's, naming the table as it is now */
  indexes: string[];
  /** foreign keys to tables other than these three (the organization), as ADD CONSTRAINT clauses */
  foreignKeys: string[];
}

/**
 * The old tables are renamed, partitioned tables with the same columns, defaults and checks take
 * their names, partitions are made for every range that holds a request, the rows are copied
 * (a child row with its request's start time, whatever it held), the old tables dropped, and
 * then the primary keys (with "startTime"), the indexes and the foreign keys are built, on full
 * partitions, which is faster than keeping them up to date while copying.
 */
async function takeOver(client: pg.ClientBase, interval: PartitionInterval): Promise<TakeOver> {
  const started = performance.now();
  await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
  await client.query(`LOCK TABLE ${TABLES.map(quote).join(", ")} IN ACCESS EXCLUSIVE MODE`);
  const definitions: TableDefinition[] = [];
  for (const table of TABLES) definitions.push(await tableDefinition(client, table));
  for (const table of TABLES) await client.query(`ALTER TABLE ${quote(table)} RENAME TO ${quote(unpartitioned(table))}`);
  for (const table of TABLES) {
    await client.query(
      `CREATE TABLE ${quote(table)} (LIKE ${quote(unpartitioned(table))} INCLUDING ALL EXCLUDING INDEXES) PARTITION BY RANGE (${quote(PARTITION_KEY)})`,
    );
  }

  const ranges = await rangesHoldingRequests(client, interval);
  await createPartitions(client, null, { linked: false });
  for (const range of ranges) await createPartitions(client, range, { linked: false });

  const columns = (table: string) => definitions.find((definition) => definition.table === table)!.columns;
  const { rowCount: requests } = await client.query(
    `INSERT INTO ${quote(REQUESTS)} (${columnList(columns(REQUESTS))}) SELECT ${columnList(columns(REQUESTS))} FROM ${quote(unpartitioned(REQUESTS))}`,
  );
  for (const { table, requestIdColumn } of CHILDREN) {
    const selected = columns(table).map((column) => (column === PARTITION_KEY ? `r.${quote(PARTITION_KEY)}` : `c.${quote(column)}`));
    await client.query(
      `INSERT INTO ${quote(table)} (${columnList(columns(table))}) SELECT ${selected.join(", ")}
       FROM ${quote(unpartitioned(table))} c JOIN ${quote(unpartitioned(REQUESTS))} r ON r."id" = c.${quote(requestIdColumn)}`,
    );
  }
  for (const table of [...TABLES].reverse()) await client.query(`DROP TABLE ${quote(unpartitioned(table))}`);

  for (const { table, primaryKey, indexes, foreignKeys } of definitions) {
    const keyColumns = primaryKey.columns.includes(PARTITION_KEY) ? primaryKey.columns : [...primaryKey.columns, PARTITION_KEY];
    await client.query(`ALTER TABLE ${quote(table)} ADD CONSTRAINT ${quote(primaryKey.name)} PRIMARY KEY (${columnList(keyColumns)})`);
    for (const index of indexes) await client.query(index);
    for (const foreignKey of foreignKeys) await client.query(`ALTER TABLE ${quote(table)} ADD ${foreignKey}`);
  }
  await linkToRequests(client, null);
  for (const range of ranges) await linkToRequests(client, range);
  await client.query(`ANALYZE ${TABLES.map(quote).join(", ")}`);
  return { requests: requests ?? 0, partitions: ranges.length, durationMs: Math.round(performance.now() - started) };
}

const unpartitioned = (table: string) => `${table}_unpartitioned`;

async function tableDefinition(client: pg.ClientBase, table: string): Promise<TableDefinition> {
  const relation = quote(table);
  const { rows: columns } = await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [relation],
  );
  const { rows: keys } = await client.query<{ name: string; columns: string[] }>(
    `SELECT c.conname AS name, array_agg(a.attname::text ORDER BY k.position) AS columns
     FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, position)
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
     WHERE c.conrelid = $1::regclass AND c.contype = 'p' GROUP BY c.conname`,
    [relation],
  );
  if (keys.length !== 1) throw new Error(`${table} has no primary key: cannot partition it`);
  const { rows: indexes } = await client.query<{ definition: string }>(
    `SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
     WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
     ORDER BY i.indexrelid`,
    [relation],
  );
  const { rows: foreignKeys } = await client.query<{ clause: string }>(
    `SELECT format('CONSTRAINT %I %s', conname, pg_get_constraintdef(oid)) AS clause FROM pg_constraint
     WHERE conrelid = $1::regclass AND contype = 'f' AND NOT confrelid = ANY($2::text[]::regclass[])
     ORDER BY conname`,
    [relation, TABLES.map(quote)],
  );
  return {
    table,
    columns: columns.map((column) => column.name),
    primaryKey: keys[0]!,
    indexes: indexes.map((index) => index.definition),
    foreignKeys: foreignKeys.map((foreignKey) => foreignKey.clause),
  };
}

/** Every interval range that holds a request of the old table (not the empty ones between). */
async function rangesHoldingRequests(client: pg.ClientBase, interval: PartitionInterval): Promise<TimeRange[]> {
  const { rows } = await client.query<{ ms: number }>(
    `SELECT DISTINCT extract(epoch FROM date_trunc($1, ${quote(PARTITION_KEY)})) * 1000 AS ms
     FROM ${quote(unpartitioned(REQUESTS))} ORDER BY 1`,
    [interval],
  );
  return rows.map((row) => rangeHolding(Number(row.ms), interval));
}

// ---------------------------------------------------------------- partitions

/**
 * Creates the partitions of every table for `range` (null: the default partitions). Each is made
 * as a plain table, given the rows the default partition holds for its range, then attached:
 * attaching locks the parent only against other schema changes (SHARE UPDATE EXCLUSIVE), where
 * CREATE TABLE … PARTITION OF would lock it against ingest and reads too, and PostgreSQL refuses
 * a range whose rows sit in the default partition. `linked`: also make the foreign keys to the
 * request partition (a takeover makes them once the primary keys exist). Returns the names.
 */
async function createPartitions(client: pg.ClientBase, range: TimeRange | null, { linked }: { linked: boolean }): Promise<string[]> {
  const names = TABLES.map((table) => (range ? partitionName(table, range.fromMs) : `${table}_default`));
  for (const [i, table] of TABLES.entries()) {
    await client.query(`CREATE TABLE ${quote(names[i]!)} (LIKE ${quote(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)`);
  }
  if (range) {
    // Children first: a request leaving the default partition would take its rows there with it (cascade).
    for (const [i, table] of [...TABLES.entries()].reverse()) {
      const columns = columnList(await columnsOf(client, table));
      await client.query(
        `WITH moved AS (DELETE FROM ${quote(`${table}_default`)} WHERE ${quote(PARTITION_KEY)} >= ${timestamp(range.fromMs)}
           AND ${quote(PARTITION_KEY)} < ${timestamp(range.toMs)} RETURNING ${columns})
         INSERT INTO ${quote(names[i]!)} (${columns}) SELECT ${columns} FROM moved`,
      );
    }
  }
  const bounds = range ? `FOR VALUES FROM (${timestamp(range.fromMs)}) TO (${timestamp(range.toMs)})` : "DEFAULT";
  for (const [i, table] of TABLES.entries()) await client.query(`ALTER TABLE ${quote(table)} ATTACH PARTITION ${quote(names[i]!)} ${bounds}`);
  if (linked) await linkToRequests(client, range);
  return names;
}

/** Each child partition of `range` (null: the default ones) references the request partition of the same range. */
async function linkToRequests(client: pg.ClientBase, range: TimeRange | null): Promise<void> {
  const nameOf = (table: string) => (range ? partitionName(table, range.fromMs) : `${table}_default`);
  for (const { table, requestIdColumn } of CHILDREN) {
    const child = nameOf(table);
    await client.query(
      `ALTER TABLE ${quote(child)} ADD CONSTRAINT ${quote(`${child}_${requestIdColumn}_${PARTITION_KEY}_fkey`)}
       FOREIGN KEY (${columnList([requestIdColumn, PARTITION_KEY])}) REFERENCES ${quote(nameOf(REQUESTS))} ("id", ${quote(PARTITION_KEY)})
       ON DELETE CASCADE ON UPDATE CASCADE`,
    );
  }
}

interface Partition {
  name: string;
  /** null for the default partition */
  range: TimeRange | null;
}

/** The partitions of `table` with their ranges, read from the catalog (whatever interval made them). */
async function listPartitions(client: pg.ClientBase, table: string): Promise<Partition[]> {
  const { rows } = await client.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
    [quote(table)],
  );
  return rows.map(({ name, bound }) => ({ name, range: parseBound(bound) }));
}

/** `FOR VALUES FROM ('2026-01-07 00:00:00') TO ('2026-01-08 00:00:00')` (DateStyle ISO), or DEFAULT. */
function parseBound(bound: string): TimeRange | null {
  if (bound === "DEFAULT") return null;
  const match = /^FOR VALUES FROM \((.+)\) TO \((.+)\)$/.exec(bound);
  if (!match) throw new Error(`Unexpected partition bound: ${bound}`);
  const ms = (value: string) => {
    if (value === "MINVALUE") return -Infinity;
    if (value === "MAXVALUE") return Infinity;
    return Date.parse(`${value.slice(1, -1).replace(" ", "T")}Z`);
  };
  return { fromMs: ms(match[1]!), toMs: ms(match[2]!) };
}

async function columnsOf(client: pg.ClientBase, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [quote(table)],
  );
  return rows.map((row) => row.name);
}

/** Whether all three tables are partitioned; throws when only some are (never left so by this module). */
async function isPartitioned(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ name: string; kind: string }>(
    `SELECT relname AS name, relkind AS kind FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relname = ANY($1::text[])`,
    [TABLES],
  );
  const kinds = TABLES.map((table) => rows.find((row) => row.name === table)?.kind);
  if (kinds.every((kind) => kind === "p")) return true;
  if (kinds.every((kind) => kind === "r")) return false;
  throw new Error(`The request tables are neither all partitioned nor all plain (${TABLES.map((t, i) => `${t}: ${kinds[i] ?? "missing"}`).join(", ")})`);
}

async function assertPartitioned(client: pg.ClientBase): Promise<void> {
  if (!(await isPartitioned(client))) throw new Error("The request tables are not partitioned yet: ensurePartitionedLayout runs first, at start");
}

// ---------------------------------------------------------------- plumbing

/**
 * Runs `work` in one transaction holding the upkeep lock (a transaction-level advisory lock,
 * released at commit or when the connection drops), on a connection of its own. The lock timeout
 * is set after the advisory lock is granted: waiting for another instance's upkeep is expected.
 */
async function inUpkeep<T>(url: string, lockTimeoutMs: number, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock($1)", [PARTITION_UPKEEP_LOCK]);
      // ISO DateStyle: partition bounds are read back as text (parseBound).
      await client.query(`SET LOCAL lock_timeout = ${Math.trunc(lockTimeoutMs)}; SET LOCAL statement_timeout = 0; SET LOCAL DateStyle = 'ISO, YMD'`);
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  } finally {
    await client.end();
  }
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

function columnList(columns: readonly string[]): string {
  return columns.map(quote).join(", ");
}

/** A TIMESTAMP(3) literal for a UTC time: the column holds UTC without a zone. */
function timestamp(ms: number): string {
  return `'${new Date(ms).toISOString().slice(0, 23).replace("T", " ")}'::timestamp`;
}
