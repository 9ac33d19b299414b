/**
 * The decision on a cancellation request (課題②), as a transition table.
 *
 *   received ──(a rule routes it to review)──► flagged ──► in_review ──(operator: confirm by call-back)──► awaiting_confirmation
 *   received ──(no flag)──► awaiting_confirmation ──(subscriber presses 1 on the call-back)──► confirmed
 *   received ──(no flag, the request itself was the subscriber's confirmation)──► confirmed
 *   awaiting_confirmation ──(the automatic calls went unanswered, no person asked yet)──► flagged
 *   in_review ──(operator approves with a note: only with a confirmation on record)──► confirmed
 *   confirmed ──► cooling_off (resumption) ──(time passes)──► approved   → the RESUME order may leave
 *   confirmed ──► approved (withdrawal)                                 → the application is withdrawn
 *   cooling_off ──(the original applicant objects)──► objected ──► an operator declines, or approves with a note
 *   Any open status ──► refused_by_subscriber | withdrawn_by_requester | declined | expired (see the table).
 *
 * THE INVARIANT: `approved` is only reachable with the subscriber's own confirmation on record — a
 * call-back to the line where the subscriber pressed 1, or an IVR call from the line by the
 * subscriber. Operators cannot approve without it, and every row into `approved` checks it again, so
 * a wrong path added to the table later still cannot turn international calls back on.
 *
 * Withdrawal vs resumption: withdrawing a suspension that has not been dispatched does not turn
 * international calls back on (they were never off), but a fraud ring gains just as much by stopping
 * a pending suspension, so a withdrawal needs the same confirmation. It skips the cooling-off, which
 * exists to let the original applicant object before calls come back on; a confirmed withdrawal
 * leaves nothing to object to that a new application would not fix.
 *
 * Straight through (ADR 016): a request the subscriber confirms on the line, with no finding that
 * routes to review, needs no person — a withdrawal is approved at once, a resumption after the
 * cooling-off. A person sees only what the rules route to review, objections, and confirmations that
 * failed; every status has a queue, a timer or an automatic next step (CANCELLATION_STATUS_EXITS).
 *
 * Pure: services call transition() before writing the new status and its event.
 */
import type { ApplicationStatus } from "./application-state";
import type { CancellationRequestFacts, RiskEvaluation, RiskReasonCode } from "./cancellation-rules";

export const CANCELLATION_KINDS = ["withdrawal", "resumption"] as const;
export type CancellationKind = (typeof CANCELLATION_KINDS)[number];

export const CANCELLATION_KIND_LABELS: Readonly<Record<CancellationKind, string>> = {
  withdrawal: "お申し込みの取り下げ（電話会社に送る前）",
  resumption: "休止の解除（国際電話を元に戻す）",
};

/** Where an application stands decides the kind, or whether a cancellation is possible at all right now. */
export type KindForApplication =
  | { ok: true; kind: CancellationKind }
  | { ok: false; reason: "in_flight" | "nothing_to_cancel"; message: string };

export const KIND_REFUSAL_MESSAGES = {
  // The order is with the carrier: it can be neither pulled back nor reversed until it is done.
  in_flight: "いま電話会社で手続きをしています。手続きが終わってから、もう一度お申し出ください。",
  nothing_to_cancel: "このお申し込みは、すでに取り下げか解除が済んでいます。",
} as const;

const WITHDRAWABLE: readonly ApplicationStatus[] = ["received", "verified", "needs_review", "queued"];

/**
 * The kind is fixed when the request arrives. A pending withdrawal does not hold the dispatch by
 * itself: if the order leaves while the subscriber is being asked, application-state refuses
 * queued → withdrawn, and the service must hold the application or treat the request as a resumption.
 */
export function cancellationKindFor(status: ApplicationStatus): KindForApplication {
  if (WITHDRAWABLE.includes(status)) return { ok: true, kind: "withdrawal" };
  if (status === "completed") return { ok: true, kind: "resumption" };
  const reason = status === "withdrawn" || status === "resumed" ? "nothing_to_cancel" : "in_flight";
  return { ok: false, reason, message: KIND_REFUSAL_MESSAGES[reason] };
}

