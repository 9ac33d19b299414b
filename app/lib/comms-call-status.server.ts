/**
 * What became of each outbound call (issue 13, point 4).
 *
 * Every call the centre places (verification, consent, paper confirmation, cancellation confirmation,
 * completion and notices) carries a StatusCallback URL naming its outbox row
 * (`/ivr/status?outbox=<id>`, see comms.server.ts) with StatusCallbackEvent initiated, ringing,
 * answered and completed. Twilio posts CallStatus (queued, initiated, ringing, in-progress,
 * completed, busy, no-answer, failed, canceled) and, for calls placed with MachineDetection=Enable,
 * AnsweredBy (human, machine_start, machine_end_beep, machine_end_silence, machine_end_other, fax,
 * unknown). The row records the last CallStatus and its outcome:
 *
 *   answered → completed            a person (or AnsweredBy unknown) picked up and the call ended
 *   busy | no-answer | failed | canceled
 *   machine                         AnsweredBy machine_* or fax: never a confirmation
 *
 * An outcome other than "answered" is final: a repeated or late callback changes nothing, and only
 * the callback that first sets an unanswered outcome acts on it (in the same transaction, under the
 * row's lock), so a duplicate never places a second call.
 *
 * Acting on an unanswered call:
 *  - web verification call-back: retried on VERIFICATION_CALL_POLICY (a new outbox row, with its own
 *    idempotency key, delivered not before the gap); after the last try the page that waits for the
 *    code says the call was not answered and offers call-in (verificationCallProgress);
 *  - cancellation and paper confirmations: the call is closed at once (its verification expires), and
 *    the existing sweeps (cancellations.server.ts, paper-confirmation.server.ts) retry on their own
 *    schedule and hand the case to a person after the last try;
 *  - other calls (completion, notices): the outcome is recorded for the back office (/ops/outbox).
 */
import { and, desc, eq, gt, inArray, isNull, or } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { outbox, verifications } from "../../db/schema";
import { CALLING_HOURS_JST, withinCallingHours } from "../domain/calling-hours";
import type { CallContent } from "./comms.server";
import type { Services } from "./services.server";
import { CODE_TTL_MS, codeHash, newCode, spokenCode } from "./verification.server";

export type CallOutcome = "answered" | "completed" | "busy" | "no-answer" | "failed" | "canceled" | "machine";

/** Outcomes that end the call's story: later callbacks for the same row change nothing. */
export const FINAL_OUTCOMES: readonly CallOutcome[] = ["completed", "busy", "no-answer", "failed", "canceled", "machine"];

/** Outcomes after which nobody heard the call (a machine counts: it cannot agree to anything). */
export const UNANSWERED_OUTCOMES = ["busy", "no-answer", "failed", "canceled", "machine"] as const;
export type UnansweredOutcome = (typeof UNANSWERED_OUTCOMES)[number];

/**
 * Automatic calls of a web verification (the applicant waits on the page, and the code lives
 * 10 minutes): the first call plus two retries, a short gap before each, in calling hours only
 * (the same hours as the paper confirmation calls: nobody's phone rings at night by itself).
 */
export const VERIFICATION_CALL_POLICY = {
  /** Calls placed in one verification, the first one included (resends by the applicant count too). */
  maxCalls: 3,
  /** Minutes to wait after the 1st, 2nd … unanswered call before the next one. */
  retryGapMinutes: [2, 5],
  /** Hours (JST, [from, to)) in which a retry may ring. */
  callingHoursJst: CALLING_HOURS_JST,
} as const;

const MINUTE = 60_000;

/** Is `at` within VERIFICATION_CALL_POLICY's calling hours in Japan (UTC+9, no daylight saving)? */
export function withinVerificationCallingHours(at: Date): boolean {
  return withinCallingHours(at, VERIFICATION_CALL_POLICY.callingHoursJst);
}

/** Twilio's AnsweredBy for an answering machine or a fax (machine_start, machine_end_beep, …, fax). */
export function isMachineAnswer(answeredBy: string | null | undefined): boolean {
  return Boolean(answeredBy && (answeredBy.startsWith("machine_") || answeredBy === "fax"));
}

export function isUnanswered(outcome: string | null | undefined): outcome is UnansweredOutcome {
  return (UNANSWERED_OUTCOMES as readonly string[]).includes(outcome ?? "");
}

/** The outcome one status callback tells, or null for progress only (queued, initiated, ringing). */
export function outcomeOf(callStatus: string | null | undefined, answeredBy: string | null | undefined): CallOutcome | null {
  switch (callStatus) {
    case "in-progress":
      return isMachineAnswer(answeredBy) ? "machine" : "answered";
    case "completed":
      return isMachineAnswer(answeredBy) ? "machine" : "completed";
    case "busy":
    case "no-answer":
    case "failed":
    case "canceled":
      return callStatus;
    default:
      return null;
  }
}

