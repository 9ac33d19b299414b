/**
 * Draws a form from its layout onto any surface: the PDF templates (pdfkit) and the evaluation-set
 * generator (@napi-rs/canvas) both call `drawForm`, so a printed form and a generated test image
 * have the same geometry by construction. Only the primitives differ, behind `FormPainter`.
 */
import QRCode from "qrcode";
import type { FormLayout, LayoutField, LayoutRect } from "./layout";
import { combCells, textLines } from "./layout";

export type TextStyle = { size: number; bold?: boolean; width?: number; align?: "left" | "center" };

/** The few things a form is made of. Coordinates are PDF points from the top-left corner. */
export interface FormPainter {
  /** A solid black square (registration mark). */
  fillRect(rect: LayoutRect): void;
  /**
   * Many black rectangles filled as ONE shape (QR modules): separately filled neighbours leave
   * anti-aliased hairline seams that a 98 dpi FAX turns into white gaps across the code.
   */
  fillRects(rects: readonly LayoutRect[]): void;
  strokeRect(rect: LayoutRect, lineWidth: number): void;
  line(x1: number, y1: number, x2: number, y2: number, lineWidth: number): void;
  /** One line of text whose top edge is at `y`. */
  text(text: string, x: number, y: number, style: TextStyle): void;
  /** A tick in a check box (prefilled forms only). */
  tick(rect: LayoutRect): void;
}

export interface DrawFormOptions {
  /** Text for the QR code (see qr-payload.ts). */
  qrPayload: string;
  /** Values printed in advance on a form mailed on request: field name → text, or true to tick. */
  prefill?: Readonly<Record<string, string | boolean | undefined>>;
}

export const BORDER_WIDTH = 0.8;
/** Thicker borders around check boxes: a faint FAX must still show where to tick. */
export const CHECKBOX_BORDER_WIDTH = 1.2;

export function drawForm(painter: FormPainter, layout: FormLayout, options: DrawFormOptions): void {
  for (const mark of Object.values(layout.registrationMarks)) painter.fillRect(mark);
  drawQrCode(painter, layout.qr, options.qrPayload);
  painter.text(`様式 ${layout.formType === "application" ? "AP" : "CA"}-${layout.version}`, layout.qr.x, layout.qr.y + layout.qr.height + 2, {
    size: 8,
    width: layout.qr.width,
    align: "center",
  });
  for (const t of layout.texts) painter.text(t.text, t.x, t.y, { size: t.size, bold: t.bold, width: t.width });
  for (const field of layout.fields) drawField(painter, field, options.prefill?.[field.name]);
}

function drawField(painter: FormPainter, field: LayoutField, prefill: string | boolean | undefined): void {
  switch (field.kind) {
    case "digits": {
      const cells = combCells(field);
      for (const cell of cells) painter.strokeRect(cell, BORDER_WIDTH);
      for (const after of field.groupAfter ?? []) {
        const cell = cells[after];
        if (!cell || after >= cells.length - 1) continue;
        const x = cell.x + cell.width;
        painter.line(x, cell.y, x, cell.y + cell.height, BORDER_WIDTH * 2.5);
      }
      if (typeof prefill === "string") {
        Array.from(prefill).slice(0, cells.length).forEach((ch, i) => {
          const cell = cells[i]!;
          const size = cell.height * 0.6;
          painter.text(ch, cell.x, cell.y + (cell.height - size * 1.3) / 2, { size, width: cell.width, align: "center" });
        });
      }
      return;
    }
    case "checkbox": {
      painter.strokeRect(field.box, CHECKBOX_BORDER_WIDTH);
      if (field.label) {
        const size = 12;
        painter.text(field.label, field.box.x + field.box.width + 6, field.box.y + (field.box.height - size * 1.3) / 2, { size });
      }
      if (prefill === true) painter.tick(field.box);
      return;
    }
    case "kana":
    case "kanji":
    case "text":
    case "signature": {
      painter.strokeRect(field.box, BORDER_WIDTH);
      const lines = textLines(field);
      // A thin guide between writing lines; OCR insets each line's crop, so the guide is not read.
      for (const line of lines.slice(1)) painter.line(line.x + 4, line.y, line.x + line.width - 4, line.y, 0.4);
      if (typeof prefill === "string" && field.kind !== "signature") {
        prefill.split("\n").slice(0, lines.length).forEach((text, i) => {
          const line = lines[i]!;
          const size = Math.min(16, line.height * 0.5);
          painter.text(text, line.x + 6, line.y + (line.height - size * 1.3) / 2, { size, width: line.width - 12 });
        });
      }
      return;
    }
  }
}

/**
 * The QR code as filled squares (runs of dark modules merged), with the 4-module quiet zone
 * inside `rect`. Error correction M: enough for FAX noise at this size.
 */
export function drawQrCode(painter: FormPainter, rect: LayoutRect, payload: string): void {
  const { modules } = QRCode.create(payload, { errorCorrectionLevel: "M" });
  const n = modules.size;
  const quiet = 4;
  const module = Math.min(rect.width, rect.height) / (n + 2 * quiet);
  const runs: LayoutRect[] = [];
  for (let row = 0; row < n; row++) {
    let runStart = -1;
    for (let col = 0; col <= n; col++) {
      const dark = col < n && modules.get(row, col) === 1;
      if (dark && runStart < 0) runStart = col;
      if (!dark && runStart >= 0) {
        runs.push({
          x: rect.x + (quiet + runStart) * module,
          y: rect.y + (quiet + row) * module,
          width: (col - runStart) * module,
          height: module,
        });
        runStart = -1;
      }
    }
  }
  painter.fillRects(runs);
}
