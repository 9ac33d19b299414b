/**
 * Carrier dispatch, end to end inside the services: planning, cutting, signed files, results, the
 * applicant's notice, inquiries, re-routing, resumptions, withdrawals, and the duplicate-job and
 * crash safety of the planner and the cutter. Runs on PGlite by default and on PostgreSQL with
 * DATABASE_URL.
 */
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import {
  applicationEvents,
  applications,
  cancellations,
  carrierBatchOrders,
  carrierBatches,
  carrierExceptions,
  carrierOrders,
  lines,
  outbox,
} from "../../db/schema";
import { changeStatus } from "../../app/lib/applications.server";
import { batchFile, cutBatch, cutDueBatches, getBatch } from "../../app/lib/carrier-batches.server";
import { selectOrdersWithBatch } from "../../app/lib/carrier-order-status.server";
import { planCarrierOrders } from "../../app/lib/carrier-orders.server";
import { uploadResults } from "../../app/lib/carrier-results.server";
import { publicKeyFrom, publicKeyInfo, verifySignature } from "../../app/lib/carrier-signing.server";
import { parseManifest } from "../../app/domain/carrier-batch";
import { parseCsv } from "../../app/domain/carrier-files";
import { COMPLETION_LETTER_TEMPLATE, renderCompletionLetter, type CompletionLetterData } from "../../templates/letters/completion";
import { createCarrierTestServices, resultsCsv, setCarrier, verifiedApplication } from "../support/carrier-fixtures";
import type { TestServices } from "../support/services";
import { usingPostgres } from "../support/database";

let services: TestServices;

