/** What the exceptions queue says about a page the OCR could not take (plain Japanese). */
import type { ExceptionReason } from "./types";

export const EXCEPTION_MESSAGES: Readonly<Record<ExceptionReason, string>> = {
  unreadable_file: "ファイルを開けませんでした。もう一度スキャンするか、送り主に確かめてください。",
  not_a_form: "センターの申込書ではないようです。内容を見て、手で処理してください。",
  marks_not_found:
    "申込書の四すみの黒い四角が見つかりませんでした。紙の端が切れているか、うすすぎます。画像を見て入力してください。",
  qr_unreadable: "右上のQRコードが読めませんでした。用紙の種類を選んで、手で入力してください。",
  unknown_form: "この申込書の版は、まだ読み取りに対応していません。手で入力してください。",
};
