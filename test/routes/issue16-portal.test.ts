/**
 * Issue 16 on the portal, over HTTP as a browser without JavaScript (the e2e tests cover the same
 * journeys in Chromium): conditional questions and their badges (8), a later step opened by someone
 * who never started (9), kana messages that say what is wrong (10), and control characters refused by
 * the forms and by the data layer (11).
 */
import { eq } from "drizzle-orm";
import { applyDrafts, outbox } from "../../db/schema";
import { submitApplication } from "../../app/lib/applications.server";
import { ja } from "../../app/locales/ja";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import { codeFromSpeech, lastCallTo, step } from "../support/apply-flow";
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

/** The text of an element's label (tags dropped), by the input's id. */
function labelOf(html: string, id: string): string {
  const match = html.match(new RegExp(`<label[^>]*for="${id}"[^>]*>([\\s\\S]*?)</label>`));
  if (!match) throw new Error(`no label for #${id}`);
  return match[1]!;
}

describe("point 8: who is applying (/apply/applicant)", () => {
  it("has no label that says 必須 and 任意 at once, and hides the family-only questions until they apply", async () => {
    const browser = new TestBrowser(server.url);
    await step(browser, "/apply", {});
    const page = await step(browser, "/apply/number", { number: "03-5555-0201" });
    expect(page.url).toBe("/apply/applicant");
    const html = decode(page.html);
    for (const id of ["applicantName", "relationDetail"]) {
      const label = labelOf(html, id);
      expect(label, id).not.toContain("ご本人以外の方は必須");
      expect(label, id).toContain("※必須");
      expect(label, id).not.toContain("※任意");
    }
    // The contact number: one badge per rule, each shown only when it applies (CSS, no JavaScript).
    const contact = labelOf(html, "contactPhone");
    expect(contact).toMatch(/class="[^"]*requirement-badge--required[^"]*only-if-not-self[^"]*">※必須/);
    expect(contact).toMatch(/class="[^"]*requirement-badge--optional[^"]*unless-not-self[^"]*">※任意/);
    // The family-only questions sit in the block the stylesheet shows only after ご家族／その他.
    const block = html.slice(html.indexOf('class="only-if-not-self"'));
    expect(block.indexOf('id="applicantName"')).toBeGreaterThan(0);
    expect(block.indexOf('id="relationDetail"')).toBeGreaterThan(0);
    expect(block.indexOf('id="applicantName"')).toBeLessThan(block.indexOf('id="contactPhone"'));
    const stylesheet = html.match(/<link rel="stylesheet" href="([^"]+)"/)![1]!;
    const css = await (await fetch(new URL(stylesheet, server.url))).text();
    expect(css).toMatch(/\.only-if-not-self\s*\{\s*display:\s*none/);
    expect(css).toMatch(/form:has\(input\[name="relation"\]\[value="family"\]:checked/);
  });

  it("lists the errors in the order of the page", async () => {
    const browser = new TestBrowser(server.url);
    await step(browser, "/apply", {});
    await step(browser, "/apply/number", { number: "03-5555-0202" });
    const refused = await step(browser, "/apply/applicant", { relation: "family" });
    const html = decode(refused.html);
    const summary = html.slice(html.indexOf("error-summary"), html.indexOf("</ul>", html.indexOf("error-summary")));
    const summaryOrder = [...summary.matchAll(/href="#([A-Za-z]+)"/g)].map((m) => m[1]);
    expect(summaryOrder).toEqual(["applicantName", "relationDetail", "contactPhone"]);
    const pageOrder = [...html.matchAll(/<input[^>]*id="(applicantName|relationDetail|contactPhone)"/g)].map((m) => m[1]);
    expect(pageOrder).toEqual(summaryOrder);
  });
});

describe("point 9: a later step opened directly", () => {
  it("tells someone who never started where to start, not that their input was lost", async () => {
    for (const [path, start] of [["/apply/check", "/apply"], ["/apply/name", "/apply"], ["/cancel/check", "/cancel"]] as const) {
      const browser = new TestBrowser(server.url);
      const first = await browser.request(path);
      expect(first.status, path).toBe(302);
      expect(first.headers.get("Location"), path).toBe(`${start}?start=1`);
      const page = decode((await browser.get(path)).html);
      expect(page, path).not.toContain("時間がたったため");
      expect(page, path).toContain(ja.journey.notStarted);
    }
  });

  it("still tells someone whose answers ran out that they did", async () => {
    const browser = new TestBrowser(server.url);
    await step(browser, "/apply", {});
    await services.db.update(applyDrafts).set({ expiresAt: new Date(services.now().getTime() - 1000) });
    const first = await browser.request("/apply/check");
    expect(first.headers.get("Location")).toBe("/apply?expired=1");
    const page = decode((await browser.get("/apply/check")).html);
    expect(page).toContain("時間がたったため");
    expect(page).not.toContain(ja.journey.notStarted);
  });
});

async function untilName(browser: TestBrowser, e164: string, display: string) {
  await step(browser, "/apply", {});
  await step(browser, "/apply/number", { number: display });
  await step(browser, "/apply/applicant", { relation: "self", contactPhone: "" });
  await step(browser, "/apply/verify", { method: "callback" });
  const call = await lastCallTo(services, e164);
  if (call.content.kind !== "say") throw new Error("expected a call that reads the code");
  return step(browser, "/apply/code", { intent: "check", code: codeFromSpeech(call.content.text) });
}

describe("point 1: the same contradiction entered by an operator for a caller (/ops/entry)", () => {
  it("is refused on the old number, with the message of the web form", async () => {
    const { browser } = await signedInBrowser(server, services, "operator");
    const page = await browser.get("/ops/entry");
    const token = page.html.match(/name="token" value="([^"]+)"/)![1]!;
    const refused = await browser.post("/ops/entry", {
      csrf: browser.csrfFrom(page.html),
      token,
      number: "03-5555-0401",
      previousNumber: "0355550401",
      relation: "self",
      kanji: "山田 花子",
      kana: "ヤマダ ハナコ",
      postalCode: "1000001",
      address: "東京都千代田区千代田1-1",
      choice: "kddi",
      scopes: "incoming",
    });
    expect(refused.status).toBe(400);
    expect(decode(refused.html)).toContain(ja.apply.previousNumberSameAsNumber);
  });
});

