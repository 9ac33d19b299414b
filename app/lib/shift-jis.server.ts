/**
 * Shift_JIS for carriers' CSV files (issue 17, point 4), through iconv-lite's Windows-31J (CP932)
 * codec, which is what Japanese carriers' systems read.
 *
 * CP932 and JIS X 0208 (the "Shift_JIS" of macOS, iOS, Java's "Shift_JIS" and the JIS standard)
 * map a handful of characters to different code points. Text typed on a Mac or an iPhone carries
 * the JIS ones (〜 is U+301C there, ～ U+FF5E on Windows), and a CP932-only encoder would write 〓
 * for them though Shift_JIS has the character. JIS_TO_CP932 folds them onto the CP932 code point of
 * the same Shift_JIS bytes first, so 〜 survives as 0x8160 and ‖ as 0x8161.
 *
 * A character that still has no Shift_JIS code (𠮷, emoji, ヷ…) becomes 〓 (geta), the customary
 * mark for a missing glyph, and is reported: the batch lists the records that needed it.
 */
import iconv from "iconv-lite";

/** What a character Shift_JIS cannot hold becomes. */
export const SJIS_SUBSTITUTE = "〓";

/** JIS X 0208 mappings whose Shift_JIS bytes CP932 assigns to another code point. */
export const JIS_TO_CP932: Readonly<Record<string, string>> = {
  "\u301C": "\uFF5E", // 〜 WAVE DASH → 0x8160
  "\u2016": "\u2225", // ‖ DOUBLE VERTICAL LINE → 0x8161
  "\u2212": "\uFF0D", // − MINUS SIGN → 0x817C
  "\u00A2": "\uFFE0", // ¢ → 0x8191
  "\u00A3": "\uFFE1", // £ → 0x8192
  "\u00AC": "\uFFE2", // ¬ → 0x81CA
  "\u2014": "\u2015", // — EM DASH → 0x815C
  "\u00A6": "\uFFE4", // ¦ → 0xFA55
};

const ENCODING = "cp932";
const cache = new Map<string, Buffer | null>();

/** The bytes of one character (a code point), or null when Shift_JIS has no code for it. */
function encodeCharacter(character: string): Buffer | null {
  const hit = cache.get(character);
  if (hit !== undefined) return hit;
  const folded = JIS_TO_CP932[character] ?? character;
  const bytes = iconv.encode(folded, ENCODING);
  // iconv-lite writes "?" for what it cannot encode: a "?" that was not asked for is a miss.
  const result = folded !== "?" && bytes.length === 1 && bytes[0] === 0x3f ? null : bytes;
  if (cache.size < 20_000) cache.set(character, result);
  return result;
}

export type SjisResult = {
  bytes: Uint8Array;
  /** How many characters became 〓. */
  substituted: number;
  /** Those characters, each once, in order of appearance. */
  missing: string[];
};

/** Encodes text as Shift_JIS (CP932 with the JIS mappings); characters it cannot hold become 〓. */
export function encodeShiftJis(text: string): SjisResult {
  const parts: Buffer[] = [];
  let ascii = "";
  let substituted = 0;
  const missing: string[] = [];
  const geta = encodeCharacter(SJIS_SUBSTITUTE)!;
  for (const character of text) {
    if (character.charCodeAt(0) < 0x80) {
      ascii += character;
      continue;
    }
    if (ascii) {
      parts.push(Buffer.from(ascii, "latin1"));
      ascii = "";
    }
    const bytes = encodeCharacter(character);
    if (bytes) parts.push(bytes);
    else {
      parts.push(geta);
      substituted++;
      if (!missing.includes(character)) missing.push(character);
    }
  }
  if (ascii) parts.push(Buffer.from(ascii, "latin1"));
  return { bytes: Buffer.concat(parts), substituted, missing };
}

/** The characters of `text` that Shift_JIS cannot hold (each once), or [] when it can hold all of it. */
export function unrepresentableInShiftJis(text: string): string[] {
  const missing: string[] = [];
  for (const character of text) {
    if (character.charCodeAt(0) < 0x80) continue;
    if (!encodeCharacter(character) && !missing.includes(character)) missing.push(character);
  }
  return missing;
}
