/**
 * Paper pages confirmed by the line, not by a person (issue 11): the OCR reads the page, the centre
 * calls the line through the Twilio webhooks, and the subscriber's 1 makes the application and its
 * carrier order with no queue item. A refusal or no answer makes exactly one paper queue item.
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { applications, cancellations, carrierOrders, ivrCalls, outbox, paperIntakes, scans, verifications } from "../../db/schema";
import { readScan } from "../../app/lib/paper-ocr.server";
import { createFormReader, type FormReader } from "../../app/lib/ocr/read-form.server";
import { planCarrierOrders } from "../../app/lib/carrier-orders.server";
import { lineCallState, nextCallingTime, PAPER_CALL_POLICY, retryGapMinutes, sweepPaperConfirmations } from "../../app/lib/paper-confirmation.server";
import { listQueue } from "../../app/lib/queues.server";
import { encodeGray } from "../fixtures/forms/generate";
import { render, truthFor } from "../ocr/helpers";
import { createTestServices, type TestServices } from "../support/services";
import { startTestServer, type TestServer } from "../support/http";
import { postAsTwilio } from "../support/paper";
import { callFrom } from "../support/ivr";
import { applicationIn } from "../support/cancellations";
import { formatDisplay } from "../../app/domain/phone";

let services: TestServices;
let server: TestServer;
let reader: FormReader;

beforeAll(async () => {
  // 10:00 JST on a weekday: within calling hours.
  services = await createTestServices();
  services.clock.set("2026-11-24T01:00:00Z");
  server = await startTestServer(services);
  reader = await createFormReader({ poolSize: 1 });
}, 120_000);
afterAll(async () => {
  await reader.close();
  await server.close();
  await services.close();
});

const BOXES_KDDI_SELF = {
  "carrier.kddi": true,
  "carrier.ntt-east": false,
  "carrier.ntt-west": false,
  "carrier.ntt-docomo-business": false,
  "carrier.softbank": false,
  "carrier.unknown": false,
  "relation.self": false,
  "relation.family": true,
  "relation.other": false,
  "scope.incoming": true,
  "scope.outgoing": true,
  signature: true,
} as const;

/** A scanned page stored as the intake stores it (the upload route is tested in intake.test.ts). */
async function scanOf(png: Buffer): Promise<string> {
  const [intake] = await services.db
    .insert(paperIntakes)
    .values({ source: "upload", contentType: "image/png", fileSha256: randomUUID(), pageCount: 1, createdAt: services.now() })
    .returning({ id: paperIntakes.id });
  const [scan] = await services.db
    .insert(scans)
    .values({ intakeId: intake!.id, pageNumber: 1, imageEnc: services.pii.sealBytes(png), createdAt: services.now(), updatedAt: services.now() })
    .returning({ id: scans.id });
  return scan!.id;
}

const twilio = (url: string, params: Record<string, string>) => postAsTwilio(server, services, url, params);

async function callsFor(scanId: string) {
  const rows = await services.db
    .select({ outbox })
    .from(outbox)
    .innerJoin(verifications, eq(verifications.id, outbox.verificationId))
    .where(and(eq(verifications.scanId, scanId), eq(outbox.channel, "call")));
  return rows.map(({ outbox: row }) => ({ row, to: services.pii.open(row.toEnc), content: JSON.parse(services.pii.open(row.bodyEnc)) as { kind: string; url: string } }));
}

/** The subscriber picks up the call and presses a key, as Twilio posts it. */
async function answer(url: string, digit: string) {
  const greeting = await twilio(url, { CallSid: `CA-${randomUUID()}` });
  expect(greeting.status).toBe(200);
  expect(greeting.text).toContain("<Gather");
  return twilio(`${url}/answer`, { CallSid: "CA-answer", Digits: digit });
}

async function paperQueueIds() {
  return (await listQueue(services, "paper", randomUUID())).map((item) => item.id);
}

