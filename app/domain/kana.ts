/**
 * Kana names as people type them: hiragana, half-width katakana, full-width spaces. Stored and
 * compared as full-width katakana with single spaces, which is what carriers' records hold.
 */

/** Converts hiragana and half-width katakana to full-width katakana; folds spaces. */
export function toKatakana(input: string): string {
  return input
    .normalize("NFKC")
    .replace(/[\u3041-\u3096]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60))
    .replace(/[\s\u3000]+/g, " ")
    .trim();
}

/** Full-width katakana, the long vowel mark, the middle dot and single spaces only. */
export function isKatakanaName(value: string): boolean {
  return /^[\u30A1-\u30FA\u30FC\u30FB]+( [\u30A1-\u30FA\u30FC\u30FB]+)*$/.test(value);
}
