/**
 * The limits every uploaded or faxed file is held to before and while it is decoded (issue 14 ①).
 * One place, so the upload route, the FAX folder, the decoders and the decode child agree.
 *
 * Why these numbers:
 * - Pixels per page: an A4 page scanned at 600 dpi is 4961 × 7016 ≈ 34.8 MP; A3 at 400 dpi is about
 *   31 MP. 40 MP leaves room for those and for a little margin, while the memory one page costs
 *   (RGBA from the decoder 4 B/px + greyscale 1 B/px + the PNG we store) stays near 250 MB.
 *   The forms are read at 200–300 dpi; nothing larger is ever needed.
 * - Side: no real page is longer than 16 384 px (A3 long side at 1000 dpi is 16 535); Skia also
 *   refuses anything beyond 32 767. It stops 1 × 40 000 000 strips.
 * - Pages per file: a FAX or a scanned batch of forms is a few pages; 20 keeps one file's decode
 *   under the time limit and one operator's upload reviewable. Longer files are split by the sender.
 * - Bytes per file: 20 MB holds 20 pages of 300 dpi JPEG; FAX TIFFs are 30–100 KB a page.
 * - Time: a 600 dpi page decodes in about 1 s; 20 pages plus starting the decode process stay well
 *   inside 30 s. A file that needs longer is broken or hostile.
 * - Memory: the decode child's JS heap is capped at 512 MB, and the child as a whole (typed arrays
 *   and Skia's buffers live outside the JS heap) is killed above 1 GB resident: a 40 MP page peaks
 *   near 500 MB including Node itself, so 1 GB is only reached by something the caps missed.
 */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const MAX_PAGE_PIXELS = 40_000_000;
export const MAX_PAGE_SIDE = 16_384;
export const MAX_PAGES_PER_FILE = 20;
export const DECODE_TIMEOUT_MS = 30_000;
export const DECODE_HEAP_MB = 512;
export const DECODE_RSS_MB = 1024;
/** The most any one deflated PDF stream may inflate to (a 40 MP 8-bit RGB image plus predictor bytes). */
export const MAX_INFLATED_BYTES = MAX_PAGE_PIXELS * 3 + MAX_PAGE_SIDE;

/** Why a file was refused or failed to decode: stored as scans.exception_reason (see exceptions.ts). */
export type DecodeFailureReason = "unreadable_file" | "file_too_large" | "image_too_large" | "too_many_pages" | "decode_timeout" | "decode_failed";

/** Throws-free check of a page's declared size; returns the reason to refuse it, or null. */
export function pageSizeProblem(width: number, height: number): "image_too_large" | "unreadable_file" | null {
  if (!Number.isFinite(width) || !Number.isFinite(height) || width < 1 || height < 1) return "unreadable_file";
  if (width > MAX_PAGE_SIDE || height > MAX_PAGE_SIDE || width * height > MAX_PAGE_PIXELS) return "image_too_large";
  return null;
}

/** A decoder met a limit (the message is technical, for the log); decodeDocument turns it into UnreadableFileError. */
export class LimitExceededError extends Error {
  constructor(
    readonly reason: "image_too_large" | "too_many_pages",
    detail: string,
  ) {
    super(detail);
    this.name = "LimitExceededError";
  }
}

/** Throws LimitExceededError (or a plain Error for a nonsense size) when a declared page is above the limits. */
export function checkPageSize(width: number, height: number, what: string): void {
  const problem = pageSizeProblem(width, height);
  if (problem === "image_too_large") throw new LimitExceededError(problem, `${what} ${width}×${height}`);
  if (problem) throw new Error(`${what} has no usable size (${width}×${height})`);
}