export const CANCELLATION_STATUSES = [
  "received",
  "flagged",
  "in_review",
  "awaiting_confirmation",
  "confirmed",
  "cooling_off",
  "objected",
  "approved",
  "declined",
  "refused_by_subscriber",
  "withdrawn_by_requester",
  "expired",
] as const;
export type CancellationStatus = (typeof CANCELLATION_STATUSES)[number];

export function isCancellationStatus(value: unknown): value is CancellationStatus {
  return typeof value === "string" && (CANCELLATION_STATUSES as readonly string[]).includes(value);
}

/** The only two ways the subscriber's own wish is taken as confirmed (issue 7). */
export const CONFIRMATION_METHODS = ["callback_press_1", "ivr_call_from_line"] as const;
export type ConfirmationMethod = (typeof CONFIRMATION_METHODS)[number];

export function isConfirmationMethod(value: unknown): value is ConfirmationMethod {
  return typeof value === "string" && (CONFIRMATION_METHODS as readonly string[]).includes(value);
}

export type SubscriberConfirmation = { method: ConfirmationMethod; at: Date };

/**
 * The intake itself is the subscriber's confirmation when the centre called the line back and the
 * subscriber pressed 1 (the call-back script addresses the subscriber, whoever filled in the form), or
 * when the subscriber called the IVR from the line. A family member calling from the subscriber's
 * line is on the line but is not the subscriber, so that call does not count.
 */
export function confirmationFromIntake(request: CancellationRequestFacts): SubscriberConfirmation | null {
  const { lineVerification, requesterRelation, channel, receivedAt } = request;
  if (lineVerification === "callback_press_1") return { method: "callback_press_1", at: receivedAt };
  if (lineVerification === "ivr_call_from_line" && channel === "ivr" && requesterRelation === "self") {
    return { method: "ivr_call_from_line", at: receivedAt };
  }
  return null;
}

export type CancellationStateConfig = {
  /** Hours between the start of the cooling-off and the RESUME order (the original applicant may object). */
  coolingOffHours: number;
};

export const DEFAULT_STATE_CONFIG: Readonly<CancellationStateConfig> = { coolingOffHours: 72 };

export type Objection = { at: Date; by: "original_applicant" | "other" };

export type CancellationState = {
  kind: CancellationKind;
  status: CancellationStatus;
  receivedAt: Date;
  /** Codes from evaluateCancellation; stored in cancellations.risk_reasons. */
  riskReasons: readonly RiskReasonCode[];
  /** cancellations.subscriber_confirmed_at (+ method in evidence). Nothing reaches `approved` without it. */
  subscriberConfirmation: SubscriberConfirmation | null;
  coolingOffUntil: Date | null;
  objection: Objection | null;
  reviewedBy: string | null;
  /** cancellations.decided_by / decided_at / decision_note: set by operator decisions and terminal moves. */
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
};

type At = { at: Date };
export type CancellationEvent =
  | (At & { type: "rules_evaluated"; flagged: boolean; reasons: readonly RiskReasonCode[] })
  | (At & { type: "review_started"; operatorId: string })
  | (At & { type: "review_released"; operatorId: string })
  | (At & { type: "confirmation_call_requested"; operatorId?: string })
  | (At & { type: "subscriber_confirmed"; method: ConfirmationMethod })
  | (At & { type: "confirmation_failed" })
  | (At & { type: "subscriber_refused" })
  | (At & { type: "cooling_off_started" })
  | (At & { type: "withdrawal_approved" })
  | (At & { type: "objection_received"; by: Objection["by"] })
  | (At & { type: "cooling_off_elapsed" })
  | (At & { type: "operator_approved_with_note"; operatorId: string; note: string })
  | (At & { type: "operator_declined"; operatorId: string; note: string })
  | (At & { type: "requester_withdrew" })
  | (At & { type: "deadline_passed" });

export type CancellationEventType = CancellationEvent["type"];

