/**
 * The cancellation service on the database: every decision path, from each channel's intake to the
 * effects (withdrawn application, approved resumption), and the invariant that nothing is approved
 * without the subscriber's own confirmation on the line.
 */
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { auditLog, cancellationEvents, cancellations, carrierOrders, lines } from "../../db/schema";
import { CANCELLATION_STATUS_EXITS, CANCELLATION_STATUSES, canIssueResume } from "../../app/domain/cancellation-state";
import {
  CANCELLATION_POLICY,
  elapseCoolingOff,
  objectToCancellation,
  operatorAction,
  QUEUE_REASON_TEXTS,
  recordSubscriberAnswer,
  requestCancellation,
  requestCancellationFromCall,
  reviewQueue,
  stateOf,
  STATUS_DEADLINES,
  sweepCancellations,
  type NewCancellation,
} from "../../app/lib/cancellations.server";
import { cutBatch } from "../../app/lib/carrier-batches.server";
import { planCarrierOrders } from "../../app/lib/carrier-orders.server";
import { uploadResults } from "../../app/lib/carrier-results.server";
import { jstDate } from "../../app/domain/carrier-results";
import { HANDLERS } from "../../workers/handlers";
import { SCHEDULES } from "../../workers/schedules";
import { JOB_NAMES } from "../../app/lib/jobs";
import { createCarrierTestServices, resultsCsv } from "../support/carrier-fixtures";
import { type TestServices } from "../support/services";
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
  // With a carrier signing key: the last tests complete applications through real carrier results.
  services = await createCarrierTestServices();
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

/** The request's item in the back office's list, if it is open. */
async function queueItemOf(cancellationId: string) {
  return (await reviewQueue(services, 1000)).find((item) => item.id === cancellationId);
}

/** No person was ever asked to act on it: no queue status on its timeline. */
async function neverQueued(cancellationId: string) {
  const rows = await services.db.select().from(cancellationEvents).where(eq(cancellationEvents.cancellationId, cancellationId));
  return rows.every((e) => !["flagged", "in_review", "objected"].includes(e.toStatus ?? ""));
}

