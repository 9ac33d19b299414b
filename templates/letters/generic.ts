/**
 * The generic letter: for any letter template that has no layout of its own (e.g. the cooling-off
 * notice of a cancellation). The recipient's address sits in the window of a 長形3号 envelope
 * (addressBlock); then the date, the centre, a title and the text, in short plain sentences.
 */
import { drawCentreFooter, type CentreContact } from "../centre";
import { addressBlock, CENTRE_NAME, createDocument, FONT_BOLD, FONT_REGULAR, mm, renderToBuffer } from "../pdf";

export type LetterRecipient = { postalCode: string; address: string; name: string; honorific?: string };

export type GenericLetter = {
  recipient: LetterRecipient;
  title: string;
  /** Paragraphs; "\n" inside one keeps a line break. */
  paragraphs: string[];
  /** Label → value rows printed under the text (reference number, phone number …). */
  rows?: [string, string][];
  reference?: string | null;
  centrePhone?: string | null;
  /** The centre's phone, FAX, address and hours (issue 15, point 3): printed at the foot when given. */
  centre?: CentreContact;
  date: Date;
};

export function japaneseDate(date: Date): string {
  return new Intl.DateTimeFormat("ja-JP-u-ca-japanese", { era: "long", year: "numeric", month: "long", day: "numeric", timeZone: "Asia/Tokyo" }).format(date);
}

export async function renderGenericLetter(letter: GenericLetter): Promise<Buffer> {
  const doc = createDocument({ title: letter.title, creationDate: letter.date });
  addressBlock(doc, letter.recipient);
  const left = mm(25);
  const width = mm(160);
  doc.font(FONT_REGULAR).fontSize(12).text(japaneseDate(letter.date), left, mm(62), { width, align: "right" });
  doc.text(CENTRE_NAME, left, mm(69), { width, align: "right" });
  if (letter.reference) doc.fontSize(11).text(`受付番号 ${letter.reference}`, left, mm(76), { width, align: "right" });

  doc.font(FONT_BOLD).fontSize(18).text(letter.title, left, mm(90), { width });
  doc.font(FONT_REGULAR).fontSize(14);
  doc.text(letter.paragraphs.join("\n\n"), left, mm(104), { width, lineGap: 4 });
  if (letter.rows && letter.rows.length > 0) {
    doc.moveDown(1);
    for (const [key, value] of letter.rows) {
      const y = doc.y;
      doc.font(FONT_BOLD).fontSize(14).text(key, left, y, { width: mm(40) });
      doc.font(FONT_REGULAR).fontSize(14).text(value, left + mm(42), y, { width: width - mm(42) });
      doc.moveDown(0.4);
    }
  }
  if (letter.centre) {
    drawCentreFooter(doc, letter.centre, { left, width, lead: "わからないことは、お電話ください。" });
  } else if (letter.centrePhone) {
    // Two short lines that end above the bottom margin (a third line would start a new page).
    doc.font(FONT_REGULAR).fontSize(12).text(`わからないことは、お電話ください。\n${CENTRE_NAME}　電話 ${letter.centrePhone}`, left, mm(256), { width });
  }
  return renderToBuffer(doc);
}