export const CANCELLATION_EVENT_TYPES = [
  "rules_evaluated",
  "review_started",
  "review_released",
  "confirmation_call_requested",
  "subscriber_confirmed",
  "confirmation_failed",
  "subscriber_refused",
  "cooling_off_started",
  "withdrawal_approved",
  "objection_received",
  "cooling_off_elapsed",
  "operator_approved_with_note",
  "operator_declined",
  "requester_withdrew",
  "deadline_passed",
] as const satisfies readonly CancellationEventType[];

/** Why a move was refused; "no_such_transition" when the table has no row at all. */
export const TRANSITION_REFUSALS = [
  "no_such_transition",
  "not_for_this_kind",
  "no_subscriber_confirmation",
  "not_a_line_confirmation",
  "note_required",
  "cooling_off_not_over",
] as const;
export type TransitionRefusal = (typeof TRANSITION_REFUSALS)[number];

export class IllegalCancellationTransitionError extends Error {
  readonly code = "illegal_transition";
  constructor(
    readonly from: CancellationStatus,
    readonly event: CancellationEventType,
    readonly kind: CancellationKind,
    readonly refusal: TransitionRefusal,
  ) {
    super(`Illegal cancellation transition: ${from} + ${event} (${kind}): ${refusal}`);
    this.name = "IllegalCancellationTransitionError";
  }
}

type Guard = {
  refusal: TransitionRefusal;
  holds: (state: CancellationState, event: CancellationEvent) => boolean;
};

const hasLineConfirmation = (state: CancellationState) =>
  state.subscriberConfirmation !== null && isConfirmationMethod(state.subscriberConfirmation.method);

const GUARDS = {
  confirmationOnRecord: { refusal: "no_subscriber_confirmation", holds: hasLineConfirmation },
  noteGiven: {
    refusal: "note_required",
    holds: (_, event) => "note" in event && typeof event.note === "string" && event.note.trim() !== "",
  },
  lineConfirmationMethod: {
    refusal: "not_a_line_confirmation",
    holds: (_, event) => event.type === "subscriber_confirmed" && isConfirmationMethod(event.method),
  },
  coolingOffOver: {
    refusal: "cooling_off_not_over",
    holds: (state, event) => state.coolingOffUntil !== null && event.at.getTime() >= state.coolingOffUntil.getTime(),
  },
  // The three outcomes of rules_evaluated partition every case, so one of them always holds.
  flaggedByRules: { refusal: "no_such_transition", holds: (_, event) => event.type === "rules_evaluated" && event.flagged },
  notFlaggedByRules: {
    refusal: "no_such_transition",
    holds: (_, event) => event.type === "rules_evaluated" && !event.flagged,
  },
  noConfirmationYet: { refusal: "no_such_transition", holds: (state) => !hasLineConfirmation(state) },
  // A failed confirmation goes to a person once: after an operator's own call-back, it lapses instead.
  noPersonAskedYet: { refusal: "no_such_transition", holds: (state) => state.reviewedBy === null },
} as const satisfies Record<string, Guard>;

export type TransitionRow = {
  from: CancellationStatus;
  event: CancellationEventType;
  to: CancellationStatus;
  /** Only for these kinds; all kinds when absent. */
  kinds?: readonly CancellationKind[];
  guards?: readonly Guard[];
};

/** Statuses where the request is still open: the subscriber's "no" and the requester's change of mind apply to all. */
const OPEN: readonly CancellationStatus[] = [
  "received",
  "flagged",
  "in_review",
  "awaiting_confirmation",
  "confirmed",
  "cooling_off",
  "objected",
];

/**
 * The table. Rows for the same (from, event) are tried in order; the first whose guards hold wins.
 * A (from, event) pair with no row is illegal in every state.
 */
