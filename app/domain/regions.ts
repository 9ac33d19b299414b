/**
 * Prefectures and the NTT company that serves each of them.
 *
 * When an applicant answers "NTT" without knowing whether it is East or West, the prefecture of the
 * line's address decides: NTT東日本 and NTT西日本 have fixed, non-overlapping service areas.
 */
import { NON_GEOGRAPHIC_PREFIXES } from "./phone";
import { toHalfWidth } from "./typed-text";

export type NttRegion = "ntt-east" | "ntt-west";

export type Prefecture = {
  /** JIS X 0401 code, 1 (北海道) to 47 (沖縄県). */
  code: number;
  /** Official name with its suffix: "東京都", "北海道", "大阪府", "青森県". */
  name: string;
  /** The name without 都・府・県, as people often say it: "東京", "大阪", "青森". */
  shortName: string;
  /** Reading in hiragana, for screen readers and kana search. */
  kana: string;
  nttRegion: NttRegion;
};

const E: NttRegion = "ntt-east";
const W: NttRegion = "ntt-west";

/**
 * The 47 prefectures in JIS X 0401 order. NTT東日本: 北海道, 東北, 関東, 新潟, 長野, 山梨;
 * NTT西日本: everything else (静岡 and 富山・石川・福井 included).
 */
export const PREFECTURES: readonly Prefecture[] = [
  { code: 1, name: "北海道", shortName: "北海道", kana: "ほっかいどう", nttRegion: E },
  { code: 2, name: "青森県", shortName: "青森", kana: "あおもりけん", nttRegion: E },
  { code: 3, name: "岩手県", shortName: "岩手", kana: "いわてけん", nttRegion: E },
  { code: 4, name: "宮城県", shortName: "宮城", kana: "みやぎけん", nttRegion: E },
  { code: 5, name: "秋田県", shortName: "秋田", kana: "あきたけん", nttRegion: E },
  { code: 6, name: "山形県", shortName: "山形", kana: "やまがたけん", nttRegion: E },
  { code: 7, name: "福島県", shortName: "福島", kana: "ふくしまけん", nttRegion: E },
  { code: 8, name: "茨城県", shortName: "茨城", kana: "いばらきけん", nttRegion: E },
  { code: 9, name: "栃木県", shortName: "栃木", kana: "とちぎけん", nttRegion: E },
  { code: 10, name: "群馬県", shortName: "群馬", kana: "ぐんまけん", nttRegion: E },
  { code: 11, name: "埼玉県", shortName: "埼玉", kana: "さいたまけん", nttRegion: E },
  { code: 12, name: "千葉県", shortName: "千葉", kana: "ちばけん", nttRegion: E },
  { code: 13, name: "東京都", shortName: "東京", kana: "とうきょうと", nttRegion: E },
  { code: 14, name: "神奈川県", shortName: "神奈川", kana: "かながわけん", nttRegion: E },
  { code: 15, name: "新潟県", shortName: "新潟", kana: "にいがたけん", nttRegion: E },
  { code: 16, name: "富山県", shortName: "富山", kana: "とやまけん", nttRegion: W },
  { code: 17, name: "石川県", shortName: "石川", kana: "いしかわけん", nttRegion: W },
  { code: 18, name: "福井県", shortName: "福井", kana: "ふくいけん", nttRegion: W },
  { code: 19, name: "山梨県", shortName: "山梨", kana: "やまなしけん", nttRegion: E },
  { code: 20, name: "長野県", shortName: "長野", kana: "ながのけん", nttRegion: E },
  { code: 21, name: "岐阜県", shortName: "岐阜", kana: "ぎふけん", nttRegion: W },
  { code: 22, name: "静岡県", shortName: "静岡", kana: "しずおかけん", nttRegion: W },
  { code: 23, name: "愛知県", shortName: "愛知", kana: "あいちけん", nttRegion: W },
  { code: 24, name: "三重県", shortName: "三重", kana: "みえけん", nttRegion: W },
  { code: 25, name: "滋賀県", shortName: "滋賀", kana: "しがけん", nttRegion: W },
  { code: 26, name: "京都府", shortName: "京都", kana: "きょうとふ", nttRegion: W },
  { code: 27, name: "大阪府", shortName: "大阪", kana: "おおさかふ", nttRegion: W },
  { code: 28, name: "兵庫県", shortName: "兵庫", kana: "ひょうごけん", nttRegion: W },
  { code: 29, name: "奈良県", shortName: "奈良", kana: "ならけん", nttRegion: W },
  { code: 30, name: "和歌山県", shortName: "和歌山", kana: "わかやまけん", nttRegion: W },
  { code: 31, name: "鳥取県", shortName: "鳥取", kana: "とっとりけん", nttRegion: W },
  { code: 32, name: "島根県", shortName: "島根", kana: "しまねけん", nttRegion: W },
  { code: 33, name: "岡山県", shortName: "岡山", kana: "おかやまけん", nttRegion: W },
  { code: 34, name: "広島県", shortName: "広島", kana: "ひろしまけん", nttRegion: W },
  { code: 35, name: "山口県", shortName: "山口", kana: "やまぐちけん", nttRegion: W },
  { code: 36, name: "徳島県", shortName: "徳島", kana: "とくしまけん", nttRegion: W },
  { code: 37, name: "香川県", shortName: "香川", kana: "かがわけん", nttRegion: W },
  { code: 38, name: "愛媛県", shortName: "愛媛", kana: "えひめけん", nttRegion: W },
  { code: 39, name: "高知県", shortName: "高知", kana: "こうちけん", nttRegion: W },
  { code: 40, name: "福岡県", shortName: "福岡", kana: "ふくおかけん", nttRegion: W },
  { code: 41, name: "佐賀県", shortName: "佐賀", kana: "さがけん", nttRegion: W },
  { code: 42, name: "長崎県", shortName: "長崎", kana: "ながさきけん", nttRegion: W },
  { code: 43, name: "熊本県", shortName: "熊本", kana: "くまもとけん", nttRegion: W },
  { code: 44, name: "大分県", shortName: "大分", kana: "おおいたけん", nttRegion: W },
  { code: 45, name: "宮崎県", shortName: "宮崎", kana: "みやざきけん", nttRegion: W },
  { code: 46, name: "鹿児島県", shortName: "鹿児島", kana: "かごしまけん", nttRegion: W },
  { code: 47, name: "沖縄県", shortName: "沖縄", kana: "おきなわけん", nttRegion: W },
];

