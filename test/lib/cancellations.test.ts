/**
 * The cancellation service on the database: every decision path, from each channel's intake to the
 * effects (withdrawn application, approved resumption), and the invariant that nothing is approved
 * without the subscriber's own confirmation on the line.
 */
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { auditLog, cancellationEvents, cancellations, lines } from "../../db/schema";
import { canIssueResume } from "../../app/domain/cancellation-state";
import {
  CANCELLATION_POLICY,
  elapseCoolingOff,
  objectToCancellation,
  operatorAction,
  recordSubscriberAnswer,
  requestCancellation,
  requestCancellationFromCall,
  stateOf,
  sweepCancellations,
  type NewCancellation,
} from "../../app/lib/cancellations.server";
import { HANDLERS } from "../../workers/handlers";
import { SCHEDULES } from "../../workers/schedules";
import { JOB_NAMES } from "../../app/lib/jobs";
import { createTestServices, type TestServices } from "../support/services";
import {
  applicationById,
  applicationIn,
  cancellationById,
  DAY,
  HOUR,
  latestCallOf,
  messagesOf,
  moveApplication,
  objectionCodeOf,
} from "../support/cancellations";

let services: TestServices;
const OPERATOR = randomUUID();
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(async () => {
  await services.close();
});

function web(e164: string, overrides: Partial<NewCancellation> = {}): NewCancellation {
  return {
    channel: "web",
    idempotencyKey: `web:${randomUUID()}`,
    actor: "requester",
    lineE164: e164,
    requesterRelation: "self",
    requesterContact: "09000000000",
    reasonCode: "need_international",
    lineVerification: "callback_at_intake",
    client: randomUUID(),
    ...overrides,
  };
}

async function created(input: NewCancellation) {
  const result = await requestCancellation(services, input);
  if (result.kind !== "created") throw new Error(`expected created, got ${result.kind}`);
  return result;
}

async function answer(cancellationId: string, agreed: boolean) {
  const call = await latestCallOf(services, cancellationId);
  return recordSubscriberAnswer(services, call.id, agreed);
}

async function events(cancellationId: string) {
  const rows = await services.db.select().from(cancellationEvents).where(eq(cancellationEvents.cancellationId, cancellationId)).orderBy(cancellationEvents.id);
  return rows.map((e) => e.type);
}

