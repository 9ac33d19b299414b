/**
 * Cancellations over HTTP, as a browser without JavaScript and as Twilio: the /cancel journey, the
 * confirmation call's signed webhooks, the objection page, and the back office's review queue,
 * actions, statistics and CSV export.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { auditLog, cancellations, lines, operators } from "../../db/schema";
import { seedDemoOperator } from "../../db/seed";
import { hashPassword } from "../../app/lib/password.server";
import { startSession } from "../../app/lib/auth.server";
import { CANCELLATION_POLICY, requestCancellation, requestCancellationFromCall, sweepCancellations } from "../../app/lib/cancellations.server";
import { ivrAuthToken, signTwilioRequest } from "../../app/lib/twilio-webhook.server";
import { createTestServices, loadContext, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import { step } from "../support/apply-flow";
import { applicationIn, cancellationById, DAY, HOUR, latestCallOf, objectionCodeOf } from "../support/cancellations";

const PASSWORD = "correct-horse-battery";
let services: TestServices;
let server: TestServer;
beforeAll(async () => {
  services = await createTestServices();
  await seedDemoOperator(services.db, await hashPassword(PASSWORD));
  await services.db.insert(operators).values([
    { username: "auditor", displayName: "監査担当", role: "auditor", passwordHash: await hashPassword(PASSWORD) },
    { username: "clerk", displayName: "受付担当", role: "operator", passwordHash: await hashPassword(PASSWORD) },
  ]);
  server = await startTestServer(services);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

const decode = (html: string) => html.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/<!-- -->/g, "");

async function twilio(pathname: string, params: Record<string, string>, signed = true) {
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (signed) headers["X-Twilio-Signature"] = signTwilioRequest(ivrAuthToken(services.config), `${services.config.publicBaseUrl}${pathname}`, params);
  const response = await fetch(`${server.url}${pathname}`, { method: "POST", headers, body: new URLSearchParams(params) });
  return { status: response.status, text: await response.text() };
}

/** A browser with a back-office session (the sign-in steps themselves are tested in foundation.test.ts). */
async function signIn(username = "demo"): Promise<TestBrowser> {
  const [operator] = await services.db.select().from(operators).where(eq(operators.username, username));
  const setCookie = await startSession(loadContext(services), operator!.id);
  const browser = new TestBrowser(server.url);
  const [name, value] = setCookie.split(";")[0]!.split("=") as [string, string];
  (browser as unknown as { cookies: Map<string, string> }).cookies.set(name, value);
  return browser;
}

