/**
 * Paper pages in tests: webhooks signed as Twilio signs them, and pages as the OCR stores them, built
 * by hand so that each case is certain (issue 11).
 */
import { randomUUID } from "node:crypto";
import { paperIntakes, scans } from "../../db/schema";
import type { FieldReading } from "../../app/lib/ocr/types";
import type { Services } from "../../app/lib/services.server";
import { ivrAuthToken, signTwilioRequest } from "../../app/lib/twilio-webhook.server";
import type { TestServer } from "./http";

/** Posts to an IVR webhook signed as Twilio signs it (over the public URL). */
export async function postAsTwilio(server: TestServer, services: Services, url: string, params: Record<string, string>) {
  const pathname = url.replace(services.config.publicBaseUrl, "");
  const response = await fetch(`${server.url}${pathname}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Twilio-Signature": signTwilioRequest(ivrAuthToken(services.config), `${services.config.publicBaseUrl}${pathname}`, params),
    },
    body: new URLSearchParams(params),
  });
  return { status: response.status, text: await response.text() };
}

const box = { x: 0, y: 0, width: 10, height: 10 };

/** A box read for certain, ticked or not. */
export const checkbox = (group: string, choice: string, value: boolean): FieldReading => ({ name: `${group}.${choice}`, kind: "checkbox", group, choice, value, confidence: 0.99, accepted: true, problems: [], box });

/** A field read at the acceptance confidence (`accepted`), or only below it. */
export const readText = (name: string, kind: FieldReading["kind"], value: string, accepted: boolean): FieldReading => ({
  name,
  kind,
  value,
  confidence: accepted ? 0.995 : 0.9,
  accepted,
  problems: [],
  box,
});

/** Stores a page as the OCR leaves it (`ocr_done` unless told), with its readings sealed; returns the scan id. */
export async function storeReadPage(
  services: Services,
  formType: "application" | "cancellation",
  fields: FieldReading[],
  options: { status?: "ocr_done" | "confirming"; lineId?: string | null } = {},
): Promise<string> {
  const [intake] = await services.db
    .insert(paperIntakes)
    .values({ source: "fax_folder", contentType: "image/png", fileSha256: randomUUID(), pageCount: 1, createdAt: services.now() })
    .returning({ id: paperIntakes.id });
  const stored = { formType, formVersion: "1", requestId: null, alignment: null, fields, needsReview: [] };
  const [scan] = await services.db
    .insert(scans)
    .values({
      intakeId: intake!.id,
      pageNumber: 1,
      imageEnc: services.pii.sealBytes(Buffer.from("page")),
      status: options.status ?? "ocr_done",
      lineId: options.lineId ?? null,
      formType,
      fieldsEnc: services.pii.seal(JSON.stringify(stored)),
      createdAt: services.now(),
      updatedAt: services.now(),
    })
    .returning({ id: scans.id });
  return scan!.id;
}
