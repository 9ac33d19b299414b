import { isCallableLine, paperConfirmationPrompt, straightThrough, type PageReading } from "../../app/domain/paper-request";
import type { FieldReading } from "../../app/lib/ocr/types";

const box = { x: 0, y: 0, width: 1, height: 1 };

function digits(name: string, value: string, over: Partial<FieldReading> = {}): FieldReading {
  return { name, kind: "digits", value, confidence: 0.98, accepted: true, problems: [], box, ...over };
}
function text(name: string, kind: FieldReading["kind"], value: string, accepted = true): FieldReading {
  return { name, kind, value, confidence: accepted ? 0.98 : 0.6, accepted, problems: [], box };
}
function tick(group: string, choice: string, value: boolean | null, accepted = true): FieldReading {
  return { name: `${group}.${choice}`, kind: "checkbox", group, choice, value, confidence: accepted ? 0.95 : 0.4, accepted, problems: [], box };
}

function applicationPage(over: Record<string, FieldReading> = {}): PageReading {
  const fields: Record<string, FieldReading> = {
    phone: digits("phone", "0312345678"),
    "scope.outgoing": tick("scope", "outgoing", false),
    "scope.incoming": tick("scope", "incoming", true),
    "carrier.kddi": tick("carrier", "kddi", true),
    "carrier.unknown": tick("carrier", "unknown", false),
    "relation.self": tick("relation", "self", true),
    "relation.family": tick("relation", "family", false),
    "relation.other": tick("relation", "other", false),
    name: text("name", "kanji", "山田 花子"),
    kana: text("kana", "kana", "やまだ はなこ"),
    postalCode: digits("postalCode", "1000001"),
    address: text("address", "text", "東京都千代田区千代田1-1"),
    contactPhone: digits("contactPhone", "0312345678"),
    ...over,
  };
  return { formType: "application", fields: Object.values(fields) };
}

describe("which read line numbers are worth a confirmation call", () => {
  const cells = (alternatives: string[][]) =>
    alternatives.map((alts) => {
      const single = alts.filter((a) => a.length === 1);
      const best = [...single].sort((x, y) => single.filter((v) => v === y).length - single.filter((v) => v === x).length)[0] ?? "";
      return { value: best, confidence: 0.3, alternatives: alts };
    });

  it("calls an accepted number, and one whose uncertain digits a clear majority settled", () => {
    expect(isCallableLine(digits("phone", "0312345678"))).toBe(true);
    const settled = [...Array(9)].map(() => ({ value: "1", confidence: 0.9 }));
    const read = { value: "1111111115", confidence: 0.3, accepted: false, problems: [], cells: [...settled, ...cells([["5", "585", "5", "5", "5"]])] };
    expect(isCallableLine(read)).toBe(true);
  });

  it("does not call on a tie, a thin majority, a failed check or an empty comb", () => {
    const settled = [...Array(9)].map(() => ({ value: "1", confidence: 0.9 }));
    const tie = { value: "1111111119", confidence: 0.3, accepted: false, problems: [], cells: [...settled, ...cells([["8", "9", "3", "3", "9"]])] };
    expect(isCallableLine(tie)).toBe(false);
    const thin = { ...tie, cells: [...settled, ...cells([["5", "5", "", "", ""]])] };
    expect(isCallableLine(thin)).toBe(false);
    const contested = { ...tie, cells: [...settled, ...cells([["5", "3", "5", "5", "3"]])] };
    expect(isCallableLine(contested)).toBe(false);
    expect(isCallableLine(digits("phone", "09012345678", { problems: ["携帯電話の番号です"] }))).toBe(false);
    expect(isCallableLine(digits("phone", ""))).toBe(false);
    expect(isCallableLine(digits("phone", "0312345678", { accepted: false, confidence: 0.4, cells: undefined }))).toBe(false);
  });
});

describe("the digit shapes as a second reader of a line number", () => {
  const settled = [...Array(9)].map(() => ({ value: "3", confidence: 0.9 }));
  const line = (last: { value: string; confidence: number; alternatives?: string[]; suspect?: boolean; shape?: { value: string; votes: number } }) => ({
    value: `333333333${last.value}`,
    confidence: 0.3,
    accepted: false,
    problems: [],
    cells: [...settled, last],
  });

  it("calls when the reads did not settle a digit and every shape neighbour agrees on it", () => {
    // Tesseract split and missed the cell (standard FAX); the shapes of calibration pages say 3, 7 of 7.
    expect(isCallableLine(line({ value: "3", confidence: 0.3, alternatives: ["5", "", "35", "", "3"], shape: { value: "3", votes: 7 } }))).toBe(true);
    // 6 of 7 is not enough on its own.
    expect(isCallableLine(line({ value: "3", confidence: 0.3, alternatives: ["5", "", "35", "", "3"], shape: { value: "3", votes: 6 } }))).toBe(false);
  });

  it("does not call when the shapes clearly say another digit than the one the reads settled", () => {
    // Four of five reads say 5: settled by votes alone, but every shape neighbour is a 3.
    expect(isCallableLine(line({ value: "5", confidence: 0.9, alternatives: ["5", "5", "5", "5", "2"], shape: { value: "3", votes: 7 } }))).toBe(false);
    expect(isCallableLine(line({ value: "5", confidence: 0.9, shape: { value: "3", votes: 7 } }))).toBe(false);
    // A shape opinion that is not clear changes nothing.
    expect(isCallableLine(line({ value: "5", confidence: 0.9, alternatives: ["5", "5", "5", "5", "2"], shape: { value: "3", votes: 4 } }))).toBe(true);
  });

  it("keeps a 0 that does not look like one from a call even when the shapes agree", () => {
    expect(isCallableLine(line({ value: "0", confidence: 0.45, suspect: true, shape: { value: "0", votes: 7 } }))).toBe(false);
  });
});

