/**
 * Safe decoding (issue 14 ①): declared sizes are refused before any pixel is allocated, the PDF
 * reader cannot loop, and the bounded decode ends every file as pages or as a reason.
 */
import { decodeDocument, UnreadableFileError } from "../../app/lib/ocr/decode-image.server";
import { extractPdfPageImages } from "../../app/lib/ocr/pdf-images.server";
import { decodeBounded, decodeChildrenStarted } from "../../app/lib/ocr/safe-decode.server";
import { declaredPdf, declaredRasterSize, declaredTiffPages, probeDeclared } from "../../app/lib/ocr/safe-decode-probe";
import { MAX_PAGES_PER_FILE } from "../../app/lib/ocr/safe-decode-limits";
import { bombPng, bombTiff, goodPng, LOOPING_PDF } from "./hostile-files";
import { renderApplicationForm } from "../../templates/forms/application";

function jpegHeader(width: number, height: number): Buffer {
  // SOI, an APP0 segment, then SOF0 with the size.
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]);
}

async function refusal(promise: Promise<unknown>): Promise<UnreadableFileError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnreadableFileError);
  return error as UnreadableFileError;
}

describe("declared sizes", () => {
  it("reads PNG, JPEG and TIFF sizes from their headers", () => {
    expect(declaredRasterSize(bombPng(300, 200))).toEqual({ format: "png", width: 300, height: 200 });
    expect(declaredRasterSize(jpegHeader(640, 480))).toEqual({ format: "jpeg", width: 640, height: 480 });
    expect(declaredTiffPages(bombTiff())).toEqual([{ width: 100_000, height: 100_000, bits: 1 }]);
    expect(declaredPdf(Buffer.from("%PDF-1.4 /Type /Page /Type /Pages /Subtype /Image /Width 9000 /Height 9000 >>"))).toEqual({ pages: 1, largestSide: 9000, largestArea: 81_000_000 });
  });

  it("refuses the hostile files without decoding them", () => {
    expect(probeDeclared(bombPng())).toMatchObject({ ok: false, reason: "image_too_large" });
    expect(probeDeclared(bombTiff())).toMatchObject({ ok: false, reason: "image_too_large" });
    expect(probeDeclared(jpegHeader(30_000, 30_000))).toMatchObject({ ok: false, reason: "image_too_large" });
    expect(probeDeclared(Buffer.alloc(0))).toMatchObject({ ok: false, reason: "unreadable_file" });
    const manyPages = `%PDF-1.4\n${Array.from({ length: MAX_PAGES_PER_FILE + 1 }, (_, i) => `${i + 3} 0 obj << /Type /Page >> endobj`).join("\n")}`;
    expect(probeDeclared(Buffer.from(manyPages))).toMatchObject({ ok: false, reason: "too_many_pages" });
    expect(probeDeclared(goodPng())).toMatchObject({ ok: true, format: "png", pages: 1 });
  });
});

describe("decoders check before they allocate", () => {
  it("refuses a 20000×20000 PNG and a TIFF declaring a huge page with the reason", async () => {
    const rss = process.memoryUsage().rss;
    expect((await refusal(decodeDocument(bombPng()))).reason).toBe("image_too_large");
    expect((await refusal(decodeDocument(bombTiff()))).reason).toBe("image_too_large");
    expect(process.memoryUsage().rss - rss).toBeLessThan(300 * 1024 * 1024);
  });

  it("reads the 47-byte malformed PDF to an end instead of looping", async () => {
    expect(() => extractPdfPageImages(LOOPING_PDF)).toThrow(/no pages/);
    expect(() => extractPdfPageImages(Buffer.from("%PDF-1.4\n1 0 obj << /A <00ff"))).toThrow();
    expect((await refusal(decodeDocument(LOOPING_PDF))).reason).toBe("unreadable_file");
  });
});

describe("bounded decode (child process)", () => {
  it("decodes a good file to page PNGs", async () => {
    const result = await decodeBounded(goodPng());
    expect(result).toMatchObject({ ok: true, format: "png" });
    if (result.ok) expect(result.pages).toHaveLength(1);
  });

  it("ends every hostile file as a reason, with the web process's memory untouched", async () => {
    const files = [bombPng(), bombTiff(), LOOPING_PDF];
    const rss = process.memoryUsage().rss;
    const results = await Promise.all(files.map((f) => decodeBounded(f)));
    expect(results.map((r) => (r.ok ? "ok" : r.reason))).toEqual(["image_too_large", "image_too_large", "unreadable_file"]);
    for (const r of results) if (!r.ok) expect(r.message).toMatch(/[ぁ-ん]/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(300 * 1024 * 1024);
  });

  it("renders a PDF made of text and drawings in the child (pdf.js), at 300 dpi", async () => {
    const vector = await renderApplicationForm({ prefill: { phone: "0312345678" } });
    expect(probeDeclared(vector)).toMatchObject({ ok: true, format: "pdf" });
    const result = await decodeBounded(vector);
    expect(result).toMatchObject({ ok: true, format: "pdf" });
    if (result.ok) {
      expect(result.pages).toHaveLength(1);
      // A4 at 300 dpi: 2481 × 3508.
      expect(result.pages[0]!.png.readUInt32BE(16)).toBe(2481);
      expect(result.pages[0]!.png.readUInt32BE(20)).toBe(3508);
    }
  });

  it("ends a decode that runs past the time limit as an exception", async () => {
    // Rendering a vector page takes a second or more of CPU: far over 200 ms, however busy the machine.
    const result = await decodeBounded(await renderApplicationForm({ prefill: { phone: "0312345678" } }), { timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, reason: "decode_timeout" });
  });

  it("ends a decode that runs out of memory as an exception", async () => {
    // A 36 MP page (allowed by the pixel cap) needs well over 200 MB of native buffers to decode.
    const result = await decodeBounded(bombPng(6000, 6000), { rssMb: 200 });
    expect(result).toMatchObject({ ok: false, reason: "decode_failed" });
    if (!result.ok) expect(result.detail).toMatch(/resident/);
  });
});

describe("decode children between files", () => {
  it("reads the next good file in the same child, and never reuses one after a failure", async () => {
    const first = await decodeBounded(goodPng());
    expect(first.ok).toBe(true);
    const started = decodeChildrenStarted();
    expect((await decodeBounded(goodPng())).ok).toBe(true);
    expect(decodeChildrenStarted()).toBe(started); // reused

    // Failures inside the child: a file it cannot read, a file over its CPU limit.
    expect(await decodeBounded(LOOPING_PDF)).toMatchObject({ ok: false, reason: "unreadable_file" });
    expect(decodeChildrenStarted()).toBe(started); // the idle child took it…
    expect((await decodeBounded(goodPng())).ok).toBe(true);
    expect(decodeChildrenStarted()).toBe(started + 1); // …and was ended: a new one read the next file
    expect(await decodeBounded(await renderApplicationForm({ prefill: { phone: "0312345678" } }), { timeoutMs: 200 })).toMatchObject({ ok: false, reason: "decode_timeout" });
    const afterFailure = decodeChildrenStarted();
    expect((await decodeBounded(goodPng())).ok).toBe(true);
    expect(decodeChildrenStarted()).toBe(afterFailure + 1);
  });
});
