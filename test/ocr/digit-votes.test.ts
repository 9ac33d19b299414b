import { describe, expect, it } from "vitest";
import { isCallableLine } from "../../app/domain/paper-request";
import { majorityDigit, unanimousDigit, zeroShape, type DigitVote } from "../../app/lib/ocr/digit-votes";
import { withNameSpace } from "../../app/lib/ocr/kana-space";
import { fontsOf } from "../fixtures/forms/generate";

const v = (text: string, confidence = 95): DigitVote[] => (text === "" ? [] : [...text].map((t) => ({ text: t, confidence })));

describe("deciding a comb cell from its votes", () => {
  it("takes the digit every line read agrees on, at the lowest confidence", () => {
    expect(unanimousDigit([v("7", 98), v("7", 91), v("7", 96)])).toEqual({ value: "7", confidence: 0.91 });
    expect(unanimousDigit([v("7"), v("1"), v("7")])).toBeUndefined();
    expect(unanimousDigit([v("7"), v(""), v("7")])).toBeUndefined();
    expect(unanimousDigit([v("7"), v("71"), v("7")])).toBeUndefined();
  });

  it("lets four of five reads decide when nobody read another digit", () => {
    // One line read missed the cell; both single-cell reads agree.
    expect(majorityDigit([v("4", 97), v("", 0), v("4", 92)], [{ text: "4", confidence: 90 }, { text: "4", confidence: 96 }])).toEqual({ value: "4", confidence: 0.9 });
    // A split read of the digit twice abstains; one holding another digit does not (below).
    expect(majorityDigit([v("4"), v("44"), v("4")], [{ text: "4", confidence: 95 }, { text: "4", confidence: 95 }])?.value).toBe("4");
    expect(majorityDigit([v("4"), v("14"), v("4")], [{ text: "4", confidence: 95 }, { text: "4", confidence: 95 }])).toBeUndefined();
  });

  it("leaves a real conflict, a thin majority or a split with another digit to a person", () => {
    expect(majorityDigit([v("1"), v("7"), v("1")], [{ text: "1", confidence: 95 }, { text: "1", confidence: 95 }])).toBeUndefined();
    expect(majorityDigit([v("5"), v(""), v("")], [{ text: "5", confidence: 95 }, { text: "", confidence: 0 }])).toBeUndefined();
    expect(majorityDigit([v("0"), v("06"), v("0")], [{ text: "0", confidence: 95 }, { text: "0", confidence: 95 }])).toBeUndefined();
  });
});

/** A cell of `w`×`h` paper with ink where `ink(x, y)` says. */
function cell(w: number, h: number, ink: (x: number, y: number) => boolean) {
  const data = new Uint8Array(w * h).fill(255);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (ink(x, y)) data[y * w + x] = 0;
  return { width: w, height: h, data };
}
const ring = (cx: number, cy: number, rx: number, ry: number, t: number) => (x: number, y: number) => {
  const d = Math.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2);
  return d <= 1 && d >= 1 - t;
};

describe("the shape of a 0", () => {
  it("a closed ring covers both sides and is empty inside", () => {
    const s = zeroShape(cell(40, 60, ring(20, 30, 12, 22, 0.3)))!;
    expect(s.leftSpan).toBeGreaterThan(0.85);
    expect(s.rightSpan).toBeGreaterThan(0.85);
    expect(s.centreInk).toBeLessThan(0.02);
  });

  it("a 6 whose top FAX dropped covers only the lower part of its right side", () => {
    const lower = ring(20, 40, 12, 12, 0.35);
    const stem = (x: number, y: number) => x >= 8 && x <= 12 && y >= 12 && y <= 40;
    const s = zeroShape(cell(40, 60, (x, y) => lower(x, y) || stem(x, y)))!;
    expect(s.leftSpan).toBeGreaterThan(0.85);
    expect(s.rightSpan).toBeLessThan(0.7);
  });

  it("an empty cell has no shape", () => {
    expect(zeroShape(cell(20, 20, () => false))).toBeUndefined();
  });
});

describe("line numbers worth a call", () => {
  it("a split read holding another digit counts against the majority (a 6 read 0, 06, 06, 0, 0)", () => {
    const settled = [...Array(9)].map(() => ({ value: "3", confidence: 0.9 }));
    const read = { value: "3333333330", confidence: 0.3, accepted: false, problems: [], cells: [...settled, { value: "0", confidence: 0.3, alternatives: ["0", "06", "06", "0", "0"] }] };
    expect(isCallableLine(read)).toBe(false);
    const suspect = { ...read, cells: [...settled, { value: "0", confidence: 0.45, alternatives: ["0", "0", "", "0", "0"], suspect: true }] };
    expect(isCallableLine(suspect)).toBe(false);
    expect(isCallableLine({ ...suspect, cells: [...settled, { value: "0", confidence: 0.45, alternatives: ["0", "0", "", "0", "0"] }] })).toBe(true);
  });
});

describe("the benchmark's two sets", () => {
  it("held-out fonts never set a threshold: no font is in both sets, and a handwriting-like one is held out", () => {
    const calibration = new Set(fontsOf("calibration").map((f) => f.family as string));
    expect(fontsOf("held-out").filter((f) => calibration.has(f.family))).toEqual([]);
    expect(fontsOf("held-out").some((f) => f.handwriting)).toBe(true);
  });
});

describe("the space between family and given name in kana", () => {
  it("puts back the one gap clearly wider than the others", () => {
    expect(withNameSpace("ヤマダタロウ", [10, 30, 50, 78, 98, 118])).toBe("ヤマダ タロウ");
    expect(withNameSpace("ヤマダ タロウ", [10, 30, 50, 78, 98, 118])).toBe("ヤマダ タロウ");
  });

  it("leaves the name alone when no single gap stands out, or the glyphs do not match the text", () => {
    expect(withNameSpace("ヤマダタロウ", [10, 30, 50, 70, 90, 110])).toBe("ヤマダタロウ");
    expect(withNameSpace("ヤマダタロウ", [10, 36, 56, 82, 102, 122])).toBe("ヤマダタロウ");
    expect(withNameSpace("ヤマダタロウ", [10, 30, 50])).toBe("ヤマダタロウ");
    expect(withNameSpace("ヤマダタロウ", [10, 30, 50, 70, 90, 125])).toBe("ヤマダタロウ");
  });
});