export type FollowUp =
  | { kind: "none" }
  /** The call's own sweep (cancellation / paper confirmation) retries or hands over. */
  | { kind: "sweep" }
  | { kind: "retry"; at: Date; callNumber: number }
  /** No try left (or the next one would fall outside calling hours): the person is told. */
  | { kind: "gave_up"; calls: number };

export type StatusCallbackResult = { outcome: CallOutcome | null; changed: boolean; followUp: FollowUp };

type Params = Record<string, string | undefined>;
type OutboxRow = typeof outbox.$inferSelect;

/**
 * POST /ivr/status?outbox=<id>: one status callback of an outbound call. Safe to receive twice, late
 * or out of order: a final outcome is never overwritten, and only the change to an unanswered outcome
 * acts (a retry, or closing the call for its sweep).
 */
export async function handleOutboundCallStatus(services: Services, outboxId: string, params: Params): Promise<StatusCallbackResult> {
  return services.db.transaction(async (tx): Promise<StatusCallbackResult> => {
    const nothing: StatusCallbackResult = { outcome: null, changed: false, followUp: { kind: "none" } };
    const [row] = await tx
      .select()
      .from(outbox)
      .where(and(eq(outbox.id, outboxId), eq(outbox.channel, "call")))
      .for("update");
    if (!row) return nothing;
    // A callback names its call: one about another call (a stale or copied URL) changes nothing. Before
    // the provider answered (providerRef still empty) the first callback can come: it is ours.
    if (row.providerRef && row.providerRef !== "outbox" && params.CallSid && params.CallSid !== row.providerRef) return nothing;
    if (row.callOutcome && (FINAL_OUTCOMES as readonly string[]).includes(row.callOutcome)) {
      return { outcome: row.callOutcome as CallOutcome, changed: false, followUp: { kind: "none" } };
    }
    const now = services.now();
    const answeredBy = params.AnsweredBy || row.answeredBy || null;
    const outcome = outcomeOf(params.CallStatus, answeredBy);
    await tx
      .update(outbox)
      .set({
        callStatus: params.CallStatus ?? row.callStatus,
        answeredBy,
        ...(outcome ? { callOutcome: outcome } : {}),
        ...(outcome === "completed" ? { status: "delivered", deliveredAt: now } : {}),
        updatedAt: now,
      })
      .where(eq(outbox.id, row.id));
    if (!outcome || outcome === row.callOutcome) return { outcome: outcome ?? (row.callOutcome as CallOutcome | null), changed: false, followUp: { kind: "none" } };
    const followUp = isUnanswered(outcome) ? await afterUnanswered(services, tx, row, outcome) : ({ kind: "none" } as const);
    if (isUnanswered(outcome)) {
      services.logger.info({ outboxId: row.id, purpose: row.purpose, outcome, followUp: followUp.kind }, "outbound call not answered");
    }
    return { outcome, changed: true, followUp };
  });
}

async function afterUnanswered(services: Services, tx: DbOrTx, row: OutboxRow, outcome: UnansweredOutcome): Promise<FollowUp> {
  if (!row.verificationId) return { kind: "none" };
  if (row.purpose === "verification") return scheduleVerificationRetry(services, tx, row);
  if (row.purpose === "cancellation_confirmation" || row.purpose === "paper_confirmation") {
    // Nobody can answer this call any more (a machine must not, either): close it now, so the sweep of
    // these calls counts it as unanswered and retries or hands over on its own schedule.
    const now = services.now();
    await tx
      .update(verifications)
      .set({ expiresAt: now })
      .where(and(eq(verifications.id, row.verificationId), isNull(verifications.consent), isNull(verifications.verifiedAt), gt(verifications.expiresAt, now)));
    services.logger.debug({ verificationId: row.verificationId, outcome }, "confirmation call closed for its sweep");
    return { kind: "sweep" };
  }
  return { kind: "none" };
}

/**
 * The web verification call-back went unanswered: call again after the policy's gap (a new code for a
 * code call, the same consent question for a consent call), or give up after the last try.
 */
