/**
 * `FormPainter` on a pdfkit document: the forms printed by the centre. Check box ticks reuse the
 * shared helper from templates/pdf.ts so every document ticks boxes the same way.
 */
import { drawCheckBox, FONT_BOLD, FONT_REGULAR, keepTextState } from "../pdf";
import type { FormPainter, TextStyle } from "./draw-form";
import type { LayoutRect } from "./layout";

export function pdfPainter(doc: PDFKit.PDFDocument): FormPainter {
  return {
    fillRect(r) {
      keepTextState(doc, () => {
        doc.fillColor("#000000").rect(r.x, r.y, r.width, r.height).fill();
      });
    },
    fillRects(rects) {
      keepTextState(doc, () => {
        doc.fillColor("#000000");
        for (const r of rects) doc.rect(r.x, r.y, r.width, r.height);
        doc.fill();
      });
    },
    strokeRect(r, lineWidth) {
      keepTextState(doc, () => {
        doc.lineWidth(lineWidth).strokeColor("#000000").rect(r.x, r.y, r.width, r.height).stroke();
      });
    },
    line(x1, y1, x2, y2, lineWidth) {
      keepTextState(doc, () => {
        doc.lineWidth(lineWidth).strokeColor("#000000").moveTo(x1, y1).lineTo(x2, y2).stroke();
      });
    },
    text(text: string, x: number, y: number, style: TextStyle) {
      keepTextState(doc, () => {
        doc
          .font(style.bold ? FONT_BOLD : FONT_REGULAR)
          .fontSize(style.size)
          .fillColor("#000000")
          .text(text, x, y, { width: style.width, align: style.align ?? "left", lineBreak: false });
      });
    },
    tick(r: LayoutRect) {
      // drawCheckBox strokes the border again (same place, same width): harmless, and the tick
      // geometry stays the one every other document uses.
      drawCheckBox(doc, { x: r.x, y: r.y, size: r.width, checked: true, lineWidth: 1.2 });
    },
  };
}