describe("the /cancel journey (without JavaScript)", () => {
  it("takes a family member's request, calls the subscriber, and stops when the subscriber presses 2", async () => {
    const e164 = "+81367000001";
    const app = await applicationIn(services, { e164 });
    services.clock.advance(60 * DAY);
    const browser = new TestBrowser(server.url);
    const start = await browser.get("/cancel");
    expect(start.html).toContain("ご契約者ご本人に、必ず確かめます");
    await step(browser, "/cancel", {});
    const requesterPage = await step(browser, "/cancel/number", { number: "03-6700-0001" });
    expect(requesterPage.html).toContain("お申し出をする方について教えてください");

    // A family member must give a name and the relation; what was typed is kept.
    const missing = await step(browser, "/cancel/requester", { relation: "family", requesterName: "山田 一郎" });
    expect(missing.url).toBe("/cancel/requester");
    expect(missing.html).toMatch(/<title>エラー：/);
    expect(decode(missing.html)).toContain("ご契約者との続柄を入力してください");
    expect(missing.html).toContain('value="山田 一郎"');

    await step(browser, "/cancel/requester", { relation: "family", requesterName: "山田 一郎", relationDetail: "長男" });
    const badContact = await step(browser, "/cancel/contact", { phone: "12345" });
    expect(badContact.url).toBe("/cancel/contact");
    expect(badContact.html).toContain("10けたか11けたの数字");
    await step(browser, "/cancel/contact", { phone: "090-4444-0001" });
    const noText = await step(browser, "/cancel/reason", { code: "other" });
    expect(decode(noText.html)).toContain("「その他」を選んだときは、理由を入力してください。");
    const check = await step(browser, "/cancel/reason", { code: "need_international", text: "海外の親戚と話したい" });
    expect(check.html).toContain("お申し出の内容を確かめてください");
    expect(check.html).toContain("03-6700-0001");
    expect(check.html).toContain("（長男）山田 一郎");
    expect(check.html).toContain('href="/cancel/reason?change=1"');

    const done = await step(browser, "/cancel/check", {});
    expect(done.html).toContain("お申し出を受け付けました");
    expect(done.html).toContain("ご本人に確認の電話をします");
    expect(done.html).toContain("まだ、国際電話は元に戻っていません");
    const reference = decode(done.html).match(/(\d{4}) - (\d{4}) - (\d{3})/)!.slice(1).join("");
    const [row] = await services.db.select().from(cancellations).where(eq(cancellations.reference, reference));
    expect(row).toMatchObject({ channel: "web", status: "received", requesterRelation: "family", requesterRelationDetailPlainLegacy: null, reasonCode: "need_international" });
    expect(services.pii.open(row!.requesterRelationDetailEnc!)).toBe("長男");
    expect(services.pii.open(row!.reasonTextEnc!)).toBe("海外の親戚と話したい");
    // A double submit after the done page is the same request.
    expect((await browser.get("/cancel/check")).url).toBe("/cancel/done");

    // The subscriber answers the call: Twilio fetches the question, then posts the key press.
    const call = await latestCallOf(services, row!.id);
    const path = `/ivr/cancellation/${call.id}`;
    expect((await twilio(path, { CallSid: "CA-cancel-1" }, false)).status).toBe(403);
    const greeting = await twilio(path, { CallSid: "CA-cancel-1" });
    expect(greeting.status).toBe(200);
    expect(greeting.text).toContain("<Gather");
    expect(greeting.text).toContain(`${path}/answer`);
    expect(greeting.text).toContain("ご家族と名乗る方");
    expect(greeting.text).toContain("国際電話を元に戻して");
    expect(greeting.text).toContain("1を押してください");
    const refused = await twilio(`${path}/answer`, { CallSid: "CA-cancel-1", Digits: "2" });
    expect(refused.text).toContain("同意されないことを、承りました");
    expect(refused.text).toContain("止めたままにします");
    expect((await cancellationById(services, row!.id)).status).toBe("refused_by_subscriber");
    // The call is over: asking again says so and changes nothing.
    expect((await twilio(path, { CallSid: "CA-cancel-1" })).text).toContain("確認は、終わっています");
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, e164));
    expect(line!.incomingSuspension).toBe("active");
    expect(app.applicationId).toBeTruthy();
  });

  it("cooling-off after the subscriber presses 1 on the call", async () => {
    const e164 = "+81367100001";
    await applicationIn(services, { e164 });
    services.clock.advance(60 * DAY);
    const browser = new TestBrowser(server.url);
    await step(browser, "/cancel", {});
    await step(browser, "/cancel/number", { number: "0367100001" });
    await step(browser, "/cancel/requester", { relation: "self" });
    await step(browser, "/cancel/contact", { phone: "0367100001" });
    await step(browser, "/cancel/reason", { code: "moving" });
    await step(browser, "/cancel/check", {});
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, e164));
    const [row] = await services.db.select().from(cancellations).where(eq(cancellations.lineId, line!.id));
    const call = await latestCallOf(services, row!.id);
    const agreed = await twilio(`/ivr/cancellation/${call.id}/answer`, { CallSid: "CA-cancel-2", Digits: "1" });
    expect(agreed.text).toContain("同意されたことを、承りました");
    expect(agreed.text).toContain("最初にお申し込みをされた方にもお知らせするため");
    expect((await cancellationById(services, row!.id)).status).toBe("cooling_off");
  });

  it("takes two simultaneous 「送信する」 (a double click, a resent POST) as one request, with no server error", async () => {
    const e164 = "+81367150001";
    await applicationIn(services, { e164 });
    services.clock.advance(60 * DAY);
    const browser = new TestBrowser(server.url);
    await step(browser, "/cancel", {});
    await step(browser, "/cancel/number", { number: "0367150001" });
    await step(browser, "/cancel/requester", { relation: "self" });
    await step(browser, "/cancel/contact", { phone: "0367150001" });
    await step(browser, "/cancel/reason", { code: "moving" });
    const check = await browser.get("/cancel/check");
    const csrf = browser.csrfFrom(check.html);
    const posts = await Promise.all([0, 1, 2].map(() => browser.post("/cancel/check", { csrf })));
    for (const post of posts) {
      expect(post.status).toBe(303);
      expect(post.headers.get("Location")).toBe("/cancel/done");
    }
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, e164));
    expect(await services.db.select().from(cancellations).where(eq(cancellations.lineId, line!.id))).toHaveLength(1);
    expect((await browser.get("/cancel/done")).html).toContain("お申し出を受け付けました");
  });

  it("says so on the check page when the number has nothing to cancel, and keeps the answers", async () => {
    const browser = new TestBrowser(server.url);
    await step(browser, "/cancel", {});
    await step(browser, "/cancel/number", { number: "03-6720-0001" });
    await step(browser, "/cancel/requester", { relation: "self" });
    await step(browser, "/cancel/contact", { phone: "0367200001" });
    await step(browser, "/cancel/reason", { code: "mistaken" });
    const page = await step(browser, "/cancel/check", {});
    expect(page.url).toBe("/cancel/check");
    expect(page.html).toMatch(/<title>エラー：/);
    expect(page.html).toContain("見つかりませんでした");
    expect(page.html).toContain("03-6720-0001");
  });

  it("refuses a mobile number and does not let a person skip ahead", async () => {
    const browser = new TestBrowser(server.url);
    await step(browser, "/cancel", {});
    const page = await step(browser, "/cancel/number", { number: "090-1234-5678" });
    expect(page.url).toBe("/cancel/number");
    expect(page.html).toContain('value="090-1234-5678"');
    const skip = await browser.request("/cancel/reason");
    expect(skip.status).toBe(302);
    expect(skip.headers.get("Location")).toBe("/cancel/number");
  });
});

