import { eq } from "drizzle-orm";
import { applications, cancellations, carrierOrders, ivrCalls, lines, outbox } from "../../db/schema";
import { parseTwiml } from "../../app/lib/ivr-simulator.server";
import { operatorsAvailable } from "../../app/lib/ivr.server";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import { callFrom } from "../support/ivr";
import { step } from "../support/apply-flow";
import { carrierTestConfig } from "../support/carrier-fixtures";
import { randomUUID } from "node:crypto";
import { listQueue } from "../../app/lib/queues.server";
import { planCarrierOrders } from "../../app/lib/carrier-orders.server";
import { batchFile, cutBatch, getBatch } from "../../app/lib/carrier-batches.server";

let services: TestServices;
let server: TestServer;
beforeAll(async () => {
  services = await createTestServices({ config: carrierTestConfig({ operatorNumber: "+81355550000" }) });
  server = await startTestServer(services);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

const joined = (says: string[]) => says.join(" ");
const callRow = async (callSid: string) => (await services.db.select().from(ivrCalls).where(eq(ivrCalls.callSid, callSid)))[0]!;

describe("IVR: apply by phone", () => {
  it("applies from the landline in at most 6 key presses and reads the reference twice", async () => {
    const call = callFrom(server, services, "+81312340001");
    const greeting = await call.start();
    expect(joined(greeting.says)).toContain("国際電話を止めるお申し込みは1を");
    await call.press("1"); // apply
    await call.press("2"); // incoming and outgoing
    await call.press("2"); // another company
    await call.press("1"); // KDDI
    await call.speak("山田 花子");
    const who = await call.record();
    expect(joined(who.says)).toContain("契約者ご本人ですか");
    const confirm = await call.press("1"); // 本人
    expect(joined(confirm.says)).toContain("0、3、1、2、3、4、0、0、0、1");
    expect(joined(confirm.says)).toContain("山田 花子さま");
    const done = await call.press("1"); // confirm
    expect(call.keyPresses).toBeLessThanOrEqual(6);
    expect(done.waiting.kind).toBe("ended");
    const text = joined(done.says);
    expect(text).toContain("お申し込みを受け付けました");
    const spoken = text.match(/受付番号を申し上げます。(.+?)。もう一度申し上げます。(.+?)。/)!;
    expect(spoken[1]).toBe(spoken[2]);

    const [line] = await services.db.select().from(lines).where(eq(lines.e164, "+81312340001"));
    const [app] = await services.db.select().from(applications).where(eq(applications.lineId, line!.id));
    expect(app).toMatchObject({ channel: "ivr", status: "verified", verificationMethod: "caller_id", carrierCode: "kddi", relation: "self" });
    expect(spoken[1]!.replace(/[、の]/g, "")).toBe(app!.reference);
    expect(services.pii.open(app!.subscriberNameEnc!)).toBe("山田 花子");
    const row = await callRow(call.callSid);
    expect(row).toMatchObject({ status: "completed", purpose: "apply", applicationId: app!.id });
  });

  it("tells a caller whose first call dropped before the reference which application covers the line (chaos run)", async () => {
    const apply = async () => {
      const call = callFrom(server, services, "+81312340002");
      await call.start();
      await call.press("1"); // apply
      await call.press("1"); // incoming only
      await call.press("2"); // another company
      await call.press("1"); // KDDI
      await call.speak("佐藤 一郎");
      await call.record();
      await call.press("1"); // 本人
      return call.press("1"); // confirm
    };
    await apply();
    const [app] = await services.db.select().from(applications).innerJoin(lines, eq(lines.id, applications.lineId)).where(eq(lines.e164, "+81312340002"));
    const again = await apply();
    const text = joined(again.says);
    expect(text).toContain("すでにお申し込みを受け付けています");
    expect(text.replace(/[、の]/g, "")).toContain(`受付番号${app!.applications.reference}`);
  });

  it("routes NTT by the area code and explains what NTT does not accept here", async () => {
    const call = callFrom(server, services, "+81661230002");
    await call.start();
    await call.press("1");
    await call.press("2"); // both scopes
    await call.press("1"); // NTT → 06 is NTT西日本
    await call.speak("大阪 一郎");
    await call.record();
    await call.press("1");
    const done = await call.press("1");
    expect(joined(done.says)).toContain("発信休止は、NTT西日本に直接お申し込みください");
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, "+81661230002"));
    const [app] = await services.db.select().from(applications).where(eq(applications.lineId, line!.id));
    expect(app).toMatchObject({ carrierCode: "ntt-west", scopes: ["incoming"] });
  });

  it("sends an inquiry when the caller does not know the carrier (わからない)", async () => {
    const call = callFrom(server, services, "+81992220009");
    await call.start();
    await call.press("1");
    await call.press("1");
    await call.speak("わからない");
    await call.speak("西 花子");
    await call.record();
    await call.press("1");
    const done = await call.press("1");
    expect(joined(done.says)).toContain("お申し込みを受け付けました");
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, "+81992220009"));
    const [app] = await services.db.select().from(applications).where(eq(applications.lineId, line!.id));
    expect(app).toMatchObject({ carrierChoice: "unknown", carrierCode: null, status: "verified" });
  });

  it("tells a withheld caller about 186 and ends politely", async () => {
    const call = callFrom(server, services, "anonymous");
    await call.start();
    const turn = await call.press("1");
    expect(joined(turn.says)).toContain("1、8、6");
    expect(turn.waiting.kind).toBe("ended");
  });

  it.each([
    ["+819012345678", "携帯電話"],
    ["+815012345678", "050"],
  ])("tells a %s caller that the number is not eligible", async (from, words) => {
    const call = callFrom(server, services, from);
    await call.start();
    const turn = await call.press("1");
    expect(joined(turn.says)).toContain(words);
    expect(turn.waiting.kind).toBe("ended");
    expect(await services.db.select().from(lines).where(eq(lines.e164, from))).toHaveLength(0);
  });

  it("repeats a prompt with *, asks again after a wrong key, and accepts speech for dial phones", async () => {
    const call = callFrom(server, services, "+81312340003");
    const first = await call.start();
    const repeated = await call.press("*");
    expect(repeated.says.at(-1)).toBe(first.says.at(-1));
    const wrong = await call.press("7");
    expect(joined(wrong.says)).toContain("もう一度お願いします");
    const scope = await call.speak("いち");
    expect(joined(scope.says)).toContain("海外からかかってくる電話だけを止めるときは1");
    const carrier = await call.speak("りょうほう");
    expect(joined(carrier.says)).toContain("ご契約の電話会社が");
  });

  it("re-prompts twice on silence, then gives the operator hours outside business hours", async () => {
    services.clock.set("2026-11-22T14:00:00Z"); // Sunday 23:00 in Japan
    const call = callFrom(server, services, "+81312340004");
    await call.start();
    const once = await call.silence();
    expect(joined(once.says)).toContain("確認できませんでした");
    await call.silence();
    const last = await call.silence();
    expect(last.waiting.kind).toBe("ended");
    expect(last.dialed).toBeNull();
    expect(joined(last.says)).toContain("平日の9時から17時");
  });

  it("puts the caller through to an operator in business hours (0, or after silence)", async () => {
    services.clock.set("2026-11-24T01:00:00Z"); // Tuesday 10:00 in Japan
    expect(operatorsAvailable(services.now())).toBe(true);
    const call = callFrom(server, services, "+81312340005");
    await call.start();
    const turn = await call.press("0");
    expect(turn.dialed).toBe("+81355550000");
    // The operator call over, the caller hears a polite goodbye, not 「おつなぎできません」.
    expect(turn.says.at(-1)).toContain("お電話ありがとうございました");
    expect(joined(turn.says)).not.toContain("おつなぎできません");
  });

  it("keeps what was said when the caller hangs up part-way, marked incomplete", async () => {
    const call = callFrom(server, services, "+81312340006");
    await call.start();
    await call.press("1");
    await call.press("1");
    await call.hangup();
    const row = await callRow(call.callSid);
    expect(row.status).toBe("incomplete");
    expect(row.node).toBe("apply_carrier");
    expect(JSON.parse(services.pii.open(row.answersEnc)).scopes).toEqual(["incoming"]);
  });

  it("refuses forged signatures with 403 and changes nothing", async () => {
    const before = await services.db.select().from(ivrCalls);
    for (const path of ["/ivr/voice", "/ivr/step?node=menu", "/ivr/status"]) {
      const response = await fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl" },
        body: new URLSearchParams({ CallSid: "CAforged", From: "+81312345678", Digits: "1" }),
      });
      expect(response.status).toBe(403);
    }
    expect(await services.db.select().from(ivrCalls)).toHaveLength(before.length);
  });
});