beforeAll(async () => {
  services = await createCarrierTestServices();
});
afterAll(async () => {
  await services.close();
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** With the status as shown ('batched' in a batch) and the batch (ADR 027). */
async function ordersOf(applicationId: string) {
  return selectOrdersWithBatch(services.db).where(eq(carrierOrders.applicationId, applicationId)).orderBy(asc(carrierOrders.createdAt));
}

async function statusOf(applicationId: string) {
  const [row] = await services.db.select({ status: applications.status }).from(applications).where(eq(applications.id, applicationId));
  return row!.status;
}

async function upload(carrierCode: string, batchId: string, text: string, contentType = "text/csv") {
  return uploadResults(services, { carrierCode, batchId, bytes: Buffer.from(text, "utf8"), contentType, actor: `carrier:${carrierCode}:test` });
}

/** Cuts everything pending for the carrier (one batch) and returns it. */
async function cut(carrierCode: string) {
  const result = await cutBatch(services, carrierCode);
  if (!result) throw new Error(`nothing to cut for ${carrierCode}`);
  return result;
}

describe("from a verified application to DONE", () => {
  it("queues orders, cuts a signed batch, applies DONE, and puts a completion letter in the print queue", async () => {
    const app = await verifiedApplication(services, { choice: "kddi", scopes: ["incoming", "outgoing"] });
    const plan = await planCarrierOrders(services);
    expect(plan.queued).toBeGreaterThanOrEqual(1);
    expect(await statusOf(app.applicationId)).toBe("queued");
    const orders = await ordersOf(app.applicationId);
    expect(orders.map((o) => [o.carrierCode, o.action, o.scope, o.status]).sort()).toEqual([
      ["kddi", "SUSPEND", "incoming", "pending"],
      ["kddi", "SUSPEND", "outgoing", "pending"],
    ]);
    // Personal data is sealed in the order.
    expect(orders[0]!.subjectEnc).not.toContain("山田");

    const batch = await cut("kddi");
    expect(batch.recordCount).toBeGreaterThanOrEqual(2);
    expect(await statusOf(app.applicationId)).toBe("sent");

    const summary = (await getBatch(services, "kddi", batch.batchId))!;
    const json = await batchFile(services, summary, "json").buffer();
    const csv = await batchFile(services, summary, "csv").buffer();
    expect(sha256(json)).toBe(summary.jsonSha256);
    expect(sha256(csv)).toBe(summary.csvSha256);
    // KDDI takes JSON: its file hash is the JSON one.
    expect(summary.fileSha256).toBe(summary.jsonSha256);
    // Byte-identical on every read.
    expect((await batchFile(services, summary, "json").buffer()).equals(json)).toBe(true);
    const document = JSON.parse(json.toString("utf8")) as { sequence: number; record_count: number; records: { record_id: string; subscriber_name: string; phone_number: string }[] };
    expect(document.record_count).toBe(batch.recordCount);
    const mine = document.records.filter((r) => orders.some((o) => o.id === r.record_id));
    expect(mine).toHaveLength(2);
    expect(mine[0]!.subscriber_name).toBe("山田 花子");

    // The signature verifies with the public key the carrier holds, and covers both hashes.
    const key = publicKeyInfo(services.config);
    expect(verifySignature(publicKeyFrom(key.publicKeyPem), summary.manifest, summary.signature)).toBe(true);
    expect(verifySignature(publicKeyFrom(key.publicKeyRaw), summary.manifest, summary.signature)).toBe(true);
    expect(verifySignature(publicKeyFrom(key.publicKeyPem), summary.manifest.replace(/records: \d+/, "records: 1"), summary.signature)).toBe(false);
    const manifest = parseManifest(summary.manifest)!;
    expect(manifest).toMatchObject({ carrier: "kddi", sequence: summary.sequence, csvSha256: summary.csvSha256, jsonSha256: summary.jsonSha256, keyId: key.keyId });

    const outcome = await upload(
      "kddi",
      batch.batchId,
      resultsCsv(orders.map((o) => ({ id: o.id, result: "DONE", date: "2026-11-21" }))),
    );
    expect(outcome).toMatchObject({ ok: true, applied: 2, unchanged: 0 });
    expect(await statusOf(app.applicationId)).toBe("completed");
    const [line] = await services.db.select().from(lines).where(eq(lines.id, orders[0]!.lineId));
    expect(line).toMatchObject({ incomingSuspension: "active", outgoingSuspension: "active", carrierCode: "kddi" });

    const letters = await services.db.select().from(outbox).where(and(eq(outbox.applicationId, app.applicationId), eq(outbox.channel, "letter")));
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ template: COMPLETION_LETTER_TEMPLATE, status: "queued", purpose: "completion" });
    const data = JSON.parse(services.comms.readBody(letters[0]!)) as CompletionLetterData;
    expect(data).toMatchObject({ reference: app.reference, number: "03-5550-" + data.number.slice(-4), effectiveDate: "2026-11-21", subscriberName: "山田 花子" });
    const pdf = await renderCompletionLetter(data);
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");

    // The timeline: queued → sent → completed, each with an event.
    const events = await services.db
      .select({ to: applicationEvents.toStatus })
      .from(applicationEvents)
      .where(eq(applicationEvents.applicationId, app.applicationId))
      .orderBy(asc(applicationEvents.id));
    expect(events.map((e) => e.to).filter(Boolean)).toEqual(["received", "verified", "queued", "sent", "completed"]);

    // The same results again change nothing.
    const again = await upload("kddi", batch.batchId, resultsCsv(orders.map((o) => ({ id: o.id, result: "DONE", date: "2026-11-21" }))));
    expect(again).toMatchObject({ ok: true, applied: 0, unchanged: 2 });
    expect(await services.db.select().from(outbox).where(and(eq(outbox.applicationId, app.applicationId), eq(outbox.channel, "letter")))).toHaveLength(1);
  });

  it("tells an IVR applicant by a call to the line, and a mobile contact by SMS", async () => {
    const ivr = await verifiedApplication(services, { choice: "softbank", channel: "ivr" });
    const sms = await verifiedApplication(services, { choice: "softbank", contactPhone: "090-1234-5678" });
    await planCarrierOrders(services);
    const batch = await cut("softbank");
    const orders = [...(await ordersOf(ivr.applicationId)), ...(await ordersOf(sms.applicationId))];
    expect(await upload("softbank", batch.batchId, resultsCsv(orders.map((o) => ({ id: o.id, result: "DONE", date: "2026-11-20" }))))).toMatchObject({ ok: true });
    const [call] = await services.db.select().from(outbox).where(eq(outbox.applicationId, ivr.applicationId));
    expect(call!.channel).toBe("call");
    expect(services.pii.open(call!.toEnc)).toBe(orders[0]!.e164);
    expect(services.comms.readBody(call!)).toContain("手続きが、終わりました");
    const [text] = await services.db.select().from(outbox).where(eq(outbox.applicationId, sms.applicationId));
    expect(text!.channel).toBe("sms");
    expect(services.pii.open(text!.toEnc)).toBe("+819012345678");
  });

  it("writes Shift_JIS CSV for a carrier that asks for it", async () => {
    const app = await verifiedApplication(services, { choice: "ntt", prefecture: 13, scopes: ["incoming"], subscriberName: "髙橋 一郎", subscriberKana: "タカハシ イチロウ" });
    await planCarrierOrders(services);
    const batch = await cut("ntt-east");
    const summary = (await getBatch(services, "ntt-east", batch.batchId))!;
    expect(summary.csvEncoding).toBe("shift_jis");
    const file = batchFile(services, summary, "csv");
    expect(file.contentType).toBe("text/csv; charset=Shift_JIS");
    const bytes = await file.buffer();
    expect(summary.fileSha256).toBe(sha256(bytes));
    const text = new TextDecoder("shift_jis", { fatal: true }).decode(bytes);
    expect(text).toContain("髙橋 一郎");
    expect(text).toContain("タカハシ イチロウ");
    const parsed = parseCsv(text);
    if (!parsed.ok) throw new Error(parsed.message);
    const [order] = await ordersOf(app.applicationId);
    expect(parsed.rows.find((r) => r.fields[0] === order!.id)?.fields[4]).toBe(`0${order!.e164.slice(3)}`);
  });
});

