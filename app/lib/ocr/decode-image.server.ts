/**
 * Turns an uploaded file into greyscale page images: PNG, JPEG, TIFF (every page; CCITT G3/G4 FAX
 * included) and image-only PDF (scanners and FAX servers embed one image per page).
 *
 * FAX "normal" resolution is 204×98 dpi: each pixel is twice as tall as wide. Such pages are
 * stretched vertically here so that everything downstream sees square pixels.
 */
import { createRequire } from "node:module";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import type * as UtifTypes from "utif2";
import { grayFromBits, grayFromRgba, resizeGray, type GrayImage } from "./gray-image";
import { extractPdfPageImages, type PdfImage } from "./pdf-images.server";
import { renderPdfPages } from "./pdf-render.server";
import { declaredRasterSize, declaredTiffPages } from "./safe-decode-probe";
import { LimitExceededError, MAX_PAGES_PER_FILE, pageSizeProblem, type DecodeFailureReason } from "./safe-decode-limits";

// utif2 is CommonJS (`module.exports = UTIF`) with ES-style typings: require it for the runtime
// object and borrow the typings.
const UTIF = createRequire(import.meta.url)("utif2") as typeof UtifTypes;

export type SourceFormat = "png" | "jpeg" | "tiff" | "pdf";

export interface DecodedPage {
  image: GrayImage;
  format: SourceFormat;
  /** 0-based page index in the file. */
  pageIndex: number;
  /** Resolution from the file when it says (TIFF); after squaring up the pixels. */
  dpi?: number;
  /** The file had non-square pixels (FAX normal mode) and was stretched vertically. */
  stretchedVertically?: boolean;
}

/** The file is not an image we can read at all (corrupt, too large, or a format we do not take). */
export class UnreadableFileError extends Error {
  constructor(
    message: string,
    readonly detail?: string,
    /** The exceptions-queue code (EXCEPTION_MESSAGES); unreadable_file unless a limit was hit. */
    readonly reason: DecodeFailureReason = "unreadable_file",
  ) {
    super(message);
    this.name = "UnreadableFileError";
  }
}

/** Refuses a page whose declared size is above the limits (safe-decode-limits.ts), before allocating it. */
export function assertPageSize(width: number, height: number, what: string): void {
  const problem = pageSizeProblem(width, height);
  if (problem === "image_too_large") {
    throw new UnreadableFileError("画像が大きすぎるため、読みませんでした（1ページ4000万画素まで）。", `${what} ${width}×${height}`, "image_too_large");
  }
  if (problem) throw new UnreadableFileError("画像の大きさが読めませんでした。ファイルがこわれています。", `${what} ${width}×${height}`);
}

function assertPageCount(pages: number, what: string): void {
  if (pages > MAX_PAGES_PER_FILE) {
    throw new UnreadableFileError(`ページが多すぎるため、読みませんでした（1ファイル${MAX_PAGES_PER_FILE}ページまで）。`, `${what}: ${pages} pages`, "too_many_pages");
  }
}

export function sniffFormat(bytes: Uint8Array): SourceFormat | undefined {
  const b = (i: number) => bytes[i] ?? -1;
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return "png";
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return "jpeg";
  if ((b(0) === 0x49 && b(1) === 0x49 && b(2) === 42 && b(3) === 0) || (b(0) === 0x4d && b(1) === 0x4d && b(2) === 0 && b(3) === 42)) return "tiff";
  // "%PDF" may follow a little garbage (some mailers prepend bytes); look in the first KiB.
  if (Buffer.from(bytes.subarray(0, 1024)).toString("latin1").includes("%PDF-")) return "pdf";
  return undefined;
}

/** PNG or JPEG bytes to greyscale, through Skia's decoders. */
export async function decodeRaster(bytes: Uint8Array): Promise<GrayImage> {
  // The declared size first: Skia would allocate whatever the header asks for.
  const declared = declaredRasterSize(bytes);
  if (!declared) throw new UnreadableFileError("画像の形式がわかりません。", "not a PNG or JPEG with a declared size");
  assertPageSize(declared.width, declared.height, declared.format);
  const img = await loadImage(Buffer.from(bytes));
  assertPageSize(img.width, img.height, declared.format);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, img.width, img.height);
  ctx.drawImage(img, 0, 0);
  return grayFromRgba(ctx.getImageData(0, 0, img.width, img.height).data, img.width, img.height);
}

function rational(value: unknown): number | undefined {
  // utif2 gives RATIONAL tags as [[numerator, denominator]] or [numerator/denominator].
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const first: unknown = value[0];
  if (Array.isArray(first) && typeof first[0] === "number" && typeof first[1] === "number" && first[1] !== 0) return first[0] / first[1];
  return typeof first === "number" && first > 0 ? first : undefined;
}

/**
 * A FAX page (1 bit per sample, one sample, white- or black-is-zero) straight from utif2's decoded
 * bits to grey, without the RGBA copy; undefined for anything else (utif2's toRGBA8 then).
 */
function bilevelGray(ifd: UtifTypes.IFD): GrayImage | undefined {
  const first = (v: unknown) => (Array.isArray(v) ? Number(v[0]) : v === undefined ? undefined : Number.NaN);
  const bits = first(ifd["t258"]) ?? 1;
  const samples = first(ifd["t277"]) ?? 1;
  // utif2 takes a bilevel page without a photometric tag as white-is-zero too.
  const photometric = first(ifd["t262"]) ?? 0;
  const data = ifd.data as unknown;
  if (bits !== 1 || samples !== 1 || (photometric !== 0 && photometric !== 1) || !(data instanceof Uint8Array)) return undefined;
  if (data.length < ((ifd.width + 7) >> 3) * ifd.height) return undefined;
  return grayFromBits(data, ifd.width, ifd.height, photometric === 0);
}

