/**
 * Japanese speech as people say it on the phone (issue 13, point 5): what Twilio's ja-JP recogniser
 * wrote in SpeechResult, turned into the key the caller would have pressed.
 *
 *  - digits with 〇/零/ゼロ/まる, の/ノ/ハイフン/spaces between groups, full-width digits and kanji
 *    numerals (一二三…, and 百/千 inside a group: 「百の〇〇〇一」 is 100-0001);
 *  - choices with です/番/でお願いします (「1番です」「一番です」「いちばんでお願いします」);
 *  - intent before keyword: 「解除を申し込みたい」 is a cancellation and 「申し込みの状況を確認したい」
 *    a status question, although both contain 申し込み;
 *  - negation and corrections: the last decisive word wins (「はい、あ、いえ、違います」 is no), and a
 *    negated word counts for the other side (「本人じゃないです」 is family); 「はい、家族です」 is family;
 *  - fillers (えーと, あのー, ですけど …) carry no answer.
 *
 * Pure functions, no I/O. Low confidence (Twilio's Confidence) is decided here too; the IVR reads a
 * low-confidence answer back and asks for 1 or 2 instead of taking it (ivr.server.ts).
 */

import { typedDigitsOrNull } from "../domain/typed-text";

/** What a caller's words amount to at one question. */
export type Heard = { kind: "key"; key: string } | { kind: "repeat" } | { kind: "none" };

const KEY = (key: string): Heard => ({ kind: "key", key });
const NONE: Heard = { kind: "none" };
const REPEAT: Heard = { kind: "repeat" };

/** Below this Twilio Confidence (0.0–1.0) an answer is read back for confirmation, not taken. */
export const LOW_CONFIDENCE = 0.5;

/** True when Twilio reported a Confidence below LOW_CONFIDENCE (absent: keypad, or not reported). */
export function isLowConfidence(confidence: string | number | null | undefined): boolean {
  if (confidence === undefined || confidence === null || confidence === "") return false;
  const value = Number(confidence);
  return Number.isFinite(value) && value < LOW_CONFIDENCE;
}

// ---------------------------------------------------------------------------------------------
// Normalising

