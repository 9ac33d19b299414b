import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id, updatedAt } from "./columns";

/**
 * Every outbound message: SMS, voice call (text read aloud) and letter, with its delivery timestamps.
 * With Twilio configured the worker delivers SMS and calls through Twilio; without it they stay here
 * and the back office shows them (the offline adapter). Letters wait in the print queue.
 *
 * PERSONAL DATA: the recipient (`to_enc`) and the body (`body_enc`: codes, names, addresses) are sealed.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: id(),
    channel: text("channel").notNull(),
    purpose: text("purpose").notNull(),
    toEnc: text("to_enc").notNull(),
    bodyEnc: text("body_enc").notNull(),
    /** For letters: the template that renders the body (JSON) to PDF. */
    template: text("template"),
    /** not_needed: a call whose question was answered before its time came (e.g. a verification retry after the code was entered); never placed. */
    status: text("status").notNull().default("queued"),
    provider: text("provider"),
    providerRef: text("provider_ref"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    idempotencyKey: text("idempotency_key").notNull(),
    applicationId: uuid("application_id"),
    cancellationId: uuid("cancellation_id"),
    verificationId: uuid("verification_id"),
    createdAt: createdAt(),
    sentAt: at("sent_at"),
    deliveredAt: at("delivered_at"),
    /** Calls: not to be placed before this time (an automatic retry after an unanswered call). */
    notBefore: at("not_before"),
    /** Calls: the last CallStatus Twilio's status callback reported (initiated, ringing, in-progress, …). */
    callStatus: text("call_status"),
    /**
     * Calls: how the call ended, from the status callback: answered (still going), completed, busy,
     * no-answer, failed, canceled, or machine (an answering machine or fax picked up: never a confirmation).
     */
    callOutcome: text("call_outcome"),
    /** Calls: Twilio's AnsweredBy (answering-machine detection), e.g. human, machine_start, fax. */
    answeredBy: text("answered_by"),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("uq_outbox_idempotency_key").on(t.idempotencyKey),
    index("idx_outbox_channel_status").on(t.channel, t.status, t.createdAt),
    index("idx_outbox_created").on(t.createdAt),
    /** The messages of an application, a cancellation or a verification (the line's timeline). */
    index("idx_outbox_application").on(t.applicationId),
    index("idx_outbox_cancellation").on(t.cancellationId).where(sql`${t.cancellationId} is not null`),
    index("idx_outbox_verification").on(t.verificationId).where(sql`${t.verificationId} is not null`),
    check("ck_outbox_channel", sql`${t.channel} in ('sms','call','letter')`),
    check(
      "ck_outbox_call_outcome",
      sql`${t.callOutcome} is null or ${t.callOutcome} in ('answered','completed','busy','no-answer','failed','canceled','machine')`,
    ),
    check(
      "ck_outbox_status",
      sql`${t.status} in ('queued','sending','sent','delivered','held','failed','printed','mailed','not_needed')`,
    ),
  ],
);
