/**
 * Diagnostics for the Dashboard page (not a benchmark): where the time until the page is complete
 * goes, on a synthetic database (synthetic-database.ts) over its first 30 days. Per visit:
 * navigation and resource timings (which request started when, by what), in-page marks (first
 * tile number, first chart drawn, complete as dashboard-page.ts has it); the server's answer for
 * the page's HTML, chunk by chunk, before the visits; and on request:
 *   --trace PREFIX  a Chrome trace per visit (PREFIX-<run>.json, opens in DevTools) and the
 *                   renderer main thread's busy time, wall and CPU, split by kind of work.
 *   --out PREFIX    a V8 CPU profile per visit (PREFIX-<run>.cpuprofile), summed by script and
 *                   by function.
 *   --html FILE     the page's HTML as the server sends it.
 *
 *   tsx tests/bench/dashboard-page-profile.ts [--rows 20000] [--runs 2] [--db sqlite|postgres] [--trace P] [--out P] [--html F]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Page } from "@playwright/test";
import { mainThreadBusy, summarize } from "./browser-profile";
import { dashboardComplete, openDashboardBench } from "./dashboard-page";
import { BASE_EPOCH_S, withSyntheticDatabase } from "./synthetic-database";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "20000" }, runs: { type: "string", default: "2" }, db: { type: "string", default: "sqlite" }, out: { type: "string" }, trace: { type: "string" }, html: { type: "string" } },
});
const FROM = new Date(BASE_EPOCH_S * 1000);
const TO = new Date(FROM.getTime() + 30 * 86_400_000);

/** In-page marks: DOMContentLoaded, the Requests tile's number, the first chart's marks, complete (dashboard-page.ts). */
const MARKS = `
  window.__marks = {};
  const complete = ${dashboardComplete.toString()};
  const observer = new MutationObserver(() => {
    const m = window.__marks;
    if (!m.tile && /^\\d[\\d,]*$/.test(document.querySelector('[data-tile="Requests"] [data-value]')?.textContent ?? '')) m.tile = performance.now();
    if (!m.chart && document.querySelector('section[data-chart] svg :is(.recharts-bar-rectangle, .recharts-line-curve)')) m.chart = performance.now();
    if (!m.complete && complete()) m.complete = performance.now();
  });
  document.addEventListener('DOMContentLoaded', () => { window.__marks.dcl = performance.now(); });
  observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
`;

async function profileVisit(page: Page, path: string, label: string): Promise<void> {
  const browser = page.context().browser()!;
  if (values.trace) await browser.startTracing(page, { path: `${values.trace}-${label}.json`, categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink.user_timing", "loading", "v8", "toplevel", "disabled-by-default-v8.compile"] });
  const cdp = await page.context().newCDPSession(page);
  if (values.out) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
  }
  const started = performance.now();
  await page.goto(path, { waitUntil: "commit" });
  await page.waitForFunction(() => (window as unknown as { __marks: { complete?: number } }).__marks.complete !== undefined, undefined, { timeout: 60_000, polling: 20 });
  const completeMs = performance.now() - started;
  const profile = values.out ? (await cdp.send("Profiler.stop")).profile : null;
  const trace = values.trace ? await browser.stopTracing() : null;
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    const res = performance.getEntriesByType("resource").map((r) => {
      const e = r as PerformanceResourceTiming;
      return `${e.startTime.toFixed(0).padStart(6)} → ${e.responseEnd.toFixed(0).padStart(6)}  ${(e.transferSize / 1024).toFixed(0).padStart(5)} KB ${e.initiatorType.padEnd(6)} ${e.name.replace(location.origin, "")}`;
    });
    return {
      nav: { requestStart: nav.requestStart, responseStart: nav.responseStart, responseEnd: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, htmlKB: nav.transferSize / 1024 },
      marks: (window as unknown as { __marks: Record<string, number> }).__marks,
      svgNodes: document.querySelectorAll("svg *").length,
      domNodes: document.querySelectorAll("*").length,
      res,
    };
  });
  const round = (_k: string, v: unknown) => (typeof v === "number" ? Math.round(v) : v);
  console.log(`\n===== ${label}: complete ${completeMs.toFixed(0)} ms (node-side clock); DOM ${timing.domNodes} elements, ${timing.svgNodes} in SVG`);
  console.log("navigation:", JSON.stringify(timing.nav, round));
  console.log("in-page marks:", JSON.stringify(timing.marks, round));
  console.log(timing.res.join("\n"));
  if (trace) console.log(mainThreadBusy(JSON.parse(trace.toString("utf8")), "/dashboard"));
  if (profile) {
    console.log(summarize(profile as never));
    writeFileSync(`${values.out}-${label}.cpuprofile`, JSON.stringify(profile));
  }
  await cdp.detach();
}

await withSyntheticDatabase(values.db as "sqlite" | "postgres", Number(values.rows), async ({ url, organizationId }) => {
  const { app, page, path, close } = await openDashboardBench(url, organizationId, { from: FROM, to: TO }, MARKS);
  try {
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    for (let i = 0; i < 4; i++) {
      const t = performance.now();
      const response = await fetch(app.url + path, { headers: { cookie, "accept-encoding": "identity" } });
      const arrivals: string[] = [];
      const chunks: Uint8Array[] = [];
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        chunks.push(chunk);
        arrivals.push(`${(performance.now() - t).toFixed(0)}:${(chunk.length / 1024).toFixed(1)}K`);
      }
      if (values.html) writeFileSync(values.html, Buffer.concat(chunks));
      console.log(`server HTML: ${(performance.now() - t).toFixed(0)} ms, ${(Buffer.concat(chunks).length / 1024).toFixed(0)} KB; chunks arrived at ${arrivals.join(" ")}`);
    }
    await page.goto(path);
    await page.waitForFunction(() => (window as unknown as { __marks: { complete?: number } }).__marks.complete !== undefined, undefined, { timeout: 60_000 });
    for (let run = 0; run < Number(values.runs); run++) await profileVisit(page, path, `#${run}`);
  } finally {
    await close();
  }
});
