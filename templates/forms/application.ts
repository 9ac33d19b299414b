/**
 * 国際電話不取扱 申込書 (application form), blank or prefilled.
 *
 * Blank forms are downloaded from /forms and handed out at police booths; prefilled ones are
 * mailed on request with the number, name and address already printed and the request id in the
 * QR code, so the returned form is matched to the request without keying anything.
 * Geometry: application.layout.json (shared with the OCR).
 */
import type { CentreContact } from "../centre";
import { createDocument, renderToBuffer } from "../pdf";
import { drawForm } from "./draw-form";
import { currentLayout } from "./layout";
import { pdfPainter } from "./pdf-painter";
import { encodeQrPayload } from "./qr-payload";
import { drawSendTo } from "./send-to";

export const APPLICATION_LAYOUT = currentLayout("application");

export interface ApplicationPrefill {
  /** National digits, e.g. "0312345678" (hyphens are removed). */
  phone?: string;
  name?: string;
  kana?: string;
  /** 7 digits, with or without a hyphen. */
  postalCode?: string;
  /** Up to two lines; a single string is split at the first "\n". */
  address?: string;
}

export interface ApplicationFormOptions {
  /** Set on forms mailed on request: printed in the QR code. */
  requestId?: string;
  /** The centre's FAX, address and phone, printed beside the QR code as where to send the form (issue 15). */
  centre?: CentreContact;
  prefill?: ApplicationPrefill;
  /** Fixed /CreationDate for reproducible bytes (tests, archives). */
  creationDate?: Date;
  /** Leave content streams uncompressed (tests read the drawing operators). Default true. */
  compress?: boolean;
}

/** The printed values of a prefilled form, by layout field name. */
export function applicationPrefillValues(prefill: ApplicationPrefill = {}): Record<string, string | undefined> {
  return {
    phone: prefill.phone?.replace(/\D/g, ""),
    name: prefill.name,
    kana: prefill.kana,
    postalCode: prefill.postalCode?.replace(/\D/g, ""),
    address: prefill.address,
  };
}

export async function renderApplicationForm(options: ApplicationFormOptions = {}): Promise<Buffer> {
  const layout = APPLICATION_LAYOUT;
  const doc = createDocument({
    title: layout.title,
    subject: options.requestId ? `ご請求番号 ${options.requestId}` : undefined,
    creationDate: options.creationDate,
    compress: options.compress,
    margins: { top: 0, bottom: 0, left: 0, right: 0 },
  });
  drawForm(pdfPainter(doc), layout, {
    qrPayload: encodeQrPayload({ formType: layout.formType, version: layout.version, requestId: options.requestId }),
    prefill: applicationPrefillValues(options.prefill),
  });
  if (options.centre) drawSendTo(doc, options.centre);
  return renderToBuffer(doc);
}
