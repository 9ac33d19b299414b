/**
 * The blank forms served by /forms (issue 15, point 1): A4, vector, fonts embedded, with the centre's
 * FAX number, postal address and phone from configuration printed beside the QR code. Blank forms
 * are the same for everyone: rendered once per process and configuration.
 */
import { renderApplicationForm } from "../../templates/forms/application";
import { renderCancellationForm } from "../../templates/forms/cancellation";
import type { CentreContact } from "./centre-contact";

export type BlankForm = "application" | "cancellation";

const cache = new Map<string, Promise<Buffer>>();

export function blankFormPdf(form: BlankForm, centre: CentreContact): Promise<Buffer> {
  const key = `${form}:${JSON.stringify(centre)}`;
  let pdf = cache.get(key);
  if (!pdf) {
    pdf = form === "application" ? renderApplicationForm({ centre }) : renderCancellationForm({ centre });
    pdf.catch(() => cache.delete(key));
    cache.set(key, pdf);
  }
  return pdf;
}

export function pdfResponse(pdf: Buffer, filename: string, disposition: "inline" | "attachment" = "attachment", cache: "public" | "private" = "public"): Response {
  return new Response(new Uint8Array(pdf), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `${disposition}; filename="${filename}"`,
      "Content-Length": String(pdf.length),
      "Cache-Control": cache === "public" ? "public, max-age=3600" : "private, no-store",
    },
  });
}