describe("IVR: status, forms and call-in verification", () => {
  it("answers the status of the caller's own line", async () => {
    const call = callFrom(server, services, "+81312340001");
    await call.start();
    const turn = await call.press("2");
    expect(joined(turn.says)).toContain("のお申し込みは、確認できました");
  });

  it("answers the status of a reference number keyed in", async () => {
    const [app] = await services.db.select().from(applications).limit(1);
    const call = callFrom(server, services, "anonymous");
    await call.start();
    const ask = await call.press("2");
    expect(joined(ask.says)).toContain("受付番号11けた");
    const bad = await call.press("12345678900#");
    expect(joined(bad.says)).toContain("確認できませんでした");
    const turn = await call.press(`${app!.reference}#`);
    expect(joined(turn.says)).toContain("のお申し込みは");
  });

  it("takes a request for a paper form by mail into the print queue", async () => {
    const call = callFrom(server, services, "+81312340007");
    await call.start();
    await call.press("3");
    await call.speak("鈴木 次郎");
    await call.record();
    await call.press("1000001#");
    await call.speak("東京都千代田区千代田1の1");
    const confirm = await call.record();
    expect(joined(confirm.says)).toContain("鈴木 次郎さまあてに");
    const done = await call.press("1");
    expect(joined(done.says)).toContain("申込書をお送りします");
    const row = await callRow(call.callSid);
    const [letter] = await services.db.select().from(outbox).where(eq(outbox.id, row.outboxId!));
    expect(letter).toMatchObject({ channel: "letter", template: "application-form-prefilled", status: "queued" });
    const data = JSON.parse(services.pii.open(letter!.bodyEnc));
    expect(data).toMatchObject({ name: "鈴木 次郎", postalCode: "1000001", number: "+81312340007" });
  });

  it("verifies a web application by a call-in from the line with the code the page shows", async () => {
    const browser = new TestBrowser(server.url);
    await step(browser, "/apply", {});
    await step(browser, "/apply/number", { number: "03-1234-0008" });
    await step(browser, "/apply/applicant", { relation: "self" });
    const page = await step(browser, "/apply/verify", { method: "call_in" });
    const code = page.html.match(/class="panel__body digits"[^>]*>(\d{4})</)![1]!;

    const call = callFrom(server, services, "+81312340008");
    const greeting = await call.start();
    expect(joined(greeting.says)).toContain("4けたの確認番号を押してください");
    const wrong = await call.press(code === "0000" ? "1111" : "0000");
    expect(joined(wrong.says)).toContain("番号が違います");
    const ok = await call.press(code);
    expect(joined(ok.says)).toContain("確認できました");

    const next = await step(browser, "/apply/code", { intent: "call_in_done" });
    expect(next.url).toBe("/apply/name");
  });
});

