import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

/** A spool directory this process holds alone until release() (or its death). */
export interface SpoolSlot {
  directory: string;
  release(): void;
}

/** Who holds a directory: written in its lock file. */
interface LockOwner {
  pid: number;
  hostname: string;
  /** Linux: this boot's id, so a lock from before a reboot is known dead whatever its pid */
  bootId: string | null;
  startedAt: string;
}

const LOCK_FILE = /^owner\.(\d+)\.lock$/;
const SLOT_PREFIX = "instance-";
// Finished spool files (log-spool.ts names them <time>-<seq>-<pid>-<count>.jsonl).
const SPOOL_FILE = /^\d{13}-\d{6}-\d+-\d+\.jsonl$/;

/**
 * The spool directory of this instance. Several instances started from one directory (one data
 * directory, one DATABASE_URL) must never share a spool, and one that restarts must find what it
 * left. So each holds a slot `<root>/instance-<id>` by a lock file naming its pid and host:
 * INSTANCE_ID names the slot; without it the instance takes the lowest-numbered slot no live
 * process holds. A slot whose holder has died (same host, its pid gone or the machine rebooted)
 * is free again; a slot held from another host is never taken. Then the instance adopts what
 * dead instances left in other slots (and spool files from before slots, directly in `root`),
 * moving their files into its own spool, so the next instance to start replays them whichever
 * slot it got. An explicit LOG_SPOOL_DIR is the caller's: used as it is, yet locked all the same.
 * Throws, saying what to change, when the directory asked for is held by a live process.
 */
export function claimSpoolSlot(options: { root: string; instanceId?: string; explicitDirectory?: string }): SpoolSlot {
  if (options.explicitDirectory) {
    return claimOrExplain(options.explicitDirectory, (owner) => `LOG_SPOOL_DIR ${options.explicitDirectory} is in use by ${describe(owner)}: every instance needs a spool of its own. Give each its own LOG_SPOOL_DIR, or unset it (each instance then takes its own under the data directory).`);
  }
  const { root, instanceId } = options;
  const slot = instanceId
    ? claimOrExplain(join(root, SLOT_PREFIX + instanceId), (owner) => `INSTANCE_ID ${instanceId} is in use by ${describe(owner)}: give each instance its own INSTANCE_ID, or unset it (each instance then takes a free slot).`)
    : lowestFreeSlot(root);
  adoptLeftovers(root, slot.directory);
  return {
    directory: slot.directory,
    release() {
      slot.release();
      removeIfEmpty(root); // the database's spools, when no instance has anything left in them
    },
  };
}

function claimOrExplain(directory: string, explain: (owner: LockOwner) => string): SpoolSlot {
  const claimed = tryClaim(directory);
  if ("heldBy" in claimed) throw new Error(explain(claimed.heldBy));
  return claimed;
}

function lowestFreeSlot(root: string): SpoolSlot {
  for (let n = 0; ; n++) {
    const claimed = tryClaim(join(root, `${SLOT_PREFIX}${n}`));
    if (!("heldBy" in claimed)) return claimed;
  }
}

/**
 * Lock files are `owner.<generation>.lock`, the newest generation counting. Taking a free or dead
 * slot creates the next generation's file whole (written aside, then hard-linked into place, which
 * fails if it exists), so of two processes taking the same dead slot at once exactly one wins.
 * The winner then looks again: a live holder's lock beside its own (another process that took the
 * slot, released it and saw it taken anew in between) makes it step back, so at most one holds it.
 */
function tryClaim(directory: string): SpoolSlot | { heldBy: LockOwner } {
  for (;;) {
    mkdirSync(directory, { recursive: true }); // again: a slot released meanwhile is removed
    const newest = readLocks(directory).at(-1);
    if (newest && isAlive(newest.owner)) return { heldBy: newest.owner };
    const generation = (newest?.generation ?? 0) + 1;
    const lock = join(directory, `owner.${generation}.lock`);
    if (!createWhole(lock, JSON.stringify(currentOwner()))) continue; // taken meanwhile: look again
    const others = readLocks(directory).filter((other) => other.generation !== generation);
    const rival = others.find((other) => isAlive(other.owner));
    if (rival) {
      rmSync(lock, { force: true });
      return { heldBy: rival.owner };
    }
    for (const dead of others) rmSync(join(directory, `owner.${dead.generation}.lock`), { force: true });
    return { directory, release: () => releaseSlot(directory, lock) };
  }
}

function releaseSlot(directory: string, lock: string): void {
  rmSync(lock, { force: true });
  removeIfEmpty(directory); // spool files left there wait for the next instance
}

function removeIfEmpty(directory: string): void {
  try {
    rmdirSync(directory);
  } catch {
    // not empty (or gone already)
  }
}

/** Moves the spool files of dead instances' slots, and of the layout before slots, into `into`. */
function adoptLeftovers(root: string, into: string): void {
  moveSpoolFiles(root, into);
  for (const name of readdirSync(root)) {
    const directory = join(root, name);
    if (!name.startsWith(SLOT_PREFIX) || directory === into) continue;
    const claimed = tryClaim(directory);
    if ("heldBy" in claimed) continue;
    moveSpoolFiles(directory, into);
    claimed.release();
  }
}

function moveSpoolFiles(from: string, into: string): void {
  for (const name of readdirSync(from)) {
    if (name.endsWith(".jsonl.tmp")) rmSync(join(from, name), { force: true }); // a write cut short: never acknowledged
    if (!SPOOL_FILE.test(name)) continue;
    try {
      renameSync(join(from, name), join(into, name));
    } catch {
      // taken by another instance adopting at the same time
    }
  }
}

/** The directory's locks, oldest generation first. */
function readLocks(directory: string): Array<{ generation: number; owner: LockOwner }> {
  const generations = readdirSync(directory).flatMap((name) => {
    const match = LOCK_FILE.exec(name);
    return match ? [Number(match[1])] : [];
  });
  return generations
    .sort((x, y) => x - y)
    .map((generation) => {
      try {
        return { generation, owner: JSON.parse(readFileSync(join(directory, `owner.${generation}.lock`), "utf8")) as LockOwner };
      } catch {
        // Removed meanwhile (its holder released it): nobody's.
        return { generation, owner: { pid: 0, hostname: hostname(), bootId: null, startedAt: "" } };
      }
    });
}

/** False only when the holder is known to be gone: a lock from another host always counts as live. */
function isAlive(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return true;
  const boot = bootId();
  if (boot && owner.bootId && owner.bootId !== boot) return false;
  // Our own pid in a lock we did not just take: a previous life of this pid (a container's pid 1).
  if (!Number.isInteger(owner.pid) || owner.pid <= 0 || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, another user's
  }
}

function currentOwner(): LockOwner {
  return { pid: process.pid, hostname: hostname(), bootId: bootId(), startedAt: new Date().toISOString() };
}

let cachedBootId: string | null | undefined;

function bootId(): string | null {
  if (cachedBootId === undefined) {
    const file = "/proc/sys/kernel/random/boot_id";
    cachedBootId = existsSync(file) ? readFileSync(file, "utf8").trim() : null;
  }
  return cachedBootId;
}

/** Creates `file` with `text`, whole or not at all; false when it exists already, or its directory went away. */
function createWhole(file: string, text: string): boolean {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    writeFileSync(aside, text);
    linkSync(aside, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOENT") return false;
    throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}

function describe(owner: LockOwner): string {
  return `process ${owner.pid} on ${owner.hostname} (since ${owner.startedAt})`;
}