/** Katakana to hiragana, so 「ゼロ」「ぜろ」 and 「ハイ」「はい」 are one word each. */
export function toHiragana(text: string): string {
  return text.replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

/** Sounds that fill a pause and answer nothing (longest first). */
const FILLERS = [
  "ええとですね",
  "えっとですね",
  "えーとですね",
  "えーっと",
  "ええっと",
  "えーと",
  "えっと",
  "ええと",
  "あのですね",
  "あのー",
  "あのう",
  "あのね",
  "うーんと",
  "うーん",
  "んーと",
  "んー",
  "えー",
  "あー",
  "あの",
  "まあ",
];

/**
 * The text as the parsers read it: NFKC (full-width digits and letters to ASCII, half-width kana to
 * full-width), katakana as hiragana, Latin letters upper-case, no fillers. Clause marks (、。 and
 * spaces) are kept as "、" so that corrections can be told apart.
 */
export function normalizeSpeech(text: string | null | undefined): string {
  let s = toHiragana((text ?? "").normalize("NFKC")).toUpperCase();
  // Words that contain a filler sound: 「エーユー」 (au) is not 「えー」 + 「ゆー」.
  s = s.replace(/えーゆー|えいゆー/g, "AU");
  s = s.replace(/[\s、。,.!?！？・「」『』()（）]+/g, "、");
  for (const filler of FILLERS) s = s.split(filler).join("、");
  return s.replace(/、+/g, "、").replace(/^、|、$/g, "");
}

/** The same without clause marks: one run of words. */
function compact(text: string | null | undefined): string {
  return normalizeSpeech(text).replace(/、/g, "");
}

/** Polite endings and softeners after the answer itself (longest first; stripped repeatedly). */
const ENDINGS = [
  "でお願いいたします",
  "でおねがいいたします",
  "をお願いいたします",
  "でお願いします",
  "でおねがいします",
  "をお願いします",
  "をおねがいします",
  "お願いします",
  "おねがいします",
  "でございます",
  "ですけれども",
  "ですけれど",
  "ですけども",
  "ですけど",
  "ですが",
  "ですね",
  "ですよ",
  "です",
  "だと思います",
  "と思います",
  "にします",
  "になります",
  "でいいです",
  "で",
  "を",
  "ね",
  "よ",
  "かな",
];

function stripEndings(text: string): string {
  let s = text;
  for (let changed = true; changed; ) {
    changed = false;
    for (const ending of ENDINGS) {
      if (s.length > ending.length && s.endsWith(ending)) {
        s = s.slice(0, -ending.length);
        changed = true;
        break;
      }
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Digits

/** Spoken and written forms of each digit (hiragana after normalising). */
const DIGIT_WORDS: ReadonlyArray<readonly [string, string]> = [
  ["ぜろ", "0"],
  ["れい", "0"],
  ["まる", "0"],
  ["〇", "0"],
  ["○", "0"],
  ["◯", "0"],
  ["零", "0"],
  ["いち", "1"],
  ["一", "1"],
  ["壱", "1"],
  ["にい", "2"],
  ["に", "2"],
  ["二", "2"],
  ["弐", "2"],
  ["さん", "3"],
  ["三", "3"],
  ["参", "3"],
  ["よん", "4"],
  ["よ", "4"],
  ["し", "4"],
  ["四", "4"],
  ["ご", "5"],
  ["五", "5"],
  ["ろく", "6"],
  ["六", "6"],
  ["なな", "7"],
  ["しち", "7"],
  ["七", "7"],
  ["はち", "8"],
  ["八", "8"],
  ["きゅう", "9"],
  ["きゅ", "9"],
  ["く", "9"],
  ["九", "9"],
  ["0", "0"],
  ["1", "1"],
  ["2", "2"],
  ["3", "3"],
  ["4", "4"],
  ["5", "5"],
  ["6", "6"],
  ["7", "7"],
  ["8", "8"],
  ["9", "9"],
];
const DIGIT_WORDS_LONGEST_FIRST = [...DIGIT_WORDS].sort((a, b) => b[0].length - a[0].length);

/** Place values inside one group (「百」「さんびゃく」「せん」): 10, 100, 1000. */
const PLACE_WORDS: ReadonlyArray<readonly [string, number]> = [
  ["じゅう", 10],
  ["十", 10],
  ["ひゃく", 100],
  ["びゃく", 100],
  ["ぴゃく", 100],
  ["百", 100],
  ["せん", 1000],
  ["ぜん", 1000],
  ["千", 1000],
];

/** Words between digit groups: の/ノ, ハイフン, dashes and the long-vowel mark (「にー」 is 2). */
const GROUP_SEPARATORS = /の|はいふん|[-‐‑‒–—―−ー~〜]/g;

/** Said before the number (「郵便番号は」「番号は、」), dropped. */
const NUMBER_PREFIXES = /^(?:.*?(?:郵便番号|ゆうびんばんごう|電話番号|でんわばんごう|受付番号|うけつけばんごう|確認番号|かくにんばんごう|番号|ばんごう)(?:は|が|を)?|〒)/;

/**
 * One group read digit by digit (「〇三」「ぜろさん」「03」) or by place value (「百」「二千五」).
 * Returns the digits, or null when a word is not a digit.
 */
export function groupToDigits(group: string): string | null {
  if (!group) return "";
  if (PLACE_WORDS.some(([word]) => group.includes(word))) return placeValueToDigits(group);
  let out = "";
  let rest = group;
  while (rest.length > 0) {
    const hit = DIGIT_WORDS_LONGEST_FIRST.find(([word]) => rest.startsWith(word));
    if (!hit) return null;
    out += hit[1];
    rest = rest.slice(hit[0].length);
  }
  return out;
}

/** 「百」→"100", 「三百五十」→"350", 「千二」→"1002": a number below 10000 read with place values. */
function placeValueToDigits(group: string): string | null {
  let total = 0;
  let pending: number | null = null;
  let rest = group;
  while (rest.length > 0) {
    const place = PLACE_WORDS.find(([word]) => rest.startsWith(word));
    if (place) {
      total += (pending ?? 1) * place[1];
      pending = null;
      rest = rest.slice(place[0].length);
      continue;
    }
    const digit = DIGIT_WORDS_LONGEST_FIRST.find(([word]) => rest.startsWith(word));
    if (!digit) return null;
    pending = (pending ?? 0) * 10 + Number(digit[1]);
    rest = rest.slice(digit[0].length);
  }
  return String(total + (pending ?? 0));
}

/**
 * A number said aloud (phone number, postal code, reference, code) as a digit string, or null.
 * 「〇三の一二三四の五六七八」「03-1234-5678」「ゼロサン、イチニサンヨン」「郵便番号は百の〇〇〇一です」.
 */
export function parseSpokenDigits(text: string | null | undefined): string | null {
  // Digits the recogniser wrote as digits (「03-1234-5678」「０３ １２３４」) follow the one rule for
  // typed digits (domain/typed-text, issue 17); words for digits are read below.
  const written = typedDigitsOrNull(text ?? "");
  if (written) return written;
  let s = compact(text);
  if (!s) return null;
  s = s.replace(NUMBER_PREFIXES, "");
  s = stripEndings(s).replace(/(?:番|ばん)$/, "");
  if (!s) return null;
  let out = "";
  for (const group of s.split(GROUP_SEPARATORS)) {
    const digits = groupToDigits(group);
    if (digits === null) return null;
    out += digits;
  }
  return out || null;
}

// ---------------------------------------------------------------------------------------------
// Choices

const REPEAT_WORDS = /もう一度|もういちど|もう1回|もういっかい|もう一回|繰り返|くりかえ|聞こえな|きこえな|聞き取れ|ききとれ/;

/**
 * A whole answer that is a key number: 「1」「1番」「一番です」「いちばんでお願いします」「2をお願いします」.
 * Only when the number is all that was said: 「一番困っている」 is not a choice.
 */
export function choiceNumber(text: string | null | undefined): string | null {
  const s = stripEndings(compact(text)).replace(/(?:番|ばん)$/, "");
  if (!s) return null;
  const hit = DIGIT_WORDS.find(([word]) => word === s);
  if (hit) return hit[1];
  return null;
}

/** The first pattern (in order) that matches wins: intents are listed before the bare keywords. */
function firstMatch(text: string, table: ReadonlyArray<readonly [RegExp, string]>): string | null {
  for (const [pattern, key] of table) if (pattern.test(text)) return key;
  return null;
}

/**
 * The main menu, by intent. Cancelling and asking the status come before applying, because their
 * phrases contain 申し込み too (「解除を申し込みたい」「申し込みの状況を確認したい」); the form comes
 * before applying for 申込書.
 */
const MENU_INTENTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/おぺれーたー|係の|係りの|かかりの|人と話|ひとと話|人間|担当の|相談|直接話|窓口/, "0"],
  [/解除|かいじょ|元に戻|もとに戻|もとにもど|戻したい|戻して|もどしたい|つながるように|繋がるように|使えるように|かけられるように|できるように|また使|使いたい|再開|さいかい|取り消|とりけし|取りやめ|とりやめ|撤回|やめたい|止めなくて|とめなくて/, "4"],
  [/状況|じょうきょう|どうなって|どうなった|進み具合|すすみぐあい|進んで|確認|かくにん|届いて|終わって|済んで|受付番号|うけつけばんごう|手続きは/, "2"],
  [/申込書|申し込み書|もうしこみしょ|申込用紙|用紙|ようし|書類|しょるい|郵送|ゆうそう|送って|おくって|送ってほしい|紙で|ふぁっくす|FAX/, "3"],
  [/止め|とめ|止まる|停止|ていし|申し込|もうしこ|申込|かかってこないように|かけられないように|詐欺|さぎ|国際電話を/, "1"],
];

/** 「はい」 alone at the menu is not a choice; 「オペレーター」 etc. are. */
export function hearMenu(text: string | null | undefined): Heard {
  const s = compact(text);
  if (!s) return NONE;
  const number = choiceNumber(text);
  if (number && ["0", "1", "2", "3", "4"].includes(number)) return KEY(number);
  // An intent first: 「もう一度申し込みたい」 applies; 「もう一度お願いします」 repeats.
  const key = firstMatch(s, MENU_INTENTS);
  if (key) return KEY(key);
  return REPEAT_WORDS.test(s) ? REPEAT : NONE;
}

/** Which calls to stop: incoming only (1), both (2), outgoing only (3). 「両方」 before the one-way words. */
const SCOPE_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/両方|りょうほう|どちらも|どっちも|両方とも|全部|ぜんぶ|すべて|全て|2つとも|二つとも|ふたつとも/, "2"],
  [/着信|ちゃくしん|かかってくる|かかってこない|掛かってくる|受ける|うける|入ってくる|はいってくる|海外から|外国から/, "1"],
  [/発信|はっしん|かける|掛ける|こちらから|海外へ|海外に|外国へ|外国に/, "3"],
];