describe("IVR: a family member applies from the subscriber's phone", () => {
  async function familyCall(from: string) {
    const call = callFrom(server, services, from);
    await call.start();
    await call.press("1"); // apply
    await call.press("1"); // incoming only
    await call.press("1"); // NTT
    await call.speak("佐藤 一郎");
    await call.record();
    return { call, asked: await call.press("2") }; // family
  }
  const applicationOn = async (e164: string) => {
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, e164));
    return (await services.db.select().from(applications).where(eq(applications.lineId, line!.id)))[0]!;
  };

  it("asks for the caller's own number, reads it back, and keeps it sealed so a later withdrawal can be told to them (ADR 029)", async () => {
    const { call, asked } = await familyCall("+81312340201");
    expect(joined(asked.says)).toContain("ご家族の方の電話番号を");
    const wrong = await call.press("0901234#"); // too short
    expect(joined(wrong.says)).toContain("電話番号を確認できませんでした");
    const confirm = await call.press("09012345678");
    expect(joined(confirm.says)).toContain("ご家族の方のご連絡先、0、9、0、1、2、3、4、5、6、7、8");
    const done = await call.press("1");
    expect(joined(done.says)).toContain("お申し込みを受け付けました");
    const app = await applicationOn("+81312340201");
    expect(app).toMatchObject({ channel: "ivr", relation: "family", contactPhoneHash: services.pii.searchHash("09012345678") });
    expect(services.pii.open(app.contactPhoneEnc!)).toBe("09012345678");
  });

  it("takes 0 then # (or 「ありません」) as no number, and applies without one", async () => {
    const { call } = await familyCall("+81312340202");
    const confirm = await call.press("0#");
    expect(joined(confirm.says)).not.toContain("ご連絡先");
    await call.press("1");
    expect(await applicationOn("+81312340202")).toMatchObject({ relation: "family", contactPhoneHash: null });
    const spoken = await familyCall("+81312340203");
    expect(joined((await spoken.call.speak("ありません")).says)).toContain("お申し込みの内容です");
  });
});

