import type { TraceModel, TraceViewNode } from "./trace-model";

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
  const texts = searchTexts(model);
  const matches: string[] = [];
  for (let i = 0; i < model.nodes.length; i++) if (words.every((word) => texts[i]!.includes(word))) matches.push(model.nodes[i]!.id);
  return matches;
}

/**
 * The lower-cased text searched for each node of `model.nodes`, built on the first search rather
 * than with the model: opening a trace does not pay for a search that may never come.
 */
const searchIndex = new WeakMap<TraceModel, string[]>();

function searchTexts(model: TraceModel): string[] {
  let texts = searchIndex.get(model);
  if (!texts) {
    texts = model.nodes.map(searchText);
    searchIndex.set(model, texts);
  }
  return texts;
}

function searchText(node: TraceViewNode): string {
  const parts = [node.id, node.label, node.detail];
  for (const attempt of node.attempts) parts.push(attempt.model ?? "", attempt.path, String(attempt.status), attempt.errorReason ?? "", ...Object.values(attempt.properties));
  return parts.join("\u0000").toLowerCase();
}