describe("point 2: 「もう一度電話をかける」 pressed twice", () => {
  it("places one more call, and the second press is not told off", async () => {
    const browser = new TestBrowser(server.url);
    const e164 = "+81355550301";
    await step(browser, "/apply", {});
    await step(browser, "/apply/number", { number: "03-5555-0301" });
    await step(browser, "/apply/applicant", { relation: "self", contactPhone: "" });
    await step(browser, "/apply/verify", { method: "callback" });
    const calls = async () => (await services.db.select().from(outbox)).filter((row) => row.channel === "call" && services.pii.open(row.toEnc) === e164).length;
    expect(await calls()).toBe(1);
    services.clock.advance(61_000);
    const page = await browser.get("/apply/code");
    const csrf = browser.csrfFrom(page.html);
    const answers = await Promise.all([browser.post("/apply/code", { csrf, intent: "resend" }), browser.post("/apply/code", { csrf, intent: "resend" })]);
    expect(answers.map((a) => a.status)).toEqual([303, 303]);
    expect(await calls()).toBe(2);
    const after = decode((await browser.get("/apply/code")).html);
    expect(after).not.toContain("error-summary");
  });
});

describe("point 10: kana messages say what is wrong", () => {
  it("names the characters a kana reading cannot hold", async () => {
    const browser = new TestBrowser(server.url);
    await untilName(browser, "+81355550101", "03-5555-0101");
    const refused = decode((await step(browser, "/apply/name", { kanji: "山田 花子", kana: "ヤマダ ハナコ1" })).html);
    expect(refused).toContain("フリガナに使えない文字（「1」）が入っています。");
    // What was typed stays.
    expect(refused).toContain('value="ヤマダ ハナコ1"');
  });

  it("takes a hyphen typed for the long vowel mark", async () => {
    const browser = new TestBrowser(server.url);
    await untilName(browser, "+81355550102", "03-5555-0102");
    const next = await step(browser, "/apply/name", { kanji: "佐藤 浩二", kana: "サトウ コ-ジ" });
    expect(next.url).toBe("/apply/address");
    const page = decode((await browser.get("/apply/name")).html);
    expect(page).toContain('value="サトウ コージ"');
  });
});

describe("point 11: control characters in names", () => {
  it("are refused by the name form with a message", async () => {
    const browser = new TestBrowser(server.url);
    await untilName(browser, "+81355550103", "03-5555-0103");
    const kana = decode((await step(browser, "/apply/name", { kanji: "山田 花子", kana: "ヤマダハ\u0000\u0000ナコ" })).html);
    expect(kana).toContain(ja.kana.controlCharacters);
    const kanji = decode((await step(browser, "/apply/name", { kanji: "山田\u0000花子", kana: "ヤマダ ハナコ" })).html);
    expect(kanji).toContain(ja.name.controlCharacters);
  });

  it("are refused by the data layer, whatever the channel", async () => {
    const base = {
      channel: "paper" as const,
      actor: "test",
      lineE164: "+81355550104",
      scopes: ["incoming" as const],
      relation: "self" as const,
      subscriberName: "山田 花子",
      subscriberKana: "ヤマダ ハナコ",
      carrierChoice: "kddi" as const,
      verification: { method: null, verifiedAt: null, consentAt: null },
    };
    await expect(submitApplication(services, { ...base, idempotencyKey: "nul-kana", subscriberKana: "ヤマダハ\u0000\u0000ナコ" })).rejects.toThrow(/control characters in subscriberKana/);
    await expect(submitApplication(services, { ...base, idempotencyKey: "nul-name", subscriberName: "山田\u0007花子" })).rejects.toThrow(/control characters in subscriberName/);
    const fine = await submitApplication(services, { ...base, idempotencyKey: "clean" });
    expect(fine.kind).toBe("created");
  });
});
