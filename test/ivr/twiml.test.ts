/**
 * Issue 13 (points 1, 2, 3, 6, 7, 9): the phone line as real Twilio plays it.
 * Every TwiML document the app produces names a ja-JP voice and never ends right after <Gather> or
 * <Record>; the postal-code escape works with keys Twilio sends; operator hours know holidays; wrong
 * keys escalate; a caller with a pending web code reaches the menu; the simulator CLI explains
 * setup mistakes in one line.
 */
import { eq } from "drizzle-orm";
import { vi } from "vitest";
import { ivrCalls, outbox } from "../../db/schema";
import { inYearEndClosure, japaneseHoliday, operatorsAvailable } from "../../app/domain/business-hours";
import { sayTwiml } from "../../app/lib/comms.server";
import { cancellationAnswerTwiml, cancellationCallTwiml } from "../../app/lib/cancellation-call.server";
import { ConfigError, loadConfig } from "../../app/lib/env.server";
import { CallSimulator, explainSetupError, parseTwiml, type TwimlVerb } from "../../app/lib/ivr-simulator.server";
import { handleStep } from "../../app/lib/ivr.server";
import { paperAnswerTwiml, paperCallTwiml } from "../../app/lib/paper-confirmation.server";
import { ivrAuthToken } from "../../app/lib/twilio-webhook.server";
import { verificationCallTwiml, verificationConsentTwiml } from "../../app/lib/verification-call.server";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, TestBrowser, type TestServer } from "../support/http";
import { lastCallTo, step } from "../support/apply-flow";
import { carrierTestConfig } from "../support/carrier-fixtures";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** A cancellation confirmation call with a question (the real rows take a whole web journey; cancel.test.ts plays that). */
const CANCEL_CALL = "11111111-1111-4111-8111-111111111111";
vi.mock("../../app/lib/cancellations.server", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../app/lib/cancellations.server")>();
  return {
    ...original,
    confirmationCallQuestion: async (services: Parameters<typeof original.confirmationCallQuestion>[0], id: string) =>
      id === "11111111-1111-4111-8111-111111111111"
        ? { ok: true as const, kind: "withdrawal" as const, prompt: "ご家族と名乗る方から、お申し込みの取り下げのお申し出がありました。同意される場合は、1を押してください。" }
        : original.confirmationCallQuestion(services, id),
    recordSubscriberAnswer: async (services: Parameters<typeof original.recordSubscriberAnswer>[0], id: string, agreed: boolean) =>
      id === "11111111-1111-4111-8111-111111111111"
        ? { ok: true as const, answer: agreed ? ("agreed" as const) : ("refused" as const), kind: "withdrawal" as const, status: "approved" as const, repeated: false }
        : original.recordSubscriberAnswer(services, id, agreed),
  };
});

const VOICE = "Polly.Takumi";
const OPERATOR = "+81355550000";
const WEEKDAY_10 = "2026-11-24T01:00:00Z"; // Tuesday 10:00 JST
const SUNDAY_NIGHT = "2026-11-22T14:00:00Z"; // Sunday 23:00 JST

let services: TestServices;
let server: TestServer;
/** Every TwiML document served during this file, with where it came from. */
const documents: { source: string; xml: string }[] = [];

const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const text = await response.clone().text();
  if (response.ok && text.includes("<Response")) documents.push({ source: String(input), xml: text });
  return response;
};

function caller(from: string, options: { dialOutcome?: "completed" | "no-answer" } = {}) {
  return new CallSimulator({ serverUrl: server.url, publicBaseUrl: services.config.publicBaseUrl, authToken: ivrAuthToken(services.config), from, fetch: recordingFetch, ...options });
}
const keep = (source: string, xml: string) => {
  documents.push({ source, xml });
  return xml;
};
const joined = (says: string[]) => says.join(" ");

beforeAll(async () => {
  services = await createTestServices({ config: carrierTestConfig({ operatorNumber: OPERATOR, twilioVoice: VOICE }) });
  server = await startTestServer(services);
});
afterAll(async () => {
  await server.close();
  await services.close();
});

