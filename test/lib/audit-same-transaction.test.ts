/**
 * Issue 12, point 7: the audit row of a change is written by the service, in the same transaction as
 * the change. Proof: when the audit row cannot be written, the change is not there either. (Before,
 * the routes wrote the audit row after the change had committed: a claim, a sign-out, a failed
 * look-up's count stayed without their record.)
 */
import { eq, sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { applications, lines, outbox, paperIntakes, rateLimitEvents, sessions, verifications, workClaims } from "../../db/schema";
import { entrySchema, resendEntryCall, submitEntry } from "../../app/lib/entry.server";
import { requestBatchCut } from "../../app/lib/carrier-registry.server";
import { ingestFile } from "../../app/lib/paper-intake.server";
import { goodPng } from "../ocr/hostile-files";
import { checkPassword, signOut, startSession } from "../../app/lib/auth.server";
import { claimItemAudited, releaseItemAudited, claimItem } from "../../app/lib/claims.server";
import { lookupStatus } from "../../app/lib/status-lookup.server";
import { STATUS_LOOKUP_LIMIT } from "../../app/lib/rate-limit.server";
import { createOperator, TEST_PASSWORD } from "../support/ops";
import { createTestServices, loadContext, type TestServices } from "../support/services";

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
  // A test-only guard: audit rows whose action is listed in test_refused_audit cannot be inserted.
  await services.db.execute(sql`create table test_refused_audit (action text primary key)`);
  await services.db.execute(sql.raw(`
    create function test_refuse_audit() returns trigger as $$
    begin
      if exists (select 1 from test_refused_audit where action = new.action) then raise exception 'audit row refused (test)'; end if;
      return new;
    end $$ language plpgsql`));
  await services.db.execute(sql`create trigger test_refuse_audit before insert on audit_log for each row execute function test_refuse_audit()`);
});
afterAll(async () => {
  await services.close();
});

async function refuseAudit(action: string, work: () => Promise<unknown>): Promise<unknown> {
  await services.db.execute(sql`insert into test_refused_audit (action) values (${action})`);
  try {
    return await work().then(
      () => "completed",
      (error: Error & { cause?: Error }) => `${error.message} ${error.cause?.message ?? ""}`,
    );
  } finally {
    await services.db.execute(sql`delete from test_refused_audit`);
  }
}

