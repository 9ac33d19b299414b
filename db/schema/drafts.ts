import { boolean, index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, updatedAt } from "./columns";

/**
 * A web application in progress: the answers of each step, kept on the server (not in the cookie)
 * until it is submitted. The browser holds only a random token whose hash is stored here.
 *
 * PERSONAL DATA: the answers (number, names, address, contact) are sealed in `answers_enc`.
 */
export const applyDrafts = pgTable(
  "apply_drafts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tokenHash: text("token_hash").notNull(),
    answersEnc: text("answers_enc").notNull(),
    /** Police or municipal booth: a helper fills in the journey with the subscriber. */
    assisted: boolean("assisted").notNull().default(false),
    verificationId: uuid("verification_id"),
    applicationId: uuid("application_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    expiresAt: at("expires_at").notNull(),
  },
  (t) => [uniqueIndex("uq_apply_drafts_token_hash").on(t.tokenHash), index("idx_apply_drafts_expires").on(t.expiresAt)],
);
