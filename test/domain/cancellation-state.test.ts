import { STATUSES as APPLICATION_STATUSES, type ApplicationStatus } from "../../app/domain/application-state";
import {
  evaluateCancellation,
  type CancellationRequestFacts,
  type CancellationRuleInput,
  type RiskReasonCode,
} from "../../app/domain/cancellation-rules";
import {
  asResumptionAfterCompletion,
  CANCELLATION_EVENT_LABELS,
  CANCELLATION_STATUS_EXITS,
  confirmationDeadlineEvent,
  QUEUE_STATUSES,
  TRANSITION_TABLE,
  CANCELLATION_EVENT_TYPES,
  CANCELLATION_KINDS,
  CANCELLATION_STATUS_LABELS,
  CANCELLATION_STATUSES,
  canIssueResume,
  cancellationKindFor,
  canTransition,
  canWithdrawApplication,
  confirmationFromIntake,
  decide,
  IllegalCancellationTransitionError,
  isCancellationStatus,
  isTerminal,
  openCancellation,
  possibleEvents,
  TERMINAL_STATUSES,
  transition,
  type CancellationEvent,
  type CancellationEventType,
  type CancellationKind,
  type CancellationState,
  type CancellationStatus,
  type ConfirmationMethod,
  type SubscriberConfirmation,
} from "../../app/domain/cancellation-state";

const HOUR = 60 * 60 * 1000;
const T0 = new Date("2025-11-03T10:00:00+09:00");
const hoursLater = (hours: number, from: Date = T0) => new Date(from.getTime() + hours * HOUR);

/** One event of each type that satisfies every guard, given a state that has what it needs. */
function goodEvent(type: CancellationEventType, state: CancellationState): CancellationEvent {
  const at = state.coolingOffUntil ? hoursLater(1, state.coolingOffUntil) : hoursLater(1);
  switch (type) {
    case "rules_evaluated":
      return { type, at, flagged: true, reasons: ["requester_not_subscriber"] };
    case "review_started":
    case "review_released":
      return { type, at, operatorId: "op-1" };
    case "confirmation_call_requested":
      return { type, at, operatorId: "op-1" };
    case "subscriber_confirmed":
      return { type, at, method: "callback_press_1" };
    case "objection_received":
      return { type, at, by: "original_applicant" };
    case "operator_approved_with_note":
    case "operator_declined":
      return { type, at, operatorId: "op-1", note: "ご契約者と話しました" };
    default:
      return { type, at };
  }
}

const press1: SubscriberConfirmation = { method: "callback_press_1", at: T0 };

/** A state at `status` that satisfies every data guard: confirmation on record, cooling-off under way. */
function richState(kind: CancellationKind, status: CancellationStatus): CancellationState {
  return {
    ...openCancellation({ kind, receivedAt: T0, confirmationWithRequest: press1 }),
    status,
    coolingOffUntil: hoursLater(72),
  };
}

/** Written out independently of the module's table: (from, event) → to, and the kinds it is for. */
const LEGAL: readonly (readonly [CancellationStatus, CancellationEventType, CancellationStatus, CancellationKind[]?])[] = [
  ["received", "rules_evaluated", "flagged"],
  ["received", "requester_withdrew", "withdrawn_by_requester"],
  ["flagged", "review_started", "in_review"],
  ["flagged", "subscriber_refused", "refused_by_subscriber"],
  ["flagged", "requester_withdrew", "withdrawn_by_requester"],
  ["flagged", "deadline_passed", "expired"],
  ["in_review", "review_released", "flagged"],
  ["in_review", "confirmation_call_requested", "awaiting_confirmation"],
  ["in_review", "operator_approved_with_note", "confirmed"],
  ["in_review", "operator_declined", "declined"],
  ["in_review", "subscriber_refused", "refused_by_subscriber"],
  ["in_review", "requester_withdrew", "withdrawn_by_requester"],
  ["in_review", "deadline_passed", "expired"],
  ["awaiting_confirmation", "subscriber_confirmed", "confirmed"],
  ["awaiting_confirmation", "subscriber_refused", "refused_by_subscriber"],
  ["awaiting_confirmation", "operator_declined", "declined"],
  ["awaiting_confirmation", "requester_withdrew", "withdrawn_by_requester"],
  ["awaiting_confirmation", "deadline_passed", "expired"],
  ["awaiting_confirmation", "confirmation_failed", "flagged"],
  ["confirmed", "cooling_off_started", "cooling_off", ["resumption"]],
  ["confirmed", "withdrawal_approved", "approved", ["withdrawal"]],
  ["confirmed", "operator_declined", "declined"],
  ["confirmed", "subscriber_refused", "refused_by_subscriber"],
  ["confirmed", "requester_withdrew", "withdrawn_by_requester"],
  ["cooling_off", "objection_received", "objected"],
  ["cooling_off", "cooling_off_elapsed", "approved"],
  ["cooling_off", "operator_declined", "declined"],
  ["cooling_off", "subscriber_refused", "refused_by_subscriber"],
  ["cooling_off", "requester_withdrew", "withdrawn_by_requester"],
  ["objected", "operator_approved_with_note", "approved"],
  ["objected", "operator_declined", "declined"],
  ["objected", "subscriber_refused", "refused_by_subscriber"],
  ["objected", "requester_withdrew", "withdrawn_by_requester"],
  ["objected", "deadline_passed", "expired"],
];