describe("inquiries and re-routing", () => {
  it("asks every candidate when the carrier is unknown; the owner's ACCEPTED becomes a SUSPEND", async () => {
    const app = await verifiedApplication(services, { choice: "unknown", prefecture: 13, scopes: ["incoming"] });
    await planCarrierOrders(services);
    const inquiries = await ordersOf(app.applicationId);
    // Tokyo: NTT East, not West; every carrier accepts incoming through the centre.
    expect(inquiries.map((o) => o.carrierCode).sort()).toEqual(["kddi", "ntt-docomo-business", "ntt-east", "softbank"]);
    expect(inquiries.every((o) => o.action === "INQUIRY")).toBe(true);

    // Inquiries carry the kana only: no name, no address (ADR 025).
    const kddiBatch = await cut("kddi");
    const summary = (await getBatch(services, "kddi", kddiBatch.batchId))!;
    const doc = JSON.parse((await batchFile(services, summary, "json").buffer()).toString()) as { records: { record_id: string; subscriber_name: string; subscriber_kana: string; installation_address: string }[] };
    const record = doc.records.find((r) => r.record_id === inquiries.find((o) => o.carrierCode === "kddi")!.id)!;
    expect(record).toMatchObject({ subscriber_name: "", subscriber_kana: "ヤマダ ハナコ", installation_address: "" });
    const csvText = (await batchFile(services, summary, "csv").buffer()).toString("utf8");
    expect(csvText).not.toContain("千代田");

    const eastBatch = await cut("ntt-east");
    const east = inquiries.find((o) => o.carrierCode === "ntt-east")!;
    expect(await upload("ntt-east", eastBatch.batchId, resultsCsv([{ id: east.id, result: "REJECTED", reason: "NOT_OUR_SUBSCRIBER" }]))).toMatchObject({ ok: true });
    const kddi = inquiries.find((o) => o.carrierCode === "kddi")!;
    expect(await upload("kddi", kddiBatch.batchId, resultsCsv([{ id: kddi.id, result: "ACCEPTED" }]))).toMatchObject({ ok: true });

    const after = await ordersOf(app.applicationId);
    const suspend = after.find((o) => o.action === "SUSPEND")!;
    expect(suspend).toMatchObject({ carrierCode: "kddi", scope: "incoming", status: "pending" });
    // The inquiries still waiting for a batch are withdrawn.
    expect(after.filter((o) => o.carrierCode === "softbank" || o.carrierCode === "ntt-docomo-business").map((o) => o.status)).toEqual(["cancelled", "cancelled"]);
    const [row] = await services.db.select().from(applications).where(eq(applications.id, app.applicationId));
    expect(row!.carrierCode).toBe("kddi");

    const suspendBatch = await cut("kddi");
    expect(await upload("kddi", suspendBatch.batchId, resultsCsv([{ id: suspend.id, result: "DONE", date: "2026-11-22" }]))).toMatchObject({ ok: true });
    expect(await statusOf(app.applicationId)).toBe("completed");
  });

  it("leaves an inquiry already cut into another carrier's batch to that carrier's answer (ADR 027)", async () => {
    const app = await verifiedApplication(services, { choice: "unknown", prefecture: 13, scopes: ["incoming"] });
    await planCarrierOrders(services);
    const inquiries = await ordersOf(app.applicationId);
    const softbankBatch = await cut("softbank");
    const kddiBatch = await cut("kddi");
    const kddi = inquiries.find((o) => o.carrierCode === "kddi")!;
    expect(await upload("kddi", kddiBatch.batchId, resultsCsv([{ id: kddi.id, result: "ACCEPTED" }]))).toMatchObject({ ok: true });
    const after = await ordersOf(app.applicationId);
    const inquiryOf = (carrier: string) => after.find((o) => o.carrierCode === carrier && o.action === "INQUIRY")!;
    // In softbank's batch: still owed an answer there. Still waiting: withdrawn.
    expect(inquiryOf("softbank")).toMatchObject({ status: "batched", batchId: softbankBatch.batchId });
    expect(inquiryOf("ntt-docomo-business")).toMatchObject({ status: "cancelled", batchId: null });
    expect(inquiryOf("ntt-east")).toMatchObject({ status: "cancelled", batchId: null });
  });

  it.runIf(usingPostgres())("an ACCEPTED that lands while another carrier's cut is taking the waiting inquiries waits for that cut (ADR 027)", async () => {
    const app = await verifiedApplication(services, { choice: "unknown", prefecture: 13, scopes: ["incoming"] });
    await planCarrierOrders(services);
    const inquiries = await ordersOf(app.applicationId);
    const kddiBatch = await cut("kddi");
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reading!: () => void;
    const cutting = new Promise<void>((resolve) => (reading = resolve));
    // softbank's cut has read its page (the inquiry among it) and holds its transaction open.
    const softbankCut = cutBatch(services, "softbank", {
      onProgress: async () => {
        reading();
        await held;
      },
    });
    await cutting;
    const kddi = inquiries.find((o) => o.carrierCode === "kddi")!;
    const answer = upload("kddi", kddiBatch.batchId, resultsCsv([{ id: kddi.id, result: "ACCEPTED" }]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    const [softbankBatch, answered] = await Promise.all([softbankCut, answer]);
    expect(answered).toMatchObject({ ok: true });
    const after = await ordersOf(app.applicationId);
    const inquiryOf = (carrier: string) => after.find((o) => o.carrierCode === carrier && o.action === "INQUIRY")!;
    expect(inquiryOf("softbank")).toMatchObject({ status: "batched", batchId: softbankBatch!.batchId });
    expect(inquiryOf("ntt-docomo-business")).toMatchObject({ status: "cancelled", batchId: null });
  });

  it("completes for what the owner takes through the centre, and tells the applicant to ask it directly for the rest (no person)", async () => {
    // わからない, both scopes, Tokyo: the line is NTT East's, which takes incoming only through the centre.
    const app = await verifiedApplication(services, { choice: "unknown", prefecture: 13, scopes: ["incoming", "outgoing"], contactPhone: "09011112222" });
    await planCarrierOrders(services);
    const inquiries = await ordersOf(app.applicationId);
    const answer = async (carrier: string, result: (o: (typeof inquiries)[number]) => { result: string; reason?: string; date?: string }) => {
      const mine = (await ordersOf(app.applicationId)).filter((o) => o.carrierCode === carrier && (o.status === "pending" || o.status === "batched"));
      if (mine.length === 0) return;
      const batch = await cut(carrier);
      expect(await upload(carrier, batch.batchId, resultsCsv(mine.map((o) => ({ id: o.id, ...result(o) }))))).toMatchObject({ ok: true });
    };
    expect(inquiries.filter((o) => o.scope === "outgoing").map((o) => o.carrierCode).sort()).toEqual(["kddi", "softbank"]);
    await answer("kddi", () => ({ result: "REJECTED", reason: "NOT_OUR_SUBSCRIBER" }));
    await answer("softbank", () => ({ result: "REJECTED", reason: "NOT_OUR_SUBSCRIBER" }));
    await answer("ntt-docomo-business", () => ({ result: "REJECTED", reason: "NOT_OUR_SUBSCRIBER" }));
    await answer("ntt-east", () => ({ result: "ACCEPTED" }));
    await answer("ntt-east", () => ({ result: "DONE", date: "2026-11-22" }));
    expect(await statusOf(app.applicationId)).toBe("completed");
    expect(await services.db.select().from(carrierExceptions).where(eq(carrierExceptions.applicationId, app.applicationId))).toHaveLength(0);
    const [sms] = await services.db.select().from(outbox).where(and(eq(outbox.applicationId, app.applicationId), eq(outbox.purpose, "completion")));
    expect(services.pii.open(sms!.bodyEnc)).toContain("発信休止は、NTT東日本に直接お申し込みください。");
    const [line] = await services.db.select().from(lines).where(eq(lines.id, inquiries[0]!.lineId));
    expect(line).toMatchObject({ incomingSuspension: "active", outgoingSuspension: "none" });
  });

  it("re-routes a NOT_OUR_SUBSCRIBER as inquiries to the others, and raises an exception when nobody owns the line", async () => {
    const app = await verifiedApplication(services, { choice: "softbank", prefecture: 27, scopes: ["outgoing"] });
    await planCarrierOrders(services);
    const [suspend] = await ordersOf(app.applicationId);
    const batch = await cut("softbank");
    expect(await upload("softbank", batch.batchId, resultsCsv([{ id: suspend!.id, result: "REJECTED", reason: "NOT_OUR_SUBSCRIBER" }]))).toMatchObject({ ok: true });
    // Only KDDI also takes outgoing through the centre.
    const rerouted = (await ordersOf(app.applicationId)).filter((o) => o.action === "INQUIRY");
    expect(rerouted.map((o) => o.carrierCode)).toEqual(["kddi"]);
    expect(await statusOf(app.applicationId)).toBe("queued");
    const events = await services.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, app.applicationId)).orderBy(asc(applicationEvents.id));
    expect(events.slice(-2).map((e) => [e.type, e.toStatus])).toEqual([
      ["rejected", "rejected"],
      ["rerouted", "queued"],
    ]);

    const kddiBatch = await cut("kddi");
    expect(await upload("kddi", kddiBatch.batchId, resultsCsv([{ id: rerouted[0]!.id, result: "REJECTED", reason: "NOT_OUR_SUBSCRIBER" }]))).toMatchObject({ ok: true });
    expect(await statusOf(app.applicationId)).toBe("rejected");
    const exceptions = await services.db.select().from(carrierExceptions).where(eq(carrierExceptions.applicationId, app.applicationId));
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({ kind: "no_carrier", resolvedAt: null });
    const [line] = await services.db.select().from(lines).where(eq(lines.id, suspend!.lineId));
    expect(line!.outgoingSuspension).toBe("none");
  });

  it("raises an exception for NAME_MISMATCH and does not re-route it", async () => {
    const app = await verifiedApplication(services, { choice: "kddi", scopes: ["incoming"] });
    await planCarrierOrders(services);
    const [order] = await ordersOf(app.applicationId);
    const batch = await cut("kddi");
    expect(await upload("kddi", batch.batchId, resultsCsv([{ id: order!.id, result: "REJECTED", reason: "NAME_MISMATCH" }]))).toMatchObject({ ok: true });
    expect(await statusOf(app.applicationId)).toBe("rejected");
    expect(await ordersOf(app.applicationId)).toHaveLength(1);
    // Sending the same results again changes nothing: one mismatch is one item for a person.
    expect(await upload("kddi", batch.batchId, resultsCsv([{ id: order!.id, result: "REJECTED", reason: "NAME_MISMATCH" }]))).toMatchObject({ ok: true });
    const exceptions = await services.db.select().from(carrierExceptions).where(eq(carrierExceptions.applicationId, app.applicationId));
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({ kind: "rejected", reasonCode: "NAME_MISMATCH", carrierCode: "kddi" });
  });
});

