/**
 * Reads what a file DECLARES (PNG IHDR, JPEG SOF, TIFF IFD width/height/bits, PDF image sizes and
 * page count) without decoding a pixel, and refuses it when it is above the limits in
 * safe-decode-limits.ts. Every loop here is bounded by the file's length; nothing allocates more
 * than the file. Safe to run in the web process.
 */
import { MAX_PAGE_PIXELS, MAX_PAGE_SIDE, MAX_PAGES_PER_FILE, MAX_UPLOAD_BYTES, pageSizeProblem, type DecodeFailureReason } from "./safe-decode-limits";

export type ProbedFormat = "png" | "jpeg" | "tiff" | "pdf";
export type Probe =
  | { ok: true; format: ProbedFormat; pages: number; sizes: { width: number; height: number }[] }
  | { ok: false; reason: DecodeFailureReason; detail: string };

const refuse = (reason: DecodeFailureReason, detail: string): Probe => ({ ok: false, reason, detail });

/** The width and height a PNG or JPEG declares, or undefined when it is neither or has no size. */
export function declaredRasterSize(bytes: Uint8Array): { format: "png" | "jpeg"; width: number; height: number } | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 24 && b[0] === 0x89 && b.toString("latin1", 1, 4) === "PNG" && b.toString("latin1", 12, 16) === "IHDR") {
    return { format: "png", width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 4 <= b.length) {
      if (b[i] !== 0xff) return undefined;
      let marker = b[i + 1]!;
      while (marker === 0xff && i + 2 < b.length) marker = b[++i + 1]!; // fill bytes
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2;
        continue;
      }
      if (marker === 0xd9 || marker === 0xda) return undefined; // end, or scan data before any frame header
      if (i + 4 > b.length) return undefined;
      const length = b.readUInt16BE(i + 2);
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) {
        if (i + 9 > b.length) return undefined;
        return { format: "jpeg", height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
      }
      if (length < 2) return undefined;
      i += 2 + length;
    }
  }
  return undefined;
}

/** Width, height and bits of every image IFD of a TIFF, following the IFD chain (cycles stop it). */
export function declaredTiffPages(bytes: Uint8Array, maxPages = MAX_PAGES_PER_FILE + 1): { width: number; height: number; bits: number }[] | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 8) return undefined;
  const le = b[0] === 0x49;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const pages: { width: number; height: number; bits: number }[] = [];
  const seen = new Set<number>();
  let offset = u32(4);
  while (offset !== 0 && pages.length < maxPages) {
    if (seen.has(offset) || offset + 2 > b.length) break;
    seen.add(offset);
    const count = u16(offset);
    if (offset + 2 + count * 12 + 4 > b.length) return pages.length ? pages : undefined;
    let width = 0;
    let height = 0;
    let bits = 1;
    let samples = 1;
    let bitsPerSample = true; // false once BitsPerSample listed every sample (then bits is the sum)
    for (let e = 0; e < count; e++) {
      const p = offset + 2 + e * 12;
      const tag = u16(p);
      const type = u16(p + 2);
      const n = u32(p + 4);
      // SHORT (3) or LONG (4) values; BitsPerSample with several samples points elsewhere.
      const inline = (t: number) => (t === 3 ? u16(p + 8) : t === 4 ? u32(p + 8) : 0);
      if (tag === 256) width = inline(type);
      else if (tag === 257) height = inline(type);
      else if (tag === 277) samples = inline(type) || 1;
      else if (tag === 258) {
        if (n === 1) bits = inline(type);
        else if (type === 3 && n === 2) {
          bits = u16(p + 8) + u16(p + 10);
          bitsPerSample = false;
        } else if (type === 3) {
          const at = u32(p + 8);
          bits = 0;
          bitsPerSample = false;
          for (let k = 0; k < n && k < 8 && at + 2 * k + 2 <= b.length; k++) bits += u16(at + 2 * k);
        }
      }
    }
    if (width > 0 || height > 0) pages.push({ width, height, bits: bitsPerSample ? bits * samples : bits });
    offset = u32(offset + 2 + count * 12);
  }
  return pages;
}

/**
 * A PDF's page count and the sizes its images declare, read by regular expressions over the bytes
 * (linear; no object parsing). Coarse on purpose: the full parse runs in the bounded decode child.
 */
export function declaredPdf(bytes: Uint8Array): { pages: number; largestSide: number; largestArea: number } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  const pages = (text.match(/\/Type\s*\/Page(?![A-Za-z])/g) ?? []).length;
  let largestSide = 0;
  let largestArea = 0;
  // Image dictionaries: /Width N … /Height N (or CCITT /Columns N … /Rows N) within one dictionary.
  const dict = /\/(Width|Columns)\s+(\d{1,12})\b[^>]{0,400}?\/(Height|Rows)\s+(\d{1,12})\b|\/(Height|Rows)\s+(\d{1,12})\b[^>]{0,400}?\/(Width|Columns)\s+(\d{1,12})\b/g;
  let m: RegExpExecArray | null;
  while ((m = dict.exec(text))) {
    const w = Number(m[2] ?? m[8]);
    const h = Number(m[4] ?? m[6]);
    largestSide = Math.max(largestSide, w, h);
    largestArea = Math.max(largestArea, w * h);
  }
  return { pages, largestSide, largestArea };
}

/** What the file declares, checked against the limits. Never decodes pixels. */
export function probeDeclared(bytes: Uint8Array): Probe {
  if (bytes.byteLength === 0) return refuse("unreadable_file", "empty file");
  if (bytes.byteLength > MAX_UPLOAD_BYTES) return refuse("file_too_large", `${bytes.byteLength} bytes`);
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024));
  const isTiff = (head[0] === 0x49 && head[1] === 0x49 && head[2] === 42 && head[3] === 0) || (head[0] === 0x4d && head[1] === 0x4d && head[2] === 0 && head[3] === 42);
  if (isTiff) {
    const pages = declaredTiffPages(bytes);
    if (!pages || pages.length === 0) return refuse("unreadable_file", "TIFF without an image directory");
    if (pages.length > MAX_PAGES_PER_FILE) return refuse("too_many_pages", `more than ${MAX_PAGES_PER_FILE} TIFF pages`);
    for (const p of pages) {
      const problem = pageSizeProblem(p.width, p.height);
      if (problem) return refuse(problem, `TIFF page ${p.width}×${p.height}`);
      if (p.bits > 64) return refuse("unreadable_file", `TIFF ${p.bits} bits per pixel`);
    }
    return { ok: true, format: "tiff", pages: pages.length, sizes: pages.map(({ width, height }) => ({ width, height })) };
  }
  if (head.toString("latin1").includes("%PDF-")) {
    const pdf = declaredPdf(bytes);
    if (pdf.pages > MAX_PAGES_PER_FILE) return refuse("too_many_pages", `${pdf.pages} PDF pages`);
    if (pdf.largestSide > MAX_PAGE_SIDE || pdf.largestArea > MAX_PAGE_PIXELS) return refuse("image_too_large", `PDF image ${pdf.largestSide} px side`);
    return { ok: true, format: "pdf", pages: pdf.pages, sizes: [] };
  }
  const raster = declaredRasterSize(bytes);
  if (raster) {
    const problem = pageSizeProblem(raster.width, raster.height);
    if (problem) return refuse(problem, `${raster.format} ${raster.width}×${raster.height}`);
    return { ok: true, format: raster.format, pages: 1, sizes: [{ width: raster.width, height: raster.height }] };
  }
  return refuse("unreadable_file", "format not recognised or size not declared");
}