describe("IVR menu 4 (requestCancellationFromCall)", () => {
  it("takes the subscriber calling from the line as the confirmation: cooling-off, notice, then approved", async () => {
    const e164 = "+81361000001";
    const app = await applicationIn(services, { e164, contactPhone: "09011110001" });
    services.clock.advance(60 * DAY);
    const result = await requestCancellationFromCall(services, { callSid: "CA-self-1", ivrCallId: randomUUID(), lineE164: e164, relation: "self" });
    expect(result.kind).toBe("created");
    if (result.kind !== "created") return;
    let row = await cancellationById(services, result.cancellationId);
    expect(row).toMatchObject({ kind: "resumption", channel: "ivr", status: "cooling_off", confirmationMethod: "ivr_call_from_line", riskReasons: [] });
    expect(row.subscriberConfirmedAt).not.toBeNull();
    expect(row.coolingOffUntil!.getTime() - row.subscriberConfirmedAt!.getTime()).toBeGreaterThanOrEqual(CANCELLATION_POLICY.state.coolingOffHours * HOUR - 1000);
    expect(row.areaKey).toBe("036100");
    expect(row.reference).toMatch(/^\d{11}$/);

    // The original applicant is told, with a code to object: SMS to the mobile, letter to the address.
    const messages = await messagesOf(services, row.id);
    expect(messages.map((m) => m.channel).sort()).toEqual(["letter", "sms"]);
    const sms = messages.find((m) => m.channel === "sms")!;
    expect(sms.to).toBe("+819011110001");
    expect(sms.body).toContain("/cancel/object");
    expect(sms.body).toMatch(/確認コード \d{8}/);

    // Not before the cooling-off is over.
    expect(await elapseCoolingOff(services, row.id)).toBe("cooling_off");
    services.clock.advance(CANCELLATION_POLICY.state.coolingOffHours * HOUR + 1000);
    const swept = await sweepCancellations(services);
    expect(swept.elapsed).toBe(1);
    row = await cancellationById(services, row.id);
    expect(row).toMatchObject({ status: "approved", kind: "resumption", decision: "approved" });
    expect(canIssueResume(stateOf(row))).toBe(true);
    // The application stays completed: the carrier-dispatch planner issues the RESUME order.
    expect((await applicationById(services, app.applicationId)).status).toBe("completed");
    expect(await events(row.id)).toEqual(["received", "rules_evaluated", "cooling_off_started", "applicant_notified", "cooling_off_elapsed"]);
    // A replayed webhook is the same request.
    const again = await requestCancellationFromCall(services, { callSid: "CA-self-1", ivrCallId: randomUUID(), lineE164: e164, relation: "self" });
    expect(again).toEqual(result);
  });

  it("does not take a family member calling from the line as the subscriber's confirmation", async () => {
    const e164 = "+81361100001";
    await applicationIn(services, { e164 });
    services.clock.advance(60 * DAY);
    const result = await requestCancellationFromCall(services, { callSid: "CA-family-1", ivrCallId: randomUUID(), lineE164: e164, relation: "family" });
    if (result.kind !== "created") throw new Error("expected created");
    const row = await cancellationById(services, result.cancellationId);
    expect(row.status).toBe("flagged");
    expect(row.subscriberConfirmedAt).toBeNull();
    expect(row.riskReasons).toContain("requester_not_subscriber");
    expect(row.riskReasons).not.toContain("not_verified_on_line");
  });

  it("answers nothing_to_cancel for a line without a covering application", async () => {
    expect(await requestCancellationFromCall(services, { callSid: "CA-none", ivrCallId: randomUUID(), lineE164: "+81361200001", relation: "self" })).toEqual({ kind: "nothing_to_cancel" });
  });

  it("withdraws a pending application at once when the subscriber calls from the line, and releases the pending suspension", async () => {
    const e164 = "+81361300001";
    const app = await applicationIn(services, { e164, status: "verified" });
    const [lineBefore] = await services.db.select().from(lines).where(eq(lines.e164, e164));
    expect(lineBefore!.incomingSuspension).toBe("pending");
    services.clock.advance(40 * DAY);
    const result = await requestCancellationFromCall(services, { callSid: "CA-withdraw", ivrCallId: randomUUID(), lineE164: e164, relation: "self" });
    if (result.kind !== "created") throw new Error("expected created");
    const row = await cancellationById(services, result.cancellationId);
    expect(row).toMatchObject({ kind: "withdrawal", status: "approved", confirmationMethod: "ivr_call_from_line" });
    expect((await applicationById(services, app.applicationId)).status).toBe("withdrawn");
    const [lineAfter] = await services.db.select().from(lines).where(eq(lines.e164, e164));
    expect(lineAfter!.incomingSuspension).toBe("none");
  });
});

