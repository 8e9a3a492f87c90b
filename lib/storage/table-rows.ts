/**
 * Rows for one table, each an array of values in the order of `columns` (the column names): the
 * one form a batch insert takes (insertTables), whatever produced the rows.
 */
export interface TableRows {
  table: string;
  columns: readonly string[];
  rows: readonly (readonly unknown[])[];
}

/**
 * A lone UTF-16 surrogate is legal in a JS string but not in UTF-8 text: SQLite would store bytes
 * that read back as three U+FFFD, and PostgreSQL's JSON parser refuses it (failing the batch on
 * every retry). Both databases store one U+FFFD instead. Native, and 3–4× faster than the regular
 * expression it replaces: every text value of every row passes through here.
 */
export function wellFormed(text: string): string {
  return text.toWellFormed();
}