async function scheduleVerificationRetry(services: Services, tx: DbOrTx, row: OutboxRow): Promise<FollowUp> {
  const [v] = await tx.select().from(verifications).where(eq(verifications.id, row.verificationId!)).for("update");
  if (!v || v.method !== "callback" || v.verifiedAt || v.consent) return { kind: "none" };
  // Only the newest call of the verification is retried: a late callback of an older one is history.
  if (row.idempotencyKey !== `verification:${v.id}:${v.sends}`) return { kind: "none" };
  if (v.sends >= VERIFICATION_CALL_POLICY.maxCalls) return { kind: "gave_up", calls: v.sends };
  const gap = VERIFICATION_CALL_POLICY.retryGapMinutes[Math.min(v.sends, VERIFICATION_CALL_POLICY.retryGapMinutes.length) - 1]!;
  const at = new Date(services.now().getTime() + gap * MINUTE);
  if (!withinVerificationCallingHours(at)) return { kind: "gave_up", calls: v.sends };
  const previous = JSON.parse(services.pii.open(row.bodyEnc)) as CallContent;
  // Nobody heard the old code; a new one is read on the new call (and the old one stops working).
  const code = previous.kind === "say" ? newCode() : null;
  const content: CallContent = code ? { kind: "say", text: spokenCode(code) } : previous;
  const callNumber = v.sends + 1;
  await tx
    .update(verifications)
    .set({
      ...(code ? { codeHash: codeHash(services, v.id, code), attempts: 0 } : {}),
      sends: callNumber,
      lastSentAt: at,
      expiresAt: new Date(at.getTime() + CODE_TTL_MS),
    })
    .where(eq(verifications.id, v.id));
  await services.comms.queueCall(
    {
      idempotencyKey: `verification:${v.id}:${callNumber}`,
      purpose: "verification",
      to: services.pii.open(row.toEnc),
      verificationId: v.id,
      applicationId: row.applicationId ?? undefined,
      content,
      notBefore: at,
    },
    tx,
  );
  return { kind: "retry", at, callNumber };
}

export type CallProgress = {
  /** The outcome of the newest call that has one (null: no report yet). */
  outcome: CallOutcome | null;
  /** When the next automatic call rings (ISO), or null. */
  retryAt: string | null;
  /** The last try went unanswered and no call will follow by itself. */
  gaveUp: boolean;
  /** Calls placed so far (the one waiting to ring not counted). */
  calls: number;
};

/** For the page that waits for the code: did our calls get through, will we call again? */
export async function verificationCallProgress(services: Pick<Services, "db" | "now">, verificationId: string): Promise<CallProgress> {
  const rows = await services.db
    .select({ status: outbox.status, callOutcome: outbox.callOutcome, notBefore: outbox.notBefore })
    .from(outbox)
    .where(and(eq(outbox.verificationId, verificationId), eq(outbox.channel, "call"), eq(outbox.purpose, "verification")))
    .orderBy(desc(outbox.createdAt))
    .limit(10);
  const now = services.now();
  const [latest] = rows;
  if (!latest) return { outcome: null, retryAt: null, gaveUp: false, calls: 0 };
  const waiting = latest.status === "queued" && latest.notBefore !== null && latest.notBefore > now;
  if (waiting) {
    return { outcome: (rows[1]?.callOutcome as CallOutcome | null) ?? null, retryAt: latest.notBefore!.toISOString(), gaveUp: false, calls: rows.length - 1 };
  }
  return { outcome: latest.callOutcome as CallOutcome | null, retryAt: null, gaveUp: isUnanswered(latest.callOutcome), calls: rows.length };
}

/**
 * The TwiML webhook of a key-press call (placed with MachineDetection=Enable) received AnsweredBy:
 * keep it on the call's outbox row. True when a machine (or fax) answered: the caller must then only
 * hang up, and nothing said or pressed on this call may count.
 */
export async function noteAnsweredBy(services: Pick<Services, "db" | "now">, verificationId: string, params: Params): Promise<boolean> {
  const answeredBy = params.AnsweredBy;
  if (!answeredBy) {
    // A later request of the same call (a <Gather> action) may not repeat AnsweredBy: what the call's
    // row already knows still stands.
    if (!params.CallSid) return false;
    const [known] = await services.db
      .select({ answeredBy: outbox.answeredBy, callOutcome: outbox.callOutcome })
      .from(outbox)
      .where(and(eq(outbox.verificationId, verificationId), eq(outbox.channel, "call"), eq(outbox.providerRef, params.CallSid)))
      .limit(1);
    return Boolean(known && (isMachineAnswer(known.answeredBy) || known.callOutcome === "machine"));
  }
  await services.db
    .update(outbox)
    .set({ answeredBy, updatedAt: services.now() })
    .where(
      and(
        eq(outbox.verificationId, verificationId),
        eq(outbox.channel, "call"),
        // This call's row; before the provider's answer was stored, the row being placed right now; with
        // the offline provider (no Twilio, providerRef "outbox"), the verification's own simulated call.
        ...(params.CallSid
          ? [or(eq(outbox.providerRef, params.CallSid), and(isNull(outbox.providerRef), eq(outbox.status, "sending")), eq(outbox.providerRef, "outbox"))]
          : []),
        or(isNull(outbox.callOutcome), inArray(outbox.callOutcome, ["answered"])),
      ),
    );
  return isMachineAnswer(answeredBy);
}

/** What an answering machine hears before the call ends: who called, nothing personal. */
export const MACHINE_MESSAGE = "国際電話不取扱受付センターです。確認のため、お電話いたしました。失礼いたします。";
