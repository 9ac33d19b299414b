/**
 * Why a page or an application waits for a person, and why it ends without becoming a suspension: the
 * words the queues, the verification screens and the letters to senders use, in one place. Plain data
 * (no I/O): the pages read it in the browser too.
 *
 * Reason codes are stored in scans.exception_reason (and in audit and event details); the text is
 * looked up here when shown, so changing a sentence never needs a data change.
 */
import { EXCEPTION_MESSAGES, type IntakeExceptionReason } from "./ocr/exceptions";

export type ReasonText = { label: string; help: string };

/** Pages the OCR could not read (scans.status 'exception'): a short label, and what to do (EXCEPTION_MESSAGES). */
const OCR_EXCEPTION_LABELS: Readonly<Record<IntakeExceptionReason, string>> = {
  unreadable_file: "ファイルを開けない",
  file_too_large: "ファイルが大きすぎる",
  image_too_large: "画像が大きすぎる（画素が多すぎる）",
  too_many_pages: "ページが多すぎる",
  decode_timeout: "ファイルを読むのに時間がかかりすぎた",
  decode_failed: "ファイルを読む途中で止まった",
  not_a_form: "センターの用紙ではないようす",
  marks_not_found: "四すみの黒い四角が見つからない",
  qr_unreadable: "QRコードが読めない",
  unknown_form: "読み取りに対応していない版",
};

/**
 * Pages read by the OCR that wait for a person (scans.status 'needs_review', the code in
 * exception_reason): the line did not confirm the request on the automated confirmation call, or the
 * page's request could not be decided without a person (codes set by paper-confirmation.server.ts).
 */
export const HOLD_REASONS: Readonly<Record<string, ReasonText>> = {
  line_refused: {
    label: "確認の電話で、回線の方が「申し込んでいない」と答えました",
    help: "確認の電話で、回線の方が「2」（心当たりがない）を押しました。電話番号の読み取りが正しいか、画像と見比べてください。読み違いなら直して登録します。番号が正しければ、ご本人の同意がないおそれがあります。「申し込みにできない」を選んでください。",
  },
  line_unanswered: {
    label: "確認の電話に、回線の方が出ませんでした",
    help: "確認の電話を、日を変えて何度かかけましたが、応答がありませんでした。電話番号の読み取りが正しいか、画像と見比べてから登録してください。",
  },
  line_not_read: {
    label: "電話番号を確かに読み取れませんでした",
    help: "画像を見て、電話番号を確かめてください。",
  },
  scope_not_read: {
    label: "止めたいもの（発信・着信）の印を確かに読み取れませんでした",
    help: "画像を見て、発信休止・着信休止の印を確かめてください。どちらにも印がなければ「申し込みにできない」を選びます。",
  },
  relation_not_read: {
    label: "書いている人（本人・家族・その他）の印を確かに読み取れませんでした",
    help: "画像を見て、書いている人の印を確かめてください。",
  },
  not_eligible: {
    label: "読み取った電話番号は、お申し込みできる固定電話の番号ではありません",
    help: "読み違いでないか画像と見比べてください。番号が正しければ「申し込みにできない」を選びます。",
  },
  not_routable: {
    label: "センターから電話会社に送れないお申し込みです",
    help: "電話会社に直接のお申し込みが必要なものなどです。画像を確かめ、送れないときは「申し込みにできない」を選びます。",
  },
};

/** Why a page cannot become an application or cancellation (「申し込みにできない」). Stored as scans.exception_reason with status 'closed'. */
export const CLOSE_REASONS = ["no_scope", "carrier_direct_only", "number_not_eligible", "not_our_form", "blank_or_unreadable", "duplicate", "subscriber_refused", "nothing_to_cancel", "cancellation_open", "other"] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

export function isCloseReason(value: unknown): value is CloseReason {
  return typeof value === "string" && (CLOSE_REASONS as readonly string[]).includes(value);
}

