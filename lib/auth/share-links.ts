/**
 * Share links: the credential of a read-only trace view without an account. A link is
 * `<public URL>/share/<token>`, the token 256 random bits (base64url, 43 characters). Only its
 * SHA-256 is stored, like an API key's: whoever reads the database (a backup, a replica, a SQL
 * console) cannot open a shared trace. The cost is that a list cannot show a link again; it shows
 * the token's first characters to recognise one, and the link is copied when it is made (making
 * another is one click). Revoking or turning sharing off deletes the row, so a revoked link and a
 * made-up one get the same 404.
 */
import { createHash, randomBytes } from "node:crypto";
import { notFound } from "../shared/api-error";
import { findTraceShareByTokenHash, type TraceShareGrant } from "../storage/trace-shares";

const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** 6 of 43 characters (36 of 256 bits): enough to tell links apart, far too little to guess one. */
const PREFIX_LENGTH = 6;

export type { TraceShareGrant };

export function generateShareToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/** Tokens are long random strings: a fast unsalted hash is enough, and a lookup is one indexed equality. */
export function hashShareToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function shareTokenPrefix(token: string): string {
  return token.slice(0, PREFIX_LENGTH);
}

/** The link's path on this app (the page that shows the shared trace). */
export function sharePath(token: string): string {
  return `/share/${token}`;
}

/**
 * What the token opens, or null for a token that is malformed, made up or revoked (a malformed
 * one never reaches the database).
 */
export async function findShareGrant(token: string): Promise<TraceShareGrant | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  return findTraceShareByTokenHash(hashShareToken(token));
}

/** findShareGrant for the API: a 404 that says nothing about why. */
export async function requireShareGrant(token: string): Promise<TraceShareGrant> {
  const grant = await findShareGrant(token);
  if (!grant) throw notFound("shared trace");
  return grant;
}
