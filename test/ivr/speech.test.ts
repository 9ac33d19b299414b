/**
 * Speech as people say it (issue 13, point 5): the phrase table (test/ivr/fixtures/speech-phrases.ts)
 * through the readers, and the IVR taking spoken answers the same way, reading a low-Confidence
 * answer back instead of taking it.
 */
import { eq } from "drizzle-orm";
import { ivrCalls } from "../../db/schema";
import { consentAnswer } from "../../app/lib/verification-call.server";
import { readDigits } from "../../app/domain/ivr-input";
import {
  hearCallInCode,
  hearCarrier,
  hearCarrierOther,
  hearConfirm,
  hearMenu,
  hearNumber,
  hearContactNumber,
  hearPostalCode,
  hearScope,
  hearWho,
  isLowConfidence,
  parseSpokenDigits,
  type Heard,
} from "../../app/lib/speech";
import {
  CALL_IN_PHRASES,
  CARRIER_OTHER_PHRASES,
  CARRIER_PHRASES,
  CONFIRM_PHRASES,
  MENU_PHRASES,
  NUMBER_PHRASES,
  POSTAL_PHRASES,
  SCOPE_PHRASES,
  WHO_PHRASES,
  type Phrase,
} from "./fixtures/speech-phrases";
import { callFrom } from "../support/ivr";
import { startTestServer, type TestServer } from "../support/http";
import { createTestServices, type TestServices } from "../support/services";

const meaning = (heard: Heard): string | null => (heard.kind === "key" ? heard.key : heard.kind === "repeat" ? "repeat" : null);

const TABLES: [string, Phrase[], (text: string) => Heard][] = [
  ["the main menu", MENU_PHRASES, hearMenu],
  ["which calls to stop", SCOPE_PHRASES, hearScope],
  ["the carrier", CARRIER_PHRASES, hearCarrier],
  ["the other carrier", CARRIER_OTHER_PHRASES, hearCarrierOther],
  ["who is calling", WHO_PHRASES, hearWho],
  ["yes or no", CONFIRM_PHRASES, hearConfirm],
  ["a number", NUMBER_PHRASES, hearNumber],
  ["the postal code", POSTAL_PHRASES, hearPostalCode],
  ["the call-in code", CALL_IN_PHRASES, hearCallInCode],
];

describe("the phrase table", () => {
  it("holds at least 150 phrases", () => {
    expect(TABLES.reduce((n, [, phrases]) => n + phrases.length, 0)).toBeGreaterThanOrEqual(150);
  });

  for (const [question, phrases, hear] of TABLES) {
    describe(question, () => {
      it.each(phrases.map((p) => [p.said, p.means] as const))("「%s」 means %s", (said, means) => {
        expect(meaning(hear(said))).toBe(means);
      });
    });
  }
});

describe("numbers and confidence", () => {
  it("reads digits with 〇/零/まる, の/ノ/ハイフン, full-width and kanji numerals", () => {
    expect(parseSpokenDigits("〇三の一二三四の五六七八")).toBe("0312345678");
    expect(parseSpokenDigits("０３ー１２３４ー５６７８")).toBe("0312345678");
    expect(parseSpokenDigits("二千五の〇〇一")).toBe("2005001");
    expect(parseSpokenDigits("電話です")).toBeNull();
  });

  // Issue 17: the IVR reads digits written as digits with the same rule as the web, the back office
  // and the OCR (domain/typed-text): full-width, every dash, （）, ・ and spaces.
  it.each([
    ["03-1234-5678", "0312345678"],
    ["０３－１２３４－５６７８", "0312345678"],
    ["03ー1234ー5678", "0312345678"],
    ["03‐1234‐5678", "0312345678"],
    ["03−1234−5678", "0312345678"],
    ["(03)1234-5678", "0312345678"],
    ["（０３）１２３４・５６７８", "0312345678"],
    ["03 1234 5678", "0312345678"],
    ["〒100-0001", "1000001"],
    ["１００ｰ０００１", "1000001"],
  ])("reads the written digits 「%s」 as %s", (said, digits) => {
    expect(parseSpokenDigits(said)).toBe(digits);
  });

  it("reads keypad digits with the typed-digit rule; speech reaches the number questions through their readers", () => {
    expect(readDigits({ digits: "0312345678#" })).toBe("0312345678");
    expect(readDigits({ digits: "１２３４" })).toBe("1234");
    expect(readDigits({ digits: "*" })).toBeNull();
    expect(readDigits({ speech: "0312345678" })).toBeNull();
    // What the three number questions hear (the IVR turns it into keypad digits before readDigits).
    expect(hearPostalCode("郵便番号は百の〇〇〇一です")).toEqual({ kind: "key", key: "1000001" });
    expect(hearPostalCode("〒１００－０００１")).toEqual({ kind: "key", key: "1000001" });
    expect(hearNumber("〇三の一二三四の五六七八")).toEqual({ kind: "key", key: "0312345678" });
    expect(hearNumber("電話番号は03-1234-5678です")).toEqual({ kind: "key", key: "0312345678" });
    expect(hearNumber("ぜろさんのいちにさんよん")).toEqual({ kind: "key", key: "031234" });
    // A family caller's own number, or none (ADR 029).
    expect(hearContactNumber("携帯は090の1234の5678です")).toEqual({ kind: "key", key: "09012345678" });
    expect(hearContactNumber("ありません")).toEqual({ kind: "key", key: "0" });
    expect(hearContactNumber("ないです")).toEqual({ kind: "key", key: "0" });
  });

  it("treats Confidence below 0.5 as low, and a missing one (keypad) as not low", () => {
    expect(isLowConfidence("0.05")).toBe(true);
    expect(isLowConfidence("0.49")).toBe(true);
    expect(isLowConfidence("0.5")).toBe(false);
    expect(isLowConfidence("0.93")).toBe(false);
    expect(isLowConfidence(undefined)).toBe(false);
    expect(isLowConfidence("")).toBe(false);
  });

  it("never takes a low-confidence word as consent on the centre's calls", () => {
    expect(consentAnswer({ SpeechResult: "はい、同意します", Confidence: "0.9" })).toBe(true);
    expect(consentAnswer({ SpeechResult: "はい、同意します", Confidence: "0.05" })).toBeNull();
    expect(consentAnswer({ SpeechResult: "はい、あ、いや、違います", Confidence: "0.8" })).toBe(false);
    expect(consentAnswer({ SpeechResult: "1番です", Confidence: "0.8" })).toBe(true);
    expect(consentAnswer({ Digits: "1" })).toBe(true);
    expect(consentAnswer({ Digits: "9" })).toBeNull();
  });
});