const legalTarget = (kind: CancellationKind, from: CancellationStatus, event: CancellationEventType) =>
  LEGAL.find(([f, e, , kinds]) => f === from && e === event && (kinds ?? CANCELLATION_KINDS).includes(kind))?.[2];

const MATRIX = CANCELLATION_KINDS.flatMap((kind) =>
  CANCELLATION_STATUSES.flatMap((from) => CANCELLATION_EVENT_TYPES.map((event) => [kind, from, event] as const)),
);
const LEGAL_CELLS = MATRIX.filter(([kind, from, event]) => legalTarget(kind, from, event) !== undefined);
const ILLEGAL_CELLS = MATRIX.filter(([kind, from, event]) => legalTarget(kind, from, event) === undefined);

function refusalOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IllegalCancellationTransitionError);
    return (error as IllegalCancellationTransitionError).refusal;
  }
  throw new Error("expected the transition to be refused");
}

describe("the from × event matrix", () => {
  it("has 12 statuses × 15 events × 2 kinds = 360 cells, 33 legal per kind", () => {
    expect(MATRIX).toHaveLength(360);
    expect(LEGAL_CELLS.filter(([kind]) => kind === "withdrawal")).toHaveLength(33);
    expect(LEGAL_CELLS.filter(([kind]) => kind === "resumption")).toHaveLength(33);
    expect(ILLEGAL_CELLS).toHaveLength(360 - 66);
  });

  it.each(LEGAL_CELLS)("%s: %s + %s is legal", (kind, from, event) => {
    const state = richState(kind, from);
    const next = transition(state, goodEvent(event, state));
    expect(next.status).toBe(legalTarget(kind, from, event));
    expect(possibleEvents(kind, from)).toContain(event);
  });

  it.each(ILLEGAL_CELLS)("%s: %s + %s is refused", (kind, from, event) => {
    const state = richState(kind, from);
    const move = goodEvent(event, state);
    expect(canTransition(state, move)).toBe(false);
    expect(possibleEvents(kind, from)).not.toContain(event);
    const refusal = refusalOf(() => transition(state, move));
    expect(["no_such_transition", "not_for_this_kind"]).toContain(refusal);
    expect(() => transition(state, move)).toThrow(
      expect.objectContaining({ code: "illegal_transition", from, event, kind, name: "IllegalCancellationTransitionError" }),
    );
  });

  it("makes exactly the statuses without a way out terminal", () => {
    expect([...TERMINAL_STATUSES]).toEqual([
      "approved",
      "declined",
      "refused_by_subscriber",
      "withdrawn_by_requester",
      "expired",
    ]);
    for (const status of CANCELLATION_STATUSES) expect(isTerminal(status)).toBe(TERMINAL_STATUSES.includes(status));
  });
});

// ————— Decision paths, step by step —————

type Step = CancellationEvent | ((state: CancellationState) => CancellationEvent);

function run(start: CancellationState, steps: Step[]): { state: CancellationState; trail: CancellationStatus[] } {
  let state = start;
  const trail: CancellationStatus[] = [state.status];
  for (const step of steps) {
    state = transition(state, typeof step === "function" ? step(state) : step);
    trail.push(state.status);
  }
  return { state, trail };
}

const at = (hours: number) => hoursLater(hours);
const flaggedBy = (...reasons: RiskReasonCode[]): CancellationEvent => ({
  type: "rules_evaluated",
  at: at(0),
  flagged: true,
  reasons,
});
const notFlagged = { type: "rules_evaluated", at: at(0), flagged: false, reasons: [] } as const;
const startReview = { type: "review_started", at: at(1), operatorId: "op-7" } as const;
const callBack = { type: "confirmation_call_requested", at: at(2), operatorId: "op-7" } as const;
const pressed1 = { type: "subscriber_confirmed", at: at(3), method: "callback_press_1" } as const;
const refused = { type: "subscriber_refused", at: at(3) } as const;
const coolingOff = { type: "cooling_off_started", at: at(4) } as const;
const elapsed = (state: CancellationState): CancellationEvent => ({
  type: "cooling_off_elapsed",
  at: state.coolingOffUntil ?? at(1000),
});

