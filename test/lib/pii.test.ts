import { createPiiCipher, normaliseForSearch } from "../../app/lib/pii.server";

const cipher = createPiiCipher(Buffer.alloc(32, 1), Buffer.alloc(32, 2));

describe("PII cipher", () => {
  it("seals and opens Japanese text, with a fresh IV each time", () => {
    const a = cipher.seal("山田 花子");
    const b = cipher.seal("山田 花子");
    expect(a).not.toBe(b);
    expect(a).not.toContain("山田");
    expect(cipher.open(a)).toBe("山田 花子");
  });

  it("refuses a tampered value instead of returning garbage", () => {
    const sealed = cipher.seal("東京都千代田区1-1");
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString("base64url");
    expect(() => cipher.open(parts.join("."))).toThrow();
  });

  it("cannot be opened with another key", () => {
    const other = createPiiCipher(Buffer.alloc(32, 3), Buffer.alloc(32, 2));
    expect(() => other.open(cipher.seal("秘密"))).toThrow();
  });

  it("seals bytes (scans)", () => {
    const image = Buffer.from([0, 1, 2, 3, 255]);
    expect(cipher.openBytes(cipher.sealBytes(image)).equals(image)).toBe(true);
  });

  it("hashes equal values equally after normalisation, and differently under another key", () => {
    expect(cipher.searchHash("ヤマダ ハナコ")).toBe(cipher.searchHash("ﾔﾏﾀﾞﾊﾅｺ"));
    expect(cipher.searchHash("０３－１２３４")).toBe(cipher.searchHash("03-1234"));
    expect(cipher.searchHash("ヤマダ")).not.toBe(cipher.searchHash("ヤマダ ハナコ"));
    const other = createPiiCipher(Buffer.alloc(32, 1), Buffer.alloc(32, 5));
    expect(other.searchHash("ヤマダ")).not.toBe(cipher.searchHash("ヤマダ"));
  });

  it("keeps the long vowel mark, which is part of a kana name", () => {
    expect(normaliseForSearch("ユーコ")).toBe("ユーコ");
  });

  it("passes null through", () => {
    expect(cipher.sealNullable(null)).toBeNull();
    expect(cipher.sealNullable("")).toBeNull();
    expect(cipher.openNullable(null)).toBeNull();
  });
});
