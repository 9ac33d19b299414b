import { decodeRaster } from "../../app/lib/ocr/decode-image.server";
import type { GrayImage } from "../../app/lib/ocr/gray-image";
import { grayToPng } from "../../app/lib/ocr/safe-decode-encode.server";

describe("greyscale PNG for the stored page (safe-decode-encode.server.ts, pngjs)", () => {
  it("round-trips a grey page and a black-and-white one exactly, as one grey channel", async () => {
    const grey: GrayImage = { width: 37, height: 23, data: Uint8Array.from({ length: 37 * 23 }, (_, i) => (i * 97 + (i >> 5)) % 256) };
    const png = grayToPng(grey);
    expect(png[25]).toBe(0); // IHDR colour type: greyscale
    const back = await decodeRaster(png);
    expect(back.width).toBe(37);
    expect(Array.from(back.data)).toEqual(Array.from(grey.data));

    const fax: GrayImage = { width: 21, height: 9, data: Uint8Array.from({ length: 21 * 9 }, (_, i) => (i % 3 === 0 || i % 7 === 0 ? 0 : 255)) };
    expect(Array.from((await decodeRaster(grayToPng(fax))).data)).toEqual(Array.from(fax.data));
  });

  it("takes a view into a larger buffer (a page cut from a bigger decode)", async () => {
    const backing = Uint8Array.from({ length: 64 }, (_, i) => i * 4);
    const view: GrayImage = { width: 4, height: 4, data: backing.subarray(16, 32) };
    expect(Array.from((await decodeRaster(grayToPng(view))).data)).toEqual(Array.from(backing.subarray(16, 32)));
  });
});
