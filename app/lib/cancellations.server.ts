/**
 * Cancellation requests (課題②), for every channel: withdrawing an application before dispatch, or
 * resuming international calls after completion.
 *
 * The pure rules (app/domain/cancellation-rules.ts) and the decision table
 * (app/domain/cancellation-state.ts) decide; this service counts the facts they need from the
 * database, keeps the row and its timeline, calls the subscriber, tells the original applicant, and
 * applies the effects. Every change goes through transition(), in one transaction with its event.
 *
 * THE INVARIANT, three times over: nothing is `approved` without the subscriber's own confirmation on
 * the line on record — the decision table's guards, a check here before every write to `approved`,
 * and CHECK constraints in the database (ck_cancellations_approved_confirmed, ck_cancellations_confirmation_method).
 *
 * How each channel is tied to the line at intake:
 *  - web (and paper, when it asks for it): "callback_at_intake" — the row is kept in `received` while
 *    the centre calls the line; the subscriber's answer completes the intake (press 1: the rules see a
 *    callback_press_1; press 2: a refusal). Nobody answers within a day: the rules see no line check,
 *    and the request goes to an operator.
 *  - IVR: the call itself came from the line (ivr_call_from_line); it is the subscriber's confirmation
 *    only when the caller says they are the subscriber.
 *  - operator: caller_id when the operator saw the line's number, otherwise none.
 *
 * An application whose order is with the carrier (sent / acknowledged) cannot be withdrawn, and the
 * suspension is not in place yet: the request is taken as a resumption and held at `confirmed` until
 * the carrier completes the suspension, then the cooling-off starts. Nobody is told to call again.
 *
 * Straight through (ADR 016): only findings the routing table sends to review put a request in front
 * of a person at intake. Everything else goes to the confirmation call (retried), and on the
 * subscriber's 1 completes with no person: a withdrawal at once, a resumption after the cooling-off.
 * Calls nobody answers send the request to a person once; after that person's call-back, it lapses,
 * and the requester is told. A withdrawal still open when the carrier completes the suspension becomes
 * a resumption (applicationCompleted, called by the carrier results and the sweep).
 */
