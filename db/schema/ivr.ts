import { index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id, updatedAt } from "./columns";

/**
 * One phone call to the IVR: where it is in the menu and what was said or keyed so far. A call that
 * hangs up part-way keeps its answers and is marked incomplete, for operators to follow up.
 *
 * PERSONAL DATA: the caller's number (`from_enc`) and the answers (names and addresses captured by
 * speech, recording URLs) are sealed.
 */
export const ivrCalls = pgTable(
  "ivr_calls",
  {
    id: id(),
    callSid: text("call_sid").notNull(),
    fromEnc: text("from_enc"),
    /** Keyed hash of the caller's E.164, to find a line's calls without opening every row. */
    fromHash: text("from_hash"),
    /** The branch chosen: apply, status, form, cancel, call_in, paper_call_in (ADR 029), operator. */
    purpose: text("purpose"),
    node: text("node").notNull(),
    answersEnc: text("answers_enc").notNull(),
    /** in_progress → completed (the branch finished) | incomplete (hung up part-way). */
    status: text("status").notNull().default("in_progress"),
    applicationId: uuid("application_id"),
    cancellationId: uuid("cancellation_id"),
    outboxId: uuid("outbox_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    endedAt: at("ended_at"),
  },
  (t) => [
    uniqueIndex("uq_ivr_calls_call_sid").on(t.callSid),
    index("idx_ivr_calls_status").on(t.status, t.createdAt),
    index("idx_ivr_calls_from_hash").on(t.fromHash),
    /** The calls of an application or a cancellation (the line's timeline), and a letter's call (the print queue). */
    index("idx_ivr_calls_application").on(t.applicationId),
    index("idx_ivr_calls_cancellation").on(t.cancellationId),
    index("idx_ivr_calls_outbox").on(t.outboxId),
    /** Newest first (/ops/calls), and the IVR queue: forms to mail, oldest first. */
    index("idx_ivr_calls_created").on(t.createdAt),
    index("idx_ivr_calls_purpose").on(t.purpose, t.status, t.createdAt),
  ],
);
