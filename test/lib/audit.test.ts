import { sql } from "drizzle-orm";
import { auditAnchors, auditLog } from "../../db/schema";
import { anchorSignature, auditRowHash, canonicalJson, GENESIS_HASH, type AuditAnchor } from "../../app/lib/audit.server";
import { JOB_NAMES } from "../../app/lib/jobs";
import type { Logger } from "../../app/lib/logger.server";
import { HANDLERS } from "../../workers/handlers";
import { SCHEDULES } from "../../workers/schedules";
import { createTestServices, type TestServices } from "../support/services";

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(async () => {
  await services.close();
});

describe("audit log", () => {
  it("canonical JSON ignores key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it("chains rows and verifies the chain", async () => {
    for (let i = 0; i < 5; i++) {
      await services.audit.record({ actor: "operator:1", action: "application.view", subjectType: "application", subjectId: `a${i}`, ip: "10.0.0.1", detail: { fields: ["name"], i } });
    }
    // Written unchained, with no lock (ADR 023); the sequencer chains them in id order.
    expect((await services.db.select().from(auditLog)).every((row) => row.chainSeq === null && row.hash === null)).toBe(true);
    expect(await services.audit.chainPending()).toBe(5);
    expect(await services.audit.chainPending()).toBe(0);
    const rows = await services.db.select().from(auditLog).orderBy(auditLog.chainSeq);
    expect(rows.map((r) => r.chainSeq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(rows[0]!.ipHash).not.toContain("10.0.0.1");
    expect(await services.audit.verifyChain()).toEqual({ ok: true, rows: 5 });
  });

  it("lets only the sequencer fill an unchained row's place and hashes, never its content", async () => {
    await services.audit.record({ actor: "system", action: "test.fill", subjectType: "test" });
    const [row] = await services.db.select().from(auditLog).where(sql`${auditLog.chainSeq} is null`);
    const refusal = (statement: ReturnType<typeof sql>) =>
      services.db.execute(statement).then(
        () => "accepted",
        (e: Error & { cause?: Error }) => `${e.message} ${e.cause?.message ?? ""}`,
      );
    // A fill that also changes what the row says is refused; so is any change of a chained row.
    expect(await refusal(sql`update audit_log set chain_seq = 1000000, prev_hash = 'p', hash = 'h', actor = 'operator:x' where id = ${row!.id}`)).toMatch(/append-only/);
    expect(await refusal(sql`update audit_log set prev_hash = 'p' where chain_seq = 1`)).toMatch(/append-only/);
    // Hashes without a place (or a place without hashes) are refused by the table's check.
    expect(await refusal(sql`insert into audit_log (actor, action, subject_type, prev_hash, hash) values ('system', 'test', 'test', 'p', 'h')`)).toMatch(/ck_audit_log_chained/);
    expect(await services.audit.chainPending()).toBe(1);
    expect((await services.audit.verifyChain()).ok).toBe(true);
  });

  it("keeps the chain linear under concurrent writers", async () => {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => services.audit.record({ actor: "system", action: "test.concurrent", subjectType: "test", subjectId: String(i) })),
    );
    expect((await services.audit.verifyChain()).ok).toBe(true);
  });

  it("detects a tampered row", async () => {
    const [victim] = await services.db.select().from(auditLog).orderBy(auditLog.id).limit(1).offset(2);
    // Someone with the power to switch the trigger off edits a row.
    await services.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await services.db.execute(sql`update audit_log set actor = 'operator:someone-else' where id = ${victim!.id}`);
    await services.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    const result = await services.audit.verifyChain();
    expect(result).toMatchObject({ ok: false, brokenAtId: victim!.id, reason: "row content does not match its hash" });
  });

  it("detects a deleted row", async () => {
    const fresh = await createTestServices();
    try {
      for (let i = 0; i < 4; i++) await fresh.audit.record({ actor: "system", action: "test.delete", subjectType: "test", subjectId: String(i) });
      await fresh.audit.chainPending();
      const rows = await fresh.db.select().from(auditLog).orderBy(auditLog.id);
      await fresh.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
      await fresh.db.execute(sql`delete from audit_log where id = ${rows[1]!.id}`);
      await fresh.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
      expect(await fresh.audit.verifyChain()).toMatchObject({ ok: false, brokenAtId: rows[2]!.id, reason: "prev_hash does not match the previous row" });
    } finally {
      await fresh.close();
    }
  });

  it("refuses TRUNCATE, UPDATE and DELETE on the log and on its anchors (issue 12)", async () => {
    await services.audit.record({ actor: "system", action: "test.truncate", subjectType: "test" });
    const refusal = async (statement: ReturnType<typeof sql>) => {
      const error = await services.db.execute(statement).then(() => null, (e: Error & { cause?: Error }) => e);
      return error ? `${error.message} ${error.cause?.message ?? ""}` : "accepted";
    };
    expect(await refusal(sql`truncate audit_log`)).toMatch(/audit_log is append-only/);
    expect(await refusal(sql`delete from audit_log`)).toMatch(/audit_log is append-only/);
    expect(await refusal(sql`update audit_log set actor = 'x'`)).toMatch(/audit_log is append-only/);
    expect(await services.audit.anchorHead()).not.toBeNull();
    expect(await refusal(sql`truncate audit_anchors`)).toMatch(/audit_anchors is append-only/);
    expect(await refusal(sql`delete from audit_anchors`)).toMatch(/audit_anchors is append-only/);
    expect(await refusal(sql`update audit_anchors set row_count = 1`)).toMatch(/audit_anchors is append-only/);
  });
});

