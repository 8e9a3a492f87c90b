"use client";

import { useEffect, useState } from "react";

type TimeChartModule = typeof import("./time-chart");

/**
 * recharts is most of the page's script (≈ 300 KB of its 400), so the chart comes in a chunk of
 * its own, asked for as soon as this module runs in the browser, beside the page's data: the
 * tiles, tables and filters are drawn and usable without waiting for it, and the charts as soon
 * as both have arrived. Asked for at mount instead, it waited for hydration (≈ 250 ms later on a
 * loaded machine). Not next/dynamic or React.lazy: a Suspense boundary that has shown its
 * fallback reveals the content no sooner than 300 ms later (React's throttle), which the profile
 * showed as the page's longest wait.
 */
const loading: Promise<TimeChartModule> | null = typeof window === "undefined" ? null : import("./time-chart");

/** The chart's module once its code has loaded, null until then (and on the server). */
export function useTimeChartModule(): TimeChartModule | null {
  const [loaded, setLoaded] = useState<TimeChartModule | null>(null);
  useEffect(() => {
    let mounted = true;
    void loading?.then((module) => mounted && setLoaded(module));
    return () => {
      mounted = false;
    };
  }, []);
  return loaded;
}