/** Lets the sweep place the repeat calls and give up after the last one (none answered). */
async function letConfirmationCallsGoUnanswered() {
  for (let attempt = 1; attempt < CANCELLATION_POLICY.confirmationCallAttempts; attempt++) {
    services.clock.advance(CANCELLATION_POLICY.confirmationRetryHours * HOUR + 1000);
    await sweepCancellations(services);
  }
  services.clock.advance(CANCELLATION_POLICY.callValidityHours * HOUR + 1000);
  return sweepCancellations(services);
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
    // Not a person's job: the centre calls the line and asks the subscriber.
    expect(row.status).toBe("awaiting_confirmation");
    expect(row.subscriberConfirmedAt).toBeNull();
    expect(row.riskReasons).toContain("requester_not_subscriber");
    expect(row.riskReasons).not.toContain("not_verified_on_line");
    expect((await latestCallOf(services, row.id)).cancellationId).toBe(row.id);
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
  it("a family member's withdrawal within 30 days, confirmed by the subscriber's 1 on the call, completes with no queue item", async () => {
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
    expect(answered).toMatchObject({ ok: true, answer: "agreed", status: "approved" });
    const row = await cancellationById(services, request.cancellationId);
    expect(row).toMatchObject({ status: "approved", kind: "withdrawal", decision: "approved", confirmationMethod: "callback_press_1", decidedBy: null });
    expect((await applicationById(services, app.applicationId)).status).toBe("withdrawn");
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, e164));
    expect(line!.incomingSuspension).toBe("none");
    // The findings are recorded for the operators' timeline, and routed nowhere.
    expect(row.riskReasons).toEqual(["requester_not_subscriber", "requester_differs_from_applicant", "soon_after_application"]);
    expect((row.evidence as { reasons: { code: string; route: string }[] }).reasons.map((r) => [r.code, r.route])).toEqual([
      ["requester_not_subscriber", "record"],
      ["requester_differs_from_applicant", "record"],
      ["soon_after_application", "record"],
    ]);
    expect(await events(row.id)).toEqual(["received", "call_placed", "rules_evaluated", "withdrawal_approved"]);
    expect(await neverQueued(row.id)).toBe(true);
    expect(await queueItemOf(row.id)).toBeUndefined();
    // Personal data is sealed.
    expect(row.requesterNameEnc).not.toContain("山田");
    expect(services.pii.open(row.requesterContactEnc!)).toBe("09022220001");
    expect(row.requesterContactHash).toBe(services.pii.searchHash("09022220001"));
  });

  it("a family member's resumption within 30 days, confirmed by 1: cooling-off and notice with no person, then the RESUME order may be planned", async () => {
    const e164 = "+81361450001";
    const app = await applicationIn(services, { e164, relation: "family", contactPhone: "09011114501" });
    services.clock.advance(10 * DAY);
    const request = await created(web(e164, { requesterRelation: "family", requesterRelationDetail: "長女", requesterContact: "09011114502" }));
    await answer(request.cancellationId, true);
    let row = await cancellationById(services, request.cancellationId);
    expect(row).toMatchObject({ status: "cooling_off", kind: "resumption", confirmationMethod: "callback_press_1" });
    expect(row.riskReasons).toEqual(expect.arrayContaining(["requester_not_subscriber", "requester_differs_from_applicant", "soon_after_application"]));
    // The original applicant is told, with the code to object.
    const notice = (await messagesOf(services, row.id)).find((m) => m.purpose === "cancellation_cooling_off" && m.channel === "sms")!;
    expect(notice.to).toBe("+819011114501");
    expect((await queueItemOf(row.id))?.needsOperator).toBe(false);

    services.clock.advance(CANCELLATION_POLICY.state.coolingOffHours * HOUR + 1000);
    await sweepCancellations(services);
    row = await cancellationById(services, row.id);
    expect(row.status).toBe("approved");
    expect(canIssueResume(stateOf(row))).toBe(true);
    expect(await neverQueued(row.id)).toBe(true);
    await planCarrierOrders(services);
    const resumes = await services.db.select().from(carrierOrders).where(and(eq(carrierOrders.cancellationId, row.id), eq(carrierOrders.action, "RESUME")));
    expect(resumes.map((o) => [o.applicationId, o.scope])).toEqual([[app.applicationId, "incoming"]]);
  });

  it("still puts a high-severity request in the queue, even with the subscriber's 1; an operator may approve it with a note", async () => {
    const ring = "080-7777-0001";
    await applicationIn(services, { e164: "+81361460001" });
    await applicationIn(services, { e164: "+81361460002" });
    services.clock.advance(15 * DAY);
    await created(web("+81361460001", { requesterRelation: "family", requesterContact: ring }));
    const second = await created(web("+81361460002", { requesterRelation: "family", requesterContact: ring }));
    await answer(second.cancellationId, true);
    let row = await cancellationById(services, second.cancellationId);
    expect(row.status).toBe("flagged");
    expect(row.confirmationMethod).toBe("callback_press_1");
    expect(row.riskReasons).toContain("contact_seen_on_other_lines");
    const item = (await queueItemOf(row.id))!;
    expect(item).toMatchObject({ needsOperator: true, why: QUEUE_REASON_TEXTS.rules });
    expect(item.reasons.find((r) => r.code === "contact_seen_on_other_lines")?.severity).toBe("high");

    const approved = await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "operator", action: "approve", note: "ご本人と電話で話し、解除の意思を確認" });
    expect(approved).toEqual({ ok: true, status: "cooling_off" });
    row = await cancellationById(services, row.id);
    expect(await events(row.id)).toEqual(expect.arrayContaining(["review_started", "operator_approved_with_note", "cooling_off_started"]));
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

  it("calls again when nobody answers, then a person once; after the person's call-back it lapses, and the requester is told", async () => {
    const e164 = "+81361700001";
    await applicationIn(services, { e164 });
    services.clock.advance(60 * DAY);
    const request = await created(web(e164, { requesterContact: "09022220004" }));
    services.clock.advance(CANCELLATION_POLICY.intakeAnswerHours * HOUR + 1000);
    expect((await sweepCancellations(services)).intakeUnanswered).toBeGreaterThanOrEqual(1);
    let row = await cancellationById(services, request.cancellationId);
    // Unverified is the confirmation call's job, not a person's: a new call goes to the line.
    expect(row.status).toBe("awaiting_confirmation");
    expect(row.riskReasons).toContain("not_verified_on_line");
    const firstCall = await latestCallOf(services, row.id);

    const swept = await letConfirmationCallsGoUnanswered();
    expect(swept.confirmationFailed).toBeGreaterThanOrEqual(1);
    const calls = (await messagesOf(services, row.id)).filter((m) => m.purpose === "cancellation_confirmation");
    expect(calls).toHaveLength(1 + CANCELLATION_POLICY.confirmationCallAttempts);
    row = await cancellationById(services, row.id);
    expect(row).toMatchObject({ status: "flagged", subscriberConfirmedAt: null });
    expect(await queueItemOf(row.id)).toMatchObject({ needsOperator: true, why: QUEUE_REASON_TEXTS.confirmation_failed });
    expect(await events(row.id)).toContain("confirmation_failed");
    // The old calls can no longer be answered.
    expect(await recordSubscriberAnswer(services, firstCall.id, true)).toEqual({ ok: false });

    const callBack = await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "operator", action: "call_back" });
    expect(callBack).toEqual({ ok: true, status: "awaiting_confirmation" });
    const again = await letConfirmationCallsGoUnanswered();
    expect(again.expired).toBeGreaterThanOrEqual(1);
    row = await cancellationById(services, row.id);
    expect(row).toMatchObject({ status: "expired", subscriberConfirmedAt: null });
    const told = (await messagesOf(services, row.id)).filter((m) => m.purpose === "cancellation_outcome");
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ channel: "sms", to: "+819022220004" });
    expect(told[0]!.body).toContain("国際電話は止めたままです");
    expect(await events(row.id)).toContain("requester_notified");
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
    // The first looks like any unanswered request (the line is called again); the ring shows from the second.
    expect(rows[0]!.status).toBe("awaiting_confirmation");
    expect(rows.slice(1).every((r) => r.status === "flagged")).toBe(true);
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
    // Paper cannot check the line: the centre calls it (no person needed for that).
    expect(result.status).toBe("awaiting_confirmation");
    const refused = await operatorAction(services, { cancellationId: result.cancellationId, operatorId: OPERATOR, role: "admin", action: "approve", note: "書面で確認" });
    expect(refused).toMatchObject({ ok: false, reason: "no_subscriber_confirmation" });
    let row = await cancellationById(services, result.cancellationId);
    expect(row.status).toBe("awaiting_confirmation");
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
    // The subscriber asks from the line, but a family member applied: recorded, and the applicant is told.
    expect(row.status).toBe("cooling_off");
    expect(row.riskReasons).toEqual(["requester_differs_from_applicant"]);
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

