/** Sums of float prices carry noise (0.1 + 0.2); 12 decimals is far below any token's price. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e12) / 1e12;
}
