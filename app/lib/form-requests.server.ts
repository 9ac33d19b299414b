/**
 * Prefilled paper forms asked for on the web (issue 15, point 2). Printed at home: the PDF is made
 * at once and nothing is stored. Mailed: a letter goes into the same print queue as phone menu 3
 * (template "application-form-prefilled": cover letter + prefilled form whose QR code carries the
 * request number), and the request number lets the person check how far it has gone.
 *
 * The typed line is not trusted: unlike a phone request (the caller ID is the line), nothing ties a
 * web request to the line, so lineFromFormRequest never resolves web request numbers; the printed
 * number is read back by the OCR and confirmed by the line's own call like any paper form.
 */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { outbox } from "../../db/schema";
import { renderApplicationForm } from "../../templates/forms/application";
import { makeRequestNumber, REQUEST_NUMBER_PATTERN, type FormRequest } from "../domain/form-request";
import type { CentreContact } from "./centre-contact";
import { checkLimit, recordHit, type RateLimit } from "./rate-limit.server";
import type { Services } from "./services.server";

export const FORM_REQUEST_TEMPLATE = "application-form-prefilled";
/** Flash cookie carrying a refused submission back to /forms/request. */
export const FORM_REQUEST_COOKIE = "form_request_flash";

const idempotencyKeyOf = (requestNumber: string) => `web-form:${requestNumber}`;

export function newRequestNumber(): string {
  return makeRequestNumber(randomBytes(8));
}

function prefillOf(request: FormRequest) {
  return {
    phone: `0${request.number.slice(3)}`,
    name: request.name,
    kana: request.kana,
    postalCode: request.postalCode,
    address: request.address,
  };
}

/** The prefilled form to print at home (A4 PDF, the request number in its QR code). */
export function prefilledFormPdf(request: FormRequest, requestNumber: string, centre: CentreContact): Promise<Buffer> {
  return renderApplicationForm({ requestId: requestNumber, prefill: prefillOf(request), centre });
}

/**
 * Mailed forms per client per hour: a booth sends several, but nobody may fill the print queue (every
 * letter costs postage and an operator's hands).
 */
export const MAILED_FORM_LIMIT: RateLimit = { bucket: "form_request.mail", max: 10, windowMs: 3600_000 };

/** Puts the cover letter and the prefilled form in the letter print queue; returns the outbox row id. */
export async function queueMailedForm(services: Services, request: FormRequest, requestNumber: string, ip: string): Promise<{ kind: "queued"; outboxId: string } | { kind: "limited" }> {
  if ((await checkLimit(services, MAILED_FORM_LIMIT, ip)).limited) return { kind: "limited" };
  const outboxId = await services.db.transaction(async (tx) => {
    await recordHit(services, MAILED_FORM_LIMIT, ip, tx);
    const outboxId = await services.comms.queueLetter(
      {
        idempotencyKey: idempotencyKeyOf(requestNumber),
        purpose: "form_request",
        to: [`〒${request.postalCode}`, request.address ?? "", `${request.name} 様`].join(" "),
        template: FORM_REQUEST_TEMPLATE,
        data: {
          requestId: requestNumber,
          channel: "web",
          number: request.number,
          name: request.name,
          kana: request.kana ?? null,
          postalCode: request.postalCode ?? null,
          address: request.address ?? null,
        },
      },
      tx,
    );
    await services.audit.record({ actor: "applicant", action: "form_request.create", subjectType: "outbox", subjectId: outboxId, ip, detail: { channel: "web" } }, tx);
    return outboxId;
  });
  return { kind: "queued", outboxId };
}

export type MailedFormStatus = "queued" | "printed" | "mailed" | "held";

/** How far a mailed form has gone, by request number; null when there is no such request. */
export async function mailedFormStatus(services: Pick<Services, "db">, requestNumber: string): Promise<MailedFormStatus | null> {
  if (!REQUEST_NUMBER_PATTERN.test(requestNumber)) return null;
  const [row] = await services.db.select({ status: outbox.status }).from(outbox).where(eq(outbox.idempotencyKey, idempotencyKeyOf(requestNumber)));
  if (!row) return null;
  if (row.status === "printed" || row.status === "mailed" || row.status === "held") return row.status;
  return "queued";
}
