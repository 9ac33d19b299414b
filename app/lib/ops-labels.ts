/** Labels and limits the back-office pages show (plain data: read by the server and in the browser). */
import { CARRIER_CHOICE_LABELS, type CarrierChoice } from "../domain/carriers";

export const CHANNEL_LABELS: Readonly<Record<string, string>> = { web: "ウェブ", ivr: "電話（自動音声）", paper: "郵送・FAX", operator: "職員入力" };
export const RELATION_LABELS: Readonly<Record<string, string>> = { self: "契約者本人", family: "家族", other: "その他（支援者など）" };

export function carrierChoiceLabel(choice: string): string {
  return CARRIER_CHOICE_LABELS[choice as CarrierChoice] ?? choice;
}

/** Letters per print run (one PDF): a batch a person can fold and check in one sitting. */
export const MAX_LETTERS_PER_BATCH = 200;

/** Usernames: lower-case letters, digits and . _ -, 3 to 32 characters. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,31}$/;

/** Operators' own passwords (argon2id): long rather than complicated. */
export const MIN_PASSWORD_LENGTH = 12;

/** What a person sees for a code no table knows yet: never the internal code itself (issue 16, point 7). */
export const UNKNOWN_RECORD = "その他の記録";

/** Events the cancellation service writes besides the domain's own (CANCELLATION_EVENT_LABELS). */
export const CANCELLATION_SERVICE_EVENT_LABELS: Readonly<Record<string, string>> = {
  received: "お申し出を受付",
  call_placed: "ご契約の回線に確認の電話",
  applicant_notified: "最初の申込者に通知",
  requester_notified: "申出者に結果を通知",
  kind_changed: "種類を変更（送付済みのため解除として扱う）",
  intake_call_unanswered: "確認の電話に応答なし",
  answer_not_used: "電話の応答（使われず）",
  carrier_orders_cancelled: "電話会社への依頼を取り消し",
  resume_ordered: "休止の解除を電話会社に依頼",
};