const APPLIED_AT = new Date("2025-10-01T10:00:00+09:00");
const familyCancelsSubscribersApplication: CancellationRuleInput = {
  request: {
    channel: "web",
    requesterRelation: "family",
    requesterRelationDetail: "長男",
    requesterContactHash: "hash:son",
    lineVerification: "none",
    receivedAt: T0,
  },
  application: {
    createdAt: APPLIED_AT,
    channel: "ivr",
    applicantRelation: "self",
    applicantContactHash: "hash:subscriber",
    status: "completed",
  },
  context: { otherLinesWithSameContact: 0, recentCancellationsInSameArea: 0, recentCancellationsFromSameNumber: 0 },
};

describe("decision paths", () => {
  it("the subscriber calls the IVR from the line: confirmed at once, RESUME only after the cooling-off", () => {
    const request: CancellationRequestFacts = {
      channel: "ivr",
      requesterRelation: "self",
      requesterContactHash: "hash:subscriber",
      lineVerification: "ivr_call_from_line",
      receivedAt: T0,
    };
    const state = decide({ kind: "resumption", request, evaluation: { flagged: false, reasons: [] } });
    expect(state.status).toBe("confirmed");
    expect(state.subscriberConfirmation).toEqual({ method: "ivr_call_from_line", at: T0 });
    expect(canIssueResume(state)).toBe(false);

    const cooling = transition(state, coolingOff);
    expect(cooling.coolingOffUntil).toEqual(hoursLater(72, at(4)));
    const tooEarly = { type: "cooling_off_elapsed", at: hoursLater(71, at(4)) } as const;
    expect(refusalOf(() => transition(cooling, tooEarly))).toBe("cooling_off_not_over");
    expect(canIssueResume(cooling)).toBe(false);

    const approved = transition(cooling, elapsed(cooling));
    expect(approved.status).toBe("approved");
    expect(approved.decidedAt).toEqual(cooling.coolingOffUntil);
    expect(canIssueResume(approved)).toBe(true);
    expect(canWithdrawApplication(approved)).toBe(false);
  });

  it("an unflagged request without confirmation waits for the call-back, then the subscriber presses 1", () => {
    const { state, trail } = run(openCancellation({ kind: "resumption", receivedAt: T0 }), [
      notFlagged,
      pressed1,
      coolingOff,
      elapsed,
    ]);
    expect(trail).toEqual(["received", "awaiting_confirmation", "confirmed", "cooling_off", "approved"]);
    expect(canIssueResume(state)).toBe(true);
  });

  it("a confirmed withdrawal before dispatch completes without cooling-off and issues no RESUME", () => {
    const { state, trail } = run(openCancellation({ kind: "withdrawal", receivedAt: T0 }), [
      flaggedBy("soon_after_application"),
      startReview,
      callBack,
      pressed1,
      { type: "withdrawal_approved", at: at(4) },
    ]);
    expect(trail).toEqual(["received", "flagged", "in_review", "awaiting_confirmation", "confirmed", "approved"]);
    expect(canWithdrawApplication(state)).toBe(true);
    expect(canIssueResume(state)).toBe(false);
    expect(state.coolingOffUntil).toBeNull();
    const withdrawalConfirmed = run(openCancellation({ kind: "withdrawal", receivedAt: T0 }), [notFlagged, pressed1]);
    expect(refusalOf(() => transition(withdrawalConfirmed.state, coolingOff))).toBe("not_for_this_kind");
  });

  it("a family member cancelling the subscriber's own application goes to the confirmation call, not a person, and ahead only on the subscriber's 1", () => {
    const evaluation = evaluateCancellation(familyCancelsSubscribersApplication);
    expect(evaluation.flagged).toBe(false);
    expect(evaluation.reasons.map((reason) => reason.code)).toEqual([
      "not_verified_on_line",
      "requester_not_subscriber",
      "requester_differs_from_applicant",
    ]);
    const awaiting = decide({ kind: "resumption", request: familyCancelsSubscribersApplication.request, evaluation });
    expect(awaiting.status).toBe("awaiting_confirmation");
    expect(awaiting.subscriberConfirmation).toBeNull();
    // Recorded on the request for the operators' timeline, though they route nowhere.
    expect(awaiting.riskReasons).toEqual(evaluation.reasons.map((reason) => reason.code));

    const agreed = run(awaiting, [pressed1, coolingOff, elapsed]);
    expect(agreed.trail).toEqual(["awaiting_confirmation", "confirmed", "cooling_off", "approved"]);
    expect(agreed.trail.some((status) => QUEUE_STATUSES.includes(status))).toBe(false);
    expect(canIssueResume(agreed.state)).toBe(true);

    const againstTheSubscribersWish = run(awaiting, [refused]);
    expect(againstTheSubscribersWish.state.status).toBe("refused_by_subscriber");
    expect(canIssueResume(againstTheSubscribersWish.state)).toBe(false);

    // Nobody answers: a person once; after the person's own call-back, it lapses.
    const failed = run(awaiting, [(state) => confirmationDeadlineEvent(state, at(72))]);
    expect(failed.trail).toEqual(["awaiting_confirmation", "flagged"]);
    const lapsed = run(failed.state, [startReview, callBack, (state) => confirmationDeadlineEvent(state, at(150))]);
    expect(lapsed.trail).toEqual(["flagged", "in_review", "awaiting_confirmation", "expired"]);
    expect(canIssueResume(lapsed.state)).toBe(false);
  });

  it("a fraudster using one number for many lines: the operator cannot approve, and declines", () => {
    const evaluation = evaluateCancellation({
      ...familyCancelsSubscribersApplication,
      request: { ...familyCancelsSubscribersApplication.request, channel: "operator", requesterContactHash: "hash:ring" },
      context: { otherLinesWithSameContact: 9, recentCancellationsInSameArea: 2, recentCancellationsFromSameNumber: 5 },
    });
    expect(evaluation.reasons.map((reason) => reason.code)).toEqual(
      expect.arrayContaining(["contact_seen_on_other_lines", "burst_from_same_number"]),
    );
    const inReview = transition(
      decide({ kind: "resumption", request: familyCancelsSubscribersApplication.request, evaluation }),
      startReview,
    );
    const approve = { type: "operator_approved_with_note", at: at(2), operatorId: "op-7", note: "家族と名乗っています" } as const;
    expect(refusalOf(() => transition(inReview, approve))).toBe("no_subscriber_confirmation");
    expect(canTransition(inReview, approve)).toBe(false);

    const declined = transition(inReview, {
      type: "operator_declined",
      at: at(2),
      operatorId: "op-7",
      note: "  同じ番号で9回線  ",
    });
    expect(declined).toMatchObject({ status: "declined", decidedBy: "op-7", decisionNote: "同じ番号で9回線" });
    expect(canIssueResume(declined)).toBe(false);
  });

  it("the subscriber refusing on the confirmation call ends the request; nothing can follow", () => {
    const { state, trail } = run(openCancellation({ kind: "resumption", receivedAt: T0 }), [notFlagged, refused]);
    expect(trail).toEqual(["received", "awaiting_confirmation", "refused_by_subscriber"]);
    expect(state.decidedAt).toEqual(at(3));
    expect(possibleEvents("resumption", state.status)).toEqual([]);
    expect(refusalOf(() => transition(state, pressed1))).toBe("no_such_transition");
    expect(canIssueResume(state)).toBe(false);
  });

  it("an objection during the cooling-off stops the automatic approval", () => {
    const cooling = run(openCancellation({ kind: "resumption", receivedAt: T0 }), [notFlagged, pressed1, coolingOff]).state;
    const objected = transition(cooling, { type: "objection_received", at: at(10), by: "original_applicant" });
    expect(objected.status).toBe("objected");
    expect(objected.objection).toEqual({ at: at(10), by: "original_applicant" });
    expect(refusalOf(() => transition(objected, elapsed(objected)))).toBe("no_such_transition");
    expect(canIssueResume(objected)).toBe(false);

    const declined = transition(objected, { type: "operator_declined", at: at(20), operatorId: "op-2", note: "ご家族が反対" });
    expect(declined.status).toBe("declined");
    expect(canIssueResume(declined)).toBe(false);

    // The subscriber's confirmation stays on record, so an operator who has spoken with both may approve.
    const noNote = { type: "operator_approved_with_note", at: at(20), operatorId: "op-2", note: " " } as const;
    expect(refusalOf(() => transition(objected, noNote))).toBe("note_required");
    const overruled = transition(objected, { ...noNote, note: "ご本人と申込者の両方と話し、ご本人の意思を確認" });
    expect(overruled.status).toBe("approved");
    expect(canIssueResume(overruled)).toBe(true);

    const subscriberChangedMind = transition(objected, { type: "subscriber_refused", at: at(20) });
    expect(subscriberChangedMind.status).toBe("refused_by_subscriber");
  });

  it("an operator trying to approve without the subscriber's confirmation is refused", () => {
    const inReview = run(openCancellation({ kind: "resumption", receivedAt: T0 }), [
      flaggedBy("requester_not_subscriber"),
      startReview,
    ]).state;
    const approve = { type: "operator_approved_with_note", at: at(2), operatorId: "op-7", note: "電話で話しました" } as const;
    expect(refusalOf(() => transition(inReview, approve))).toBe("no_subscriber_confirmation");
    // The only way on is a call-back to the line.
    const confirmed = run(inReview, [callBack, pressed1]).state;
    expect(confirmed.status).toBe("confirmed");
  });

  it("a request the subscriber confirmed with 1, within 30 days, with no high finding: no person, straight to the cooling-off", () => {
    const request: CancellationRequestFacts = {
      ...familyCancelsSubscribersApplication.request,
      lineVerification: "callback_press_1",
      receivedAt: hoursLater(24 * 10, APPLIED_AT),
    };
    const evaluation = evaluateCancellation({ ...familyCancelsSubscribersApplication, request });
    expect(evaluation.reasons.map((reason) => reason.code)).toContain("soon_after_application");
    expect(evaluation.flagged).toBe(false);
    const resumption = decide({ kind: "resumption", request, evaluation });
    expect(resumption.status).toBe("confirmed");
    expect(run(resumption, [coolingOff, elapsed]).trail).toEqual(["confirmed", "cooling_off", "approved"]);
    const withdrawal = decide({ kind: "withdrawal", request, evaluation });
    expect(run(withdrawal, [{ type: "withdrawal_approved", at: at(1) }]).trail).toEqual(["confirmed", "approved"]);
  });

  it("an operator may approve with a note a flagged request that came with the subscriber's press-1", () => {
    const request: CancellationRequestFacts = {
      ...familyCancelsSubscribersApplication.request,
      lineVerification: "callback_press_1",
    };
    const evaluation = evaluateCancellation({
      ...familyCancelsSubscribersApplication,
      request,
      context: { ...familyCancelsSubscribersApplication.context, recentCancellationsInSameArea: 4 },
    });
    expect(evaluation.flagged).toBe(true);
    const { state, trail } = run(decide({ kind: "resumption", request, evaluation }), [
      startReview,
      { type: "operator_approved_with_note", at: at(2), operatorId: "op-7", note: "ご本人が1を押して確認済み" },
      coolingOff,
      elapsed,
    ]);
    expect(trail).toEqual(["flagged", "in_review", "confirmed", "cooling_off", "approved"]);
    expect(state.decisionNote).toBe("ご本人が1を押して確認済み");
    expect(canIssueResume(state)).toBe(true);
  });

  it("asking for a fresh call-back drops the confirmation that came with the request", () => {
    const withIntakeConfirmation = openCancellation({ kind: "resumption", receivedAt: T0, confirmationWithRequest: press1 });
    const { state } = run(withIntakeConfirmation, [flaggedBy("contact_seen_on_other_lines"), startReview, callBack]);
    expect(state.subscriberConfirmation).toBeNull();
    const expired = transition(state, { type: "deadline_passed", at: at(200) });
    expect(expired.status).toBe("expired");
    expect(canIssueResume(expired)).toBe(false);
  });

  it.each([
    ["flagged", [flaggedBy("burst_in_same_area")]],
    ["in_review", [flaggedBy("burst_in_same_area"), startReview]],
    ["awaiting_confirmation", [notFlagged]],
  ] as const)("nobody answering leaves the request to expire from %s", (_, steps) => {
    const { state } = run(openCancellation({ kind: "resumption", receivedAt: T0 }), [
      ...steps,
      { type: "deadline_passed", at: at(168) },
    ]);
    expect(state.status).toBe("expired");
  });

  it("the requester may withdraw the request during the cooling-off", () => {
    const { state } = run(openCancellation({ kind: "resumption", receivedAt: T0 }), [
      notFlagged,
      pressed1,
      coolingOff,
      { type: "requester_withdrew", at: at(30) },
    ]);
    expect(state.status).toBe("withdrawn_by_requester");
    expect(canIssueResume(state)).toBe(false);
  });

  it("a review can be put back in the queue", () => {
    const { state, trail } = run(openCancellation({ kind: "withdrawal", receivedAt: T0 }), [
      flaggedBy("soon_after_application"),
      startReview,
      { type: "review_released", at: at(2), operatorId: "op-7" },
    ]);
    expect(trail).toEqual(["received", "flagged", "in_review", "flagged"]);
    expect(state.reviewedBy).toBeNull();
  });

  it("refuses a 'confirmation' that is not the subscriber on the line", () => {
    const awaiting = transition(openCancellation({ kind: "resumption", receivedAt: T0 }), notFlagged);
    const callerId = { type: "subscriber_confirmed", at: at(3), method: "caller_id" as ConfirmationMethod } as const;
    expect(refusalOf(() => transition(awaiting, callerId))).toBe("not_a_line_confirmation");
    expect(() =>
      openCancellation({ kind: "resumption", receivedAt: T0, confirmationWithRequest: { method: "caller_id" as ConfirmationMethod, at: T0 } }),
    ).toThrow(RangeError);
  });

  it("uses the configured cooling-off", () => {
    const confirmed = run(openCancellation({ kind: "resumption", receivedAt: T0 }), [notFlagged, pressed1]).state;
    expect(transition(confirmed, coolingOff, { coolingOffHours: 24 }).coolingOffUntil).toEqual(hoursLater(24, at(4)));
    expect(() => transition(confirmed, coolingOff, { coolingOffHours: 0 })).toThrow(RangeError);
  });
});

