/**
 * The day's work through the pages: claiming queue items (one operator at a time), correcting a name
 * heard by the IVR, checking a letter's address, printing letters, phone-assisted entry with its
 * call-back, carrier exceptions, and the statistics export.
 */
import { eq } from "drizzle-orm";
import { applicationEvents, applications, carrierExceptions, outbox, workClaims } from "../../db/schema";
import { openException } from "../../app/lib/carrier-orders.server";
import { recordConsent } from "../../app/lib/verification.server";
import { codeFromSpeech } from "../support/apply-flow";
import { createOperator, postForm, signIn } from "../support/ops";
import { apply, ivrApplication, ivrFormRequest, lastCall } from "../support/ops-scenario";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";

/** The page's HTML without React's text-node separators. */
const plain = (html: string) => html.replace(/<!-- -->/g, "");

let services: TestServices;
let server: TestServer;
let alice: TestBrowser;
let bob: TestBrowser;
let sue: TestBrowser;
let aliceId: string;

beforeAll(async () => {
  services = await createTestServices();
  server = await startTestServer(services);
  const a = await createOperator(services, { username: "alice", role: "operator", displayName: "有田 アリス" });
  const b = await createOperator(services, { username: "bob", role: "operator", displayName: "坂本 ボブ" });
  const s = await createOperator(services, { username: "sue", role: "supervisor", displayName: "須藤 スー" });
  aliceId = a.id;
  alice = new TestBrowser(server.url);
  bob = new TestBrowser(server.url);
  sue = new TestBrowser(server.url);
  await signIn(alice, services, a.username);
  await signIn(bob, services, b.username);
  await signIn(sue, services, s.username);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

describe("the IVR queue", () => {
  // Only forms to mail wait here: names heard on phone applications are advisory (ADR 015).
  it("lets one operator claim a heard name and address, correct it, and take it off the queue", async () => {
    const call = await ivrFormRequest(server, services, "+81312340301", "山田 はなこ", "とうきょうと ちよだく ちよだ いちのいち");
    const list = await alice.get("/ops/queue/ivr");
    expect(list.status).toBe(200);
    expect(list.html).toContain("申込書の郵送：宛名の確認");
    expect(list.html).toContain("03-1234-0301");

    // Without a claim the item shows nothing personal.
    const unclaimed = await alice.get(`/ops/queue/ivr/${call.id}`);
    expect(unclaimed.html).toContain("先に担当してください");
    expect(unclaimed.html).not.toContain("山田 はなこ");

    const claimed = await postForm(alice, "/ops/queue/ivr", { intent: "claim", id: call.id });
    expect(claimed.status).toBe(302);
    expect(claimed.headers.get("Location")).toBe(`/ops/queue/ivr/${call.id}`);
    const taken = await postForm(bob, "/ops/queue/ivr", { intent: "claim", id: call.id });
    expect(taken.status).toBe(409);
    expect(taken.html).toContain("有田 アリスさんが担当しています");
    expect((await bob.get(`/ops/queue/ivr/${call.id}`)).html).not.toContain("山田 はなこ");
    // A supervisor could take it over; an operator cannot force it.
    expect((await postForm(bob, "/ops/queue/ivr", { intent: "release_other", id: call.id })).status).toBe(403);

    const item = await alice.get(`/ops/queue/ivr/${call.id}`);
    expect(item.html).toContain("山田 はなこ");
    expect(item.html).toContain("お名前の録音を聞く");
    const badPostal = await postForm(alice, `/ops/queue/ivr/${call.id}`, { intent: "confirm", name: "山田 花子", postalCode: "123", address: "東京都千代田区千代田1-1" });
    expect(badPostal.status).toBe(400);
    expect(badPostal.html).toContain("郵便番号は7けたの数字で入力してください");
    expect(badPostal.html).toContain('value="山田 花子"');
    const saved = await postForm(alice, `/ops/queue/ivr/${call.id}`, { intent: "confirm", name: "山田 花子", postalCode: "1000001", address: "東京都千代田区千代田1-1" });
    expect(saved.status).toBe(302);

    const [letter] = await services.db.select().from(outbox).where(eq(outbox.id, call.outboxId!));
    expect(JSON.parse(services.pii.open(letter!.bodyEnc))).toMatchObject({ name: "山田 花子", postalCode: "1000001", needsCheck: false });
    const [claim] = await services.db.select().from(workClaims).where(eq(workClaims.itemId, call.id));
    expect(claim).toMatchObject({ outcome: "corrected" });
    expect(claim!.completedAt).not.toBeNull();
    expect((await alice.get("/ops/queue/ivr")).html).not.toContain(call.id);
    // Done items cannot be claimed again.
    expect((await postForm(bob, "/ops/queue/ivr", { intent: "claim", id: call.id })).status).toBe(409);
  });

  it("leaves the name heard on a phone application to the carrier (not a task)", async () => {
    const call = await ivrApplication(server, services, "+81312340300", "山田 はなこ");
    expect((await alice.get("/ops/queue/ivr")).html).not.toContain(call.id);
    expect((await postForm(alice, "/ops/queue/ivr", { intent: "claim", id: call.id })).status).toBe(409);
  });

  it("lets a supervisor release someone else's claim", async () => {
    const call = await ivrFormRequest(server, services, "+81312340302", "さとう いちろう", "とうきょうと ちよだく ちよだ いちのいち");
    await postForm(alice, "/ops/queue/ivr", { intent: "claim", id: call.id });
    const released = await postForm(sue, "/ops/queue/ivr", { intent: "release_other", id: call.id });
    expect(released.status).toBe(302);
    expect((await postForm(bob, "/ops/queue/ivr", { intent: "claim", id: call.id })).status).toBe(302);
    // Alice's save now fails: the claim is Bob's.
    const late = await postForm(alice, `/ops/queue/ivr/${call.id}`, { intent: "confirm", name: "佐藤 一郎", postalCode: "1000001", address: "東京都千代田区千代田1-1" });
    expect(late.status).toBe(409);
    expect(late.html).toContain("ほかの人が担当しています");
    // Bob saves it (the letter is then ready to print, with the first test's).
    expect((await postForm(bob, `/ops/queue/ivr/${call.id}`, { intent: "confirm", name: "佐藤 一郎", postalCode: "1000001", address: "東京都千代田区千代田1-1" })).status).toBe(302);
  });
});

describe("letters", () => {
  it("holds a form request until its address is checked, then prints it in a batch and marks it mailed", async () => {
    const call = await ivrFormRequest(server, services, "+81312340303", "すずき じろう", "とうきょうと ちよだく ちよだ いちのいち");
    const before = await alice.get("/ops/letters");
    expect(plain(before.html)).toContain("宛名の確認を待っている手紙（1通）");
    expect(before.html).toContain(`/ops/queue/ivr/${call.id}`);

    await postForm(alice, "/ops/queue/ivr", { intent: "claim", id: call.id });
    const saved = await postForm(alice, `/ops/queue/ivr/${call.id}`, { intent: "confirm", name: "鈴木 次郎", postalCode: "100-0001", address: "東京都千代田区千代田1-1" });
    expect(saved.status).toBe(302);
    const [letter] = await services.db.select().from(outbox).where(eq(outbox.id, call.outboxId!));
    expect(JSON.parse(services.pii.open(letter!.bodyEnc))).toMatchObject({ name: "鈴木 次郎", postalCode: "1000001", address: "東京都千代田区千代田1-1", needsCheck: false });
    expect(services.pii.open(letter!.toEnc)).toBe("〒1000001 東京都千代田区千代田1-1 鈴木 次郎 様");

    const ready = await alice.get("/ops/letters");
    // With the two letters checked in the IVR queue's tests above.
    expect(plain(ready.html)).toContain("印刷を待っている手紙（3通）");
    expect(ready.html).toContain("鈴木 次郎");
    const printed = await postForm(alice, "/ops/letters", { intent: "print" });
    expect(printed.status).toBe(302);
    const batchUrl = printed.headers.get("Location")!;
    const batchId = batchUrl.split("/").at(-1)!;
    expect((await services.db.select().from(outbox).where(eq(outbox.id, call.outboxId!)))[0]!.status).toBe("printed");

    const pdf = await fetch(`${server.url}/ops/letters/pdf/${batchId}`, { headers: { Cookie: alice.cookieHeader() } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("Content-Type")).toBe("application/pdf");
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe("%PDF-");

    const mailed = await postForm(alice, batchUrl, { intent: "mailed" });
    expect(plain(mailed.html)).toContain("3通を発送済みにしました");
    expect((await services.db.select().from(outbox).where(eq(outbox.id, call.outboxId!)))[0]!.status).toBe("mailed");
  });
});

describe("phone-assisted entry", () => {
  const fields = {
    number: "03-1234-0304",
    previousNumber: "",
    relation: "self",
    relationDetail: "",
    applicantName: "",
    contactPhone: "",
    kanji: "高橋 三郎",
    kana: "たかはし さぶろう",
    postalCode: "1000001",
    address: "東京都千代田区千代田1-1",
    choice: "kddi",
    scopes: ["incoming", "outgoing"],
  };

  async function entryForm(browser: TestBrowser, overrides: Record<string, string | string[]>) {
    const page = await browser.get("/ops/entry");
    const token = page.html.match(/name="token" value="([^"]+)"/)![1]!;
    return browser.post("/ops/entry", { csrf: browser.csrfFrom(page.html), token, ...fields, ...overrides });
  }

  it("explains every wrong field at once and keeps what was typed", async () => {
    const page = await entryForm(alice, { number: "090-1234-5678", kana: "Takahashi", scopes: [], relation: "family" });
    expect(page.status).toBe(400);
    expect(page.html).toContain("携帯電話の番号は、このお申し込みの対象ではありません");
    expect(page.html).toContain("フリガナは、カタカナかひらがなで入力してください");
    expect(page.html).toContain("止めたい電話を1つ以上選んでください");
    expect(page.html).toContain("お申し込みをする方のお名前を入力してください");
    expect(page.html).toContain('value="高橋 三郎"');
  });

  it("creates an operator-channel application in needs_review, calls the line back, and verifies it with the code", async () => {
    const submitted = await entryForm(alice, {});
    expect(submitted.status).toBe(302);
    const url = submitted.headers.get("Location")!;
    const applicationId = url.split("/").at(-1)!;
    const [app] = await services.db.select().from(applications).where(eq(applications.id, applicationId));
    expect(app).toMatchObject({ channel: "operator", status: "needs_review", verificationMethod: null });
    expect(services.pii.open(app!.subscriberKanaEnc!)).toBe("タカハシ サブロウ");

    const call = await lastCall(services, "+81312340304");
    expect(call.content.kind).toBe("say");
    const code = codeFromSpeech(call.content.kind === "say" ? call.content.text : "");
    const wrong = await postForm(alice, url, { intent: "check", code: code === "0000" ? "1111" : "0000" });
    expect(wrong.html).toContain("確認番号が違います");
    const right = await postForm(alice, url, { intent: "check", code });
    expect(right.status).toBe(302);
    const done = await alice.get(url);
    expect(done.html).toContain("回線の確認ができました");
    const [verified] = await services.db.select().from(applications).where(eq(applications.id, applicationId));
    expect(verified).toMatchObject({ status: "verified", verificationMethod: "callback" });
    const events = await services.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, applicationId));
    expect(events.map((e) => [e.fromStatus, e.toStatus, e.actor])).toEqual([
      [null, "received", `operator:${aliceId}`],
      ["received", "needs_review", "system"],
      ["needs_review", "verified", `operator:${aliceId}`],
    ]);
  });

  it("asks the subscriber's consent first when a family member applies", async () => {
    const submitted = await entryForm(bob, { number: "03-1234-0305", relation: "family", relationDetail: "長女", applicantName: "高橋 花", contactPhone: "090-2222-3333" });
    expect(submitted.status).toBe(302);
    const url = submitted.headers.get("Location")!;
    const call = await lastCall(services, "+81312340305");
    expect(call.content.kind).toBe("url");
    const page = await bob.get(url);
    expect(page.html).toContain("契約者ご本人が「1」を押して同意すると");
    const consent = await recordConsent(services, call.verificationId!, true);
    expect(consent.ok && consent.code).toBeTruthy();
    const right = await postForm(bob, url, { intent: "check", code: consent.ok ? consent.code! : "" });
    expect(right.status).toBe(302);
    const [app] = await services.db.select().from(applications).where(eq(applications.id, url.split("/").at(-1)!));
    expect(app).toMatchObject({ status: "verified", relation: "family" });
    expect(app!.subscriberConsentAt).not.toBeNull();
  });

  it("says when the line is already covered", async () => {
    const page = await entryForm(alice, {});
    expect(page.status).toBe(409);
    expect(page.html).toContain("すでにお申し込みを受け付けています");
  });
});