/** What is wrong with one document: a <Say> without the voice/language, or a <Gather>/<Record> last. */
function problemsOf(xml: string): string[] {
  const problems: string[] = [];
  for (const [, attrs] of xml.matchAll(/<Say\b([^>]*)>/g)) {
    if (!attrs!.includes(` voice="${VOICE}"`)) problems.push(`<Say${attrs}> names no voice ${VOICE}`);
    if (!attrs!.includes(' language="ja-JP"')) problems.push(`<Say${attrs}> is not ja-JP`);
  }
  if (/<Say\s*\/>|<Say>/.test(xml)) problems.push("a <Say> without attributes");
  const verbs = parseTwiml(xml);
  const last = verbs.at(-1);
  if (!last) problems.push("an empty document");
  else if (last.type === "gather" || last.type === "record") problems.push(`ends right after <${last.type}>: Twilio would hang up on a silent caller`);
  for (const verb of verbs) {
    if (verb.type === "gather" && (verb.timeout ?? 5) < 5) problems.push(`<Gather timeout="${verb.timeout}"> is too short`);
    if (verb.type === "record" && (verb.timeout ?? 5) < 5) problems.push(`<Record timeout="${verb.timeout}"> is too short`);
  }
  return problems;
}

describe("every TwiML document: ja-JP voice, and no dead end after <Gather> or <Record>", () => {
  it("walks every IVR branch (menu 0–4, silence, wrong keys, recordings left silent, call-in) and the outbound calls", async () => {
    // Menu, silence three times, out of hours and in hours (operator, then the <Dial> action).
    services.clock.set(SUNDAY_NIGHT);
    let call = caller("+81312350001");
    await call.start();
    await call.silence();
    await call.silence();
    await call.silence();
    services.clock.set(WEEKDAY_10);
    call = caller("+81312350001");
    await call.start();
    await call.press("*");
    await call.silence();
    await call.silence();
    expect((await call.silence()).dialed).toBe(OPERATOR);
    call = caller("+81312350001", { dialOutcome: "no-answer" });
    await call.start();
    expect((await call.press("0")).dialed).toBe(OPERATOR);

    // Menu 1, every node; the recording left silent twice, a restart, then the application.
    call = caller("+81312350002");
    await call.start();
    await call.press("1");
    await call.silence();
    await call.press("2");
    await call.press("2");
    await call.silence();
    await call.press("1");
    await call.silence();
    await call.speak("山田 花子");
    await call.silence(); // nothing recorded after the beep: asked once more
    const onward = await call.silence(); // still nothing: goes on without the recording
    expect(joined(onward.says)).toContain("契約者ご本人ですか");
    await call.silence();
    await call.press("1");
    await call.silence();
    await call.press("2"); // はじめから
    await call.press("1");
    await call.press("1"); // NTT
    await call.speak("山田 花子");
    await call.record();
    await call.press("2"); // family
    await call.silence(); // the family caller's own number: asked again
    await call.press("09012345678");
    const done = await call.press("1");
    expect(joined(done.says)).toContain("お申し込みを受け付けました");
    call = caller("+81312350003");
    await call.start();
    await call.press("1");
    await call.press("1");
    await call.press("3"); // わからない
    await call.speak("西 花子");
    await call.record();
    await call.press("1");
    await call.press("1");

    // Menu 2: own line, unknown line, a reference keyed in (wrong, then right), withheld number.
    call = caller("+81312350002");
    await call.start();
    await call.press("2");
    call = caller("+81312359999");
    await call.start();
    await call.press("2");
    await call.silence();
    await call.press("12345678900#");
    await call.press("*");
    call = caller("anonymous");
    await call.start();
    await call.press("1");

    // Menu 3, both endings, every recording and the postal-code escape.
    for (const ending of ["1", "2"]) {
      call = caller(`+8131235001${ending}`);
      await call.start();
      await call.press("3");
      await call.silence();
      await call.speak("鈴木 次郎");
      await call.record();
      await call.silence();
      await call.press("12#");
      await call.press("0");
      await call.silence();
      await call.speak("東京都千代田区千代田1の1");
      await call.silence();
      await call.record();
      await call.silence();
      await call.press(ending);
    }

    // Menu 4, both endings, and a line with nothing to cancel.
    for (const [from, ending] of [["+81312350002", "2"], ["+81312350002", "1"], ["+81312358888", "1"]] as const) {
      call = caller(from);
      await call.start();
      await call.press("4");
      await call.silence();
      await call.press("1");
      await call.silence();
      await call.press(ending);
    }

    // Three wrong keys, in and out of hours.
    call = caller("+81312350020");
    await call.start();
    await call.press("7");
    await call.press("8");
    await call.press("9");
    services.clock.set(SUNDAY_NIGHT);
    call = caller("+81312350020");
    await call.start();
    await call.press("7");
    await call.press("8");
    await call.press("9");
    services.clock.set(WEEKDAY_10);

    // A web call-in code pending: wrong code, menu, and the right code.
    const browser = new TestBrowser(server.url);
    await step(browser, "/apply", {});
    await step(browser, "/apply/number", { number: "03-1235-0030" });
    await step(browser, "/apply/applicant", { relation: "self" });
    const page = await step(browser, "/apply/verify", { method: "call_in" });
    const code = page.html.match(/class="panel__body digits"[^>]*>(\d{4})</)![1]!;
    call = caller("+81312350030");
    await call.start();
    await call.silence();
    await call.press(code === "0000" ? "1111" : "0000");
    await call.press("9");
    call = caller("+81312350030");
    await call.start();
    await call.press(code);

    // A webhook for a call the server does not know.
    keep("step for an unknown call", await handleStep(services, "menu", { CallSid: "CAunknown" }, { silence: false }));

    // Outbound: the consent call-back (question, no answer, refusal, agreement, ended) …
    const family = new TestBrowser(server.url);
    await step(family, "/apply", {});
    await step(family, "/apply/number", { number: "011-235-0040" });
    await step(family, "/apply/applicant", { relation: "family", relationDetail: "長男", applicantName: "山田 一郎", contactPhone: "090-1111-2222" });
    await step(family, "/apply/verify", { method: "callback" });
    const consent = await lastCallTo(services, "+81112350040");
    const verificationId = consent.verificationId!;
    keep("verification call", await verificationCallTwiml(services, verificationId));
    keep("verification: unclear answer", await verificationConsentTwiml(services, verificationId, { Digits: "7" }));
    keep("verification: agreed", await verificationConsentTwiml(services, verificationId, { Digits: "1" }));
    keep("verification: ended", await verificationCallTwiml(services, "00000000-0000-4000-8000-000000000000"));
    keep("verification: expired", await verificationConsentTwiml(services, "00000000-0000-4000-8000-000000000000", { Digits: "2" }));
    // … the self call-back reads the code with a "say" call …
    const self = new TestBrowser(server.url);
    await step(self, "/apply", {});
    await step(self, "/apply/number", { number: "03-1235-0041" });
    await step(self, "/apply/applicant", { relation: "self" });
    await step(self, "/apply/verify", { method: "callback" });
    const sayCall = await lastCallTo(services, "+81312350041");
    if (sayCall.content.kind === "say") keep("say call (Twilio provider)", sayTwiml(sayCall.content.text, VOICE));
    // … the cancellation confirmation call …
    keep("cancellation call", await cancellationCallTwiml(services, CANCEL_CALL));
    keep("cancellation: unclear", await cancellationAnswerTwiml(services, CANCEL_CALL, { Digits: "5" }));
    keep("cancellation: agreed", await cancellationAnswerTwiml(services, CANCEL_CALL, { Digits: "1" }));
    keep("cancellation: refused", await cancellationAnswerTwiml(services, CANCEL_CALL, { Digits: "2" }));
    keep("cancellation: ended", await cancellationCallTwiml(services, "00000000-0000-4000-8000-000000000000"));
    keep("cancellation: ended, unclear", await cancellationAnswerTwiml(services, "00000000-0000-4000-8000-000000000000", { Digits: "5" }));
    keep("cancellation: expired", await cancellationAnswerTwiml(services, "00000000-0000-4000-8000-000000000000", { Digits: "1" }));
    // … and the paper confirmation call (its question paths: test/paper; here the endings).
    keep("paper call: ended", await paperCallTwiml(services, "00000000-0000-4000-8000-000000000000"));
    keep("paper: unclear", await paperAnswerTwiml(services, "00000000-0000-4000-8000-000000000000", { Digits: "5" }));
    keep("paper: expired", await paperAnswerTwiml(services, "00000000-0000-4000-8000-000000000000", { Digits: "1" }));

    expect(documents.length).toBeGreaterThan(100);
    const nodes = new Set(documents.map((d) => new URL(d.source, "http://x").searchParams.get("node")).filter(Boolean));
    for (const node of ["menu", "apply_scope", "apply_carrier", "apply_carrier_other", "apply_name", "apply_name_record", "apply_who", "apply_contact", "apply_confirm", "status_reference", "form_name", "form_name_record", "form_postal", "form_address", "form_address_record", "form_confirm", "cancel_who", "cancel_confirm", "call_in_code", "operator_done"]) {
      expect(nodes, `no document for ${node}`).toContain(node);
    }
    const withGather = documents.filter((d) => d.xml.includes("<Gather"));
    expect(withGather.some((d) => d.source === "verification call")).toBe(true);
    expect(withGather.some((d) => d.source === "cancellation call")).toBe(true);
    const problems = documents.flatMap((d) => problemsOf(d.xml).map((p) => `${d.source}: ${p}`));
    expect(problems).toEqual([]);
  });

  it("records names for up to 20 s and addresses for up to 30 s, ending on 5 s of silence", async () => {
    const call = caller("+81312350050");
    await call.start();
    await call.press("3");
    const before = documents.length;
    await call.speak("鈴木 次郎");
    await call.record();
    await call.press("1000001#");
    await call.speak("東京都千代田区千代田1の1");
    const records = documents
      .slice(before)
      .flatMap((d) => parseTwiml(d.xml))
      .filter((v): v is Extract<TwimlVerb, { type: "record" }> => v.type === "record");
    expect(records.map((r) => [r.maxLength, r.timeout])).toEqual([
      [20, 5],
      [30, 5],
    ]);
  });

  it("uses Polly.Mizuki by default and accepts only a Japanese voice in TWILIO_VOICE", () => {
    expect(sayTwiml("こんにちは")).toContain('<Say voice="Polly.Mizuki" language="ja-JP">こんにちは</Say>');
    const dir = () => mkdtempSync(path.join(tmpdir(), "voice-"));
    expect(loadConfig({ DATA_DIR: dir() }).twilioVoice).toBe("Polly.Mizuki");
    expect(loadConfig({ DATA_DIR: dir(), TWILIO_VOICE: "Google.ja-JP-Neural2-B" }).twilioVoice).toBe("Google.ja-JP-Neural2-B");
    expect(() => loadConfig({ DATA_DIR: dir(), TWILIO_VOICE: "Polly.Joanna" })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dir(), TWILIO_VOICE: "Polly.Joanna" })).toThrow(/TWILIO_VOICE must be a Japanese voice/);
  });
});

