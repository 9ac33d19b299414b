import { sql } from "drizzle-orm";
import { bigserial, check, index, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id, updatedAt } from "./columns";
import { lines } from "./lines";

/**
 * A request to withdraw an application or to resume international calls (課題②).
 *
 * PERSONAL DATA: requester name, contact number and free-text reason are sealed (`_enc`); the contact
 * number has a keyed hash so that one number cancelling many lines can be detected.
 *
 * THE INVARIANT, in the database too: a row is `approved` only with the subscriber's own confirmation
 * on record (`ck_cancellations_approved_confirmed`), and the only confirmation methods are the two on
 * the line (`ck_cancellations_confirmation_method`), whatever code writes them.
 */
export const cancellations = pgTable(
  "cancellations",
  {
    id: id(),
    reference: text("reference").notNull(),
    lineId: uuid("line_id")
      .notNull()
      .references(() => lines.id),
    applicationId: uuid("application_id"),
    /** 'withdrawal' before dispatch, 'resumption' after completion. */
    kind: text("kind").notNull(),
    channel: text("channel").notNull(),
    requesterRelation: text("requester_relation").notNull(),
    /** 続柄・所属 of the requester: free text, sealed. */
    requesterRelationDetailEnc: text("requester_relation_detail_enc"),
    /** LEGACY, always NULL (see applications.relation_detail): sealed into requester_relation_detail_enc at start. */
    requesterRelationDetailPlainLegacy: text("requester_relation_detail"),
    requesterNameEnc: text("requester_name_enc"),
    requesterContactEnc: text("requester_contact_enc"),
    requesterContactHash: text("requester_contact_hash"),
    reasonCode: text("reason_code").notNull(),
    reasonTextEnc: text("reason_text_enc"),
    status: text("status").notNull().default("received"),
    /** Rule codes that flagged the request, each explained in app/domain. */
    riskReasons: text("risk_reasons").array().notNull().default(sql`'{}'::text[]`),
    /** Codes and counts behind the decision (line verification, context counts, rule evidence). No personal data. */
    evidence: jsonb("evidence").notNull().default(sql`'{}'::jsonb`),
    prefecture: text("prefecture"),
    /** exchangeAreaKey() of the line (市外局番 + 市内局番), for the "burst in one area" rule. */
    areaKey: text("area_key"),
    subscriberConfirmedAt: at("subscriber_confirmed_at"),
    /** How the subscriber confirmed: 'callback_press_1' or 'ivr_call_from_line'. */
    confirmationMethod: text("confirmation_method"),
    coolingOffUntil: at("cooling_off_until"),
    /** The operator who has the request in review. */
    reviewedBy: uuid("reviewed_by"),
    objectedAt: at("objected_at"),
    /** 'original_applicant' or 'other'. */
    objectedBy: text("objected_by"),
    /** Keyed hash of the code sent to the original applicant with the cooling-off notice. */
    objectionCodeHash: text("objection_code_hash"),
    decision: text("decision"),
    decidedBy: uuid("decided_by"),
    decidedAt: at("decided_at"),
    /** The operator's free-text note on the decision: may name people, so it is sealed. */
    decisionNoteEnc: text("decision_note_enc"),
    /** LEGACY, always NULL: sealed into decision_note_enc at start. */
    decisionNotePlainLegacy: text("decision_note"),
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("uq_cancellations_reference").on(t.reference),
    uniqueIndex("uq_cancellations_idempotency_key").on(t.idempotencyKey),
    index("idx_cancellations_line").on(t.lineId, t.createdAt),
    index("idx_cancellations_contact_hash").on(t.requesterContactHash, t.createdAt),
    index("idx_cancellations_status").on(t.status, t.createdAt),
    index("idx_cancellations_area").on(t.areaKey, t.createdAt),
    /** Requests received in a period (weekly cancellation statistics). */
    index("idx_cancellations_created").on(t.createdAt),
    check("ck_cancellations_kind", sql`${t.kind} in ('withdrawal','resumption')`),
    check("ck_cancellations_channel", sql`${t.channel} in ('web','ivr','paper','operator')`),
    check("ck_cancellations_relation", sql`${t.requesterRelation} in ('self','family','other')`),
    check("ck_cancellations_relation_detail_sealed", sql`${t.requesterRelationDetailPlainLegacy} is null`),
    check("ck_cancellations_decision_note_sealed", sql`${t.decisionNotePlainLegacy} is null`),
    check(
      "ck_cancellations_status",
      sql`${t.status} in ('received','flagged','in_review','awaiting_confirmation','confirmed','cooling_off','objected','approved','declined','refused_by_subscriber','withdrawn_by_requester','expired')`,
    ),
    check("ck_cancellations_approved_confirmed", sql`${t.status} <> 'approved' or ${t.subscriberConfirmedAt} is not null`),
    check(
      "ck_cancellations_confirmation_method",
      sql`${t.confirmationMethod} is null or ${t.confirmationMethod} in ('callback_press_1','ivr_call_from_line')`,
    ),
  ],
);

/** Append-only timeline of a cancellation request; written in the same transaction as every change. */
export const cancellationEvents = pgTable(
  "cancellation_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    cancellationId: uuid("cancellation_id")
      .notNull()
      .references(() => cancellations.id),
    /** A CancellationEventType of app/domain/cancellation-state.ts, or a service note ('call_placed', 'applicant_notified'). */
    type: text("type").notNull(),
    fromStatus: text("from_status"),
    toStatus: text("to_status"),
    /** 'system', 'requester', 'subscriber', 'applicant', 'ivr', 'operator:<id>'. */
    actor: text("actor").notNull(),
    /** No personal data here: codes, ids and counts only. */
    detail: jsonb("detail").notNull().default(sql`'{}'::jsonb`),
    at: at("at").notNull().defaultNow(),
  },
  (t) => [index("idx_cancellation_events_cancellation").on(t.cancellationId, t.at)],
);

/**
 * A web cancellation request in progress (/cancel): the answers of each step, sealed, found through a
 * random token in an HttpOnly cookie (as apply_drafts does for /apply).
 */
export const cancelDrafts = pgTable(
  "cancel_drafts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tokenHash: text("token_hash").notNull(),
    answersEnc: text("answers_enc").notNull(),
    cancellationId: uuid("cancellation_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    expiresAt: at("expires_at").notNull(),
  },
  (t) => [uniqueIndex("uq_cancel_drafts_token_hash").on(t.tokenHash), index("idx_cancel_drafts_expires").on(t.expiresAt)],
);