describe("result files", () => {
  it("refuses a bad file whole, naming each line and field, and applies nothing", async () => {
    const a = await verifiedApplication(services, { choice: "kddi" });
    const b = await verifiedApplication(services, { choice: "kddi" });
    await planCarrierOrders(services);
    const batch = await cut("kddi");
    const [oa] = await ordersOf(a.applicationId);
    const [ob] = await ordersOf(b.applicationId);
    const outcome = await upload(
      "kddi",
      batch.batchId,
      resultsCsv([
        { id: oa!.id, result: "DONE", date: "2026-11-21" },
        { id: ob!.id, result: "DONE", date: "2026-13-40" },
        { id: randomUUID(), result: "REJECTED", reason: "NOPE" },
      ]),
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.status).toBe(422);
    expect(outcome.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 3, field: "effective_date", code: "invalid_date" }),
        expect.objectContaining({ line: 4, field: "record_id", code: "unknown_record" }),
        expect.objectContaining({ line: 4, field: "reason_code", code: "invalid_reason" }),
      ]),
    );
    expect(outcome.errors.some((e) => e.line === 2)).toBe(false);
    const [after] = await selectOrdersWithBatch(services.db).where(eq(carrierOrders.id, oa!.id));
    expect(after).toMatchObject({ resultCode: null, status: "batched", batchId: batch.batchId });
    expect(await statusOf(a.applicationId)).toBe("sent");

    // JSON: the position in `results` and the key.
    const json = await upload("kddi", batch.batchId, JSON.stringify({ results: [{ record_id: oa!.id, result: "ACCEPTED" }] }), "application/json");
    expect(json).toMatchObject({ ok: false, errors: [expect.objectContaining({ line: 1, field: "result", code: "result_not_for_action" })] });

    // A result, once on file, cannot be changed by a later file.
    expect(await upload("kddi", batch.batchId, resultsCsv([{ id: oa!.id, result: "DONE", date: "2026-11-21" }]))).toMatchObject({ ok: true, applied: 1 });
    const conflict = await upload("kddi", batch.batchId, resultsCsv([{ id: oa!.id, result: "REJECTED", reason: "OTHER" }, { id: ob!.id, result: "DONE", date: "2026-11-21" }]));
    expect(conflict).toMatchObject({ ok: false, errors: [expect.objectContaining({ line: 2, field: "result", code: "result_conflict" })] });
    expect(await statusOf(b.applicationId)).toBe("sent");
  });

  it("does not let one carrier answer another carrier's batch", async () => {
    const app = await verifiedApplication(services, { choice: "kddi" });
    await planCarrierOrders(services);
    const batch = await cut("kddi");
    const [order] = await ordersOf(app.applicationId);
    const outcome = await upload("softbank", batch.batchId, resultsCsv([{ id: order!.id, result: "DONE", date: "2026-11-21" }]));
    expect(outcome).toMatchObject({ ok: false, status: 404 });
    expect(await getBatch(services, "softbank", batch.batchId)).toBeNull();
  });
});

