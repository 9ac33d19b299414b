import {
  findPrefecture,
  nttRegionForPrefecture,
  PREFECTURES,
  prefectureFromAddress,
  UnknownPrefectureError,
} from "../../app/domain/regions";

const NTT_EAST_PREFECTURES = [
  "北海道",
  "青森県",
  "岩手県",
  "宮城県",
  "秋田県",
  "山形県",
  "福島県",
  "茨城県",
  "栃木県",
  "群馬県",
  "埼玉県",
  "千葉県",
  "東京都",
  "神奈川県",
  "新潟県",
  "長野県",
  "山梨県",
];

describe("PREFECTURES", () => {
  it("has the 47 prefectures with JIS X 0401 codes 1 to 47 in order", () => {
    expect(PREFECTURES).toHaveLength(47);
    expect(PREFECTURES.map((p) => p.code)).toEqual(Array.from({ length: 47 }, (_, i) => i + 1));
  });

  it("has unique names, short names and readings", () => {
    for (const key of ["name", "shortName", "kana"] as const) {
      expect(new Set(PREFECTURES.map((p) => p[key])).size).toBe(47);
    }
  });

  it.each([
    [1, "北海道"],
    [13, "東京都"],
    [26, "京都府"],
    [27, "大阪府"],
    [47, "沖縄県"],
  ])("code %i is %s", (code, name) => {
    expect(findPrefecture(code)?.name).toBe(name);
  });
});

describe("nttRegionForPrefecture", () => {
  it.each(PREFECTURES.map((p) => [p.name, NTT_EAST_PREFECTURES.includes(p.name) ? "ntt-east" : "ntt-west"]))(
    "%s → %s",
    (name, region) => {
      expect(nttRegionForPrefecture(name)).toBe(region);
    },
  );

  it("serves 17 prefectures from NTT東日本 and 30 from NTT西日本", () => {
    expect(PREFECTURES.filter((p) => p.nttRegion === "ntt-east")).toHaveLength(17);
    expect(PREFECTURES.filter((p) => p.nttRegion === "ntt-west")).toHaveLength(30);
  });

  it.each([
    [13, "ntt-east"],
    ["13", "ntt-east"],
    ["１３", "ntt-east"],
    ["東京", "ntt-east"],
    ["とうきょうと", "ntt-east"],
    [" 静岡県 ", "ntt-west"], // 静岡 is NTT西日本, although it borders 山梨 and 神奈川
    [22, "ntt-west"],
    ["大阪", "ntt-west"],
    [19, "ntt-east"],
    [15, "ntt-east"],
    [16, "ntt-west"],
  ] as const)("accepts %j → %s", (input, region) => {
    expect(nttRegionForPrefecture(input)).toBe(region);
  });

  it.each([0, 48, -1, 1.5, "", "東京府", "Tokyo", "99"])("throws UnknownPrefectureError for %j", (input) => {
    expect(() => nttRegionForPrefecture(input)).toThrow(UnknownPrefectureError);
    try {
      nttRegionForPrefecture(input);
    } catch (error) {
      expect(error).toMatchObject({ code: "unknown_prefecture", input });
    }
  });
});

describe("prefectureFromAddress", () => {
  it.each([
    ["東京都千代田区霞が関1-1-1", "東京都"],
    ["北海道札幌市中央区北1条西2丁目", "北海道"],
    ["京都府京都市中京区", "京都府"], // not confused with 東京都
    ["大阪府大阪市北区", "大阪府"],
    ["神奈川県横浜市中区", "神奈川県"],
    ["鹿児島県鹿児島市", "鹿児島県"],
    ["和歌山県和歌山市", "和歌山県"],
    ["〒100-0001 東京都千代田区千代田1-1", "東京都"],
    ["〒１００－０００１　東京都千代田区", "東京都"],
    ["1000001東京都千代田区", "東京都"],
    ["〒530-0001大阪府大阪市北区梅田", "大阪府"],
    ["  沖縄県那覇市", "沖縄県"],
  ])("%s → %s", (address, name) => {
    expect(prefectureFromAddress(address)?.name).toBe(name);
  });

  it.each([
    ["", "empty"],
    ["千代田区霞が関1-1-1", "no prefecture"],
    ["石川町大字下泉", "a town whose name starts like a prefecture (福島県石川郡石川町)"],
    ["東京千代田区", "a prefecture without its suffix"],
    ["日本のどこか", "nonsense"],
  ])("%j → undefined (%s)", (address) => {
    expect(prefectureFromAddress(address)).toBeUndefined();
  });
});