describe("the web and paper intake with a call to the line", () => {
  it("a family member cancelling the subscriber's own application: flagged even after the subscriber presses 1, approved by an operator's note", async () => {
    const e164 = "+81361400001";
    const app = await applicationIn(services, { e164, relation: "self", status: "verified" });
    services.clock.advance(3 * DAY);
    const request = await created(
      web(e164, { requesterRelation: "family", requesterRelationDetail: "長男", requesterName: "山田 一郎", requesterContact: "090-2222-0001", reasonText: "母が間違えて申し込んだ" }),
    );
    expect(request.status).toBe("received");
    const call = await latestCallOf(services, request.cancellationId);
    const [callMessage] = (await messagesOf(services, request.cancellationId)).filter((m) => m.channel === "call");
    expect(callMessage!.to).toBe(e164);
    const content = JSON.parse(callMessage!.body) as { kind: string; url: string; fallbackText: string };
    expect(content.url).toBe(`${services.config.publicBaseUrl}/ivr/cancellation/${call.id}`);
    expect(content.fallbackText).toContain("ご家族と名乗る方");
    expect(content.fallbackText).toContain("取り下げ");
    // What the requester typed is never read to the subscriber.
    expect(content.fallbackText).not.toContain("長男");

    const answered = await answer(request.cancellationId, true);
    expect(answered).toMatchObject({ ok: true, answer: "agreed" });
    let row = await cancellationById(services, request.cancellationId);
    expect(row.status).toBe("flagged");
    expect(row.confirmationMethod).toBe("callback_press_1");
    expect(row.riskReasons).toEqual(expect.arrayContaining(["requester_not_subscriber", "requester_differs_from_applicant", "soon_after_application"]));
    expect(row.riskReasons).not.toContain("not_verified_on_line");
    // Personal data is sealed.
    expect(row.requesterNameEnc).not.toContain("山田");
    expect(services.pii.open(row.requesterContactEnc!)).toBe("09022220001");
    expect(row.requesterContactHash).toBe(services.pii.searchHash("09022220001"));

    const noNote = await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "operator", action: "approve", note: " " });
    expect(noNote).toMatchObject({ ok: false, reason: "note_required" });
    expect((await cancellationById(services, row.id)).status).toBe("flagged");
    const approved = await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "operator", action: "approve", note: "ご本人と電話で話し、取り下げの意思を確認" });
    expect(approved).toEqual({ ok: true, status: "approved" });
    row = await cancellationById(services, row.id);
    expect(row).toMatchObject({ status: "approved", kind: "withdrawal", decidedBy: OPERATOR, decisionNote: "ご本人と電話で話し、取り下げの意思を確認" });
    expect((await applicationById(services, app.applicationId)).status).toBe("withdrawn");
    expect(await events(row.id)).toEqual([
      "received",
      "call_placed",
      "rules_evaluated",
      "review_started",
      "operator_approved_with_note",
      "withdrawal_approved",
    ]);
    const audit = await services.db.select().from(auditLog).where(and(eq(auditLog.subjectId, row.id), eq(auditLog.action, "cancellation.approve")));
    expect(audit).toHaveLength(1);
  });

  it("stops when the subscriber refuses on the confirmation call", async () => {
    const e164 = "+81361500001";
    const app = await applicationIn(services, { e164 });
    services.clock.advance(90 * DAY);
    const request = await created(web(e164, { requesterRelation: "family", requesterRelationDetail: "娘", requesterName: "佐藤 花", requesterContact: "09022220002" }));
    expect(await answer(request.cancellationId, false)).toMatchObject({ ok: true, answer: "refused" });
    const row = await cancellationById(services, request.cancellationId);
    expect(row).toMatchObject({ status: "refused_by_subscriber", decision: "refused_by_subscriber", subscriberConfirmedAt: null });
    expect((await applicationById(services, app.applicationId)).status).toBe("completed");
    // A second press changes nothing.
    expect(await answer(request.cancellationId, true)).toMatchObject({ ok: true, answer: "refused", repeated: true });
    expect((await cancellationById(services, row.id)).status).toBe("refused_by_subscriber");
    // An operator cannot approve it afterwards.
    const late = await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "admin", action: "approve", note: "承認" });
    expect(late.ok).toBe(false);
  });

  it("goes straight to the cooling-off when the subscriber asks on the web and presses 1 (nothing to flag)", async () => {
    const e164 = "+81361600001";
    await applicationIn(services, { e164, address: null, contactPhone: "0361600999" });
    services.clock.advance(120 * DAY);
    const request = await created(web(e164, { requesterContact: "0361600001" }));
    await answer(request.cancellationId, true);
    const row = await cancellationById(services, request.cancellationId);
    expect(row).toMatchObject({ status: "cooling_off", riskReasons: [] });
    // A fixed-line contact gets a call that reads the code; no address, no letter.
    const notices = (await messagesOf(services, row.id)).filter((m) => m.purpose === "cancellation_cooling_off");
    expect(notices.map((m) => m.channel)).toEqual(["call"]);
    expect(notices[0]!.to).toBe("+81361600999");
  });

  it("sends a request nobody answered for to an operator, and lapses a call-back nobody answers", async () => {
    const e164 = "+81361700001";
    await applicationIn(services, { e164 });
    services.clock.advance(60 * DAY);
    const request = await created(web(e164, { requesterContact: "09022220004" }));
    services.clock.advance(CANCELLATION_POLICY.intakeAnswerHours * HOUR + 1000);
    expect((await sweepCancellations(services)).intakeUnanswered).toBe(1);
    let row = await cancellationById(services, request.cancellationId);
    expect(row.status).toBe("flagged");
    expect(row.riskReasons).toContain("not_verified_on_line");
    // The old call can no longer be answered.
    expect(await answer(row.id, true)).toEqual({ ok: false });

    const callBack = await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "operator", action: "call_back" });
    expect(callBack).toEqual({ ok: true, status: "awaiting_confirmation" });
    services.clock.advance(CANCELLATION_POLICY.confirmationDeadlineHours * HOUR + 1000);
    expect((await sweepCancellations(services)).expired).toBeGreaterThanOrEqual(1);
    row = await cancellationById(services, row.id);
    expect(row).toMatchObject({ status: "expired", subscriberConfirmedAt: null });
  });

  it("refuses a second open request on the same line, and replays one submission", async () => {
    const e164 = "+81361800001";
    await applicationIn(services, { e164 });
    const input = web(e164, { requesterContact: "09022220005" });
    const first = await created(input);
    expect(await requestCancellation(services, input)).toMatchObject({ kind: "replayed", cancellationId: first.cancellationId });
    const second = await requestCancellation(services, web(e164, { requesterContact: "09022220006" }));
    expect(second).toMatchObject({ kind: "already_open", cancellationId: first.cancellationId });
    expect(await requestCancellation(services, web("+81361800999"))).toMatchObject({ kind: "nothing_to_cancel" });
  });

  it("takes a request for an application with the carrier as a resumption, held until the suspension is complete", async () => {
    const e164 = "+81361900001";
    const app = await applicationIn(services, { e164, status: "sent" });
    services.clock.advance(40 * DAY);
    const result = await requestCancellationFromCall(services, { callSid: "CA-inflight", ivrCallId: randomUUID(), lineE164: e164, relation: "self" });
    if (result.kind !== "created") throw new Error("expected created");
    let row = await cancellationById(services, result.cancellationId);
    expect(row).toMatchObject({ kind: "resumption", status: "confirmed" });
    await sweepCancellations(services);
    expect((await cancellationById(services, row.id)).status).toBe("confirmed");
    await moveApplication(services, app.applicationId, "completed");
    expect((await sweepCancellations(services)).settled).toBe(1);
    row = await cancellationById(services, row.id);
    expect(row.status).toBe("cooling_off");
  });
});

