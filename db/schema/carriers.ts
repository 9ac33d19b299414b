import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { at, createdAt, id, updatedAt } from "./columns";

/** Carriers that take suspension orders through the centre. Editable by an admin. */
export const carriers = pgTable(
  "carriers",
  {
    code: text("code").primaryKey(),
    nameJa: text("name_ja").notNull(),
    /** Romanised or English name, for the carrier's own staff and the API. */
    nameEn: text("name_en"),
    /** Prefecture codes served; empty means nationwide. */
    regions: integer("regions").array().notNull().default(sql`'{}'::integer[]`),
    deliveryMode: text("delivery_mode").notNull().default("pull"),
    pushUrl: text("push_url"),
    fileFormat: text("file_format").notNull().default("csv-utf8"),
    /** Name of the batch schedule in workers/schedules.ts. */
    schedule: text("schedule").notNull().default("hourly"),
    batchMaxSize: integer("batch_max_size").notNull().default(5000),
    contact: text("contact"),
    active: boolean("active").notNull().default(true),
    /** HMAC key for push deliveries (sealed with the PII key); shown to the admin once when set. */
    pushSecretEnc: text("push_secret_enc"),
    pushSecretSetAt: at("push_secret_set_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("ck_carriers_delivery_mode", sql`${t.deliveryMode} in ('pull','push')`),
    check("ck_carriers_file_format", sql`${t.fileFormat} in ('csv-utf8','csv-sjis','json')`),
  ],
);

/** Which scope each carrier accepts through the centre: data, not code (DESIGN §3). */
export const carrierCapabilities = pgTable(
  "carrier_capabilities",
  {
    carrierCode: text("carrier_code")
      .notNull()
      .references(() => carriers.code),
    scope: text("scope").notNull(),
    acceptedViaCentre: boolean("accepted_via_centre").notNull(),
    /** Plain Japanese shown to applicants when the scope is not accepted here. */
    noteJa: text("note_ja"),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ name: "pk_carrier_capabilities", columns: [t.carrierCode, t.scope] }),
    check("ck_carrier_capabilities_scope", sql`${t.scope} in ('outgoing','incoming')`),
  ],
);

/** Immutable once cut: records, per-carrier sequence (gaps are detectable), file hash, signature. */
export const carrierBatches = pgTable(
  "carrier_batches",
  {
    id: id(),
    carrierCode: text("carrier_code")
      .notNull()
      .references(() => carriers.code),
    sequence: integer("sequence").notNull(),
    recordCount: integer("record_count").notNull(),
    fileFormat: text("file_format").notNull(),
    fileSha256: text("file_sha256").notNull(),
    signature: text("signature").notNull(),
    status: text("status").notNull().default("ready"),
    cutAt: at("cut_at").notNull().defaultNow(),
    sentAt: at("sent_at"),
    ackedAt: at("acked_at"),
    resultsAt: at("results_at"),
    /** The signed text: format version, carrier, sequence, count, both files' SHA-256, previous batch's hash. */
    manifest: text("manifest").notNull().default(""),
    /** Id of the Ed25519 key that signed the manifest (first 16 hex digits of SHA-256 of the public key). */
    keyId: text("key_id").notNull().default(""),
    /** The CSV file's encoding: 'utf-8' or 'shift_jis' (from the carrier's file format when cut). */
    csvEncoding: text("csv_encoding").notNull().default("utf-8"),
    csvSha256: text("csv_sha256").notNull().default(""),
    csvBytes: bigint("csv_bytes", { mode: "number" }).notNull().default(0),
    jsonSha256: text("json_sha256").notNull().default(""),
    jsonBytes: bigint("json_bytes", { mode: "number" }).notNull().default(0),
    /** file_sha256 of the carrier's previous batch ('' for the first): a chain the carrier can check. */
    prevSha256: text("prev_sha256").notNull().default(""),
    /** Every record has a result. */
    answeredAt: at("answered_at"),
  },
  (t) => [
    uniqueIndex("uq_carrier_batches_sequence").on(t.carrierCode, t.sequence),
    index("idx_carrier_batches_status").on(t.carrierCode, t.status),
    check("ck_carrier_batches_status", sql`${t.status} in ('cutting','ready','sent','acknowledged','answered')`),
  ],
);

