/**
 * The audit log: who did what to which record, when and from where. Append-only (a database trigger
 * refuses UPDATE, DELETE and TRUNCATE) and hash-chained: each row's hash covers its content and the
 * previous row's hash, so a row edited by someone who can bypass the trigger breaks the chain from
 * there on.
 *
 * Writing and chaining are apart (ADR 023, issue 18): `record` inserts the row in the caller's
 * transaction with no lock, so audited changes run side by side; `chainPending` — the sequencer, one
 * at a time under an advisory lock, run every minute by the workers and before every anchor and
 * check — gives the committed unchained rows their place in the chain and their hashes. A row can
 * only be removed without a trace in the minute before it is chained, by someone who can also
 * switch the trigger off.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { asc, desc, gt, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { auditAnchors, auditLog } from "../../db/schema";
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
/** Held by the chain sequencer (and the anchor): one chainer at a time, so the chain stays one line. */
const AUDIT_LOCK_ID = 7_402_118_012;
/** Rows chained per statement by the sequencer. */
const CHAIN_BATCH = 500;

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

/**
 * A signed snapshot of the chain head (issue 12): the newest row's id and hash and how many rows there
 * were. Written to audit_anchors and to the log by the scheduled job (workers/schedules.ts), so that
 * rows deleted from the end of the chain — which leave a shorter chain that is still valid — are
 * detected: the chain check finds the anchored head missing or the count short.
 */
export type AuditAnchor = { headId: number; headHash: string; rowCount: number; at: string; signature: string };

export type ChainResult = { ok: true; rows: number; anchor?: { headId: number; at: string } } | { ok: false; rows: number; brokenAtId: number; reason: string };

export type Audit = {
  /** Inserts the row (unchained) in `tx`, or in its own transaction. Takes no lock. */
  record(entry: AuditEntry, tx?: DbOrTx): Promise<void>;
  /**
   * The sequencer: chains every committed unchained row, oldest id first, after the current head.
   * Returns how many rows it chained. Safe to run from several processes (they take turns).
   */
  chainPending(): Promise<number>;
  /**
   * Walks the whole chain, then checks it against the latest anchor in audit_anchors, or against
   * `options.anchor` (one copied from the log, which the database cannot rewrite).
   */
  verifyChain(options?: { anchor?: AuditAnchor }): Promise<ChainResult>;
  /** Signs and stores the current head (null when the log is empty). */
  anchorHead(): Promise<AuditAnchor | null>;
};

/**
 * Runs a change and writes its audit row in the same transaction (issue 12): `work` gets the services
 * with `db` bound to the transaction (so a service function written for `services.db` writes in it),
 * and `entry` says what to record for the result — or null (a refusal that changed nothing). If the
 * audit row cannot be written, the change is rolled back with it.
 */
export async function auditedChange<S extends { db: Db; audit: Audit }, T>(services: S, work: (inTx: S) => Promise<T>, entry: (result: T) => AuditEntry | null): Promise<T> {
  return services.db.transaction(async (tx) => {
    const result = await work({ ...services, db: tx as unknown as Db });
    const record = entry(result);
    if (record) await services.audit.record(record, tx);
    return result;
  });
}

/** The anchor key: derived from the hash key (a secret the database never holds), for this use only. */
function anchorKey(hashKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", hashKey, Buffer.alloc(0), "kokusai audit anchor v1", 32));
}

export function anchorSignature(key: Buffer, a: Omit<AuditAnchor, "signature">): string {
  return createHmac("sha256", key).update(`audit-anchor:v1:${a.headId}:${a.headHash}:${a.rowCount}:${a.at}`).digest("hex");
}