describe("audit chain anchors (issue 12)", () => {
  let fresh: TestServices;
  beforeEach(async () => {
    fresh = await createTestServices();
  });
  afterEach(async () => {
    await fresh.close();
  });

  /** Someone who can switch the triggers off deletes the newest rows: what is left is still a valid chain. */
  async function deleteTail(count: number) {
    const rows = await fresh.db.select().from(auditLog).orderBy(auditLog.id);
    const from = rows[rows.length - count]!.id;
    await fresh.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await fresh.db.execute(sql`delete from audit_log where id >= ${from}`);
    await fresh.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
  }

  it("the scheduled job signs the head into audit_anchors and the log, with no personal data", async () => {
    expect(SCHEDULES.some((s) => s.name === JOB_NAMES.anchorAuditChain)).toBe(true);
    for (let i = 0; i < 3; i++) await fresh.audit.record({ actor: "operator:1", action: "application.view", subjectType: "application", subjectId: `a${i}`, ip: "10.0.0.9" });
    const lines: unknown[] = [];
    const logger = { info: (obj: unknown) => lines.push(obj), debug: () => {}, warn: () => {}, error: () => {} } as unknown as Logger;
    await HANDLERS[JOB_NAMES.anchorAuditChain]({ ...fresh, logger }, {});
    const [head] = await fresh.db.select().from(auditLog).orderBy(sql`${auditLog.id} desc`).limit(1);
    const anchors = await fresh.db.select().from(auditAnchors);
    expect(anchors).toHaveLength(1);
    expect(anchors[0]).toMatchObject({ headId: head!.id, headHash: head!.hash, rowCount: 3 });
    expect(lines).toHaveLength(1);
    const logged = (lines[0] as { auditAnchor: AuditAnchor }).auditAnchor;
    expect(logged).toEqual({ headId: head!.id, headHash: head!.hash, rowCount: 3, at: anchors[0]!.at.toISOString(), signature: anchors[0]!.signature });
    expect(JSON.stringify(lines[0])).not.toContain("10.0.0.9");
    expect(await fresh.audit.verifyChain()).toMatchObject({ ok: true, rows: 3, anchor: { headId: head!.id } });
  });

  it("detects a deleted tail against the latest anchor (today's check passed it)", async () => {
    for (let i = 0; i < 5; i++) await fresh.audit.record({ actor: "system", action: "test.tail", subjectType: "test", subjectId: String(i) });
    const anchor = (await fresh.audit.anchorHead())!;
    await fresh.audit.record({ actor: "system", action: "test.tail", subjectType: "test", subjectId: "after" });
    expect((await fresh.audit.verifyChain()).ok).toBe(true);
    await deleteTail(3);
    expect(await fresh.audit.verifyChain()).toMatchObject({ ok: false, brokenAtId: anchor.headId });
  });

  it("detects it with an anchor copied from the log, when the anchors table was emptied too", async () => {
    for (let i = 0; i < 4; i++) await fresh.audit.record({ actor: "system", action: "test.tail", subjectType: "test", subjectId: String(i) });
    const fromLog = (await fresh.audit.anchorHead())!;
    await deleteTail(1);
    await fresh.db.execute(sql`alter table audit_anchors disable trigger user`);
    await fresh.db.execute(sql`delete from audit_anchors`);
    await fresh.db.execute(sql`alter table audit_anchors enable trigger user`);
    expect((await fresh.audit.verifyChain()).ok).toBe(true);
    expect(await fresh.audit.verifyChain({ anchor: fromLog })).toMatchObject({ ok: false, brokenAtId: fromLog.headId });
  });

  it("refuses an anchor whose signature was not made with the centre's key", async () => {
    for (let i = 0; i < 2; i++) await fresh.audit.record({ actor: "system", action: "test.forge", subjectType: "test", subjectId: String(i) });
    const real = (await fresh.audit.anchorHead())!;
    await deleteTail(1);
    const [head] = await fresh.db.select().from(auditLog).orderBy(sql`${auditLog.id} desc`).limit(1);
    // Whoever deleted the tail writes a matching anchor, but cannot sign it with the centre's key.
    const forged = { headId: head!.id, headHash: head!.hash!, rowCount: 1, at: real.at };
    await fresh.db.insert(auditAnchors).values({ ...forged, at: new Date(forged.at), signature: anchorSignature(Buffer.alloc(32, 7), forged) });
    expect(await fresh.audit.verifyChain()).toMatchObject({ ok: false, reason: "the anchor's signature is not valid" });
  });
});
