/**
 * Where a person asks a carrier directly for what the centre cannot send it (issue 15, point 4):
 * today NTT東日本／西日本 take 発信休止 only from their own subscribers. Data, not code: which scope
 * a carrier takes through the centre is in carrier_capabilities; this is only how to reach the
 * carrier's own desk. Pure.
 */
import { applyDirectlyMessage, CARRIER_NAMES, SCOPE_DESCRIPTIONS, SCOPE_LABELS, type CarrierCode, type Scope } from "./carriers";

export type CarrierDirectContact = {
  /** What to dial from the line itself, e.g. "116". */
  phone: string;
  /** How to say it in a sentence: 「局番なしの116」. */
  phoneSpoken: string;
  /** From a mobile phone. */
  mobilePhone?: string;
  hours: string;
};

export const CARRIER_DIRECT_CONTACTS: Readonly<Partial<Record<CarrierCode, CarrierDirectContact>>> = {
  "ntt-east": { phone: "116", phoneSpoken: "局番なしの116", mobilePhone: "0120-116-000", hours: "午前9時〜午後5時（年末年始をのぞく）" },
  "ntt-west": { phone: "116", phoneSpoken: "局番なしの116", mobilePhone: "0120-116-116", hours: "午前9時〜午後5時（年末年始をのぞく）" },
};

export type DirectReminder = {
  carrier: CarrierCode;
  carrierName: string;
  /** Scopes the centre sent to the carrier. */
  sent: Scope[];
  /** Scopes the person chose that the centre did not send: the person asks the carrier. */
  notSent: Scope[];
  contact: CarrierDirectContact | null;
};

export function directReminder(carrier: CarrierCode, sent: readonly Scope[], notSent: readonly Scope[]): DirectReminder | null {
  if (notSent.length === 0) return null;
  return { carrier, carrierName: CARRIER_NAMES[carrier], sent: [...sent], notSent: [...notSent], contact: CARRIER_DIRECT_CONTACTS[carrier] ?? null };
}

/**
 * The reminder in plain sentences, the same on the done page, the receipt, /status and the
 * completion letter: what went to the carrier, what the person must still do, and the number.
 */
export function directReminderSentences(r: DirectReminder): { title: string; sentences: string[] } {
  const sent = r.sent.map((s) => SCOPE_LABELS[s]).join("と");
  const notSent = r.notSent.map((s) => SCOPE_LABELS[s]).join("と");
  const contact = r.contact
    ? `${r.carrierName}の電話番号は、止めたい電話から${r.contact.phoneSpoken}です${r.contact.mobilePhone ? `（携帯電話からは ${r.contact.mobilePhone}）` : ""}。受付は${r.contact.hours}です。`
    : `${r.carrierName}の窓口に、お問い合わせください。`;
  return {
    title: `${notSent}は、まだ止まっていません`,
    sentences: [
      ...(sent ? [`センターから${r.carrierName}に送ったのは、${sent}だけです。`] : []),
      `${notSent}（${r.notSent.map((s) => SCOPE_DESCRIPTIONS[s].replace(/。$/, "")).join("、")}）は、センターからは申し込めません。`,
      // The same words as the scope step and the carrier results (applyDirectlyMessage), then the number.
      ...r.notSent.map((scope) => applyDirectlyMessage(r.carrier, scope)),
      contact,
    ],
  };
}
