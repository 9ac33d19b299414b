/**
 * Shared base for every pdfkit document (forms, letters, receipts).
 *
 * - Japanese text uses Noto Sans JP from the `@expo-google-fonts/noto-sans-jp` npm package: full
 *   TrueType files (not unicode-range slices), resolved from node_modules at run time, never copied
 *   into the repository and never downloaded. pdfkit embeds only the glyphs used (subset, /FontFile2).
 * - Fonts are registered as "JP" (Regular) and "JP-Bold" (Bold); "JP" is the current font of a new
 *   document.
 * - Output is deterministic for the same input when `creationDate` is given: pdfkit derives the file
 *   ID from the info dictionary and the font subset tag from the font id, and compression is stable.
 *
 * Coordinates are PDF points (1/72 inch) from the top-left corner, as in pdfkit. Use `mm()` to
 * convert from millimetres, which is what paper forms and envelopes are specified in.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import PDFDocument from "pdfkit";

export const CENTRE_NAME = "国際電話不取扱受付センター";
export const PDF_PRODUCER = `${CENTRE_NAME} (pdfkit)`;

/** Registered font names. */
export const FONT_REGULAR = "JP";
export const FONT_BOLD = "JP-Bold";

const FONT_MODULES = {
  [FONT_REGULAR]: "@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf",
  [FONT_BOLD]: "@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf",
} as const;

type FontName = keyof typeof FONT_MODULES;

/** Absolute paths of the bundled font files (resolved from node_modules, no network). */
export function fontPath(name: FontName): string {
  return createRequire(import.meta.url).resolve(FONT_MODULES[name]);
}

// The TTF files are ~5.5 MB each; read them once per process, not once per document.
const fontCache = new Map<FontName, Buffer>();
function fontData(name: FontName): Buffer {
  let data = fontCache.get(name);
  if (!data) {
    data = readFileSync(fontPath(name));
    fontCache.set(name, data);
  }
  return data;
}

export type Margins = { top: number; bottom: number; left: number; right: number };

export interface CreateDocumentOptions {
  /** Document title (PDF metadata /Title). */
  title?: string;
  /** Optional /Subject metadata. */
  subject?: string;
  /** Paper size; only A4 is used by the centre. */
  size?: "A4";
  /** Page margins in points; defaults to 20 mm on every side. */
  margins?: Partial<Margins>;
  /**
   * Fixed /CreationDate. Give it (e.g. the application's received-at time, or a constant in tests)
   * to make the bytes reproducible for the same input; otherwise pdfkit uses "now".
   */
  creationDate?: Date;
  /** Compress content streams (default true). */
  compress?: boolean;
  /** Keep pages in memory so callers can go back and add page numbers (default false). */
  bufferPages?: boolean;
}

/** Millimetres to PDF points. */
export function mm(n: number): number {
  return (n * 72) / 25.4;
}

/** A4 in points. */
export const A4 = { width: mm(210), height: mm(297) } as const;

export const DEFAULT_MARGIN = mm(20);

/**
 * Several documents in one PDF (the letter print queue: one PDF per batch). Inside `drawInto(target,
 * render)`, every createDocument() adds a new page to `target` instead of starting a document, and
 * renderToBuffer() of it returns an empty buffer instead of ending it — so any template written as
 * "createDocument, draw, renderToBuffer" draws its pages into the batch unchanged. The scope follows
 * the async call (AsyncLocalStorage), so two batches rendered at once do not mix.
 */
const drawTarget = new AsyncLocalStorage<PDFKit.PDFDocument>();

export function drawInto<T>(target: PDFKit.PDFDocument, render: () => Promise<T>): Promise<T> {
  return drawTarget.run(target, render);
}

/** A new A4 document with Japanese fonts registered ("JP", "JP-Bold"), "JP" selected, metadata set. */
export function createDocument(options: CreateDocumentOptions = {}): PDFKit.PDFDocument {
  const margins: Margins = {
    top: options.margins?.top ?? DEFAULT_MARGIN,
    bottom: options.margins?.bottom ?? DEFAULT_MARGIN,
    left: options.margins?.left ?? DEFAULT_MARGIN,
    right: options.margins?.right ?? DEFAULT_MARGIN,
  };
  const target = drawTarget.getStore();
  if (target) {
    target.addPage({ size: options.size ?? "A4", margins });
    target.font(FONT_REGULAR).fontSize(12).fillColor("#000000").strokeColor("#000000").lineWidth(1);
    return target;
  }
  const info: PDFKit.DocumentInfo = {
    Title: options.title ?? CENTRE_NAME,
    Author: CENTRE_NAME,
    Creator: CENTRE_NAME,
    Producer: PDF_PRODUCER,
  };
  if (options.subject) info.Subject = options.subject;
  if (options.creationDate) info.CreationDate = options.creationDate;

  const doc = new PDFDocument({
    size: options.size ?? "A4",
    margins,
    info,
    lang: "ja-JP",
    displayTitle: true,
    compress: options.compress ?? true,
    bufferPages: options.bufferPages ?? false,
  });
  doc.registerFont(FONT_REGULAR, fontData(FONT_REGULAR));
  doc.registerFont(FONT_BOLD, fontData(FONT_BOLD));
  // pdfkit's built-in default (Helvetica) is never embedded unless text is drawn with it.
  doc.font(FONT_REGULAR);
  return doc;
}

