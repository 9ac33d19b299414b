/**
 * Issue 15, point 4: an NTT東日本 line applied for on the web with 発信休止 and 着信休止 ticked. The centre
 * sends only 着信休止 (NTT takes 発信休止 from its own subscribers only): the done page, the receipt
 * PDF, /status and the completion letter all say what was sent, what the person must still do, and
 * NTT's number (局番なしの116), and so does the IVR's status read-back. Also: the scope step no longer pre-ticks a scope the carrier takes only
 * directly. Needs the Remix build (without JavaScript, over HTTP).
 */
import { and, eq } from "drizzle-orm";
import { applications, carrierOrders, outbox } from "../../db/schema";
import { planCarrierOrders } from "../../app/lib/carrier-orders.server";
import { cutBatch } from "../../app/lib/carrier-batches.server";
import { uploadResults } from "../../app/lib/carrier-results.server";
import { letterTemplate } from "../../templates/letters";
import { createDocument, drawInto, renderToBuffer } from "../../templates/pdf";
import { codeFromSpeech, lastCallTo, SELF_ANSWERS, step } from "../support/apply-flow";
import { createCarrierTestServices, resultsCsv } from "../support/carrier-fixtures";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import type { TestServices } from "../support/services";
import { pdfText } from "../fixtures/forms/fill-pdf";
import { callFrom } from "../support/ivr";

let services: TestServices;
let server: TestServer;
beforeAll(async () => {
  services = await createCarrierTestServices();
  server = await startTestServer(services);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

const text = (html: string) => html.replace(/<!-- -->/g, "").replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
const flat = (s: string) => s.replace(/\s+/g, "");

const REMINDER = ["発信休止は、まだ止まっていません", "センターからNTT東日本に送ったのは、着信休止だけです。", "局番なしの116"];

describe("NTT東日本, both scopes ticked (issue 15, point 4)", () => {
  it("the scope step does not pre-tick 発信休止 for NTT, and the reminder with 116 is on the done page, receipt, /status and the completion letter", async () => {
    const browser = new TestBrowser(server.url);
    const e164 = "+81335550123";
    await step(browser, "/apply", {});
    await step(browser, "/apply/number", { number: "03-3555-0123" });
    await step(browser, "/apply/applicant", SELF_ANSWERS.applicant);
    await step(browser, "/apply/verify", { method: "callback" });
    const call = await lastCallTo(services, e164);
    if (call.content.kind !== "say") throw new Error("expected a call that reads the code");
    await step(browser, "/apply/code", { intent: "check", code: codeFromSpeech(call.content.text) });
    await step(browser, "/apply/name", SELF_ANSWERS.name);
    await step(browser, "/apply/address", SELF_ANSWERS.address);
    const scopePage = await step(browser, "/apply/carrier", { choice: "ntt-east" });

    // Not pre-ticked: only 着信休止 is checked when the page is first shown.
    const checked = [...scopePage.html.matchAll(/<input[^>]*name="scopes"[^>]*>/g)].map((m) => m[0]).filter((tag) => /\schecked/.test(tag));
    expect(checked.map((tag) => tag.match(/value="(\w+)"/)?.[1])).toEqual(["incoming"]);

    await step(browser, "/apply/scope", { scopes: ["incoming", "outgoing"] });
    const done = await step(browser, "/apply/check", {});
    const doneText = flat(text(done.html));
    for (const phrase of REMINDER) expect(doneText).toContain(flat(phrase));
    const reference = done.html.match(/(\d{4}) - (\d{4}) - (\d{3})/)!.slice(1).join("");

    // The receipt PDF (text as a PDF reader extracts it).
    const receipt = await fetch(new URL("/apply/receipt", server.url), { headers: { Cookie: browser.cookieHeader() } });
    expect(receipt.headers.get("content-type")).toBe("application/pdf");
    const receiptText = flat(pdfText(new Uint8Array(await receipt.arrayBuffer())));
    for (const phrase of REMINDER) expect(receiptText).toContain(flat(phrase));
    expect(receiptText).toContain(flat("FAX：0570-000-119"));

    // /status
    const status = await step(new TestBrowser(server.url), "/status", { reference, number: "0335550123" });
    const statusText = flat(text(status.html));
    for (const phrase of REMINDER) expect(statusText).toContain(flat(phrase));

    // The IVR read-back (status, from the line itself) says it too.
    const ivr = callFrom(server, services, e164);
    await ivr.start();
    const heard = flat((await ivr.press("2")).says.join(" "));
    for (const phrase of REMINDER) expect(heard).toContain(flat(phrase));

    // The carrier completes 着信休止; the completion letter (print queue) carries the reminder.
    const [app] = await services.db.select().from(applications).where(eq(applications.reference, reference));
    expect(app!.scopes).toEqual(["incoming"]);
    await planCarrierOrders(services);
    const batch = await cutBatch(services, "ntt-east");
    expect(batch).not.toBeNull();
    const orders = await services.db.select().from(carrierOrders).where(eq(carrierOrders.applicationId, app!.id));
    expect(orders.map((o) => o.scope)).toEqual(["incoming"]);
    const outcome = await uploadResults(services, {
      carrierCode: "ntt-east",
      batchId: batch!.batchId,
      bytes: Buffer.from(resultsCsv(orders.map((o) => ({ id: o.id, result: "DONE", date: "2026-11-21" }))), "utf8"),
      contentType: "text/csv",
      actor: "carrier:ntt-east:test",
    });
    expect(outcome).toMatchObject({ ok: true });
    const [letter] = await services.db.select().from(outbox).where(and(eq(outbox.applicationId, app!.id), eq(outbox.purpose, "completion")));
    expect(letter?.channel).toBe("letter");
    const data = JSON.parse(services.comms.readBody(letter!)) as Record<string, unknown>;
    const doc = createDocument({ title: "test" });
    await drawInto(doc, () => letterTemplate(letter!.template).draw(data, { recipient: { postalCode: "1000001", address: "東京都千代田区千代田1-1", name: "山田 花子" }, date: new Date(), centrePhone: "0570-000-110", purpose: "completion" }));
    const letterText = flat(pdfText(await renderToBuffer(doc)));
    for (const phrase of REMINDER) expect(letterText).toContain(flat(phrase));
    expect(letterText).toContain(flat("FAX 0570-000-119"));
  });
});
