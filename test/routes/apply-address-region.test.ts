/**
 * Issue 17 on the web (without JavaScript): a Tokyo line with a mistyped Osaka postal code is shown
 * the disagreement, keeps 東京都 and goes to NTT東日本 with the flag; a postal code of many towns
 * fills only the city. Needs the Remix build.
 */
import { eq } from "drizzle-orm";
import { applicationEvents, applications } from "../../db/schema";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import { codeFromSpeech, lastCallTo, SELF_ANSWERS, step } from "../support/apply-flow";

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

const text = (html: string) => html.replace(/<!-- -->/g, "").replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

async function untilAddress(browser: TestBrowser, number: string, e164: string) {
  await step(browser, "/apply", {});
  await step(browser, "/apply/number", { number });
  await step(browser, "/apply/applicant", SELF_ANSWERS.applicant);
  await step(browser, "/apply/verify", { method: "callback" });
  const call = await lastCallTo(services, e164);
  if (call.content.kind !== "say") throw new Error("expected a call that reads the code");
  await step(browser, "/apply/code", { intent: "check", code: codeFromSpeech(call.content.text) });
  return step(browser, "/apply/name", SELF_ANSWERS.name);
}

describe("the address step (issue 17)", () => {
  it("a Tokyo line with an Osaka postal code: shown once, then 東京都, NTT東日本, and the flag for the operator", async () => {
    const browser = new TestBrowser(server.url);
    await untilAddress(browser, "０３－１２３４－５６１１", "+81312345611");
    const warned = await step(browser, "/apply/address", { postalCode: "５３０－０００１", address: "東京都千代田区千代田1-1", intent: "save" });
    expect(text(warned.html)).toContain("郵便番号は大阪府の番号ですが、住所は東京都になっています。");
    expect(warned.html).toContain('name="regionChecked"');

    // Pressing 次へ again keeps what was typed: the typed prefecture wins, nothing is corrected silently.
    await step(browser, "/apply/address", { postalCode: "5300001", address: "東京都千代田区千代田1-1", intent: "save", regionChecked: "1" });
    await step(browser, "/apply/carrier", { choice: "ntt-east" });
    await step(browser, "/apply/scope", { scopes: ["incoming"] });
    const done = await step(browser, "/apply/check", {});
    const reference = done.html.match(/(\d{4}) - (\d{4}) - (\d{3})/)!.slice(1).join("");
    const [app] = await services.db.select().from(applications).where(eq(applications.reference, reference));
    expect(app).toMatchObject({ carrierCode: "ntt-east", prefecture: 13 });
    const events = await services.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, app!.id));
    expect(events.find((e) => e.type === "received")!.detail).toMatchObject({
      regionFlags: [{ kind: "postal_code_other_prefecture", postalPrefecture: 27, addressPrefecture: 13 }],
    });
  });

  it("452-0961 fills only 愛知県清須市 and lists the towns; 618-0000 fills nothing", async () => {
    const browser = new TestBrowser(server.url);
    await untilAddress(browser, "052-123-4567", "+81521234567");
    const filled = await step(browser, "/apply/address", { postalCode: "452-0961", intent: "lookup" });
    expect(filled.html).toContain('value="愛知県清須市"');
    expect(text(filled.html)).toContain("この郵便番号には、いくつかの町があります（春日明河原、");
    const border = await step(browser, "/apply/address", { postalCode: "618-0000", intent: "lookup" });
    expect(text(border.html)).toContain("この郵便番号は、京都府と大阪府の両方にあります。");
    const refused = await step(browser, "/apply/address", { postalCode: "618-0000", address: "乙訓郡大山崎町大山崎1", intent: "save" });
    expect(text(refused.html)).toContain("この郵便番号は、京都府と大阪府の両方にあります。住所を、都道府県から入力してください。");
  });
});