describe("IVR: I don't know my postal code (menu 3)", () => {
  it("takes 0 then # (Twilio sends Digits=0) and goes on to the address, with no postal code on the letter", async () => {
    const call = caller("+81312350060");
    await call.start();
    await call.press("3");
    await call.speak("佐藤 三郎");
    const postal = await call.record();
    expect(joined(postal.says)).toContain("わからないときは、0を押してから、シャープを押してください");
    expect(postal.waiting).toMatchObject({ kind: "gather", numDigits: 7 });
    const address = await call.press("0"); // Twilio strips the finishing # from Digits
    expect(joined(address.says)).toContain("ご住所を、都道府県から");
    await call.speak("大阪府大阪市北区梅田1の1");
    await call.record();
    await call.press("1");
    const [row] = await services.db.select().from(ivrCalls).where(eq(ivrCalls.callSid, call.callSid));
    const [letter] = await services.db.select().from(outbox).where(eq(outbox.id, row!.outboxId!));
    expect(JSON.parse(services.pii.open(letter!.bodyEnc))).toMatchObject({ postalCode: null, address: "大阪府大阪市北区梅田1の1" });
  });

  it("also takes 「わからない」 said aloud, and asks again for a code of the wrong length", async () => {
    const call = caller("+81312350061");
    await call.start();
    await call.press("3");
    await call.speak("佐藤 四郎");
    await call.record();
    const short = await call.press("123#");
    expect(joined(short.says)).toContain("郵便番号は7けたです");
    const address = await call.speak("わかりません");
    expect(joined(address.says)).toContain("ご住所を、都道府県から");
  });
});