export const TRANSITION_TABLE: readonly TransitionRow[] = [
  { from: "received", event: "rules_evaluated", to: "flagged", guards: [GUARDS.flaggedByRules] },
  {
    from: "received",
    event: "rules_evaluated",
    to: "confirmed",
    guards: [GUARDS.notFlaggedByRules, GUARDS.confirmationOnRecord],
  },
  {
    from: "received",
    event: "rules_evaluated",
    to: "awaiting_confirmation",
    guards: [GUARDS.notFlaggedByRules, GUARDS.noConfirmationYet],
  },

  { from: "flagged", event: "review_started", to: "in_review" },
  // The operator puts it back in the queue (end of shift, needs a supervisor).
  { from: "in_review", event: "review_released", to: "flagged" },
  // "Confirm by call-back": a fresh confirmation is asked for, whatever came with the request.
  { from: "in_review", event: "confirmation_call_requested", to: "awaiting_confirmation" },
  {
    from: "in_review",
    event: "operator_approved_with_note",
    to: "confirmed",
    guards: [GUARDS.confirmationOnRecord, GUARDS.noteGiven],
  },
  { from: "in_review", event: "operator_declined", to: "declined", guards: [GUARDS.noteGiven] },

  {
    from: "awaiting_confirmation",
    event: "subscriber_confirmed",
    to: "confirmed",
    guards: [GUARDS.lineConfirmationMethod],
  },
  { from: "awaiting_confirmation", event: "operator_declined", to: "declined", guards: [GUARDS.noteGiven] },
  // The automatic calls went unanswered: a person looks (calls by voice, asks again, or declines).
  {
    from: "awaiting_confirmation",
    event: "confirmation_failed",
    to: "flagged",
    guards: [GUARDS.noPersonAskedYet],
  },

  {
    from: "confirmed",
    event: "cooling_off_started",
    to: "cooling_off",
    kinds: ["resumption"],
    guards: [GUARDS.confirmationOnRecord],
  },
  {
    from: "confirmed",
    event: "withdrawal_approved",
    to: "approved",
    kinds: ["withdrawal"],
    guards: [GUARDS.confirmationOnRecord],
  },
  { from: "confirmed", event: "operator_declined", to: "declined", guards: [GUARDS.noteGiven] },

  { from: "cooling_off", event: "objection_received", to: "objected" },
  {
    from: "cooling_off",
    event: "cooling_off_elapsed",
    to: "approved",
    guards: [GUARDS.coolingOffOver, GUARDS.confirmationOnRecord],
  },
  { from: "cooling_off", event: "operator_declined", to: "declined", guards: [GUARDS.noteGiven] },

  // An objection does not void the subscriber's confirmation (the line is theirs), but it stops the
  // automatic approval: an operator speaks with both and decides, and the note says why.
  {
    from: "objected",
    event: "operator_approved_with_note",
    to: "approved",
    guards: [GUARDS.confirmationOnRecord, GUARDS.noteGiven],
  },
  { from: "objected", event: "operator_declined", to: "declined", guards: [GUARDS.noteGiven] },

  // The subscriber's "no" ends the request at any point before approval, whatever was said before.
  ...OPEN.filter((from) => from !== "received").map(
    (from): TransitionRow => ({ from, event: "subscriber_refused", to: "refused_by_subscriber" }),
  ),
  ...OPEN.map((from): TransitionRow => ({ from, event: "requester_withdrew", to: "withdrawn_by_requester" })),
  // Nobody answered the call-back, nobody picked the request up, or nobody settled an objection:
  // the request lapses, and calls stay off. The service decides the deadlines.
  ...(["flagged", "in_review", "awaiting_confirmation", "objected"] as const).map(
    (from): TransitionRow => ({ from, event: "deadline_passed", to: "expired" }),
  ),
];

export const TERMINAL_STATUSES: readonly CancellationStatus[] = CANCELLATION_STATUSES.filter(
  (status) => !TRANSITION_TABLE.some((row) => row.from === status),
);

