/**
 * The OCR step of paper intake: read one scanned page and store what was read (sealed) for the
 * verification screen, or send the page to the exceptions queue with the reason.
 */
import { and, eq, inArray, lt } from "drizzle-orm";
import { scans } from "../../db/schema";
import { JOB_NAMES } from "./jobs";
import { routeReadScan } from "./paper-confirmation.server";
import { decodeRaster } from "./ocr/decode-image.server";
import type { FormReader, FormPageResult } from "./ocr/read-form.server";
import type { Services } from "./services.server";

/** What scans.fields_enc holds: the page result, for the verification screen. */
export type StoredReading = Pick<FormPageResult, "formType" | "formVersion" | "requestId" | "alignment" | "fields" | "needsReview">;

export async function readScan(services: Services, reader: FormReader, scanId: string): Promise<void> {
  const { db, pii } = services;
  const [scan] = await db.select().from(scans).where(eq(scans.id, scanId));
  // Only pages still waiting are read: a retried job after success does nothing.
  if (!scan || scan.status !== "pending") return;
  const image = await decodeRaster(pii.openBytes(scan.imageEnc));
  const result = await reader.readPage(image, { lowResolution: scan.lowResolution });
  if (!result.ok) {
    await db
      .update(scans)
      .set({
        status: "exception",
        exceptionReason: result.reason,
        formType: result.formType ?? null,
        formVersion: result.formVersion ?? null,
        requestId: result.requestId ?? null,
        updatedAt: services.now(),
      })
      .where(and(eq(scans.id, scanId), eq(scans.status, "pending")));
    services.logger.info({ scanId, reason: result.reason }, "scan sent to exceptions");
    return;
  }
  const stored: StoredReading = {
    formType: result.formType,
    formVersion: result.formVersion,
    requestId: result.requestId,
    alignment: result.alignment,
    fields: result.fields,
    needsReview: result.needsReview,
  };
  await db
    .update(scans)
    .set({
      status: result.needsReview.length > 0 ? "needs_review" : "ocr_done",
      formType: result.formType,
      formVersion: result.formVersion,
      requestId: result.requestId ?? null,
      fieldsEnc: pii.seal(JSON.stringify(stored)),
      updatedAt: services.now(),
    })
    .where(and(eq(scans.id, scanId), eq(scans.status, "pending")));
  services.logger.info({ scanId, formType: result.formType, toReview: result.needsReview.length, seconds: result.seconds }, "scan read");
  // The line confirms, not a person: a page whose line and request are decided goes on by itself.
  const routed = await routeReadScan(services, scanId);
  services.logger.info({ scanId, routed }, "scan routed");
}

/** Pages left pending (their job lost) are queued again; the singleton key drops duplicates. */
export async function sweepScans(services: Services): Promise<void> {
  const stale = await services.db
    .select({ id: scans.id })
    .from(scans)
    .where(and(inArray(scans.status, ["pending"]), lt(scans.updatedAt, new Date(services.now().getTime() - 10 * 60_000))))
    .limit(200);
  for (const row of stale) await services.queue.enqueue(JOB_NAMES.readScan, { scanId: row.id }, { singletonKey: row.id });
}