describe("straight through", () => {
  it("stores what was written over two lines as one line, with no control character (the data layer refuses them)", () => {
    const result = straightThrough(
      applicationPage({
        address: text("address", "text", "東京都千代田区\n千代田1-1\tコーポ101"),
        name: text("name", "kanji", "山田\r\n花子\u200b"),
        kana: text("kana", "kana", "ヤマダ\nハナコ"),
      }),
      null,
    );
    expect(result.ok).toBe(true);
    if (!result.ok || result.request.formType !== "application") return;
    expect(result.request.address?.value).toBe("東京都千代田区千代田1-1コーポ101");
    expect(result.request.name?.value).toBe("山田花子");
    expect(result.request.kana?.value).toBe("ヤマダ ハナコ");
    for (const v of [result.request.address?.value, result.request.name?.value, result.request.kana?.value]) expect(v).not.toMatch(/[\u0000-\u001f\u200b]/u);
  });

  it("takes an application whose line and scope are decided; names are advisory, even when read with confidence", () => {
    const result = straightThrough(applicationPage(), null);
    expect(result).toMatchObject({
      ok: true,
      request: { formType: "application", lineE164: "+81312345678", lineSource: "ocr", scopes: ["incoming"], carrierChoice: "kddi", relation: "self", nameUnverified: true },
    });
  });

  it("sends an undecided carrier as an inquiry and an undecided relation as other", () => {
    const result = straightThrough(applicationPage({ "carrier.kddi": tick("carrier", "kddi", null, false), "relation.self": tick("relation", "self", null, false) }), null);
    expect(result).toMatchObject({ ok: true, request: { carrierChoice: "unknown", relation: "other" } });
  });

  it("holds a page whose line or scope is not decided, or whose number is not eligible", () => {
    expect(straightThrough(applicationPage({ phone: digits("phone", "0312345678", { accepted: false, confidence: 0.3 }) }), null)).toEqual({ ok: false, reason: "line_not_read" });
    expect(straightThrough(applicationPage({ "scope.incoming": tick("scope", "incoming", null, false) }), null)).toEqual({ ok: false, reason: "scope_not_read" });
    expect(straightThrough(applicationPage({ "scope.incoming": tick("scope", "incoming", false) }), null)).toEqual({ ok: false, reason: "scope_not_read" });
    expect(straightThrough(applicationPage(), "09012345678")).toEqual({ ok: false, reason: "not_eligible" });
  });

  it("takes the line of a prefilled form from its QR code, whatever the comb says", () => {
    const result = straightThrough(applicationPage({ phone: digits("phone", "", { accepted: false, confidence: 0 }) }), "0612345678");
    expect(result).toMatchObject({ ok: true, request: { lineE164: "+81612345678", lineSource: "qr" } });
  });

  it("needs who asks on a cancellation page", () => {
    const page = (relation: FieldReading): PageReading => ({
      formType: "cancellation",
      fields: [digits("phone", "0312345678"), relation, tick("relation", "family", false), tick("relation", "other", false), tick("reason", "other", true)],
    });
    expect(straightThrough(page(tick("relation", "self", true)), null)).toMatchObject({ ok: true, request: { formType: "cancellation", relation: "self", reasonChoice: "other" } });
    expect(straightThrough(page(tick("relation", "self", null, false)), null)).toEqual({ ok: false, reason: "relation_not_read" });
  });
});

describe("the confirmation call's question", () => {
  it("says what is asked for, incoming first, and when someone else wrote it; never a name", () => {
    const prompt = paperConfirmationPrompt({ scopes: ["outgoing", "incoming"], relation: "family" });
    expect(prompt).toContain("海外からかかってくる電話と、海外へかける電話");
    expect(prompt).toContain("ご契約者ご本人以外の方");
    expect(paperConfirmationPrompt({ scopes: ["incoming"], relation: "self" })).not.toContain("以外の方");
  });
});
