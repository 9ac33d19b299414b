/**
 * No state without a way out (issue 11, point 5), through the back-office pages: pages the OCR could
 * not read open in the verification screen and are keyed into one application; a page that cannot
 * become an application is closed with a reason (and a letter to the sender); applications whose line
 * was not confirmed have a queue where they are verified or rejected; the IVR queue lists only forms to
 * mail; and every queue is in the menu.
 */
import { createHash, randomUUID } from "node:crypto";
import { createCanvas } from "@napi-rs/canvas";
import { and, eq } from "drizzle-orm";
import { applicationEvents, applications, auditLog, lines, outbox, paperIntakes, scans, workClaims } from "../../db/schema";
import { QUEUE_TYPES, queueHref } from "../../app/lib/queue-info";
import { createOperator, postForm, signIn } from "../support/ops";
import { apply, ivrApplication, ivrFormRequest } from "../support/ops-scenario";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";

let services: TestServices;
let server: TestServer;
let alice: TestBrowser;
let bob: TestBrowser;
let aliceId: string;

beforeAll(async () => {
  services = await createTestServices();
  server = await startTestServer(services);
  const a = await createOperator(services, { username: "alice", role: "operator", displayName: "有田 アリス" });
  const b = await createOperator(services, { username: "bob", role: "operator", displayName: "坂本 ボブ" });
  aliceId = a.id;
  alice = new TestBrowser(server.url);
  bob = new TestBrowser(server.url);
  await signIn(alice, services, a.username);
  await signIn(bob, services, b.username);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

/** A page photographed or scanned badly: a white PNG with a few strokes. */
function pagePng(): Buffer {
  const canvas = createCanvas(400, 560);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, 400, 560);
  ctx.fillStyle = "#000";
  ctx.fillRect(40, 60, 300, 4);
  ctx.fillRect(40, 120, 200, 4);
  return canvas.toBuffer("image/png");
}

/** A scanned page as the intake and the OCR worker leave it. */
async function insertScan(input: { status: string; exceptionReason?: string | null; formType?: string | null; fields?: boolean }) {
  const png = pagePng();
  const [intake] = await services.db
    .insert(paperIntakes)
    .values({ source: "fax_folder", originalFilename: `fax-${randomUUID()}.png`, contentType: "image/png", fileSha256: createHash("sha256").update(randomUUID()).digest("hex"), pageCount: 1 })
    .returning();
  const stored = { formType: input.formType ?? "application", formVersion: "1", alignment: { quarterTurns: 0, pageToImage: [1, 0, 0, 0, 1, 0, 0, 0, 1], scale: 1 }, fields: [], needsReview: [] };
  const [scan] = await services.db
    .insert(scans)
    .values({
      intakeId: intake!.id,
      pageNumber: 1,
      imageEnc: services.pii.sealBytes(png),
      status: input.status,
      exceptionReason: input.exceptionReason ?? null,
      formType: input.formType ?? null,
      fieldsEnc: input.fields ? services.pii.seal(JSON.stringify(stored)) : null,
    })
    .returning();
  return scan!;
}

const KEYED = {
  formType: "application",
  phone: "03-1234-0501",
  scope: ["incoming"],
  carrier: "kddi",
  relation: "self",
  name: "例外 花子",
  kana: "レイガイ ハナコ",
  postalCode: "1000001",
  address: "東京都千代田区千代田1-1",
  contactPhone: "",
  signature: "on",
};

describe("a page the OCR could not read", () => {
  it("is in the paper queue with a link, opens with the whole page image, and is keyed into exactly one application", async () => {
    const scan = await insertScan({ status: "exception", exceptionReason: "marks_not_found" });

    const queue = await alice.get("/ops/queue/paper");
    expect(queue.status).toBe(200);
    expect(queue.html).toContain(scan.id);
    expect(queue.html).toContain("四すみの黒い四角が見つからない");
    const intake = await alice.get("/ops/paper");
    expect(intake.html).toContain(`href="/ops/paper/${scan.id}"`);
    expect(intake.html).toContain("画像を見て入力する");
    expect(intake.html).toContain("読み取れない（例外）");

    const claimed = await postForm(alice, "/ops/queue/paper", { intent: "claim", id: scan.id });
    expect(claimed.status).toBe(302);
    expect(claimed.headers.get("Location")).toBe(`/ops/paper/${scan.id}`);

    // The form type is not known: the operator chooses it first (a GET form: no JavaScript needed).
    const page = await alice.get(`/ops/paper/${scan.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain("用紙の種類");
    expect(page.html).toContain(`src="/ops/paper/${scan.id}/page"`);
    const image = await alice.request(`/ops/paper/${scan.id}/page`);
    expect(image.status).toBe(200);
    expect(image.headers.get("Content-Type")).toBe("image/png");

    const form = await alice.get(`/ops/paper/${scan.id}?form=application`);
    expect(form.status).toBe(200);
    expect(form.html).toContain('name="phone"');
    expect(form.html).toContain('name="formType" value="application"');
    expect(form.html).not.toContain("data:image/png;base64,");

    // A wrong number is refused with the reason, and what was typed stays.
    expect(form.html).toContain(`action="/ops/paper/${scan.id}?form=application"`);
    const refused = await alice.post(`/ops/paper/${scan.id}?form=application`, { csrf: alice.csrfFrom(form.html), ...KEYED, phone: "090-1234-5678" });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain("携帯電話");
    expect(refused.html).toContain('value="例外 花子"');

    const fields = { csrf: alice.csrfFrom(form.html), ...KEYED };
    const first = await alice.post(`/ops/paper/${scan.id}?form=application`, fields);
    expect(first.status).toBe(302);
    const twice = await alice.post(`/ops/paper/${scan.id}?form=application`, fields);
    expect(twice.status).toBe(302);

    const [line] = await services.db.select().from(lines).where(eq(lines.e164, "+81312340501"));
    const apps = await services.db.select().from(applications).where(eq(applications.lineId, line!.id));
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({ channel: "paper", relation: "self" });
    const [done] = await services.db.select().from(scans).where(eq(scans.id, scan.id));
    expect(done).toMatchObject({ status: "verified", applicationId: apps[0]!.id, formType: "application", verifiedBy: aliceId });
    expect((await alice.get("/ops/queue/paper")).html).not.toContain(scan.id);
    // The page, worked, leads on to what it became.
    const after = await alice.get(`/ops/paper/${scan.id}`);
    expect(after.html).toContain(`href="/ops/applications/${apps[0]!.id}"`);
  });

  it("shows the line's answer to the confirmation call in plain Japanese", async () => {
    const refused = await insertScan({ status: "needs_review", exceptionReason: "line_refused", formType: "application", fields: true });
    const unanswered = await insertScan({ status: "needs_review", exceptionReason: "line_unanswered", formType: "application", fields: true });
    const queue = await alice.get("/ops/queue/paper");
    expect(queue.html).toContain("確認の電話で、回線の方が「申し込んでいない」と答えました");
    expect(queue.html).toContain("確認の電話に、回線の方が出ませんでした");
    expect(queue.html).not.toContain("line_refused");
    const page = await bob.get(`/ops/paper/${refused.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain("確認の電話で、回線の方が「申し込んでいない」と答えました");
    expect((await bob.get(`/ops/paper/${unanswered.id}`)).html).toContain("確認の電話に、回線の方が出ませんでした");
  });
});

describe("a page that cannot become an application", () => {
  it("is closed with a reason, writes one letter to the sender, and leaves the queue", async () => {
    const scan = await insertScan({ status: "exception", exceptionReason: "not_a_form" });
    expect((await postForm(bob, "/ops/queue/paper", { intent: "claim", id: scan.id })).status).toBe(302);
    const page = await bob.get(`/ops/paper/${scan.id}`);
    expect(page.html).toContain("申し込みにできない");
    const csrf = bob.csrfFrom(page.html);

    const missingNote = await bob.post(`/ops/paper/${scan.id}`, { csrf, intent: "close", closeReason: "other", closeNote: "", closeName: "", closePostalCode: "", closeAddress: "" });
    expect(missingNote.status).toBe(400);
    expect(missingNote.html).toContain("理由をメモに書いてください");
    const badPostal = await bob.post(`/ops/paper/${scan.id}`, { csrf, intent: "close", closeReason: "no_scope", closeNote: "", closeName: "送り 主", closePostalCode: "123", closeAddress: "東京都千代田区千代田1-1" });
    expect(badPostal.status).toBe(400);
    expect(badPostal.html).toContain("郵便番号を7けたの数字で入力してください");
    expect(badPostal.html).toContain('value="東京都千代田区千代田1-1"');

    const close = { csrf, intent: "close", closeReason: "no_scope", closeNote: "", closeName: "送り 主", closePostalCode: "100-0001", closeAddress: "東京都千代田区千代田1-1" };
    const closed = await bob.post(`/ops/paper/${scan.id}`, close);
    expect(closed.status).toBe(302);
    expect(closed.headers.get("Location")).toMatch(/^\/ops\/paper\?closed=/);
    expect((await bob.post(`/ops/paper/${scan.id}`, close)).status).toBe(302);

    const [row] = await services.db.select().from(scans).where(eq(scans.id, scan.id));
    expect(row).toMatchObject({ status: "closed", exceptionReason: "no_scope" });
    const letters = await services.db.select().from(outbox).where(eq(outbox.idempotencyKey, `scan-closed-letter:${scan.id}`));
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ channel: "letter", status: "queued" });
    const data = JSON.parse(services.pii.open(letters[0]!.bodyEnc)) as { text: string; postalCode: string; address: string; name: string };
    expect(data).toMatchObject({ postalCode: "1000001", address: "東京都千代田区千代田1-1", name: "送り 主" });
    expect(data.text).toContain("止めたいもの（発信休止・着信休止）に印がありませんでした");
    expect(data.text).toContain("止めたい電話から");
    expect(data.text).toContain("ウェブサイト");
    const audits = await services.db.select().from(auditLog).where(and(eq(auditLog.action, "scan.close"), eq(auditLog.subjectId, scan.id)));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.detail).toMatchObject({ reason: "no_scope", previousReason: "not_a_form", letter: letters[0]!.id });
    expect((await bob.get("/ops/queue/paper")).html).not.toContain(scan.id);
    const [claim] = await services.db.select().from(workClaims).where(eq(workClaims.itemId, scan.id));
    expect(claim).toMatchObject({ outcome: "closed" });
    // It can no longer be keyed.
    expect((await bob.post(`/ops/paper/${scan.id}`, { csrf, ...KEYED, phone: "03-1234-0502" })).status).toBe(400);
  });

  it("records the reason only when no address is known", async () => {
    const scan = await insertScan({ status: "exception", exceptionReason: "unreadable_file" });
    const closed = await postForm(alice, `/ops/paper/${scan.id}`, { intent: "close", closeReason: "blank_or_unreadable", closeNote: "", closeName: "", closePostalCode: "", closeAddress: "" });
    expect(closed.status).toBe(302);
    const [row] = await services.db.select().from(scans).where(eq(scans.id, scan.id));
    expect(row).toMatchObject({ status: "closed", exceptionReason: "blank_or_unreadable" });
    expect(await services.db.select().from(outbox).where(eq(outbox.idempotencyKey, `scan-closed-letter:${scan.id}`))).toHaveLength(0);
  });
});

