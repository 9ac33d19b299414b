import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id } from "./columns";
import { operators } from "./operators";
import { outbox } from "./outbox";

/**
 * Who is working which queue item. One row per item (unique item_type + item_id): claiming is an
 * insert that either wins or finds someone else's unexpired claim, so two operators never work the
 * same item. A claim ends by expiry, by release (the row is deleted) or by completion (completed_at is
 * set, and the row stays as the record that the item was done, so it is never offered again).
 */
export const workClaims = pgTable(
  "work_claims",
  {
    id: id(),
    /** 'paper', 'ivr', 'cancellation', 'carrier', … (app/lib/queues.server.ts). */
    itemType: text("item_type").notNull(),
    /** The item's id in its own table (text, so any key fits). */
    itemId: text("item_id").notNull(),
    operatorId: uuid("operator_id")
      .notNull()
      .references(() => operators.id),
    claimedAt: at("claimed_at").notNull(),
    expiresAt: at("expires_at").notNull(),
    completedAt: at("completed_at"),
    /** A code for how the item ended ('confirmed', 'corrected', 'resolved', …); no personal data. */
    outcome: text("outcome"),
  },
  (t) => [
    uniqueIndex("uq_work_claims_item").on(t.itemType, t.itemId),
    index("idx_work_claims_operator").on(t.operatorId, t.expiresAt),
  ],
);

/**
 * One print run of the letter queue: every letter in it is in one PDF, and is marked printed when the
 * PDF is made, then mailed when the envelopes leave. The PDF is not stored (it holds names and
 * addresses); it is rendered again from the sealed outbox rows, and its SHA-256 shows it is the same.
 */
export const letterBatches = pgTable(
  "letter_batches",
  {
    id: id(),
    sequence: integer("sequence").notNull(),
    letterCount: integer("letter_count").notNull(),
    pdfSha256: text("pdf_sha256").notNull(),
    createdAt: createdAt(),
    createdBy: uuid("created_by").references(() => operators.id),
    mailedAt: at("mailed_at"),
    mailedBy: uuid("mailed_by").references(() => operators.id),
  },
  (t) => [uniqueIndex("uq_letter_batches_sequence").on(t.sequence), check("ck_letter_batches_count", sql`${t.letterCount} > 0`)],
);

/** The letters of a batch, in print order. A letter is in at most one batch. */
export const letterBatchItems = pgTable(
  "letter_batch_items",
  {
    batchId: uuid("batch_id")
      .notNull()
      .references(() => letterBatches.id),
    outboxId: uuid("outbox_id")
      .notNull()
      .references(() => outbox.id),
    position: integer("position").notNull(),
  },
  (t) => [primaryKey({ name: "pk_letter_batch_items", columns: [t.batchId, t.outboxId] }), uniqueIndex("uq_letter_batch_items_outbox").on(t.outboxId)],
);