describe("audit rows in the same transaction as the change (issue 12)", () => {
  it("a queue claim and a release do not happen without their audit rows", async () => {
    const operator = await createOperator(services, { username: "same-tx-claim", role: "operator" });
    const item = { itemType: "application", itemId: "00000000-0000-4000-8000-000000000001", operatorId: operator.id, audit: { subjectType: "application", ip: "10.0.0.1" } };
    expect(await refuseAudit("queue.claim", () => claimItemAudited(services, item))).toMatch(/audit row refused/);
    expect(await services.db.select().from(workClaims).where(eq(workClaims.itemId, item.itemId))).toHaveLength(0);

    expect(await claimItemAudited(services, item)).toMatchObject({ ok: true });
    expect(await refuseAudit("queue.release", () => releaseItemAudited(services, item))).toMatch(/audit row refused/);
    expect(await services.db.select().from(workClaims).where(eq(workClaims.itemId, item.itemId))).toHaveLength(1);
    expect(await releaseItemAudited(services, item)).toBe(true);
    // The plain helper still works inside a caller's own transaction.
    expect(await claimItem(services, item)).toMatchObject({ ok: true });
  });

  it("a wrong password is not counted without its audit row; a sign-out does not happen without it", async () => {
    const operator = await createOperator(services, { username: "same-tx-login", role: "operator" });
    const context = loadContext(services, "10.0.0.2");
    const failures = async () => (await services.database.sql<{ n: number }>("select failed_logins as n from operators where id = $1", [operator.id]))[0]!.n;
    expect(await refuseAudit("operator.login_failed", () => checkPassword(context, "same-tx-login", "wrong-password"))).toMatch(/audit row refused/);
    expect(await failures()).toBe(0);
    expect(await checkPassword(context, "same-tx-login", "wrong-password")).toEqual({ ok: false, reason: "invalid" });
    expect(await failures()).toBe(1);
    expect(await checkPassword(context, "same-tx-login", TEST_PASSWORD)).toEqual({ ok: true, operatorId: operator.id });

    await startSession(context, operator.id);
    const [session] = await services.db.select().from(sessions).where(eq(sessions.operatorId, operator.id));
    expect(await refuseAudit("operator.logout", () => signOut(context, { id: operator.id, sessionId: session!.id }))).toMatch(/audit row refused/);
    expect((await services.db.select().from(sessions).where(eq(sessions.id, session!.id)))[0]!.revokedAt).toBeNull();
    await signOut(context, { id: operator.id, sessionId: session!.id });
    expect((await services.db.select().from(sessions).where(eq(sessions.id, session!.id)))[0]!.revokedAt).not.toBeNull();
  });

  it("an application keyed by an operator is not stored without its audit row (entry.submit)", async () => {
    const values = entrySchema.parse({ token: randomUUID(), number: "0312348888", relation: "self", kanji: "山田 花子", kana: "ヤマダ ハナコ", scopes: ["incoming"], postalCode: "100-0001", address: "東京都千代田区千代田1-1", choice: "kddi" });
    const input = { operatorId: randomUUID(), values, ip: "10.0.0.4" };
    expect(await refuseAudit("entry.submit", () => submitEntry(services, input))).toMatch(/audit row refused/);
    const stored = () => services.db.select().from(applications).innerJoin(lines, eq(lines.id, applications.lineId)).where(eq(lines.e164, "+81312348888"));
    expect(await stored()).toHaveLength(0);
    expect((await submitEntry(services, input)).kind).toBe("created");
    expect(await stored()).toHaveLength(1);
  });

  it("an operator's second call-back for a keyed application is not placed without its audit row (entry.callback_resend)", async () => {
    const values = entrySchema.parse({ token: randomUUID(), number: "0312348877", relation: "self", kanji: "山田 太郎", kana: "ヤマダ タロウ", scopes: ["incoming"], postalCode: "100-0001", address: "東京都千代田区千代田1-1", choice: "kddi" });
    const created = await submitEntry(services, { operatorId: randomUUID(), values, ip: "10.0.0.4" });
    if (created.kind !== "created") throw new Error(`entry not created: ${created.kind}`);
    const calls = async () =>
      (await services.db.select({ id: outbox.id }).from(outbox).innerJoin(verifications, eq(verifications.id, outbox.verificationId)).where(eq(verifications.applicationId, created.applicationId))).length;
    const before = await calls();
    services.clock.advance(3 * 60_000); // past the gap between two calls of one verification
    const input = { applicationId: created.applicationId, operatorId: randomUUID(), ip: "10.0.0.5" };
    expect(await refuseAudit("entry.callback_resend", () => resendEntryCall(services, input))).toMatch(/audit row refused/);
    expect(await calls()).toBe(before);
    expect(await resendEntryCall(services, input)).toEqual({ ok: true });
    expect(await calls()).toBe(before + 1);
  });

  it("an admin's 「今すぐバッチを作る」 is not queued without its audit row (carrier.batch.cut_requested)", async () => {
    const jobs = async () => (await services.database.sql<{ n: number }>("select count(*)::int as n from pgboss.job where name = 'carriers.cut' and data->>'carrierCode' = 'kddi'"))[0]!.n;
    const before = await jobs();
    const input = { carrierCode: "kddi", operatorId: randomUUID(), ip: "10.0.0.6" };
    expect(await refuseAudit("carrier.batch.cut_requested", () => requestBatchCut(services, input))).toMatch(/audit row refused/);
    expect(await jobs()).toBe(before);
    await requestBatchCut(services, input);
    expect(await jobs()).toBe(before + 1);
  });

  it("a page taken in (upload or FAX folder) is not stored without its audit row (paper.upload)", async () => {
    const file = { bytes: goodPng(7), filename: "same-tx.png", source: "fax_folder" as const };
    expect(await refuseAudit("paper.upload", () => ingestFile(services, file))).toMatch(/audit row refused/);
    expect(await services.db.select().from(paperIntakes).where(eq(paperIntakes.originalFilename, "same-tx.png"))).toHaveLength(0);
    expect((await ingestFile(services, file)).kind).toBe("created");
    expect(await services.db.select().from(paperIntakes).where(eq(paperIntakes.originalFilename, "same-tx.png"))).toHaveLength(1);
  });

  it("a failed status look-up is not counted against the client without its audit row", async () => {
    const input = { reference: "00000000000", lineE164: "+81312349999", clientIp: "10.0.0.3" };
    expect(await refuseAudit("status.lookup_failed", () => lookupStatus(services, input))).toMatch(/audit row refused/);
    expect(await services.db.select().from(rateLimitEvents).where(eq(rateLimitEvents.bucket, STATUS_LOOKUP_LIMIT.bucket))).toHaveLength(0);
    expect(await lookupStatus(services, input)).toEqual({ kind: "not_found" });
    expect(await services.db.select().from(rateLimitEvents).where(eq(rateLimitEvents.bucket, STATUS_LOOKUP_LIMIT.bucket))).toHaveLength(1);
  });
});
