import { z } from "zod";
import { processSlot } from "./process-slot";

/** Every environment variable the server reads, validated once at start (README: Configuration). */
const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.string().optional(),
  OPENAI_UPSTREAM_URL: z.url().default("https://api.openai.com"),
  ANTHROPIC_UPSTREAM_URL: z.url().default("https://api.anthropic.com"),
  // Origins a client may pick per call with Helicone-Target-Url (comma-separated); none by default.
  UPSTREAM_ALLOWLIST: z.string().optional(),
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(600_000),
  MAX_REQUEST_BODY_BYTES: z.coerce.number().int().positive().default(32 * 1024 * 1024),
  MAX_LOGGED_BODY_BYTES: z.coerce.number().int().positive().default(4 * 1024 * 1024),
  // OTLP/HTTP trace exports, counted after decompression (the spec recommends 20 MiB or less).
  MAX_OTLP_BODY_BYTES: z.coerce.number().int().positive().default(16 * 1024 * 1024),
  // Log records waiting for storage above which OTLP exports are told to retry later (503).
  OTLP_QUEUE_HIGH_WATER: z.coerce.number().int().nonnegative().default(50_000),
  // OTLP over gRPC (TraceService/Export), the port most OpenTelemetry SDKs default to; 0 turns it off.
  OTLP_GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(4317),
  // Browser origins allowed to send OTLP and custom logs (comma-separated); none by default (no CORS headers).
  CORS_ALLOWED_ORIGINS: z.string().default("").transform(parseOrigins),
  // The durable buffer for logs while the database is down (default: <data directory>/spool).
  LOG_SPOOL_DIR: z.string().optional(),
  // Names this instance's spool (<spool root>/instance-<id>); unset: the lowest slot no live process holds.
  INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "INSTANCE_ID may hold letters, digits, '_', '.' and '-' (64 at most)")
    .refine((id) => id !== "." && id !== "..", "INSTANCE_ID cannot be . or ..")
    .optional(),
  LOG_SPOOL_MAX_BYTES: z.coerce.number().int().nonnegative().default(1024 * 1024 * 1024),
  // Per API key, across every endpoint: requests a second on average, and the burst allowed (0: off).
  RATE_LIMIT_PER_SECOND: z.coerce.number().nonnegative().default(2_000),
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(20_000),
  // PostgreSQL: the time range of one partition of the request tables (lib/storage/partitions.ts).
  PARTITION_INTERVAL: z.enum(["day", "hour"]).default("day"),
  // A live stream (trace view, Requests page) ends after this long without a stored request (seconds).
  LIVE_IDLE_TIMEOUT_SECONDS: z.coerce.number().positive().max(86_400).default(300),
  // Days of requests kept (their bodies, properties and Insights rollups too); unset: forever. An
  // organization's own setting (Settings) wins over it. At most MAX_RETENTION_DAYS (lib/domain/retention.ts).
  RETENTION_DAYS: z.coerce
    .number()
    .int("RETENTION_DAYS must be a whole number of days")
    .min(1, "RETENTION_DAYS must be at least 1")
    .max(36_500, "RETENTION_DAYS must be at most 36500 (unset it to keep requests forever)")
    .optional(),
  SEED_API_KEY: z.string().min(16, "SEED_API_KEY must be at least 16 characters").optional(),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8, "ADMIN_PASSWORD must be at least 8 characters").optional(),
  /** signs dashboard session cookies; generated once and kept in the data directory when unset */
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  /** how long a dashboard login lasts before signing in again */
  SESSION_MAX_AGE_SECONDS: z.coerce.number().int().min(60).default(7 * 24 * 3600),
  /** where people reach this app (share links are made with it); unset: the address each request came to */
  PUBLIC_URL: z.string().optional().transform(parsePublicUrl),
  /** what several instances share (rate limits, revocations, sign-in failures, live events); unset: each keeps its own */
  REDIS_URL: z
    .string()
    .refine((url) => URL.canParse(url) && ["redis:", "rediss:"].includes(new URL(url).protocol), "REDIS_URL must be redis://[user:password@]host[:port][/db] or rediss://…")
    .optional(),
  /** put before every Redis key and channel, so several deployments (or tests) can share one Redis */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "REDIS_KEY_PREFIX may hold letters, digits, '_', '.', ':' and '-' (64 at most)")
    .default("tracewell:"),
});

export type Config = z.infer<typeof configSchema>;

const current = processSlot<Config>("config");

/**
 * The server's configuration, read from the environment once per process: modules ask this,
 * never process.env, so every setting is validated and documented in one place.
 */
export function config(): Config {
  return (current.value ??= readConfig(process.env));
}

/**
 * Forgets the configuration read so far, so the next config() reads the environment again: for
 * tests and scripts that point the same process at another database.
 */
export function reloadConfig(): void {
  current.value = undefined;
}

/** Parses an environment; throws with every problem listed. */
export function readConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = configSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  return { ...parsed.data, OPENAI_UPSTREAM_URL: trimSlash(parsed.data.OPENAI_UPSTREAM_URL), ANTHROPIC_UPSTREAM_URL: trimSlash(parsed.data.ANTHROPIC_UPSTREAM_URL) };
}

/** `https://app.example.com, http://localhost:5173` → origins as browsers send them (scheme://host[:port]). */
function parseOrigins(list: string, context: z.RefinementCtx): string[] {
  const origins = new Set<string>();
  for (const entry of list.split(",").map((item) => item.trim()).filter((item) => item !== "")) {
    const origin = URL.canParse(entry) ? new URL(entry).origin : "null";
    if (entry === "*") context.addIssue("list origins by name (https://app.example.com); * is not accepted");
    else if (origin === "null" || origin !== entry.toLowerCase().replace(/\/$/, "")) {
      context.addIssue(`${entry} is not an origin (expected scheme://host[:port] without a path, e.g. https://app.example.com)`);
    } else origins.add(origin);
  }
  return [...origins];
}

/** `https://tracewell.example.com/` → `https://tracewell.example.com`: http(s), no query or fragment. */
function parsePublicUrl(value: string | undefined, context: z.RefinementCtx): string | undefined {
  if (value === undefined) return undefined;
  const url = URL.canParse(value) ? new URL(value) : null;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash || url.username || url.password) {
    context.addIssue(`${value} is not a public address (expected http(s)://host[:port][/path], e.g. https://tracewell.example.com)`);
    return undefined;
  }
  return trimSlash(url.href);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
