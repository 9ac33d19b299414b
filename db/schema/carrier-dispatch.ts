import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { at, createdAt, id } from "./columns";
import { carrierBatches, carrierOrders, carriers } from "./carriers";

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/**
 * The exact bytes of a batch's files, in parts of about 1 MiB, so a batch of any size is written and
 * read without holding it in memory. Each part is sealed (the files carry names). Append-only: a
 * trigger refuses UPDATE and DELETE (see the migration carrier_batches_immutable).
 */
export const carrierBatchFiles = pgTable(
  "carrier_batch_files",
  {
    batchId: uuid("batch_id")
      .notNull()
      .references(() => carrierBatches.id),
    /** 'csv' (in the batch's csv_encoding) or 'json'. */
    format: text("format").notNull(),
    part: integer("part").notNull(),
    bytesEnc: bytea("bytes_enc").notNull(),
  },
  (t) => [
    primaryKey({ name: "pk_carrier_batch_files", columns: [t.batchId, t.format, t.part] }),
    check("ck_carrier_batch_files_format", sql`${t.format} in ('csv','json')`),
  ],
);

/** API keys for /api/carrier/v1: only a SHA-256 of the key is kept; several per carrier, each revocable. */
export const carrierApiKeys = pgTable(
  "carrier_api_keys",
  {
    id: id(),
    carrierCode: text("carrier_code")
      .notNull()
      .references(() => carriers.code),
    label: text("label").notNull(),
    /** The first characters of the key, shown so people can tell keys apart. Not enough to use it. */
    keyPrefix: text("key_prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    createdAt: createdAt(),
    createdBy: uuid("created_by"),
    lastUsedAt: at("last_used_at"),
    revokedAt: at("revoked_at"),
    revokedBy: uuid("revoked_by"),
  },
  (t) => [uniqueIndex("uq_carrier_api_keys_hash").on(t.keyHash), index("idx_carrier_api_keys_carrier").on(t.carrierCode)],
);

/** Carrier staff who use the /carrier pages. Separate from operators: own table, sessions and cookie. */
export const carrierUsers = pgTable(
  "carrier_users",
  {
    id: id(),
    carrierCode: text("carrier_code")
      .notNull()
      .references(() => carriers.code),
    username: text("username").notNull(),
    displayName: text("display_name").notNull(),
    passwordHash: text("password_hash").notNull(),
    /** Second factor, as for operators (app/lib/totp.server.ts): the secret is sealed. */
    totpSecretEnc: text("totp_secret_enc"),
    totpEnrolledAt: at("totp_enrolled_at"),
    /** The last 30-second TOTP step accepted: a code is good once. */
    totpLastStep: bigint("totp_last_step", { mode: "number" }),
    failedLogins: integer("failed_logins").notNull().default(0),
    lockedUntil: at("locked_until"),
    disabledAt: at("disabled_at"),
    createdAt: createdAt(),
    createdBy: uuid("created_by"),
  },
  (t) => [uniqueIndex("uq_carrier_users_username").on(t.username), index("idx_carrier_users_carrier").on(t.carrierCode)],
);

export const carrierSessions = pgTable(
  "carrier_sessions",
  {
    id: id(),
    tokenHash: text("token_hash").notNull(),
    carrierUserId: uuid("carrier_user_id")
      .notNull()
      .references(() => carrierUsers.id),
    createdAt: createdAt(),
    lastSeenAt: at("last_seen_at").notNull().defaultNow(),
    expiresAt: at("expires_at").notNull(),
    revokedAt: at("revoked_at"),
    ipHash: text("ip_hash"),
  },
  (t) => [uniqueIndex("uq_carrier_sessions_token_hash").on(t.tokenHash), index("idx_carrier_sessions_user").on(t.carrierUserId)],
);

/** Every attempt to push a batch to a carrier's endpoint, successful or not. */
export const carrierPushAttempts = pgTable(
  "carrier_push_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    batchId: uuid("batch_id")
      .notNull()
      .references(() => carrierBatches.id),
    carrierCode: text("carrier_code").notNull(),
    attempt: integer("attempt").notNull(),
    startedAt: at("started_at").notNull(),
    finishedAt: at("finished_at"),
    /** 'delivered', 'http_error', 'network_error', 'timeout', 'not_configured'. */
    outcome: text("outcome").notNull(),
    httpStatus: integer("http_status"),
    /** Error class and code only; never a response body. */
    error: text("error"),
    durationMs: integer("duration_ms"),
  },
  (t) => [index("idx_carrier_push_attempts_batch").on(t.batchId, t.attempt)],
);

/** Result files received (through the API or the carrier pages), applied or rejected whole. */
export const carrierResultUploads = pgTable(
  "carrier_result_uploads",
  {
    id: id(),
    batchId: uuid("batch_id")
      .notNull()
      .references(() => carrierBatches.id),
    carrierCode: text("carrier_code").notNull(),
    /** 'api-key:<id>' or 'carrier-user:<id>'. */
    actor: text("actor").notNull(),
    format: text("format").notNull(),
    sha256: text("sha256").notNull(),
    status: text("status").notNull(),
    recordCount: integer("record_count").notNull().default(0),
    appliedCount: integer("applied_count").notNull().default(0),
    unchangedCount: integer("unchanged_count").notNull().default(0),
    errorCount: integer("error_count").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index("idx_carrier_result_uploads_batch").on(t.batchId, t.createdAt),
    check("ck_carrier_result_uploads_status", sql`${t.status} in ('applied','rejected')`),
  ],
);

/**
 * What the dispatch could not settle by itself: a rejection with nowhere else to send it, no carrier
 * claiming an inquiry, two carriers claiming one, an application that can no longer be routed. Shown
 * in the back office until an operator resolves it. `dedupe_key` keeps a retried job from adding a
 * second row for the same problem.
 */
export const carrierExceptions = pgTable(
  "carrier_exceptions",
  {
    id: id(),
    dedupeKey: text("dedupe_key").notNull(),
    kind: text("kind").notNull(),
    applicationId: uuid("application_id"),
    cancellationId: uuid("cancellation_id"),
    orderId: uuid("order_id").references(() => carrierOrders.id),
    carrierCode: text("carrier_code"),
    reasonCode: text("reason_code"),
    /** Codes, ids and scopes only: no personal data. */
    detail: jsonb("detail").notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
    resolvedAt: at("resolved_at"),
    resolvedBy: uuid("resolved_by"),
    resolution: text("resolution"),
    /** The operator's free-text note on the resolution: may name people, so it is sealed. */
    resolutionNoteEnc: text("resolution_note_enc"),
    /** LEGACY, always NULL: sealed into resolution_note_enc at start. */
    resolutionNotePlainLegacy: text("resolution_note"),
  },
  (t) => [
    uniqueIndex("uq_carrier_exceptions_dedupe").on(t.dedupeKey),
    check("ck_carrier_exceptions_resolution_note_sealed", sql`${t.resolutionNotePlainLegacy} is null`),
    index("idx_carrier_exceptions_open").on(t.resolvedAt, t.createdAt),
    index("idx_carrier_exceptions_application").on(t.applicationId),
  ],
);
