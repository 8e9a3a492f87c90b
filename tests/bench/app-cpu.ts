import { readdirSync, readFileSync } from "node:fs";

export type AppCpuSample = { all: number; main: number; threads: Map<string, number> } | null;

/**
 * CPU seconds the app (this process's child, or the process `appPid` when it has several) has used,
 * in all its threads, in its main thread alone and in each other thread, from /proc; null without
 * /proc. On a shared machine throughput depends on what else runs; CPU per item does not. The main
 * thread's is the serial part; the busiest other thread during a phase is the log writer's write thread.
 */
export function appCpuSeconds(appPid?: number): AppCpuSample {
  const ticks = (statFile: string) => {
    const fields = readFileSync(statFile, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100 a second on Linux)
  };
  try {
    const [pid] = appPid ? [String(appPid)] : readdirSync("/proc/self/task").flatMap((task) => readFileSync(`/proc/self/task/${task}/children`, "utf8").split(" ").filter(Boolean));
    const threads = new Map<string, number>();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        if (tid !== pid) threads.set(tid, ticks(`/proc/${pid}/task/${tid}/stat`));
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return { all: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`), threads };
  } catch {
    return null;
  }
}

/** CPU seconds used between two samples: in all, on the main thread, on the busiest other thread. */
export function cpuUsed(before: AppCpuSample, after: AppCpuSample): { all: number; main: number; busiestOther: number } | null {
  if (!before || !after) return null;
  const busiestOther = Math.max(0, ...[...after.threads].map(([tid, seconds]) => seconds - (before.threads.get(tid) ?? 0)));
  return { all: after.all - before.all, main: after.main - before.main, busiestOther };
}
