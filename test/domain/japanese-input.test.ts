/**
 * Japanese input as people really write it (issue 17): typed digits, kana, addresses that decide
 * NTT東日本／西日本, and Shift_JIS for carriers. Table tests: the issue's own cases first, then the
 * variants collected from how people write on forms, IMEs, phones, paper and speech.
 */
import { DEFAULT_CAPABILITIES, routeApplication, type CarrierChoice } from "../../app/domain/carriers";
import { checkRegion, nttRegionForLine, prefectureFromAddress } from "../../app/domain/regions";
import { isKatakanaName, normalizeKana } from "../../app/domain/kana";
import { parseJapaneseNumber } from "../../app/domain/phone";
import { normalizeKana as normalizeOcrKana } from "../../app/domain/paper-form";
import { formatPostalCode, readPostalCode, readTypedDigits } from "../../app/domain/typed-text";
import { encodeShiftJis, unrepresentableInShiftJis } from "../../app/lib/shift-jis.server";

/** The carrier an application goes to (incoming suspension), or the route's kind when not direct. */
function carrierChoiceOf(input: { choice: CarrierChoice; line: string; prefecture: number | null }): string {
  const route = routeApplication({ choice: input.choice, line: input.line, prefecture: input.prefecture, scopes: ["incoming"], capabilities: DEFAULT_CAPABILITIES });
  return route.kind === "direct" ? route.carrier : route.kind;
}

describe("typed digits: one rule, full-width accepted, nothing silently deleted", () => {
  // [typed, digits] — the case first: a contact number typed with the Japanese IME.
  const accepted: [string, string][] = [
    ["０９０１２３４５６７８", "09012345678"],
    ["０９０－１２３４－５６７８", "09012345678"],
    ["090-1234-5678", "09012345678"],
    ["090ー1234ー5678", "09012345678"],
    ["090ｰ1234ｰ5678", "09012345678"],
    ["090‐1234‐5678", "09012345678"],
    ["090−1234−5678", "09012345678"],
    ["090―1234―5678", "09012345678"],
    ["090–1234–5678", "09012345678"],
    ["(03)1234-5678", "0312345678"],
    ["（０３）１２３４－５６７８", "0312345678"],
    ["03（1234）5678", "0312345678"],
    ["03・1234・5678", "0312345678"],
    ["03 1234 5678", "0312345678"],
    ["０３　１２３４　５６７８", "0312345678"],
    [" 03-1234-5678 ", "0312345678"],
    ["03.1234.5678", "0312345678"],
    ["03/1234/5678", "0312345678"],
    ["〇９〇-１２３４-５６７８", "09012345678"], // 〇 as written on paper and read by OCR
    ["〒100-0001", "1000001"],
    ["〒１００－０００１", "1000001"],
    ["100ー0001", "1000001"],
    ["100 0001", "1000001"],
    ["1000001", "1000001"],
    ["〇３１２３４５６７８", "0312345678"],
    ["0３-1２34-5６78", "0312345678"],
  ];
  it.each(accepted)("reads %j as %s", (typed, digits) => {
    expect(readTypedDigits(typed)).toEqual({ ok: true, digits });
  });

  // [typed, the characters named back to the person]
  const refused: [string, string[]][] = [
    ["〇三－一二三四", ["三", "一", "二", "四"]],
    ["090-1234-567８あ", ["あ"]],
    ["TEL 03-1234-5678", ["T", "E", "L"]],
    ["O3-1234-5678", ["O"]],
    ["03-1234-5678（自宅）", ["自", "宅"]],
    ["03-l234-5678", ["l"]],
    ["０３ー１２３４ー５６７８＃", ["#"]],
  ];
  it.each(refused)("refuses %j and names %j", (typed, rejected) => {
    expect(readTypedDigits(typed)).toEqual({ ok: false, reason: "not_digits", rejected });
  });

  it("says empty for nothing, spaces or dashes only", () => {
    for (const typed of ["", "  ", "　", "ー－"]) expect(readTypedDigits(typed)).toMatchObject({ ok: false, reason: "empty" });
  });

  it("accepts a leading ＋ only when asked", () => {
    expect(readTypedDigits("＋８１ ３ １２３４ ５６７８", { allowPlus: true })).toEqual({ ok: true, digits: "+81312345678" });
    expect(readTypedDigits("+81 3 1234 5678")).toMatchObject({ ok: false, rejected: ["+"] });
  });

  it("postal codes: 7 digits however typed, with the length checked", () => {
    expect(readPostalCode("〒５３０－０００１")).toEqual({ ok: true, postalCode: "5300001" });
    expect(readPostalCode("530-001")).toEqual({ ok: false, reason: "length", rejected: [] });
    expect(readPostalCode("530-000I")).toEqual({ ok: false, reason: "not_digits", rejected: ["I"] });
    expect(formatPostalCode("5300001")).toBe("530-0001");
  });

  it("the phone parser shares the rule: a number typed with the IME is a number", () => {
    expect(parseJapaneseNumber("（０３）１２３４－５６７８")).toMatchObject({ ok: true, e164: "+81312345678" });
    expect(parseJapaneseNumber("〇三ー一二三四ー五六七八")).toMatchObject({ ok: false, reason: "not_a_number" });
  });
});