describe("canIssueResume never trusts the status alone", () => {
  it.each([
    ["a withdrawal", { ...richState("withdrawal", "approved") }],
    ["a resumption without a confirmation", { ...richState("resumption", "approved"), subscriberConfirmation: null }],
    [
      "a resumption with a caller-ID 'confirmation'",
      { ...richState("resumption", "approved"), subscriberConfirmation: { method: "caller_id" as ConfirmationMethod, at: T0 } },
    ],
  ])("%s → false", (_, state) => {
    expect(canIssueResume(state)).toBe(false);
  });

  it("and is false in every status but approved", () => {
    for (const status of CANCELLATION_STATUSES) {
      expect(canIssueResume(richState("resumption", status))).toBe(status === "approved");
    }
  });
});

describe("THE INVARIANT: no path reaches RESUME without the subscriber's confirmation on record", () => {
  type Node = { state: CancellationState; now: Date; lastConfirmationInPath: boolean; path: string[] };

  /** Every variant of every event, including the ones the guards must refuse. */
  function variants(node: Node): CancellationEvent[] {
    const at = hoursLater(1, node.now);
    const until = node.state.coolingOffUntil;
    const list: CancellationEvent[] = [
      { type: "rules_evaluated", at, flagged: true, reasons: ["requester_not_subscriber"] },
      { type: "rules_evaluated", at, flagged: false, reasons: [] },
      { type: "review_started", at, operatorId: "op" },
      { type: "review_released", at, operatorId: "op" },
      { type: "confirmation_call_requested", at },
      { type: "subscriber_confirmed", at, method: "callback_press_1" },
      { type: "subscriber_confirmed", at, method: "ivr_call_from_line" },
      { type: "subscriber_confirmed", at, method: "caller_id" as ConfirmationMethod },
      { type: "subscriber_refused", at },
      { type: "confirmation_failed", at },
      { type: "cooling_off_started", at },
      { type: "withdrawal_approved", at },
      { type: "objection_received", at, by: "original_applicant" },
      { type: "cooling_off_elapsed", at: until ? new Date(until.getTime() - 1) : at },
      { type: "cooling_off_elapsed", at: until ? until : at },
      { type: "operator_approved_with_note", at, operatorId: "op", note: "メモ" },
      { type: "operator_approved_with_note", at, operatorId: "op", note: "" },
      { type: "operator_declined", at, operatorId: "op", note: "メモ" },
      { type: "requester_withdrew", at },
      { type: "deadline_passed", at },
    ];
    expect(new Set(list.map((event) => event.type))).toEqual(new Set(CANCELLATION_EVENT_TYPES));
    return list;
  }

  const key = (node: Node) =>
    JSON.stringify([
      node.state.kind,
      node.state.status,
      node.state.subscriberConfirmation?.method ?? null,
      node.state.coolingOffUntil !== null,
      node.state.objection !== null,
      node.lastConfirmationInPath,
    ]);

  const intakes: (SubscriberConfirmation | null)[] = [
    null,
    press1,
    { method: "ivr_call_from_line", at: T0 },
  ];

  it("holds in every state reachable with any sequence of events", () => {
    const seen = new Set<string>();
    let queue: Node[] = CANCELLATION_KINDS.flatMap((kind) =>
      intakes.map((intake) => ({
        state: openCancellation({ kind, receivedAt: T0, confirmationWithRequest: intake }),
        now: T0,
        lastConfirmationInPath: intake !== null,
        path: [`open(${kind}, ${intake?.method ?? "none"})`],
      })),
    );
    const approvedKinds = new Set<CancellationKind>();
    while (queue.length > 0) {
      const next: Node[] = [];
      for (const node of queue) {
        if (seen.has(key(node))) continue;
        seen.add(key(node));
        if (node.state.status === "approved") {
          approvedKinds.add(node.state.kind);
          expect(node.state.subscriberConfirmation, node.path.join(" → ")).not.toBeNull();
          expect(node.lastConfirmationInPath, node.path.join(" → ")).toBe(true);
        }
        if (canIssueResume(node.state)) {
          expect(node.state.kind).toBe("resumption");
          // A RESUME always waited out (or had an operator settle) a cooling-off.
          expect(node.state.coolingOffUntil, node.path.join(" → ")).not.toBeNull();
        }
        for (const event of variants(node)) {
          if (!canTransition(node.state, event)) continue;
          const state = transition(node.state, event);
          let lastConfirmationInPath = node.lastConfirmationInPath;
          if (event.type === "confirmation_call_requested") lastConfirmationInPath = false;
          if (event.type === "subscriber_confirmed") lastConfirmationInPath = true;
          next.push({ state, now: event.at, lastConfirmationInPath, path: [...node.path, event.type] });
        }
      }
      queue = next;
    }
    expect(seen.size).toBeGreaterThanOrEqual(60); // the exploration really went through the machine
    // Both kinds can still be approved: the invariant is not satisfied by making approval impossible.
    expect(approvedKinds).toEqual(new Set(CANCELLATION_KINDS));
  });
});