describe("nextCallingTime", () => {
  it("is the moment itself within 9:00–20:00 JST, else the next 9:00 JST", () => {
    expect(nextCallingTime(new Date("2026-11-24T01:00:00Z"))).toEqual(new Date("2026-11-24T01:00:00Z")); // 10:00 JST
    expect(nextCallingTime(new Date("2026-11-24T11:00:00Z"))).toEqual(new Date("2026-11-25T00:00:00Z")); // 20:00 JST: closed
    expect(nextCallingTime(new Date("2026-11-24T16:00:00Z"))).toEqual(new Date("2026-11-25T00:00:00Z")); // 01:00 JST next day
    expect(nextCallingTime(new Date("2026-11-24T23:59:00Z"))).toEqual(new Date("2026-11-25T00:00:00Z")); // 08:59 JST
    expect(nextCallingTime(new Date("2026-12-31T14:00:00Z"))).toEqual(new Date("2027-01-01T00:00:00Z")); // across the year
  });
});

describe("a paper application confirmed by the line", () => {
  it("reaches a carrier order with no queue item when the subscriber presses 1", async () => {
    const truth = truthFor("application", 11, { ...BOXES_KDDI_SELF, phone: "0312345601" });
    const scanId = await scanOf(encodeGray(render(truth).image, "png"));
    await readScan(services, reader, scanId);
    const [read] = await services.db.select().from(scans).where(eq(scans.id, scanId));
    expect(read!.status).toBe("confirming");
    expect(await paperQueueIds()).not.toContain(scanId);

    const [call] = await callsFor(scanId);
    expect(call!.to).toBe("+81312345601");
    expect(call!.content.kind).toBe("url");
    const greeting = await twilio(call!.content.url, { CallSid: "CA-paper-1" });
    // It says what was asked for and who wrote it, never a name.
    expect(greeting.text).toContain("海外からかかってくる電話と、海外へかける電話");
    expect(greeting.text).toContain("ご契約者ご本人以外の方");
    expect(greeting.text).not.toContain(String(truth.fields.name));
    const done = await twilio(`${call!.content.url}/answer`, { CallSid: "CA-paper-1", Digits: "1" });
    expect(done.text).toContain("お申し込みを受け付けました");
    // Twilio may post the same answer twice: still one application.
    await twilio(`${call!.content.url}/answer`, { CallSid: "CA-paper-1", Digits: "1" });

    const [settled] = await services.db.select().from(scans).where(eq(scans.id, scanId));
    expect(settled!.status).toBe("verified");
    const apps = await services.db.select().from(applications).where(eq(applications.idempotencyKey, `paper:${scanId}`));
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({ channel: "paper", status: "verified", relation: "family", verificationMethod: "callback", carrierChoice: "kddi" });
    expect(apps[0]!.subscriberConsentAt).not.toBeNull();

    await planCarrierOrders(services);
    const orders = await services.db.select().from(carrierOrders).where(eq(carrierOrders.applicationId, apps[0]!.id));
    expect(orders.map((o) => `${o.carrierCode}:${o.action}:${o.scope}`).sort()).toEqual(["kddi:SUSPEND:incoming", "kddi:SUSPEND:outgoing"]);
    expect(await paperQueueIds()).not.toContain(scanId);
  }, 60_000);

  it("ends with no application and no queue item when the line, read for certain, says no", async () => {
    // The rendered page's number is read at the acceptance confidence. Whether a letter goes out turns
    // on the address read; that, and a number only worth a call: test/paper/refused-line.test.ts.
    const truth = truthFor("application", 12, { ...BOXES_KDDI_SELF, phone: "0312345602" });
    const scanId = await scanOf(encodeGray(render(truth).image, "png"));
    await readScan(services, reader, scanId);
    const [call] = await callsFor(scanId);
    const refused = await answer(call!.content.url, "2");
    expect(refused.text).toContain("このお申し込みは進めません");
    const [ended] = await services.db.select().from(scans).where(eq(scans.id, scanId));
    expect(ended).toMatchObject({ status: "closed", exceptionReason: "subscriber_refused", applicationId: null });
    expect((await paperQueueIds()).filter((id) => id === scanId)).toHaveLength(0);
    expect(await services.db.select().from(applications).where(eq(applications.idempotencyKey, `paper:${scanId}`))).toHaveLength(0);
  }, 60_000);

  it("calls again after an unanswered call, then hands the page to a person after the last try", async () => {
    const truth = truthFor("application", 13, { ...BOXES_KDDI_SELF, phone: "0312345603" });
    const scanId = await scanOf(encodeGray(render(truth).image, "png"));
    await readScan(services, reader, scanId);
    expect(await callsFor(scanId)).toHaveLength(1);
    // Before the window closes nothing happens; a sweep run twice places one call.
    await sweepPaperConfirmations(services);
    expect(await callsFor(scanId)).toHaveLength(1);
    for (let n = 2; n <= PAPER_CALL_POLICY.maxCalls; n++) {
      services.clock.advance((PAPER_CALL_POLICY.answerWindowMinutes + retryGapMinutes(n - 1) + 1) * 60_000);
      await sweepPaperConfirmations(services);
      await sweepPaperConfirmations(services);
      expect(await callsFor(scanId)).toHaveLength(n);
    }
    // The last call rings on another day than the first, in calling hours.
    const placed = await callsFor(scanId);
    const jstDay = (call: { row: { createdAt: Date } }) => new Date(call.row.createdAt.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
    expect(jstDay(placed.at(-1)!)).not.toBe(jstDay(placed[0]!));
    // An old call left ringing can no longer be answered.
    const [first] = await callsFor(scanId);
    expect((await twilio(first!.content.url, { CallSid: "CA-old" })).text).toContain("確認は、終わっています");
    services.clock.advance((PAPER_CALL_POLICY.answerWindowMinutes + 1) * 60_000);
    await sweepPaperConfirmations(services);
    const [held] = await services.db.select().from(scans).where(eq(scans.id, scanId));
    expect(held).toMatchObject({ status: "needs_review", exceptionReason: "line_unanswered" });
    expect((await paperQueueIds()).filter((id) => id === scanId)).toHaveLength(1);
    expect(await callsFor(scanId)).toHaveLength(PAPER_CALL_POLICY.maxCalls);
    services.clock.set("2026-11-24T01:00:00Z");
  }, 60_000);

  it("does not ring anyone at night: the first call waits for calling hours", async () => {
    services.clock.set("2026-11-24T14:00:00Z"); // 23:00 JST
    const truth = truthFor("application", 14, { ...BOXES_KDDI_SELF, phone: "0312345604" });
    const scanId = await scanOf(encodeGray(render(truth).image, "png"));
    await readScan(services, reader, scanId);
    expect((await services.db.select().from(scans).where(eq(scans.id, scanId)))[0]!.status).toBe("confirming");
    await sweepPaperConfirmations(services);
    expect(await callsFor(scanId)).toHaveLength(0);
    // The verification screen says when the call will be placed, not that it is ringing now.
    expect(await lineCallState(services, scanId)).toEqual({ calls: 0, open: false, nextAt: new Date("2026-11-25T00:00:00Z"), callInUntil: null });
    services.clock.set("2026-11-25T00:05:00Z"); // 09:05 JST
    await sweepPaperConfirmations(services);
    expect(await callsFor(scanId)).toHaveLength(1);
    expect(await lineCallState(services, scanId)).toMatchObject({ calls: 1, open: true, nextAt: null });
    services.clock.set("2026-11-24T01:00:00Z");
  }, 60_000);

  it("lets the subscriber confirm by calling the centre from the line: the page's question comes first, instead of waiting for our call", async () => {
    services.clock.set("2026-11-24T14:00:00Z"); // 23:00 JST: no call of ours yet
    const truth = truthFor("application", 16, { ...BOXES_KDDI_SELF, phone: "0312345606" });
    const scanId = await scanOf(encodeGray(render(truth).image, "png"));
    await readScan(services, reader, scanId);
    expect(await callsFor(scanId)).toHaveLength(0);
    const call = callFrom(server, services, "+81312345606");
    const first = await call.start();
    expect(first.says.join("")).toContain("郵便か、ファクスでいただいたお申し込みの確認です");
    expect(first.says.join("")).toContain("1を押してください");
    const done = await call.press("1");
    expect(done.says.join("")).toContain("お申し込みを受け付けました");
    const [app] = await services.db.select().from(applications).where(eq(applications.idempotencyKey, `paper:${scanId}`));
    expect(app).toMatchObject({ status: "verified", channel: "paper" });
    // Nobody else can: another line calling in hears the menu, and its status finds nothing to confirm.
    const other = callFrom(server, services, "+81312345699");
    expect((await other.start()).says.join("")).not.toContain("お申し込みの確認です");
    expect((await other.press("2")).says.join("")).not.toContain("確認しているところです");
    services.clock.set("2026-11-24T01:00:00Z");
  }, 60_000);

  describe("an answering machine takes the calls (ADR 029)", () => {
    const centreSpoken = () => formatDisplay(services.config.centrePhoneNumber).split(/\D+/).filter(Boolean).map((g) => g.split("").join("、")).join("、の、");

    /** Twilio places the newest call (the offline provider here) and a machine answers after its greeting. */
    async function machineTakesNewestCall(scanId: string, answeredBy = "machine_end_beep") {
      for (const { row } of await callsFor(scanId)) if (row.status === "queued") await services.comms.deliver(row.id);
      const calls = await callsFor(scanId);
      const newest = calls.at(-1)!;
      expect(newest.content).toMatchObject({ kind: "url", voicemail: true });
      return twilio(newest.content.url, { CallSid: `CA-machine-${scanId}-${calls.length}`, AnsweredBy: answeredBy });
    }

    /** Every call of the page is taken by a machine (AnsweredBy of each call, in order); what each heard. */
    async function allCallsTakenByMachine(scanId: string, answeredBy: readonly string[] = Array(PAPER_CALL_POLICY.maxCalls).fill("machine_end_beep")) {
      const messages: string[] = [];
      for (let n = 1; n <= PAPER_CALL_POLICY.maxCalls; n++) {
        if (n > 1) {
          services.clock.advance((PAPER_CALL_POLICY.answerWindowMinutes + retryGapMinutes(n - 1) + 1) * 60_000);
          await sweepPaperConfirmations(services);
        }
        messages.push((await machineTakesNewestCall(scanId, answeredBy[n - 1])).text);
      }
      services.clock.advance((PAPER_CALL_POLICY.answerWindowMinutes + 1) * 60_000);
      await sweepPaperConfirmations(services);
      return messages;
    }

    /** A clean page for `phone`, read at 10:00 JST: its first call rings at once. */
    async function pageRead(seed: number, phone: string) {
      services.clock.set("2026-11-24T01:00:00Z");
      const truth = truthFor("application", seed, { ...BOXES_KDDI_SELF, phone });
      const scanId = await scanOf(encodeGray(render(truth).image, "png"));
      await readScan(services, reader, scanId);
      return { truth, scanId };
    }

    it("hears a message asking for a call from the line, and the page waits for that call-in, which settles it with no person", async () => {
      const { truth, scanId } = await pageRead(17, "0312345617");
      const messages = await allCallsTakenByMachine(scanId);
      for (const message of messages) {
        expect(message).toContain("この電話から");
        expect(message).toContain(centreSpoken());
        // Nothing to press on a recording, and nothing personal on it.
        expect(message).not.toContain("<Gather");
        expect(message).toContain("<Hangup");
        expect(message).not.toContain("3、1、2、3、4、5、6、1、7");
        expect(message).not.toContain(String(truth.fields.name));
      }
      // After the last call: not yet a person's work, the call-in may still come.
      const [waiting] = await services.db.select().from(scans).where(eq(scans.id, scanId));
      expect(waiting!.status).toBe("confirming");
      const state = await lineCallState(services, scanId);
      expect(state).toMatchObject({ calls: PAPER_CALL_POLICY.maxCalls, open: false, nextAt: null });
      expect(state.callInUntil).not.toBeNull();
      expect(await paperQueueIds()).not.toContain(scanId);
      // The evening after, the subscriber calls the number the message gave, from the line.
      services.clock.advance((PAPER_CALL_POLICY.callInWaitHours - 2) * 3_600_000);
      await sweepPaperConfirmations(services);
      const call = callFrom(server, services, "+81312345617");
      const first = await call.start();
      expect(first.says.join("")).toContain("お申し込みの確認です");
      const done = await call.press("1");
      expect(done.says.join("")).toContain("お申し込みを受け付けました");
      const [app] = await services.db.select().from(applications).where(eq(applications.idempotencyKey, `paper:${scanId}`));
      expect(app).toMatchObject({ status: "verified", channel: "paper" });
      expect(await paperQueueIds()).not.toContain(scanId);
      expect(await callsFor(scanId)).toHaveLength(PAPER_CALL_POLICY.maxCalls);
      services.clock.set("2026-11-24T01:00:00Z");
    }, 60_000);

    it("goes to a person, exactly once, when no call-in came within the wait", async () => {
      const { scanId } = await pageRead(18, "0312345618");
      await allCallsTakenByMachine(scanId);
      services.clock.advance((PAPER_CALL_POLICY.callInWaitHours - 1) * 3_600_000);
      await sweepPaperConfirmations(services);
      expect((await services.db.select().from(scans).where(eq(scans.id, scanId)))[0]!.status).toBe("confirming");
      services.clock.advance(2 * 3_600_000);
      await sweepPaperConfirmations(services);
      await sweepPaperConfirmations(services);
      const [held] = await services.db.select().from(scans).where(eq(scans.id, scanId));
      expect(held).toMatchObject({ status: "needs_review", exceptionReason: "line_unanswered" });
      expect((await paperQueueIds()).filter((id) => id === scanId)).toHaveLength(1);
      expect(await callsFor(scanId)).toHaveLength(PAPER_CALL_POLICY.maxCalls);
      services.clock.set("2026-11-24T01:00:00Z");
    }, 60_000);

    it("leaves no message on a fax, or on a machine heard before its greeting ended, and then does not wait", async () => {
      const { scanId } = await pageRead(19, "0312345619");
      const heard = await allCallsTakenByMachine(scanId, ["fax", "machine_start", "machine_start", "fax"]);
      for (const words of heard) {
        expect(words).not.toContain("この電話から");
        expect(words).not.toContain("<Gather");
      }
      const [held] = await services.db.select().from(scans).where(eq(scans.id, scanId));
      expect(held).toMatchObject({ status: "needs_review", exceptionReason: "line_unanswered" });
      services.clock.set("2026-11-24T01:00:00Z");
    }, 60_000);
  });

  it("takes the line of a prefilled form from its QR code, so the digits need no reading", async () => {
    // The form was mailed after an IVR call from the line (menu 3); its request id is that call's id.
    const [ivr] = await services.db
      .insert(ivrCalls)
      .values({
        callSid: `CA-form-${randomUUID()}`,
        fromEnc: services.pii.seal("+81312345605"),
        fromHash: services.pii.searchHash("+81312345605"),
        purpose: "form",
        node: "done",
        status: "completed",
        answersEnc: services.pii.seal("{}"),
        createdAt: services.now(),
        updatedAt: services.now(),
      })
      .returning({ id: ivrCalls.id });
    // The comb is left empty (as if the printed digits were not read at all).
    const truth = { ...truthFor("application", 15, { ...BOXES_KDDI_SELF, phone: "" }), requestId: ivr!.id.toUpperCase() };
    const scanId = await scanOf(encodeGray(render(truth).image, "png"));
    await readScan(services, reader, scanId);
    const [read] = await services.db.select().from(scans).where(eq(scans.id, scanId));
    expect(read!.status).toBe("confirming");
    const [call] = await callsFor(scanId);
    expect(call!.to).toBe("+81312345605");
    await answer(call!.content.url, "1");
    const [app] = await services.db.select().from(applications).where(eq(applications.idempotencyKey, `paper:${scanId}`));
    expect(app).toMatchObject({ status: "verified", channel: "paper" });
  }, 60_000);

  it("sends a read cancellation page to the cancellation service, which asks the subscriber; no queue item", async () => {
    await applicationIn(services, { e164: "+81312345607", status: "completed" });
    const truth = truthFor("cancellation", 17, {
      phone: "0312345607",
      reference: "",
      "relation.self": false,
      "relation.family": true,
      "relation.other": false,
      "reason.need-international": true,
      "reason.not-requested": false,
      "reason.family-applied": false,
      "reason.other": false,
      signature: true,
    });
    const scanId = await scanOf(encodeGray(render(truth).image, "png"));
    await readScan(services, reader, scanId);
    const [scan] = await services.db.select().from(scans).where(eq(scans.id, scanId));
    expect(scan).toMatchObject({ status: "verified" });
    const [request] = await services.db.select().from(cancellations).where(eq(cancellations.id, scan!.cancellationId!));
    expect(request).toMatchObject({ channel: "paper", requesterRelation: "family", kind: "resumption" });
    // Nothing turns calls back on here: the request waits for the subscriber's own answer on the line.
    expect(["received", "awaiting_confirmation"]).toContain(request!.status);
    expect(await paperQueueIds()).not.toContain(scanId);
  }, 60_000);
});