function signatureValid(key: Buffer, a: AuditAnchor): boolean {
  const expected = Buffer.from(anchorSignature(key, a), "hex");
  const given = Buffer.from(a.signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function createAudit(deps: { db: Db; pii: PiiCipher; hashKey?: Buffer }): Audit {
  const { db, pii } = deps;
  const key = deps.hashKey ? anchorKey(deps.hashKey) : null;

  async function append(tx: DbOrTx, entry: AuditEntry) {
    await tx.insert(auditLog).values({
      // Millisecond precision survives the round trip through timestamptz exactly.
      at: new Date(),
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId ?? null,
      ipHash: entry.ip ? pii.searchHash(`ip:${entry.ip}`) : null,
      detail: (entry.detail ?? {}) as object,
    });
  }

  /** Chains up to `limit` unchained rows after the head, in `tx` (which holds the sequencer lock). */
  async function chainBatch(tx: DbOrTx, limit: number): Promise<number> {
    const [head] = await tx
      .select({ seq: auditLog.chainSeq, hash: auditLog.hash })
      .from(auditLog)
      .where(isNotNull(auditLog.chainSeq))
      .orderBy(desc(auditLog.chainSeq))
      .limit(1);
    const pending = await tx.select().from(auditLog).where(isNull(auditLog.chainSeq)).orderBy(asc(auditLog.id)).limit(limit);
    if (pending.length === 0) return 0;
    let prevHash = head?.hash ?? GENESIS_HASH;
    let seq = head?.seq ?? 0;
    const filled = pending.map((row) => {
      seq += 1;
      const hash = auditRowHash(prevHash, row);
      const fill = sql`(${row.id}::bigint, ${prevHash}, ${hash}, ${seq}::bigint)`;
      prevHash = hash;
      return fill;
    });
    await tx.execute(sql`
      update audit_log as a set prev_hash = v.prev_hash, hash = v.hash, chain_seq = v.chain_seq
      from (values ${sql.join(filled, sql`, `)}) as v(id, prev_hash, hash, chain_seq)
      where a.id = v.id and a.chain_seq is null`);
    return pending.length;
  }

  async function chainAll(tx: DbOrTx): Promise<number> {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_ID})`);
    let total = 0;
    for (;;) {
      const n = await chainBatch(tx, CHAIN_BATCH);
      total += n;
      if (n < CHAIN_BATCH) return total;
    }
  }

  return {
    async record(entry, tx) {
      if (tx) return append(tx, entry);
      await append(db, entry);
    },
    async chainPending() {
      return db.transaction((tx) => chainAll(tx));
    },
    async anchorHead() {
      if (!key) throw new Error("audit anchors need the hash key");
      return db.transaction(async (tx) => {
        // Chained first, under the sequencer's lock: the head and the count belong to one moment of the chain.
        await chainAll(tx);
        const [head] = await tx
          .select({ id: auditLog.id, hash: auditLog.hash, seq: auditLog.chainSeq })
          .from(auditLog)
          .where(isNotNull(auditLog.chainSeq))
          .orderBy(desc(auditLog.chainSeq))
          .limit(1);
        if (!head?.hash || head.seq === null) return null;
        const [counted] = await tx.select({ n: sql<number>`count(*)::bigint` }).from(auditLog).where(isNotNull(auditLog.chainSeq));
        const unsigned = { headId: head.id, headHash: head.hash, rowCount: Number(counted?.n ?? 0), at: new Date().toISOString() };
        const anchor: AuditAnchor = { ...unsigned, signature: anchorSignature(key, unsigned) };
        await tx.insert(auditAnchors).values({ ...unsigned, at: new Date(unsigned.at), signature: anchor.signature });
        return anchor;
      });
    },
    async verifyChain(options = {}) {
      // What has committed is chained first, so the check covers every row written until now.
      await db.transaction((tx) => chainAll(tx));
      let anchor: AuditAnchor | null = options.anchor ?? null;
      if (!anchor) {
        const [latest] = await db.select().from(auditAnchors).orderBy(desc(auditAnchors.id)).limit(1);
        if (latest) anchor = { headId: latest.headId, headHash: latest.headHash, rowCount: latest.rowCount, at: latest.at.toISOString(), signature: latest.signature };
      }
      if (anchor && key && !signatureValid(key, anchor)) return { ok: false, rows: 0, brokenAtId: anchor.headId, reason: "the anchor's signature is not valid" };
      let prevHash = GENESIS_HASH;
      let lastSeq = 0;
      let rows = 0;
      let anchorSeen = false;
      // Page through the log so a large log does not have to fit in memory.
      for (;;) {
        const page = await db.select().from(auditLog).where(gt(auditLog.chainSeq, lastSeq)).orderBy(asc(auditLog.chainSeq)).limit(1000);
        if (page.length === 0) {
          if (anchor && !anchorSeen) {
            return { ok: false, rows, brokenAtId: anchor.headId, reason: "rows up to the anchored head are missing (the end of the log was deleted)" };
          }
          return anchor ? { ok: true, rows, anchor: { headId: anchor.headId, at: anchor.at } } : { ok: true, rows };
        }
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
          lastSeq = row.chainSeq!;
          if (anchor && row.id === anchor.headId) {
            anchorSeen = true;
            if (row.hash !== anchor.headHash) return { ok: false, rows, brokenAtId: row.id, reason: "the anchored head's hash does not match" };
            if (rows !== anchor.rowCount) return { ok: false, rows, brokenAtId: row.id, reason: "fewer rows than anchored up to the anchored head" };
          } else if (anchor && !anchorSeen && rows > anchor.rowCount) {
            return { ok: false, rows, brokenAtId: anchor.headId, reason: "the anchored head is missing" };
          }
        }
      }
    },
  };
}
