/**
 * The audit log: who did what to which record, when and from where. Append-only (a database trigger
 * refuses UPDATE and DELETE) and hash-chained: each row's hash covers its content and the previous
 * row's hash, so a row edited by someone who can bypass the trigger breaks the chain from there on.
 */
import { createHash } from "node:crypto";
import { asc, desc, gt, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { auditLog } from "../../db/schema";
import type { PiiCipher } from "./pii.server";

export type AuditEntry = {
  /** 'operator:<id>', 'applicant', 'system', 'carrier:<code>', 'ivr'. */
  actor: string;
  /** A verb such as 'application.view', 'application.create', 'outbox.view', 'operator.login'. */
  action: string;
  subjectType: string;
  subjectId?: string | null;
  ip?: string | null;
  /** Ids, field names and counts only — never the personal data itself. */
  detail?: Record<string, unknown>;
};

export const GENESIS_HASH = "0".repeat(64);
/** Serialises appends so the chain stays a single line even with many writers. */
const AUDIT_LOCK_ID = 7_402_118_012;

/** JSON with sorted keys: jsonb does not keep key order, and the hash must be recomputable. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

type HashedFields = {
  at: Date;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  ipHash: string | null;
  detail: unknown;
};

export function auditRowHash(prevHash: string, row: HashedFields): string {
  const content = canonicalJson({
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    ipHash: row.ipHash,
    detail: row.detail,
  });
  return createHash("sha256").update(prevHash).update("\n").update(content).digest("hex");
}

export type Audit = {
  record(entry: AuditEntry, tx?: DbOrTx): Promise<void>;
  verifyChain(): Promise<{ ok: true; rows: number } | { ok: false; rows: number; brokenAtId: number; reason: string }>;
};

export function createAudit(deps: { db: Db; pii: PiiCipher }): Audit {
  const { db, pii } = deps;

  async function append(tx: DbOrTx, entry: AuditEntry) {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_ID})`);
    const last = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    const prevHash = last[0]?.hash ?? GENESIS_HASH;
    const row: HashedFields = {
      // Millisecond precision survives the round trip through timestamptz exactly.
      at: new Date(),
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId ?? null,
      ipHash: entry.ip ? pii.searchHash(`ip:${entry.ip}`) : null,
      detail: entry.detail ?? {},
    };
    await tx.insert(auditLog).values({ ...row, detail: row.detail as object, prevHash, hash: auditRowHash(prevHash, row) });
  }

  return {
    async record(entry, tx) {
      if (tx) return append(tx, entry);
      await db.transaction((t) => append(t, entry));
    },
    async verifyChain() {
      let prevHash = GENESIS_HASH;
      let lastId = 0;
      let rows = 0;
      // Page through the log so a large log does not have to fit in memory.
      for (;;) {
        const page = await db.select().from(auditLog).where(gt(auditLog.id, lastId)).orderBy(asc(auditLog.id)).limit(1000);
        if (page.length === 0) return { ok: true, rows };
        for (const row of page) {
          rows++;
          if (row.prevHash !== prevHash) return { ok: false, rows, brokenAtId: row.id, reason: "prev_hash does not match the previous row" };
          const expected = auditRowHash(prevHash, {
            at: row.at,
            actor: row.actor,
            action: row.action,
            subjectType: row.subjectType,
            subjectId: row.subjectId,
            ipHash: row.ipHash,
            detail: row.detail,
          });
          if (expected !== row.hash) return { ok: false, rows, brokenAtId: row.id, reason: "row content does not match its hash" };
          prevHash = row.hash;
          lastId = row.id;
        }
      }
    },
  };
}
