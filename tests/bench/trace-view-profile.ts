/**
 * Diagnostics for the trace view (not a benchmark): where the time until "interactive" goes, on
 * the same traces and steps as trace-view.ts. Per visit: navigation and resource timings (which
 * request started when, and by what: `link` is the page's preload), in-page marks (first card inserted and
 * painted, details panel) and, on request:
 *   --trace PREFIX  a Chrome trace per visit (PREFIX-<case>#<run>.json, opens in DevTools), and the
 *                   renderer main thread's busy time: wall and CPU (thread time), the CPU split
 *                   into JS compile, style + layout, paint, GC and the rest. On a shared, loaded
 *                   machine wall time is mostly waiting for a core; compare CPU.
 *   --out PREFIX    a V8 CPU profile per visit (PREFIX-<case>#<run>.cpuprofile), summed by script
 *                   and by function.
 *   --html FILE     the page's HTML as the server sends it.
 *
 *   tsx tests/bench/trace-view-profile.ts [--case deep|2k|10k ...] [--runs 1] [--trace P] [--out P]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Page } from "@playwright/test";
import { startTraceViewBench, TRACE_CASES, type TraceCaseName } from "./trace-view-setup";

const { values } = parseArgs({ options: { case: { type: "string", multiple: true }, runs: { type: "string", default: "1" }, out: { type: "string" }, trace: { type: "string" }, html: { type: "string" } } });
const MARKS = `
  window.__marks = {};
  const observer = new MutationObserver(() => {
    const m = window.__marks;
    if (!m.card && document.querySelector('.react-flow__node')) { m.card = performance.now(); requestAnimationFrame(() => setTimeout(() => { m.cardPainted = performance.now(); })); }
    if (!m.panel && document.querySelector('aside[aria-label="Node details"], [role=complementary][aria-label="Node details"]')) m.panel = performance.now();
    if (!m.loading && document.body && document.body.textContent.includes('Loading trace')) m.loading = performance.now();
  });
  document.addEventListener('DOMContentLoaded', () => { window.__marks.dcl = performance.now(); });
  observer.observe(document, { childList: true, subtree: true });
`;

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }

function summarize(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }) {
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

interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { data?: { url?: string } } }

/** What the main thread's CPU went to, by trace event (exclusive time: a task minus what ran inside it). */
const CPU_CLASSES: [string, RegExp][] = [
  ["JS compile (lazy parse + bytecode)", /^V8\.(ParseFunction|CompileCode|CompileIgnition|CompileIgnitionFinalization|PreParse|CollectSourcePositions|ParseProgram|CompileLazy)$|^FlushInstructionCache$/],
  ["style + layout", /^(UpdateLayoutTree|Layout|PrePaint|HitTest)$/],
  ["paint", /^(Paint|Commit|UpdateLayer)$/],
  ["GC", /GC|Scavenge|MarkCompact/i],
  ["HTML parse", /^ParseHTML$/],
];

