import { checkChoiceGroup, checkPaperField, isPlausibleFormDate, normalizeJapaneseText, normalizeKana } from "../../app/domain/paper-form";
import { makeReference } from "../../app/domain/reference-number";

describe("checks on what the OCR read (app/domain/paper-form)", () => {
  it("accepts eligible fixed-line numbers and refuses misreads and mobiles for the line itself", () => {
    expect(checkPaperField("phone", "0312345678", true)).toEqual({ ok: true });
    expect(checkPaperField("phone", "031234567", true).ok).toBe(false);
    expect(checkPaperField("phone", "09012345678", true).ok).toBe(false);
    expect(checkPaperField("phone", "", true)).toMatchObject({ ok: false, message: expect.stringMatching(/記入がありません/) });
  });

  it("accepts mobile numbers as a contact number", () => {
    expect(checkPaperField("contact_phone", "09012345678", true).ok).toBe(true);
    expect(checkPaperField("contact_phone", "0312345678", true).ok).toBe(true);
    expect(checkPaperField("contact_phone", "1234", true).ok).toBe(false);
  });

  it("checks the reference number's check digit, and allows it to be left out", () => {
    const good = makeReference("1234567890");
    expect(checkPaperField("reference", good, false).ok).toBe(true);
    const oneDigitWrong = good.slice(0, 4) + ((Number(good[4]) + 1) % 10) + good.slice(5);
    expect(checkPaperField("reference", oneDigitWrong, false).ok).toBe(false);
    expect(checkPaperField("reference", "", false).ok).toBe(true);
  });

  it("checks postal codes and dates", () => {
    expect(checkPaperField("postal_code", "1000013", true).ok).toBe(true);
    expect(checkPaperField("postal_code", "100001", true).ok).toBe(false);
    expect(isPlausibleFormDate("20250401")).toBe(true);
    expect(isPlausibleFormDate("20250231")).toBe(false);
    expect(isPlausibleFormDate("19990101")).toBe(false);
  });

  it("checks choice groups", () => {
    expect(checkChoiceGroup("single", true, [false, true, false]).ok).toBe(true);
    expect(checkChoiceGroup("single", true, [true, true, false]).ok).toBe(false);
    expect(checkChoiceGroup("single", true, [false, null, false]).ok).toBe(false);
    expect(checkChoiceGroup("multiple", true, [true, true]).ok).toBe(true);
  });

  it("removes the spaces OCR puts between Japanese characters and turns hiragana into katakana", () => {
    expect(normalizeJapaneseText("北海 道 札幌 市 4-17-9")).toBe("北海道札幌市4-17-9");
    expect(normalizeJapaneseText("Room 101")).toBe("Room 101");
    // No spaces between digits, or between a digit and a hyphen, in an address (issue 14).
    expect(normalizeJapaneseText("東京都 1 2 - 3")).toBe("東京都12-3");
    expect(normalizeJapaneseText("金岡町12 3 4")).toBe("金岡町1234");
    expect(normalizeJapaneseText("大阪市 北区 1 - 2 - 3\nA棟 10 1")).toBe("大阪市北区1-2-3\nA棟101");
    expect(normalizeKana("やまだ たろう")).toBe("ヤマダタロウ");
  });
});
