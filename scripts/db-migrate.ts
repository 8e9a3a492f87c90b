/**
 * `npm run db:migrate`: brings the database DATABASE_URL names (default: the SQLite file) up to the
 * newest committed migration, exactly as `npm start` does before it listens. For operators who
 * migrate before rolling out new instances.
 */
import { migrateDatabase } from "../lib/storage/migrate";
import { resolveDatabase } from "../lib/storage/database-url";

const database = resolveDatabase();
const { applied } = await migrateDatabase();
const where = database.kind === "sqlite" ? `SQLite at ${database.filePath}` : "PostgreSQL (DATABASE_URL)";
console.log(applied.length > 0 ? `Applied to ${where}: ${applied.join(", ")}` : `${where} is up to date.`);
