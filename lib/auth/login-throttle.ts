/**
 * Failed dashboard sign-ins per e-mail address: after MAX_FAILURES within WINDOW_MS, further
 * attempts for that address are refused without checking the password until the oldest failure
 * leaves the window, so a password cannot be guessed at the speed the server can hash. A success
 * clears the address's count. Per address, not per IP: guesses spread over many IPs still count.
 */
import { LRUCache } from "lru-cache";
import { processSingleton } from "../shared/process-slot";

const MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60_000;
const MAX_TRACKED = 10_000;

// One per process: module copies in Next's bundles (route handler, server action) share one count.
// An address is forgotten once its last failure has left the window, or when it is the one idle
// longest among MAX_TRACKED.
const failures = () => processSingleton("login-failures", () => new LRUCache<string, number[]>({ max: MAX_TRACKED, ttl: WINDOW_MS }));

/** Seconds until this address may try again, or null when it may try now. */
export function loginBlockedFor(email: string, now = Date.now()): number | null {
  const recent = recentFailures(email, now);
  if (recent.length < MAX_FAILURES) return null;
  return Math.ceil((recent[0]! + WINDOW_MS - now) / 1000);
}

export function recordLoginFailure(email: string, now = Date.now()): void {
  failures().set(keyOf(email), [...recentFailures(email, now), now]);
}

export function recordLoginSuccess(email: string): void {
  failures().delete(keyOf(email));
}

function recentFailures(email: string, now: number): number[] {
  return (failures().get(keyOf(email)) ?? []).filter((at) => at > now - WINDOW_MS);
}

function keyOf(email: string): string {
  return email.trim().toLowerCase();
}