export function hearScope(text: string | null | undefined): Heard {
  return hearWith(text, ["1", "2", "3"], SCOPE_WORDS);
}

/** The carrier: NTT (1), another company (2), not known (3). 「わからない」 first: 「NTTかわからない」. */
const CARRIER_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/わから|分から|わかりません|分かりません|知らない|しらない|知りません|しりません|不明|忘れ|わすれ|どこだか|どこか分|どこかわ/, "3"],
  [/どこも|KDDI|けーでぃーでぃーあい|AU|えーゆー|そふとばんく|ほかの|他の|ほか|その他|そのほか|別の|べつの|けーぶる|楽天|らくてん|じぇいこむ|J:COM|JCOM/, "2"],
  [/NTT|えぬてぃーてぃー|えぬてぃてぃ|えぬてーてー|東日本|ひがしにほん|西日本|にしにほん|電電公社|でんでんこうしゃ|でんでん|ひかり電話|光電話|ふれっつ/, "1"],
];

export function hearCarrier(text: string | null | undefined): Heard {
  return hearWith(text, ["1", "2", "3"], CARRIER_WORDS);
}

/** Which other company: KDDI (1), SoftBank (2), NTT Docomo Business (3). */
const CARRIER_OTHER_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/KDDI|けーでぃーでぃーあい|AU|えーゆー/, "1"],
  [/そふとばんく|ソフトバンク/, "2"],
  [/どこも|NTT|えぬてぃーてぃー/, "3"],
];

