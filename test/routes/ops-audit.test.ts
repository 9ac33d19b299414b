/**
 * Every view of personal data writes an audit entry (who, what, when, from where — ids and field
 * names, never the values), and the auditor's page finds a tampered row.
 */
import { desc, eq, gt, sql } from "drizzle-orm";
import { applications, auditLog } from "../../db/schema";
import { createLetterBatch } from "../../app/lib/letters.server";
import { createOperator, postForm, signIn } from "../support/ops";
import { apply, ivrFormRequest } from "../support/ops-scenario";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";

let services: TestServices;
let server: TestServer;
let operator: TestBrowser;
let auditor: TestBrowser;
let operatorId: string;
let auditorId: string;
let lineId: string;
let applicationId: string;
let ivrCallId: string;
let batchId: string;

const NAME = "監査 太郎";
const KANA = "カンサ タロウ";
const ADDRESS = "東京都千代田区千代田9-9";

beforeAll(async () => {
  services = await createTestServices();
  server = await startTestServer(services);
  const o = await createOperator(services, { username: "viewer", role: "operator" });
  const a = await createOperator(services, { username: "checker", role: "auditor" });
  operatorId = o.id;
  auditorId = a.id;
  operator = new TestBrowser(server.url);
  auditor = new TestBrowser(server.url);
  await signIn(operator, services, o.username);
  await signIn(auditor, services, a.username);
  const app = await apply(services, { lineE164: "+81312340401", subscriberName: NAME, subscriberKana: KANA, address: ADDRESS, contactPhone: "09044445555" });
  applicationId = app.applicationId;
  // A form to mail: the IVR queue's items (names heard on phone applications are advisory, not tasks).
  const call = await ivrFormRequest(server, services, "+81312340402", "音声 花子", "とうきょうと ちよだく ちよだ いちのいち");
  ivrCallId = call.id;
  await services.comms.queueLetter({ purpose: "test", idempotencyKey: "audit-letter", to: `〒1000001 ${ADDRESS} ${NAME} 様`, template: "other", data: { text: "お知らせ" }, applicationId });
  const batch = await createLetterBatch(services, { operatorId });
  if (!batch.ok) throw new Error("no batch");
  batchId = batch.batchId;
  const [row] = await services.db.select({ lineId: applications.lineId }).from(applications).where(eq(applications.id, applicationId));
  lineId = row!.lineId;
});
afterAll(async () => {
  await server.close();
  await services.close();
});

