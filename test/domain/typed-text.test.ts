import { compactTypedDigits, stripSeparators, toHalfWidth } from "../../app/domain/typed-text";

describe("toHalfWidth", () => {
  it.each([
    ["１２３", "123"],
    ["＋８１", "+81"],
    ["（０３）", "(03)"],
    ["\u3000", " "],
  ])("%s → %s", (input, expected) => {
    expect(toHalfWidth(input)).toBe(expected);
  });
});

describe("stripSeparators", () => {
  it.each([
    ["ASCII hyphen", "03-1234-5678"],
    ["hyphen U+2010", "03‐1234‐5678"],
    ["non-breaking hyphen U+2011", "03\u20111234\u20115678"],
    ["figure dash U+2012", "03‒1234‒5678"],
    ["en dash U+2013", "03–1234–5678"],
    ["em dash U+2014", "03—1234—5678"],
    ["horizontal bar U+2015", "03―1234―5678"],
    ["minus sign U+2212", "03−1234−5678"],
    ["katakana long vowel mark U+30FC", "03ー1234ー5678"],
    ["small hyphen-minus U+FE63", "03﹣1234﹣5678"],
    ["full-width hyphen-minus U+FF0D", "03－1234－5678"],
    ["middle dot", "03・1234・5678"],
    ["spaces and tabs", "03 1234\t5678"],
    ["ideographic space", "03\u30001234\u30005678"],
    ["parentheses", "(03)1234-5678"],
    ["dots", "03.1234.5678"],
    ["slashes", "03/1234/5678"],
  ])("removes the %s", (_name, input) => {
    expect(stripSeparators(input)).toBe("0312345678");
  });

  it("keeps letters and plus signs so that callers can refuse them", () => {
    expect(stripSeparators("+81 abc")).toBe("+81abc");
  });
});

describe("compactTypedDigits", () => {
  it.each([
    ["０３ー１２３４ー５６７８", "0312345678"],
    ["（０３）１２３４－５６７８", "0312345678"],
    ["03ｰ1234ｰ5678", "0312345678"], // half-width katakana long vowel mark
    ["＋８１　３　１２３４　５６７８", "+81312345678"],
  ])("%s → %s", (input, expected) => {
    expect(compactTypedDigits(input)).toBe(expected);
  });
});