export function hearCarrierOther(text: string | null | undefined): Heard {
  return hearWith(text, ["1", "2", "3"], CARRIER_OTHER_WORDS);
}

function hearWith(text: string | null | undefined, keys: readonly string[], table: ReadonlyArray<readonly [RegExp, string]>): Heard {
  const s = compact(text);
  if (!s) return NONE;
  const number = choiceNumber(text);
  if (number && keys.includes(number)) return KEY(number);
  const key = firstMatch(s, table);
  if (key) return KEY(key);
  return REPEAT_WORDS.test(s) ? REPEAT : NONE;
}

// ---------------------------------------------------------------------------------------------
// Yes and no, with corrections

type Token = { at: number; value: string };

/**
 * Every word of the table in the text, left to right, the longest at each position (so 「いいえ」 is
 * not 「いい」, and 「違いません」 is not 「違い」).
 */
function scan(text: string, table: ReadonlyArray<readonly [RegExp, string]>): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    let best: { length: number; value: string } | null = null;
    for (const [pattern, value] of table) {
      const sticky = new RegExp(pattern.source, "y");
      sticky.lastIndex = i;
      const match = sticky.exec(text);
      if (match && match[0].length > 0 && (!best || match[0].length > best.length)) best = { length: match[0].length, value };
    }
    if (best) {
      tokens.push({ at: i, value: best.value });
      i += best.length;
    } else {
      i += 1;
    }
  }
  return tokens;
}

