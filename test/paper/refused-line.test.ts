/**
 * A subscriber says no (2) on the line of a paper page (issue 11 point 5): the page ends with a letter
 * to the sender where an address was read, or with the reason recorded, with no person, when the call
 * surely reached the written line (read at the acceptance confidence, or from a prefilled form's QR
 * code). A number only worth a call is one paper queue item, as before. And the sweep keeps calling new pages however many
 * wait for a call-in after a message (ADR 029). Readings are built by hand so each case is certain.
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { applications, auditLog, lines, outbox, paperIntakes, scans, verifications } from "../../db/schema";
import { lineView } from "../../app/lib/timeline.server";
import { CLOSE_REASON_INFO } from "../../app/lib/review-reasons";
import { PAPER_CALL_POLICY, recordPaperAnswer, routeReadScan, sweepPaperConfirmations } from "../../app/lib/paper-confirmation.server";
import { upsertLine } from "../../app/lib/verification.server";
import { listQueue } from "../../app/lib/queues.server";
import type { FieldReading } from "../../app/lib/ocr/types";
import { createTestServices, type TestServices } from "../support/services";
import { checkbox, readText, storeReadPage } from "../support/paper";

let services: TestServices;

beforeAll(async () => {
  services = await createTestServices();
  services.clock.set("2026-11-24T01:00:00Z"); // 10:00 JST: calls ring at once
});
afterAll(async () => {
  await services.close();
});

/** A page as the OCR stores it: line `phone` (accepted or only call-worthy), with or without a readable address. */
function reading(phone: string, options: { lineAccepted: boolean; address: boolean }): FieldReading[] {
  return [
    readText("phone", "digits", phone, options.lineAccepted),
    checkbox("scope", "incoming", true),
    checkbox("scope", "outgoing", false),
    checkbox("carrier", "kddi", true),
    checkbox("carrier", "ntt-east", false),
    checkbox("relation", "self", false),
    checkbox("relation", "family", true),
    checkbox("relation", "other", false),
    readText("name", "kanji", "山田 太郎", true),
    readText("postalCode", "digits", "1000001", options.address),
    readText("address", "text", "東京都千代田区千代田1-1", options.address),
  ];
}

async function readPage(fields: FieldReading[]): Promise<string> {
  const scanId = await storeReadPage(services, "application", fields);
  expect(await routeReadScan(services, scanId)).toBe("confirming");
  return scanId;
}

async function refuse(scanId: string) {
  const [call] = await services.db.select({ id: verifications.id }).from(verifications).where(and(eq(verifications.scanId, scanId), eq(verifications.method, "callback")));
  expect(await recordPaperAnswer(services, call!.id, false)).toMatchObject({ ok: true, answer: "refused" });
  // Twilio may post the same 2 twice: the first answer stands, nothing more is written.
  expect(await recordPaperAnswer(services, call!.id, false)).toMatchObject({ ok: true, repeated: true });
  return (await services.db.select().from(scans).where(eq(scans.id, scanId)))[0]!;
}

const letters = async (scanId: string) =>
  (await services.db.select().from(outbox).where(and(eq(outbox.channel, "letter"), eq(outbox.idempotencyKey, `scan-closed-letter:${scanId}`)))).map((row) => ({
    ...row,
    body: JSON.parse(services.pii.open(row.bodyEnc)) as { text: string; postalCode: string; reason: string },
  }));
const inPaperQueue = async (scanId: string) => (await listQueue(services, "paper", randomUUID())).filter((item) => item.id === scanId).length;

