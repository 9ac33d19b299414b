import { batchFileName, checkContinuity, manifestText, missingSequences, nextSequence, parseManifest, type Manifest } from "../../app/domain/carrier-batch";

const manifest: Manifest = {
  carrier: "kddi",
  sequence: 3,
  cutAt: "2026-11-20T01:00:00.000Z",
  records: 2,
  csvEncoding: "utf-8",
  csvSha256: "a".repeat(64),
  csvBytes: 300,
  jsonSha256: "b".repeat(64),
  jsonBytes: 600,
  previousManifestSha256: "c".repeat(64),
  keyId: "0123456789abcdef",
};

describe("manifest", () => {
  it("is a fixed text that parses back to the same values", () => {
    const text = manifestText(manifest);
    expect(text.split("\n")[0]).toBe("kokusai-carrier-batch-manifest/1");
    expect(text.endsWith("\n")).toBe(true);
    expect(parseManifest(text)).toEqual(manifest);
  });

  it("refuses anything not in the canonical form", () => {
    const text = manifestText(manifest);
    expect(parseManifest(text.replace("records: 2", "records: two"))).toBeNull();
    expect(parseManifest(text.replace("\n", "\r\n"))).toBeNull();
    expect(parseManifest(`${text}extra: 1\n`)).toBeNull();
    expect(parseManifest(text.slice(0, -1))).toBeNull();
  });
});

describe("sequence", () => {
  it("starts at 1 and goes up by one", () => {
    expect(nextSequence(null)).toBe(1);
    expect(nextSequence(41)).toBe(42);
  });

  it("finds the missing sequence numbers", () => {
    expect(missingSequences([1, 2, 5, 3, 8])).toEqual([4, 6, 7]);
    expect(missingSequences([])).toEqual([]);
  });

  it("checks a new batch follows the last one and chains to it", () => {
    const last = { sequence: 2, manifestSha256: "c".repeat(64) };
    expect(checkContinuity(last, manifest)).toEqual({ ok: true });
    expect(checkContinuity({ ...last, sequence: 1 }, manifest)).toEqual({ ok: false, reason: "gap", expected: 2, got: 3 });
    expect(checkContinuity({ ...last, sequence: 3 }, manifest)).toEqual({ ok: false, reason: "replayed", expected: 4, got: 3 });
    expect(checkContinuity({ ...last, manifestSha256: "d".repeat(64) }, manifest)).toMatchObject({ ok: false, reason: "chain_broken" });
    expect(checkContinuity(null, { ...manifest, sequence: 1, previousManifestSha256: "" })).toEqual({ ok: true });
  });

  it("names files by carrier and sequence", () => {
    expect(batchFileName("ntt-east", 12, "csv")).toBe("ntt-east-000012.csv");
  });
});
