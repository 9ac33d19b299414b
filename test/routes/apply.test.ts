import { eq } from "drizzle-orm";
import { applicationEvents, applications, lines } from "../../db/schema";
import { REFUSAL_MESSAGES } from "../../app/domain/phone";
import { STATUS_LABELS } from "../../app/domain/application-state";
import { signTwilioRequest, ivrAuthToken } from "../../app/lib/twilio-webhook.server";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import { applyUntilCheck, codeFromSpeech, lastCallTo, step } from "../support/apply-flow";
import { signedInBrowser } from "../support/ops-session";

let services: TestServices;
let server: TestServer;
beforeAll(async () => {
  services = await createTestServices();
  server = await startTestServer(services);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

const decode = (html: string) => html.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

describe("the web apply journey (without JavaScript)", () => {
  it("applies as the subscriber, verified by call-back, and shows the reference number", async () => {
    const browser = new TestBrowser(server.url);
    const check = await applyUntilCheck(browser, services);
    expect(check.html).toContain("お申し込み内容を確かめてください");
    expect(check.html).toContain("03-1234-5678");
    expect(check.html).toContain("ヤマダ ハナコ");
    expect(check.html).toContain('href="/apply/name?change=1"');

    const done = await step(browser, "/apply/check", {});
    expect(done.html).toContain("お申し込みを受け付けました");
    const reference = done.html.match(/(\d{4}) - (\d{4}) - (\d{3})/)!.slice(1).join("");

    const [app] = await services.db.select().from(applications).where(eq(applications.reference, reference));
    expect(app).toMatchObject({ status: "verified", channel: "web", relation: "self", carrierCode: "kddi", verificationMethod: "callback" });
    expect(app!.scopes.sort()).toEqual(["incoming", "outgoing"]);
    expect(services.pii.open(app!.subscriberKanaEnc!)).toBe("ヤマダ ハナコ");
    expect(app!.subscriberKanaHash).toBe(services.pii.searchHash("ヤマダハナコ"));
    const events = await services.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, app!.id));
    expect(events.map((e) => e.toStatus)).toEqual(["received", "verified"]);
    const [line] = await services.db.select().from(lines).where(eq(lines.id, app!.lineId));
    expect(line).toMatchObject({ incomingSuspension: "pending", outgoingSuspension: "pending", prefecture: 13 });

    const receipt = await browser.request("/apply/receipt");
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get("Content-Type")).toBe("application/pdf");
    expect(receipt.html.startsWith("%PDF")).toBe(true);

    const status = await step(browser, "/status", { reference, number: "0312345678" });
    expect(status.html.replace(/<!-- -->/g, "")).toContain(`受付番号 ${reference.slice(0, 4)}-${reference.slice(4, 8)}-${reference.slice(8)} の状況`);
    expect(status.html).toContain(STATUS_LABELS.verified.label);
    expect(status.html).not.toContain("山田");
  });

  it("makes one application from a double submit", async () => {
    const browser = new TestBrowser(server.url);
    await applyUntilCheck(browser, services, { number: { number: "06-6123-4567" }, e164: "+81661234567", carrier: { choice: "ntt" }, address: { postalCode: "5300001", address: "大阪府大阪市北区梅田1-1", intent: "save" } });
    const check = await browser.get("/apply/check");
    const csrf = browser.csrfFrom(check.html);
    const [first, second] = await Promise.all([browser.post("/apply/check", { csrf }), browser.post("/apply/check", { csrf })]);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, "+81661234567"));
    const rows = await services.db.select().from(applications).where(eq(applications.lineId, line!.id));
    expect(rows).toHaveLength(1);
    // NTT was resolved by the prefecture of the address (Osaka is NTT西日本).
    expect(rows[0]!.carrierCode).toBe("ntt-west");
    expect(rows[0]!.scopes).toEqual(["incoming"]);
  });

  it("tells a second applicant that the line is already covered, without saying who applied", async () => {
    const browser = new TestBrowser(server.url);
    await applyUntilCheck(browser, services, {
      number: { number: "03-1234-5678" },
      name: { kanji: "別人 太郎", kana: "ベツジン タロウ" },
    });
    const covered = await step(browser, "/apply/check", {});
    expect(covered.url + covered.html.slice(covered.html.indexOf("<main"), covered.html.indexOf("<main") + 1500)).toContain("すでにお申し込みを受け付けています");
    expect(covered.html).not.toContain("山田");
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, "+81312345678"));
    expect(await services.db.select().from(applications).where(eq(applications.lineId, line!.id))).toHaveLength(1);
  });

  it.each([
    ["090-1234-5678", "mobile"],
    ["050-1234-5678", "ip_phone"],
    ["0120-123-456", "free_dial"],
    ["0570-123-456", "navi_dial"],
    ["+1 212 555 0100", "foreign"],
    ["でんわ", "not_a_number"],
    ["03-1234", "too_short_or_long"],
  ] as const)("refuses %s with the reason in plain words, and keeps what was typed", async (typed, reason) => {
    const browser = new TestBrowser(server.url);
    await step(browser, "/apply", {});
    const page = await step(browser, "/apply/number", { number: typed });
    expect(page.url).toBe("/apply/number");
    const html = decode(page.html);
    expect(html).toContain(REFUSAL_MESSAGES[reason]);
    expect(html).toContain(`value="${typed}"`);
    expect(html).toMatch(/<title>エラー：/);
  });

  it("does not let a person skip ahead to a later step", async () => {
    const browser = new TestBrowser(server.url);
    await step(browser, "/apply", {});
    const page = await browser.request("/apply/name");
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toBe("/apply/number");
  });

  it("asks a family member's call-back for the subscriber's consent, and stops when refused", async () => {
    const browser = new TestBrowser(server.url);
    await step(browser, "/apply", {});
    await step(browser, "/apply/number", { number: "011-222-3333" });
    await step(browser, "/apply/applicant", { relation: "family", relationDetail: "長男", applicantName: "山田 一郎", contactPhone: "090-1111-2222" });
    const codePage = await step(browser, "/apply/verify", { method: "callback" });
    expect(codePage.html).toContain("同意のボタン");
    const call = await lastCallTo(services, "+81112223333");
    expect(call.content.kind).toBe("url");
    if (call.content.kind !== "url") return;
    expect(call.content.fallbackText).toContain("ご家族の、山田 一郎さま");

    const url = new URL(call.content.url).pathname;
    const answer = async (pathname: string, params: Record<string, string>) => {
      const signature = signTwilioRequest(ivrAuthToken(services.config), `${services.config.publicBaseUrl}${pathname}`, params);
      return fetch(`${server.url}${pathname}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature },
        body: new URLSearchParams(params),
      });
    };
    const greeting = await (await answer(url, { CallSid: "CA1" })).text();
    expect(greeting).toContain("<Gather");
    expect(greeting).toContain("同意される場合は、1を押してください");
    const refused = await (await answer(`${url}/consent`, { CallSid: "CA1", Digits: "2" })).text();
    expect(refused).toContain("同意されないことを、承りました");
    const after = await browser.get("/apply/code");
    expect(after.html).toContain("同意しない");
  });

  it("reads the code after the subscriber presses 1, and the family member can continue", async () => {
    const browser = new TestBrowser(server.url);
    await step(browser, "/apply", {});
    await step(browser, "/apply/number", { number: "011-222-4444" });
    await step(browser, "/apply/applicant", { relation: "family", relationDetail: "娘", applicantName: "佐藤 花", contactPhone: "090-3333-4444" });
    await step(browser, "/apply/verify", { method: "callback" });
    const call = await lastCallTo(services, "+81112224444");
    if (call.content.kind !== "url") throw new Error("expected a consent call");
    const pathname = `${new URL(call.content.url).pathname}/consent`;
    const params = { CallSid: "CA2", Digits: "1" };
    const signature = signTwilioRequest(ivrAuthToken(services.config), `${services.config.publicBaseUrl}${pathname}`, params);
    const twiml = await (
      await fetch(`${server.url}${pathname}`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature }, body: new URLSearchParams(params) })
    ).text();
    const next = await step(browser, "/apply/code", { intent: "check", code: codeFromSpeech(twiml) });
    expect(next.url).toBe("/apply/name");
  });

  it("refuses a forged webhook signature and changes nothing", async () => {
    const response = await fetch(`${server.url}/ivr/verification/00000000-0000-4000-8000-000000000000/consent`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "forged" },
      body: new URLSearchParams({ Digits: "1" }),
    });
    expect(response.status).toBe(403);
  });

  it("says how to fix a wrong code", async () => {
    const browser = new TestBrowser(server.url);
    await step(browser, "/apply", {});
    await step(browser, "/apply/number", { number: "03-5555-0001" });
    await step(browser, "/apply/applicant", { relation: "self" });
    await step(browser, "/apply/verify", { method: "callback" });
    const call = await lastCallTo(services, "+81355550001");
    const right = call.content.kind === "say" ? codeFromSpeech(call.content.text) : "";
    const wrong = right === "0000" ? "1111" : "0000";
    const page = await step(browser, "/apply/code", { intent: "check", code: wrong });
    expect(page.html).toContain("確認番号が違います");
    expect(page.html).toMatch(/<title>エラー：/);
  });
});

describe("the back office's simulated call (demo without Twilio)", () => {
  it("lets an operator answer a consent call, press 1, and hear the code", async () => {
    const applicant = new TestBrowser(server.url);
    await step(applicant, "/apply", {});
    await step(applicant, "/apply/number", { number: "011-222-5555" });
    await step(applicant, "/apply/applicant", { relation: "other", relationDetail: "札幌北警察署", applicantName: "警察 太郎", contactPhone: "011-000-0000" });
    await step(applicant, "/apply/verify", { method: "callback" });
    const call = await lastCallTo(services, "+81112225555");

    const { browser: operator } = await signedInBrowser(server, services, "operator");
    const page = await operator.get(`/ops/outbox/${call.id}/call`);
    expect(page.status).toBe(200);
    const answered = await operator.post(`/ops/outbox/${call.id}/call`, { csrf: operator.csrfFrom(page.html), intent: "answer" });
    expect(decode(answered.html)).toContain("札幌北警察署の、警察 太郎さま");
    const gather = decode(answered.html).match(/name="gather" value="([^"]+)"/)![1]!;
    const callSid = answered.html.match(/name="callSid" value="([^"]+)"/)![1]!;
    const pressed = await operator.post(`/ops/outbox/${call.id}/call`, { csrf: operator.csrfFrom(page.html), intent: "press", gather, callSid, digit: "1" });
    const code = codeFromSpeech(decode(pressed.html).replace(/<!-- -->/g, ""));
    const next = await step(applicant, "/apply/code", { intent: "check", code });
    expect(next.url).toBe("/apply/name");
  });
});

describe("moving to a new number", () => {
  it("asks to release the old line, confirmed by a call to the old line", async () => {
    const { cancellations } = await import("../../db/schema");
    const browser = new TestBrowser(server.url);
    // The old line already has a suspension (applied in the first test of this file).
    await applyUntilCheck(browser, services, { number: { number: "03-9999-0001", previousNumber: "03-1234-5678" }, e164: "+81399990001" });
    const done = await step(browser, "/apply/check", {});
    expect(done.html).toContain("前の番号");
    const [old] = await services.db.select().from(lines).where(eq(lines.e164, "+81312345678"));
    const rows = await services.db.select().from(cancellations).where(eq(cancellations.lineId, old!.id));
    expect(rows.some((c) => c.reasonCode === "moving")).toBe(true);
    const call = await lastCallTo(services, "+81312345678");
    expect(call.content.kind).toBe("url");
  });
});
