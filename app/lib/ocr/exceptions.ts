/** What the exceptions queue says about a page the OCR could not take (plain Japanese). */
import type { DecodeFailureReason } from "./safe-decode-limits";
import type { ExceptionReason } from "./types";

/** Every code a scan in the exceptions queue can carry: the OCR's, and the file decoder's (safe-decode-limits.ts). */
export type IntakeExceptionReason = ExceptionReason | DecodeFailureReason;

export const EXCEPTION_MESSAGES: Readonly<Record<IntakeExceptionReason, string>> = {
  unreadable_file: "ファイルを開けませんでした。もう一度スキャンするか、送り主に確かめてください。",
  not_a_form: "センターの申込書ではないようです。内容を見て、手で処理してください。",
  marks_not_found:
    "申込書の四すみの黒い四角が見つかりませんでした。紙の端が切れているか、うすすぎます。画像を見て入力してください。",
  qr_unreadable: "右上のQRコードが読めませんでした。用紙の種類を選んで、手で入力してください。",
  unknown_form: "この申込書の版は、まだ読み取りに対応していません。手で入力してください。",
  file_too_large: "ファイルが大きすぎます（1ファイル20MBまで）。分けて送ってもらってください。",
  image_too_large:
    "画像が大きすぎるため、読みませんでした（1ページ4000万画素まで）。600dpi以下でスキャンし直すよう、送り主に頼んでください。",
  too_many_pages: "ページが多すぎるため、読みませんでした（1ファイル20ページまで）。分けてアップロードしてください。",
  decode_timeout: "ファイルを読むのに時間がかかりすぎたため、途中でやめました。ファイルがこわれているおそれがあります。送り主に確かめてください。",
  decode_failed: "ファイルを読む途中で止まりました。ファイルがこわれているおそれがあります。送り主に確かめてください。",
};
