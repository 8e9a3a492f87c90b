/** Sums of float prices carry noise (0.1 + 0.2); 12 decimals is far below any token's price. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e12) / 1e12;
}

/**
 * Costs as whole pico-dollars (10⁻¹² USD), the precision roundUsd keeps: a stored cost converts
 * without loss, and sums of them are exact and independent of order, so totals kept in pieces
 * (per time bucket, per batch) add up to exactly the total over all rows. bigint, because a
 * total past $9,007 would leave a double's exact integers (a 64-bit column holds $9.2 million).
 */
export type PicoUsd = bigint;

const PICO_PER_USD = 1e12;

/** Exact for any stored cost (roundUsd's 12 decimals) up to $1,000, far above one call's price. */
export function usdToPico(usd: number): PicoUsd {
  return BigInt(Math.round(usd * PICO_PER_USD));
}

/** USD for the API: the double nearest the exact total (below $9,007), as roundUsd would give it. */
export function picoToUsd(pico: PicoUsd): number {
  return Number(pico) / PICO_PER_USD;
}
