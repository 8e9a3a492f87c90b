"use client";

import { usePathname } from "next/navigation";
import { useCallback } from "react";

/**
 * Changes the query string without a server round trip: Next's router picks up
 * history.pushState/replaceState, so useSearchParams() follows. `push` makes a Back-button step
 * (filters); `replace` does not (the selected node, the open tab).
 */
export function useSearchParamsUpdate() {
  const pathname = usePathname();
  return useCallback(
    (update: (params: URLSearchParams) => void, { mode = "push" }: { mode?: "push" | "replace" } = {}) => {
      const params = new URLSearchParams(window.location.search);
      update(params);
      const query = params.toString();
      const url = query ? `${pathname}?${query}` : pathname;
      if (url === window.location.pathname + window.location.search) return;
      if (mode === "push") window.history.pushState(null, "", url);
      else window.history.replaceState(null, "", url);
    },
    [pathname],
  );
}
