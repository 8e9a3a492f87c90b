import type { TraceModel } from "./trace-model";

export type NavKey = "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight" | "Home";

/**
 * Where a key moves the selection. In the tree (laid out top-down): ↑ parent, ↓ first child,
 * ←/→ previous/next sibling. In the timeline (a list): ↑/↓ previous/next row, ← parent,
 * → first child. `unfold` is true when the move needs the current node's subtree shown first.
 * Pure, for unit tests.
 */
export function navigate(
  model: TraceModel,
  rows: readonly string[],
  currentId: string | null,
  key: NavKey,
  layout: "tree" | "timeline",
): { id: string; unfold: boolean } | null {
  if (model.rootIds.length === 0) return null;
  const current = currentId ? model.byId.get(currentId) : undefined;
  if (!current || key === "Home") return { id: model.rootIds[0]!, unfold: false };
  const siblings = current.parentId ? (model.byId.get(current.parentId)?.childIds ?? model.rootIds) : model.rootIds;
  const at = siblings.indexOf(current.id);
  const parent = current.parentId && model.byId.has(current.parentId) ? current.parentId : null;
  const firstChild = current.childIds[0] ?? null;

  const down = layout === "tree" ? "ArrowDown" : "ArrowRight";
  const up = layout === "tree" ? "ArrowUp" : "ArrowLeft";
  if (key === down) return firstChild ? { id: firstChild, unfold: true } : null;
  if (key === up) return parent ? { id: parent, unfold: false } : null;
  if (layout === "tree") {
    if (key === "ArrowLeft") return at > 0 ? { id: siblings[at - 1]!, unfold: false } : null;
    if (key === "ArrowRight") return at < siblings.length - 1 ? { id: siblings[at + 1]!, unfold: false } : null;
    return null;
  }
  const row = rows.indexOf(current.id);
  if (key === "ArrowUp") return row > 0 ? { id: rows[row - 1]!, unfold: false } : null;
  if (key === "ArrowDown") return row >= 0 && row < rows.length - 1 ? { id: rows[row + 1]!, unfold: false } : null;
  return null;
}

/** Ids whose node matches every word of the query (label, id, model, status, properties, error). */
export function searchTrace(model: TraceModel, query: string): string[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const matches: string[] = [];
  for (const node of model.nodes) if (words.every((word) => node.searchText.includes(word))) matches.push(node.id);
  return matches;
}
