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

/**
 * Keypad digits ("#" and "*" dropped) as a digit string, or null. Written digits go through the one
 * rule for typed digits (domain/typed-text, issue 17). Speech does not come here: at every question
 * that takes a number, the node's speech reader (app/lib/speech.ts: hearNumber, hearPostalCode,
 * hearCallInCode, all built on parseSpokenDigits) turns what was said — 〇/零, の between groups,
 * 「郵便番号は…です」 — into these digits first.
 */
export function readDigits(input: CallerInput): string | null {
  const keyed = (input.digits ?? "").replace(/[#*]/g, "");
  return keyed ? typedDigitsOrNull(keyed) : null;
}

/** Numbers are read digit by digit, with pauses: 「0、3、1、2、…」. */
export function spellDigits(digits: string): string {
  return digits.split("").join("、");
}
