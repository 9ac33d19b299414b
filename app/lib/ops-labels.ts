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
