/** Token columns are 32-bit integers on PostgreSQL; one count past this would fail its whole batch. */
export const MAX_TOKEN_COUNT = 2_147_483_647;

/** A whole number from 0 to MAX_TOKEN_COUNT: a token count the database can hold. */
export function isTokenCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_TOKEN_COUNT;
}
