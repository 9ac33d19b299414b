/**
 * Renders PDF pages that are not one scanned image — a form filled in on a computer and saved as
 * PDF, a blank form sent back as-is, a FAX server's PDF in a codec our small image extractor does not
 * take (JBIG2, JPEG 2000) — with pdf.js (`pdfjs-dist`, Apache-2.0, Mozilla) onto a Skia canvas
 * (`@napi-rs/canvas`, the one the OCR already uses), at the resolution the forms are read at (ADR 024).
 *
 * Runs where every decoder runs: in the decode child (safe-decode-worker.ts), under its time and
 * memory limits. The page count and every page's pixel size are checked before anything is drawn.
 * pdf.js is loaded only when a PDF needs it (its module costs about a second to load).
 */
import { createRequire } from "node:module";
import path from "node:path";
import { createCanvas } from "@napi-rs/canvas";
import { grayFromRgba, type GrayImage } from "./gray-image";
import { checkPageSize, LimitExceededError, MAX_PAGES_PER_FILE } from "./safe-decode-limits";

/** 300 dpi: the resolution of the scans the reader is calibrated on (FAX fine is 204 × 196). */
export const PDF_RENDER_DPI = 300;

type PdfJs = typeof import("pdfjs-dist/legacy/build/pdf.mjs");
let pdfjs: Promise<PdfJs> | null = null;

/** pdf.js's own data (CJK CMaps and the 14 standard fonts), from the package: nothing is downloaded. */
function packageData(): { cMapUrl: string; standardFontDataUrl: string } {
  const root = path.dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json"));
  return { cMapUrl: `${path.join(root, "cmaps")}${path.sep}`, standardFontDataUrl: `${path.join(root, "standard_fonts")}${path.sep}` };
}

/**
 * Every page of `bytes` as a greyscale image at `dpi`. Throws LimitExceededError for too many pages or
 * a page too large to draw at that resolution, and pdf.js's own errors for a file it cannot parse.
 */
export async function renderPdfPages(bytes: Uint8Array, options: { dpi?: number } = {}): Promise<GrayImage[]> {
  const dpi = options.dpi ?? PDF_RENDER_DPI;
  pdfjs ??= import("pdfjs-dist/legacy/build/pdf.mjs");
  const { getDocument } = await pdfjs;
  const task = getDocument({
    // pdf.js takes the buffer over: give it a copy.
    data: new Uint8Array(bytes),
    ...packageData(),
    // No code from the file runs, no fonts are installed in the process, nothing is fetched.
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    enableXfa: false,
    verbosity: 0,
  });
  const doc = await task.promise;
  try {
    if (doc.numPages > MAX_PAGES_PER_FILE) throw new LimitExceededError("too_many_pages", `${doc.numPages} PDF pages`);
    const pages: GrayImage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: dpi / 72 });
      const width = Math.ceil(viewport.width);
      const height = Math.ceil(viewport.height);
      checkPageSize(width, height, `PDF page ${n} at ${dpi} dpi`);
      const canvas = createCanvas(width, height);
      const context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, width, height);
      await page.render({ canvas: canvas as never, canvasContext: context as never, viewport }).promise;
      pages.push(grayFromRgba(context.getImageData(0, 0, width, height).data, width, height));
      page.cleanup();
    }
    return pages;
  } finally {
    await doc.destroy();
  }
}
