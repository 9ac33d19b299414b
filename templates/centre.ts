/**
 * The centre's own contact details as printed on forms, letters and receipts (issue 15, point 3).
 * The values come from configuration (app/lib/centre-contact.ts builds this from Config); the
 * templates only lay them out. Display strings: "0570-000-110", not E.164.
 */
import { CENTRE_NAME, FONT_REGULAR } from "./pdf";

export type CentreContact = {
  /** "0570-000-110" */
  phone: string;
  /** "0570-000-119" */
  fax: string;
  /** "〒100-0004 東京都千代田区大手町1-1-1" */
  postalAddress: string;
  /** When operators answer, e.g. "平日 9時〜17時（土日・祝日・年末年始はお休み）". */
  operatorHours: string;
};

/** Short lines for the foot of a letter or a receipt (each fits 160 mm at 10.5 pt). */
export function centreFooterLines(c: CentreContact): string[] {
  return [`${CENTRE_NAME}　電話 ${c.phone}（自動音声は24時間）`, `係の者が出る時間：${c.operatorHours}`, `FAX ${c.fax}　郵送 ${c.postalAddress}`];
}

/**
 * The centre's contact lines at the foot of the page, ending on the bottom margin; on a new page
 * when the text above already reaches there (never drawn over the letter).
 */
export function drawCentreFooter(doc: PDFKit.PDFDocument, c: CentreContact, o: { left: number; width: number; lead?: string; size?: number }): void {
  const text = [...(o.lead ? [o.lead] : []), ...centreFooterLines(c)].join("\n");
  doc.font(FONT_REGULAR).fontSize(o.size ?? 10.5);
  const height = doc.heightOfString(text, { width: o.width });
  const bottom = doc.page.height - doc.page.margins.bottom;
  const top = bottom - height - 2;
  if (doc.y > top) doc.addPage();
  doc.text(text, o.left, top, { width: o.width, height: height + 2 });
}

/** One line for the strip between a form's bottom registration marks: where to send it. */
export function formSendToLine(c: CentreContact): string {
  return `送り先　FAX ${c.fax}　郵送 ${c.postalAddress} ${CENTRE_NAME}　お問い合わせ 電話 ${c.phone}`;
}
