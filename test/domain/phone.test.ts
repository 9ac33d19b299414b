import {
  formatDisplay,
  isSameLine,
  NON_GEOGRAPHIC_PREFIXES,
  parseJapaneseNumber,
  REFUSAL_MESSAGES,
  REFUSAL_REASONS,
  toE164,
  type RefusalReason,
} from "../../app/domain/phone";

const TOKYO = { e164: "+81312345678", national: "0312345678", display: "03-1234-5678", kind: "fixed" };

describe("parseJapaneseNumber: the same Tokyo number typed every way", () => {
  it.each([
    "03-1234-5678",
    "0312345678",
    "０３１２３４５６７８",
    "０３ー１２３４ー５６７８",
    "０３－１２３４－５６７８",
    "03‐1234‐5678",
    "03−1234−5678",
    "03―1234―5678",
    "03–1234–5678",
    "03ｰ1234ｰ5678",
    " 03 1234 5678 ",
    "03　1234　5678",
    "(03) 1234-5678",
    "（０３）１２３４－５６７８",
    "03(1234)5678",
    "+81312345678",
    "+81 3-1234-5678",
    "+81 (0)3 1234 5678",
    "＋８１－３－１２３４－５６７８",
    "0081-3-1234-5678",
    "0081312345678",
    "81312345678",
    "81-3-1234-5678",
    "010-81-3-1234-5678",
  ])("%j", (input) => {
    expect(parseJapaneseNumber(input)).toEqual({ ok: true, ...TOKYO });
  });
});

describe("parseJapaneseNumber: fixed lines with area codes of every length", () => {
  it.each([
    ["06-6123-4567", "+81661234567", "06-6123-4567", "Osaka, 2-digit area code"],
    ["045-555-1234", "+81455551234", "045-555-1234", "Yokohama"],
    ["011-234-5678", "+81112345678", "011-234-5678", "Sapporo, 3-digit area code"],
    ["098-861-1234", "+81988611234", "098-861-1234", "Naha"],
    ["0166-12-3456", "+81166123456", "0166-12-3456", "Asahikawa, 4-digit area code"],
    ["0985-12-3456", "+81985123456", "0985-12-3456", "Miyazaki"],
    ["01267-1-2345", "+81126712345", "01267-1-2345", "Iwamizawa area, 5-digit area code"],
    ["0126712345", "+81126712345", "01267-1-2345", "the same without hyphens is regrouped"],
  ])("%s (%s)", (input, e164, display) => {
    const result = parseJapaneseNumber(input);
    expect(result).toMatchObject({ ok: true, e164, display, kind: "fixed" });
    expect(result.ok && result.national).toBe(`0${e164.slice(3)}`);
  });
});

describe("parseJapaneseNumber: every refusal reason", () => {
  const cases: [RefusalReason, string, string][] = [
    ["empty", "", "nothing typed"],
    ["empty", "   ", "only spaces"],
    ["empty", "ーー", "only dashes"],
    ["not_a_number", "abc", "letters"],
    ["not_a_number", "でんわ", "kana"],
    ["not_a_number", "03-1234-5678 内線12", "an extension in words"],
    ["not_a_number", "03+1234+5678", "plus signs in the middle"],
    ["too_short_or_long", "03-1234-567", "one digit short"],
    ["too_short_or_long", "03-1234-56789", "one digit too many"],
    ["too_short_or_long", "1234-5678", "no area code"],
    ["too_short_or_long", "3-1234-5678", "area code without its 0"],
    ["too_short_or_long", "110", "an emergency number"],
    ["too_short_or_long", "+81 3-1234-567", "international form, one digit short"],
    ["invalid", "030-123-4567", "030 is not assigned"],
    ["invalid", "0100-12-3456", "010 is the international prefix, not an area"],
    ["foreign", "+1 415-555-2671", "United States"],
    ["foreign", "+82-2-1234-5678", "Korea"],
    ["foreign", "001-1-415-555-2671", "00 international prefix"],
    ["foreign", "010-1-415-555-2671", "Japan's own international prefix"],
    ["mobile", "090-1234-5678", "090 mobile"],
    ["mobile", "080-1234-5678", "080 mobile"],
    ["mobile", "070-1234-5678", "070 mobile"],
    ["mobile", "020-4123-4567", "020 M2M / pager"],
    ["mobile", "+81 90-1234-5678", "mobile in international form"],
    ["mobile", "090-1234-567", "mobile with a digit missing is still a mobile"],
    ["ip_phone", "050-1234-5678", "050 IP phone"],
    ["free_dial", "0120-444-444", "0120 free dial"],
    ["free_dial", "0800-123-4567", "0800 free dial"],
    ["navi_dial", "0570-064-556", "0570 navi dial"],
    ["navi_dial", "0180-99-3333", "0180 telephone voting"],
    ["navi_dial", "0990-123-456", "0990 premium rate"],
    ["navi_dial", "060-0123-4567", "060 personal number"],
  ];

  it.each(cases)("%s: %j (%s)", (reason, input) => {
    expect(parseJapaneseNumber(input)).toEqual({ ok: false, reason, message: REFUSAL_MESSAGES[reason] });
  });

  it("has an example for every reason", () => {
    expect(new Set(cases.map(([reason]) => reason))).toEqual(new Set(REFUSAL_REASONS));
  });
});