describe("duplicate-job and crash safety", () => {
  async function assertOneOrderPerKey() {
    const duplicates = await services.db.execute(sql`
      select line_id, action, scope, carrier_code, application_id, cancellation_id, count(*) as n
        from carrier_orders where status <> 'cancelled'
       group by line_id, action, scope, carrier_code, application_id, cancellation_id having count(*) > 1`);
    expect(Array.isArray(duplicates) ? duplicates : (duplicates as { rows: unknown[] }).rows).toEqual([]);
  }

  it("planning twice, even at the same time, makes each order once", async () => {
    const apps = await Promise.all(Array.from({ length: 5 }, () => verifiedApplication(services, { choice: "softbank", scopes: ["incoming", "outgoing"] })));
    await Promise.all([planCarrierOrders(services), planCarrierOrders(services)]);
    await planCarrierOrders(services);
    for (const app of apps) {
      expect(await ordersOf(app.applicationId)).toHaveLength(2);
      const queuedEvents = await services.db
        .select()
        .from(applicationEvents)
        .where(and(eq(applicationEvents.applicationId, app.applicationId), eq(applicationEvents.toStatus, "queued")));
      expect(queuedEvents).toHaveLength(1);
    }
    await assertOneOrderPerKey();
  });

  it("a cut killed mid-batch leaves nothing behind; cutting again (twice, at once) puts each order in exactly one batch", async () => {
    await setCarrier(services, "ntt-docomo-business", { batchMaxSize: 5000 });
    const apps = await Promise.all(Array.from({ length: 12 }, () => verifiedApplication(services, { choice: "ntt-docomo-business" })));
    await planCarrierOrders(services);
    const before = await services.db.select({ n: sql<number>`count(*)::int` }).from(carrierBatches).where(eq(carrierBatches.carrierCode, "ntt-docomo-business"));

    // Crash after the first page of 4 records was written (parts already inserted in the transaction).
    await expect(
      cutBatch(services, "ntt-docomo-business", {
        fetchRows: 4,
        partBytes: 64,
        onProgress: (written) => {
          if (written >= 4) throw new Error("worker killed");
        },
      }),
    ).rejects.toThrow("worker killed");
    const afterCrash = await services.db.select({ n: sql<number>`count(*)::int` }).from(carrierBatches).where(eq(carrierBatches.carrierCode, "ntt-docomo-business"));
    expect(Number(afterCrash[0]!.n)).toBe(Number(before[0]!.n));
    for (const app of apps) {
      const [order] = await ordersOf(app.applicationId);
      expect(order).toMatchObject({ status: "pending", batchId: null });
      expect(await statusOf(app.applicationId)).toBe("queued");
    }
    const files = await services.db.execute(sql`select count(*)::int as n from carrier_batch_files f join carrier_batches b on b.id = f.batch_id where b.carrier_code = 'ntt-docomo-business'`);
    const fileCount = Number((Array.isArray(files) ? files : (files as { rows: { n: number }[] }).rows)[0]!.n);

    const [first, second] = await Promise.all([
      cutDueBatches(services, "ntt-docomo-business", "all", { maxRecords: 5 }),
      cutDueBatches(services, "ntt-docomo-business", "all", { maxRecords: 5 }),
    ]);
    const batches = [...first!, ...second!];
    expect(batches.reduce((n, b) => n + b.recordCount, 0)).toBe(12);
    expect(await cutBatch(services, "ntt-docomo-business")).toBeNull();

    for (const app of apps) {
      const orders = await ordersOf(app.applicationId);
      expect(orders).toHaveLength(1);
      expect(orders[0]!.batchId).not.toBeNull();
      expect(await statusOf(app.applicationId)).toBe("sent");
    }
    const sequences = (await services.db.select({ s: carrierBatches.sequence }).from(carrierBatches).where(eq(carrierBatches.carrierCode, "ntt-docomo-business")).orderBy(asc(carrierBatches.sequence))).map((r) => r.s);
    expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, i) => i + 1));
    // Each manifest chains to the previous one.
    const all = await services.db.select().from(carrierBatches).where(eq(carrierBatches.carrierCode, "ntt-docomo-business")).orderBy(asc(carrierBatches.sequence));
    for (let i = 1; i < all.length; i++) expect(all[i]!.prevSha256).toBe(createHash("sha256").update(all[i - 1]!.manifest).digest("hex"));
    expect(fileCount).toBeGreaterThanOrEqual(0);
    await assertOneOrderPerKey();
  });

  it.runIf(usingPostgres())("a worker process killed (SIGKILL) mid-batch leaves nothing behind on PostgreSQL", async () => {
    const apps = await Promise.all(Array.from({ length: 8 }, () => verifiedApplication(services, { choice: "ntt-docomo-business" })));
    await planCarrierOrders(services);
    // Node itself with tsx's loader (the tsx CLI would run the script in a grandchild that SIGKILL misses).
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/carrier-cut-child.ts", services.database.connectionString!, "ntt-docomo-business"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      let output = "";
      const timer = setTimeout(() => reject(new Error(`the cutter did not start: ${output}`)), 20_000);
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        // Killed after it has written some records and parts, in the middle of its transaction.
        if (/progress [2-9]/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    for (const app of apps) {
      const [order] = await ordersOf(app.applicationId);
      expect(order).toMatchObject({ status: "pending", batchId: null });
      expect(await statusOf(app.applicationId)).toBe("queued");
    }
    expect(await services.db.select().from(carrierBatches).where(eq(carrierBatches.status, "cutting"))).toEqual([]);

    const again = await cutBatch(services, "ntt-docomo-business");
    expect(again!.recordCount).toBeGreaterThanOrEqual(8);
    for (const app of apps) {
      const orders = await ordersOf(app.applicationId);
      expect(orders).toHaveLength(1);
      expect(orders[0]!.batchId).toBe(again!.batchId);
    }
    await assertOneOrderPerKey();
  }, 60_000);

  it("the database refuses to change a cut batch, its files, or an order's batch", async () => {
    const [batch] = await services.db.select().from(carrierBatches).limit(1);
    await expect(services.db.update(carrierBatches).set({ recordCount: 999 }).where(eq(carrierBatches.id, batch!.id))).rejects.toThrow();
    await expect(services.db.execute(sql`delete from carrier_batch_files where batch_id = ${batch!.id}`)).rejects.toThrow();
    const [member] = await services.db.select().from(carrierBatchOrders).where(eq(carrierBatchOrders.batchId, batch!.id)).limit(1);
    const [order] = await services.db.select().from(carrierOrders).where(eq(carrierOrders.id, member!.orderId));
    await expect(services.db.update(carrierBatchOrders).set({ position: 999 }).where(eq(carrierBatchOrders.orderId, order!.id))).rejects.toThrow();
    await expect(services.db.delete(carrierBatchOrders).where(eq(carrierBatchOrders.orderId, order!.id))).rejects.toThrow();
    // A second batch cannot take it either.
    await expect(services.db.insert(carrierBatchOrders).values({ batchId: batch!.id, position: 1_000_000, orderId: order!.id })).rejects.toThrow();
    await expect(services.db.update(carrierOrders).set({ e164: "+81300000000" }).where(eq(carrierOrders.id, order!.id))).rejects.toThrow();
  });
});