/** Yes and no as said on the phone; "skip" words are read past (they are neither). */
const YES_NO_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  // No.
  [/いいえ|いえ(?!す)|いや(?!ー?です)|いやいや|のー|NO/, "no"],
  [/ちがいます|違います|ちがう|違う|ちがって|違って|ちがっ|違っ/, "no"],
  [/同意しない|同意しません|同意できない|同意できません|どういしない|どういしません|しません|しないです|しない|できません/, "no"],
  [/だめ|駄目|嫌です|いやです|やめ(?:る|ます|て|たい|とき|ておきます|とく)|やり直|やりなお|取りやめ|とりやめ|間違(?:い|って|え)(?!ない|ありません|ございません|なし)|まちが(?:い|って|え)(?!ない|ありません|ございません|なし)/, "no"],
  [/そうじゃない|そうではない|そうじゃありません|そうではありません|そうじゃなく/, "no"],
  // Yes.
  [/はい|はあい|ええ(?!と)|うん/, "yes"],
  [/そうです|そうだ|そう(?!じゃ|では)/, "yes"],
  [/お願いします|おねがいします|お願い|おねがい|よろしく|同意します|同意する|どういします|同意/, "yes"],
  [/大丈夫|だいじょうぶ|よろしい|いいです|いいよ|いい(?!え)|構いません|かまいません|それで結構|それでけっこう|OK|おっけー|もちろん/, "yes"],
  [/あって(?:る|います|ます)|合って(?:る|います|ます)|間違いない|間違いありません|間違いございません|まちがいない|まちがいありません|違いません|ちがいません|違わない|ちがわない/, "yes"],
];

/**
 * Yes or no, or null when neither was said. The last decisive word wins: a caller who corrects
 * themselves (「はい、あ、いいえ」) means the correction. 「結構です」 alone is left undecided: it is
 * as often "no, thank you" as "that is fine".
 */
export function hearYesNo(text: string | null | undefined): "yes" | "no" | null {
  const s = compact(text);
  if (!s) return null;
  const tokens = scan(s, YES_NO_WORDS);
  return (tokens.at(-1)?.value as "yes" | "no" | undefined) ?? null;
}

/** A yes/no question answered by key (1 yes, 2 no) or by voice. */
export function hearConfirm(text: string | null | undefined): Heard {
  const s = compact(text);
  if (!s) return NONE;
  const number = choiceNumber(text);
  if (number === "1" || number === "2") return KEY(number);
  if (REPEAT_WORDS.test(s)) return REPEAT;
  const answer = hearYesNo(text);
  return answer === "yes" ? KEY("1") : answer === "no" ? KEY("2") : NONE;
}

// ---------------------------------------------------------------------------------------------
// Who is calling: the subscriber (本人) or family

const SELF_WORDS = /本人|ほんにん|契約者|けいやくしゃ|名義人|めいぎにん|自分|じぶん|私です|わたしです|私が契約|わたしが契約|私の名義|わたしの名義|私本人|わたくしです|私がそう/;
const FAMILY_WORDS =
  /家族|かぞく|娘|むすめ|息子|むすこ|妻|夫|主人|しゅじん|旦那|だんな|嫁|よめ|お母さん|おかあさん|お父さん|おとうさん|母|父|子供|子ども|こども|孫|まご|両親|親戚|身内|みうち|兄|姉|弟|妹|おとうと|いもうと|家内|かない|代わり|かわり|代理|だいり|おばあちゃん|おじいちゃん|祖母|祖父|義理|甥|姪|同居/;
/** 「…じゃない」「…ではなくて」 right after a word (allowing 「の方」「さん」 between). */
const NEGATED_AFTER = /^(?:の方|のほう|さん|さま|様|の者|のもの)?(?:じゃ|では|でわ)(?:ない|なく|ありません|ございません)|^(?:の方|さん)?(?:ではない|じゃない)/;

/** After 本人: the caller speaks for the subscriber. */
const ON_BEHALF_AFTER = /^(?:に頼|にたの|から頼|からたの|の代わり|のかわり|の代理|のだいり|のため|に言われ|にいわれ)/;

/**
 * 本人 (self) or 家族 (family), or null. Words about people decide before yes/no: 「はい、家族です」
 * is family. A negated word counts for the other side (「本人じゃないです」 is family), and the last
 * decisive word wins (「本人、あ、いえ、娘です」 is family). Without such a word, yes to 「ご本人ですか」
 * is self and no is family.
 */
