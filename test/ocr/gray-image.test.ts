import { sampleBilinear, type GrayImage } from "../../app/lib/ocr/gray-image";

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
