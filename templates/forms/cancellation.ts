/**
 * 国際電話不取扱 解除・取り消しの申込書 (release / withdrawal form), blank or prefilled.
 * Geometry: cancellation.layout.json (shared with the OCR).
 */
import type { CentreContact } from "../centre";
import { createDocument, renderToBuffer } from "../pdf";
import { drawForm } from "./draw-form";
import { currentLayout } from "./layout";
import { pdfPainter } from "./pdf-painter";
import { encodeQrPayload } from "./qr-payload";
import { drawSendTo } from "./send-to";

export const CANCELLATION_LAYOUT = currentLayout("cancellation");

export interface CancellationPrefill {
  phone?: string;
  /** 11-digit reference number (受付番号). */
  reference?: string;
  name?: string;
  kana?: string;
}

export interface CancellationFormOptions {
  requestId?: string;
  /** The centre's FAX, address and phone, printed beside the QR code as where to send the form (issue 15). */
  centre?: CentreContact;
  prefill?: CancellationPrefill;
  creationDate?: Date;
  /** Leave content streams uncompressed (tests read the drawing operators). Default true. */
  compress?: boolean;
}

export function cancellationPrefillValues(prefill: CancellationPrefill = {}): Record<string, string | undefined> {
  return {
    phone: prefill.phone?.replace(/\D/g, ""),
    reference: prefill.reference?.replace(/\D/g, ""),
    name: prefill.name,
    kana: prefill.kana,
  };
}

export async function renderCancellationForm(options: CancellationFormOptions = {}): Promise<Buffer> {
  const layout = CANCELLATION_LAYOUT;
  const doc = createDocument({
    title: layout.title,
    subject: options.requestId ? `ご請求番号 ${options.requestId}` : undefined,
    creationDate: options.creationDate,
    compress: options.compress,
    margins: { top: 0, bottom: 0, left: 0, right: 0 },
  });
  drawForm(pdfPainter(doc), layout, {
    qrPayload: encodeQrPayload({ formType: layout.formType, version: layout.version, requestId: options.requestId }),
    prefill: cancellationPrefillValues(options.prefill),
  });
  if (options.centre) drawSendTo(doc, options.centre);
  return renderToBuffer(doc);
}
