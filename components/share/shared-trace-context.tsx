"use client";

import { createContext, useContext } from "react";

/** The share link a trace view was opened with: its token, and whether it shares prompts and answers. */
export interface SharedTrace {
  token: string;
  content: boolean;
}

/**
 * Set by the share page around the trace view. Inside it the view is read-only for someone who
 * is not signed in: it loads everything through the link's endpoints (any other call would be a
 * 401, which sends the browser to the login page), and shows no link into the rest of the app.
 */
export const SharedTraceContext = createContext<SharedTrace | null>(null);

/** The share link this view was opened with, or null in the dashboard. */
export function useSharedTrace(): SharedTrace | null {
  return useContext(SharedTraceContext);
}