describe("REFUSAL_MESSAGES", () => {
  it.each(REFUSAL_REASONS)("%s is a polite Japanese sentence", (reason) => {
    const message = REFUSAL_MESSAGES[reason];
    expect(message).toMatch(/[ぁ-んァ-ヶ一-龠]/u);
    expect(message).toMatch(/(ください|ます|ません)。/u);
  });

  it("tells mobile users to contact their mobile operator", () => {
    expect(REFUSAL_MESSAGES.mobile).toBe(
      "携帯電話の番号は、このお申し込みの対象ではありません。携帯電話会社に直接お問い合わせください。",
    );
  });

  it("tells IP phone users to contact their IP phone provider", () => {
    expect(REFUSAL_MESSAGES.ip_phone).toContain("IP電話の会社");
  });
});

describe("NON_GEOGRAPHIC_PREFIXES", () => {
  it("lists longer prefixes before the shorter ones they start with", () => {
    NON_GEOGRAPHIC_PREFIXES.forEach(({ prefix }, index) => {
      const earlierShorter = NON_GEOGRAPHIC_PREFIXES.slice(0, index).find(
        (earlier) => prefix.startsWith(earlier.prefix) && earlier.prefix !== prefix,
      );
      expect(earlierShorter).toBeUndefined();
    });
  });
});

describe("formatDisplay", () => {
  it.each([
    ["+81312345678", "03-1234-5678"],
    ["+81661234567", "06-6123-4567"],
    ["+81166123456", "0166-12-3456"],
    ["+81126712345", "01267-1-2345"],
    ["+14155552671", "+1 415 555 2671"],
    ["anonymous", "anonymous"],
    ["", ""],
  ])("%j → %j", (e164, expected) => {
    expect(formatDisplay(e164)).toBe(expected);
  });
});

describe("toE164", () => {
  it.each([
    ["03-1234-5678", "+81312345678"],
    ["０９０－１２３４－５６７８", "+819012345678"],
    ["+1 415 555 2671", "+14155552671"],
    ["001-1-415-555-2671", "+14155552671"],
    ["anonymous", null],
    ["+266696687", null], // what Twilio sends for a withheld caller ID
    ["1234-5678", null],
    ["", null],
  ])("%j → %j", (input, expected) => {
    expect(toE164(input)).toBe(expected);
  });
});

describe("isSameLine", () => {
  it.each([
    ["+81312345678", "03-1234-5678", true],
    ["０３（１２３４）５６７８", "0081 3 1234 5678", true],
    ["090-1234-5678", "+819012345678", true],
    ["03-1234-5678", "03-1234-5679", false],
    ["03-1234-5678", "06-1234-5678", false],
    ["anonymous", "anonymous", false],
    ["", "", false],
  ])("%j and %j → %s", (a, b, expected) => {
    expect(isSameLine(a, b)).toBe(expected);
    expect(isSameLine(b, a)).toBe(expected);
  });
});