export class UnknownPrefectureError extends Error {
  readonly code = "unknown_prefecture";
  constructor(readonly input: string | number) {
    super(`Unknown prefecture: ${String(input)}`);
    this.name = "UnknownPrefectureError";
  }
}

/**
 * Finds a prefecture by JIS code (13 or "13" or "１３"), official name ("東京都"), short name
 * ("東京") or reading ("とうきょうと"). The whole input must match: use prefectureFromAddress for
 * addresses.
 */
export function findPrefecture(input: string | number): Prefecture | undefined {
  if (typeof input === "number") return PREFECTURES.find((p) => p.code === input);
  const text = toHalfWidth(input).trim();
  if (text === "") return undefined;
  if (/^\d{1,2}$/.test(text)) return PREFECTURES.find((p) => p.code === Number(text));
  return PREFECTURES.find((p) => p.name === text || p.shortName === text || p.kana === text);
}

/** The NTT company for a prefecture; throws UnknownPrefectureError when it cannot be found. */
export function nttRegionForPrefecture(prefecture: string | number): NttRegion {
  const found = findPrefecture(prefecture);
  if (!found) throw new UnknownPrefectureError(prefecture);
  return found.nttRegion;
}

/**
 * The prefecture an address starts with ("〒100-0001 東京都千代田区…" → 東京都), or undefined.
 *
 * Only official names with their suffix are recognised. Matching "石川" without 県 would also
 * match 福島県石川郡石川町 written without its prefecture, and a wrong NTT company is worse than
 * asking the applicant.
 */
export function prefectureFromAddress(address: string): Prefecture | undefined {
  const text = withoutLeadingPostalCode(toHalfWidth(address).trim());
  return PREFECTURES.find((p) => text.startsWith(p.name));
}

/** Drops "〒", a postal code ("100-0001", "1000001", "100ー0001"), and the spaces around them. */
function withoutLeadingPostalCode(address: string): string {
  return address.replace(/^〒?\s*(?:\d{3}\s*[-‐‑‒–—―−ー]?\s*\d{4}\s*)?/u, "");
}