/** Every page of a TIFF, with non-square pixels squared up. */
export function decodeTiff(bytes: Uint8Array): DecodedPage[] {
  // Declared sizes of every page before utif2 allocates any of them.
  const declared = declaredTiffPages(bytes);
  if (!declared) throw new UnreadableFileError("TIFF ファイルがこわれています。", "no image file directory");
  assertPageCount(declared.length, "TIFF");
  for (const page of declared) assertPageSize(page.width, page.height, "TIFF page");
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const ifds = UTIF.decode(buffer);
  assertPageCount(ifds.length, "TIFF");
  const pages: DecodedPage[] = [];
  for (const ifd of ifds) {
    if (ifd["t256"] === undefined) continue;
    // utif2's own reading of the directory (it may differ from ours on a crafted file).
    const first = (v: unknown) => (Array.isArray(v) ? Number(v[0]) : Number.NaN);
    assertPageSize(first(ifd["t256"]), first(ifd["t257"]), "TIFF page");
    UTIF.decodeImage(buffer, ifd);
    if (!ifd.width || !ifd.height) continue;
    let image = bilevelGray(ifd) ?? grayFromRgba(UTIF.toRGBA8(ifd), ifd.width, ifd.height);
    const xDpi = rational(ifd["t282"]);
    const yDpi = rational(ifd["t283"]);
    let stretchedVertically = false;
    if (xDpi && yDpi && Math.abs(xDpi / yDpi - 1) > 0.15) {
      assertPageSize(image.width, Math.round((image.height * xDpi) / yDpi), "TIFF page squared up");
      image = resizeGray(image, image.width, (image.height * xDpi) / yDpi);
      stretchedVertically = true;
    }
    pages.push({ image, format: "tiff", pageIndex: pages.length, dpi: xDpi, stretchedVertically });
  }
  return pages;
}

async function decodePdfImage(img: PdfImage, pageIndex: number): Promise<DecodedPage> {
  let image: GrayImage;
  switch (img.kind) {
    case "jpeg":
      image = await decodeRaster(img.bytes);
      break;
    case "tiff": {
      const [page] = decodeTiff(img.bytes);
      if (!page) throw new UnreadableFileError("PDF の画像を読めませんでした。", "embedded CCITT image did not decode");
      image = page.image;
      break;
    }
    case "gray":
      image = img.image;
      break;
  }
  if (img.invert) for (let i = 0; i < image.data.length; i++) image.data[i] = 255 - image.data[i]!;
  // A FAX server's PDF stretches a 204×98 dpi image over the A4 page: restore the page's shape.
  let stretchedVertically = false;
  if (img.pageAspect) {
    const imageAspect = image.height / image.width;
    const pageAspect = img.pageAspect;
    if (Math.abs(imageAspect / pageAspect - 1) > 0.2) {
      assertPageSize(image.width, Math.round(image.width * pageAspect), "PDF page squared up");
      image = resizeGray(image, image.width, image.width * pageAspect);
      stretchedVertically = true;
    }
  }
  return { image, format: "pdf", pageIndex, stretchedVertically };
}

/** Decodes a whole uploaded file into page images. Throws UnreadableFileError. */
export async function decodeDocument(bytes: Uint8Array): Promise<DecodedPage[]> {
  const format = sniffFormat(bytes);
  try {
    switch (format) {
      case "png":
      case "jpeg":
        return [{ image: await decodeRaster(bytes), format, pageIndex: 0 }];
      case "tiff": {
        const pages = decodeTiff(bytes);
        if (pages.length === 0) throw new UnreadableFileError("TIFF ファイルに画像がありません。");
        return pages;
      }
      case "pdf": {
        // A scanner's or FAX server's PDF: one image per page, taken out as it is (exact pixels, fast).
        // Anything else — text and drawings, a codec the extractor does not take — is rendered (ADR 024).
        let images: PdfImage[] | null = null;
        try {
          images = extractPdfPageImages(Buffer.from(bytes));
        } catch (error) {
          if (error instanceof LimitExceededError) throw error;
        }
        if (!images) return (await renderPdfPages(bytes)).map((image, pageIndex) => ({ image, format: "pdf" as const, pageIndex }));
        assertPageCount(images.length, "PDF");
        const pages: DecodedPage[] = [];
        for (const [i, img] of images.entries()) pages.push(await decodePdfImage(img, i));
        return pages;
      }
      default:
        throw new UnreadableFileError("このファイルの形式は読めません。PDF、TIFF、PNG、JPEG でお送りください。");
    }
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    if (error instanceof LimitExceededError) {
      throw new UnreadableFileError(
        error.reason === "too_many_pages" ? `ページが多すぎるため、読みませんでした（1ファイル${MAX_PAGES_PER_FILE}ページまで）。` : "画像が大きすぎるため、読みませんでした（1ページ4000万画素まで）。",
        error.message,
        error.reason,
      );
    }
    throw new UnreadableFileError("ファイルがこわれているため、読めませんでした。", error instanceof Error ? error.message : String(error));
  }
}
