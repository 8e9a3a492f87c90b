import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sideBySide, type DiffCell, type DiffRow } from "@/components/trace-compare/side-by-side";

const text = (cell: DiffCell) => cell.segments.map((s) => s.text).join("");
const marked = (cell: DiffCell) => cell.segments.filter((s) => s.changed).map((s) => s.text.trim());
const column = (rows: DiffRow[], side: "left" | "right") => rows.filter((row) => row[side].kind !== "empty").map((row) => text(row[side]));

describe("side-by-side text diff", () => {
  it("unchanged lines face each other; a replaced line faces its replacement with the changed words marked", () => {
    const rows = sideBySide("user:\nPlan a trip to Kyoto\nthanks", "user:\nPlan a short trip to Osaka\nthanks")!;
    expect(rows.map((row) => [row.left.kind, row.right.kind])).toEqual([
      ["same", "same"],
      ["removed", "added"],
      ["same", "same"],
    ]);
    expect(text(rows[1]!.left)).toBe("Plan a trip to Kyoto");
    expect(marked(rows[1]!.left)).toEqual(["Kyoto"]);
    expect(marked(rows[1]!.right)).toEqual(["short", "Osaka"]);
  });

  it("a line only on one side faces an empty cell", () => {
    const rows = sideBySide("one\nthree", "one\ntwo\nthree")!;
    expect(rows.map((row) => [text(row.left), row.right.kind, text(row.right)])).toEqual([
      ["one", "same", "one"],
      ["", "added", "two"],
      ["three", "same", "three"],
    ]);
    expect(rows[1]!.left.kind).toBe("empty");
    expect(sideBySide("", "")).toEqual([]);
    expect(sideBySide("gone", "")!.map((row) => [row.left.kind, row.right.kind])).toEqual([["removed", "empty"]]);
  });

  it("each column reads back as its text, but for a final newline (random texts)", () => {
    const withoutFinalNewline = (t: string) => t.replace(/\n$/, "");
    const lines = fc.array(fc.constantFrom("alpha beta", "gamma", "", "delta epsilon zeta", "beta alpha"), { maxLength: 12 }).map((list) => list.join("\n"));
    fc.assert(
      fc.property(lines, lines, (before, after) => {
        const rows = sideBySide(before, after)!;
        expect(column(rows, "left").join("\n")).toBe(withoutFinalNewline(before));
        expect(column(rows, "right").join("\n")).toBe(withoutFinalNewline(after));
        for (const row of rows) if (row.left.kind === "same") expect(text(row.left)).toBe(text(row.right));
      }),
    );
  });
});
