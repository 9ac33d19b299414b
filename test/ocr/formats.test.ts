/** File decoding (FAX TIFF G3/G4 with non-square pixels, multi-page), geometry and QR: no OCR pool. */
import { decodeDocument, sniffFormat, UnreadableFileError } from "../../app/lib/ocr/decode-image.server";
import { applyHomography, homographyFromPoints } from "../../app/lib/ocr/geometry";
import { createGray, rotateGray } from "../../app/lib/ocr/gray-image";
import { readQr } from "../../app/lib/ocr/qr";
import { findRegistrationMarks } from "../../app/lib/ocr/registration-marks";
import { currentLayout, markCentre } from "../../templates/forms/layout";
import { decodeQrPayload, encodeQrPayload } from "../../templates/forms/qr-payload";
import { writeFaxTiff } from "../fixtures/forms/ccitt-tiff";
import { Random } from "../fixtures/forms/random";
import { render, truthFor } from "./helpers";
import { warpRegion } from "../../app/lib/ocr/warp";

function randomBitmap(seed: number, width: number, height: number): Uint8Array {
  const rnd = new Random(seed);
  const bits = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) bits[y * width + x] = Math.sin(x / 9 + y / 4) > 0.4 || rnd.chance(0.01) ? 1 : 0;
  return bits;
}

describe("FAX TIFF decoding", () => {
  it.each(["g3", "g4"] as const)("decodes CCITT %s losslessly, every page of a multi-page file", async (compression) => {
    const width = 320;
    const height = 60;
    const pages = [1, 2].map((seed) => ({ width, height, bits: randomBitmap(seed, width, height), xDpi: 204, yDpi: 196 }));
    const decoded = await decodeDocument(writeFaxTiff(pages, compression));
    expect(decoded).toHaveLength(2);
    decoded.forEach((page, i) => {
      expect(page.format).toBe("tiff");
      expect(page.image.width).toBe(width);
      const bits = pages[i]!.bits;
      // 204×196 is close enough to square to be left alone.
      expect(page.image.height).toBe(height);
      let differences = 0;
      for (let p = 0; p < bits.length; p++) if ((page.image.data[p]! < 128 ? 1 : 0) !== bits[p]) differences++;
      expect(differences).toBe(0);
    });
  });

  it("stretches a normal-mode FAX (204×98 dpi) to square pixels", async () => {
    const [page] = await decodeDocument(writeFaxTiff([{ width: 200, height: 50, bits: randomBitmap(3, 200, 50), xDpi: 204, yDpi: 98 }], "g3"));
    expect(page!.stretchedVertically).toBe(true);
    expect(page!.image.height).toBe(Math.round((50 * 204) / 98));
  });

  it("recognises formats by their first bytes and refuses the rest in plain Japanese", async () => {
    expect(sniffFormat(Buffer.from("%PDF-1.4"))).toBe("pdf");
    expect(sniffFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBe("png");
    expect(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe("jpeg");
    expect(sniffFormat(Buffer.from("II*\0"))).toBe("tiff");
    await expect(decodeDocument(Buffer.from("GIF89a"))).rejects.toBeInstanceOf(UnreadableFileError);
    await expect(decodeDocument(Buffer.from("GIF89a"))).rejects.toThrow(/形式/);
  });
});

describe("alignment", () => {
  it("solves a homography from four point pairs", () => {
    const from = [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 200 }, { x: 0, y: 200 }];
    const to = from.map((p) => ({ x: 10 + p.x * 2 * Math.cos(0.03) - p.y * 2 * Math.sin(0.03), y: 20 + p.x * 2 * Math.sin(0.03) + p.y * 2 * Math.cos(0.03) }));
    const h = homographyFromPoints(from, to)!;
    const p = applyHomography(h, { x: 50, y: 80 });
    expect(p.x).toBeCloseTo(10 + 100 * Math.cos(0.03) - 160 * Math.sin(0.03), 6);
    expect(p.y).toBeCloseTo(20 + 100 * Math.sin(0.03) + 160 * Math.cos(0.03), 6);
  });

  it("finds the four registration marks of a skewed page, and none on a blank one", () => {
    const layout = currentLayout("application");
    const tl = markCentre(layout, "topLeft");
    const search = { markSize: layout.registrationMarks.topLeft.width, across: markCentre(layout, "topRight").x - tl.x, down: markCentre(layout, "bottomLeft").y - tl.y };
    const page = render(truthFor("application", 21), { skewDeg: -1.8 });
    const corners = findRegistrationMarks(page.image, search);
    expect(corners).toBeDefined();
    const scale = page.xDpi / 72;
    // Top-left mark centre, within 2 px of where the renderer put it (rotation about the page centre).
    expect(Math.abs(corners![0].x - tl.x * scale)).toBeLessThan(40);
    expect(findRegistrationMarks(createGray(1000, 1414), search)).toBeUndefined();
  });
});

describe("QR payload", () => {
  it("encodes form type, version and request id, and refuses foreign codes", () => {
    const text = encodeQrPayload({ formType: "cancellation", version: "1", requestId: "r-42" });
    expect(text).toBe("KKF:CA:1:R-42");
    expect(decodeQrPayload(text)).toEqual({ formType: "cancellation", version: "1", requestId: "R-42" });
    expect(decodeQrPayload("KKF:AP:1")).toEqual({ formType: "application", version: "1" });
    expect(decodeQrPayload("https://example.com")).toBeUndefined();
    expect(() => encodeQrPayload({ formType: "application", version: "1", requestId: "日本" })).toThrow(RangeError);
  });

  it("decodes the QR code printed on a rendered form, in any orientation", () => {
    const layout = currentLayout("application");
    const truth = { ...truthFor("application", 22), requestId: "R777" };
    const page = render(truth, { skewDeg: 0, shift: { x: 0, y: 0 }, scale: 1 });
    const s = page.xDpi / 72;
    const identity = [s, 0, 0, 0, (s * page.yDpi) / page.xDpi, 0, 0, 0, 1];
    const crop = warpRegion(page.image, identity, { x: layout.qr.x - 10, y: layout.qr.y - 10, width: layout.qr.width + 20, height: layout.qr.height + 20 }, 2);
    expect(readQr(crop)).toMatchObject({ payload: { formType: "application", version: "1", requestId: "R777" }, upright: true });
    expect(readQr(rotateGray(crop, 2))).toMatchObject({ upright: false });
  });
});