async function lastId(): Promise<number> {
  const [row] = await services.db.select({ id: auditLog.id }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  return row?.id ?? 0;
}

async function entriesAfter(id: number) {
  return services.db.select().from(auditLog).where(gt(auditLog.id, id)).orderBy(auditLog.id);
}

/** Opens a page and returns the audit entries it wrote. */
async function audited(open: () => Promise<{ status: number }>) {
  const before = await lastId();
  const page = await open();
  expect(page.status).toBeLessThan(400);
  return entriesAfter(before);
}

const values = [NAME, KANA, ADDRESS, "09044445555", "090-4444-5555", "音声 花子", "03-1234-0401"];

describe("audit entries for every view of personal data", () => {
  it.each([
    ["the line page", "line.view", () => operator.get(`/ops/lines/${lineId}`)],
    ["a search", "search.run", () => postForm(operator, "/ops/search", { q: KANA })],
    ["the outbox", "outbox.view", () => operator.get("/ops/outbox")],
    ["the calls page", "ivr_call.view", () => operator.get("/ops/calls")],
    ["a queue list", "queue.view", () => operator.get("/ops/queue/ivr")],
    ["the print queue", "letter.queue_view", () => operator.get("/ops/letters")],
    ["a letter batch", "letter.batch_view", () => operator.get(`/ops/letters/${batchId}`)],
    ["a letter batch's PDF", "letter.batch_pdf", () => operator.request(`/ops/letters/pdf/${batchId}`)],
  ] as const)("audits %s", async (_label, action, open) => {
    const entries = await audited(open);
    const entry = entries.find((e) => e.action === action);
    expect(entry, `no ${action} among ${entries.map((e) => e.action).join(", ")}`).toBeDefined();
    expect(entry!.actor).toBe(`operator:${operatorId}`);
    expect(entry!.ipHash).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(entry!.at).toBeInstanceOf(Date);
    const stored = JSON.stringify(entry);
    for (const value of values) expect(stored).not.toContain(value);
  });

  it("audits the line page with the fields opened and the records shown", async () => {
    const entries = await audited(() => operator.get(`/ops/lines/${lineId}`));
    expect(entries.at(-1)).toMatchObject({ action: "line.view", subjectType: "line", subjectId: lineId });
    const detail = entries.at(-1)!.detail as { fields: string[]; applications: string[] };
    expect(detail.fields).toEqual(expect.arrayContaining(["subscriberName", "subscriberKana", "address", "contactPhone"]));
    expect(detail.applications).toEqual([applicationId]);
  });

  it("audits a queue item when its holder opens it", async () => {
    await postForm(operator, "/ops/queue/ivr", { intent: "claim", id: ivrCallId });
    const entries = await audited(() => operator.get(`/ops/queue/ivr/${ivrCallId}`));
    expect(entries.at(-1)).toMatchObject({ action: "ivr_call.view", subjectType: "ivr_call", subjectId: ivrCallId, actor: `operator:${operatorId}` });
    const claims = await services.db.select().from(auditLog).where(eq(auditLog.action, "queue.claim"));
    expect(claims.at(-1)).toMatchObject({ subjectId: ivrCallId });
  });

  it("records a search by its kind and result count, never what was typed", async () => {
    const entries = await audited(() => postForm(operator, "/ops/search", { q: "03-1234-0401" }));
    const entry = entries.find((e) => e.action === "search.run")!;
    expect(entry.detail).toEqual({ kind: "phone", results: 1, lineIds: [lineId] });
  });
});

describe("the auditor's page", () => {
  it("filters by actor, action, subject and date", async () => {
    const page = await auditor.get(`/ops/audit?actor=viewer&action=line.*&subjectType=line&subjectId=${lineId}&from=2026-11-01&to=2026-12-31`);
    expect(page.status).toBe(200);
    expect(page.html).toContain("line.view");
    expect(page.html).not.toContain("search.run");
    const none = await auditor.get("/ops/audit?action=no.such.action");
    expect(none.html).toContain("条件に合う記録はありません");
    const bad = await auditor.get("/ops/audit?from=yesterday");
    expect(bad.html).toContain("日付は「2026-11-01」のように入力してください");
  });

  it("checks the chain, and shows where a tampered row breaks it", async () => {
    const ok = await postForm(auditor, "/ops/audit", { intent: "verify" });
    expect(ok.status).toBe(200);
    expect(ok.html).toContain("改ざんは見つかりませんでした");

    const [victim] = await services.db.select().from(auditLog).where(eq(auditLog.action, "line.view")).limit(1);
    await services.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await services.db.execute(sql`update audit_log set actor = 'operator:someone-else' where id = ${victim!.id}`);
    await services.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);

    const broken = await postForm(auditor, "/ops/audit", { intent: "verify" });
    const html = broken.html.replace(/<!-- -->/g, "");
    expect(html).toContain("鎖が切れています");
    expect(html).toContain(`（ID ${victim!.id}）で鎖が切れています`);
    expect(html).toContain("内容が書き換えられています");
    expect(html).toContain(`/ops/audit?before=${victim!.id}`);
    const verify = await services.db.select().from(auditLog).where(eq(auditLog.action, "audit.verify_chain"));
    expect(verify.at(-1)).toMatchObject({ actor: `operator:${auditorId}`, detail: { ok: false, brokenAtId: victim!.id } });
  });

  it("is closed to operators and admins", async () => {
    expect((await operator.request("/ops/audit")).status).toBe(403);
    expect((await new TestBrowser(server.url).request("/ops/audit")).status).toBe(302);
  });
});
