/**
 * The receipt (受付控え) shown after a web application, and the printed summary a police or
 * municipal booth hands to the subscriber (assisted mode). Large print, plain words, the reference
 * number in groups, and how to check the status by web or phone.
 */
import type { CentreContact } from "./centre";
import { CENTRE_NAME, createDocument, FONT_BOLD, FONT_REGULAR, mm, renderToBuffer } from "./pdf";

export type ReceiptData = {
  reference: string;
  referenceGroups: string[];
  receivedAt: string;
  number: string;
  scopes: string[];
  statusLabel: string;
  statusDescription: string;
  subscriberName: string | null;
  address: string | null;
  assisted: boolean;
  centrePhone: string;
  statusUrl: string;
  /** The centre's phone, FAX, address and hours (issue 15, point 3), printed at the foot. */
  centre?: CentreContact;
  /** Scopes the centre did not send to the carrier, and the carrier's number (issue 15, point 4). */
  reminder?: { title: string; sentences: string[] } | null;
};

export async function renderReceipt(data: ReceiptData, options: { creationDate?: Date } = {}): Promise<Buffer> {
  const doc = createDocument({ title: data.assisted ? "お申し込みの控え（ご本人用）" : "受付控え", creationDate: options.creationDate });
  const left = mm(20);
  const width = doc.page.width - mm(40);

  doc.font(FONT_BOLD).fontSize(20).text(data.assisted ? "国際電話の休止　お申し込みの控え（ご本人用）" : "国際電話の休止　受付控え", left, mm(20), { width });
  doc.moveDown(0.5);
  doc.font(FONT_REGULAR).fontSize(13).text(`${CENTRE_NAME}は、次のとおりお申し込みを受け付けました。`, { width });
  doc.moveDown(1);

  doc.font(FONT_REGULAR).fontSize(13).text("受付番号", { width });
  doc.font(FONT_BOLD).fontSize(30).text(data.referenceGroups.join(" - "), { width, characterSpacing: 2 });
  doc.font(FONT_REGULAR).fontSize(12).text("お問い合わせのときに、この番号をお伝えください。", { width });
  doc.moveDown(1);

  const rows: [string, string][] = [
    ["受付日時", data.receivedAt],
    ["止める電話番号", data.number],
    ["止める電話", data.scopes.join("、")],
    ["いまの状況", `${data.statusLabel}　${data.statusDescription}`],
  ];
  if (data.assisted) {
    if (data.subscriberName) rows.push(["契約者のお名前", data.subscriberName]);
    if (data.address) rows.push(["ご住所", data.address]);
  }
  for (const [key, value] of rows) {
    const y = doc.y;
    doc.font(FONT_BOLD).fontSize(13).text(key, left, y, { width: mm(45) });
    doc.font(FONT_REGULAR).fontSize(13).text(value, left + mm(48), y, { width: width - mm(48) });
    doc.moveDown(0.6);
  }
  doc.moveDown(0.8);
  doc.font(FONT_BOLD).fontSize(15).text("これからの流れ", left, doc.y, { width });
  doc.font(FONT_REGULAR).fontSize(13).text(
    "センターから電話会社にお申し込みを送ります。電話会社での手続きが終わったら、お手紙でお知らせします。",
    { width },
  );
  if (data.reminder) {
    doc.moveDown(0.8);
    doc.font(FONT_BOLD).fontSize(15).text(`ご注意：${data.reminder.title}`, left, doc.y, { width });
    doc.font(FONT_REGULAR).fontSize(13).text(data.reminder.sentences.join("\n"), { width });
  }
  doc.moveDown(0.8);
  doc.font(FONT_BOLD).fontSize(15).text("状況の確かめ方", { width });
  doc.font(FONT_REGULAR).fontSize(13).text(`ウェブ：${data.statusUrl} で、受付番号と電話番号を入力してください。`, { width });
  doc.text(`電話：${data.centrePhone} にかけて、案内にそって「2」を押してください（24時間）。`, { width });
  if (data.centre) {
    doc.text(`係の者が出る時間：${data.centre.operatorHours}`, { width });
    doc.text(`FAX：${data.centre.fax}　郵送：${data.centre.postalAddress} ${CENTRE_NAME} あて`, { width });
  }
  doc.moveDown(1);
  doc.font(FONT_BOLD).fontSize(13).text("ご注意", { width });
  doc.font(FONT_REGULAR).fontSize(13).text("センターや電話会社が、お金、暗証番号、キャッシュカードのことをお聞きすることはありません。", { width });
  return renderToBuffer(doc);
}