describe("carrier exceptions", () => {
  it("are claimed and closed with a note", async () => {
    const app = await apply(services, { lineE164: "+81312340306" });
    await services.db.transaction((tx) => openException(tx, { dedupeKey: "test-exception-1", kind: "rejected", applicationId: app.applicationId, carrierCode: "kddi", reasonCode: "NOT_OUR_SUBSCRIBER" }, services.now()));
    const [exception] = await services.db.select().from(carrierExceptions).where(eq(carrierExceptions.dedupeKey, "test-exception-1"));
    const list = await alice.get("/ops/queue/carrier");
    expect(list.html).toContain("電話会社が手続きできなかった");
    expect((await postForm(alice, "/ops/queue/carrier", { intent: "claim", id: exception!.id })).status).toBe(302);
    const missingNote = await postForm(alice, `/ops/queue/carrier/${exception!.id}`, { intent: "resolve", how: "close", note: "" });
    expect(missingNote.status).toBe(400);
    expect(missingNote.html).toContain("対応の内容をメモに書いてください");
    const closed = await postForm(alice, `/ops/queue/carrier/${exception!.id}`, { intent: "resolve", how: "close", note: "申込者に電話で案内した" });
    expect(closed.status).toBe(302);
    const [after] = await services.db.select().from(carrierExceptions).where(eq(carrierExceptions.id, exception!.id));
    expect(after).toMatchObject({ resolution: "closed", resolvedBy: aliceId });
    expect((await alice.get("/ops/queue/carrier")).html).not.toContain(exception!.id);
  });
});

describe("dashboard and statistics", () => {
  it("shows counts by channel, queue backlogs and SLA breaches with charts and tables", async () => {
    const page = await sue.get("/ops");
    expect(page.status).toBe(200);
    expect(page.html).toContain('role="img"');
    expect(page.html).toContain("受付方法ごとのお申し込み件数");
    expect(page.html).toContain("作業の種類ごとの待ち件数");
    expect(page.html).toContain("電話会社の対応の遅れ");
  });

  it("exports the ministry's CSV for Excel", async () => {
    const response = await fetch(`${server.url}/ops/stats/csv?from=2026-11-01&to=2026-11-30`, { headers: { Cookie: sue.cookieHeader() } });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toContain("statistics-2026-11-01-2026-11-30.csv");
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString("utf8");
    expect(text).toContain("受付方法別,operator,職員入力,2");
    expect((await fetch(`${server.url}/ops/stats/csv`, { headers: { Cookie: alice.cookieHeader() } })).status).toBe(403);
  });
});
