/**
 * Rows for one table, each an array of values in the order of `columns` (the column names): the
 * one form a batch insert takes (insertTables), whatever produced the rows.
 */
export interface TableRows {
  table: string;
  columns: readonly string[];
  rows: readonly (readonly unknown[])[];
}

// A lone UTF-16 surrogate is legal in a JS string but not in UTF-8 text: SQLite would store bytes
// that read back as three U+FFFD, and PostgreSQL's JSON parser refuses it (failing the batch on
// every retry). Both databases store one U+FFFD instead.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD");
}