/** The page's main thread from the navigation on: the sum of its outermost tasks, wall and CPU, and the CPU by kind of work. */
function mainThreadBusy(trace: { traceEvents: TraceEvent[] }, traceId: string): string {
  const events = trace.traceEvents;
  const start = events.find((e) => e.name === "ResourceSendRequest" && e.args?.data?.url?.includes(`/traces/${traceId}`))?.ts ?? 0;
  const scripts = new Map<string, number>();
  for (const e of events) if (e.name === "EvaluateScript") scripts.set(`${e.pid}:${e.tid}`, (scripts.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const main = [...scripts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const mine = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === "X" && e.ts >= start).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const tasks = mine.filter((e) => e.name === "ThreadControllerImpl::RunTask");
  let wall = 0;
  let cpu = 0;
  let end = -1;
  for (const task of tasks) {
    if (task.ts < end) continue;
    wall += task.dur ?? 0;
    cpu += task.tdur ?? 0;
    end = task.ts + (task.dur ?? 0);
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
  return `renderer main thread busy: ${(wall / 1000).toFixed(0)} ms wall, ${(cpu / 1000).toFixed(0)} ms CPU (${split})`;
}

async function profileVisit(page: Page, traceId: string, label: string) {
  if (values.trace) await page.context().browser()!.startTracing(page, { path: `${values.trace}-${label}.json`, categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink.user_timing", "loading", "v8", "toplevel", "disabled-by-default-v8.compile"] });
  const cdp = await page.context().newCDPSession(page);
  if (values.out) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  const started = performance.now();
  await page.goto(`/traces/${traceId}`, { waitUntil: "commit" });
  await page.locator(".react-flow__node").first().waitFor({ state: "visible", timeout: 30_000 });
  const firstCardMs = performance.now() - started;
  await page.locator(`[data-node-id="${traceId}"]`).click({ timeout: 30_000 });
  await page.getByRole("complementary", { name: "Node details" }).waitFor({ state: "visible", timeout: 30_000 });
  const interactiveMs = performance.now() - started;
  const profile = values.out ? (await cdp.send("Profiler.stop")).profile : null;
  const trace = values.trace ? await page.context().browser()!.stopTracing() : null;
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    const res = performance.getEntriesByType("resource").map((r) => {
      const e = r as PerformanceResourceTiming;
      return `${e.startTime.toFixed(0).padStart(6)} → ${e.responseEnd.toFixed(0).padStart(6)}  ${(e.transferSize / 1024).toFixed(0).padStart(5)} KB ${e.initiatorType.padEnd(6)} ${e.name.replace(location.origin, "")}`;
    });
    return {
      nav: { requestStart: nav.requestStart, responseStart: nav.responseStart, responseEnd: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, transferKB: nav.transferSize / 1024 },
      marks: (window as unknown as { __marks: Record<string, number> }).__marks,
      res,
    };
  });
  console.log(`\n===== ${label}: first card ${firstCardMs.toFixed(0)} ms, interactive ${interactiveMs.toFixed(0)} ms (node-side clock)`);
  console.log("navigation:", JSON.stringify(timing.nav, (_k, v) => (typeof v === "number" ? Math.round(v) : v)));
  console.log("in-page marks:", JSON.stringify(timing.marks, (_k, v) => (typeof v === "number" ? Math.round(v) : v)));
  console.log(timing.res.join("\n"));
  if (trace) console.log(mainThreadBusy(JSON.parse(trace.toString("utf8")), traceId));
  if (profile) {
    console.log(summarize(profile as never));
    writeFileSync(`${values.out}-${label}.cpuprofile`, JSON.stringify(profile));
  }
  await cdp.detach();
}

const chosen = (values.case ?? ["deep", "2k"]) as TraceCaseName[];
const bench = await startTraceViewBench("prof-trace-view-", ["deep", ...chosen]);
try {
  const { app, context } = bench;
  await context.addInitScript(MARKS);
  const login = await context.newPage();
  await login.goto(`/traces/bench-deep`);
  await login.locator(".react-flow__node").first().waitFor();
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  await login.close();
  for (const path of ["/traces/bench-deep", "/api/v1/traces/bench-deep", ...chosen.map((n) => `/api/v1/traces/${TRACE_CASES[n].traceId}`)]) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const r = await fetch(app.url + path, { headers: { cookie } });
      await r.arrayBuffer();
      times.push(performance.now() - t);
    }
    console.log(`server ${path}: ${times.map((t) => t.toFixed(0)).join(" ")} ms`);
    if (path.startsWith("/traces/") && values.html) writeFileSync(values.html, await (await fetch(app.url + path, { headers: { cookie } })).text());
  }
  for (const name of chosen) {
    for (let run = 0; run < Number(values.runs); run++) {
      const page = await context.newPage();
      await profileVisit(page, TRACE_CASES[name].traceId, `${name}#${run}`);
      await page.close();
    }
  }
} finally {
  await bench.close();
}
