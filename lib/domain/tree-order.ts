/**
 * Depth-first order, parents before children, siblings in their given order. Iterative, so a
 * 10,000-level chain cannot overflow the stack; O(n).
 */
export function depthFirstOrder<N extends { childIds: readonly string[] }>(byId: ReadonlyMap<string, N>, rootIds: readonly string[]): N[] {
  const ordered: N[] = [];
  const stack = [...rootIds].reverse();
  while (stack.length > 0) {
    const node = byId.get(stack.pop()!)!;
    ordered.push(node);
    for (let i = node.childIds.length - 1; i >= 0; i--) stack.push(node.childIds[i]!);
  }
  return ordered;
}