describe("withdrawals and resumptions", () => {
  it("cancels the orders of a withdrawn application before they are cut", async () => {
    const app = await verifiedApplication(services, { choice: "softbank" });
    await planCarrierOrders(services);
    await services.db.transaction((tx) =>
      changeStatus(tx, { applicationId: app.applicationId, from: "queued", to: "withdrawn", actor: "system", at: services.now() }),
    );
    await planCarrierOrders(services);
    const [order] = await ordersOf(app.applicationId);
    expect(order!.status).toBe("cancelled");
    const [line] = await services.db.select().from(lines).where(eq(lines.id, order!.lineId));
    expect(line!.incomingSuspension).toBe("none");
    await cutBatch(services, "softbank");
    const [still] = await ordersOf(app.applicationId);
    expect(still).toMatchObject({ status: "cancelled", batchId: null });
  });

  it("sends RESUME only for an approved resumption with the subscriber's confirmation on record", async () => {
    const app = await verifiedApplication(services, { choice: "kddi", scopes: ["incoming"] });
    await planCarrierOrders(services);
    const batch = await cut("kddi");
    const [order] = await ordersOf(app.applicationId);
    await upload("kddi", batch.batchId, resultsCsv([{ id: order!.id, result: "DONE", date: "2026-11-21" }]));
    expect(await statusOf(app.applicationId)).toBe("completed");

    const base = {
      lineId: order!.lineId,
      applicationId: app.applicationId,
      kind: "resumption",
      channel: "web",
      requesterRelation: "self",
      reasonCode: "moving",
      status: "approved",
    };
    // An approved resumption without the subscriber's confirmation: the database may refuse it already;
    // if it exists, the planner must not act on it.
    const unconfirmed = randomUUID();
    await services.db
      .insert(cancellations)
      .values({ ...base, id: unconfirmed, reference: `R${Date.now()}1`, idempotencyKey: `t:${unconfirmed}`, subscriberConfirmedAt: null })
      .catch(() => "refused by the database");
    const notApproved = randomUUID();
    await services.db.insert(cancellations).values({ ...base, id: notApproved, status: "cooling_off", reference: `R${Date.now()}2`, idempotencyKey: `t:${notApproved}`, subscriberConfirmedAt: services.now() });
    await planCarrierOrders(services);
    expect((await ordersOf(app.applicationId)).filter((o) => o.action === "RESUME")).toEqual([]);

    const approved = randomUUID();
    await services.db.insert(cancellations).values({ ...base, id: approved, reference: `R${Date.now()}3`, idempotencyKey: `t:${approved}`, subscriberConfirmedAt: services.now() });
    await Promise.all([planCarrierOrders(services), planCarrierOrders(services)]);
    const resumes = (await ordersOf(app.applicationId)).filter((o) => o.action === "RESUME");
    expect(resumes.map((o) => [o.carrierCode, o.scope, o.cancellationId])).toEqual([["kddi", "incoming", approved]]);
    const [resuming] = await services.db.select().from(lines).where(eq(lines.id, order!.lineId));
    expect(resuming!.incomingSuspension).toBe("resuming");

    const resumeBatch = await cut("kddi");
    expect(await upload("kddi", resumeBatch.batchId, resultsCsv([{ id: resumes[0]!.id, result: "DONE", date: "2026-11-25" }]))).toMatchObject({ ok: true });
    expect(await statusOf(app.applicationId)).toBe("resumed");
    const [released] = await services.db.select().from(lines).where(eq(lines.id, order!.lineId));
    expect(released!.incomingSuspension).toBe("none");
  });
});

describe("drivers", () => {
  it("runs on the configured database", () => {
    expect(services.database.kind).toBe(usingPostgres() ? "postgres" : "pglite");
  });
});