export function isTerminal(status: CancellationStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export type StatusExitKind = "queue" | "timer" | "automatic" | "terminal";

export type StatusExit = {
  /**
   * queue: a person must act, and the request is listed in the review queue (with a deadline behind it);
   * timer: it moves on by itself when a time passes (or earlier, on an answer);
   * automatic: the service moves it on at once (or holds it for a named outside event, and the sweep retries);
   * terminal: nothing follows.
   */
  kind: StatusExitKind;
  /** What moves it on, in plain words (for ADR 016 and the operations guide). */
  what: string;
  /** The events that take it out without the requester or the subscriber having to do anything more. */
  via: readonly CancellationEventType[];
};

/**
 * No state without a way out (issue 11, point 5): every status has a queue, a timer or an automatic
 * next step. The service's sweep and jobs implement the timers (cancellations.server.ts,
 * STATUS_DEADLINES); a test walks this table against the transition table.
 */
export const CANCELLATION_STATUS_EXITS: Readonly<Record<CancellationStatus, StatusExit>> = {
  received: {
    kind: "timer",
    what: "The intake call to the line: the answer runs the rules; no answer within intakeAnswerHours runs them without a line check.",
    via: ["rules_evaluated"],
  },
  flagged: {
    kind: "queue",
    what: "Review queue (a high finding, or a confirmation that failed); lapses after reviewDeadlineDays.",
    via: ["review_started", "deadline_passed"],
  },
  in_review: {
    kind: "queue",
    what: "An operator has it: call-back, approve with a note (only with a confirmation on record), decline, or release; lapses after reviewDeadlineDays.",
    via: ["confirmation_call_requested", "operator_approved_with_note", "operator_declined", "review_released", "deadline_passed"],
  },
  awaiting_confirmation: {
    kind: "timer",
    what: "The confirmation calls to the line (retried): 1 confirms, 2 refuses; unanswered → a person once (confirmation_failed), after a person's call-back → expired.",
    via: ["confirmation_failed", "deadline_passed"],
  },
  confirmed: {
    kind: "automatic",
    what: "Settled at once: a withdrawal is approved, a resumption starts the cooling-off; held only while the carrier has the order, and settled by the sweep when it completes.",
    via: ["withdrawal_approved", "cooling_off_started"],
  },
  cooling_off: {
    kind: "timer",
    what: "The original applicant is told; at coolingOffUntil it is approved (the RESUME order may leave) unless they objected.",
    via: ["cooling_off_elapsed"],
  },
  objected: {
    kind: "queue",
    what: "Review queue: a supervisor decides with a note; lapses after objectionDeadlineDays (calls stay off).",
    via: ["operator_approved_with_note", "operator_declined", "deadline_passed"],
  },
  approved: { kind: "terminal", what: "Done: the application is withdrawn, or the RESUME order may leave.", via: [] },
  declined: { kind: "terminal", what: "Done: calls stay off.", via: [] },
  refused_by_subscriber: { kind: "terminal", what: "Done: the subscriber said no; calls stay off.", via: [] },
  withdrawn_by_requester: { kind: "terminal", what: "Done: the requester dropped it.", via: [] },
  expired: { kind: "terminal", what: "Done: lapsed, calls stay off, the requester is told and may ask again.", via: [] },
};

/** Statuses a person must work: the review queue shows these first. */
export const QUEUE_STATUSES: readonly CancellationStatus[] = CANCELLATION_STATUSES.filter(
  (status) => CANCELLATION_STATUS_EXITS[status].kind === "queue",
);

export function openCancellation(args: {
  kind: CancellationKind;
  receivedAt: Date;
  /** From confirmationFromIntake(): set only when the request itself was the subscriber's confirmation. */
  confirmationWithRequest?: SubscriberConfirmation | null;
}): CancellationState {
  const confirmation = args.confirmationWithRequest ?? null;
  if (confirmation !== null && !isConfirmationMethod(confirmation.method)) {
    throw new RangeError(`Not a subscriber confirmation method: ${String(confirmation.method)}`);
  }
  return {
    kind: args.kind,
    status: "received",
    receivedAt: args.receivedAt,
    riskReasons: [],
    subscriberConfirmation: confirmation,
    coolingOffUntil: null,
    objection: null,
    reviewedBy: null,
    decidedBy: null,
    decidedAt: null,
    decisionNote: null,
  };
}

type Resolution = { ok: true; row: TransitionRow } | { ok: false; refusal: TransitionRefusal };

const rowAppliesToKind = (row: TransitionRow, kind: CancellationKind) => row.kinds?.includes(kind) ?? true;

function resolve(state: CancellationState, event: CancellationEvent): Resolution {
  const rows = TRANSITION_TABLE.filter((row) => row.from === state.status && row.event === event.type);
  if (rows.length === 0) return { ok: false, refusal: "no_such_transition" };
  const candidates = rows.filter((row) => rowAppliesToKind(row, state.kind));
  if (candidates.length === 0) return { ok: false, refusal: "not_for_this_kind" };
  let refusal: TransitionRefusal = "no_such_transition";
  for (const row of candidates) {
    const failed = (row.guards ?? []).find((guard) => !guard.holds(state, event));
    if (!failed) return { ok: true, row };
    refusal = failed.refusal;
  }
  return { ok: false, refusal };
}

export function canTransition(state: CancellationState, event: CancellationEvent): boolean {
  return resolve(state, event).ok;
}

/** The event types that have a row from this status for this kind (guards on data may still refuse). */
export function possibleEvents(kind: CancellationKind, status: CancellationStatus): CancellationEventType[] {
  return CANCELLATION_EVENT_TYPES.filter((type) =>
    TRANSITION_TABLE.some((row) => row.from === status && row.event === type && rowAppliesToKind(row, kind)),
  );
}

const MS_PER_HOUR = 60 * 60 * 1000;

/**
 * What happens when the confirmation calls of an awaiting request went unanswered: the first time, a
 * person looks (confirmation_failed → flagged); after a person's own call-back, the request lapses
 * (deadline_passed → expired) and calls stay off. Either way the requester is told by the service.
 */
export function confirmationDeadlineEvent(state: CancellationState, at: Date): CancellationEvent {
  const failed: CancellationEvent = { type: "confirmation_failed", at };
  return canTransition(state, failed) ? failed : { type: "deadline_passed", at };
}

/**
 * A withdrawal still open when the carrier completes the suspension it would withdraw becomes a
 * resumption request under the same rules: the same status, the same confirmation on record (a
 * subscriber who confirmed on the line that international calls should not be stopped), and from here
 * on the resumption's path — cooling-off with the original applicant told before any RESUME order.
 * Null when there is nothing to change (already a resumption, or decided).
 */
export function asResumptionAfterCompletion(state: CancellationState): CancellationState | null {
  if (state.kind !== "withdrawal" || isTerminal(state.status)) return null;
  return { ...state, kind: "resumption" };
}

/** What the event writes into the state besides the status. */
function record(
  state: CancellationState,
  event: CancellationEvent,
  to: CancellationStatus,
  config: CancellationStateConfig,
): CancellationState {
  const next: CancellationState = { ...state, status: to };
  switch (event.type) {
    case "rules_evaluated":
      next.riskReasons = [...event.reasons];
      break;
    case "review_started":
      next.reviewedBy = event.operatorId;
      break;
    case "review_released":
      next.reviewedBy = null;
      break;
    case "confirmation_call_requested":
      // The operator doubted whatever came with the request; only the new answer counts.
      next.subscriberConfirmation = null;
      break;
    case "subscriber_confirmed":
      next.subscriberConfirmation = { method: event.method, at: event.at };
      break;
    case "cooling_off_started":
      next.coolingOffUntil = new Date(event.at.getTime() + config.coolingOffHours * MS_PER_HOUR);
      break;
    case "objection_received":
      next.objection = { at: event.at, by: event.by };
      break;
    case "operator_approved_with_note":
    case "operator_declined":
      next.decidedBy = event.operatorId;
      next.decisionNote = event.note.trim();
      next.decidedAt = event.at;
      break;
    default:
      break;
  }
  if (isTerminal(to) && next.decidedAt === null) next.decidedAt = event.at;
  return next;
}

/** The state after the event; throws IllegalCancellationTransitionError when the table refuses it. */
export function transition(
  state: CancellationState,
  event: CancellationEvent,
  config: CancellationStateConfig = DEFAULT_STATE_CONFIG,
): CancellationState {
  if (!(config.coolingOffHours > 0)) throw new RangeError("coolingOffHours must be positive");
  const resolution = resolve(state, event);
  if (!resolution.ok) {
    throw new IllegalCancellationTransitionError(state.status, event.type, state.kind, resolution.refusal);
  }
  return record(state, event, resolution.row.to, config);
}

/**
 * The decision at intake: opens the request and applies the rules' verdict. Flagged requests go to the
 * review queue; others go straight to the confirmation call-back, or to `confirmed` when the request
 * itself was the subscriber's confirmation.
 */
export function decide(args: {
  kind: CancellationKind;
  request: CancellationRequestFacts;
  evaluation: RiskEvaluation;
}): CancellationState {
  const opened = openCancellation({
    kind: args.kind,
    receivedAt: args.request.receivedAt,
    confirmationWithRequest: confirmationFromIntake(args.request),
  });
  return transition(opened, {
    type: "rules_evaluated",
    at: args.request.receivedAt,
    flagged: args.evaluation.flagged,
    reasons: args.evaluation.reasons.map((reason) => reason.code),
  });
}

/** True only when a RESUME order may leave: an approved resumption with the subscriber's confirmation on record. */
export function canIssueResume(state: CancellationState): boolean {
  return state.kind === "resumption" && state.status === "approved" && hasLineConfirmation(state);
}

/** True only when the application may be withdrawn: an approved withdrawal with the subscriber's confirmation on record. */
export function canWithdrawApplication(state: CancellationState): boolean {
  return state.kind === "withdrawal" && state.status === "approved" && hasLineConfirmation(state);
}

export type CancellationStatusLabel = {
  /** Short label for the review queue and lists. */
  label: string;
  /** One plain sentence for the requester (status page, IVR). Never says "flagged" or why. */
  description: string;
};

export const CANCELLATION_STATUS_LABELS: Readonly<Record<CancellationStatus, CancellationStatusLabel>> = {
  received: { label: "受付", description: "お申し出を受け付けました。" },
  flagged: { label: "確認待ち", description: "センターの係の者が、お申し出の内容を確かめています。" },
  in_review: { label: "係が確認中", description: "センターの係の者が、お申し出の内容を確かめています。" },
  awaiting_confirmation: {
    label: "ご契約者の確認待ち",
    description:
      "ご契約の電話番号に、センターからお電話します。ご契約者ご本人が、電話のボタンの「1」を押してお答えください。",
  },
  confirmed: { label: "ご契約者が確認済み", description: "ご契約者ご本人に確かめました。" },
  cooling_off: {
    label: "お知らせ期間中",
    description:
      "国際電話を元に戻す前に、少しお待ちいただいています。最初にお申し込みをされた方にも、お知らせしています。",
  },
  objected: { label: "異議あり・係が確認中", description: "センターの係の者が、もう一度確かめています。" },
  approved: { label: "承認", description: "お申し出のとおり、手続きを進めます。" },
  declined: {
    label: "お受けできず",
    description: "このお申し出は、お受けできませんでした。くわしくは、センターにお問い合わせください。",
  },
  refused_by_subscriber: {
    label: "ご契約者が不同意",
    description: "ご契約者ご本人の同意がなかったため、お受けできませんでした。国際電話は止めたままです。",
  },
  withdrawn_by_requester: { label: "お申し出の取り下げ", description: "お申し出は、取り下げになりました。" },
  expired: {
    label: "期限切れ",
    description:
      "ご契約者ご本人に確かめられなかったため、お申し出は終わりました。国際電話は止めたままです。もう一度お申し出いただけます。",
  },
};

/** For the line's timeline in the back office. */
export const CANCELLATION_EVENT_LABELS: Readonly<Record<CancellationEventType, string>> = {
  rules_evaluated: "確認ルールで判定",
  review_started: "係が確認を開始",
  review_released: "確認待ちに戻す",
  confirmation_call_requested: "ご契約者に確認の電話",
  subscriber_confirmed: "ご契約者が回線で確認",
  confirmation_failed: "確認の電話に応答がなく、係の確認へ",
  subscriber_refused: "ご契約者が同意せず",
  cooling_off_started: "お知らせ期間を開始（最初の申込者に通知）",
  withdrawal_approved: "取り下げを承認",
  objection_received: "異議の申し出",
  cooling_off_elapsed: "お知らせ期間が終了",
  operator_approved_with_note: "係が承認（メモあり）",
  operator_declined: "係がお断り",
  requester_withdrew: "申出者が取り下げ",
  deadline_passed: "期限切れ",
};
