import { createHash, randomBytes } from "node:crypto";

export const API_KEY_PREFIX = "sk-tw-";

/** A new API key: 256 random bits, shown to its owner once and stored only as a hash. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("base64url");
}

/**
 * Keys are long random strings, so a fast unsalted hash is enough (no dictionary to attack) and
 * keeps the lookup on every proxied call to one indexed equality.
 */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** What a list may show of a key: enough to recognise it, far too little to use it. */
export function displayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 4);
}