/**
 * Which orders a batch holds, and where (ADR 027): written by the cut, in its transaction, a page at a
 * time, instead of updating every order row. An order belongs to at most one batch (the unique index),
 * for good (a trigger refuses UPDATE and DELETE). No foreign keys: they would cost two checks per row
 * of a million-row cut, and add nothing here — the rows are written only by the cut, from orders it
 * has just read and the batch it has just inserted, and neither orders nor cut batches are ever deleted
 * (migration carrier_batches_immutable).
 *
 * An order in a batch keeps `status = 'pending'` until the carrier acknowledges the batch: its status as
 * everyone shows it is 'batched' (see app/lib/carrier-order-status.server.ts).
 */
export const carrierBatchOrders = pgTable(
  "carrier_batch_orders",
  {
    batchId: uuid("batch_id").notNull(),
    /** 1, 2, 3, … in the batch's files (the record's `seq`). */
    position: integer("position").notNull(),
    orderId: uuid("order_id").notNull(),
  },
  (t) => [primaryKey({ name: "pk_carrier_batch_orders", columns: [t.batchId, t.position] }), uniqueIndex("uq_carrier_batch_orders_order").on(t.orderId)],
);

/**
 * One order to one carrier. The idempotency key is derived from (line, action, scope, request), so a
 * retried or crashed job finds the existing order instead of creating a second one.
 */
export const carrierOrders = pgTable(
  "carrier_orders",
  {
    id: id(),
    carrierCode: text("carrier_code")
      .notNull()
      .references(() => carriers.code),
    lineId: uuid("line_id").notNull(),
    applicationId: uuid("application_id"),
    cancellationId: uuid("cancellation_id"),
    action: text("action").notNull(),
    scope: text("scope").notNull(),
    status: text("status").notNull().default("pending"),
    idempotencyKey: text("idempotency_key").notNull(),
    /** The record as the carrier receives it, frozen when the order is made (orders are immutable). */
    e164: text("e164").notNull(),
    prefecture: smallint("prefecture"),
    /** Reference number of the application or cancellation behind the order. */
    requestRef: text("request_ref"),
    /** PERSONAL DATA, sealed: JSON {name, kana} of the subscriber as the carrier needs it. */
    subjectEnc: text("subject_enc"),
    resultCode: text("result_code"),
    reasonCode: text("reason_code"),
    resultDetail: jsonb("result_detail"),
    effectiveDate: date("effective_date"),
    resultAt: at("result_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("uq_carrier_orders_idempotency_key").on(t.idempotencyKey),
    index("idx_carrier_orders_pending").on(t.carrierCode, t.status, t.createdAt),
    index("idx_carrier_orders_line").on(t.lineId),
    /**
     * Orders still open, oldest first, across carriers (the SLA page, the dashboard, the carriers list);
     * carrier and id in it too, so counting them per carrier reads no order row (ADR 030).
     */
    index("idx_carrier_orders_status").on(t.status, t.createdAt, t.carrierCode, t.id),
    check("ck_carrier_orders_action", sql`${t.action} in ('SUSPEND','RESUME','INQUIRY')`),
    check("ck_carrier_orders_scope", sql`${t.scope} in ('outgoing','incoming')`),
    check(
      "ck_carrier_orders_status",
      sql`${t.status} in ('pending','cancelled','batched','acknowledged','done','rejected','accepted')`,
    ),
    index("idx_carrier_orders_application").on(t.applicationId),
    index("idx_carrier_orders_cancellation").on(t.cancellationId),
  ],
);