describe("IVR: cancel (menu 4)", () => {
  it("takes a cancellation request from the line, and never turns calls back on by itself", async () => {
    const call = callFrom(server, services, "+81312340001");
    await call.start();
    const who = await call.press("4");
    expect(joined(who.says)).toContain("解除のお申し込みですね");
    const confirm = await call.press("2"); // a family member on the subscriber's phone
    expect(joined(confirm.says)).toContain("この電話だけで、国際電話がつながるようにはなりません");
    const done = await call.press("1");
    expect(joined(done.says)).toContain("解除のお申し込みを受け付けました");
    const row = await callRow(call.callSid);
    expect(row.cancellationId).toBeTruthy();
    const [cancellation] = await services.db.select().from(cancellations).where(eq(cancellations.id, row.cancellationId!));
    expect(cancellation).toMatchObject({ channel: "ivr", requesterRelation: "family" });
    expect(cancellation!.status).not.toBe("approved");
    expect(await services.db.select().from(carrierOrders).where(eq(carrierOrders.action, "RESUME"))).toHaveLength(0);
  });

  it("says so when the line has nothing to cancel", async () => {
    const call = callFrom(server, services, "+81312349999");
    await call.start();
    await call.press("4");
    await call.press("1");
    const done = await call.press("1");
    expect(joined(done.says)).toContain("見つかりませんでした");
  });
});

describe("TwiML parser", () => {
  it("reads Say, Gather with nested Say, Redirect, Record, Dial and Hangup", () => {
    const verbs = parseTwiml(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="ja-JP">a &amp; b</Say><Gather action="https://x/ivr/step?node=menu" numDigits="1" input="dtmf speech"><Say language="ja-JP">q</Say></Gather><Redirect method="POST">https://x/ivr/step?node=menu&amp;silence=1</Redirect><Record action="https://x/r"/><Dial>+8131</Dial><Hangup/></Response>',
    );
    expect(verbs.map((v) => v.type)).toEqual(["say", "gather", "redirect", "record", "dial", "hangup"]);
    expect(verbs[0]).toEqual({ type: "say", text: "a & b", language: "ja-JP" });
    expect(verbs[2]).toEqual({ type: "redirect", url: "https://x/ivr/step?node=menu&silence=1" });
  });
});

describe("IVR: names are advisory", () => {
  it("sends the heard name to the carrier marked unverified, with no queue item (ADR 015)", async () => {
    const call = callFrom(server, services, "+81312340031");
    await call.start();
    await call.press("1"); // apply
    await call.press("1"); // incoming only
    await call.press("2"); // another company
    await call.press("1"); // KDDI
    await call.speak("やまだ はなこ"); // speech recognition: low confidence, no kana
    await call.record();
    await call.press("1"); // 本人
    await call.press("1"); // confirm
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, "+81312340031"));
    const [app] = await services.db.select().from(applications).where(eq(applications.lineId, line!.id));
    expect(app).toMatchObject({ status: "verified", subscriberNameUnverified: true });
    expect((await listQueue(services, "ivr", randomUUID())).map((item) => item.id)).not.toContain((await callRow(call.callSid)).id);

    await planCarrierOrders(services);
    const batch = await cutBatch(services, "kddi");
    const summary = (await getBatch(services, "kddi", batch!.batchId))!;
    const json = JSON.parse((await batchFile(services, summary, "json").buffer()).toString("utf8")) as { records: { phone_number: string; subscriber_name: string; name_unverified: boolean }[] };
    const record = json.records.find((r) => r.phone_number === "0312340031");
    expect(record).toMatchObject({ subscriber_name: "やまだ はなこ", name_unverified: true });
    const csv = (await batchFile(services, summary, "csv").buffer()).toString("utf8");
    const [header, ...rows] = csv.split("\r\n");
    const column = header!.split(",").indexOf("name_unverified");
    expect(column).toBeGreaterThan(0);
    expect(rows.find((l) => l.includes("0312340031"))!.split(",")[column]).toBe("1");
  });
});