describe("kana: one normalisation for every channel", () => {
  // [typed, stored] — the cases first.
  const cases: [string, string][] = [
    ["ｻﾄ-", "サトー"],
    ["サト－", "サトー"],
    ["ワ゛タナベ", "ヴァタナベ"], // spacing dakuten joins ワ (ヷ), written as Shift_JIS can hold it
    ["ﾜﾞﾀﾅﾍﾞ", "ヴァタナベ"],
    ["ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ ハナコ"],
    ["やまだ　はなこ", "ヤマダ ハナコ"],
    ["ヤマダ　　ハナコ", "ヤマダ ハナコ"],
    [" ヤマダ ハナコ ", "ヤマダ ハナコ"],
    ["サトウ", "サトウ"],
    ["さとー", "サトー"],
    ["ｻﾄｰ", "サトー"],
    ["サト‐", "サトー"],
    ["サト—", "サトー"],
    ["サト―", "サトー"],
    ["サト−", "サトー"],
    ["サト〜", "サトー"],
    ["サト～", "サトー"],
    ["コ-ヒ-", "コーヒー"],
    ["ハ゛ハ゜", "バパ"],
    ["ハ\u3099ハ\u309A", "バパ"], // combining marks from a Mac's NFD
    ["ガ", "ガ"],
    ["ゔぃくとる", "ヴィクトル"],
    ["ウ゛ィクトル", "ヴィクトル"],
    ["ｳﾞｨｸﾄﾙ", "ヴィクトル"],
    ["ヸオラ", "ヴィオラ"],
    ["ヹルテル", "ヴェルテル"],
    ["ヺルガ", "ヴォルガ"],
    ["しょうこ", "ショウコ"],
    ["ｼｮｳｺ", "ショウコ"],
    ["ゕゖ", "ヵヶ"],
    ["いすゞ", "イスヾ"],
    ["ㇰㇱ", "クシ"],
    ["ジョン·スミス", "ジョン・スミス"],
    ["ｼﾞｮﾝ･ｽﾐｽ", "ジョン・スミス"],
    ["ジョン•スミス", "ジョン・スミス"],
  ];
  it.each(cases)("%j → %j", (typed, stored) => {
    const kana = normalizeKana(typed);
    expect(kana).toBe(stored);
    expect(isKatakanaName(kana)).toBe(true);
    // Always representable in the carriers' Shift_JIS.
    expect(unrepresentableInShiftJis(kana)).toEqual([]);
  });

  it("a dash that follows no kana is not a long-vowel mark, and is refused, not dropped", () => {
    expect(normalizeKana("-サトウ")).toBe("-サトウ");
    expect(isKatakanaName(normalizeKana("-サトウ"))).toBe(false);
  });

  it("a dakuten on a kana that cannot take one is kept (and refused), never deleted", () => {
    const kana = normalizeKana("ア゛イ");
    expect(kana).toContain("\u3099");
    expect(isKatakanaName(kana)).toBe(false);
  });

  it("OCR and paper use the same rule, then drop OCR spacing", () => {
    expect(normalizeOcrKana("ワ゛ タ ナ ベ")).toBe("ヴァタナベ");
    expect(normalizeOcrKana("さ と -")).toBe("サトー");
  });
});

