/**
 * Cover letter sent with forms mailed on request. The recipient's address sits in the window of a
 * 長形3号 envelope (addressBlock from templates/pdf.ts); the rest says, in short plain sentences,
 * what is enclosed and how to send it back.
 */
import { addressBlock, CENTRE_NAME, createDocument, FONT_BOLD, FONT_REGULAR, mm, renderToBuffer } from "../pdf";

export interface CoverLetterOptions {
  recipient: { postalCode: string; address: string | string[]; name: string };
  /** The mail request this letter answers; printed so that a phone call can refer to it. */
  requestId?: string;
  /** What is enclosed; default: one application form and a reply envelope. */
  enclosures?: string[];
  /** Where to send the form back. Configuration, not code: the lead passes the centre's numbers. */
  returnFax?: string;
  contactPhone?: string;
  /** The centre's postal address and operators' hours (issue 15, point 3). */
  returnAddress?: string;
  operatorHours?: string;
  /** Letter date (printed, and the PDF /CreationDate). */
  date: Date;
}

const DEFAULT_ENCLOSURES = ["国際電話不取扱 申込書 1まい", "返信用の封筒 1まい（切手はいりません）"];

function japaneseDate(date: Date): string {
  const parts = new Intl.DateTimeFormat("ja-JP-u-ca-japanese", {
    era: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
    timeZone: "Asia/Tokyo",
  }).format(date);
  return parts;
}

export async function renderCoverLetter(options: CoverLetterOptions): Promise<Buffer> {
  const doc = createDocument({ title: "申込書をお送りします", creationDate: options.date });
  addressBlock(doc, options.recipient);

  const left = mm(25);
  const width = mm(160);
  doc.font(FONT_REGULAR).fontSize(12).text(japaneseDate(options.date), left, mm(62), { width, align: "right" });
  doc.text(CENTRE_NAME, left, mm(69), { width, align: "right" });
  if (options.requestId) doc.fontSize(11).text(`ご請求番号 ${options.requestId}`, left, mm(76), { width, align: "right" });

  doc.font(FONT_BOLD).fontSize(18).text("申込書をお送りします", left, mm(90), { width });
  doc.font(FONT_REGULAR).fontSize(14);
  const body = [
    "ご請求いただき、ありがとうございます。",
    "外国からの電話を止める申込書をお送りします。お金はかかりません。",
    "",
    "【書きかた】",
    "・黒いボールペンで、はっきり書いてください。",
    "・数字は1マスに1つ、はっきり書いてください。",
    "・あてはまる□に ✓ をつけてください。",
    "・電話番号やお名前が印刷されているときは、まちがいがないか確かめてください。",
    "",
    "【送りかた】",
    "・同封の返信用の封筒に入れて、ポストに入れてください。",
    ...(options.returnFax ? [`・FAXでも送れます。FAX番号 ${options.returnFax}`] : []),
    ...(options.returnAddress ? [`・送り先 ${options.returnAddress} ${CENTRE_NAME} あて`] : []),
    "",
    "【入っているもの】",
    ...(options.enclosures ?? DEFAULT_ENCLOSURES).map((e) => `・${e}`),
  ];
  doc.text(body.join("\n"), left, mm(104), { width, lineGap: 4 });
  if (options.contactPhone) {
    const lines = ["わからないことは、お電話ください。", `${CENTRE_NAME}　電話 ${options.contactPhone}（自動音声は24時間）`];
    if (options.operatorHours) lines.push(`係の者が出る時間：${options.operatorHours}`);
    doc.fontSize(11).text(lines.join("\n"), left, mm(256), { width });
  }
  return renderToBuffer(doc);
}