export const CLOSE_REASON_INFO: Readonly<Record<CloseReason, { label: string; hint?: string; letter: string | null }>> = {
  no_scope: {
    label: "止めたいもの（発信休止・着信休止）に印がない",
    letter: "お送りいただいた申込書には、止めたいもの（発信休止・着信休止）に印がありませんでした。そのため、お申し込みとしてお受けできませんでした。",
  },
  carrier_direct_only: {
    label: "電話会社が直接受け付けるもの（発信休止）だけに印がある",
    hint: "お使いの電話会社では、発信休止はセンターを通さずに受け付けています。",
    letter:
      "お送りいただいた申込書では、発信休止（外国へかけられないようにする）だけに印がありました。お使いの電話会社では、発信休止は電話会社が直接受け付けています。ご契約の電話会社にお申し込みください。着信休止（外国からの電話を止める）は、センターでお受けできます。",
  },
  number_not_eligible: {
    label: "対象にならない電話番号（携帯電話、050、使われていない番号）",
    letter:
      "お書きいただいた電話番号は、このお申し込みの対象になりませんでした。対象は、市外局番から始まる固定電話の番号（ひかり電話を含みます）です。携帯電話、050から始まるIP電話、使われていない番号は対象になりません。",
  },
  not_our_form: {
    label: "センターの申込書ではない書類",
    letter: "お送りいただいた書類は、センターの申込書ではありませんでした。そのため、お申し込みとしてお受けできませんでした。",
  },
  blank_or_unreadable: {
    label: "白紙、または字が読めない",
    letter: "お送りいただいた申込書は、白紙だったか、字を読み取ることができませんでした。そのため、お申し込みとしてお受けできませんでした。",
  },
  duplicate: {
    label: "同じページが重ねて届いた",
    hint: "先に届いたページで手続きをするので、手紙は送りません。",
    letter: null,
  },
  subscriber_refused: {
    label: "ご契約の電話で、ご契約者が同意されなかった",
    hint: "センターからの確認の電話で、ご契約者が2（心当たりがない）を押したページです。",
    letter:
      "お書きいただいた電話番号に、センターから確認のお電話をしましたが、ご契約の方から、お申し込みのとおりに進める同意をいただけませんでした。そのため、お申し込みとしてお受けできませんでした。電話番号の書きまちがいのときや、あらためてお申し込みになるときは、下のいずれかの方法でお申し込みください。",
  },
  nothing_to_cancel: {
    label: "解除の申出書の電話番号に、センターで止めたものがない",
    hint: "この回線には、センターで受け付けたお申し込みがありません。センターで元に戻すものはありません。",
    letter:
      "お書きいただいた電話番号には、センターで国際電話を止める手続きをした記録がありません。そのため、センターでの解除の手続きはいりません。電話番号を書きまちがえたときは、正しい番号を書いて、あらためて解除の申出書をお送りください。",
  },
  cancellation_open: {
    label: "同じ電話番号の解除のお申し出が、すでに手続き中",
    hint: "先に届いたお申し出で手続きを進めます（ご契約の電話での確認も、そのお申し出で行います）。",
    letter:
      "お書きいただいた電話番号には、すでに解除のお申し出が届いていて、そのお申し出で手続きを進めています。国際電話を元に戻すには、センターからご契約の電話にかける確認のお電話で、ご契約の方が「1」を押すことが必要です。",
  },
  other: {
    label: "その他（メモに理由を書く）",
    hint: "メモに書いた理由は、送り主への手紙にそのまま書かれます。",
    letter: "お送りいただいた申込書は、次の理由で、お申し込みとしてお受けできませんでした。",
  },
};

/** Why a needs_review application cannot be accepted (「お受けできない」). Recorded in the event and audit detail. */
export const REJECT_REASONS = ["subscriber_refused", "line_unreachable", "number_not_eligible", "duplicate", "other"] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export function isRejectReason(value: unknown): value is RejectReason {
  return typeof value === "string" && (REJECT_REASONS as readonly string[]).includes(value);
}

export const REJECT_REASON_INFO: Readonly<Record<RejectReason, { label: string; hint?: string; letter: string | null }>> = {
  subscriber_refused: {
    label: "回線の契約者が、このお申し込みを望んでいない",
    letter: "お申し込みの電話番号にお電話したところ、ご契約の方から、このお申し込みを望まないとのお答えがありました。そのため、お申し込みをお受けできませんでした。",
  },
  line_unreachable: {
    label: "何度電話しても、回線で確かめられない",
    letter: "お申し込みの電話番号に何度かお電話しましたが、ご契約の方に確かめることができませんでした。そのため、お申し込みをお受けできませんでした。",
  },
  number_not_eligible: {
    label: "対象にならない電話番号（携帯電話、050、使われていない番号）",
    letter:
      "お申し込みの電話番号は、対象になりませんでした。対象は、市外局番から始まる固定電話の番号（ひかり電話を含みます）です。携帯電話、050から始まるIP電話、使われていない番号は対象になりません。",
  },
  duplicate: {
    label: "同じお申し込みが重なっている",
    hint: "先のお申し込みで手続きをするので、手紙は送りません。",
    letter: null,
  },
  other: {
    label: "その他（メモに理由を書く）",
    hint: "メモに書いた理由は、申込者への手紙にそのまま書かれます。",
    letter: "お申し込みは、次の理由で、お受けできませんでした。",
  },
};

/** The short label and the help text of a reason code stored on a scan (OCR exception, line answer, or close reason). */
export function scanReason(code: string | null | undefined): ReasonText | null {
  if (!code) return null;
  if (Object.hasOwn(OCR_EXCEPTION_LABELS, code)) return { label: OCR_EXCEPTION_LABELS[code as IntakeExceptionReason], help: EXCEPTION_MESSAGES[code as IntakeExceptionReason] };
  if (Object.hasOwn(HOLD_REASONS, code)) return HOLD_REASONS[code]!;
  if (isCloseReason(code)) return { label: CLOSE_REASON_INFO[code].label, help: "申し込みにできないページとして、終わりにしました。" };
  return { label: code, help: "" };
}

/**
 * A letter's text to someone whose page or application could not be accepted: why, and how to apply
 * (from the line by phone, on the web, or with a new form). Paragraphs are separated by a blank line.
 */
export function notAcceptedLetterText(
  about: "paper" | "application",
  reason: string,
  note: string | null,
  ways: { centrePhone: string; webUrl: string },
): string {
  return [
    about === "paper" ? "国際電話不取扱受付センターに、書類をお送りいただき、ありがとうございました。" : "国際電話不取扱受付センターに、お申し込みをいただき、ありがとうございました。",
    note ? `${reason}\n理由：${note}` : reason,
    [
      "国際電話を止めるお申し込みは、次のどれかの方法でできます。",
      `・止めたい電話から、センター（${ways.centrePhone}）にお電話ください（自動音声で24時間）。`,
      `・ウェブサイト（${ways.webUrl}）からお申し込みください。`,
      "・新しい申込書をお送りします。センターにお電話ください。",
    ].join("\n"),
  ].join("\n\n");
}
