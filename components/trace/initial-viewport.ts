import { getViewportForBounds, type Viewport } from "@xyflow/react";
import { NODE_HEIGHT, NODE_WIDTH, type Positions } from "./to-flow-elements";

/** Fit options of the first view and of "Fit view" (F). */
export const FIT_PADDING = 0.12;
export const FIT_MAX_ZOOM = 1.1;
export const MIN_ZOOM = 0.05;
/** Below this zoom a fitted tree is unreadable: the first view shows a node at READABLE_ZOOM instead. */
const LEGIBLE_ZOOM = 0.55;
const READABLE_ZOOM = 0.85;

/**
 * The first view, computed before the canvas mounts so that the cards are drawn once, where they
 * stay (a fit after mounting drew them first at zoom 1, then moved them): the whole tree when it
 * fits legibly, otherwise the node named in the URL, or the top of the tree, at a readable zoom.
 * Same arithmetic as React Flow's fitView and setCenter. Null when nothing is laid out yet. O(n).
 */
export function initialViewport(
  positions: Positions,
  size: { width: number; height: number },
  { focusId, rootId }: { focusId: string | null; rootId: string | null },
): Viewport | null {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const id in positions) {
    const { x, y } = positions[id]!;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + NODE_WIDTH);
    maxY = Math.max(maxY, y + NODE_HEIGHT);
  }
  if (!Number.isFinite(minX) || size.width <= 0 || size.height <= 0) return null;
  const fitted = getViewportForBounds({ x: minX, y: minY, width: maxX - minX, height: maxY - minY }, size.width, size.height, MIN_ZOOM, FIT_MAX_ZOOM, FIT_PADDING);
  if (fitted.zoom >= LEGIBLE_ZOOM) return fitted;
  const anchor = focusId && positions[focusId] ? focusId : rootId;
  const at = anchor ? positions[anchor] : undefined;
  if (!at) return fitted;
  // The node named in the URL sits in the middle; the root sits near the top, its children below it.
  const below = anchor === focusId ? NODE_HEIGHT / 2 : NODE_HEIGHT * 3;
  return { x: size.width / 2 - (at.x + NODE_WIDTH / 2) * READABLE_ZOOM, y: size.height / 2 - (at.y + below) * READABLE_ZOOM, zoom: READABLE_ZOOM };
}
