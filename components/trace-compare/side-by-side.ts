import { diffLines, diffWordsWithSpace } from "diff";

/**
 * Two texts as rows of a side-by-side diff, from jsdiff's line diff: unchanged lines face each
 * other; a run of removed lines faces the run of added lines that replaced it, pair by pair, with
 * the words that differ marked; a line with no counterpart faces an empty cell. Reading every
 * non-empty left cell, a line each, gives back `before` (but for a final newline), every right
 * cell `after`. Pure: the view renders the segments as text.
 */
export interface Segment {
  text: string;
  /** removed (left) or added (right) within a changed line */
  changed: boolean;
}

export interface DiffCell {
  kind: "same" | "removed" | "added" | "empty";
  segments: Segment[];
}

export interface DiffRow {
  left: DiffCell;
  right: DiffCell;
}

/** Beyond this many differing lines, or this long, the texts are shown apart rather than aligned. */
const MAX_EDIT_LENGTH = 4_000;
const TIMEOUT_MS = 300;

const EMPTY: DiffCell = { kind: "empty", segments: [] };
const whole = (kind: DiffCell["kind"], text: string): DiffCell => ({ kind, segments: [{ text, changed: false }] });

/** The rows, or null when the texts are too far apart to align within the budget. */
export function sideBySide(before: string, after: string): DiffRow[] | null {
  const changes = diffLines(before, after, { maxEditLength: MAX_EDIT_LENGTH, timeout: TIMEOUT_MS });
  if (!changes) return null;
  const rows: DiffRow[] = [];
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i]!;
    const lines = linesOf(change.value);
    if (!change.added && !change.removed) {
      for (const line of lines) rows.push({ left: whole("same", line), right: whole("same", line) });
    } else if (change.removed) {
      const next = changes[i + 1];
      const added = next?.added ? linesOf(next.value) : [];
      if (next?.added) i++;
      for (let k = 0; k < Math.max(lines.length, added.length); k++) rows.push(pairRow(lines[k], added[k]));
    } else {
      for (const line of lines) rows.push({ left: EMPTY, right: whole("added", line) });
    }
  }
  return rows;
}

function pairRow(removed: string | undefined, added: string | undefined): DiffRow {
  if (removed === undefined) return { left: EMPTY, right: whole("added", added!) };
  if (added === undefined) return { left: whole("removed", removed), right: EMPTY };
  const left: Segment[] = [];
  const right: Segment[] = [];
  for (const part of diffWordsWithSpace(removed, added)) {
    if (!part.added) left.push({ text: part.value, changed: part.removed });
    if (!part.removed) right.push({ text: part.value, changed: part.added });
  }
  return { left: { kind: "removed", segments: left }, right: { kind: "added", segments: right } };
}

/** A change's lines; the newline that ends each one is the row break, not text. */
function linesOf(value: string): string[] {
  const lines = value.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