describe("operator hours: holidays, 振替休日 and the year-end closure", () => {
  it.each([
    ["2026-01-01T01:00:00Z", false, "元日"],
    ["2026-05-06T01:00:00Z", false, "振替休日 (こどもの日)"],
    ["2026-09-22T01:00:00Z", false, "国民の休日"],
    ["2026-12-29T01:00:00Z", false, "year-end closure (Tuesday)"],
    ["2027-01-04T01:00:00Z", true, "first working day (Monday)"],
    ["2026-11-24T01:00:00Z", true, "an ordinary Tuesday"],
    ["2026-11-24T08:00:00Z", false, "17:00 JST"],
    ["2026-11-23T01:00:00Z", false, "勤労感謝の日 (Monday)"],
  ])("%s → %s (%s)", (at, open) => {
    expect(operatorsAvailable(new Date(at))).toBe(open);
  });

  it("names the holiday and the closure days", () => {
    expect(japaneseHoliday(new Date("2026-05-06T01:00:00Z"))).toContain("振替休日");
    expect(japaneseHoliday(new Date("2026-11-24T01:00:00Z"))).toBeNull();
    expect(inYearEndClosure(new Date("2027-01-03T14:00:00Z"))).toBe(true); // 1/3 23:00 JST
    expect(inYearEndClosure(new Date("2027-01-03T15:00:00Z"))).toBe(false); // 1/4 0:00 JST
  });

  it.each([
    ["2026-01-01T01:00:00Z", "元日 10:00"],
    ["2026-05-06T01:00:00Z", "振替休日 10:00"],
  ])("does not dial the operator desk on %s (%s) and says when the desk is open", async (at) => {
    services.clock.set(at);
    const call = caller("+81312350070");
    await call.start();
    const turn = await call.press("0");
    expect(turn.dialed).toBeNull();
    expect(turn.waiting.kind).toBe("ended");
    expect(joined(turn.says)).toContain("祝日");
    expect(joined(turn.says)).toContain("12月29日から1月3日まで");
    services.clock.set(WEEKDAY_10);
  });

  it("dials on an ordinary weekday at 10:00, and ends politely when the operator call is over", async () => {
    services.clock.set(WEEKDAY_10);
    const call = caller("+81312350071");
    await call.start();
    const turn = await call.press("0");
    expect(turn.dialed).toBe(OPERATOR);
    expect(turn.waiting.kind).toBe("ended");
    expect(joined(turn.says)).toContain("お電話ありがとうございました");
    expect(joined(turn.says)).not.toContain("おつなぎできません");
    const unanswered = caller("+81312350071", { dialOutcome: "no-answer" });
    await unanswered.start();
    expect(joined((await unanswered.press("0")).says)).toContain("オペレーターにおつなぎできません");
  });
});