describe("no state without a way out (issue 11, point 5)", () => {
  it.each(CANCELLATION_STATUSES.map((status) => [status] as const))("%s has a queue, a timer, an automatic next step, or is terminal", (status) => {
    const exit = CANCELLATION_STATUS_EXITS[status];
    expect(exit.what.length).toBeGreaterThan(10);
    expect(exit.kind === "terminal").toBe(isTerminal(status));
    if (exit.kind === "terminal") {
      expect(exit.via).toEqual([]);
      return;
    }
    // Each way out named is a real row of the table, for both kinds unless the row says otherwise.
    expect(exit.via.length).toBeGreaterThan(0);
    for (const event of exit.via) expect(TRANSITION_TABLE.some((row) => row.from === status && row.event === event)).toBe(true);
    for (const kind of CANCELLATION_KINDS) {
      expect(exit.via.some((event) => possibleEvents(kind, status).includes(event))).toBe(true);
    }
    // Nothing sits in a queue for ever: every queue has a lapse behind it.
    if (exit.kind === "queue") expect(exit.via).toContain("deadline_passed");
  });

  it("lists as queues exactly the statuses a person works", () => {
    expect([...QUEUE_STATUSES]).toEqual(["flagged", "in_review", "objected"]);
  });

  it("walks every reachable status to an end without anyone but the timers and the people of the queues", () => {
    // From every non-terminal status, following only `via` events, a terminal status is reachable.
    const reachesEnd = (status: CancellationStatus, seen: Set<CancellationStatus> = new Set()): boolean => {
      if (isTerminal(status)) return true;
      if (seen.has(status)) return false;
      seen.add(status);
      return CANCELLATION_STATUS_EXITS[status].via.some((event) =>
        TRANSITION_TABLE.filter((row) => row.from === status && row.event === event).some((row) => reachesEnd(row.to, new Set(seen))),
      );
    };
    for (const status of CANCELLATION_STATUSES) expect(reachesEnd(status), status).toBe(true);
  });
});

