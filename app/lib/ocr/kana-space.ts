/**
 * The space between family and given name in a kana line. Text normalisation drops every space
 * between Japanese characters (OCR puts them everywhere), so the one a person wrote is lost too;
 * the glyphs' positions still show it: one gap between character centres clearly wider than the
 * others. Pure, so it can be tested without Tesseract.
 */

/** A gap this many times the median centre-to-centre distance is a written space. */
export const KANA_SPACE_GAP = 1.2;

/**
 * `value` without spaces, with one space put back where the centres (`centres`, one per character
 * of `value`, left to right) show the single clearly wider gap; `value` unchanged when the counts
 * differ, the line is short, or no single gap stands out.
 */
export function withNameSpace(value: string, centres: readonly number[]): string {
  const chars = [...value.replace(/\s+/g, "")];
  if (chars.length < 4 || centres.length !== chars.length) return chars.join("");
  const gaps = centres.slice(1).map((c, i) => c - centres[i]!);
  if (gaps.some((g) => g <= 0)) return chars.join("");
  const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
  const wide = gaps.flatMap((g, i) => (g >= KANA_SPACE_GAP * median ? [i] : []));
  // Exactly one wide gap, and not at either end (a name has two characters on each side at least
  // in kana: ヤマ ダイ — a gap after the first character is more likely a badly read glyph).
  if (wide.length !== 1 || wide[0]! < 1 || wide[0]! > chars.length - 3) return chars.join("");
  const at = wide[0]! + 1;
  return `${chars.slice(0, at).join("")} ${chars.slice(at).join("")}`;
}
