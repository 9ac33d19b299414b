/**
 * A cancellation page that the cancellation service does not file (issue 11 point 5): when the line
 * was read for certain and a person could add nothing, the page ends with its reason recorded and no
 * queue item — the centre holds nothing for the line, or a request for it is already open (that
 * request carries its own call to the line). A number only worth a call, or a line whose application
 * page is still waiting, stays one paper queue item. Readings are built by hand so each case is certain.
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { auditLog, cancellations, lines, outbox, scans } from "../../db/schema";
import { lineView } from "../../app/lib/timeline.server";
import { CLOSE_REASON_INFO } from "../../app/lib/review-reasons";
import { routeReadScan } from "../../app/lib/paper-confirmation.server";
import { upsertLine } from "../../app/lib/verification.server";
import { listQueue } from "../../app/lib/queues.server";
import type { FieldReading } from "../../app/lib/ocr/types";
import { createTestServices, type TestServices } from "../support/services";
import { checkbox, readText, storeReadPage } from "../support/paper";
import { applicationIn } from "../support/cancellations";

let services: TestServices;

beforeAll(async () => {
  services = await createTestServices();
  services.clock.set("2026-11-24T01:00:00Z");
});
afterAll(async () => {
  await services.close();
});

/** A cancellation page from the subscriber for `phone`, its number read at the acceptance confidence or only well enough for a call. */
function cancellationReading(phone: string, lineAccepted: boolean): FieldReading[] {
  return [
    readText("phone", "digits", phone, lineAccepted),
    checkbox("relation", "self", true),
    checkbox("relation", "family", false),
    checkbox("relation", "other", false),
    checkbox("reason", "need-international", true),
    checkbox("reason", "not-requested", false),
    checkbox("reason", "family-applied", false),
    checkbox("reason", "other", false),
  ];
}

const storedPage = (formType: "application" | "cancellation", fields: FieldReading[], status: "ocr_done" | "confirming" = "ocr_done", lineId: string | null = null) =>
  storeReadPage(services, formType, fields, { status, lineId });
const scanOf = async (id: string) => (await services.db.select().from(scans).where(eq(scans.id, id)))[0]!;
const inPaperQueue = async (scanId: string) => (await listQueue(services, "paper", randomUUID())).filter((item) => item.id === scanId).length;
const closeAudit = async (scanId: string) => (await services.db.select().from(auditLog).where(and(eq(auditLog.subjectId, scanId), eq(auditLog.action, "scan.close"))))[0]?.detail;

describe("a cancellation page the cancellation service does not file", () => {
  it("ends with 'nothing to cancel' recorded, and no person, when the line read for certain holds nothing", async () => {
    const scanId = await storedPage("cancellation", cancellationReading("0312345801", true));
    expect(await routeReadScan(services, scanId)).toBe("closed");
    expect(await scanOf(scanId)).toMatchObject({ status: "closed", exceptionReason: "nothing_to_cancel", cancellationId: null });
    expect(await closeAudit(scanId)).toMatchObject({ reason: "nothing_to_cancel", previousStatus: "ocr_done", letter: null });
    expect(await inPaperQueue(scanId)).toBe(0);
    // The form has no address: no letter is queued. Routing again changes nothing.
    expect(await services.db.select().from(outbox).where(eq(outbox.idempotencyKey, `scan-closed-letter:${scanId}`))).toHaveLength(0);
    expect(await routeReadScan(services, scanId)).toBe("held");
    expect(await scanOf(scanId)).toMatchObject({ status: "closed" });
    // The page is on the line's record, with why it ended, for when the sender calls the centre.
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, "+81312345801"));
    const view = await lineView(services, line!.id);
    expect(view!.timeline.filter((entry) => entry.kind === "paper")).toMatchObject([
      { title: "紙・FAXの解除の申出書が届きました", detail: null },
      { title: "紙・FAXの解除の申出書：解除の手続きはせず、終わりにしました", detail: `${CLOSE_REASON_INFO.nothing_to_cancel.label}／手紙は送っていません（宛先の住所がわからないため）` },
    ]);
  });

  it("ends as a duplicate of the open request for the line, which keeps its own call to the subscriber", async () => {
    await applicationIn(services, { e164: "+81312345802", status: "completed" });
    const first = await storedPage("cancellation", cancellationReading("0312345802", true));
    expect(await routeReadScan(services, first)).toBe("cancellation");
    const { cancellationId } = await scanOf(first);
    const second = await storedPage("cancellation", cancellationReading("0312345802", true));
    expect(await routeReadScan(services, second)).toBe("closed");
    expect(await scanOf(second)).toMatchObject({ status: "closed", exceptionReason: "cancellation_open" });
    expect(await inPaperQueue(second)).toBe(0);
    // Still one request for the line.
    expect((await services.db.select().from(cancellations).where(eq(cancellations.id, cancellationId!))).length).toBe(1);
    expect(await services.db.select().from(cancellations).where(eq(cancellations.idempotencyKey, `paper:${second}`))).toHaveLength(0);
  });

  it("is one queue item when the number was only worth a call: a misread must not end the real sender's request", async () => {
    const scanId = await storedPage("cancellation", cancellationReading("0312345803", false));
    expect(await routeReadScan(services, scanId)).toBe("held");
    expect(await scanOf(scanId)).toMatchObject({ status: "needs_review", exceptionReason: "not_routable" });
    expect(await inPaperQueue(scanId)).toBe(1);
  });

  it("is one queue item when an application page for the line still waits for the line's answer", async () => {
    const lineId = await upsertLine(services.db, "+81312345804", services.now());
    await storedPage("application", [], "confirming", lineId);
    const scanId = await storedPage("cancellation", cancellationReading("0312345804", true));
    expect(await routeReadScan(services, scanId)).toBe("held");
    expect(await scanOf(scanId)).toMatchObject({ status: "needs_review", exceptionReason: "not_routable" });
    expect(await inPaperQueue(scanId)).toBe(1);
  });
});