describe("fraud patterns", () => {
  it("flags one contact number used for many lines, and the operator declines: nothing is approved", async () => {
    const fraudContact = "080-9999-0001";
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const e164 = `+8136200${i}001`;
      await applicationIn(services, { e164, relation: "family", contactPhone: `0901234000${i}` });
    }
    services.clock.advance(90 * DAY);
    for (let i = 0; i < 4; i++) {
      const request = await created(
        web(`+8136200${i}001`, { requesterRelation: "family", requesterRelationDetail: "孫", requesterName: "田中 太郎", requesterContact: fraudContact }),
      );
      ids.push(request.cancellationId);
      services.clock.advance(10 * 60 * 1000);
    }
    // Nobody presses 1 on any line (the subscribers know nothing about it).
    services.clock.advance(CANCELLATION_POLICY.intakeAnswerHours * HOUR + 1000);
    await sweepCancellations(services);
    const rows = await Promise.all(ids.map((id) => cancellationById(services, id)));
    expect(rows.every((r) => r.status === "flagged")).toBe(true);
    expect(rows[0]!.riskReasons).not.toContain("contact_seen_on_other_lines");
    expect(rows[1]!.riskReasons).toContain("contact_seen_on_other_lines");
    expect(rows[2]!.riskReasons).toEqual(expect.arrayContaining(["contact_seen_on_other_lines", "burst_from_same_number"]));
    expect(rows[3]!.evidence).toMatchObject({ context: { otherLinesWithSameContact: 3, recentCancellationsFromSameNumber: 3 } });

    for (const row of rows) {
      const approve = await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "supervisor", action: "approve", note: "急ぎとのこと" });
      expect(approve).toMatchObject({ ok: false, reason: "no_subscriber_confirmation" });
      expect(await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "operator", action: "decline", note: "同じ番号から複数の回線" })).toEqual({
        ok: true,
        status: "declined",
      });
    }
    const approved = await services.db.select().from(cancellations).where(and(eq(cancellations.status, "approved"), sql`${cancellations.id} in ${ids}`));
    expect(approved).toHaveLength(0);
    const refusals = await services.db.select().from(auditLog).where(eq(auditLog.action, "cancellation.approve_refused"));
    expect(refusals.length).toBeGreaterThanOrEqual(4);
  });

  it("keeps the burst of one area in the review queue even with a press of 1", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) await applicationIn(services, { e164: `+8136300${i}002` });
    services.clock.advance(120 * DAY);
    for (let i = 0; i < 5; i++) {
      const request = await created(web(`+8136300${i}002`, { requesterContact: `0701111000${i}` }));
      await answer(request.cancellationId, true);
      ids.push(request.cancellationId);
    }
    const last = await cancellationById(services, ids[4]!);
    expect(last.status).toBe("flagged");
    expect(last.riskReasons).toEqual(["burst_in_same_area"]);
    expect(last.subscriberConfirmedAt).not.toBeNull();
    expect((await cancellationById(services, ids[0]!)).status).toBe("cooling_off");
  });
});

