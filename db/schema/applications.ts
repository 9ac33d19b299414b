import { sql } from "drizzle-orm";
import { bigserial, boolean, check, index, jsonb, pgTable, smallint, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { at, createdAt, id, updatedAt } from "./columns";
import { lines } from "./lines";

/**
 * An application to suspend international calls on one line.
 *
 * PERSONAL DATA: subscriber name (kanji, kana), applicant name, postal code, address and contact
 * number are sealed (AES-256-GCM, columns ending in `_enc`); the kana name and contact number have a
 * keyed hash (`_hash`) for search and for the cancellation rules. Never log these columns.
 */
export const applications = pgTable(
  "applications",
  {
    id: id(),
    reference: text("reference").notNull(),
    lineId: uuid("line_id")
      .notNull()
      .references(() => lines.id),
    /** Requested scopes: 'outgoing' and/or 'incoming'. */
    scopes: text("scopes").array().notNull(),
    channel: text("channel").notNull(),
    relation: text("relation").notNull(),
    /** 続柄 when relation is family, or the helper's organisation when "other": free text, sealed. */
    relationDetailEnc: text("relation_detail_enc"),
    /**
     * LEGACY, always NULL: before migration 0012 the 続柄 was stored here in plain text.
     * sealLegacyPlainText() (app/lib/pii-migration.server.ts) seals old values into relation_detail_enc
     * at start, and ck_applications_relation_detail_sealed refuses new ones. Drop in a later release.
     */
    relationDetailPlainLegacy: text("relation_detail"),
    subscriberNameEnc: text("subscriber_name_enc"),
    subscriberKanaEnc: text("subscriber_kana_enc"),
    subscriberKanaHash: text("subscriber_kana_hash"),
    /**
     * The name and kana are advisory (ADR 015): true when they were heard by speech recognition or read
     * by OCR from a paper form, and nobody typed or keyed them. Carriers receive the mark.
     */
    subscriberNameUnverified: boolean("subscriber_name_unverified").notNull().default(false),
    applicantNameEnc: text("applicant_name_enc"),
    postalCodeEnc: text("postal_code_enc"),
    addressEnc: text("address_enc"),
    /** Prefecture code (JIS X 0401), kept plain for routing and statistics. */
    prefecture: smallint("prefecture"),
    contactPhoneEnc: text("contact_phone_enc"),
    contactPhoneHash: text("contact_phone_hash"),
    carrierChoice: text("carrier_choice").notNull(),
    carrierCode: text("carrier_code"),
    status: text("status").notNull().default("received"),
    /** Set by the channel (a hidden form token, a call SID, a scan id): one submission, one row. */
    idempotencyKey: text("idempotency_key").notNull(),
    /** The subscriber's own agreement when someone else applies (課題②). */
    subscriberConsentAt: at("subscriber_consent_at"),
    verifiedAt: at("verified_at"),
    assisted: boolean("assisted").notNull().default(false),
    /** Moving or a new number: the line whose suspension this application replaces. */
    replacesLineId: uuid("replaces_line_id").references(() => lines.id),
    /** How the line was verified: 'callback', 'call_in', 'caller_id', 'letter', or null (not yet). */
    verificationMethod: text("verification_method"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("uq_applications_reference").on(t.reference),
    uniqueIndex("uq_applications_idempotency_key").on(t.idempotencyKey),
    index("idx_applications_line").on(t.lineId, t.createdAt),
    index("idx_applications_status").on(t.status, t.createdAt),
    index("idx_applications_kana_hash").on(t.subscriberKanaHash),
    index("idx_applications_contact_hash").on(t.contactPhoneHash),
    /**
     * Applications received in a period, by channel, carrier and prefecture (dashboard, statistics,
     * cancellation statistics): an index-only scan of the period, never the whole table (ADR 030).
     */
    index("idx_applications_created").on(t.createdAt, t.channel, t.carrierCode, t.prefecture),
    /**
     * When an application was received, by its id, without reading its row: the weekly cancellation
     * statistics look up tens of thousands of them (ADR 030).
     */
    index("idx_applications_id_created").on(t.id, t.createdAt),
    /** The line a move replaces: a line's page and the search by number find the new application. */
    index("idx_applications_replaces_line").on(t.replacesLineId).where(sql`${t.replacesLineId} is not null`),
    check("ck_applications_channel", sql`${t.channel} in ('web','ivr','paper','operator')`),
    check("ck_applications_relation", sql`${t.relation} in ('self','family','other')`),
    check("ck_applications_relation_detail_sealed", sql`${t.relationDetailPlainLegacy} is null`),
    check(
      "ck_applications_status",
      sql`${t.status} in ('received','verified','needs_review','queued','sent','acknowledged','completed','rejected','withdrawn','resumed')`,
    ),
  ],
);

/**
 * The first completion of each application, with what the lead-time statistics need (ADR 030): one
 * row per completed application, written by the database (trigger application_events_completion, in
 * the migration) in the transaction of its first 'completed' event, whatever code writes that event.
 * The statistics read a period of it through one index instead of grouping every completion event.
 * A summary: the events stay the record, and the migration rebuilt it from them.
 */
export const applicationCompletions = pgTable(
  "application_completions",
  {
    applicationId: uuid("application_id").primaryKey(),
    channel: text("channel").notNull(),
    /** The application's created_at. */
    receivedAt: at("received_at").notNull(),
    /** The first 'completed' event's at. */
    completedAt: at("completed_at").notNull(),
  },
  (t) => [index("idx_application_completions_completed").on(t.completedAt, t.channel, t.receivedAt)],
);

/** Append-only timeline of an application; written in the same transaction as every change. */
export const applicationEvents = pgTable(
  "application_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id),
    type: text("type").notNull(),
    fromStatus: text("from_status"),
    toStatus: text("to_status"),
    /** 'system', 'applicant', 'operator:<id>', 'carrier:<code>'. */
    actor: text("actor").notNull(),
    /** No personal data here: codes, ids and counts only. */
    detail: jsonb("detail").notNull().default(sql`'{}'::jsonb`),
    at: at("at").notNull().defaultNow(),
  },
  (t) => [index("idx_application_events_application").on(t.applicationId, t.at)],
);