describe("IVR: wrong keys and the pending web code", () => {
  it("escalates after three wrong keys like after silence: the operator in hours", async () => {
    services.clock.set(WEEKDAY_10);
    const call = caller("+81312350080");
    await call.start();
    expect(joined((await call.press("7")).says)).toContain("もう一度お願いします");
    expect((await call.press("8")).waiting.kind).toBe("gather");
    const third = await call.press("9");
    expect(third.dialed).toBe(OPERATOR);
    expect(third.waiting.kind).toBe("ended");
  });

  it("escalates after three wrong keys out of hours with the hours, and a right answer resets the count", async () => {
    services.clock.set(SUNDAY_NIGHT);
    const call = caller("+81312350081");
    await call.start();
    await call.press("7");
    await call.press("7");
    await call.press("1"); // apply: a right answer
    await call.press("7");
    expect((await call.press("7")).waiting.kind).toBe("gather");
    const third = await call.press("7");
    expect(third.dialed).toBeNull();
    expect(third.waiting.kind).toBe("ended");
    expect(joined(third.says)).toContain("平日の9時から17時");
    const [row] = await services.db.select().from(ivrCalls).where(eq(ivrCalls.callSid, call.callSid));
    expect(row!.status).toBe("incomplete");
    services.clock.set(WEEKDAY_10);
  });

  it("lets a caller with a pending web code reach the main menu with 9", async () => {
    const browser = new TestBrowser(server.url);
    await step(browser, "/apply", {});
    await step(browser, "/apply/number", { number: "03-1235-0090" });
    await step(browser, "/apply/applicant", { relation: "self" });
    await step(browser, "/apply/verify", { method: "call_in" });
    const call = caller("+81312350090");
    const greeting = await call.start();
    expect(joined(greeting.says)).toContain("4けたの確認番号を押してください");
    expect(joined(greeting.says)).toContain("ほかのご用の方は、9を押してから、シャープを押してください");
    const menu = await call.press("9");
    expect(joined(menu.says)).toContain("国際電話を止めるお申し込みは1を");
    const status = await call.press("2");
    expect(joined(status.says)).toContain("受付番号11けた");
  });
});