describe("operators and the invariant", () => {
  it("refuses to approve without the subscriber's confirmation, then approves after the call-back press 1", async () => {
    const e164 = "+81364000001";
    await applicationIn(services, { e164 });
    services.clock.advance(60 * DAY);
    const result = await requestCancellation(services, {
      channel: "paper",
      idempotencyKey: `paper:${randomUUID()}`,
      actor: "paper:scan-1",
      lineE164: e164,
      requesterRelation: "self",
      requesterContact: "0364000001",
      reasonCode: "moving",
      lineVerification: "none",
    });
    if (result.kind !== "created") throw new Error("expected created");
    expect(result.status).toBe("flagged");
    const refused = await operatorAction(services, { cancellationId: result.cancellationId, operatorId: OPERATOR, role: "admin", action: "approve", note: "書面で確認" });
    expect(refused).toMatchObject({ ok: false, reason: "no_subscriber_confirmation" });
    let row = await cancellationById(services, result.cancellationId);
    expect(row.status).toBe("flagged");
    expect(row.reviewedBy).toBeNull();

    expect(await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "operator", action: "call_back" })).toEqual({ ok: true, status: "awaiting_confirmation" });
    await answer(row.id, true);
    row = await cancellationById(services, row.id);
    expect(row).toMatchObject({ status: "cooling_off", confirmationMethod: "callback_press_1" });
  });

  it("refuses, in the database itself, an approved row without a confirmation", async () => {
    const e164 = "+81364100001";
    await applicationIn(services, { e164 });
    const request = await created(web(e164, { requesterContact: "09022220041" }));
    const attempt = (set: Partial<typeof cancellations.$inferInsert>) =>
      services.db
        .update(cancellations)
        .set(set)
        .where(eq(cancellations.id, request.cancellationId))
        .then(
          () => "no error",
          (error: { code?: string; cause?: { code?: string } }) => error.cause?.code ?? error.code,
        );
    expect(await attempt({ status: "approved" })).toBe("23514");
    // Nor a "confirmation" by some other means than the line.
    expect(await attempt({ subscriberConfirmedAt: services.now(), confirmationMethod: "letter" })).toBe("23514");
    expect((await cancellationById(services, request.cancellationId)).status).toBe("received");
  });
});