describe("objection page", () => {
  it("lets the original applicant object with the reference and the code", async () => {
    const e164 = "+81367300001";
    await applicationIn(services, { e164, contactPhone: "09055550001" });
    services.clock.advance(60 * DAY);
    const result = await requestCancellationFromCall(services, { callSid: "CA-object-web", ivrCallId: randomUUID(), lineE164: e164, relation: "self" });
    if (result.kind !== "created") throw new Error("expected created");
    const row = await cancellationById(services, result.cancellationId);
    expect(row.status).toBe("cooling_off");
    const code = await objectionCodeOf(services, row.id);

    const browser = new TestBrowser(server.url);
    const wrong = await step(browser, "/cancel/object", { reference: row.reference, code: "12345678" });
    expect(wrong.html).toMatch(/<title>エラー：/);
    expect(wrong.html).toContain("見つかりません");
    const done = await step(browser, "/cancel/object", { reference: row.reference, code });
    expect(done.html).toContain("反対のお申し出を受け付けました");
    expect((await cancellationById(services, row.id)).status).toBe("objected");
    const audit = await services.db.select().from(auditLog).where(eq(auditLog.action, "cancellation.objection"));
    expect(audit.some((a) => a.subjectId === row.id)).toBe(true);
  });
});

describe("back office", () => {
  it("shows flagged requests first with the reasons, audits the views, and acts in one click", async () => {
    const e164 = "+81367400001";
    await applicationIn(services, { e164 });
    services.clock.advance(60 * DAY);
    const created = await requestCancellation(services, {
      channel: "paper",
      idempotencyKey: `paper:${randomUUID()}`,
      actor: "paper:scan-9",
      lineE164: e164,
      requesterRelation: "family",
      requesterRelationDetail: "次女",
      requesterName: "鈴木 次子",
      requesterContact: "09066660001",
      reasonCode: "other",
      reasonText: "施設に入るため",
      lineVerification: "none",
    });
    if (created.kind !== "created") throw new Error("expected created");
    // Paper cannot check the line: the centre calls it first; a person sees it only when nobody answers.
    expect(created.status).toBe("awaiting_confirmation");
    for (let attempt = 1; attempt < CANCELLATION_POLICY.confirmationCallAttempts; attempt++) {
      services.clock.advance(CANCELLATION_POLICY.confirmationRetryHours * HOUR + 1000);
      await sweepCancellations(services);
    }
    services.clock.advance(CANCELLATION_POLICY.callValidityHours * HOUR + 1000);
    await sweepCancellations(services);
    expect((await cancellationById(services, created.cancellationId)).status).toBe("flagged");
    const browser = await signIn();
    const queue = await browser.get("/ops/cancellations");
    expect(queue.status).toBe(200);
    const html = decode(queue.html);
    expect(html).toContain("係の確認が必要なお申し出");
    expect(html).toContain(created.reference);
    expect(html).toContain("ご契約の回線で確かめられていないお申し出です");
    expect(html).toContain('href="/ops/cancellations"');
    expect(html).not.toContain("鈴木");

    const detailPath = `/ops/cancellations/${created.cancellationId}`;
    const detail = await browser.get(detailPath);
    const detailHtml = decode(detail.html);
    expect(detailHtml).toContain("鈴木 次子");
    expect(detailHtml).toContain("施設に入るため");
    expect(detailHtml).toContain("この回線の記録");
    expect(detailHtml).toContain("申込：");
    expect(detailHtml).toContain("取り消し：確認ルールで判定");
    const views = await services.db.select().from(auditLog).where(eq(auditLog.action, "cancellation.view"));
    expect(views.some((v) => v.subjectId === created.cancellationId)).toBe(true);

    // Approve without the subscriber's confirmation: refused, and the page says why.
    const csrf = browser.csrfFrom(detail.html);
    const refused = await browser.post(detailPath, { csrf, intent: "approve", note: "ご家族から強い要望" });
    expect(refused.status).toBe(303);
    const afterRefusal = decode((await browser.get(detailPath)).html);
    expect(afterRefusal).toContain("この操作はできませんでした");
    expect(afterRefusal).toContain("承認できません");
    expect((await cancellationById(services, created.cancellationId)).status).toBe("flagged");

    await browser.post(detailPath, { csrf, intent: "call_back", note: "" });
    expect((await cancellationById(services, created.cancellationId)).status).toBe("awaiting_confirmation");
    const call = await latestCallOf(services, created.cancellationId);
    await twilio(`/ivr/cancellation/${call.id}/answer`, { CallSid: "CA-ops", Digits: "1" });
    expect((await cancellationById(services, created.cancellationId)).status).toBe("cooling_off");

    await browser.post(detailPath, { csrf, intent: "decline", note: "最初の申込者から電話で反対" });
    const declined = await cancellationById(services, created.cancellationId);
    expect(declined).toMatchObject({ status: "declined", decisionNotePlainLegacy: null });
    expect(services.pii.open(declined.decisionNoteEnc!)).toBe("最初の申込者から電話で反対");
    const actions = await services.db.select().from(auditLog).where(eq(auditLog.subjectId, created.cancellationId));
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(["cancellation.approve_refused", "cancellation.call_back", "cancellation.decline"]));

    // Without a valid CSRF token nothing happens.
    const forged = await browser.post(detailPath, { csrf: "forged", intent: "approve", note: "x" });
    expect(forged.status).toBe(403);
  });

  it("keeps the queue to staff roles", async () => {
    expect((await new TestBrowser(server.url).request("/ops/cancellations")).status).toBe(302);
    const auditor = await signIn("auditor");
    expect((await auditor.request("/ops/cancellations")).status).toBe(403);
    expect((await auditor.request("/ops/cancellations/stats.csv")).status).toBe(403);
    const operator = await signIn("clerk");
    expect((await operator.request("/ops/cancellations")).status).toBe(200);
  });

  it("shows weekly statistics as accessible SVG charts with tables, and exports them as CSV", async () => {
    const browser = await signIn();
    const page = await browser.get("/ops/cancellations/stats");
    expect(page.status).toBe(200);
    expect(page.html).toContain('role="img"');
    expect(page.html).toContain("<title");
    expect(page.html).toContain("<desc");
    expect(page.html).toContain("お申し出をした方別の件数");
    expect(page.html).toContain('href="/ops/cancellations/stats.csv"');

    const csv = await browser.request("/ops/cancellations/stats.csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("Content-Disposition")).toMatch(/attachment; filename="cancellations-weekly-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = csv.html.replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe(
      "週（月曜日）,取り消しの申し出,ご本人,ご家族,その他,申込から7日未満,申込から7〜29日,申込から30〜89日,申込から90日以上,送付前の取り下げ,その週の申込,取り下げの割合（%）,要確認（ルール）,お断り（係）,ご契約者が不同意,承認",
    );
    const cells = lines.slice(1).map((line) => line.split(","));
    expect(cells.every((c) => c.length === 16 && /^\d{4}-\d{2}-\d{2}$/.test(c[0]!))).toBe(true);
    // This file's requests of the last weeks are counted: the /ops test's declined paper request among them.
    const totals = cells.reduce((sum, c) => sum + Number(c[1]), 0);
    const declined = cells.reduce((sum, c) => sum + Number(c[13]), 0);
    const family = cells.reduce((sum, c) => sum + Number(c[3]), 0);
    expect(totals).toBeGreaterThanOrEqual(2);
    expect(declined).toBeGreaterThanOrEqual(1);
    expect(family).toBeGreaterThanOrEqual(1);
    expect(cells.reduce((sum, c) => sum + Number(c[10]), 0)).toBeGreaterThanOrEqual(1);
    const exports = await services.db.select().from(auditLog).where(eq(auditLog.action, "cancellation.stats_export"));
    expect(exports).toHaveLength(1);
  });
});
