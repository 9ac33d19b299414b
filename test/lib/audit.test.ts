import { sql } from "drizzle-orm";
import { auditLog } from "../../db/schema";
import { auditRowHash, canonicalJson, GENESIS_HASH } from "../../app/lib/audit.server";
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
    const rows = await services.db.select().from(auditLog).orderBy(auditLog.id);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(rows[0]!.ipHash).not.toContain("10.0.0.1");
    expect(await services.audit.verifyChain()).toEqual({ ok: true, rows: 5 });
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
      const rows = await fresh.db.select().from(auditLog).orderBy(auditLog.id);
      await fresh.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
      await fresh.db.execute(sql`delete from audit_log where id = ${rows[1]!.id}`);
      await fresh.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
      expect(await fresh.audit.verifyChain()).toMatchObject({ ok: false, brokenAtId: rows[2]!.id, reason: "prev_hash does not match the previous row" });
    } finally {
      await fresh.close();
    }
  });
});
