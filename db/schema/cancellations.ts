import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id, updatedAt } from "./columns";
import { lines } from "./lines";

/**
 * A request to withdraw an application or to resume international calls (課題②).
 *
 * PERSONAL DATA: requester name, contact number and free-text reason are sealed (`_enc`); the contact
 * number has a keyed hash so that one number cancelling many lines can be detected.
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
    requesterRelationDetail: text("requester_relation_detail"),
    requesterNameEnc: text("requester_name_enc"),
    requesterContactEnc: text("requester_contact_enc"),
    requesterContactHash: text("requester_contact_hash"),
    reasonCode: text("reason_code").notNull(),
    reasonTextEnc: text("reason_text_enc"),
    status: text("status").notNull().default("received"),
    /** Rule codes that flagged the request, each explained in app/domain. */
    riskReasons: text("risk_reasons").array().notNull().default(sql`'{}'::text[]`),
    evidence: jsonb("evidence").notNull().default(sql`'{}'::jsonb`),
    prefecture: text("prefecture"),
    subscriberConfirmedAt: at("subscriber_confirmed_at"),
    coolingOffUntil: at("cooling_off_until"),
    decision: text("decision"),
    decidedBy: uuid("decided_by"),
    decidedAt: at("decided_at"),
    decisionNote: text("decision_note"),
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
    check("ck_cancellations_kind", sql`${t.kind} in ('withdrawal','resumption')`),
    check("ck_cancellations_channel", sql`${t.channel} in ('web','ivr','paper','operator')`),
    check("ck_cancellations_relation", sql`${t.requesterRelation} in ('self','family','other')`),
  ],
);
