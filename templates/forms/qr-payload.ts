/**
 * What the QR code on a form says: form type, layout version and, on forms mailed on request,
 * the request id. Pure: used by the templates (encode) and the OCR (decode).
 *
 * Format: `KKF:<type code>:<version>[:<request id>]`, e.g. `KKF:AP:1:R8K2M4Q7`.
 * Only QR "alphanumeric mode" characters (0-9 A-Z space $%*+-./:) are used, which packs 5.5 bits
 * per character: the code stays at a low QR version with big modules, which is what survives a
 * 98 dpi FAX.
 */
import type { FormType } from "./layout";

export const QR_PREFIX = "KKF";

const TYPE_CODES: Readonly<Record<FormType, string>> = { application: "AP", cancellation: "CA" };

/** Request ids are what the mail queue gives out; uppercase letters, digits and hyphens. */
const REQUEST_ID_PATTERN = /^[0-9A-Z-]{1,40}$/;

export type QrPayload = { formType: FormType; version: string; requestId?: string };

export function encodeQrPayload(payload: QrPayload): string {
  const parts = [QR_PREFIX, TYPE_CODES[payload.formType], payload.version];
  if (payload.requestId !== undefined) {
    const id = payload.requestId.toUpperCase();
    if (!REQUEST_ID_PATTERN.test(id)) {
      throw new RangeError("A request id on a form must be 1–40 characters of 0-9, A-Z and '-'");
    }
    parts.push(id);
  }
  return parts.join(":");
}

/** The payload, or undefined when the text is not one of our QR codes. */
export function decodeQrPayload(text: string): QrPayload | undefined {
  const parts = text.trim().split(":");
  if (parts.length < 3 || parts.length > 4 || parts[0] !== QR_PREFIX) return undefined;
  const formType = (Object.keys(TYPE_CODES) as FormType[]).find((t) => TYPE_CODES[t] === parts[1]);
  const version = parts[2] ?? "";
  if (!formType || !/^[0-9A-Z]+$/.test(version)) return undefined;
  const requestId = parts[3];
  if (requestId !== undefined && !REQUEST_ID_PATTERN.test(requestId)) return undefined;
  return requestId === undefined ? { formType, version } : { formType, version, requestId };
}
