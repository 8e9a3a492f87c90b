/** Set by proxy.ts on every page request: the path and query the browser asked for. */
export const RETURN_PATH_HEADER = "x-tracewell-return-path";