describe("confirmations that failed", () => {
  it("go to a person the first time, and lapse after a person's own call-back", () => {
    const awaiting = transition(openCancellation({ kind: "resumption", receivedAt: T0 }), notFlagged);
    expect(confirmationDeadlineEvent(awaiting, at(72))).toEqual({ type: "confirmation_failed", at: at(72) });
    const reviewed = run(openCancellation({ kind: "resumption", receivedAt: T0 }), [flaggedBy("contact_seen_on_other_lines"), startReview, callBack]).state;
    expect(confirmationDeadlineEvent(reviewed, at(72))).toEqual({ type: "deadline_passed", at: at(72) });
    // confirmation_failed is never a way to approval.
    const flagged = transition(awaiting, { type: "confirmation_failed", at: at(72) });
    expect(flagged.status).toBe("flagged");
    expect(flagged.subscriberConfirmation).toBeNull();
  });
});

describe("a withdrawal still open when the carrier completes the suspension", () => {
  it.each(["received", "flagged", "in_review", "awaiting_confirmation", "confirmed"] as const)(
    "becomes a resumption from %s, under the same confirmation rules",
    (status) => {
      const state = { ...openCancellation({ kind: "withdrawal", receivedAt: T0 }), status };
      const converted = asResumptionAfterCompletion(state)!;
      expect(converted).toMatchObject({ kind: "resumption", status, subscriberConfirmation: null });
      expect(canIssueResume(converted)).toBe(false);
      // Without a confirmation on record nothing moves it towards a RESUME.
      expect(canTransition(converted, { type: "withdrawal_approved", at: at(1) })).toBe(false);
      expect(canTransition(converted, coolingOff)).toBe(false);
    },
  );

  it("keeps a confirmation on record, and then needs the cooling-off before any RESUME", () => {
    const confirmed = run(openCancellation({ kind: "withdrawal", receivedAt: T0 }), [notFlagged, pressed1]).state;
    const converted = asResumptionAfterCompletion(confirmed)!;
    expect(refusalOf(() => transition(converted, { type: "withdrawal_approved", at: at(4) }))).toBe("not_for_this_kind");
    const { state, trail } = run(converted, [coolingOff, elapsed]);
    expect(trail).toEqual(["confirmed", "cooling_off", "approved"]);
    expect(canIssueResume(state)).toBe(true);
  });

  it("changes nothing once decided, or for a resumption", () => {
    expect(asResumptionAfterCompletion(richState("withdrawal", "approved"))).toBeNull();
    expect(asResumptionAfterCompletion(richState("withdrawal", "expired"))).toBeNull();
    expect(asResumptionAfterCompletion(richState("resumption", "flagged"))).toBeNull();
  });
});

