/**
 * Understanding what a caller pressed or said. Keypad input always works; speech (ja-JP) is
 * accepted everywhere too, for dial phones that send no tones. "*" (or 「もう一度」) repeats.
 */

import { typedDigitsOrNull } from "./typed-text";

/** Spoken forms of each key, as Twilio's ja-JP recogniser writes them. */
const SPOKEN_DIGITS: Record<string, string[]> = {
  "0": ["0", "０", "ゼロ", "ぜろ", "零", "れい", "レイ"],
  "1": ["1", "１", "一", "いち", "イチ"],
  "2": ["2", "２", "二", "に", "ニ"],
  "3": ["3", "３", "三", "さん", "サン"],
  "4": ["4", "４", "四", "よん", "ヨン", "し"],
  "5": ["5", "５", "五", "ご", "ゴ"],
  "6": ["6", "６", "六", "ろく", "ロク"],
  "7": ["7", "７", "七", "なな", "ナナ", "しち"],
  "8": ["8", "８", "八", "はち", "ハチ"],
  "9": ["9", "９", "九", "きゅう", "キュウ", "く"],
};

export type CallerInput = { digits?: string | null; speech?: string | null };
export type Choice<K extends string> = K | "repeat" | null;

const REPEAT_WORDS = /もう一度|もういちど|繰り返し|くりかえし/;

/**
 * Maps the input to one of the menu's keys. `extra` adds words for a key (e.g. "1": ["はい"]).
 * Returns "repeat" for * or 「もう一度」, null when nothing matched.
 */
export function readChoice<K extends string>(input: CallerInput, keys: readonly K[], extra: Partial<Record<K, string[]>> = {}): Choice<K> {
  const digits = (input.digits ?? "").trim();
  if (digits === "*") return "repeat";
  if (digits) return (keys as readonly string[]).includes(digits) ? (digits as K) : null;
  const speech = (input.speech ?? "").replace(/[\s。、．.]/g, "");
  if (!speech) return null;
  if (REPEAT_WORDS.test(speech)) return "repeat";
  // Longer words first, so 「いいえ」 is not read as 「い」-something and 「はい」 wins over 「は」.
  const candidates = keys.flatMap((key) => [...(extra[key] ?? []), ...(SPOKEN_DIGITS[key] ?? [])].map((word) => ({ key, word })));
  candidates.sort((a, b) => b.word.length - a.word.length);
  const exact = candidates.find((c) => speech === c.word || speech === `${c.word}番` || speech === `${c.word}ばん`);
  if (exact) return exact.key;
  const contained = candidates.find((c) => c.word.length >= 2 && speech.includes(c.word));
  return contained?.key ?? null;
}

/** Digits keyed or spoken (「さん いち に …」) as a digit string, or null. */
export function readDigits(input: CallerInput): string | null {
  const keyed = (input.digits ?? "").replace(/[#*]/g, "");
  // Digits as written (full-width, dashes, spaces) go through the one rule for typed digits (issue 17).
  if (keyed) return typedDigitsOrNull(keyed);
  const written = typedDigitsOrNull(input.speech ?? "");
  if (written) return written;
  const speech = (input.speech ?? "").normalize("NFKC").replace(/[\s、。,.\-ー－]/g, "");
  if (!speech) return null;
  let out = "";
  let rest = speech;
  const words = Object.entries(SPOKEN_DIGITS)
    .flatMap(([digit, list]) => list.map((word) => ({ digit, word })))
    .sort((a, b) => b.word.length - a.word.length);
  while (rest.length > 0) {
    const hit = words.find((w) => rest.startsWith(w.word));
    if (!hit) return null;
    out += hit.digit;
    rest = rest.slice(hit.word.length);
  }
  return out || null;
}

/** Numbers are read digit by digit, with pauses: 「0、3、1、2、…」. */
export function spellDigits(digits: string): string {
  return digits.split("").join("、");
}
