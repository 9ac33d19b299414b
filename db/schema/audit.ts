import { bigint, bigserial, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { at } from "./columns";

/**
 * Append-only, hash-chained record of every view and change of personal data: who, what, when, from
 * where. Each row's hash covers its content and the previous row's hash, so editing or deleting a row
 * breaks the chain from that row on. `detail` holds ids and field names, never the values.
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
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    index("idx_audit_log_subject").on(t.subjectType, t.subjectId),
    index("idx_audit_log_actor").on(t.actor, t.at),
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