describe("cancellationKindFor", () => {
  const EXPECTED: Record<ApplicationStatus, string> = {
    received: "withdrawal",
    verified: "withdrawal",
    needs_review: "withdrawal",
    queued: "withdrawal",
    sent: "in_flight",
    acknowledged: "in_flight",
    rejected: "in_flight",
    completed: "resumption",
    withdrawn: "nothing_to_cancel",
    resumed: "nothing_to_cancel",
  };
  it.each(APPLICATION_STATUSES.map((status) => [status, EXPECTED[status]] as const))("%s → %s", (status, expected) => {
    const result = cancellationKindFor(status);
    expect(result.ok ? result.kind : result.reason).toBe(expected);
    if (!result.ok) expect(result.message).toMatch(/。$/);
  });
});

describe("confirmationFromIntake", () => {
  const base: CancellationRequestFacts = {
    channel: "ivr",
    requesterRelation: "self",
    requesterContactHash: null,
    lineVerification: "ivr_call_from_line",
    receivedAt: T0,
  };
  it.each([
    ["the subscriber calling the IVR from the line", {}, "ivr_call_from_line"],
    ["a family member calling the IVR from the line", { requesterRelation: "family" }, null],
    ["a web request with the call-back press-1", { channel: "web", lineVerification: "callback_press_1" }, "callback_press_1"],
    ["a family web request with the call-back press-1", { channel: "web", requesterRelation: "family", lineVerification: "callback_press_1" }, "callback_press_1"],
    ["an operator call with the line's caller ID", { channel: "operator", lineVerification: "caller_id" }, null],
    ["paper", { channel: "paper", lineVerification: "none" }, null],
    ["a web form claiming an IVR call", { channel: "web" }, null],
  ] as const)("%s → %s", (_, change, method) => {
    const confirmation = confirmationFromIntake({ ...base, ...change });
    expect(confirmation?.method ?? null).toBe(method);
  });
});

describe("labels", () => {
  it("labels every status for operators and explains it to the requester", () => {
    for (const status of CANCELLATION_STATUSES) {
      expect(CANCELLATION_STATUS_LABELS[status].label).toBeTruthy();
      expect(CANCELLATION_STATUS_LABELS[status].description).toMatch(/。$/);
      // The requester never learns that the request was flagged.
      expect(CANCELLATION_STATUS_LABELS[status].description).not.toMatch(/詐欺|疑/);
    }
    expect(isCancellationStatus("cooling_off")).toBe(true);
    expect(isCancellationStatus("resumed")).toBe(false);
  });

  it("labels every event", () => {
    for (const type of CANCELLATION_EVENT_TYPES) expect(CANCELLATION_EVENT_LABELS[type]).toBeTruthy();
  });
});
