import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { LIVE_END_EVENT, LIVE_READY_EVENT, LIVE_REQUEST_EVENT, type LiveReadyEvent } from "@/lib/contracts/live";
import { traceKeys, type TraceResponse } from "./traces";
import { requestKeys } from "./requests";
import type { RequestFilters } from "./request-filters";

/**
 * `connecting`: opening, or reconnecting after a network error (EventSource retries by itself);
 * `live`: open; `ended`: the server ended it for being idle; `failed`: refused (signed out, …).
 */
export type LiveState = "connecting" | "live" | "ended" | "failed";

export interface LiveStream {
  state: LiveState;
  /** opens the stream again after it ended */
  resume(): void;
}

// A busy trace stores many requests a second: the trace is fetched again at most this often.
const TRACE_REFETCH_MIN_INTERVAL_MS = 250;
// The Requests page with auto-refresh on asks again at most once a second, however busy.
const REQUESTS_REFETCH_MIN_INTERVAL_MS = 1_000;

/**
 * The open trace view follows its trace: fetched again as its requests are stored (metrics and
 * critical path come with it). On opening, only if the stream's count of requests differs from
 * the trace the view has: a large trace is not fetched twice to watch it.
 */
export function useLiveTrace(traceId: string): LiveStream {
  const client = useQueryClient();
  const upToDate = useCallback(
    ({ requestCount }: LiveReadyEvent) => {
      const trace = client.getQueryData<TraceResponse>(traceKeys.detail(traceId));
      return trace !== undefined && requestCount === trace.nodes.reduce((count, node) => count + node.requests.length, 0);
    },
    [client, traceId],
  );
  return useLiveRefetch(`/api/v1/traces/${encodeURIComponent(traceId)}/events`, traceKeys.detail(traceId), {
    enabled: true,
    minIntervalMs: TRACE_REFETCH_MIN_INTERVAL_MS,
    resumeWhenVisible: false,
    upToDate,
  });
}

/**
 * The Requests page's auto-refresh: the list is fetched again as the organization's requests are
 * stored. An idle stream the server ended opens again while the page is visible, so auto-refresh
 * stays on for whoever looks; a hidden tab's waits until it is shown.
 */
export function useLiveRequests(filters: RequestFilters, enabled: boolean): LiveStream {
  return useLiveRefetch("/api/v1/requests/events", requestKeys.list(filters), {
    enabled,
    minIntervalMs: REQUESTS_REFETCH_MIN_INTERVAL_MS,
    resumeWhenVisible: true,
  });
}

interface LiveRefetchOptions {
  enabled: boolean;
  minIntervalMs: number;
  /** reopen a stream the server ended for being idle, whenever the page is visible */
  resumeWhenVisible: boolean;
  /** for a stream that sends `ready`: whether the data is current as it says (else it is fetched again) */
  upToDate?: (ready: LiveReadyEvent) => boolean;
}

/**
 * Keeps `queryKey` fresh from a live stream of stored requests (Server-Sent Events): each event,
 * and each (re)opening (something may have been stored while no stream was open) unless the
 * stream's `ready` shows the data current, fetches the query again; events arriving meanwhile are
 * coalesced into one more fetch, at most one per `minIntervalMs`. Data is replaced in place
 * (react-query keeps what did not change), so the view keeps its own state.
 */
function useLiveRefetch(path: string, queryKey: QueryKey, options: LiveRefetchOptions): LiveStream {
  const { enabled, minIntervalMs, resumeWhenVisible, upToDate } = options;
  const refetch = useCoalescedRefetch(queryKey, minIntervalMs);
  // Each opening of the stream is numbered; what is known of an opening not heard from yet is "connecting".
  const [opening, setOpening] = useState(0);
  const [heard, setHeard] = useState<{ opening: number; state: LiveState }>({ opening: -1, state: "connecting" });
  const resume = useCallback(() => setOpening((n) => n + 1), []);
  const state = heard.opening === opening ? heard.state : "connecting";

  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource(path);
    const hear = (next: LiveState) => setHeard({ opening, state: next });
    source.onopen = () => {
      hear("live");
      if (!upToDate) refetch();
    };
    if (upToDate) {
      source.addEventListener(LIVE_READY_EVENT, (event) => {
        if (!upToDate(JSON.parse((event as MessageEvent<string>).data) as LiveReadyEvent)) refetch();
      });
    }
    source.addEventListener(LIVE_REQUEST_EVENT, refetch);
    source.addEventListener(LIVE_END_EVENT, () => {
      source.close();
      if (resumeWhenVisible && document.visibilityState === "visible") resume();
      else hear("ended");
    });
    // While EventSource retries after a network error it stays CONNECTING; a refusal (401) closes it.
    source.onerror = () => hear(source.readyState === EventSource.CLOSED ? "failed" : "connecting");
    return () => source.close();
  }, [path, enabled, opening, refetch, resumeWhenVisible, resume, upToDate]);

  useEffect(() => {
    if (!enabled || !resumeWhenVisible || state !== "ended") return;
    const onVisible = () => {
      if (document.visibilityState === "visible") resume();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [enabled, resumeWhenVisible, state, resume]);

  return { state: enabled ? state : "ended", resume };
}

/** A function that fetches `queryKey` again: never two fetches at once, at most one per `minIntervalMs`, none lost. */
function useCoalescedRefetch(queryKey: QueryKey, minIntervalMs: number): () => void {
  const client = useQueryClient();
  const key = useRef(queryKey);
  useEffect(() => {
    key.current = queryKey;
  });
  const run = useRef({ fetching: false, again: false, lastStartMs: Number.NEGATIVE_INFINITY, timer: null as ReturnType<typeof setTimeout> | null });
  useEffect(() => {
    const current = run.current;
    return () => {
      if (current.timer) clearTimeout(current.timer);
      current.timer = null;
      current.again = false;
    };
  }, []);

  return useCallback(() => {
    const current = run.current;
    const start = () => {
      current.timer = null;
      current.again = false;
      current.fetching = true;
      current.lastStartMs = performance.now();
      void client.refetchQueries({ queryKey: key.current, exact: true }).finally(() => {
        current.fetching = false;
        if (current.again) schedule();
      });
    };
    const schedule = () => {
      const wait = current.lastStartMs + minIntervalMs - performance.now();
      if (wait <= 0) start();
      else current.timer = setTimeout(start, wait);
    };
    if (current.fetching || current.timer) current.again = true;
    else schedule();
  }, [client, minIntervalMs]);
}
