/**
 * Where to send a form, printed on the form itself (issue 15, point 3): a small block between the
 * instructions and the QR code, outside every field, mark and the QR code's quiet zone, so the OCR
 * never reads it. Values from configuration (templates/centre.ts).
 */
import type { CentreContact } from "../centre";
import { CENTRE_NAME, FONT_BOLD, FONT_REGULAR } from "../pdf";

/** Free area of both layouts (points from the top-left): right of the instructions, left of the QR code. */
export const SEND_TO_BOX = { x: 322, y: 94, width: 134, height: 54 } as const;

export function drawSendTo(doc: PDFKit.PDFDocument, centre: CentreContact): void {
  const { x, y, width, height } = SEND_TO_BOX;
  const body = [`FAX ${centre.fax}`, `郵送 ${centre.postalAddress}`, `${CENTRE_NAME} あて`, `お問い合わせ 電話 ${centre.phone}`].join("\n");
  let size = 8;
  doc.font(FONT_REGULAR);
  while (size > 6 && doc.fontSize(size).heightOfString(body, { width, lineGap: 0 }) + size * 1.3 > height) size -= 0.5;
  doc.font(FONT_BOLD).fontSize(size).text("送り先", x, y, { width, lineBreak: false });
  doc.font(FONT_REGULAR).fontSize(size).text(body, x, y + size * 1.3, { width, height: height - size * 1.3, lineGap: 0, ellipsis: true });
}