/**
 * NTT東日本 or 西日本 from a fixed-line number's area code, for the phone channel where there is no
 * address. East: 01 (北海道), 02 (東北・新潟・長野・群馬・栃木・茨城), 03, 04 (関東), and 0551–0556
 * (山梨). West: the rest of 05–09. `national` is the 10-digit national form ("0312345678").
 * Null for anything that is not a fixed line's number: 0120, 0570, 050 and the other
 * non-geographic prefixes (phone.ts) name no place, though some start like an area code.
 */
export function nttRegionForNumber(national: string): NttRegion | null {
  if (!/^0[1-9]\d{8}$/.test(national)) return null;
  if (NON_GEOGRAPHIC_PREFIXES.some(({ prefix }) => national.startsWith(prefix))) return null;
  if (/^0[1-4]/.test(national)) return "ntt-east";
  if (/^055[1-6]/.test(national)) return "ntt-east";
  return "ntt-west";
}

/** "+81312345678" or "0312345678" → NTT東日本／西日本 from the line's own number, or null. */
export function nttRegionForLine(line: string | null | undefined): NttRegion | null {
  if (!line) return null;
  const national = line.startsWith("+81") ? `0${line.slice(3)}` : line;
  return nttRegionForNumber(national);
}

export const NTT_AREA_NAMES: Readonly<Record<NttRegion, string>> = { "ntt-east": "NTT東日本", "ntt-west": "NTT西日本" };

/**
 * A disagreement between what a person gave and what the line or the postal code says. Never
 * corrected silently: shown to the person on the web, flagged to the operator everywhere else.
 */
export type RegionFlag =
  /** The typed address names another prefecture than the postal code: the typed one was kept. */
  | { kind: "postal_code_other_prefecture"; postalPrefecture: number; addressPrefecture: number }
  /** The line's number belongs to the other NTT company than the address's prefecture. */
  | { kind: "line_other_area"; lineRegion: NttRegion; addressPrefecture: number }
  /** The postal code exists in several prefectures and the address names none. */
  | { kind: "postal_code_several_prefectures"; prefectures: number[] }
  /** NTT東日本 or 西日本 was chosen, but the number belongs to the other one: the number decided. */
  | { kind: "choice_other_area"; chosen: NttRegion; lineRegion: NttRegion };

export type RegionCheck = {
  /** The prefecture to store: the one the address names, else the postal code's when it is certain. */
  prefecture: number | null;
  prefectureSource: "address" | "postal_code" | null;
  /** NTT東日本／西日本 from the line's own number (null for a number that is not a fixed line). */
  lineRegion: NttRegion | null;
  flags: RegionFlag[];
};

/**
 * Where the line is, from three witnesses: the line's number (decides NTT東日本／西日本), the
 * address as typed (decides the prefecture when it names one) and the postal code (fills the
 * prefecture only when the address names none and the code belongs to one prefecture). Pure.
 */
export function checkRegion(input: { line?: string | null; address?: string | null; postalPrefectures?: readonly number[] }): RegionCheck {
  const lineRegion = nttRegionForLine(input.line);
  const typed = input.address ? prefectureFromAddress(input.address) : undefined;
  const postal = [...new Set(input.postalPrefectures ?? [])];
  const flags: RegionFlag[] = [];
  let prefecture: number | null = null;
  let prefectureSource: RegionCheck["prefectureSource"] = null;
  if (typed) {
    prefecture = typed.code;
    prefectureSource = "address";
    if (postal.length > 0 && !postal.includes(typed.code)) {
      flags.push({ kind: "postal_code_other_prefecture", postalPrefecture: postal[0]!, addressPrefecture: typed.code });
    }
  } else if (postal.length === 1) {
    prefecture = postal[0]!;
    prefectureSource = "postal_code";
  } else if (postal.length > 1) {
    flags.push({ kind: "postal_code_several_prefectures", prefectures: postal });
  }
  const prefectureRegion = prefecture === null ? undefined : findPrefecture(prefecture)?.nttRegion;
  if (lineRegion && prefecture !== null && prefectureRegion && prefectureRegion !== lineRegion) {
    flags.push({ kind: "line_other_area", lineRegion, addressPrefecture: prefecture });
  }
  return { prefecture, prefectureSource, lineRegion, flags };
}