/** Ends the document and resolves with the whole PDF. Call once, after drawing everything. */
export function renderToBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  // Drawn into a shared document (drawInto): the caller of drawInto ends that one.
  if (drawTarget.getStore() === doc) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    doc.end();
  });
}

/** pdfkit keeps the current font and size outside the PDF graphics state (save/restore). */
type TextState = { _font: unknown; _fontSize: number; _fontSource: unknown; _fontFamily: unknown };

/** Runs `draw` and puts back the current font, font size and text cursor afterwards. */
export function keepTextState<T>(doc: PDFKit.PDFDocument, draw: () => T): T {
  const state = doc as unknown as TextState;
  const saved = {
    _font: state._font,
    _fontSize: state._fontSize,
    _fontSource: state._fontSource,
    _fontFamily: state._fontFamily,
  };
  const { x, y } = doc;
  doc.save();
  try {
    return draw();
  } finally {
    doc.restore();
    Object.assign(state, saved);
    doc.x = x;
    doc.y = y;
  }
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface CombBoxesOptions {
  x: number;
  y: number;
  cellW: number;
  cellH: number;
  cells: number;
  /** Characters to print, one per cell (left-aligned; extra characters are ignored). */
  value?: string;
  /** Font size of the value; default 60% of the cell height. */
  fontSize?: number;
  /** Line width of the box borders in points (default 0.8). */
  lineWidth?: number;
  /**
   * Print a hyphen-like gap marker after these cell indexes (0-based), e.g. `[2, 6]` for
   * 〒 or phone groups. The gap itself is not added: cells stay contiguous so OCR crops are regular.
   */
  groupAfter?: number[];
}

/**
 * Digit comb boxes (one character per cell), as on the paper application form.
 * Returns each cell's rectangle so OCR can crop the same areas (inset a few points when cropping:
 * borders read as "1").
 */
export function drawCombBoxes(doc: PDFKit.PDFDocument, o: CombBoxesOptions): Rect[] {
  const rects: Rect[] = [];
  for (let i = 0; i < o.cells; i++) {
    rects.push({ x: o.x + i * o.cellW, y: o.y, width: o.cellW, height: o.cellH });
  }
  const chars = Array.from(o.value ?? "");
  const lineWidth = o.lineWidth ?? 0.8;
  keepTextState(doc, () => {
    doc.lineWidth(lineWidth).strokeColor("#000000");
    for (const r of rects) doc.rect(r.x, r.y, r.width, r.height).stroke();
    // Thicker separators between groups.
    for (const after of o.groupAfter ?? []) {
      if (after < 0 || after >= o.cells - 1) continue;
      const lx = o.x + (after + 1) * o.cellW;
      doc
        .lineWidth(lineWidth * 2.5)
        .moveTo(lx, o.y)
        .lineTo(lx, o.y + o.cellH)
        .stroke();
    }
    if (chars.length === 0) return;
    doc.fillColor("#000000").fontSize(o.fontSize ?? o.cellH * 0.6);
    const lineH = doc.currentLineHeight();
    chars.slice(0, o.cells).forEach((ch, i) => {
      const r = rects[i]!;
      doc.text(ch, r.x, r.y + (r.height - lineH) / 2, {
        width: r.width,
        align: "center",
        lineBreak: false,
      });
    });
  });
  return rects;
}

export interface CheckBoxOptions {
  x: number;
  y: number;
  size: number;
  checked?: boolean;
  lineWidth?: number;
}

/** A square check box, with a tick when `checked`. */
export function drawCheckBox(doc: PDFKit.PDFDocument, o: CheckBoxOptions): Rect {
  const rect = { x: o.x, y: o.y, width: o.size, height: o.size };
  keepTextState(doc, () => {
    doc
      .lineWidth(o.lineWidth ?? 0.8)
      .strokeColor("#000000")
      .rect(o.x, o.y, o.size, o.size)
      .stroke();
    if (!o.checked) return;
    const s = o.size;
    doc
      .lineWidth(Math.max(1.2, s * 0.12))
      .lineJoin("round")
      .lineCap("round")
      .moveTo(o.x + s * 0.2, o.y + s * 0.55)
      .lineTo(o.x + s * 0.42, o.y + s * 0.78)
      .lineTo(o.x + s * 0.82, o.y + s * 0.22)
      .stroke();
  });
  return rect;
}

/**
 * Registration marks for OCR alignment: solid black squares near the four page corners.
 * Inset 8 mm from each edge (inside every printer's unprintable border of ~5 mm), 5 mm square.
 */
export const REGISTRATION_MARK = { size: mm(5), inset: mm(8) } as const;

/** Where the four registration marks are on a page of the given size (top-left of each square). */
export function registrationMarkRects(
  pageWidth: number = A4.width,
  pageHeight: number = A4.height,
): { topLeft: Rect; topRight: Rect; bottomLeft: Rect; bottomRight: Rect } {
  const { size, inset } = REGISTRATION_MARK;
  const left = inset;
  const right = pageWidth - inset - size;
  const top = inset;
  const bottom = pageHeight - inset - size;
  const r = (x: number, y: number): Rect => ({ x, y, width: size, height: size });
  return {
    topLeft: r(left, top),
    topRight: r(right, top),
    bottomLeft: r(left, bottom),
    bottomRight: r(right, bottom),
  };
}

/** Draws the four registration marks on the current page. */
export function drawRegistrationMarks(doc: PDFKit.PDFDocument): void {
  const marks = registrationMarkRects(doc.page.width, doc.page.height);
  keepTextState(doc, () => {
    doc.fillColor("#000000");
    for (const m of Object.values(marks)) doc.rect(m.x, m.y, m.width, m.height).fill();
  });
}

/**
 * Address block for a 長形3号 (120 × 235 mm) window envelope, holding A4 folded in three
 * (each panel 210 × 99 mm; the top panel faces the window).
 *
 * The common 長3 window (envelope held landscape, 235 mm wide) is 90 × 45 mm, 23 mm from the left
 * edge and 13 mm from the top edge. The folded sheet can slide up to 25 mm sideways and ~20 mm
 * vertically inside the envelope, so the block is kept well inside the window:
 *
 *   ENVELOPE_WINDOW_BLOCK (on the A4 page): x = 25 mm, y = 18 mm, 80 × 37 mm
 *     line 1  〒123-4567            (10.5 pt)
 *     line 2+ address, wrapped       (11 pt, up to 3 lines)
 *     last    name + 様              (14 pt bold)
 *
 * Nothing else should be printed in this rectangle; the sender's address goes elsewhere on the page.
 */
export const ENVELOPE_WINDOW_BLOCK: Rect = { x: mm(25), y: mm(18), width: mm(80), height: mm(37) };

export interface AddressBlockOptions {
  /** 7 digits, with or without a hyphen. */
  postalCode: string;
  /** One string (wrapped) or pre-split lines. */
  address: string | string[];
  name: string;
  /** Honorific after the name; default 様. Pass "" for none (e.g. 御中 already in the name). */
  honorific?: string;
}

/** Formats 1234567 / 123-4567 as 〒123-4567 (other input is printed as given after 〒). */
export function formatPostalCode(postalCode: string): string {
  const digits = postalCode.replace(/[^0-9０-９]/g, "").replace(/[０-９]/g, (c) =>
    String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
  return digits.length === 7 ? `〒${digits.slice(0, 3)}-${digits.slice(3)}` : `〒${postalCode.trim()}`;
}

/** Prints postal code, address and name in the envelope window area (see ENVELOPE_WINDOW_BLOCK). */
export function addressBlock(doc: PDFKit.PDFDocument, o: AddressBlockOptions): Rect {
  const box = ENVELOPE_WINDOW_BLOCK;
  const honorific = o.honorific ?? "様";
  const addressText = Array.isArray(o.address) ? o.address.join("\n") : o.address;
  keepTextState(doc, () => {
    doc.fillColor("#000000");
    doc.font(FONT_REGULAR).fontSize(10.5);
    doc.text(formatPostalCode(o.postalCode), box.x, box.y, { width: box.width, lineBreak: false });

    doc.font(FONT_REGULAR).fontSize(11);
    const lineGap = 1;
    doc.text(addressText, box.x, box.y + mm(6), {
      width: box.width,
      height: (doc.currentLineHeight() + lineGap) * 3, // at most 3 lines
      ellipsis: true,
      lineGap,
    });

    doc.font(FONT_BOLD).fontSize(14);
    const nameText = honorific ? `${o.name}　${honorific}` : o.name;
    const lowest = box.y + box.height - doc.currentLineHeight();
    const nameTop = Math.min(Math.max(doc.y + mm(2), box.y + mm(22)), lowest);
    doc.text(nameText, box.x + mm(4), nameTop, {
      width: box.width - mm(4),
      lineBreak: false,
      ellipsis: true,
    });
  });
  return box;
}
