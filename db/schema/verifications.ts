import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id } from "./columns";
import { lines } from "./lines";

/**
 * Proof that a request is wanted on the line itself: a call-back that reads a code, a call-in from
 * the line with a code, the caller ID of an IVR call, or a letter. Codes are stored hashed only.
 */
export const verifications = pgTable(
  "verifications",
  {
    id: id(),
    lineId: uuid("line_id")
      .notNull()
      .references(() => lines.id),
    applicationId: uuid("application_id"),
    cancellationId: uuid("cancellation_id"),
    /** A paper or FAX page whose request the centre asks the line to confirm (purpose 'paper'). */
    scanId: uuid("scan_id"),
    method: text("method").notNull(),
    purpose: text("purpose").notNull(),
    codeHash: text("code_hash"),
    attempts: integer("attempts").notNull().default(0),
    /** How many times a code was sent (first call plus resends); limited per verification. */
    sends: integer("sends").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    /** Hash of the client (session/IP) that asked, for per-client rate limits. */
    clientHash: text("client_hash"),
    expiresAt: at("expires_at").notNull(),
    lastSentAt: at("last_sent_at"),
    verifiedAt: at("verified_at"),
    /** When someone else applies, the subscriber presses 1 (agreed) or 2 (refused). */
    consent: text("consent"),
    createdAt: createdAt(),
  },
  (t) => [
    index("idx_verifications_line").on(t.lineId, t.createdAt),
    index("idx_verifications_client").on(t.clientHash, t.createdAt),
    index("idx_verifications_scan").on(t.scanId, t.createdAt),
    /** An application's verifications (the line's timeline). */
    index("idx_verifications_application").on(t.applicationId),
    check("ck_verifications_method", sql`${t.method} in ('callback','call_in','caller_id','letter')`),
    check("ck_verifications_consent", sql`${t.consent} is null or ${t.consent} in ('agreed','refused')`),
  ],
);