describe("objections during the cooling-off", () => {
  it("stops the automatic approval when the original applicant objects; an operator cannot approve it, a supervisor declines", async () => {
    const e164 = "+81365000001";
    await applicationIn(services, { e164, relation: "family", contactPhone: "09033330001" });
    services.clock.advance(200 * DAY);
    const result = await requestCancellationFromCall(services, { callSid: "CA-objection", ivrCallId: randomUUID(), lineE164: e164, relation: "self" });
    if (result.kind !== "created") throw new Error("expected created");
    let row = await cancellationById(services, result.cancellationId);
    // The subscriber asks, but a family member applied: the rules flag it, the operator approves with a note.
    expect(row.status).toBe("flagged");
    expect(row.riskReasons).toEqual(["requester_differs_from_applicant"]);
    expect(await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "operator", action: "approve", note: "ご本人からの電話" })).toEqual({
      ok: true,
      status: "cooling_off",
    });
    const code = await objectionCodeOf(services, row.id);
    const sms = (await messagesOf(services, row.id)).find((m) => m.channel === "sms")!;
    expect(sms.to).toBe("+819033330001");

    expect(await objectToCancellation(services, { reference: row.reference, code: "00000000", by: "original_applicant", actor: "applicant" })).toMatchObject({ ok: false, reason: "not_found" });
    expect(await objectToCancellation(services, { reference: row.reference, code, by: "original_applicant", actor: "applicant" })).toEqual({ ok: true, reference: row.reference });
    expect(await objectToCancellation(services, { reference: row.reference, code, by: "original_applicant", actor: "applicant" })).toMatchObject({ ok: false, reason: "already" });
    row = await cancellationById(services, row.id);
    expect(row).toMatchObject({ status: "objected", objectedBy: "original_applicant" });

    services.clock.advance(CANCELLATION_POLICY.state.coolingOffHours * HOUR + 1000);
    await HANDLERS[JOB_NAMES.cancellationElapse](services, { cancellationId: row.id });
    expect((await cancellationById(services, row.id)).status).toBe("objected");

    expect(await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "operator", action: "approve", note: "話し合い済み" })).toMatchObject({
      ok: false,
      reason: "supervisor_required",
    });
    expect(await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "supervisor", action: "decline", note: "ご家族が反対。ご家族で話し合っていただく" })).toEqual({
      ok: true,
      status: "declined",
    });
    row = await cancellationById(services, row.id);
    expect(row).toMatchObject({ status: "declined", decision: "declined" });
    expect(canIssueResume(stateOf(row))).toBe(false);
  });

  it("records an objection taken by phone, and a supervisor may still approve with a note", async () => {
    const e164 = "+81365100001";
    await applicationIn(services, { e164 });
    services.clock.advance(200 * DAY);
    const result = await requestCancellationFromCall(services, { callSid: "CA-objection-2", ivrCallId: randomUUID(), lineE164: e164, relation: "self" });
    if (result.kind !== "created") throw new Error("expected created");
    expect(await operatorAction(services, { cancellationId: result.cancellationId, operatorId: OPERATOR, role: "operator", action: "record_objection" })).toEqual({
      ok: true,
      status: "objected",
    });
    expect(await operatorAction(services, { cancellationId: result.cancellationId, operatorId: OPERATOR, role: "supervisor", action: "approve", note: "申込者と話し、了解を得た" })).toEqual({
      ok: true,
      status: "approved",
    });
    const row = await cancellationById(services, result.cancellationId);
    expect(canIssueResume(stateOf(row))).toBe(true);
  });
});

describe("workers", () => {
  it("registers the cancellation jobs and their schedule", () => {
    expect(typeof HANDLERS[JOB_NAMES.cancellationsSweep]).toBe("function");
    expect(SCHEDULES.some((s) => s.name === JOB_NAMES.cancellationsSweep)).toBe(true);
  });
});