describe("the IVR hears people", () => {
  let services: TestServices;
  let server: TestServer;
  beforeAll(async () => {
    services = await createTestServices();
    server = await startTestServer(services);
  });
  afterAll(async () => {
    await server?.close();
    await services?.close();
  });
  const joined = (says: string[]) => says.join(" ");
  const answersOf = async (callSid: string) => {
    const [row] = await services.db.select().from(ivrCalls).where(eq(ivrCalls.callSid, callSid));
    return JSON.parse(services.pii.open(row!.answersEnc)) as Record<string, unknown>;
  };

  it("takes 「解除を申し込みたい」 as a cancellation, not an application", async () => {
    const call = callFrom(server, services, "+81312348801");
    await call.start();
    const turn = await call.speak("解除を申し込みたいんですけど");
    expect(joined(turn.says)).toContain("止めている国際電話の解除のお申し込みですね");
  });

  it("takes 「申し込みの状況を確認したい」 as a status question", async () => {
    const call = callFrom(server, services, "+81312348802");
    await call.start();
    const turn = await call.speak("えーと、申し込みの状況を確認したいです");
    expect(joined(turn.says)).toContain("受付番号11けた");
  });

  it("hears 「はい、家族です」 as family, and 「一番です」 as 1", async () => {
    const call = callFrom(server, services, "+81312348803");
    await call.start();
    await call.speak("一番です"); // apply
    await call.speak("両方お願いします");
    await call.speak("わからないです"); // carrier unknown
    await call.speak("山田 花子");
    await call.record();
    const contact = await call.speak("はい、家族です");
    expect(joined(contact.says)).toContain("ご家族の方の電話番号を");
    // The family caller's own number, said digit by digit with の between the groups.
    const confirm = await call.speak("ぜろきゅうぜろの、いちにさんよんの、ごろくななはち");
    expect(joined(confirm.says)).toContain("お申し込みの内容です");
    expect(await answersOf(call.callSid)).toMatchObject({ relation: "family", scopes: ["incoming", "outgoing"], carrierChoice: "unknown", contactPhone: "09012345678" });
  });

  it("reads a low-confidence answer back: 1 takes it, 2 asks the question again", async () => {
    const call = callFrom(server, services, "+81312348804");
    await call.start();
    const readBack = await call.speak("解除を申し込みたい", 0.05);
    expect(joined(readBack.says)).toContain("「止めている国際電話の解除」と、お聞きしました。よろしければ1を、違うときは2を押してください。");
    const asked = await call.press("2");
    expect(joined(asked.says)).toContain("失礼いたしました。もう一度お願いします。");
    expect(joined(asked.says)).toContain("国際電話を止めるお申し込みは1を");
    const again = await call.speak("国際電話を止めたいです", 0.2);
    expect(joined(again.says)).toContain("「国際電話を止めるお申し込み」と、お聞きしました");
    const taken = await call.press("1");
    expect(joined(taken.says)).toContain("海外からかかってくる電話だけを止めるときは1を");
  });

  it("reads a low-confidence number back digit by digit before using it", async () => {
    const call = callFrom(server, services, "+81312348805");
    await call.start();
    await call.press("3"); // a form by mail
    await call.speak("山田 花子");
    await call.record();
    const readBack = await call.speak("百の〇〇〇一です", 0.3);
    expect(joined(readBack.says)).toContain("「1、0、0、0、0、0、1」と、お聞きしました");
    await call.speak("はい");
    expect(await answersOf(call.callSid)).toMatchObject({ postalCode: "1000001" });
  });

  it("does not take a low-confidence 「はい」 at the read-back itself: it asks for the key", async () => {
    const call = callFrom(server, services, "+81312348806");
    await call.start();
    await call.speak("オペレーター", 0.1);
    const turn = await call.speak("はい", 0.1);
    expect(joined(turn.says)).toContain("ボタンでお答えください");
  });
});
