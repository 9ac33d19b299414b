import { bigserial, index, pgTable, text } from "drizzle-orm/pg-core";
import { at } from "./columns";

/**
 * Events that count towards a rate limit (failed status look-ups, failed objection codes, wrong carrier
 * API keys …), one row each, counted over a sliding window by app/lib/rate-limit.server.ts. The key is
 * a keyed hash (`ip:<address>` through PiiCipher.searchHash), never the address itself. Rows older than
 * the longest window are deleted as new ones arrive, so the table stays small; the index serves both the
 * count and the purge.
 */
export const rateLimitEvents = pgTable(
  "rate_limit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** Which limit: 'status.lookup_failed', 'cancellation.objection_failed', 'carrier_api.bad_key', … */
    bucket: text("bucket").notNull(),
    keyHash: text("key_hash").notNull(),
    at: at("at").notNull(),
  },
  (t) => [index("idx_rate_limit_events_bucket_key_at").on(t.bucket, t.keyHash, t.at), index("idx_rate_limit_events_at").on(t.at)],
);
