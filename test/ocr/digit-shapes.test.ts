import { describe, expect, it } from "vitest";
import stored from "../../app/lib/ocr/digit-shapes.json";
import { classifyDigitShape, digitShapeFeature, parseDigitShapeSet, SHAPE_FEATURES, SHAPE_K, type DigitShapeSet } from "../../app/lib/ocr/digit-shapes";
import { createGray, type GrayImage } from "../../app/lib/ocr/gray-image";
import { withShapeOpinion } from "../../app/lib/ocr/read-fields.server";
import { DIGIT_SHAPE } from "../../app/lib/ocr/confidence";

/** A cell interior with a vertical bar ("1") or a ring ("0"), offset and sized a little differently each time. */
function glyph(kind: "bar" | "ring", jitter: number): GrayImage {
  const img = createGray(60, 72);
  const cx = 30 + (jitter % 3) - 1;
  const cy = 36 + (jitter % 5) - 2;
  const rx = 14 + (jitter % 4);
  const ry = 24 + (jitter % 3);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const ink =
        kind === "bar"
          ? Math.abs(x - cx) <= 3 && Math.abs(y - cy) <= ry
          : Math.abs(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 - 1) < 0.3;
      if (ink) img.data[y * img.width + x] = 0;
    }
  }
  return img;
}

function setOf(samples: [string, GrayImage][]): DigitShapeSet {
  const features = new Uint8Array(samples.length * SHAPE_FEATURES);
  samples.forEach(([, img], i) => features.set(digitShapeFeature(img)!, i * SHAPE_FEATURES));
  return { labels: samples.map(([l]) => l).join(""), features };
}

describe("digit shapes (k nearest labelled shapes)", () => {
  const set = setOf([...Array(12)].flatMap((_, i) => [["1", glyph("bar", i)] as [string, GrayImage], ["0", glyph("ring", i)] as [string, GrayImage]]));

  it("has no feature for an empty cell or one with specks only", () => {
    expect(digitShapeFeature(createGray(40, 50))).toBeUndefined();
    const speck = createGray(40, 50);
    speck.data[20 * 40 + 20] = 0;
    expect(digitShapeFeature(speck)).toBeUndefined();
  });

  it("gives each shape the label of its neighbours, with their votes", () => {
    expect(classifyDigitShape(digitShapeFeature(glyph("bar", 100))!, set)).toEqual({ value: "1", votes: SHAPE_K });
    expect(classifyDigitShape(digitShapeFeature(glyph("ring", 101))!, set)).toEqual({ value: "0", votes: SHAPE_K });
  });

  it("has no opinion with fewer shapes than neighbours, and refuses a stored set that does not match its labels", () => {
    expect(classifyDigitShape(digitShapeFeature(glyph("bar", 1))!, { labels: "1", features: set.features.subarray(0, SHAPE_FEATURES) })).toBeUndefined();
    expect(() => parseDigitShapeSet({ labels: "12", features: Buffer.alloc(SHAPE_FEATURES).toString("base64") })).toThrow();
  });

  it("ships shapes of every digit for both resolutions", () => {
    for (const stored_ of [stored.low, stored.normal]) {
      const parsed = parseDigitShapeSet(stored_);
      expect(parsed.labels.length).toBeGreaterThan(1000);
      expect(new Set(parsed.labels).size).toBe(10);
    }
  });
});

describe("Tesseract's reading with the shapes' opinion", () => {
  it("takes the shapes' digit where the reads did not settle the cell, below every acceptance threshold", () => {
    const read = withShapeOpinion({ value: "5", confidence: 0.3, alternatives: ["5", "", "35", "", ""] }, { value: "3", votes: DIGIT_SHAPE.decides }, false, true);
    expect(read).toMatchObject({ value: "3", shape: { value: "3" } });
    expect(read.confidence).toBeLessThanOrEqual(DIGIT_SHAPE.cap);
  });

  it("on standard FAX, caps a settled digit that the shapes clearly contradict, and leaves it alone otherwise", () => {
    const settled = { value: "5", confidence: 0.97 };
    expect(withShapeOpinion(settled, { value: "3", votes: DIGIT_SHAPE.vetoes }, true, true)).toMatchObject({ value: "5", confidence: DIGIT_SHAPE.cap });
    expect(withShapeOpinion(settled, { value: "3", votes: DIGIT_SHAPE.vetoes - 2 }, true, true)).toMatchObject({ value: "5", confidence: 0.97 });
    expect(withShapeOpinion(settled, { value: "5", votes: SHAPE_K }, true, true)).toMatchObject({ value: "5", confidence: 0.97 });
  });

  it("outside standard FAX, leaves out a shape that contradicts what the reads settled (the reads are the better reader there)", () => {
    const read = withShapeOpinion({ value: "5", confidence: 0.97 }, { value: "3", votes: SHAPE_K }, true, false);
    expect(read).toEqual({ value: "5", confidence: 0.97 });
  });
});