export function hearRelation(text: string | null | undefined): "self" | "family" | null {
  const s = compact(text);
  if (!s) return null;
  const table: ReadonlyArray<readonly [RegExp, string]> = [
    [SELF_WORDS, "self"],
    [FAMILY_WORDS, "family"],
  ];
  // 「大丈夫」 holds 夫 (husband); it only says yes.
  const words = s.replace(/大丈夫|だいじょうぶ/g, "はい");
  let decided: "self" | "family" | null = null;
  let i = 0;
  while (i < words.length) {
    let best: { length: number; value: "self" | "family" } | null = null;
    for (const [pattern, value] of table) {
      const sticky = new RegExp(pattern.source, "y");
      sticky.lastIndex = i;
      const match = sticky.exec(words);
      if (match && (!best || match[0].length > best.length)) best = { length: match[0].length, value: value as "self" | "family" };
    }
    if (!best) {
      i += 1;
      continue;
    }
    const after = words.slice(i + best.length);
    // 「本人に頼まれて」「本人の代わりに」: someone else speaks for the subscriber.
    const onBehalf = best.value === "self" && ON_BEHALF_AFTER.test(after);
    const negated = NEGATED_AFTER.test(after);
    decided = onBehalf || negated ? (best.value === "self" ? "family" : "self") : best.value;
    i += best.length;
  }
  if (decided) return decided;
  const answer = hearYesNo(text);
  return answer === "yes" ? "self" : answer === "no" ? "family" : null;
}

/** 「ご本人ですか」: 1 self, 2 family. */
export function hearWho(text: string | null | undefined): Heard {
  const s = compact(text);
  if (!s) return NONE;
  const number = choiceNumber(text);
  if (number === "1" || number === "2") return KEY(number);
  if (REPEAT_WORDS.test(s)) return REPEAT;
  const relation = hearRelation(text);
  return relation === "self" ? KEY("1") : relation === "family" ? KEY("2") : NONE;
}

// ---------------------------------------------------------------------------------------------
// Numbers at a question

const DONT_KNOW = /わから|分から|わかりません|分かりません|知らない|しらない|知りません|しりません|覚えていない|覚えてない|おぼえてない|忘れ|わすれ|不明/;

/** The postal code: seven digits, or "0" for 「わからない」 (the keypad's 0 then #). */
export function hearPostalCode(text: string | null | undefined): Heard {
  const s = compact(text);
  if (!s) return NONE;
  if (REPEAT_WORDS.test(s)) return REPEAT;
  if (DONT_KNOW.test(s)) return KEY("0");
  const digits = parseSpokenDigits(text);
  return digits ? KEY(digits) : NONE;
}

/** A number keyed by voice (reference number, code). */
export function hearNumber(text: string | null | undefined): Heard {
  const s = compact(text);
  if (!s) return NONE;
  if (REPEAT_WORDS.test(s)) return REPEAT;
  const digits = parseSpokenDigits(text);
  return digits ? KEY(digits) : NONE;
}

/** A family caller's own phone number by voice, or "0" for 「ありません」「ない」 (no number to give). */
export function hearContactNumber(text: string | null | undefined): Heard {
  const s = compact(text);
  if (!s) return NONE;
  if (/^(ない|ありません|ないです|持ってない|もってない|持っていない|もっていない)/.test(s)) return KEY("0");
  // 「携帯は…」「私の携帯電話の番号は…」: the number after what it is.
  return hearNumber((text ?? "").replace(/^.*?(携帯電話|携帯|けいたい|ケータイ)(の番号|番号)?(は|が|、)*/, ""));
}

/** The 4-digit web code, or "9" for 「ほかの用事」「メニュー」 (to the main menu). */
export function hearCallInCode(text: string | null | undefined): Heard {
  const s = compact(text);
  if (!s) return NONE;
  if (/めにゅー|メニュー|ほかの|他の|別の|べつの|違う用|ちがう用/.test(s)) return KEY("9");
  return hearNumber(text);
}