describe("a 2 on the line of a paper page", () => {
  it("ends the page with a letter to the sender, and no person, when the line was read for certain and the address can be written to", async () => {
    const scanId = await readPage(reading("0312345701", { lineAccepted: true, address: true }));
    const closed = await refuse(scanId);
    expect(closed).toMatchObject({ status: "closed", exceptionReason: "subscriber_refused", applicationId: null });
    const [letter] = await letters(scanId);
    expect(letter).toBeDefined();
    expect(letter!.purpose).toBe("paper_not_accepted");
    expect(letter!.template).toBe("paper-not-accepted");
    expect(letter!.body).toMatchObject({ postalCode: "1000001", reason: "subscriber_refused" });
    expect(letter!.body.text).toContain("同意をいただけませんでした");
    expect(letter!.body.text).toContain("書きまちがい");
    expect(await letters(scanId)).toHaveLength(1);
    expect(await inPaperQueue(scanId)).toBe(0);
    // The line's record says how the page ended, and that the sender was written to.
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, "+81312345701"));
    const view = await lineView(services, line!.id);
    expect(view!.timeline.filter((entry) => entry.kind === "paper").at(-1)).toMatchObject({
      title: "紙・FAXの申込書：申し込みにできず、終わりにしました",
      detail: `${CLOSE_REASON_INFO.subscriber_refused.label}／送り主に手紙を送りました`,
    });
    expect(await services.db.select().from(applications).where(eq(applications.idempotencyKey, `paper:${scanId}`))).toHaveLength(0);
  });

  it("ends the page with the reason recorded, and no letter, when the line was read for certain but no address was read", async () => {
    const scanId = await readPage(reading("0312345703", { lineAccepted: true, address: false }));
    const closed = await refuse(scanId);
    expect(closed).toMatchObject({ status: "closed", exceptionReason: "subscriber_refused", applicationId: null });
    expect(await letters(scanId)).toHaveLength(0);
    expect(await inPaperQueue(scanId)).toBe(0);
    const [audit] = await services.db.select().from(auditLog).where(and(eq(auditLog.subjectId, scanId), eq(auditLog.action, "scan.close")));
    expect(audit?.detail).toMatchObject({ reason: "subscriber_refused", previousStatus: "confirming", letter: null });
  });

  it("is one queue item, with no letter, when the number was only worth a call (a misread would have rung a stranger)", async () => {
    const scanId = await readPage(reading("0312345702", { lineAccepted: false, address: true }));
    const held = await refuse(scanId);
    expect(held).toMatchObject({ status: "needs_review", exceptionReason: "line_refused" });
    expect(await letters(scanId)).toHaveLength(0);
    expect(await inPaperQueue(scanId)).toBe(1);
  });
});

describe("the paper sweep with many pages waiting for a call-in (ADR 029)", () => {
  it("still calls a new page: the waiting pages do not fill the sweep's 500", async () => {
    // 510 pages that heard a message on the machine at every call and wait days for the call-in,
    // all older than the new page.
    services.clock.set("2026-11-24T01:00:00Z");
    const now = services.now();
    const lineId = await upsertLine(services.db, "+81312345790", now);
    const [intake] = await services.db
      .insert(paperIntakes)
      .values({ source: "fax_folder", contentType: "image/png", fileSha256: randomUUID(), pageCount: 510, createdAt: now })
      .returning({ id: paperIntakes.id });
    const earlier = new Date(now.getTime() - 3_600_000);
    const waiting = await services.db
      .insert(scans)
      .values(Array.from({ length: 510 }, (_, i) => ({ intakeId: intake!.id, pageNumber: i + 1, imageEnc: services.pii.sealBytes(Buffer.from("p")), status: "confirming", lineId, createdAt: earlier, updatedAt: earlier })))
      .returning({ id: scans.id });
    const calls = await services.db
      .insert(verifications)
      .values(waiting.flatMap(({ id }) => Array.from({ length: PAPER_CALL_POLICY.maxCalls }, (_, i) => i + 1).map((n) => ({ lineId, scanId: id, method: "callback", purpose: "paper", sends: n, expiresAt: new Date(earlier.getTime() + n * 60_000), createdAt: earlier }))))
      .returning({ id: verifications.id });
    await services.db.insert(outbox).values(
      calls.map(({ id }) => ({
        channel: "call",
        purpose: "paper_confirmation",
        toEnc: services.pii.seal("+81312345790"),
        bodyEnc: services.pii.seal("{}"),
        status: "held",
        providerRef: "outbox",
        answeredBy: "machine_end_beep",
        idempotencyKey: `test-waiting:${id}`,
        verificationId: id,
        createdAt: earlier,
        updatedAt: earlier,
      })),
    );
    // A new page read at night: its first call waits for calling hours, which the sweep places.
    services.clock.set("2026-11-24T14:00:00Z"); // 23:00 JST
    const scanId = await readPage(reading("0312345791", { lineAccepted: true, address: true }));
    expect(await services.db.select().from(verifications).where(eq(verifications.scanId, scanId))).toHaveLength(0);
    services.clock.set("2026-11-25T00:05:00Z"); // 09:05 JST
    const counts = await sweepPaperConfirmations(services);
    expect(counts.called).toBe(1);
    expect(await services.db.select().from(verifications).where(eq(verifications.scanId, scanId))).toHaveLength(1);
    // The waiting pages are untouched until their wait has passed, then each goes to a person once.
    expect(counts.heldUnanswered).toBe(0);
    services.clock.set(new Date(earlier.getTime() + (PAPER_CALL_POLICY.callInWaitHours + 1) * 3_600_000));
    let held = 0;
    for (let round = 0; round < 3; round++) held += (await sweepPaperConfirmations(services)).heldUnanswered;
    expect(held).toBe(510);
  }, 120_000);
});
