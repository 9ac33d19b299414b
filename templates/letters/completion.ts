/**
 * The completion letter (手続き完了のお知らせ): sent when the carrier has stopped international calls
 * on the line. The address sits in the window of a 長形3号 envelope (addressBlock); the body says in
 * short, plain sentences what was done, from when, and what to do if something seems wrong.
 *
 * Rendered from the outbox row's data (template name COMPLETION_LETTER_TEMPLATE) when the print queue
 * prints it; the data is sealed in the outbox like every message body.
 */
import { drawCentreFooter, type CentreContact } from "../centre";
import { addressBlock, CENTRE_NAME, createDocument, FONT_BOLD, FONT_REGULAR, mm, renderToBuffer } from "../pdf";

export const COMPLETION_LETTER_TEMPLATE = "completion";

export type CompletionLetterData = {
  reference: string;
  /** "1234-5678-901" */
  referenceDisplay: string;
  /** "03-1234-5678" */
  number: string;
  /** e.g. ["着信休止", "発信休止"] */
  scopes: string[];
  /** Scope descriptions in plain words (one sentence each). */
  scopeDescriptions: string[];
  /** YYYY-MM-DD, the day the carrier's change took effect. */
  effectiveDate: string;
  carrierName: string | null;
  subscriberName: string;
  postalCode: string;
  address: string;
  centrePhone: string;
  /** The centre's phone, FAX, address and hours (issue 15, point 3); letters queued before it have none. */
  centre?: CentreContact;
  /** Scopes the centre did not send to the carrier: what the person must still do, and where (issue 15, point 4). */
  directReminder?: { title: string; sentences: string[] } | null;
  /** ISO date-time the letter was prepared (printed as the letter date). */
  preparedAt: string;
};

function japaneseDate(value: Date | string): string {
  const date = typeof value === "string" ? new Date(value.length === 10 ? `${value}T00:00:00+09:00` : value) : value;
  return new Intl.DateTimeFormat("ja-JP-u-ca-japanese", { era: "long", year: "numeric", month: "long", day: "numeric", timeZone: "Asia/Tokyo" }).format(date);
}

export function isCompletionLetterData(value: unknown): value is CompletionLetterData {
  const v = value as Partial<CompletionLetterData> | null;
  return !!v && typeof v.reference === "string" && typeof v.number === "string" && Array.isArray(v.scopes) && typeof v.effectiveDate === "string";
}

export async function renderCompletionLetter(data: CompletionLetterData, options: { creationDate?: Date } = {}): Promise<Buffer> {
  const prepared = new Date(data.preparedAt);
  const doc = createDocument({ title: "国際電話を止める手続きが終わりました", creationDate: options.creationDate ?? prepared });
  addressBlock(doc, { postalCode: data.postalCode, address: data.address, name: data.subscriberName });

  const left = mm(25);
  const width = mm(160);
  doc.font(FONT_REGULAR).fontSize(12).text(japaneseDate(prepared), left, mm(62), { width, align: "right" });
  doc.text(CENTRE_NAME, left, mm(69), { width, align: "right" });
  doc.fontSize(11).text(`受付番号 ${data.referenceDisplay}`, left, mm(76), { width, align: "right" });

  doc.font(FONT_BOLD).fontSize(18).text("国際電話を止める手続きが終わりました", left, mm(90), { width });
  doc.font(FONT_REGULAR).fontSize(14).text(
    `お申し込みいただいた電話で、国際電話を止める手続きが終わりました。${data.carrierName ? `電話会社（${data.carrierName}）` : "電話会社"}で、${japaneseDate(data.effectiveDate)}から止まっています。`,
    left,
    mm(104),
    { width, lineGap: 4 },
  );
  doc.moveDown(1);

  const rows: [string, string][] = [
    ["電話番号", data.number],
    ["止めたもの", data.scopes.join("、")],
    ["止めた日", japaneseDate(data.effectiveDate)],
    ["受付番号", data.referenceDisplay],
  ];
  for (const [key, value] of rows) {
    const y = doc.y;
    doc.font(FONT_BOLD).fontSize(14).text(key, left, y, { width: mm(40) });
    doc.font(FONT_REGULAR).fontSize(14).text(value, left + mm(42), y, { width: width - mm(42) });
    doc.moveDown(0.4);
  }
  doc.moveDown(0.6);
  if (data.scopeDescriptions.length > 0) {
    doc.font(FONT_REGULAR).fontSize(14).text(data.scopeDescriptions.join("\n"), left, doc.y, { width, lineGap: 4 });
    doc.moveDown(0.8);
  }
  if (data.directReminder) {
    doc.font(FONT_BOLD).fontSize(14).text(`まだ終わっていないこと：${data.directReminder.title}`, left, doc.y, { width });
    doc.font(FONT_REGULAR).fontSize(13).text(data.directReminder.sentences.join("\n"), left, doc.y, { width, lineGap: 3 });
    doc.moveDown(0.8);
  }
  // A long letter (with a reminder) goes on to a second page before the notes, not in the middle of them.
  if (data.centre && doc.y + mm(45) > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.font(FONT_BOLD).fontSize(14).text("ご注意", left, doc.y, { width });
  doc.font(FONT_REGULAR).fontSize(13).text(
    [
      "・日本の中の電話は、これまでどおり使えます。",
      "・センターや電話会社が、お金や暗証番号、キャッシュカードのことをお聞きすることはありません。",
      "・このお手紙に心あたりがないときや、国際電話を使えるように戻したいときは、センターにお電話ください。",
    ].join("\n"),
    left,
    doc.y,
    { width, lineGap: 3 },
  );
  if (data.centre) {
    drawCentreFooter(doc, data.centre, { left, width });
  } else {
    doc.fontSize(12).text(`${CENTRE_NAME}　電話 ${data.centrePhone}`, left, mm(265), { width });
  }
  return renderToBuffer(doc);
}
