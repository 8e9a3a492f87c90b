"use client";

import { createContext, useContext, useSyncExternalStore } from "react";
import type { TraceModel } from "./trace-model";

export type ColorMode = "latency" | "cost";

export interface TraceUiState {
  selectedId: string | null;
  colorMode: ColorMode;
  /** ids matching the search box */
  matchIds: ReadonlySet<string>;
  /** the match the search last jumped to */
  currentMatchId: string | null;
}

export interface TraceUiActions {
  select(id: string | null): void;
  toggleCollapse(id: string): void;
}

/**
 * Selection, search matches and colouring live in this tiny store rather than in node data, so
 * that clicking a card re-renders two cards, not all of them, and the layout never reruns.
 * Each card subscribes to a boolean about itself (useSyncExternalStore with a selector).
 */
export function createTraceUiStore(initial: TraceUiState) {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(patch: Partial<TraceUiState>) {
      state = { ...state, ...patch };
      for (const listener of listeners) listener();
    },
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type TraceUiStore = ReturnType<typeof createTraceUiStore>;

export const TraceUiContext = createContext<{ store: TraceUiStore; actions: TraceUiActions; model: TraceModel } | null>(null);

function useTraceUiContext() {
  const context = useContext(TraceUiContext);
  if (!context) throw new Error("TraceUiContext missing");
  return context;
}

export function useTraceUi<T>(selector: (state: TraceUiState) => T): T {
  const { store } = useTraceUiContext();
  return useSyncExternalStore(store.subscribe, () => selector(store.get()), () => selector(store.get()));
}

export function useTraceActions(): TraceUiActions {
  return useTraceUiContext().actions;
}

/** The trace being shown (a new one when a live trace grows): maxima and bottleneck ids for the cards. */
export function useTraceModel(): TraceModel {
  return useTraceUiContext().model;
}