describe("addresses: the typed prefecture, 丁目・番地・号 and hyphens of every kind", () => {
  // [address as written, prefecture]
  const addresses: [string, string][] = [
    ["東京都千代田区千代田1-1", "東京都"],
    ["東京都千代田区千代田１－１", "東京都"],
    ["東京都千代田区千代田1ー1", "東京都"],
    ["東京都千代田区千代田1‐1", "東京都"],
    ["東京都千代田区千代田1−1", "東京都"],
    ["東京都千代田区千代田一丁目一番", "東京都"],
    ["東京都新宿区西新宿2丁目8番1号", "東京都"],
    ["東京都新宿区西新宿２丁目８−１", "東京都"],
    ["東京都新宿区西新宿二丁目8番地1", "東京都"],
    ["〒100-0001 東京都千代田区千代田1-1", "東京都"],
    ["〒１００－０００１　東京都千代田区千代田１－１", "東京都"],
    ["100ー0001東京都千代田区千代田1-1", "東京都"],
    ["　東京都港区芝公園4-2-8 東京タワー", "東京都"],
    ["大阪府大阪市北区梅田1丁目1番3号", "大阪府"],
    ["大阪府大阪市北区梅田１－１－３ 大阪駅前第3ビル101号室", "大阪府"],
    ["大阪府大阪市北区梅田1ｰ1ｰ3", "大阪府"],
    ["北海道札幌市中央区北1条西2丁目", "北海道"],
    ["北海道札幌市中央区北一条西二丁目1番地", "北海道"],
    ["京都府京都市中京区寺町通御池上る上本能寺前町488", "京都府"],
    ["愛知県清須市春日明河原10番地", "愛知県"],
    ["神奈川県横浜市中区本町6丁目50番地の10", "神奈川県"],
    ["沖縄県島尻郡与那原町字上与那原16-1", "沖縄県"],
    ["鹿児島県鹿児島市鴨池新町10番1号", "鹿児島県"],
    ["長野県長野市大字南長野字幅下692-2", "長野県"],
    ["新潟県新潟市中央区新光町4番地1", "新潟県"],
  ];
  it.each(addresses)("%j names %s", (address, name) => {
    expect(prefectureFromAddress(address)?.name).toBe(name);
  });

  it("an address without its prefecture names none: the postal code or the person decides", () => {
    for (const address of ["千代田区千代田1-1", "石川郡石川町1-1", "大山崎町字大山崎小字竜光3", ""]) expect(prefectureFromAddress(address)).toBeUndefined();
  });
});

describe("NTT東日本／西日本 from the line's own number", () => {
  const lines: [string, "ntt-east" | "ntt-west" | null][] = [
    ["+81312345678", "ntt-east"], // 東京23区
    ["0312345678", "ntt-east"],
    ["+81422123456", "ntt-east"], // 武蔵野・三鷹
    ["+81112123456", "ntt-east"], // 札幌
    ["+81222123456", "ntt-east"], // 仙台
    ["+81252123456", "ntt-east"], // 新潟
    ["+81262123456", "ntt-east"], // 長野
    ["+81552123456", "ntt-east"], // 甲府 (055-2xx: 山梨)
    ["+81555123456", "ntt-east"], // 富士吉田 (山梨)
    ["+81559123456", "ntt-west"], // 沼津 (055-9xx: 静岡)
    ["+81612345678", "ntt-west"], // 大阪
    ["+81752123456", "ntt-west"], // 京都
    ["+81522123456", "ntt-west"], // 名古屋
    ["+81542123456", "ntt-west"], // 静岡
    ["+81762123456", "ntt-west"], // 金沢
    ["+81982123456", "ntt-west"], // 那覇
    ["+819012345678", null], // mobile: not a fixed line
    ["0120123456", null], // free dial: starts like Hokkaido's 01, names no place
    ["0570012345", null], // ナビダイヤル
    ["0501234567", null], // IP phone (050, 10 digits)
    ["0990123456", null], // premium rate
    ["", null],
  ];
  it.each(lines)("%s → %s", (line, region) => {
    expect(nttRegionForLine(line)).toBe(region);
  });
});

