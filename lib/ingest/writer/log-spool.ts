import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { LoggedRequest } from "../../domain/logged-request";

/** A file of spooled records, oldest first; `remove` once its records are stored. */
export interface SpooledBatch {
  records: LoggedRequest[];
  /** lines that could not be read back (a file cut short by a crash mid-write): counted, skipped */
  unreadable: number;
  remove(): void;
}

export class SpoolFullError extends Error {}

interface SpoolFile {
  name: string;
  records: number;
  bytes: number;
}

const FILE_PATTERN = /^(\d{13})-(\d{6})-(\d+)-(\d+)\.jsonl$/;

/**
 * The log writer's durable buffer for database outages: batches it could not store are written
 * here, one file per batch (written to a temporary name, fsynced, then renamed, so a file is either
 * whole or absent), and replayed oldest first once the database answers again, also after a
 * restart. Bounded in bytes; past the bound the writer keeps records in memory, then drops them,
 * counted. Replaying a file twice (a crash between storing it and removing it, or two instances on
 * one database) stores nothing twice: inserts ignore ids already stored.
 */
export class LogSpool {
  private readonly files: SpoolFile[] = [];
  private sequence = 0;
  private readonly totals = { records: 0, bytes: 0 };

  constructor(
    private readonly directory: string,
    private readonly maxBytes: number,
  ) {
    // Without a slot (spool-slot.ts) made for it, created on the first outage only.
    if (!existsSync(directory)) return;
    for (const name of readdirSync(directory).sort()) {
      const match = FILE_PATTERN.exec(name);
      if (match) this.track({ name, records: Number(match[4]), bytes: statSync(join(directory, name)).size });
      else if (name.endsWith(".tmp")) unlinkSync(join(directory, name)); // a write a crash cut short: never acknowledged
    }
  }

  /** Writes records durably (on disk when this returns); throws SpoolFullError past the bound. */
  append(records: readonly LoggedRequest[]): void {
    if (records.length === 0) return;
    const text = records.map((record) => JSON.stringify(record)).join("\n") + "\n";
    const bytes = Buffer.byteLength(text);
    if (this.totals.bytes + bytes > this.maxBytes) throw new SpoolFullError(`log spool is full (${this.maxBytes} bytes)`);
    mkdirSync(this.directory, { recursive: true });
    const name = `${Date.now()}-${String(this.sequence++ % 1_000_000).padStart(6, "0")}-${process.pid}-${records.length}.jsonl`;
    const temporary = join(this.directory, `${name}.tmp`);
    const fd = openSync(temporary, "w", 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, join(this.directory, name));
    this.track({ name, records: records.length, bytes });
  }

  /** The oldest spooled file, or null when the spool is empty. */
  oldest(): SpooledBatch | null {
    while (this.files.length > 0) {
      const file = this.files[0]!;
      const path = join(this.directory, file.name);
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        this.untrack(file); // replayed and removed by another instance on the same database
        continue;
      }
      const { records, unreadable } = parseLines(text);
      return {
        records,
        unreadable,
        remove: () => {
          this.untrack(file);
          try {
            unlinkSync(path);
          } catch {
            // already removed by another instance
          }
        },
      };
    }
    return null;
  }

  stats(): { records: number; bytes: number } {
    return { ...this.totals };
  }

  private track(file: SpoolFile): void {
    this.files.push(file);
    this.totals.records += file.records;
    this.totals.bytes += file.bytes;
  }

  private untrack(file: SpoolFile): void {
    const index = this.files.indexOf(file);
    if (index === -1) return;
    this.files.splice(index, 1);
    this.totals.records -= file.records;
    this.totals.bytes -= file.bytes;
  }
}

function parseLines(text: string): { records: LoggedRequest[]; unreadable: number } {
  const records: LoggedRequest[] = [];
  let unreadable = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const record = JSON.parse(line) as LoggedRequest;
      record.startTime = new Date(record.startTime);
      record.endTime = new Date(record.endTime);
      records.push(record);
    } catch {
      unreadable++;
    }
  }
  return { records, unreadable };
}

/**
 * The spools of one database (records carry that database's organization ids), under the data
 * directory; each instance has its own slot below it (spool-slot.ts).
 */
export function spoolDirectoryFor(dataDirectory: string, databaseUrl: string): string {
  return join(dataDirectory, "spool", createHash("sha256").update(databaseUrl).digest("hex").slice(0, 16));
}