describe("a withdrawal still open when the carrier completes the suspension (issue 11, point 5)", () => {
  async function ordersOf(applicationId: string) {
    return services.db.select().from(carrierOrders).where(eq(carrierOrders.applicationId, applicationId));
  }

  it("becomes a resumption under the same confirmation rules, from review or from the confirmation call", async () => {
    const ring = "080-7777-0002";
    await applicationIn(services, { e164: "+81366000001" });
    const inReview = await applicationIn(services, { e164: "+81366000002", status: "verified" });
    const awaiting = await applicationIn(services, { e164: "+81366000003", status: "verified" });
    await planCarrierOrders(services);
    expect((await applicationById(services, inReview.applicationId)).status).toBe("queued");

    // A withdrawal with a high finding (the contact number was used on another line): in the queue.
    await created(web("+81366000001", { requesterRelation: "family", requesterContact: ring }));
    const flagged = await requestCancellation(services, {
      channel: "operator",
      idempotencyKey: `operator:${randomUUID()}`,
      actor: `operator:${OPERATOR}`,
      lineE164: "+81366000002",
      requesterRelation: "family",
      requesterContact: ring,
      reasonCode: "other",
      lineVerification: "none",
    });
    if (flagged.kind !== "created") throw new Error("expected created");
    expect(flagged).toMatchObject({ status: "flagged", cancellationKind: "withdrawal" });
    // A withdrawal on paper, waiting for the subscriber's answer to the call that asks about withdrawing.
    const waiting = await requestCancellation(services, {
      channel: "paper",
      idempotencyKey: `paper:${randomUUID()}`,
      actor: "paper:scan-complete",
      lineE164: "+81366000003",
      requesterRelation: "self",
      reasonCode: "mistaken",
      lineVerification: "none",
    });
    if (waiting.kind !== "created") throw new Error("expected created");
    expect(waiting).toMatchObject({ status: "awaiting_confirmation", cancellationKind: "withdrawal" });
    const withdrawalCall = await latestCallOf(services, waiting.cancellationId);

    // The carrier completes both suspensions: the results go through the real upload.
    const batch = await cutBatch(services, "kddi");
    const orders = [...(await ordersOf(inReview.applicationId)), ...(await ordersOf(awaiting.applicationId))];
    expect(orders).toHaveLength(2);
    const uploaded = await uploadResults(services, {
      carrierCode: "kddi",
      batchId: batch!.batchId,
      bytes: Buffer.from(resultsCsv(orders.map((o) => ({ id: o.id, result: "DONE", date: jstDate(services.now()) }))), "utf8"),
      contentType: "text/csv",
      actor: "carrier:kddi:test",
    });
    expect(uploaded, JSON.stringify(uploaded)).toMatchObject({ ok: true });
    expect((await applicationById(services, inReview.applicationId)).status).toBe("completed");

    // In review: now a resumption, still in the queue, still needing the subscriber's 1.
    let row = await cancellationById(services, flagged.cancellationId);
    expect(row).toMatchObject({ kind: "resumption", status: "flagged", subscriberConfirmedAt: null });
    expect(await events(row.id)).toContain("kind_changed");
    const refused = await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "supervisor", action: "approve", note: "急ぎ" });
    expect(refused).toMatchObject({ ok: false, reason: "no_subscriber_confirmation" });
    expect(await operatorAction(services, { cancellationId: row.id, operatorId: OPERATOR, role: "operator", action: "call_back" })).toEqual({ ok: true, status: "awaiting_confirmation" });
    const [question] = (await messagesOf(services, row.id)).filter((m) => m.purpose === "cancellation_confirmation").slice(-1);
    expect((JSON.parse(question!.body) as { fallbackText: string }).fallbackText).toContain("元に戻して");
    await answer(row.id, true);
    row = await cancellationById(services, row.id);
    // Confirmed, but a resumption: the cooling-off first, and the application is not withdrawn.
    expect(row).toMatchObject({ kind: "resumption", status: "cooling_off" });
    expect(canIssueResume(stateOf(row))).toBe(false);
    expect((await applicationById(services, inReview.applicationId)).status).toBe("completed");

    // Waiting for the call: the withdrawal question is void, and the line is asked the resumption question.
    row = await cancellationById(services, waiting.cancellationId);
    expect(row).toMatchObject({ kind: "resumption", status: "awaiting_confirmation" });
    expect(await recordSubscriberAnswer(services, withdrawalCall.id, true)).toEqual({ ok: false });
    const resumptionCall = await latestCallOf(services, row.id);
    expect(resumptionCall.id).not.toBe(withdrawalCall.id);
    const [asked] = (await messagesOf(services, row.id)).filter((m) => m.purpose === "cancellation_confirmation").slice(-1);
    expect((JSON.parse(asked!.body) as { fallbackText: string }).fallbackText).toContain("元に戻して");
    expect(await recordSubscriberAnswer(services, resumptionCall.id, true)).toMatchObject({ ok: true, kind: "resumption", status: "cooling_off" });
    expect((await applicationById(services, awaiting.applicationId)).status).toBe("completed");
    services.clock.advance(CANCELLATION_POLICY.state.coolingOffHours * HOUR + 1000);
    await sweepCancellations(services);
    expect(canIssueResume(stateOf(await cancellationById(services, row.id)))).toBe(true);
  });

  it("is caught by the sweep when the application completed some other way", async () => {
    const e164 = "+81366100001";
    const app = await applicationIn(services, { e164, status: "verified" });
    const result = await requestCancellation(services, {
      channel: "paper",
      idempotencyKey: `paper:${randomUUID()}`,
      actor: "paper:scan-sweep",
      lineE164: e164,
      requesterRelation: "self",
      reasonCode: "mistaken",
      lineVerification: "none",
    });
    if (result.kind !== "created") throw new Error("expected created");
    await moveApplication(services, app.applicationId, "completed");
    expect((await sweepCancellations(services)).converted).toBeGreaterThanOrEqual(1);
    const row = await cancellationById(services, result.cancellationId);
    expect(row).toMatchObject({ kind: "resumption", status: "awaiting_confirmation", subscriberConfirmedAt: null });
  });
});

describe("no state without a way out", () => {
  it("the sweep or a job moves every status that waits on time or on a queue", () => {
    for (const status of CANCELLATION_STATUSES) {
      const exit = CANCELLATION_STATUS_EXITS[status];
      if (exit.kind === "timer" || exit.kind === "queue") expect(STATUS_DEADLINES[status], status).toBeTruthy();
    }
  });
});

describe("workers", () => {
  it("registers the cancellation jobs and their schedule", () => {
    expect(typeof HANDLERS[JOB_NAMES.cancellationsSweep]).toBe("function");
    expect(SCHEDULES.some((s) => s.name === JOB_NAMES.cancellationsSweep)).toBe(true);
  });
});