describe("TwiML parser and the simulator CLI's setup messages", () => {
  it("reads <Say voice=… language=…>, <Record> limits and the <Dial> action", () => {
    const verbs = parseTwiml(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Mizuki" language="ja-JP">はい</Say><Record action="https://x/r" maxLength="30" timeout="5"/><Redirect method="POST">https://x/s</Redirect><Dial action="https://x/d" method="POST" timeout="30">+8131</Dial><Say voice="Google.ja-JP-Neural2-B" language="ja-JP">a &amp; b</Say></Response>',
    );
    expect(verbs).toEqual([
      { type: "say", text: "はい", voice: "Polly.Mizuki", language: "ja-JP" },
      { type: "record", action: "https://x/r", maxLength: 30, timeout: 5 },
      { type: "redirect", url: "https://x/s" },
      { type: "dial", number: "+8131", action: "https://x/d" },
      { type: "say", text: "a & b", voice: "Google.ja-JP-Neural2-B", language: "ja-JP" },
    ]);
  });

  it("explains a server that is not running on the port in one line", async () => {
    const call = new CallSimulator({ serverUrl: "http://127.0.0.1:9", publicBaseUrl: services.config.publicBaseUrl, authToken: "x", from: "+81312345678" });
    const error = await call.start().then(
      () => null,
      (e: unknown) => e,
    );
    const line = explainSetupError(error, "http://127.0.0.1:9");
    expect(line).toContain("サーバーに接続できません");
    expect(line).toContain("http://127.0.0.1:9");
    expect(line).not.toContain("\n");
  });

  it("explains an auth token that differs from the server's (403) in one line", async () => {
    const call = new CallSimulator({ serverUrl: server.url, publicBaseUrl: services.config.publicBaseUrl, authToken: "not-the-servers-token", from: "+81312345678" });
    const error = await call.start().then(
      () => null,
      (e: unknown) => e,
    );
    const line = explainSetupError(error, server.url);
    expect(line).toContain("403");
    expect(line).toContain("TWILIO_AUTH_TOKEN");
    expect(line).not.toContain("\n");
    expect(explainSetupError(new Error("something else"), server.url)).toBeNull();
  });
});
