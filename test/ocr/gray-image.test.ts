import { grayFromBits, resizeGray, sampleBilinear, type GrayImage } from "../../app/lib/ocr/gray-image";
import { applyHomography, type Homography } from "../../app/lib/ocr/geometry";
import { warpRegion } from "../../app/lib/ocr/warp";

/** The definition, written plainly: bilinear interpolation, white paper outside the image. */
function reference(img: GrayImage, x: number, y: number): number {
  const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= img.width || yy >= img.height ? 255 : img.data[yy * img.width + xx]!);
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return Math.round(top * (1 - fy) + bottom * fy);
}

describe("sampleBilinear", () => {
  const img: GrayImage = { width: 7, height: 5, data: Uint8Array.from({ length: 35 }, (_, i) => (i * 37) % 256) };

  it("gives a pixel's own value on the pixel", () => {
    expect(sampleBilinear(img, 3, 2)).toBe(img.data[2 * 7 + 3]);
  });

  it("treats everything outside the image as white paper", () => {
    expect(sampleBilinear(img, -5, -5)).toBe(255);
    expect(sampleBilinear(img, 7, 5)).toBe(255);
  });

  it("matches the definition inside, on the edges and outside", () => {
    for (let y = -1.75; y <= 5.5; y += 0.25) {
      for (let x = -1.75; x <= 7.5; x += 0.25) expect(sampleBilinear(img, x, y), `at (${x}, ${y})`).toBe(reference(img, x, y));
    }
  });
});

describe("whole-row and whole-page shortcuts (issue 14: no per-pixel closures, no RGBA detour)", () => {
  const img: GrayImage = { width: 9, height: 6, data: Uint8Array.from({ length: 54 }, (_, i) => (i * 53 + 11) % 256) };

  it("stretches rows (FAX normal mode squared up) exactly as bilinear sampling does", () => {
    const tall = resizeGray(img, 9, 6 * (204 / 98));
    expect(tall.height).toBe(12);
    const sy = img.height / tall.height;
    for (let y = 0; y < tall.height; y++) {
      for (let x = 0; x < tall.width; x++) expect(tall.data[y * 9 + x], `${x},${y}`).toBe(reference(img, x, (y + 0.5) * sy - 0.5));
    }
  });

  it("unpacks 1-bit FAX rows (most significant bit first, padded to bytes) to grey", () => {
    // 10 pixels wide: two bytes per row. Row 0: ink at x = 0, 7, 8; row 1: ink at x = 9.
    const bits = Uint8Array.from([0b10000001, 0b10000000, 0b00000000, 0b01000000]);
    const whiteIsZero = grayFromBits(bits, 10, 2, true);
    expect(Array.from(whiteIsZero.data.slice(0, 10))).toEqual([0, 255, 255, 255, 255, 255, 255, 0, 0, 255]);
    expect(Array.from(whiteIsZero.data.slice(10))).toEqual([255, 255, 255, 255, 255, 255, 255, 255, 255, 0]);
    expect(grayFromBits(bits, 10, 2, false).data[0]).toBe(255);
  });

  it("warps a region through the homography as the point-by-point definition does", () => {
    const h: Homography = [1.1, 0.05, 0.3, -0.04, 0.95, 0.6, 0.001, -0.0005, 1];
    const rect = { x: 0.5, y: 0.25, width: 5, height: 3 };
    const out = warpRegion(img, h, rect, 1.5);
    for (let v = 0; v < out.height; v++) {
      for (let u = 0; u < out.width; u++) {
        const p = applyHomography(h, { x: rect.x + (u + 0.5) / 1.5, y: rect.y + (v + 0.5) / 1.5 });
        expect(out.data[v * out.width + u]).toBe(reference(img, p.x - 0.5, p.y - 0.5));
      }
    }
  });
});
