/**
 * Kana names as people type them: hiragana, half-width katakana, full-width spaces. Stored and
 * compared as full-width katakana with single spaces, which is what carriers' records hold.
 */

/**
 * The one kana normalisation for every channel (web, back office, paper/OCR, IVR speech), issue 17
 * point 3. Unicode NFKC does the width (ｻﾄｳ → サトウ, ｶﾞ → ガ, ＡＢ → AB); on top of it, what NFKC
 * and the kana libraries (wanakana, jaconv, moji) leave wrong for names sent to carriers:
 * - spacing (han)dakuten ゛゜ and half-width ﾞﾟ join the kana before them (ワ゛ → ヷ, ハ゜ → パ),
 *   instead of NFKC's 「ワ ゙」 (a space and a lone combining mark);
 * - hiragana, ゔ, small ゕゖ, ゝゞ and ゟ become katakana (ヴ, ヵヶ, ヽヾ, ヨリ);
 * - a hyphen, dash, minus or wave dash typed after a kana is the long-vowel mark: 「ｻﾄ-」「サト－」 → サトー;
 * - ヷヸヹヺ, ヿ and the small Ainu kana ㇰ–ㇿ, which the carriers' Shift_JIS cannot hold, are
 *   written as ヴァ ヴィ ヴェ ヴォ, コト and full-size kana, so the result is always representable;
 * - middle dots of every kind (·•‧) between kana become ・; spaces of every width fold to one.
 * Small kana (ァィゥェォャュョッヮ) are kept: in a reading they are meaningful (キャ is not キヤ).
 */
export function normalizeKana(input: string): string {
  return input
    .replace(/[\u309B\uFF9E]/g, "\u3099")
    .replace(/[\u309C\uFF9F]/g, "\u309A")
    .normalize("NFKC")
    .replace(/[\u3041-\u3096\u309D\u309E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60))
    .replace(/[\u309F\u30F7-\u30FA\u30FF\u31F0-\u31FF]/g, (ch) => KANA_OUTSIDE_SHIFT_JIS[ch] ?? ch)
    .replace(LONG_VOWEL_TYPED_AS_DASH, (_, kana: string, dashes: string) => kana + "ー".repeat([...dashes].length))
    .replace(MIDDLE_DOT_LOOKALIKES, (_, kana: string) => `${kana}・`)
    .replace(/[\s\u3000]+/g, " ")
    .trim();
}

/** Kana that Shift_JIS (CP932) cannot hold, written the way a carrier's record can. */
const KANA_OUTSIDE_SHIFT_JIS: Readonly<Record<string, string>> = {
  "\u309F": "ヨリ", // ゟ
  "\u30F7": "ヴァ", // ヷ
  "\u30F8": "ヴィ", // ヸ
  "\u30F9": "ヴェ", // ヹ
  "\u30FA": "ヴォ", // ヺ
  "\u30FF": "コト", // ヿ
  ...Object.fromEntries([..."クシストヌハヒフヘホムラリルレロ"].map((full, i) => [String.fromCharCode(0x31f0 + i), full])),
};

const KANA = "\\u30A1-\\u30F6\\u30FC\\u30FD\\u30FE";
/** NFKC has already made －→-, ｰ→ー and ～→~; these are the dashes people type for ー after a kana. */
const DASHES = "\\-\\u2010-\\u2015\\u2043\\u2212\\uFE63~\\u301C\\u223C";
// No lookbehind: this module runs in the browser too, and Safari before 16.4 (older iPhones) cannot parse it.
const LONG_VOWEL_TYPED_AS_DASH = new RegExp(`([${KANA}])([${DASHES}]+)`, "gu");
const MIDDLE_DOT_LOOKALIKES = new RegExp(`([${KANA}])[\\u00B7\\u2022\\u2027\\u2219\\u22C5](?=[${KANA}])`, "gu");

/** Kept for the callers that say what they want: full-width katakana, as normalizeKana makes it. */
export function toKatakana(input: string): string {
  return normalizeKana(input);
}

/** Full-width katakana (ヴ included), the long vowel mark, ヽヾ, the middle dot and single spaces only. */
export function isKatakanaName(value: string): boolean {
  return /^[\u30A1-\u30F6\u30FC\u30FB\u30FD\u30FE]+( [\u30A1-\u30F6\u30FC\u30FB\u30FD\u30FE]+)*$/.test(value);
}
