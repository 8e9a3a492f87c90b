import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimSpoolSlot } from "@/lib/ingest/writer/spool-slot";

// Several instances started from one directory each get a spool of their own, and what a dead
// one left is replayed by the next to start. Other instances are real processes here: a lock
// counts as held while its process lives.

let root: string;
const running: ChildProcess[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "spool-slot-"));
});
afterEach(() => {
  for (const child of running.splice(0)) child.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

/** A process that stays alive until the test ends: its pid holds a lock. */
function liveProcess(): number {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  running.push(child);
  return child.pid!;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }).stdout.trim());
}

/** A slot as another instance leaves it: its lock and some spool files. */
function slotHeldBy(name: string, pid: number, files: string[] = [], host = hostname()): string {
  const directory = join(root, name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, "owner.1.lock"), JSON.stringify({ pid, hostname: host, bootId: null, startedAt: "2026-12-01T00:00:00.000Z" }));
  for (const file of files) writeFileSync(join(directory, file), "{}\n");
  return directory;
}

const spoolFile = (n: number) => `${1_765_000_000_000 + n}-000000-4242-1.jsonl`;

describe("a spool slot per instance", () => {
  it("takes the lowest slot no live process holds: a dead instance's slot is free again", () => {
    slotHeldBy("instance-0", liveProcess());
    slotHeldBy("instance-1", deadPid());
    const slot = claimSpoolSlot({ root });
    expect(slot.directory).toBe(join(root, "instance-1"));
    slot.release();
  });

  it("adopts what dead instances left (and spool files from before slots), never a live instance's", () => {
    slotHeldBy("instance-0", liveProcess(), [spoolFile(1)]);
    slotHeldBy("instance-3", deadPid(), [spoolFile(2), `${spoolFile(3)}.tmp`]);
    writeFileSync(join(root, spoolFile(4)), "{}\n");
    const slot = claimSpoolSlot({ root });
    expect(slot.directory).toBe(join(root, "instance-1"));
    expect(readdirSync(slot.directory).filter((name) => name.endsWith(".jsonl")).sort()).toEqual([spoolFile(2), spoolFile(4)]);
    expect(readdirSync(join(root, "instance-0"))).toContain(spoolFile(1));
    // The dead slot, emptied, is gone; a write it had cut short (never acknowledged) with it.
    expect(existsSync(join(root, "instance-3"))).toBe(false);
    slot.release();
  });

  it("a slot held from another host is never taken, whatever its pid", () => {
    slotHeldBy("instance-0", deadPid(), [spoolFile(1)], "another-host");
    const slot = claimSpoolSlot({ root });
    expect(slot.directory).toBe(join(root, "instance-1"));
    expect(readdirSync(join(root, "instance-0"))).toContain(spoolFile(1));
    slot.release();
  });

  it("release frees the slot for the next instance, and removes it when nothing waits in it", () => {
    const first = claimSpoolSlot({ root });
    first.release();
    expect(existsSync(first.directory)).toBe(false);
    const second = claimSpoolSlot({ root });
    expect(second.directory).toBe(first.directory);
    writeFileSync(join(second.directory, spoolFile(1)), "{}\n");
    second.release();
    expect(readdirSync(second.directory)).toEqual([spoolFile(1)]);
  });

  it("INSTANCE_ID names the slot; one a live process holds is refused, saying what to change", () => {
    const slot = claimSpoolSlot({ root, instanceId: "eu-1" });
    expect(slot.directory).toBe(join(root, "instance-eu-1"));
    slot.release();
    const pid = liveProcess();
    slotHeldBy("instance-eu-2", pid);
    expect(() => claimSpoolSlot({ root, instanceId: "eu-2" })).toThrow(new RegExp(`INSTANCE_ID eu-2 is in use by process ${pid} on .*: give each instance its own INSTANCE_ID`));
  });

  it("LOG_SPOOL_DIR is used as it is, yet two processes cannot share it", () => {
    const explicit = join(root, "my-spool");
    const slot = claimSpoolSlot({ root: join(root, "unused"), explicitDirectory: explicit });
    expect(slot.directory).toBe(explicit);
    slot.release();
    const pid = liveProcess();
    slotHeldBy("my-spool", pid);
    expect(() => claimSpoolSlot({ root, explicitDirectory: explicit })).toThrow(new RegExp(`LOG_SPOOL_DIR ${explicit} is in use by process ${pid}.*every instance needs a spool of its own`));
  });

  it("processes claiming at the same moment all get different slots", async () => {
    const claimers = 6;
    const script = `import(${JSON.stringify(join(process.cwd(), "lib/ingest/writer/spool-slot.ts"))}).then((m) => { console.log(m.claimSpoolSlot({ root: ${JSON.stringify(root)} }).directory); setInterval(() => {}, 1000); })`;
    const directories = await Promise.all(
      Array.from({ length: claimers }, () => {
        const child = spawn(process.execPath, ["--import", "tsx", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
        running.push(child);
        return new Promise<string>((resolve) => child.stdout!.once("data", (data: Buffer) => resolve(data.toString().trim())));
      }),
    );
    expect(new Set(directories).size).toBe(claimers);
    expect(directories.sort()).toEqual(Array.from({ length: claimers }, (_, n) => join(root, `instance-${n}`)).sort());
  });
});
