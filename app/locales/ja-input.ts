/**
 * Japanese copy about Japanese input as people really write it (issue 17): digits, kana, addresses
 * that decide NTT東日本／西日本, postal codes that cover several towns, and characters that the
 * carriers' Shift_JIS files cannot hold. Plain Japanese: what is wrong and how to put it right.
 * Pure data, read by the server and in the browser (beside ./ja.ts).
 */
export const jaInput = {
  digits: {
    postalCode: "郵便番号は7けたの数字で入力してください。例：1000001",
    contactPhone: "連絡先の電話番号は、0から始まる10けたか11けたの数字で入力してください。空欄でもかまいません。",
    code: "電話で聞いた4けたの番号を入力してください。",
    /** Appended when something other than digits was typed: the characters are named, never dropped. */
    rejected: (characters: string) => `数字ではない文字（${characters}）が入っています。`,
  },
  region: {
    /** Web: the typed address names another prefecture than the postal code. */
    postalCodeOtherPrefecture: (postalPrefecture: string, addressPrefecture: string) =>
      `郵便番号は${postalPrefecture}の番号ですが、住所は${addressPrefecture}になっています。住所の都道府県を使います。郵便番号がちがうときは、直してください。`,
    /** Web: the line's own number belongs to the other NTT area than the address. */
    lineOtherArea: (lineArea: string, addressPrefecture: string) =>
      `止めたい電話の番号は${lineArea}の番号ですが、住所は${addressPrefecture}になっています。電話会社は、電話番号から決めます。住所がちがうときは、直してください。`,
    /** Operator's flag (paper, phone, operator entry), one per kind of disagreement. */
    flagPostalCode: (postalPrefecture: string, addressPrefecture: string) =>
      `郵便番号（${postalPrefecture}）と住所（${addressPrefecture}）の都道府県がちがいます。住所の都道府県で受け付けました。`,
    flagLine: (lineArea: string, addressPrefecture: string) =>
      `電話番号（${lineArea}）と住所（${addressPrefecture}）の地域がちがいます。電話会社は電話番号から決めました。`,
    flagChoice: (chosen: string, byNumber: string) =>
      `電話会社は「${chosen}」と選ばれましたが、電話番号は${byNumber}の地域です。${byNumber}に送ります。`,
    postalCodeSeveralPrefectures: (prefectures: string) =>
      `この郵便番号は、${prefectures}の両方にあります。住所を、都道府県から入力してください。`,
  },
  postal: {
    /** The postal code names exactly one town: the whole address was filled in. */
    filled: "住所を入れました。番地と、建物の名前・部屋番号を書き足してください。",
    /** Several towns share the postal code: only the certain part was filled in. */
    severalTowns: (towns: string) =>
      `この郵便番号には、いくつかの町があります（${towns}）。町の名前から、続きを入力してください。`,
    severalTownsMore: (towns: string, more: number) =>
      `この郵便番号には、いくつかの町があります（${towns} など、ほか${more}か所）。町の名前から、続きを入力してください。`,
  },
  carrierFile: {
    /** Back office, batch page: records in a Shift_JIS file that needed 〓 for a character. */
    substitutedTitle: "Shift_JISで書けない文字があったお申し込み",
    substitutedHelp: "この文字は、電話会社のファイルでは「〓」になっています。電話会社から問い合わせがあれば、元の文字を伝えてください。",
    substitutedRow: (seq: number, field: string, characters: string) => `${seq}番目：${field}の「${characters}」`,
    fields: { subscriber_name: "お名前", subscriber_kana: "フリガナ", installation_address: "住所" } as Record<string, string>,
  },
} as const;

/** A digits message, with the characters that are not digits named when there are any. */
export function digitsMessage(message: string, rejected: readonly string[]): string {
  return rejected.length > 0 ? `${jaInput.digits.rejected(rejected.join("・"))}${message}` : message;
}

const PREFECTURE_NAMES = ["", "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県"];
const AREA_NAMES: Record<string, string> = { "ntt-east": "NTT東日本", "ntt-west": "NTT西日本" };

/** The operator's line for one region flag (domain/regions RegionFlag, stored in the application's first event). */
export function regionFlagText(flag: { kind: string; [key: string]: unknown }): string {
  const pref = (code: unknown) => PREFECTURE_NAMES[Number(code)] ?? String(code);
  const area = (code: unknown) => AREA_NAMES[String(code)] ?? String(code);
  switch (flag.kind) {
    case "postal_code_other_prefecture":
      return jaInput.region.flagPostalCode(pref(flag.postalPrefecture), pref(flag.addressPrefecture));
    case "line_other_area":
      return jaInput.region.flagLine(area(flag.lineRegion), pref(flag.addressPrefecture));
    case "choice_other_area":
      return jaInput.region.flagChoice(area(flag.chosen), area(flag.lineRegion));
    case "postal_code_several_prefectures":
      return jaInput.region.postalCodeSeveralPrefectures((Array.isArray(flag.prefectures) ? flag.prefectures : []).map(pref).join("と"));
    default:
      return flag.kind;
  }
}

/** What the person on the web reads about a disagreement between their line, address and postal code. */
export function regionNotesForPerson(flags: readonly { kind: string; [key: string]: unknown }[]): string[] {
  const pref = (code: unknown) => PREFECTURE_NAMES[Number(code)] ?? String(code);
  const area = (code: unknown) => AREA_NAMES[String(code)] ?? String(code);
  return flags.flatMap((flag) => {
    if (flag.kind === "postal_code_other_prefecture") return [jaInput.region.postalCodeOtherPrefecture(pref(flag.postalPrefecture), pref(flag.addressPrefecture))];
    if (flag.kind === "line_other_area") return [jaInput.region.lineOtherArea(area(flag.lineRegion), pref(flag.addressPrefecture))];
    return [];
  });
}