import { randomInt } from "node:crypto";
import { and, asc, desc, eq, gte, inArray, isNull, lte, lt, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import {
  applicationEvents,
  applications,
  cancelDrafts,
  cancellationEvents,
  cancellations,
  lines,
  verifications,
} from "../../db/schema";
import type { ApplicationStatus } from "../domain/application-state";
import {
  DEFAULT_RULE_CONFIG,
  contextWindowsMs,
  evaluateCancellation,
  exchangeAreaKey,
  isRiskReasonCode,
  routeOf,
  ruleFor,
  type CancellationChannel,
  type CancellationContextFacts,
  type CancellationRuleConfig,
  type CancellationRuleInput,
  type LineVerificationMethod,
  type Relation,
  type RiskEvaluation,
  type RiskReasonCode,
} from "../domain/cancellation-rules";
import {
  asResumptionAfterCompletion,
  CANCELLATION_STATUS_LABELS,
  confirmationDeadlineEvent,
  DEFAULT_STATE_CONFIG,
  QUEUE_STATUSES,
  IllegalCancellationTransitionError,
  canIssueResume,
  canWithdrawApplication,
  cancellationKindFor,
  decide,
  isConfirmationMethod,
  isTerminal,
  TERMINAL_STATUSES,
  CANCELLATION_STATUSES,
  transition,
  type CancellationEvent,
  type CancellationKind,
  type CancellationState,
  type CancellationStateConfig,
  type CancellationStatus,
  type TransitionRefusal,
} from "../domain/cancellation-state";
import type { CancelReasonCode } from "../domain/cancel-forms";
import { formatDisplay } from "../domain/phone";
import { formatReference, generateReference, speakableGroups } from "../domain/reference-number";
import { compactTypedDigits } from "../domain/typed-text";
import { changeStatus, COVERING_STATUSES } from "./applications.server";
import type { Role } from "./auth.server";
import { formatJstDateTime } from "./format";
import { CALLING_HOURS_JST, withinCallingHours } from "../domain/calling-hours";
import { JOB_NAMES } from "./jobs";
import { checkLimit, OBJECTION_LIMIT, recordHit } from "./rate-limit.server";
import type { Services } from "./services.server";
import { MAX_STARTS_PER_CLIENT_PER_HOUR, MAX_STARTS_PER_LINE_PER_HOUR } from "./verification.server";

export type CancellationRow = typeof cancellations.$inferSelect;

/** The centre's policy around the domain's decision table. Hours and days, as data. */
export type CancellationPolicy = {
  rules: CancellationRuleConfig;
  state: CancellationStateConfig;
  /** How long the subscriber may take to answer the call made at intake before an operator takes over. */
  intakeAnswerHours: number;
  /**
   * awaiting_confirmation: the confirmation has failed after this long without an answer, even if
   * fewer than confirmationCallAttempts calls could be placed (calling hours).
   */
  confirmationDeadlineHours: number;
  /** How many calls the centre places to the line in one wait for a confirmation (the first included). */
  confirmationCallAttempts: number;
  /** Hours between one unanswered confirmation call and the next. */
  confirmationRetryHours: number;
  /** Repeat calls are placed only between these hours (JST, from inclusive, to exclusive). */
  callingHoursJst: { from: number; to: number };
  /** flagged / in_review → expired after this long without an operator decision. */
  reviewDeadlineDays: number;
  /** objected → expired after this long without a decision (calls stay off). */
  objectionDeadlineDays: number;
  /** How long the link of a confirmation call stays answerable. */
  callValidityHours: number;
};

export const CANCELLATION_POLICY: Readonly<CancellationPolicy> = {
  rules: DEFAULT_RULE_CONFIG,
  state: DEFAULT_STATE_CONFIG,
  intakeAnswerHours: 24,
  confirmationDeadlineHours: 7 * 24,
  confirmationCallAttempts: 3,
  confirmationRetryHours: 24,
  callingHoursJst: CALLING_HOURS_JST,
  reviewDeadlineDays: 30,
  objectionDeadlineDays: 14,
  callValidityHours: 24,
};

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/**
 * How the sweep moves each status that waits on time (CANCELLATION_STATUS_EXITS says which do). A test
 * checks that every `timer` and `queue` status is here, so none can wait for ever.
 */
export const STATUS_DEADLINES: Readonly<Partial<Record<CancellationStatus, string>>> = {
  received: "intakeAnswerHours → the rules run without a line check",
  flagged: "reviewDeadlineDays → expired (requester told)",
  in_review: "reviewDeadlineDays → expired (requester told)",
  awaiting_confirmation:
    "a new call every confirmationRetryHours up to confirmationCallAttempts; then (or after confirmationDeadlineHours) confirmation_failed → flagged, or expired after a person's call-back (requester told)",
  cooling_off: "coolingOffUntil → approved (delayed job, and the sweep)",
  objected: "objectionDeadlineDays → expired (requester told)",
};

/** Whether a repeat call may be placed now (the JST hour within the policy's calling hours). */
export function withinCancellationCallingHours(at: Date, policy: Pick<CancellationPolicy, "callingHoursJst"> = CANCELLATION_POLICY): boolean {
  return withinCallingHours(at, policy.callingHoursJst);
}

/** How the request was tied to the line at intake; "callback_at_intake" asks the service to call the line now. */
export type IntakeLineVerification = LineVerificationMethod | "callback_at_intake";

export type NewCancellation = {
  channel: CancellationChannel;
  /** One submission, one row: a hidden form token, a call SID, a scan id. */
  idempotencyKey: string;
  /** 'requester' (web), 'ivr', 'operator:<id>', 'paper:<scan id>' … */
  actor: string;
  lineE164: string;
  requesterRelation: Relation;
  requesterRelationDetail?: string | null;
  requesterName?: string | null;
  /** National digits ("09012345678") or E.164; hashed for the fraud rules after normalising. */
  requesterContact?: string | null;
  reasonCode: CancelReasonCode;
  reasonText?: string | null;
  lineVerification: IntakeLineVerification;
  /** Any stable identifier of the client (IP), for the call-back rate limit; only its keyed hash is stored. */
  client?: string;
};

type Accepted = { cancellationId: string; reference: string; status: CancellationStatus; cancellationKind: CancellationKind };

export type RequestResult =
  | ({ kind: "created" } & Accepted)
  | ({ kind: "replayed" } & Accepted)
  | { kind: "nothing_to_cancel"; message: string }
  | { kind: "already_open"; cancellationId: string; message: string }
  | { kind: "rate_limited"; message: string };

export const REQUEST_MESSAGES = {
  nothing_to_cancel:
    "この電話番号で、国際電話を止めているお申し込みや、お手続き中のお申し込みは見つかりませんでした。電話番号をお確かめください。",
  already_open:
    "この電話番号には、すでに解除・取り下げのお申し出があり、お手続き中です。センターからご契約者ご本人に確認のご連絡をします。",
  rate_limited_line:
    "この電話番号には、短い間に何度も確認の電話をかけています。1時間ほど待ってから、もう一度お試しください。",
  rate_limited_client: "お申し出の回数が多すぎます。1時間ほど待ってから、もう一度お試しください。",
} as const;

/** Refusals of operator actions, for the review screen. */
export const ACTION_REFUSAL_MESSAGES: Readonly<Record<TransitionRefusal | "not_found" | "supervisor_required" | "changed", string>> = {
  no_subscriber_confirmation:
    "ご契約者ご本人の確認（回線への折り返し電話で「1」を押す、または契約の回線から自動音声に電話）が記録されていないため、承認できません。「折り返し電話で確認」を選んでください。",
  not_a_line_confirmation: "ご契約者ご本人の、回線での確認ではありません。",
  note_required: "メモを入力してください。判断の理由を記録に残します。",
  cooling_off_not_over: "お知らせ期間が、まだ終わっていません。",
  no_such_transition: "いまの状態では、この操作はできません。",
  not_for_this_kind: "この種類のお申し出には、この操作はできません。",
  not_found: "お申し出が見つかりません。",
  supervisor_required: "異議が出ているお申し出の承認は、スーパーバイザーか管理者が行います。",
  changed: "ほかの方が同時に操作したため、処理できませんでした。画面を読み込み直してください。",
};

// ————— helpers —————

/** National digits of a phone number however it was written ("+81312345678", "03-1234-5678" → "0312345678"). */
export function nationalDigits(value: string): string {
  const compact = compactTypedDigits(value);
  if (compact.startsWith("+81")) return `0${compact.slice(3).replace(/^0/, "")}`;
  return compact.replace(/^\+/, "");
}

function contactHash(services: Pick<Services, "pii">, contact: string | null | undefined): string | null {
  if (!contact) return null;
  return services.pii.searchHash(nationalDigits(contact));
}

function objectionCodeHash(services: Pick<Services, "pii">, cancellationId: string, code: string): string {
  return services.pii.searchHash(`cancellation-objection:${cancellationId}:${code}`);
}

async function uniqueReference(tx: DbOrTx): Promise<string> {
  for (;;) {
    const reference = generateReference(() => String(randomInt(0, 1e10)).padStart(10, "0"));
    // Unique across applications and cancellations: a number read out on the phone names one thing.
    const [a] = await tx.select({ id: applications.id }).from(applications).where(eq(applications.reference, reference));
    const [c] = await tx.select({ id: cancellations.id }).from(cancellations).where(eq(cancellations.reference, reference));
    if (!a && !c) return reference;
  }
}

type Evidence = {
  lineVerification?: IntakeLineVerification;
  applicationStatusAtRequest?: ApplicationStatus;
  context?: CancellationContextFacts;
  flagged?: boolean;
  reasons?: { code: RiskReasonCode; severity: string; route?: string; evidence: Record<string, number | string> }[];
  [key: string]: unknown;
};

function evidenceOf(row: CancellationRow): Evidence {
  return (row.evidence ?? {}) as Evidence;
}

/** The domain's state, read from a row. */
export function stateOf(row: CancellationRow): CancellationState {
  const method = row.confirmationMethod;
  return {
    kind: row.kind as CancellationKind,
    status: row.status as CancellationStatus,
    receivedAt: row.createdAt,
    riskReasons: row.riskReasons.filter(isRiskReasonCode),
    subscriberConfirmation: row.subscriberConfirmedAt && isConfirmationMethod(method) ? { method, at: row.subscriberConfirmedAt } : null,
    coolingOffUntil: row.coolingOffUntil,
    objection: row.objectedAt ? { at: row.objectedAt, by: row.objectedBy === "other" ? "other" : "original_applicant" } : null,
    reviewedBy: row.reviewedBy,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    // Sealed (issue 12): the domain only replaces the note, never reads it; applyEvent seals a new one.
    decisionNote: row.decisionNoteEnc,
  };
}

class ConcurrentChangeError extends Error {
  constructor() {
    super("cancellation changed concurrently");
    this.name = "ConcurrentChangeError";
  }
}

async function recordCancellationEvent(
  tx: DbOrTx,
  input: { cancellationId: string; type: string; actor: string; from?: string | null; to?: string | null; detail?: Record<string, unknown>; at: Date },
) {
  await tx.insert(cancellationEvents).values({
    cancellationId: input.cancellationId,
    type: input.type,
    actor: input.actor,
    fromStatus: input.from ?? null,
    toStatus: input.to ?? null,
    detail: input.detail ?? {},
    at: input.at,
  });
}

/** Writes the state after an event, only if the row is still where it was read; with its timeline event. */
async function writeState(
  tx: DbOrTx,
  row: CancellationRow,
  next: CancellationState,
  event: CancellationEvent,
  actor: string,
  extra: Partial<typeof cancellations.$inferInsert> = {},
  detail: Record<string, unknown> = {},
): Promise<CancellationRow> {
  if (next.status === "approved") {
    // Defence in depth: the table's guards already require it; check again before the write.
    const confirmation = next.subscriberConfirmation;
    if (!confirmation || !isConfirmationMethod(confirmation.method)) {
      throw new IllegalCancellationTransitionError(row.status as CancellationStatus, event.type, next.kind, "no_subscriber_confirmation");
    }
  }
  const [updated] = await tx
    .update(cancellations)
    .set({
      status: next.status,
      kind: next.kind,
      riskReasons: [...next.riskReasons],
      subscriberConfirmedAt: next.subscriberConfirmation?.at ?? null,
      confirmationMethod: next.subscriberConfirmation?.method ?? null,
      coolingOffUntil: next.coolingOffUntil,
      reviewedBy: next.reviewedBy,
      objectedAt: next.objection?.at ?? null,
      objectedBy: next.objection?.by ?? null,
      decidedBy: next.decidedBy,
      decidedAt: next.decidedAt,
      decisionNoteEnc: next.decisionNote,
      decision: isTerminal(next.status) ? next.status : null,
      updatedAt: event.at,
      ...extra,
    })
    .where(and(eq(cancellations.id, row.id), eq(cancellations.status, row.status)))
    .returning();
  if (!updated) throw new ConcurrentChangeError();
  await recordCancellationEvent(tx, { cancellationId: row.id, type: event.type, actor, from: row.status, to: next.status, detail, at: event.at });
  return updated;
}

async function applyEvent(
  services: Services,
  tx: DbOrTx,
  row: CancellationRow,
  event: CancellationEvent,
  actor: string,
  detail: Record<string, unknown> = {},
  extra: Partial<typeof cancellations.$inferInsert> = {},
): Promise<CancellationRow> {
  const next = transition(stateOf(row), event, CANCELLATION_POLICY.state);
  // A note the event brought is plain text: seal it before it is written (issue 12).
  if (next.decisionNote !== null && next.decisionNote !== row.decisionNoteEnc) next.decisionNote = services.pii.seal(next.decisionNote);
  return writeState(tx, row, next, event, actor, extra, detail);
}

async function loadForUpdate(tx: DbOrTx, cancellationId: string): Promise<CancellationRow | null> {
  const [row] = await tx.select().from(cancellations).where(eq(cancellations.id, cancellationId)).for("update");
  return row ?? null;
}

type ApplicationRow = typeof applications.$inferSelect;

async function applicationOf(tx: DbOrTx, row: CancellationRow): Promise<ApplicationRow | null> {
  if (!row.applicationId) return null;
  const [app] = await tx.select().from(applications).where(eq(applications.id, row.applicationId));
  return app ?? null;
}

async function lineOf(tx: DbOrTx, row: CancellationRow) {
  const [line] = await tx.select().from(lines).where(eq(lines.id, row.lineId));
  return line!;
}

// ————— context facts and rules —————

/** Counts of OTHER cancellations (never the one being evaluated), over the windows of the rule config. */
export async function contextFacts(
  tx: DbOrTx,
  input: { lineId: string; areaKey: string | null; contactHash: string | null; at: Date },
  config: CancellationRuleConfig = CANCELLATION_POLICY.rules,
): Promise<CancellationContextFacts> {
  const windows = contextWindowsMs(config);
  const since = (ms: number) => new Date(input.at.getTime() - ms);
  const before = lt(cancellations.createdAt, input.at);
  let otherLinesWithSameContact = 0;
  let recentCancellationsFromSameNumber = 0;
  if (input.contactHash) {
    const [reuse] = await tx
      .select({ n: sql<number>`count(distinct ${cancellations.lineId})::int` })
      .from(cancellations)
      .where(
        and(
          eq(cancellations.requesterContactHash, input.contactHash),
          ne(cancellations.lineId, input.lineId),
          gte(cancellations.createdAt, since(windows.contactReuse)),
          before,
        ),
      );
    otherLinesWithSameContact = Number(reuse?.n ?? 0);
    const [burst] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(cancellations)
      .where(and(eq(cancellations.requesterContactHash, input.contactHash), gte(cancellations.createdAt, since(windows.burst)), before));
    recentCancellationsFromSameNumber = Number(burst?.n ?? 0);
  }
  let recentCancellationsInSameArea = 0;
  if (input.areaKey) {
    const [area] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(cancellations)
      .where(and(eq(cancellations.areaKey, input.areaKey), gte(cancellations.createdAt, since(windows.burst)), before));
    recentCancellationsInSameArea = Number(area?.n ?? 0);
  }
  return { otherLinesWithSameContact, recentCancellationsInSameArea, recentCancellationsFromSameNumber };
}

function ruleInputFor(row: CancellationRow, app: ApplicationRow, lineVerification: LineVerificationMethod): CancellationRuleInput {
  const evidence = evidenceOf(row);
  return {
    request: {
      channel: row.channel as CancellationChannel,
      requesterRelation: row.requesterRelation as Relation,
      // The 続柄 is sealed and only ever shown, never weighed: kept out of the rule evidence (jsonb, plain).
      requesterRelationDetail: null,
      requesterContactHash: row.requesterContactHash,
      lineVerification,
      receivedAt: row.createdAt,
    },
    application: {
      createdAt: app.createdAt,
      channel: app.channel as CancellationChannel,
      applicantRelation: app.relation as Relation,
      applicantContactHash: app.contactPhoneHash,
      status: (evidence.applicationStatusAtRequest ?? app.status) as ApplicationStatus,
    },
    context: evidence.context ?? { otherLinesWithSameContact: 0, recentCancellationsInSameArea: 0, recentCancellationsFromSameNumber: 0 },
  };
}

/**
 * The intake decision: the rules on the facts at the time of the request, then decide(). The request's
 * time stays the time it came in, even when the subscriber answered the intake call later.
 */
async function evaluateAndDecide(
  services: Services,
  tx: DbOrTx,
  row: CancellationRow,
  lineVerification: LineVerificationMethod,
  actor: string,
): Promise<{ row: CancellationRow; evaluation: RiskEvaluation }> {
  const app = await applicationOf(tx, row);
  if (!app) throw new Error(`cancellation ${row.id} has no application`);
  const input = ruleInputFor(row, app, lineVerification);
  const evaluation = evaluateCancellation(input, CANCELLATION_POLICY.rules);
  const at = services.now();
  const decided = decide({ kind: row.kind as CancellationKind, request: input.request, evaluation });
  // The confirmation came with the intake, but at the moment of the answer, not of the request.
  if (decided.subscriberConfirmation) decided.subscriberConfirmation = { ...decided.subscriberConfirmation, at };
  const event: CancellationEvent = { type: "rules_evaluated", at, flagged: evaluation.flagged, reasons: evaluation.reasons.map((r) => r.code) };
  const evidence: Evidence = {
    ...evidenceOf(row),
    lineVerificationEvaluated: lineVerification,
    flagged: evaluation.flagged,
    reasons: evaluation.reasons.map((r) => ({ code: r.code, severity: r.severity, route: r.route, evidence: { ...r.evidence } })),
  };
  const updated = await writeState(tx, row, { ...decided, receivedAt: row.createdAt }, event, actor, { evidence }, {
    flagged: evaluation.flagged,
    reasons: evaluation.reasons.map((r) => r.code),
    lineVerification,
  });
  return { row: updated, evaluation };
}

/** What happens after a status is reached: the call-back, the effects of a confirmation. */
async function afterStatus(services: Services, tx: DbOrTx, row: CancellationRow, actor: string, options: { client?: string } = {}): Promise<CancellationRow> {
  if (row.status === "awaiting_confirmation") {
    await placeConfirmationCall(services, tx, row, actor, options.client);
    return row;
  }
  if (row.status === "confirmed") return settleConfirmed(services, tx, row, actor);
  return row;
}

// ————— intake —————

async function findCoveringApplication(tx: DbOrTx, lineId: string): Promise<ApplicationRow | null> {
  const [app] = await tx
    .select()
    .from(applications)
    .where(and(eq(applications.lineId, lineId), inArray(applications.status, COVERING_STATUSES)))
    .orderBy(desc(applications.createdAt))
    .limit(1);
  return app ?? null;
}

const OPEN_STATUSES = ["received", "flagged", "in_review", "awaiting_confirmation", "confirmed", "cooling_off", "objected"] as const;

async function openCancellationOnLine(tx: DbOrTx, lineId: string): Promise<CancellationRow | null> {
  const [row] = await tx
    .select()
    .from(cancellations)
    .where(and(eq(cancellations.lineId, lineId), inArray(cancellations.status, [...OPEN_STATUSES])))
    .orderBy(desc(cancellations.createdAt))
    .limit(1);
  return row ?? null;
}

function replayOf(row: CancellationRow): RequestResult {
  return { kind: "replayed", cancellationId: row.id, reference: row.reference, status: row.status as CancellationStatus, cancellationKind: row.kind as CancellationKind };
}

/** A request from any channel: finds what it cancels, runs the rules, decides, and starts what comes next. */
export async function requestCancellation(services: Services, input: NewCancellation): Promise<RequestResult> {
  const result = await services.db.transaction(async (tx): Promise<RequestResult> => {
    const [existing] = await tx.select().from(cancellations).where(eq(cancellations.idempotencyKey, input.idempotencyKey));
    if (existing) return replayOf(existing);
    const now = services.now();

    const [line] = await tx.select().from(lines).where(eq(lines.e164, input.lineE164));
    if (!line) return { kind: "nothing_to_cancel", message: REQUEST_MESSAGES.nothing_to_cancel };
    // One request at a time per line: the open-request check and the counts below must see every earlier one.
    await tx.execute(sql`select id from lines where id = ${line.id} for update`);
    const [again] = await tx.select().from(cancellations).where(eq(cancellations.idempotencyKey, input.idempotencyKey));
    if (again) return replayOf(again);

    const app = await findCoveringApplication(tx, line.id);
    if (!app) return { kind: "nothing_to_cancel", message: REQUEST_MESSAGES.nothing_to_cancel };
    const kindFor = cancellationKindFor(app.status as ApplicationStatus);
    if (!kindFor.ok && kindFor.reason === "nothing_to_cancel") return { kind: "nothing_to_cancel", message: REQUEST_MESSAGES.nothing_to_cancel };
    // In flight: taken as a resumption, held until the carrier completes the suspension (see the header).
    const kind: CancellationKind = kindFor.ok ? kindFor.kind : "resumption";

    const open = await openCancellationOnLine(tx, line.id);
    if (open) return { kind: "already_open", cancellationId: open.id, message: REQUEST_MESSAGES.already_open };

    const clientHash = input.client ? services.pii.searchHash(`client:${input.client}`) : null;
    if (input.lineVerification === "callback_at_intake") {
      const hourAgo = new Date(now.getTime() - HOUR);
      const [perLine] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(verifications)
        .where(and(eq(verifications.lineId, line.id), eq(verifications.method, "callback"), gte(verifications.createdAt, hourAgo)));
      if (Number(perLine?.n ?? 0) >= MAX_STARTS_PER_LINE_PER_HOUR) return { kind: "rate_limited", message: REQUEST_MESSAGES.rate_limited_line };
      if (clientHash) {
        const [perClient] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(verifications)
          .where(and(eq(verifications.clientHash, clientHash), gte(verifications.createdAt, hourAgo)));
        if (Number(perClient?.n ?? 0) >= MAX_STARTS_PER_CLIENT_PER_HOUR) return { kind: "rate_limited", message: REQUEST_MESSAGES.rate_limited_client };
      }
    }

    const areaKey = exchangeAreaKey(line.e164);
    const requesterContactHash = contactHash(services, input.requesterContact);
    const context = await contextFacts(tx, { lineId: line.id, areaKey, contactHash: requesterContactHash, at: now });
    const reference = await uniqueReference(tx);
    const [inserted] = await tx
      .insert(cancellations)
      .values({
        reference,
        lineId: line.id,
        applicationId: app.id,
        kind,
        channel: input.channel,
        requesterRelation: input.requesterRelation,
        requesterRelationDetailEnc: input.requesterRelation === "self" ? null : services.pii.sealNullable(input.requesterRelationDetail || null),
        requesterNameEnc: services.pii.sealNullable(input.requesterName),
        requesterContactEnc: services.pii.sealNullable(input.requesterContact ? nationalDigits(input.requesterContact) : null),
        requesterContactHash,
        reasonCode: input.reasonCode,
        reasonTextEnc: services.pii.sealNullable(input.reasonText),
        status: "received",
        evidence: { lineVerification: input.lineVerification, applicationStatusAtRequest: app.status as ApplicationStatus, context } satisfies Evidence,
        prefecture: line.prefecture === null ? null : String(line.prefecture),
        areaKey,
        idempotencyKey: input.idempotencyKey,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    let row = inserted!;
    await recordCancellationEvent(tx, {
      cancellationId: row.id,
      type: "received",
      actor: input.actor,
      to: "received",
      detail: { channel: input.channel, kind, relation: input.requesterRelation, lineVerification: input.lineVerification },
      at: now,
    });

    if (input.lineVerification === "callback_at_intake") {
      await placeConfirmationCall(services, tx, row, input.actor, input.client);
    } else {
      ({ row } = await evaluateAndDecide(services, tx, row, input.lineVerification, "system"));
      row = await afterStatus(services, tx, row, "system", { client: input.client });
    }
    await services.audit.record(
      {
        actor: input.actor,
        action: "cancellation.create",
        subjectType: "cancellation",
        subjectId: row.id,
        detail: { channel: input.channel, kind, status: row.status },
      },
      tx,
    );
    return { kind: "created", cancellationId: row.id, reference: row.reference, status: row.status as CancellationStatus, cancellationKind: row.kind as CancellationKind };
  });
  if (result.kind === "created") {
    services.logger.info({ cancellationId: result.cancellationId, channel: input.channel, status: result.status }, "cancellation created");
  }
  return result;
}

/**
 * IVR menu 4, called from the line (app/lib/ivr.server.ts). The caller who says they are the subscriber,
 * calling from the line, is the subscriber's confirmation (ivr_call_from_line); a family member on the
 * same line is not.
 */
export async function requestCancellationFromCall(
  services: Services,
  input: { callSid: string; ivrCallId: string; lineE164: string; relation: "self" | "family" },
): Promise<{ kind: "created"; cancellationId: string } | { kind: "nothing_to_cancel" }> {
  const result = await requestCancellation(services, {
    channel: "ivr",
    idempotencyKey: `ivr-cancel:${input.callSid}`,
    actor: "ivr",
    lineE164: input.lineE164,
    requesterRelation: input.relation,
    requesterRelationDetail: input.relation === "family" ? "家族（電話）" : null,
    requesterContact: input.lineE164,
    reasonCode: "unspecified",
    lineVerification: "ivr_call_from_line",
  });
  switch (result.kind) {
    case "created":
    case "replayed":
      return { kind: "created", cancellationId: result.cancellationId };
    case "nothing_to_cancel":
    case "rate_limited":
      return { kind: "nothing_to_cancel" };
    case "already_open":
      // The subscriber calling from the line answers the question the centre is waiting on.
      if (input.relation === "self") await confirmFromLineCall(services, result.cancellationId, input.ivrCallId);
      return { kind: "created", cancellationId: result.cancellationId };
  }
}

async function confirmFromLineCall(services: Services, cancellationId: string, ivrCallId: string): Promise<void> {
  await services.db.transaction(async (tx) => {
    const row = await loadForUpdate(tx, cancellationId);
    if (!row || row.status !== "awaiting_confirmation") return;
    const confirmed = await applyEvent(services, tx, row, { type: "subscriber_confirmed", at: services.now(), method: "ivr_call_from_line" }, "subscriber", { ivrCallId });
    await afterStatus(services, tx, confirmed, "subscriber");
    await services.audit.record({ actor: "ivr", action: "cancellation.subscriber_answer", subjectType: "cancellation", subjectId: row.id, detail: { answer: "agreed", method: "ivr_call_from_line" } }, tx);
  });
}

// ————— the confirmation call to the line —————

const RELATION_SPOKEN: Readonly<Record<Relation, string>> = {
  self: "ご契約者ご本人と名乗る方",
  family: "ご家族と名乗る方",
  other: "ご家族以外の方",
};

/**
 * What the call says to the SUBSCRIBER. It names the request plainly and never reads out anything the
 * requester typed (a fraud ring would put its own words there).
 */
export function confirmationPrompt(kind: CancellationKind, relation: Relation): string {
  const what =
    kind === "resumption"
      ? "この電話で止めている国際電話を元に戻して、海外との電話がつながるようにしてほしい、というお申し出がありました。"
      : "この電話の国際電話を止めるお申し込みを、取り下げてほしい、というお申し出がありました。取り下げると、国際電話は止まりません。";
  return (
    `国際電話不取扱受付センターです。ご契約者ご本人に、おうかがいします。${what}` +
    `お申し出をされたのは、${RELATION_SPOKEN[relation]}です。` +
    "ご契約者ご本人が、このお申し出に同意される場合は、1を押してください。同意されない場合や、お心当たりがない場合は、2を押してください。" +
    "だれかに、1を押すように言われている場合も、2を押してください。"
  );
}

/**
 * Calls the line with the question. A new question (a new wait, an operator's call-back) restarts the
 * wait's clock; a repeat of an unanswered call (restartDeadline: false) does not.
 */
async function placeConfirmationCall(
  services: Services,
  tx: DbOrTx,
  row: CancellationRow,
  actor: string,
  client?: string,
  options: { restartDeadline?: boolean } = {},
): Promise<string> {
  const now = services.now();
  const line = await lineOf(tx, row);
  // Only the newest call can be answered: an old call left ringing must not confirm a later question.
  await tx
    .update(verifications)
    .set({ expiresAt: now })
    .where(and(eq(verifications.cancellationId, row.id), isNull(verifications.consent), gte(verifications.expiresAt, now)));
  const [verification] = await tx
    .insert(verifications)
    .values({
      lineId: row.lineId,
      applicationId: row.applicationId,
      cancellationId: row.id,
      method: "callback",
      purpose: "cancel",
      clientHash: client ? services.pii.searchHash(`client:${client}`) : null,
      sends: 1,
      lastSentAt: now,
      expiresAt: new Date(now.getTime() + CANCELLATION_POLICY.callValidityHours * HOUR),
      createdAt: now,
    })
    .returning({ id: verifications.id });
  const verificationId = verification!.id;
  await services.comms.queueCall(
    {
      idempotencyKey: `cancellation-call:${verificationId}`,
      purpose: "cancellation_confirmation",
      to: line.e164,
      cancellationId: row.id,
      verificationId,
      content: {
        kind: "url",
        url: `${services.config.publicBaseUrl}/ivr/cancellation/${verificationId}`,
        fallbackText: confirmationPrompt(row.kind as CancellationKind, row.requesterRelation as Relation),
      },
    },
    tx,
  );
  // A new question gives the subscriber the full time (and every attempt) to answer again.
  if (options.restartDeadline !== false) await tx.update(cancellations).set({ updatedAt: now }).where(eq(cancellations.id, row.id));
  await recordCancellationEvent(tx, {
    cancellationId: row.id,
    type: "call_placed",
    actor,
    detail: { verificationId, ...(options.restartDeadline === false ? { repeat: true } : {}) },
    at: now,
  });
  return verificationId;
}

export type CallQuestion =
  | { ok: true; prompt: string; kind: CancellationKind }
  | { ok: false };

/** The question to ask when the subscriber picks up, or nothing when this call can no longer be answered. */
export async function confirmationCallQuestion(services: Services, verificationId: string): Promise<CallQuestion> {
  const [found] = await services.db
    .select({ verification: verifications, cancellation: cancellations })
    .from(verifications)
    .innerJoin(cancellations, eq(cancellations.id, verifications.cancellationId))
    .where(and(eq(verifications.id, verificationId), eq(verifications.purpose, "cancel")));
  if (!found) return { ok: false };
  const { verification, cancellation } = found;
  if (verification.consent || verification.expiresAt <= services.now() || isTerminal(cancellation.status as CancellationStatus)) return { ok: false };
  return { ok: true, kind: cancellation.kind as CancellationKind, prompt: confirmationPrompt(cancellation.kind as CancellationKind, cancellation.requesterRelation as Relation) };
}

export type AnswerResult =
  | { ok: true; answer: "agreed" | "refused"; kind: CancellationKind; status: CancellationStatus; repeated: boolean }
  | { ok: false };

/**
 * The subscriber's key press on the confirmation call. 1 confirms on the line (callback_press_1); 2 is
 * the subscriber's "no", which ends the request whatever was said before. The first answer stands.
 */
export async function recordSubscriberAnswer(services: Services, verificationId: string, agreed: boolean): Promise<AnswerResult> {
  return services.db.transaction(async (tx): Promise<AnswerResult> => {
    const now = services.now();
    const [verification] = await tx.select().from(verifications).where(eq(verifications.id, verificationId)).for("update");
    if (!verification || verification.purpose !== "cancel" || !verification.cancellationId) return { ok: false };
    let row = await loadForUpdate(tx, verification.cancellationId);
    if (!row) return { ok: false };
    if (verification.consent) {
      return { ok: true, answer: verification.consent as "agreed" | "refused", kind: row.kind as CancellationKind, status: row.status as CancellationStatus, repeated: true };
    }
    if (verification.expiresAt <= now || isTerminal(row.status as CancellationStatus)) return { ok: false };
    const answer = agreed ? "agreed" : "refused";
    await tx
      .update(verifications)
      .set({ consent: answer, verifiedAt: agreed ? now : null })
      .where(eq(verifications.id, verificationId));
    const detail = { verificationId, answer };

    if (row.status === "received") {
      // The answer completes the intake: the rules see the line check the call made (or did not).
      ({ row } = await evaluateAndDecide(services, tx, row, agreed ? "callback_press_1" : "none", "subscriber"));
      if (!agreed) row = await applyEvent(services, tx, row, { type: "subscriber_refused", at: services.now() }, "subscriber", detail);
      else row = await afterStatus(services, tx, row, "subscriber");
    } else if (agreed && row.status === "awaiting_confirmation") {
      row = await applyEvent(services, tx, row, { type: "subscriber_confirmed", at: now, method: "callback_press_1" }, "subscriber", detail);
      row = await afterStatus(services, tx, row, "subscriber");
    } else if (!agreed && !isTerminal(row.status as CancellationStatus)) {
      row = await applyEvent(services, tx, row, { type: "subscriber_refused", at: now }, "subscriber", detail);
    } else {
      await recordCancellationEvent(tx, { cancellationId: row.id, type: "answer_not_used", actor: "subscriber", detail: { ...detail, status: row.status }, at: now });
    }
    await services.audit.record(
      { actor: "subscriber", action: "cancellation.subscriber_answer", subjectType: "cancellation", subjectId: row.id, detail: { answer, status: row.status } },
      tx,
    );
    return { ok: true, answer, kind: row.kind as CancellationKind, status: row.status as CancellationStatus, repeated: false };
  });
}

// ————— effects of a confirmed request —————

/**
 * A confirmed request: a withdrawal withdraws the application now; a resumption starts the cooling-off.
 * An application that left the centre meanwhile makes the withdrawal a resumption; one still with the
 * carrier holds the request here until the carrier completes it (the sweep comes back).
 */
async function settleConfirmed(services: Services, tx: DbOrTx, row: CancellationRow, actor: string): Promise<CancellationRow> {
  const app = await applicationOf(tx, row);
  if (!app) return row;
  const appStatus = app.status as ApplicationStatus;
  const now = services.now();
  if (row.kind === "withdrawal") {
    const kindNow = cancellationKindFor(appStatus);
    if (kindNow.ok && kindNow.kind === "withdrawal") {
      const approved = await applyEvent(services, tx, row, { type: "withdrawal_approved", at: now }, actor);
      if (!canWithdrawApplication(stateOf(approved))) throw new Error("withdrawal approved without a subscriber confirmation");
      await withdrawApplication(services, tx, approved, app, actor);
      return approved;
    }
    if (appStatus !== "completed") return row;
    // The order left while the subscriber was being asked: the same request becomes a resumption.
    row = await convertToResumption(services, tx, row, appStatus);
  }
  if (appStatus !== "completed") return row; // still with the carrier: held
  const code = String(randomInt(0, 1e8)).padStart(8, "0");
  const cooling = await applyEvent(services, tx, row, { type: "cooling_off_started", at: now }, actor, {}, { objectionCodeHash: objectionCodeHash(services, row.id, code) });
  await notifyOriginalApplicant(services, tx, cooling, app, code);
  await services.queue.enqueue(
    JOB_NAMES.cancellationElapse,
    { cancellationId: row.id },
    { tx, singletonKey: row.id, startAfter: cooling.coolingOffUntil! },
  );
  return cooling;
}

/**
 * An open withdrawal whose application the carrier completed becomes a resumption (the domain's
 * asResumptionAfterCompletion), with a `kind_changed` event. A call that asked the withdrawal question
 * and is still unanswered is voided and the line is asked the resumption question at once, so no
 * press of 1 is taken for a question the subscriber did not hear. A confirmation already on record
 * stays (the subscriber said on the line that calls should not be stopped); the cooling-off follows.
 */
async function convertToResumption(services: Services, tx: DbOrTx, row: CancellationRow, applicationStatus: ApplicationStatus): Promise<CancellationRow> {
  const next = asResumptionAfterCompletion(stateOf(row));
  if (!next) return row;
  const now = services.now();
  const [updated] = await tx
    .update(cancellations)
    .set({ kind: next.kind, updatedAt: now })
    .where(and(eq(cancellations.id, row.id), eq(cancellations.status, row.status), eq(cancellations.kind, "withdrawal")))
    .returning();
  if (!updated) throw new ConcurrentChangeError();
  await recordCancellationEvent(tx, {
    cancellationId: row.id,
    type: "kind_changed",
    actor: "system",
    from: row.status,
    to: row.status,
    detail: { from: "withdrawal", to: "resumption", applicationStatus },
    at: now,
  });
  // Waiting for the subscriber's answer: ask the new question now (the older calls are voided).
  if (updated.status === "received" || updated.status === "awaiting_confirmation") await placeConfirmationCall(services, tx, updated, "system");
  return updated;
}

/**
 * The carrier completed an application (carrier-results.server.ts calls this in the same transaction;
 * the sweep catches other paths). Open withdrawals of it become resumption requests under the same
 * confirmation rules, and confirmed requests held for the carrier start their cooling-off now.
 * Returns how many requests changed.
 */
export async function applicationCompleted(services: Services, tx: DbOrTx, applicationId: string, actor = "system"): Promise<number> {
  const [app] = await tx.select({ status: applications.status }).from(applications).where(eq(applications.id, applicationId));
  if (app?.status !== "completed") return 0;
  const open = await tx
    .select({ id: cancellations.id })
    .from(cancellations)
    .where(and(eq(cancellations.applicationId, applicationId), inArray(cancellations.status, [...OPEN_STATUSES])));
  let changed = 0;
  for (const { id } of open) {
    try {
      // A savepoint per request: trouble with one request never undoes the carrier's results; the sweep retries it.
      const moved = await tx.transaction(async (sp) => {
        let row = await loadForUpdate(sp, id);
        if (!row || isTerminal(row.status as CancellationStatus)) return false;
        const before = `${row.kind}/${row.status}`;
        row = await convertToResumption(services, sp, row, "completed");
        if (row.status === "confirmed") row = await settleConfirmed(services, sp, row, actor);
        return `${row.kind}/${row.status}` !== before;
      });
      if (moved) changed += 1;
    } catch (error) {
      services.logger.warn({ cancellationId: id, applicationId, error: (error as Error).name }, "cancellation not settled at completion; the sweep retries");
    }
  }
  return changed;
}

async function withdrawApplication(services: Services, tx: DbOrTx, row: CancellationRow, app: ApplicationRow, actor: string) {
  const now = services.now();
  await changeStatus(tx, {
    applicationId: app.id,
    from: app.status as ApplicationStatus,
    to: "withdrawn",
    actor,
    type: "withdrawn",
    detail: { cancellationId: row.id },
    at: now,
  });
  // The pending suspension goes back to none, unless another application on the line still covers it.
  const others = await tx
    .select({ scopes: applications.scopes })
    .from(applications)
    .where(and(eq(applications.lineId, app.lineId), inArray(applications.status, COVERING_STATUSES), ne(applications.id, app.id)));
  for (const scope of app.scopes) {
    if (others.some((other) => other.scopes.includes(scope))) continue;
    if (scope === "outgoing") {
      await tx.update(lines).set({ outgoingSuspension: "none", updatedAt: now }).where(and(eq(lines.id, app.lineId), eq(lines.outgoingSuspension, "pending")));
    } else if (scope === "incoming") {
      await tx.update(lines).set({ incomingSuspension: "none", updatedAt: now }).where(and(eq(lines.id, app.lineId), eq(lines.incomingSuspension, "pending")));
    }
  }
  await services.audit.record(
    { actor, action: "application.withdraw", subjectType: "application", subjectId: app.id, detail: { cancellationId: row.id } },
    tx,
  );
}

const MOBILE = /^0[789]0\d{8}$/;

/** The text that tells the original applicant, with the way to object. */
export function coolingOffNotice(input: { lineE164: string; reference: string; code: string; until: Date; baseUrl: string; centrePhone: string }): string {
  return (
    `国際電話不取扱受付センターです。${formatDisplay(input.lineE164)} の国際電話の休止を解除する（海外との電話がつながるようにする）お申し出があり、ご契約者ご本人の確認がとれました。` +
    `${formatJstDateTime(input.until)}までは、手続きを止めています。反対の場合は、それまでに ${input.baseUrl}/cancel/object で受付番号 ${formatReference(input.reference)} と確認コード ${input.code} を入力するか、センター（${formatDisplay(input.centrePhone)}）にお電話ください。`
  );
}

function spokenDigits(digits: string): string {
  return digits.split("").join("、");
}

/**
 * Cooling-off started: the original applicant is told, with a code to object on the web or by phone.
 * An SMS to a mobile contact, a call to a fixed one, and a letter to the address when it is known.
 */
async function notifyOriginalApplicant(services: Services, tx: DbOrTx, row: CancellationRow, app: ApplicationRow, code: string) {
  const line = await lineOf(tx, row);
  const until = row.coolingOffUntil!;
  const text = coolingOffNotice({
    lineE164: line.e164,
    reference: row.reference,
    code,
    until,
    baseUrl: services.config.publicBaseUrl,
    centrePhone: services.config.centrePhoneNumber,
  });
  const contact = services.pii.openNullable(app.contactPhoneEnc);
  const channels: string[] = [];
  const base = { purpose: "cancellation_cooling_off", cancellationId: row.id, applicationId: app.id };
  if (contact && MOBILE.test(contact)) {
    await services.comms.queueSms({ ...base, idempotencyKey: `cancellation-notice-sms:${row.id}`, to: `+81${contact.slice(1)}`, body: text }, tx);
    channels.push("sms");
  } else if (contact) {
    const spoken =
      `国際電話不取扱受付センターです。${spokenDigits(nationalDigits(line.e164))}、の国際電話の休止を解除するお申し出があり、ご契約者ご本人の確認がとれました。` +
      `反対の場合は、${formatJstDateTime(until)}までに、センターにお電話ください。受付番号は、${speakableGroups(row.reference).map(spokenDigits).join("、の、")}。` +
      `確認コードは、${spokenDigits(code)}、です。もう一度申し上げます。確認コードは、${spokenDigits(code)}、です。`;
    await services.comms.queueCall({ ...base, idempotencyKey: `cancellation-notice-call:${row.id}`, to: `+81${contact.slice(1)}`, content: { kind: "say", text: spoken } }, tx);
    channels.push("call");
  }
  const address = services.pii.openNullable(app.addressEnc);
  if (address) {
    const postal = services.pii.openNullable(app.postalCodeEnc);
    const name = services.pii.openNullable(app.relation === "self" ? app.subscriberNameEnc : app.applicantNameEnc) ?? services.pii.openNullable(app.subscriberNameEnc);
    await services.comms.queueLetter(
      {
        ...base,
        idempotencyKey: `cancellation-notice-letter:${row.id}`,
        to: [postal ? `〒${postal}` : "", address, name ? `${name} 様` : ""].filter(Boolean).join(" "),
        template: "cancellation-cooling-off",
        data: { reference: row.reference, number: formatDisplay(line.e164), code, until: until.toISOString(), text },
      },
      tx,
    );
    channels.push("letter");
  }
  await recordCancellationEvent(tx, { cancellationId: row.id, type: "applicant_notified", actor: "system", detail: { channels }, at: services.now() });
}

// ————— cooling-off, objections, deadlines —————

/** The cooling-off of one request is over: approved, and the carrier-dispatch planner may issue the RESUME order. */
export async function elapseCoolingOff(services: Services, cancellationId: string): Promise<CancellationStatus | null> {
  return services.db.transaction(async (tx) => {
    const row = await loadForUpdate(tx, cancellationId);
    if (!row || row.status !== "cooling_off" || !row.coolingOffUntil || row.coolingOffUntil > services.now()) return (row?.status as CancellationStatus) ?? null;
    const approved = await applyEvent(services, tx, row, { type: "cooling_off_elapsed", at: services.now() }, "system");
    if (!canIssueResume(stateOf(approved))) throw new Error("resumption approved without a subscriber confirmation");
    await services.audit.record({ actor: "system", action: "cancellation.approve", subjectType: "cancellation", subjectId: row.id, detail: { kind: row.kind, by: "cooling_off_elapsed" } }, tx);
    return approved.status as CancellationStatus;
  });
}

export type ObjectionResult =
  | { ok: true; reference: string }
  | { ok: false; reason: "not_found" | "not_open" | "already" | "limited"; message: string };

export const OBJECTION_MESSAGES = {
  limited: "確認に何度も失敗したため、しばらく受け付けられません。センターにお電話ください。",
  not_found: "受付番号と確認コードに合うお申し出が見つかりません。お知らせに書いてある番号を、もう一度お確かめください。",
  not_open: "このお申し出は、お知らせ期間が終わっているか、すでに終わっています。センターにお電話ください。",
  already: "このお申し出への反対は、すでに受け付けています。センターの係の者が、ご連絡します。",
} as const;

/**
 * The original applicant objects during the cooling-off, with the reference and the code of the notice
 * (/cancel/object). By phone, an operator records it instead (operatorAction "record_objection").
 */
export async function objectToCancellation(
  services: Services,
  input: { reference: string; code: string; by: "original_applicant" | "other"; actor: string; ip?: string | null },
): Promise<ObjectionResult> {
  // Wrong codes per client are limited (the code must not be guessable by trying), counted in the
  // rate-limit table and audited in the same transaction as the answer (issue 12).
  if (input.ip && (await checkLimit(services, OBJECTION_LIMIT, input.ip)).limited) return { ok: false, reason: "limited", message: OBJECTION_MESSAGES.limited };
  return services.db.transaction(async (tx): Promise<ObjectionResult> => {
    const [found] = await tx.select().from(cancellations).where(eq(cancellations.reference, input.reference)).for("update");
    if (!found || !found.objectionCodeHash || found.objectionCodeHash !== objectionCodeHash(services, found.id, input.code)) {
      if (input.ip) await recordHit(services, OBJECTION_LIMIT, input.ip, tx);
      await services.audit.record({ actor: input.actor, action: "cancellation.objection_failed", subjectType: "cancellation", ip: input.ip ?? null }, tx);
      return { ok: false, reason: "not_found", message: OBJECTION_MESSAGES.not_found };
    }
    if (found.status === "objected") return { ok: false, reason: "already", message: OBJECTION_MESSAGES.already };
    if (found.status !== "cooling_off") return { ok: false, reason: "not_open", message: OBJECTION_MESSAGES.not_open };
    const row = await applyEvent(services, tx, found, { type: "objection_received", at: services.now(), by: input.by }, input.actor, { channel: "web" });
    await services.audit.record({ actor: input.actor, action: "cancellation.objection", subjectType: "cancellation", subjectId: row.id, ip: input.ip ?? null, detail: { by: input.by } }, tx);
    return { ok: true, reference: row.reference };
  });
}

export type SweepCounts = {
  elapsed: number;
  intakeUnanswered: number;
  recalled: number;
  confirmationFailed: number;
  expired: number;
  converted: number;
  settled: number;
  failed: number;
};

/** The confirmation calls of the current wait (placed since the row last changed), newest first. */
async function callsOfCurrentWait(tx: DbOrTx, row: CancellationRow) {
  return tx
    .select()
    .from(verifications)
    .where(and(eq(verifications.cancellationId, row.id), eq(verifications.purpose, "cancel"), gte(verifications.createdAt, row.updatedAt)))
    .orderBy(desc(verifications.createdAt));
}

/**
 * The periodic pass (workers/schedules.ts): cooling-offs that are over, intake calls nobody answered,
 * confirmation calls to repeat, confirmations that failed, requests past their deadlines, withdrawals
 * whose application the carrier completed, and confirmed requests held while the carrier finished.
 * Idempotent. STATUS_DEADLINES lists what it does for each status.
 */
export async function sweepCancellations(services: Services): Promise<SweepCounts> {
  const now = services.now();
  const policy = CANCELLATION_POLICY;
  const counts: SweepCounts = { elapsed: 0, intakeUnanswered: 0, recalled: 0, confirmationFailed: 0, expired: 0, converted: 0, settled: 0, failed: 0 };
  const ids = async (where: ReturnType<typeof and>) =>
    (await services.db.select({ id: cancellations.id }).from(cancellations).where(where).limit(500)).map((r) => r.id);
  /** One row's trouble must not stop the others; it is logged (ids only) and tried again next time. */
  const each = async (list: string[], work: (id: string) => Promise<boolean>, counter: Exclude<keyof SweepCounts, "failed">) => {
    for (const id of list) {
      try {
        if (await work(id)) counts[counter] += 1;
      } catch (error) {
        counts.failed += 1;
        services.logger.warn({ cancellationId: id, error: (error as Error).name }, "cancellation sweep failed for one request");
      }
    }
  };

  await each(
    await ids(and(eq(cancellations.status, "cooling_off"), lte(cancellations.coolingOffUntil, now))),
    async (id) => (await elapseCoolingOff(services, id)) === "approved",
    "elapsed",
  );

  const intakeCutoff = new Date(now.getTime() - policy.intakeAnswerHours * HOUR);
  await each(
    await ids(and(eq(cancellations.status, "received"), lt(cancellations.updatedAt, intakeCutoff))),
    (id) =>
      services.db.transaction(async (tx) => {
        const row = await loadForUpdate(tx, id);
        if (!row || row.status !== "received" || row.updatedAt >= intakeCutoff) return false;
        await recordCancellationEvent(tx, { cancellationId: id, type: "intake_call_unanswered", actor: "system", at: services.now() });
        const { row: decided } = await evaluateAndDecide(services, tx, row, "none", "system");
        await afterStatus(services, tx, decided, "system");
        return true;
      }),
    "intakeUnanswered",
  );

  // Open withdrawals whose application the carrier completed meanwhile (carrier results call this at
  // once; the sweep catches any other way an application completes).
  const stale = await services.db
    .selectDistinct({ applicationId: cancellations.applicationId })
    .from(cancellations)
    .innerJoin(applications, eq(applications.id, cancellations.applicationId))
    .where(and(eq(cancellations.kind, "withdrawal"), inArray(cancellations.status, [...OPEN_STATUSES]), eq(applications.status, "completed")))
    .limit(500);
  await each(
    stale.flatMap((r) => (r.applicationId ? [r.applicationId] : [])),
    (applicationId) => services.db.transaction(async (tx) => (await applicationCompleted(services, tx, applicationId, "system")) > 0),
    "converted",
  );

  // The confirmation calls: repeat an unanswered one, and give up after the last.
  const awaitingCutoff = new Date(now.getTime() - policy.confirmationDeadlineHours * HOUR);
  for (const id of await ids(eq(cancellations.status, "awaiting_confirmation"))) {
    try {
      const outcome = await services.db.transaction(async (tx) => {
        const row = await loadForUpdate(tx, id);
        if (!row || row.status !== "awaiting_confirmation") return "none" as const;
        const at = services.now();
        const calls = await callsOfCurrentWait(tx, row);
        const latest = calls[0];
        if (latest && (latest.consent || latest.expiresAt > at)) return "none" as const; // answered, or still answerable
        const exhausted = calls.length >= policy.confirmationCallAttempts;
        if (exhausted || row.updatedAt < awaitingCutoff) {
          const event = confirmationDeadlineEvent(stateOf(row), at);
          const next = await applyEvent(services, tx, row, event, "system", { calls: calls.length });
          if (next.status === "expired") await notifyRequesterOfLapse(services, tx, next, row.status as CancellationStatus);
          return event.type === "confirmation_failed" ? ("failed" as const) : ("expired" as const);
        }
        const due = !latest || at.getTime() - latest.createdAt.getTime() >= policy.confirmationRetryHours * HOUR;
        if (!due || !withinCancellationCallingHours(at, policy)) return "none" as const;
        await placeConfirmationCall(services, tx, row, "system", undefined, { restartDeadline: false });
        return "recalled" as const;
      });
      if (outcome === "failed") counts.confirmationFailed += 1;
      else if (outcome === "expired") counts.expired += 1;
      else if (outcome === "recalled") counts.recalled += 1;
    } catch (error) {
      counts.failed += 1;
      services.logger.warn({ cancellationId: id, error: (error as Error).name }, "cancellation sweep failed for one request");
    }
  }

  const deadlines: [CancellationStatus[], number][] = [
    [["flagged", "in_review"], policy.reviewDeadlineDays * DAY],
    [["objected"], policy.objectionDeadlineDays * DAY],
  ];
  for (const [statuses, ms] of deadlines) {
    const cutoff = new Date(now.getTime() - ms);
    await each(
      await ids(and(inArray(cancellations.status, statuses), lt(cancellations.updatedAt, cutoff))),
      (id) =>
        services.db.transaction(async (tx) => {
          const row = await loadForUpdate(tx, id);
          if (!row || !statuses.includes(row.status as CancellationStatus) || row.updatedAt >= cutoff) return false;
          const next = await applyEvent(services, tx, row, { type: "deadline_passed", at: services.now() }, "system");
          await notifyRequesterOfLapse(services, tx, next, row.status as CancellationStatus);
          return true;
        }),
      "expired",
    );
  }

  await each(
    await ids(eq(cancellations.status, "confirmed")),
    (id) =>
      services.db.transaction(async (tx) => {
        const row = await loadForUpdate(tx, id);
        if (!row || row.status !== "confirmed") return false;
        return (await settleConfirmed(services, tx, row, "system")).status !== "confirmed";
      }),
    "settled",
  );
  // Web drafts past their expiry hold sealed answers nobody will use.
  await services.db.delete(cancelDrafts).where(lt(cancelDrafts.expiresAt, now));
  return counts;
}

/** What the requester is told when the request lapsed (calls stay off; they may ask again). */
export function requesterLapseNotice(input: { lineE164: string; reference: string; kind: CancellationKind; from: CancellationStatus; centrePhone: string }): string {
  const what = input.kind === "resumption" ? "国際電話の休止を解除する" : "国際電話を止めるお申し込みを取り下げる";
  const why = input.from === "objected" ? "期限までに確認が終わらなかったため" : "ご契約者ご本人に確かめられなかったため";
  return (
    `国際電話不取扱受付センターです。${formatDisplay(input.lineE164)} の${what}お申し出（受付番号 ${formatReference(input.reference)}）は、${why}、終わりました。` +
    `国際電話は止めたままです。もう一度お申し出いただけます。お問い合わせは、センター（${formatDisplay(input.centrePhone)}）へお電話ください。`
  );
}

/**
 * A request ended by a timer (expired): the requester is told by the contact they gave — an SMS to a
 * mobile, a call to a fixed number. No contact: the event records that nobody could be told.
 */
async function notifyRequesterOfLapse(services: Services, tx: DbOrTx, row: CancellationRow, from: CancellationStatus): Promise<void> {
  if (row.status !== "expired") return;
  const line = await lineOf(tx, row);
  const contact = services.pii.openNullable(row.requesterContactEnc);
  const text = requesterLapseNotice({ lineE164: line.e164, reference: row.reference, kind: row.kind as CancellationKind, from, centrePhone: services.config.centrePhoneNumber });
  const base = { purpose: "cancellation_outcome", cancellationId: row.id, ...(row.applicationId ? { applicationId: row.applicationId } : {}) };
  const channels: string[] = [];
  if (contact && MOBILE.test(contact)) {
    await services.comms.queueSms({ ...base, idempotencyKey: `cancellation-lapse-sms:${row.id}`, to: `+81${contact.slice(1)}`, body: text }, tx);
    channels.push("sms");
  } else if (contact && /^0\d{9}$/.test(contact)) {
    await services.comms.queueCall({ ...base, idempotencyKey: `cancellation-lapse-call:${row.id}`, to: `+81${contact.slice(1)}`, content: { kind: "say", text } }, tx);
    channels.push("call");
  }
  await recordCancellationEvent(tx, { cancellationId: row.id, type: "requester_notified", actor: "system", detail: { channels, outcome: row.status }, at: services.now() });
}

// ————— operator decisions —————

/** Who may see and decide cancellation requests in the back office. */
export const CANCELLATION_STAFF_ROLES: readonly Role[] = ["operator", "supervisor", "admin"];

export const OPERATOR_ACTIONS = ["call_back", "approve", "decline", "release", "record_objection", "requester_withdrew"] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

export type ActionResult =
  | { ok: true; status: CancellationStatus }
  | { ok: false; reason: TransitionRefusal | "not_found" | "supervisor_required" | "changed"; message: string };

/**
 * One click in the review queue. From `flagged`, the click also takes the request into review (the
 * event is recorded). Every event is checked against the table before anything is written, so a
 * refused approval leaves no trace but the audit entry.
 */
export async function operatorAction(
  services: Services,
  input: { cancellationId: string; operatorId: string; role: Role; action: OperatorAction; note?: string | null; ip?: string | null },
): Promise<ActionResult> {
  const actor = `operator:${input.operatorId}`;
  const note = (input.note ?? "").trim();
  const refuse = (reason: Exclude<ActionResult, { ok: true }>["reason"]): ActionResult => ({ ok: false, reason, message: ACTION_REFUSAL_MESSAGES[reason] });
  let result: ActionResult;
  try {
    result = await services.db.transaction(async (tx): Promise<ActionResult> => {
      let row = await loadForUpdate(tx, input.cancellationId);
      if (!row) return refuse("not_found");
      const at = services.now();
      const events: CancellationEvent[] = [];
      const takeIntoReview = () => {
        if (row!.status === "flagged") events.push({ type: "review_started", at, operatorId: input.operatorId });
      };
      switch (input.action) {
        case "call_back":
          takeIntoReview();
          if (row.status === "flagged" || row.status === "in_review") events.push({ type: "confirmation_call_requested", at, operatorId: input.operatorId });
          else if (row.status !== "awaiting_confirmation" && row.status !== "received") return refuse("no_such_transition");
          break;
        case "approve":
          if (row.status === "objected" && input.role === "operator") return refuse("supervisor_required");
          // Checked here as well as by the table: no approval without the subscriber's own confirmation.
          if (!stateOf(row).subscriberConfirmation) return refuse("no_subscriber_confirmation");
          takeIntoReview();
          events.push({ type: "operator_approved_with_note", at, operatorId: input.operatorId, note });
          break;
        case "decline":
          takeIntoReview();
          events.push({ type: "operator_declined", at, operatorId: input.operatorId, note });
          break;
        case "release":
          events.push({ type: "review_released", at, operatorId: input.operatorId });
          break;
        case "record_objection":
          events.push({ type: "objection_received", at, by: "original_applicant" });
          break;
        case "requester_withdrew":
          events.push({ type: "requester_withdrew", at });
          break;
      }
      // Dry run on the domain first: nothing is written unless every step is allowed.
      let state = stateOf(row);
      for (const event of events) state = transition(state, event, CANCELLATION_POLICY.state);

      for (const event of events) {
        row = await applyEvent(services, tx, row, event, actor, note && "note" in event ? { note: true } : {});
      }
      if (input.action === "call_back") await placeConfirmationCall(services, tx, row, actor);
      else if (row.status === "confirmed") row = await settleConfirmed(services, tx, row, actor);
      if (row.status === "approved" && row.kind === "resumption" && !canIssueResume(stateOf(row))) throw new Error("approved without confirmation");
      await services.audit.record(
        { actor, action: `cancellation.${input.action}`, subjectType: "cancellation", subjectId: row.id, ip: input.ip ?? null, detail: { status: row.status } },
        tx,
      );
      return { ok: true, status: row.status as CancellationStatus };
    });
  } catch (error) {
    if (error instanceof IllegalCancellationTransitionError) result = refuse(error.refusal);
    else if (error instanceof ConcurrentChangeError) result = refuse("changed");
    else throw error;
  }
  if (!result.ok) {
    await services.audit.record({
      actor,
      action: `cancellation.${input.action}_refused`,
      subjectType: "cancellation",
      subjectId: input.cancellationId,
      ip: input.ip ?? null,
      detail: { reason: result.reason },
    });
  }
  return result;
}

// ————— back office: queue, detail, timeline —————

export type QueueItem = {
  id: string;
  reference: string;
  number: string;
  kind: CancellationKind;
  channel: CancellationChannel;
  relation: Relation;
  relationDetail: string | null;
  status: CancellationStatus;
  statusLabel: string;
  reasons: { code: RiskReasonCode; severity: string; operatorText: string }[];
  receivedAt: string;
  confirmed: boolean;
  needsOperator: boolean;
  /** Why a person must act (queue statuses only), in plain Japanese. */
  why: string | null;
};

/** Statuses where an operator must act, first in the queue: the domain's `queue` exits. */
export const OPERATOR_STATUSES: readonly CancellationStatus[] = QUEUE_STATUSES;

export const QUEUE_REASON_TEXTS = {
  rules: "確認ルールで「危険」と判定されたお申し出です。理由を確かめてください。",
  confirmation_failed: "ご契約者への確認の電話に、何度かけても応答がありませんでした。お電話で事情をうかがい、もう一度確認の電話をかけるか、お断りしてください。",
  objection: "最初にお申し込みをされた方から、反対のお申し出がありました。両方とお話しして、判断してください。",
} as const;

/** Why a request is in front of a person: a finding routed to review, a failed confirmation, or an objection. */
export function queueReasonOf(row: Pick<CancellationRow, "status" | "riskReasons">): keyof typeof QUEUE_REASON_TEXTS | null {
  const status = row.status as CancellationStatus;
  if (!QUEUE_STATUSES.includes(status)) return null;
  if (status === "objected") return "objection";
  const routed = row.riskReasons.filter(isRiskReasonCode).some((code) => routeOf(code, CANCELLATION_POLICY.rules) === "review");
  return routed ? "rules" : "confirmation_failed";
}

function whyOf(row: CancellationRow): string | null {
  const reason = queueReasonOf(row);
  return reason ? QUEUE_REASON_TEXTS[reason] : null;
}

function reasonsOf(row: CancellationRow) {
  return row.riskReasons.filter(isRiskReasonCode).map((code) => {
    const rule = ruleFor(code);
    return { code, severity: rule.severity, operatorText: rule.operatorText };
  });
}

/**
 * The statuses a request can still leave, named one by one: `status in (…)` is served by the index on
 * (status, created_at), where `status not in (terminal)` read every request ever made (ADR 030).
 */
const NOT_TERMINAL_STATUSES: readonly CancellationStatus[] = CANCELLATION_STATUSES.filter((status) => !TERMINAL_STATUSES.includes(status));

/** Open requests: those waiting for an operator first (oldest first), then the rest (newest first). */
export async function reviewQueue(services: Pick<Services, "db" | "pii">, limit = 200): Promise<QueueItem[]> {
  // The open requests first, through the status index (there are few), then the oldest of them: in one
  // statement with ORDER BY … LIMIT, the planner walked idx_cancellations_created through every closed
  // request looking for open ones (measured at 100,000 requests, ADR 030).
  const open = await services.db.select({ id: cancellations.id }).from(cancellations).where(inArray(cancellations.status, [...NOT_TERMINAL_STATUSES]));
  if (open.length === 0) return [];
  const rows = await services.db
    .select({ c: cancellations, e164: lines.e164 })
    .from(cancellations)
    .innerJoin(lines, eq(lines.id, cancellations.lineId))
    .where(and(inArray(cancellations.id, open.map((r) => r.id)), inArray(cancellations.status, [...NOT_TERMINAL_STATUSES])))
    .orderBy(asc(cancellations.createdAt))
    .limit(limit);
  const items = rows.map(({ c, e164 }): QueueItem => ({
    id: c.id,
    reference: c.reference,
    number: formatDisplay(e164),
    kind: c.kind as CancellationKind,
    channel: c.channel as CancellationChannel,
    relation: c.requesterRelation as Relation,
    relationDetail: services.pii.openNullable(c.requesterRelationDetailEnc),
    status: c.status as CancellationStatus,
    statusLabel: CANCELLATION_STATUS_LABELS[c.status as CancellationStatus]?.label ?? c.status,
    reasons: reasonsOf(c),
    receivedAt: c.createdAt.toISOString(),
    confirmed: c.subscriberConfirmedAt !== null,
    needsOperator: OPERATOR_STATUSES.includes(c.status as CancellationStatus),
    why: whyOf(c),
  }));
  const first = items.filter((i) => i.needsOperator);
  const rest = items.filter((i) => !i.needsOperator).reverse();
  return [...first, ...rest];
}

export type TimelineEntry = { at: string; source: "application" | "cancellation"; reference: string; type: string; toStatus: string | null; actor: string };

/** The line's story for the review screen: applications, their events, cancellations, their events. */
export async function lineTimeline(services: Pick<Services, "db">, lineId: string): Promise<TimelineEntry[]> {
  const appEvents = await services.db
    .select({ at: applicationEvents.at, type: applicationEvents.type, toStatus: applicationEvents.toStatus, actor: applicationEvents.actor, reference: applications.reference })
    .from(applicationEvents)
    .innerJoin(applications, eq(applications.id, applicationEvents.applicationId))
    .where(eq(applications.lineId, lineId));
  const cancelEvents = await services.db
    .select({ at: cancellationEvents.at, type: cancellationEvents.type, toStatus: cancellationEvents.toStatus, actor: cancellationEvents.actor, reference: cancellations.reference })
    .from(cancellationEvents)
    .innerJoin(cancellations, eq(cancellations.id, cancellationEvents.cancellationId))
    .where(eq(cancellations.lineId, lineId));
  const entries: (TimelineEntry & { t: number })[] = [
    ...appEvents.map((e) => ({ ...e, source: "application" as const })),
    ...cancelEvents.map((e) => ({ ...e, source: "cancellation" as const })),
  ].map((e) => ({ at: e.at.toISOString(), t: e.at.getTime(), source: e.source, reference: e.reference, type: e.type, toStatus: e.toStatus, actor: e.actor.replace(/^operator:.*/, "operator") }));
  return entries.sort((a, b) => a.t - b.t).map(({ t: _t, ...entry }) => entry);
}

export type CancellationDetail = {
  item: QueueItem;
  requester: { name: string | null; contact: string | null; reasonCode: string; reasonText: string | null };
  application: { reference: string; status: ApplicationStatus; relation: Relation; channel: string; createdAt: string } | null;
  confirmation: { method: string; at: string } | null;
  coolingOffUntil: string | null;
  objection: { at: string; by: string } | null;
  decision: { status: string; note: string | null; at: string | null } | null;
  evidence: Evidence;
  timeline: TimelineEntry[];
  possible: OperatorAction[];
};

/** Which buttons the review screen shows for a status (the service checks again on the click). */
export function possibleActions(status: CancellationStatus): OperatorAction[] {
  switch (status) {
    case "received":
      // Waiting for the subscriber's answer to the intake call: call again, or record a change of mind.
      return ["call_back", "requester_withdrew"];
    case "flagged":
    case "in_review":
      return status === "in_review" ? ["call_back", "approve", "decline", "release", "requester_withdrew"] : ["call_back", "approve", "decline", "requester_withdrew"];
    case "awaiting_confirmation":
      return ["call_back", "decline", "requester_withdrew"];
    case "confirmed":
      return ["decline", "requester_withdrew"];
    case "cooling_off":
      return ["record_objection", "decline", "requester_withdrew"];
    case "objected":
      return ["approve", "decline", "requester_withdrew"];
    default:
      return [];
  }
}

/** One request with its personal data opened. The caller records the view in the audit log. */
export async function cancellationDetail(services: Pick<Services, "db" | "pii">, cancellationId: string): Promise<CancellationDetail | null> {
  const [found] = await services.db
    .select({ c: cancellations, e164: lines.e164 })
    .from(cancellations)
    .innerJoin(lines, eq(lines.id, cancellations.lineId))
    .where(eq(cancellations.id, cancellationId));
  if (!found) return null;
  const { c, e164 } = found;
  const [app] = c.applicationId ? await services.db.select().from(applications).where(eq(applications.id, c.applicationId)) : [];
  const status = c.status as CancellationStatus;
  return {
    item: {
      id: c.id,
      reference: c.reference,
      number: formatDisplay(e164),
      kind: c.kind as CancellationKind,
      channel: c.channel as CancellationChannel,
      relation: c.requesterRelation as Relation,
      relationDetail: services.pii.openNullable(c.requesterRelationDetailEnc),
      status,
      statusLabel: CANCELLATION_STATUS_LABELS[status]?.label ?? c.status,
      reasons: reasonsOf(c),
      receivedAt: c.createdAt.toISOString(),
      confirmed: c.subscriberConfirmedAt !== null,
      needsOperator: OPERATOR_STATUSES.includes(status),
      why: whyOf(c),
    },
    requester: {
      name: services.pii.openNullable(c.requesterNameEnc),
      contact: services.pii.openNullable(c.requesterContactEnc),
      reasonCode: c.reasonCode,
      reasonText: services.pii.openNullable(c.reasonTextEnc),
    },
    application: app
      ? { reference: app.reference, status: app.status as ApplicationStatus, relation: app.relation as Relation, channel: app.channel, createdAt: app.createdAt.toISOString() }
      : null,
    confirmation: c.subscriberConfirmedAt ? { method: c.confirmationMethod ?? "", at: c.subscriberConfirmedAt.toISOString() } : null,
    coolingOffUntil: c.coolingOffUntil?.toISOString() ?? null,
    objection: c.objectedAt ? { at: c.objectedAt.toISOString(), by: c.objectedBy ?? "" } : null,
    decision: c.decision ? { status: c.decision, note: services.pii.openNullable(c.decisionNoteEnc), at: c.decidedAt?.toISOString() ?? null } : null,
    evidence: evidenceOf(c),
    timeline: await lineTimeline(services, c.lineId),
    possible: possibleActions(status),
  };
}

/** For the web done page: what the requester may see (no reasons, no names). */
export async function cancellationReceipt(services: Pick<Services, "db">, cancellationId: string) {
  const [row] = await services.db
    .select({ reference: cancellations.reference, status: cancellations.status, kind: cancellations.kind, e164: lines.e164 })
    .from(cancellations)
    .innerJoin(lines, eq(lines.id, cancellations.lineId))
    .where(eq(cancellations.id, cancellationId));
  if (!row) return null;
  return { reference: row.reference, status: row.status as CancellationStatus, kind: row.kind as CancellationKind, number: formatDisplay(row.e164) };
}
