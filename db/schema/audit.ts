import { bigint, bigserial, check, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { at } from "./columns";

/**
 * Append-only, hash-chained record of every view and change of personal data: who, what, when, from
 * where. `detail` holds ids and field names, never the values.
 *
 * Rows are inserted unchained, in the transaction of the change they record, with no lock; the chain
 * sequencer (audit.server.ts chainPending, a scheduled job) later gives each row its place
 * (`chain_seq`), the previous row's hash and its own (ADR 023). After that, editing or deleting a row
 * breaks the chain from that row on. The database refuses every UPDATE and DELETE except that one fill.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: at("at").notNull().defaultNow(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    subjectType: text("subject_type").notNull(),
    subjectId: text("subject_id"),
    ipHash: text("ip_hash"),
    detail: jsonb("detail").notNull().default(sql`'{}'::jsonb`),
    /** Null until the sequencer chains the row; then the hash of the row before it in the chain. */
    prevHash: text("prev_hash"),
    /** Null until chained: sha256(prev_hash, canonical content). */
    hash: text("hash"),
    /** The row's place in the chain (1, 2, …), given by the sequencer; null until chained. */
    chainSeq: bigint("chain_seq", { mode: "number" }),
  },
  (t) => [
    index("idx_audit_log_subject").on(t.subjectType, t.subjectId),
    /** The auditor's filters, newest first (ORDER BY id DESC): by actor, by action, by period. */
    index("idx_audit_log_actor").on(t.actor, t.id),
    index("idx_audit_log_action").on(t.action, t.id),
    index("idx_audit_log_at").on(t.at),
    uniqueIndex("idx_audit_log_chain_seq").on(t.chainSeq),
    index("idx_audit_log_unchained").on(t.id).where(sql`${t.chainSeq} is null`),
    check("ck_audit_log_chained", sql`(${t.chainSeq} is null) = (${t.hash} is null) and (${t.chainSeq} is null) = (${t.prevHash} is null)`),
  ],
);

/**
 * Signed snapshots of the chain head (issue 12): a scheduled job records the newest row's id and hash
 * and the number of rows, signed with the audit anchor key, here and in the log (which the database
 * cannot rewrite). The chain check compares the table with the latest anchor, so rows deleted from the
 * end of the chain are detected. Append-only, like the log itself.
 */
export const auditAnchors = pgTable("audit_anchors", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  at: at("at").notNull().defaultNow(),
  headId: bigint("head_id", { mode: "number" }).notNull(),
  headHash: text("head_hash").notNull(),
  rowCount: bigint("row_count", { mode: "number" }).notNull(),
  /** HMAC-SHA256 over "audit-anchor:v1:<headId>:<headHash>:<rowCount>:<at ISO>" (see audit.server.ts). */
  signature: text("signature").notNull(),
});
