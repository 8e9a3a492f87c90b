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
import { mainThreadBusy, summarize } from "./browser-profile";
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
  if (trace) console.log(mainThreadBusy(JSON.parse(trace.toString("utf8")), `/traces/${traceId}`));
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
