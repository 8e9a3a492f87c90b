/**
 * What a page visit's diagnostics print (trace-view-profile.ts, dashboard-page-profile.ts): a V8
 * CPU profile summed by script and by function, and a Chrome trace's renderer main thread from the
 * navigation on (wall and CPU, the CPU by kind of work, the long tasks). On a shared, loaded
 * machine wall time is mostly waiting for a core; compare CPU.
 */
export interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }

/** Self time by script and by function, the largest first. */
export function summarize(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  const byUrl = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    const url = f.url.replace(/^https?:\/\/[^/]+/, "") || "(" + f.functionName + ")";
    byUrl.set(url, (byUrl.get(url) ?? 0) + ms);
    const fn = `${f.functionName || "(anon)"} ${url}:${f.lineNumber}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + ms);
  }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${v.toFixed(0).padStart(6)} ms  ${k}`).join("\n");
  return `-- self time by script --\n${top(byUrl, 15)}\n-- self time by function --\n${top(byFn, 30)}`;
}

export interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { data?: { url?: string } } }

/** What the main thread's CPU went to, by trace event (exclusive time: a task minus what ran inside it). */
const CPU_CLASSES: [string, RegExp][] = [
  ["JS compile (lazy parse + bytecode)", /^V8\.(ParseFunction|CompileCode|CompileIgnition|CompileIgnitionFinalization|PreParse|CollectSourcePositions|ParseProgram|CompileLazy)$|^FlushInstructionCache$/],
  ["style + layout", /^(UpdateLayoutTree|Layout|PrePaint|HitTest)$/],
  ["paint", /^(Paint|Commit|UpdateLayer)$/],
  ["GC", /GC|Scavenge|MarkCompact/i],
  ["HTML parse", /^ParseHTML$/],
];

/**
 * The page's main thread from the navigation to `pageUrlPart` on: the sum of its outermost tasks,
 * wall and CPU, the CPU by kind of work, and the tasks longer than 30 ms (start+wall, ms).
 */
export function mainThreadBusy(trace: { traceEvents: TraceEvent[] }, pageUrlPart: string): string {
  const events = trace.traceEvents;
  const start = events.find((e) => e.name === "ResourceSendRequest" && e.args?.data?.url?.includes(pageUrlPart))?.ts ?? 0;
  const scripts = new Map<string, number>();
  for (const e of events) if (e.name === "EvaluateScript") scripts.set(`${e.pid}:${e.tid}`, (scripts.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const main = [...scripts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const mine = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === "X" && e.ts >= start).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const tasks = mine.filter((e) => e.name === "ThreadControllerImpl::RunTask");
  const longTasks: string[] = [];
  let wall = 0;
  let cpu = 0;
  let end = -1;
  for (const task of tasks) {
    if (task.ts < end) continue;
    wall += task.dur ?? 0;
    cpu += task.tdur ?? 0;
    end = task.ts + (task.dur ?? 0);
    if ((task.dur ?? 0) > 30_000) longTasks.push(`${((task.ts - start) / 1000).toFixed(0)}+${((task.dur ?? 0) / 1000).toFixed(0)}`);
  }
  const byClass = new Map<string, number>();
  const open: { end: number; event: TraceEvent; self: number }[] = [];
  const close = (frame: { event: TraceEvent; self: number }) => {
    const name = CPU_CLASSES.find(([, pattern]) => pattern.test(frame.event.name))?.[0] ?? "JS and the rest";
    byClass.set(name, (byClass.get(name) ?? 0) + frame.self);
  };
  for (const e of mine) {
    if (e.tdur === undefined) continue;
    while (open.length > 0 && open.at(-1)!.end <= e.ts) close(open.pop()!);
    if (open.length > 0) open.at(-1)!.self -= e.tdur;
    open.push({ end: e.ts + (e.dur ?? 0), event: e, self: e.tdur });
  }
  while (open.length > 0) close(open.pop()!);
  const split = [...byClass].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}`).join(", ");
  return `renderer main thread busy: ${(wall / 1000).toFixed(0)} ms wall, ${(cpu / 1000).toFixed(0)} ms CPU (${split})\nlong tasks (start+wall ms): ${longTasks.join(" ")}`;
}
