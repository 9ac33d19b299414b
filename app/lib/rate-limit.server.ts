/**
 * Rate limits over a sliding window, counted in their own table (`rate_limit_events`, issue 12): one
 * row per counted event (a failed status look-up, a wrong objection code, a wrong carrier API key),
 * keyed by a keyed hash of the client — never the address itself — and counted through the index
 * (bucket, key_hash, at). Before, the limits counted rows of the audit log, which has no such index
 * and grows forever: a sequential scan on every public request.
 *
 * Rows older than the longest window are deleted as new ones arrive (a bounded delete through the
 * `at` index), so the table holds about one window of events.
 */
import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { rateLimitEvents } from "../../db/schema";
import type { Services } from "./services.server";

export type RateLimit = {
  /** Names the limit; also the bucket in the table. */
  bucket: string;
  /** How many events the window allows; the next request is refused. */
  max: number;
  windowMs: number;
};

/** Failed status look-ups per client per hour: reference numbers must not be guessable by trying. */
export const STATUS_LOOKUP_LIMIT: RateLimit = { bucket: "status.lookup_failed", max: 20, windowMs: 3600_000 };
/** Wrong objection codes per client per hour. */
export const OBJECTION_LIMIT: RateLimit = { bucket: "cancellation.objection_failed", max: 10, windowMs: 3600_000 };
/** Wrong carrier API keys per client per 10 minutes (then 429 with Retry-After). */
export const CARRIER_API_KEY_LIMIT: RateLimit = { bucket: "carrier_api.bad_key", max: 10, windowMs: 600_000 };

/** Events are kept at least this long; longer than every window above. */
const RETENTION_MS = 24 * 3600_000;

type Deps = Pick<Services, "db" | "pii" | "now">;

/** The key of a client: a keyed hash of its address, as sessions and the audit log store it (ADR 005). */
export function clientKey(services: Pick<Services, "pii">, clientIp: string): string {
  return services.pii.searchHash(`ip:${clientIp}`);
}

export type LimitState = { limited: false; count: number } | { limited: true; count: number; retryAfterSeconds: number };

/** Whether the client has used up the limit, and when it may try again. */
export async function checkLimit(services: Deps, limit: RateLimit, clientIp: string, db: DbOrTx = services.db): Promise<LimitState> {
  const now = services.now();
  const since = new Date(now.getTime() - limit.windowMs);
  const [row] = await db
    .select({ n: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${rateLimitEvents.at})` })
    .from(rateLimitEvents)
    .where(and(eq(rateLimitEvents.bucket, limit.bucket), eq(rateLimitEvents.keyHash, clientKey(services, clientIp)), gte(rateLimitEvents.at, since)));
  const count = Number(row?.n ?? 0);
  if (count < limit.max) return { limited: false, count };
  // The window frees up when its oldest counted event leaves it.
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : now.getTime();
  return { limited: true, count, retryAfterSeconds: Math.max(1, Math.ceil((oldest + limit.windowMs - now.getTime()) / 1000)) };
}

/** Counts one event against the client (in the caller's transaction when given). */
export async function recordHit(services: Deps, limit: RateLimit, clientIp: string, db: DbOrTx = services.db): Promise<void> {
  const now = services.now();
  await db.insert(rateLimitEvents).values({ bucket: limit.bucket, keyHash: clientKey(services, clientIp), at: now });
  // Keep the table about one window long: a few old rows go with every new one.
  const cutoff = new Date(now.getTime() - RETENTION_MS);
  await db.execute(sql`delete from rate_limit_events where id in (select id from rate_limit_events where at < ${cutoff.toISOString()}::timestamptz limit 100)`);
}

/** Removes every event older than the retention (for tests and a manual clean-up). */
export async function purgeOldHits(services: Deps): Promise<void> {
  await services.db.delete(rateLimitEvents).where(lt(rateLimitEvents.at, new Date(services.now().getTime() - RETENTION_MS)));
}
