/**
 * The letter templates the print queue knows: outbox rows with channel 'letter' name one in
 * `template`, with their sealed JSON `data`. Each entry draws its pages with the usual
 * createDocument()/renderToBuffer(); the print queue calls it inside drawInto(batchDocument, …), so
 * every letter of a batch becomes pages of one PDF, each starting with the address block that shows
 * through the window of a 長形3号 envelope.
 *
 * A template name nobody registered is printed with the generic letter, never dropped.
 */
import { renderApplicationForm } from "../forms/application";
import { renderCoverLetter } from "../forms/cover-letter";
import { formatDisplay as formatDisplayNumber } from "../../app/domain/phone";
import type { CentreContact } from "../centre";
import { japaneseDate, renderGenericLetter, type LetterRecipient } from "./generic";
import { COMPLETION_LETTER_TEMPLATE, isCompletionLetterData, renderCompletionLetter } from "./completion";

export type { LetterRecipient };

export type LetterContext = {
  recipient: LetterRecipient;
  /** The print date (the letter's date, and /CreationDate of standalone renders). */
  date: Date;
  centrePhone: string;
  /** The centre's FAX, address and hours too (issue 15, point 3); absent in older callers. */
  centre?: CentreContact;
  purpose: string;
};

export type LetterTemplate = {
  /** For the print queue's list. */
  label: string;
  /** Draws the letter's pages (call inside drawInto to add them to a batch). */
  draw(data: Record<string, unknown>, context: LetterContext): Promise<void>;
};

const str = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value : null);

function genericDraw(title: string) {
  return async (data: Record<string, unknown>, context: LetterContext) => {
    const rows: [string, string][] = [];
    const number = str(data.number);
    if (number) rows.push(["電話番号", formatDisplayNumber(number)]);
    const reference = str(data.reference);
    if (reference) rows.push(["受付番号", reference]);
    const until = str(data.until);
    if (until) rows.push(["期限", japaneseDate(new Date(until))]);
    const text = str(data.text) ?? str(data.body) ?? "このお手紙について、わからないことがありましたら、センターにお電話ください。";
    await renderGenericLetter({ recipient: context.recipient, title, paragraphs: text.split(/\n{2,}/), rows, reference, centrePhone: context.centrePhone, centre: context.centre, date: context.date });
  };
}

export const GENERIC_LETTER: LetterTemplate = { label: "お知らせ（汎用）", draw: genericDraw(`${"国際電話不取扱受付センター"}からのお知らせ`) };

export const LETTER_TEMPLATES: Readonly<Record<string, LetterTemplate>> = {
  [COMPLETION_LETTER_TEMPLATE]: {
    label: "手続き完了のお知らせ",
    async draw(data, context) {
      if (isCompletionLetterData(data)) await renderCompletionLetter({ ...data, centre: data.centre ?? context.centre }, { creationDate: context.date });
      else await GENERIC_LETTER.draw(data, context);
    },
  },
  "application-form-prefilled": {
    label: "申込書の郵送（記入済み申込書と送り状）",
    async draw(data, context) {
      const requestId = str(data.requestId) ?? undefined;
      await renderCoverLetter({
        recipient: context.recipient,
        requestId,
        date: context.date,
        contactPhone: context.centrePhone,
        returnFax: context.centre?.fax,
        returnAddress: context.centre?.postalAddress,
        operatorHours: context.centre?.operatorHours,
      });
      const number = str(data.number);
      await renderApplicationForm({
        requestId,
        centre: context.centre,
        creationDate: context.date,
        prefill: {
          phone: number ? number.replace(/^\+81/, "0") : undefined,
          name: str(data.name) ?? undefined,
          kana: str(data.kana) ?? undefined,
          postalCode: str(data.postalCode) ?? undefined,
          address: str(data.address) ?? undefined,
        },
      });
    },
  },
  "cancellation-cooling-off": {
    label: "解除のお申し出についてのお知らせ",
    draw: genericDraw("国際電話の休止を解除するお申し出について"),
  },
};

export function letterTemplate(name: string | null | undefined): LetterTemplate {
  return (name && LETTER_TEMPLATES[name]) || GENERIC_LETTER;
}