describe("checkRegion: the typed prefecture over the postal code, the number over both, every disagreement flagged", () => {
  it("the issue's case: 530-0001 (大阪府) with 「東京都千代田区千代田1-1」 on a Tokyo line is 東京都, NTT東日本, flagged", () => {
    const region = checkRegion({ line: "+81312345678", address: "東京都千代田区千代田1-1", postalPrefectures: [27] });
    expect(region).toEqual({
      prefecture: 13,
      prefectureSource: "address",
      lineRegion: "ntt-east",
      flags: [{ kind: "postal_code_other_prefecture", postalPrefecture: 27, addressPrefecture: 13 }],
    });
    expect(carrierChoiceOf({ choice: "ntt-east", line: "+81312345678", prefecture: region.prefecture })).toBe("ntt-east");
    expect(carrierChoiceOf({ choice: "ntt", line: "+81312345678", prefecture: 27 })).toBe("ntt-east");
  });

  it("the issue's case: 618-0000 spans 京都府 and 大阪府 and does not decide alone", () => {
    expect(checkRegion({ line: "+81759123456", address: "乙訓郡大山崎町大山崎1", postalPrefectures: [26, 27] })).toEqual({
      prefecture: null,
      prefectureSource: null,
      lineRegion: "ntt-west",
      flags: [{ kind: "postal_code_several_prefectures", prefectures: [26, 27] }],
    });
    expect(checkRegion({ line: "+81759123456", address: "京都府乙訓郡大山崎町大山崎1", postalPrefectures: [26, 27] })).toMatchObject({ prefecture: 26, flags: [] });
  });

  it("the postal code fills the prefecture when the address names none", () => {
    expect(checkRegion({ line: "+81312345678", address: "千代田区千代田1-1", postalPrefectures: [13] })).toEqual({
      prefecture: 13,
      prefectureSource: "postal_code",
      lineRegion: "ntt-east",
      flags: [],
    });
  });

  it("a line of the other NTT company than the address is flagged, and the number decides", () => {
    const region = checkRegion({ line: "+81612345678", address: "東京都千代田区千代田1-1", postalPrefectures: [13] });
    expect(region.flags).toEqual([{ kind: "line_other_area", lineRegion: "ntt-west", addressPrefecture: 13 }]);
    expect(carrierChoiceOf({ choice: "ntt", line: "+81612345678", prefecture: 13 })).toBe("ntt-west");
  });
});

describe("Shift_JIS: the JIS mappings through iconv-lite, substitutes named", () => {
  const hex = (text: string) => Buffer.from(encodeShiftJis(text).bytes).toString("hex");
  const mappings: [string, string][] = [
    ["〜", "8160"], // U+301C, what macOS and iOS type
    ["～", "8160"], // U+FF5E, what Windows types
    ["‖", "8161"], // U+2016
    ["∥", "8161"],
    ["−", "817c"], // U+2212
    ["－", "817c"],
    ["—", "815c"], // U+2014
    ["―", "815c"],
    ["¢", "8191"],
    ["£", "8192"],
    ["¬", "81ca"],
    ["¦", "fa55"],
    ["髙", "fbfc"],
    ["﨑", "fab1"],
    ["①", "8740"],
    ["ｱ", "b1"],
    ["¥", "5c"],
  ];
  it.each(mappings)("%s → %s", (text, bytes) => {
    expect(hex(text)).toBe(bytes);
    expect(encodeShiftJis(text).substituted).toBe(0);
  });

  it("an address with 〜 keeps it as 0x8160", () => {
    const encoded = encodeShiftJis("東京都千代田区千代田1〜3");
    expect(encoded.substituted).toBe(0);
    expect(Buffer.from(encoded.bytes).includes(Buffer.from([0x81, 0x60]))).toBe(true);
  });

  it("what Shift_JIS cannot hold becomes 〓 and is named, once per character", () => {
    const encoded = encodeShiftJis("𠮷野家😀𠮷");
    expect(encoded.substituted).toBe(3);
    expect(encoded.missing).toEqual(["𠮷", "😀"]);
    expect(new TextDecoder("shift_jis").decode(encoded.bytes)).toBe("〓野家〓〓");
    expect(unrepresentableInShiftJis("ヷ𠮷田")).toEqual(["ヷ", "𠮷"]);
  });
});
