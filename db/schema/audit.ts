import { bigserial, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
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
