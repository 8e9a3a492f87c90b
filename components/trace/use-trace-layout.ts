"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { buildFlowElements, layoutInputs, layoutPositions, type Positions } from "./to-flow-elements";
import type { TraceModel } from "./trace-model";

/** Above this many cards the layout runs in a Web Worker; below it a worker's start-up costs more than it saves. */
export const WORKER_LAYOUT_THRESHOLD = 400;

interface Laid {
  collapsed: ReadonlySet<string>;
  positions: Positions;
}

/**
 * React Flow elements for the shown part of the trace. Layout is memoized on (trace, folds), so
 * selecting, searching or recolouring never lays out again; big layouts go to a worker and the
 * previous picture stays up (with `laying out` set) until the new one is ready.
 */
export function useTraceLayout(model: TraceModel, collapsed: ReadonlySet<string>) {
  const inputs = useMemo(() => layoutInputs(model, collapsed), [model, collapsed]);
  const inWorker = inputs.length > WORKER_LAYOUT_THRESHOLD && typeof Worker !== "undefined";
  const sync = useMemo<Laid | null>(() => (inWorker ? null : { collapsed, positions: layoutPositions(inputs) }), [inWorker, inputs, collapsed]);

  const [fromWorker, setFromWorker] = useState<Laid | null>(null);
  const [pendingCount, setPendingCount] = useState(0);
  const worker = useRef<Worker | null>(null);
  const latestRequest = useRef(0);
  useEffect(() => {
    if (!inWorker) return;
    worker.current ??= new Worker(new URL("./trace-layout.worker.ts", import.meta.url));
    const requestId = ++latestRequest.current;
    setPendingCount(inputs.length);
    const onMessage = (event: MessageEvent<{ requestId: number; positions: Positions }>) => {
      if (event.data.requestId !== latestRequest.current) return;
      setFromWorker({ collapsed, positions: event.data.positions });
      setPendingCount(0);
    };
    worker.current.addEventListener("message", onMessage);
    worker.current.postMessage({ requestId, items: inputs });
    return () => worker.current?.removeEventListener("message", onMessage);
  }, [inWorker, inputs, collapsed]);
  useEffect(() => () => worker.current?.terminate(), []);

  const laid = sync ?? fromWorker;
  const elements = useMemo(() => (laid ? buildFlowElements(model, laid.collapsed, laid.positions) : { nodes: [], edges: [] }), [model, laid]);
  return { ...elements, positions: laid?.positions ?? null, layingOut: inWorker ? pendingCount : 0 };
}