describe("the application queue", () => {
  async function unconfirmed(lineE164: string) {
    return apply(services, {
      lineE164,
      channel: "paper",
      relation: "family",
      relationDetail: "長女",
      applicantName: "家族 花",
      subscriberName: "確認 太郎",
      verification: { method: null, verifiedAt: null, consentAt: null },
    });
  }

  it("lists an application whose line was not confirmed, and an operator verifies it with a note", async () => {
    const app = await unconfirmed("+81312340511");
    expect(app.status).toBe("needs_review");
    const list = await alice.get("/ops/queue/application");
    expect(list.status).toBe(200);
    expect(list.html).toContain(app.reference);
    expect(list.html).toContain("03-1234-0511");

    const claimed = await postForm(alice, "/ops/queue/application", { intent: "claim", id: app.applicationId });
    expect(claimed.status).toBe(302);
    expect(claimed.headers.get("Location")).toBe(`/ops/applications/${app.applicationId}`);
    // Someone without the claim sees nothing personal.
    const other = await bob.get(`/ops/applications/${app.applicationId}`);
    expect(other.html).toContain("先に担当してください");
    expect(other.html).not.toContain("確認 太郎");

    const page = await alice.get(`/ops/applications/${app.applicationId}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain("確認 太郎");
    expect(page.html).toContain("これまでの経過");
    const viewed = await services.db.select().from(auditLog).where(and(eq(auditLog.action, "application.view"), eq(auditLog.subjectId, app.applicationId)));
    expect(viewed.length).toBeGreaterThan(0);

    const noNote = await postForm(alice, `/ops/applications/${app.applicationId}`, { intent: "verify", verifyNote: "" });
    expect(noNote.status).toBe(400);
    expect(noNote.html).toContain("どのように確かめたかを、短く書いてください");
    const verified = await postForm(alice, `/ops/applications/${app.applicationId}`, { intent: "verify", verifyNote: "回線に電話し、契約者本人が認めた" });
    expect(verified.status).toBe(302);

    const [row] = await services.db.select().from(applications).where(eq(applications.id, app.applicationId));
    expect(row!.status).toBe("verified");
    const events = await services.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, app.applicationId));
    expect(events.at(-1)).toMatchObject({ fromStatus: "needs_review", toStatus: "verified", actor: `operator:${aliceId}`, detail: { by: "operator" } });
    // The note is sealed (issue 12): free text may name people.
    expect(services.pii.open((events.at(-1)!.detail as { noteEnc: string }).noteEnc)).toBe("回線に電話し、契約者本人が認めた");
    const audits = await services.db.select().from(auditLog).where(and(eq(auditLog.action, "application.verify"), eq(auditLog.subjectId, app.applicationId)));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.detail).toEqual({ by: "operator", note: true, queue: "application" });
    expect((await alice.get("/ops/queue/application")).html).not.toContain(app.reference);
    // Settled: a second verification changes nothing.
    expect((await postForm(alice, `/ops/applications/${app.applicationId}`, { intent: "verify", verifyNote: "もう一度" })).status).toBe(409);
  });

  it("rejects an application with a reason, writes one letter to the applicant, and releases the line", async () => {
    const app = await unconfirmed("+81312340512");
    await postForm(bob, "/ops/queue/application", { intent: "claim", id: app.applicationId });
    const noReason = await postForm(bob, `/ops/applications/${app.applicationId}`, { intent: "reject", rejectNote: "" });
    expect(noReason.status).toBe(400);
    expect(noReason.html).toContain("お受けできない理由を1つ選んでください");
    const rejected = await postForm(bob, `/ops/applications/${app.applicationId}`, { intent: "reject", reason: "subscriber_refused", rejectNote: "" });
    expect(rejected.status).toBe(302);

    const [row] = await services.db.select().from(applications).where(eq(applications.id, app.applicationId));
    expect(row!.status).toBe("rejected");
    const events = await services.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, app.applicationId));
    expect(events.at(-1)).toMatchObject({ type: "rejected_by_centre", fromStatus: "needs_review", toStatus: "rejected", detail: { reason: "subscriber_refused" } });
    const letters = await services.db.select().from(outbox).where(and(eq(outbox.applicationId, app.applicationId), eq(outbox.channel, "letter")));
    expect(letters).toHaveLength(1);
    expect(services.pii.open(letters[0]!.toEnc)).toContain("家族 花 様");
    expect((JSON.parse(services.pii.open(letters[0]!.bodyEnc)) as { text: string }).text).toContain("このお申し込みを望まない");
    const [line] = await services.db.select().from(lines).where(eq(lines.id, row!.lineId));
    expect(line!.incomingSuspension).toBe("none");
    const audits = await services.db.select().from(auditLog).where(and(eq(auditLog.action, "application.reject"), eq(auditLog.subjectId, app.applicationId)));
    expect(audits[0]!.detail).toMatchObject({ reason: "subscriber_refused", letter: letters[0]!.id });
    expect((await bob.get("/ops/queue/application")).html).not.toContain(app.reference);
  });
});

describe("the IVR queue", () => {
  it("lists forms to mail, and no longer the names heard on phone applications", async () => {
    const applied = await ivrApplication(server, services, "+81312340521", "電話 はなこ");
    const form = await ivrFormRequest(server, services, "+81312340522", "郵送 じろう", "とうきょうと ちよだく ちよだ いちのいち");
    const list = await alice.get("/ops/queue/ivr");
    expect(list.status).toBe(200);
    expect(list.html).toContain(form.id);
    expect(list.html).toContain("申込書の郵送：宛名の確認");
    expect(list.html).not.toContain(applied.id);
    expect(list.html).not.toContain("電話での申し込み：お名前の確認");
    expect((await postForm(alice, "/ops/queue/ivr", { intent: "claim", id: applied.id })).status).toBe(409);
    expect((await postForm(alice, "/ops/queue/ivr", { intent: "claim", id: form.id })).status).toBe(302);
    await postForm(alice, `/ops/queue/ivr/${form.id}`, { intent: "release" });
  });
});

describe("the back-office menu", () => {
  it("links every queue and the paper upload page", async () => {
    const html = (await alice.get("/ops")).html;
    const nav = html.slice(html.indexOf('aria-label="業務メニュー"'), html.indexOf("</nav>"));
    for (const type of QUEUE_TYPES) expect(nav, type).toContain(`href="${queueHref(type)}"`);
    expect(nav).toContain('href="/ops/paper"');
    expect(nav).toContain('href="/ops/queue/application"');
  });
});
