/**
 * Paper and FAX pages confirmed by the line, not by a person (issue 11, ADR 015).
 *
 * After the OCR, a page whose line and request are decided (domain/paper-request.ts) goes on by
 * itself:
 *  - an application page becomes `confirming`: the centre calls the line, says what was asked for and
 *    asks the subscriber to press 1. The 1 creates the application, verified on the line with the
 *    subscriber's own consent, in the same transaction that settles the page. A 2, or no answer after
 *    PAPER_CALL_POLICY.maxCalls calls, sends the page to the paper queue with the reason — except a
 *    2 on a line known for certain: the page ends, with a letter to the sender where an address was
 *    read (closeRefusedPage). When an answering machine took one of the calls, it heard a message
 *    asking the subscriber to call the centre from that phone (ADR 029): the page then waits
 *    PAPER_CALL_POLICY.callInWaitHours after the last call for that call-in (the IVR asks the page's
 *    question first to a caller from the line) before it goes to a person;
 *  - a cancellation page becomes a cancellation request; the cancellation service places its own
 *    confirmation call and applies its rules (nothing turns calls back on without the subscriber's 1).
 *    A page it cannot file, on a line read for certain, ends with the reason recorded when a person
 *    could add nothing: a request for the line is already open, or the centre holds nothing for the
 *    line (unfiledCancellationCloseReason);
 * Pages that cannot go on by themselves stay in the paper queue, with the reason.
 *
 * Calls are placed only in calling hours (JST), so nobody's phone rings at night for a FAX that came
 * in at 2 a.m.; the sweep (workers/schedules.ts) places the first call when the hours open, retries,
 * and gives up.
 */
import { and, asc, count, countDistinct, desc, eq, inArray, isNull, lt, max, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { ivrCalls, lines, outbox, scans, verifications } from "../../db/schema";
import { CALLING_HOURS_JST, nextCallingTime as nextCallingTimeIn, withinCallingHours as withinHours } from "../domain/calling-hours";
import { PAPER_CANCELLATION_REASONS, paperConfirmationPrompt, straightThrough, type PaperApplicationRequest, type PaperRequest } from "../domain/paper-request";
import { submitApplication } from "./applications.server";
import { requestCancellation } from "./cancellations.server";
import type { StoredReading } from "./paper-ocr.server";
import { checkLineRegion } from "./postal.server";
import type { Services } from "./services.server";
import { consentAnswer } from "./verification-call.server";
import { upsertLine } from "./verification.server";
import { queueNotAcceptedLetter, type LetterAddress } from "./paper-not-accepted.server";
import type { CloseReason } from "./review-reasons";
import { askAgainTwiml, goodbyeTwiml, questionTwiml, type YesNoCall } from "./yes-no-call-twiml";
import { spellDigits } from "../domain/ivr-input";
import { formatDisplay } from "../domain/phone";

/**
 * Minutes between the end of one call's window and the next call, before the 2nd, 3rd and 4th calls.
 * The first three ring within one afternoon; the last rings on another day at another hour (18 h
 * later, moved into calling hours), for a subscriber who was out all of the first day (ADR 031).
 */
const RETRY_GAPS_MINUTES = [120, 120, 18 * 60] as const;

export const PAPER_CALL_POLICY = {
  /** Calls to the line before the page goes to a person: the first, then one after each gap. */
  maxCalls: RETRY_GAPS_MINUTES.length + 1,
  retryGapsMinutes: RETRY_GAPS_MINUTES,
  /** How long one call can be answered (Twilio rings, the subscriber may call back the same call). */
  answerWindowMinutes: 60,
  /**
   * After the last call, when an answering machine took a message asking the subscriber to call the
   * centre from the line: how long the page waits for that call-in before it goes to a person (a
   * subscriber who screens calls hears the message the same evening or after a day out; ADR 029).
   */
  callInWaitHours: 72,
  /** Hours (JST, [from, to)) in which the centre places calls to subscribers. */
  callingHoursJst: CALLING_HOURS_JST,
} as const;

const MINUTE = 60_000;

/** Is `at` within the paper confirmation's calling hours? */
export const withinCallingHours = (at: Date): boolean => withinHours(at, PAPER_CALL_POLICY.callingHoursJst);
/** The first moment at or after `at` when a paper confirmation call may ring. */
export const nextCallingTime = (at: Date): Date => nextCallingTimeIn(at, PAPER_CALL_POLICY.callingHoursJst);

/**
 * The centre's calls to the line about one `confirming` page, for the verification screen and the
 * sweep: how many, whether one is open, when the next may ring (null: none will), and, after the last
 * call when a message was left on an answering machine, until when the page waits for the call-in.
 */
export type LineCallState = { calls: number; open: boolean; nextAt: Date | null; callInUntil: Date | null };

const HOUR = 60 * MINUTE;

/** The gap after the window of the `callsSoFar`-th call, before the next one (PAPER_CALL_POLICY.retryGapsMinutes). */
export function retryGapMinutes(callsSoFar: number): number {
  const gaps = PAPER_CALL_POLICY.retryGapsMinutes;
  return gaps[Math.min(Math.max(callsSoFar, 1), gaps.length) - 1]!;
}

/**
 * From the calls placed so far, the last one's end and whether a machine took a message: whether a
 * call is open, and when the next one may ring (after the gap, in calling hours); null when a call is
 * open or the last try was made.
 */
function callStateOf(calls: number, lastExpiry: Date | null, messageLeft: boolean, now: Date): LineCallState {
  const open = lastExpiry !== null && lastExpiry > now;
  if (open || calls >= PAPER_CALL_POLICY.maxCalls) {
    const callInUntil = !open && messageLeft && lastExpiry ? new Date(lastExpiry.getTime() + PAPER_CALL_POLICY.callInWaitHours * HOUR) : null;
    return { calls, open, nextAt: null, callInUntil: callInUntil && callInUntil > now ? callInUntil : null };
  }
  const earliest = lastExpiry ? new Date(Math.max(now.getTime(), lastExpiry.getTime() + retryGapMinutes(calls) * MINUTE)) : now;
  return { calls, open, nextAt: nextCallingTime(earliest), callInUntil: null };
}

/** AnsweredBy of a machine whose greeting had ended: our call left its message (ADR 029). */
const MESSAGE_LEFT = sql<boolean>`coalesce(bool_or(${outbox.answeredBy} in ('machine_end_beep', 'machine_end_silence', 'machine_end_other')), false)`;

/** Our calls about `scanId` (count, last window's end, whether a message was left), or the same for every confirming page. */
function ourCalls(db: DbOrTx) {
  return db
    .select({ scanId: scans.id, calls: countDistinct(verifications.id), lastExpiry: max(verifications.expiresAt), messageLeft: MESSAGE_LEFT })
    .from(scans)
    .leftJoin(verifications, and(eq(verifications.scanId, scans.id), eq(verifications.method, "callback")))
    .leftJoin(outbox, and(eq(outbox.verificationId, verifications.id), eq(outbox.channel, "call")));
}

const stateOfRow = (row: { calls: number | string; lastExpiry: Date | string | null; messageLeft: boolean } | undefined, now: Date) =>
  callStateOf(Number(row?.calls ?? 0), row?.lastExpiry ? new Date(row.lastExpiry) : null, Boolean(row?.messageLeft), now);

export async function lineCallState(services: Pick<Services, "db" | "now">, scanId: string): Promise<LineCallState> {
  const [row] = await ourCalls(services.db).where(eq(scans.id, scanId)).groupBy(scans.id);
  return stateOfRow(row, services.now());
}

/**
 * The line a prefilled form was printed for: the form's request id is the id of the IVR call that
 * asked for it, and that call came from the line (caller ID). Null for blank forms or unknown ids.
 */
export async function lineFromFormRequest(db: DbOrTx, services: Pick<Services, "pii">, requestId: string | null | undefined): Promise<string | null> {
  if (!requestId) return null;
  const id = requestId.toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return null;
  const [call] = await db.select({ fromEnc: ivrCalls.fromEnc, purpose: ivrCalls.purpose }).from(ivrCalls).where(eq(ivrCalls.id, id));
  const from = call?.purpose === "form" ? services.pii.openNullable(call.fromEnc) : null;
  return from && from.startsWith("+81") ? `0${from.slice(3)}` : null;
}

async function requestOf(services: Services, db: DbOrTx, scan: { fieldsEnc: string | null; requestId: string | null }): Promise<ReturnType<typeof straightThrough> | null> {
  if (!scan.fieldsEnc) return null;
  const stored = JSON.parse(services.pii.open(scan.fieldsEnc)) as StoredReading;
  return straightThrough(stored, await lineFromFormRequest(db, services, scan.requestId ?? stored.requestId));
}

/**
 * After the OCR stored a page (status ocr_done or needs_review): sends it on by itself when it can.
 * Returns what happened. Safe to run twice: it only moves pages still in the state the OCR left.
 */
export async function routeReadScan(services: Services, scanId: string): Promise<"confirming" | "cancellation" | "closed" | "held"> {
  const [scan] = await services.db.select().from(scans).where(eq(scans.id, scanId));
  if (!scan || !["ocr_done", "needs_review"].includes(scan.status) || scan.exceptionReason) return "held";
  const decided = await requestOf(services, services.db, scan);
  if (!decided) return "held";
  if (!decided.ok) {
    await services.db
      .update(scans)
      .set({ exceptionReason: decided.reason, status: "needs_review", updatedAt: services.now() })
      .where(and(eq(scans.id, scanId), eq(scans.status, scan.status)));
    return "held";
  }
  const { request } = decided;
  if (request.formType === "cancellation") return submitPaperCancellation(services, scan, request);
  const moved = await services.db.transaction(async (tx) => {
    const lineId = await upsertLine(tx, request.lineE164, services.now());
    const [updated] = await tx
      .update(scans)
      .set({ status: "confirming", lineId, updatedAt: services.now() })
      .where(and(eq(scans.id, scanId), eq(scans.status, scan.status)))
      .returning({ id: scans.id });
    if (!updated) return false;
    if (withinCallingHours(services.now())) await placePaperCall(services, tx, scanId, request, 1);
    await services.audit.record({ actor: "system", action: "scan.line_confirmation_started", subjectType: "scan", subjectId: scanId, detail: { lineSource: request.lineSource } }, tx);
    return true;
  });
  return moved ? "confirming" : "held";
}

async function submitPaperCancellation(
  services: Services,
  scan: { id: string; status: string },
  request: Extract<PaperRequest, { formType: "cancellation" }>,
): Promise<"cancellation" | "closed" | "held"> {
  const scanId = scan.id;
  const result = await requestCancellation(services, {
    channel: "paper",
    idempotencyKey: `paper:${scanId}`,
    actor: "system",
    lineE164: request.lineE164,
    requesterRelation: request.relation,
    requesterName: request.name,
    requesterContact: request.contactPhone,
    reasonCode: PAPER_CANCELLATION_REASONS[request.reasonChoice] ?? "other",
    reasonText: null,
    lineVerification: "none",
  });
  if (result.kind !== "created" && result.kind !== "replayed") {
    const reason = await unfiledCancellationCloseReason(services, scanId, request, result.kind);
    const closed = reason && (scan.status === "ocr_done" || scan.status === "needs_review")
      ? await services.db.transaction(async (tx) => {
          // The page is kept on the line's record, where it is found when the sender calls.
          const lineId = await upsertLine(tx, request.lineE164, services.now());
          return closePage(services, tx, scanId, scan.status as "ocr_done" | "needs_review", reason, null, lineId);
        })
      : null;
    if (closed) return "closed";
    // A person writes back: the number may be misread, or the line has a paper application still waiting.
    await services.db
      .update(scans)
      .set({ status: "needs_review", exceptionReason: "not_routable", updatedAt: services.now() })
      .where(and(eq(scans.id, scanId), isNull(scans.cancellationId), inArray(scans.status, ["ocr_done", "needs_review"])));
    return "held";
  }
  await services.db.transaction(async (tx) => {
    await tx
      .update(scans)
      .set({ status: "verified", cancellationId: result.cancellationId, verifiedAt: services.now(), updatedAt: services.now() })
      .where(and(eq(scans.id, scanId), isNull(scans.cancellationId)));
    await services.audit.record({ actor: "system", action: "scan.cancellation_submitted", subjectType: "scan", subjectId: scanId, detail: { cancellationId: result.cancellationId } }, tx);
  });
  return "cancellation";
}

/**
 * A cancellation page that the cancellation service did not file ends with its reason recorded, with
 * no person, when a person could add nothing (issue 11 point 5): the line was read for certain, and
 * either a request for the line is already open (it carries its own call to the line), or the centre
 * holds nothing for the line — no application and no application page still waiting — so nothing
 * turns on or stays off because of this page. The form has no address to write to. Null: a person
 * looks (a number only worth a call may be misread; a page waiting for the line's answer may be what
 * the sender means to withdraw; a rate limit).
 */
async function unfiledCancellationCloseReason(
  services: Services,
  scanId: string,
  request: Extract<PaperRequest, { formType: "cancellation" }>,
  outcome: string,
): Promise<CloseReason | null> {
  if (!request.lineCertain) return null;
  if (outcome === "already_open") return "cancellation_open";
  if (outcome !== "nothing_to_cancel") return null;
  const [waiting] = await services.db
    .select({ id: scans.id })
    .from(scans)
    .innerJoin(lines, eq(lines.id, scans.lineId))
    .where(and(eq(lines.e164, request.lineE164), inArray(scans.status, ["confirming", "needs_review"]), ne(scans.id, scanId)))
    .limit(1);
  return waiting ? null : "nothing_to_cancel";
}

async function placePaperCall(services: Services, tx: DbOrTx, scanId: string, request: PaperApplicationRequest, callNumber: number): Promise<void> {
  const now = services.now();
  const lineId = await upsertLine(tx, request.lineE164, now);
  const [verification] = await tx
    .insert(verifications)
    .values({
      lineId,
      scanId,
      method: "callback",
      purpose: "paper",
      sends: callNumber,
      lastSentAt: now,
      expiresAt: new Date(now.getTime() + PAPER_CALL_POLICY.answerWindowMinutes * MINUTE),
      createdAt: now,
    })
    .returning({ id: verifications.id });
  const verificationId = verification!.id;
  await services.comms.queueCall(
    {
      idempotencyKey: `paper-call:${scanId}:${callNumber}`,
      purpose: "paper_confirmation",
      to: request.lineE164,
      verificationId,
      content: {
        kind: "url",
        url: `${services.config.publicBaseUrl}/ivr/paper/${verificationId}`,
        fallbackText: paperConfirmationPrompt(request),
        voicemail: true,
      },
    },
    tx,
  );
}

/**
 * The subscriber called the centre from the line (caller ID) while a paper page for that line waits
 * for its confirmation: a fresh question on this call (a call-in verification of the page), whose
 * answer settles the page exactly as the outbound call's would. Null when nothing waits.
 */
export async function confirmPaperFromLine(services: Services, callerE164: string): Promise<{ verificationId: string } | null> {
  return services.db.transaction(async (tx) => {
    const now = services.now();
    const [waiting] = await tx
      .select({ scanId: scans.id, lineId: lines.id })
      .from(scans)
      .innerJoin(lines, eq(lines.id, scans.lineId))
      .where(and(eq(lines.e164, callerE164), eq(scans.status, "confirming")))
      .orderBy(asc(scans.createdAt))
      .limit(1);
    if (!waiting) return null;
    const [row] = await tx
      .insert(verifications)
      .values({
        lineId: waiting.lineId,
        scanId: waiting.scanId,
        method: "call_in",
        purpose: "paper",
        sends: 0,
        expiresAt: new Date(now.getTime() + 15 * MINUTE),
        createdAt: now,
      })
      .returning({ id: verifications.id });
    await services.audit.record({ actor: "ivr", action: "scan.line_confirmation_call_in", subjectType: "scan", subjectId: waiting.scanId, detail: { verificationId: row!.id } }, tx);
    return { verificationId: row!.id };
  });
}

type PaperCall = { verification: typeof verifications.$inferSelect; scan: typeof scans.$inferSelect };

async function loadCall(db: DbOrTx, verificationId: string, lock: boolean): Promise<PaperCall | null> {
  const query = db
    .select({ verification: verifications, scan: scans })
    .from(verifications)
    .innerJoin(scans, eq(scans.id, verifications.scanId))
    .where(and(eq(verifications.id, verificationId), eq(verifications.purpose, "paper")));
  const [row] = lock ? await query.for("update") : await query;
  return row ?? null;
}

export type PaperQuestion = { ok: true; prompt: string } | { ok: false };

/** The question when the subscriber picks up, or nothing when this call can no longer be answered. */
export async function paperCallQuestion(services: Services, verificationId: string): Promise<PaperQuestion> {
  const call = await loadCall(services.db, verificationId, false);
  if (!call || call.verification.consent || call.verification.expiresAt <= services.now() || call.scan.status !== "confirming") return { ok: false };
  const decided = await requestOf(services, services.db, call.scan);
  if (!decided?.ok || decided.request.formType !== "application") return { ok: false };
  return { ok: true, prompt: paperConfirmationPrompt(decided.request) };
}

export type PaperAnswer =
  | { ok: true; answer: "agreed" | "refused"; reference: string | null; repeated: boolean }
  | { ok: false };

/**
 * The subscriber's key press. 1: the application is created, verified on the line with the
 * subscriber's consent, and the page settled, in one transaction. 2: the page ends (closeRefusedPage)
 * or goes to a person. The first answer stands.
 */
export async function recordPaperAnswer(services: Services, verificationId: string, agreed: boolean): Promise<PaperAnswer> {
  return services.db.transaction(async (tx): Promise<PaperAnswer> => {
    const now = services.now();
    const call = await loadCall(tx, verificationId, true);
    if (!call) return { ok: false };
    const { verification, scan } = call;
    if (verification.consent) return { ok: true, answer: verification.consent as "agreed" | "refused", reference: null, repeated: true };
    if (verification.expiresAt <= now || scan.status !== "confirming") return { ok: false };
    await tx.update(verifications).set({ consent: agreed ? "agreed" : "refused", verifiedAt: agreed ? now : null }).where(eq(verifications.id, verificationId));
    if (!agreed) {
      const closed = await closeRefusedPage(services, tx, scan);
      if (!closed) await holdScan(services, tx, scan.id, "line_refused");
      await services.audit.record(
        { actor: "subscriber", action: "scan.line_refused", subjectType: "scan", subjectId: scan.id, detail: { verificationId, closed: closed ? { letter: closed.letter } : null } },
        tx,
      );
      return { ok: true, answer: "refused", reference: null, repeated: false };
    }
    const decided = await requestOf(services, tx, scan);
    if (!decided?.ok || decided.request.formType !== "application") {
      await holdScan(services, tx, scan.id, "line_not_read");
      return { ok: true, answer: "agreed", reference: null, repeated: false };
    }
    const request = decided.request;
    // The prefecture written in the address wins over the postal code's; the line's number decides
    // NTT東日本／西日本; disagreements are flagged on the application for the operator (issue 17).
    const region = await checkLineRegion({ line: request.lineE164, postalCode: request.postalCode, address: request.address?.value ?? null });
    const prefecture = region.prefecture;
    const result = await submitApplication(
      services,
      {
        channel: "paper",
        idempotencyKey: `paper:${scan.id}`,
        actor: "subscriber",
        lineE164: request.lineE164,
        scopes: request.scopes,
        relation: request.relation,
        subscriberName: request.name?.value ?? null,
        subscriberKana: request.kana?.value ?? null,
        nameUnverified: request.nameUnverified,
        postalCode: request.postalCode,
        address: request.address?.value ?? null,
        prefecture,
        regionFlags: region.flags,
        contactPhone: request.contactPhone,
        carrierChoice: request.carrierChoice,
        // The subscriber pressed 1 on a call the centre placed to the line: the web's proof, and the
        // subscriber's own consent whoever filled in the form (課題②).
        verification: { method: "callback", verifiedAt: now, consentAt: now },
      },
      tx,
    );
    if (result.kind === "not_routable") {
      await holdScan(services, tx, scan.id, "not_routable");
      return { ok: true, answer: "agreed", reference: null, repeated: false };
    }
    const applicationId = result.kind === "created" || result.kind === "replayed" ? result.applicationId : null;
    await tx
      .update(scans)
      .set({ status: "verified", applicationId, verifiedAt: now, updatedAt: now })
      .where(and(eq(scans.id, scan.id), eq(scans.status, "confirming")));
    await services.audit.record(
      { actor: "subscriber", action: "scan.line_confirmed", subjectType: "scan", subjectId: scan.id, detail: { verificationId, applicationId, outcome: result.kind } },
      tx,
    );
    return { ok: true, answer: "agreed", reference: result.kind === "created" || result.kind === "replayed" ? result.reference : null, repeated: false };
  });
}

/**
 * The subscriber said no (2) on the line of a page: the page ends with no person when the call surely
 * reached the line that was written — the line came from the form's QR code or was read at the digit
 * fields' acceptance confidence (issue 11 point 5). The subscriber's own answer on the line is then
 * the decision, and nothing is left for a person to weigh: a letter to the postal code and address
 * read with confidence tells the sender, and how to apply again or correct a mistaken number; with no
 * address to write to, the page ends with the reason recorded. A number only worth a call goes to a
 * person: a misread number rang a stranger, and the real sender's line is still unasked. Returns null
 * when the page was not closed.
 */
async function closeRefusedPage(services: Services, tx: DbOrTx, scan: typeof scans.$inferSelect): Promise<{ letter: string | null } | null> {
  const decided = await requestOf(services, tx, scan);
  if (!decided?.ok || decided.request.formType !== "application" || !decided.request.lineCertain) return null;
  const { postalCode, address, name } = decided.request;
  const to = postalCode && /^\d{7}$/.test(postalCode) && address?.accepted ? { name: name?.accepted ? name.value : null, postalCode, address: address.value } : null;
  return closePage(services, tx, scan.id, "confirming", "subscriber_refused", to);
}

/**
 * Ends a page with no person (status `closed`, the reason in exception_reason; `lineId` ties a page
 * that had none to its line's record), with the letter for the reason when there is an address to
 * write to, audited in the caller's transaction. Returns null when the page had already left `from`
 * (a second answer, a racing sweep).
 */
async function closePage(
  services: Services,
  tx: DbOrTx,
  scanId: string,
  from: "confirming" | "ocr_done" | "needs_review",
  reason: CloseReason,
  to: LetterAddress | null,
  lineId?: string,
): Promise<{ letter: string | null } | null> {
  const now = services.now();
  const [closed] = await tx
    .update(scans)
    .set({ status: "closed", exceptionReason: reason, updatedAt: now, ...(lineId ? { lineId } : {}) })
    .where(and(eq(scans.id, scanId), eq(scans.status, from)))
    .returning({ id: scans.id });
  if (!closed) return null;
  const letter = to ? await queueNotAcceptedLetter(services, tx, scanId, reason, to, null) : null;
  await services.audit.record({ actor: "system", action: "scan.close", subjectType: "scan", subjectId: scanId, detail: { reason, previousStatus: from, letter } }, tx);
  return { letter };
}

async function holdScan(services: Services, tx: DbOrTx, scanId: string, reason: string) {
  await tx
    .update(scans)
    .set({ status: "needs_review", exceptionReason: reason, updatedAt: services.now() })
    .where(and(eq(scans.id, scanId), eq(scans.status, "confirming")));
}

export type PaperSweepCounts = { called: number; heldUnanswered: number; rerouted: number };

/** A page read this long ago and still `ocr_done` lost its routing step (a crash after the OCR). */
const REROUTE_AFTER_MS = 10 * MINUTE;

/**
 * The timer of `confirming` pages: the first call once calling hours open, a new call when the last
 * one's window has passed (after the gap), and the paper queue after the last call went unanswered.
 */
export async function sweepPaperConfirmations(services: Services): Promise<PaperSweepCounts> {
  const counts: PaperSweepCounts = { called: 0, heldUnanswered: 0, rerouted: 0 };
  const stranded = await services.db
    .select({ id: scans.id })
    .from(scans)
    .where(and(eq(scans.status, "ocr_done"), isNull(scans.exceptionReason), lt(scans.updatedAt, new Date(services.now().getTime() - REROUTE_AFTER_MS))))
    .limit(200);
  for (const { id } of stranded) if ((await routeReadScan(services, id)) !== "held") counts.rerouted += 1;
  // One query finds the pages with something to do: no call of ours is open, and either the last
  // call was the last try, or the next call is due in calling hours. An idle sweep is this query only.
  const now = services.now();
  // Left out in SQL, so that the oldest 500 are pages with something to do: pages whose call is still
  // open, and pages waiting days for a call-in after a message (there may be many of those).
  const waitingSince = new Date(now.getTime() - PAPER_CALL_POLICY.callInWaitHours * HOUR);
  const lastExpiry = max(verifications.expiresAt);
  const due = await ourCalls(services.db)
    .where(eq(scans.status, "confirming"))
    .groupBy(scans.id, scans.updatedAt)
    .having(
      sql`(${lastExpiry} is null or ${lastExpiry} <= ${now.toISOString()}::timestamptz)
        and not (${countDistinct(verifications.id)} >= ${PAPER_CALL_POLICY.maxCalls} and ${MESSAGE_LEFT} and ${lastExpiry} > ${waitingSince.toISOString()}::timestamptz)`,
    )
    .orderBy(asc(scans.updatedAt))
    .limit(500);
  const pending = due.filter((row) => {
    const state = stateOfRow(row, now);
    if (state.open || state.callInUntil) return false; // a call is still open, or a call-in may still come
    if (state.nextAt === null) return true; // the last try went unanswered
    return state.nextAt.getTime() <= now.getTime(); // the next call is due, in calling hours
  });
  for (const { scanId: id } of pending) {
    const outcome = await services.db.transaction(async (tx) => {
      const now = services.now();
      const [scan] = await tx.select().from(scans).where(and(eq(scans.id, id), eq(scans.status, "confirming"))).for("update");
      if (!scan) return "none" as const;
      // Only the centre's own calls count (a call-in by the subscriber is not a try of ours).
      const ours = and(eq(verifications.scanId, id), eq(verifications.method, "callback"));
      const [last] = await tx.select().from(verifications).where(ours).orderBy(desc(verifications.createdAt)).limit(1);
      const [{ calls } = { calls: 0 }] = await tx.select({ calls: count() }).from(verifications).where(ours);
      if (last && (last.consent || last.expiresAt > now)) return "none" as const;
      if (Number(calls) >= PAPER_CALL_POLICY.maxCalls) {
        const [row] = await ourCalls(tx).where(eq(scans.id, id)).groupBy(scans.id);
        if (stateOfRow(row, now).callInUntil) return "none" as const;
        await holdScan(services, tx, id, "line_unanswered");
        await services.audit.record({ actor: "system", action: "scan.line_unanswered", subjectType: "scan", subjectId: id, detail: { calls: Number(calls) } }, tx);
        return "held" as const;
      }
      const nextAt = last ? last.expiresAt.getTime() + retryGapMinutes(Number(calls)) * MINUTE : now.getTime();
      if (now.getTime() < nextAt || !withinCallingHours(now)) return "none" as const;
      const decided = await requestOf(services, tx, scan);
      if (!decided?.ok || decided.request.formType !== "application") {
        await holdScan(services, tx, id, decided && !decided.ok ? decided.reason : "line_not_read");
        return "held" as const;
      }
      await placePaperCall(services, tx, id, decided.request, Number(calls) + 1);
      return "called" as const;
    });
    if (outcome === "called") counts.called += 1;
    if (outcome === "held") counts.heldUnanswered += 1;
  }
  return counts;
}

/**
 * The message an answering machine records when it takes a paper confirmation call (ADR 029): who
 * called, what about, and to call the centre from this phone — the call-in from the line is the
 * confirmation, so the message holds no name, number or code. Null when the call can no longer be
 * answered (the page settled, the window passed).
 */
export async function paperVoicemail(services: Services, verificationId: string): Promise<string | null> {
  const question = await paperCallQuestion(services, verificationId);
  if (!question.ok) return null;
  // Read in its groups, as it is printed: 「0、5、7、0、の、0、1、2、…」.
  const centre = formatDisplay(services.config.centrePhoneNumber).split(/\D+/).filter(Boolean).map(spellDigits).join("、の、");
  return (
    "こちらは、国際電話不取扱受付センターです。郵便か、ファクスでいただいた、国際電話を止めるお申し込みについて、確認のお電話をいたしました。" +
    `お手数ですが、この電話から、${centre}、に、おかけください。もう一度申し上げます。${centre}、です。` +
    "この電話からおかけいただくと、お申し込みの確認をご案内します。センターが、お金や暗証番号をお聞きすることはありません。失礼いたします。"
  );
}

// ————— TwiML for the Twilio webhooks /ivr/paper/:id and /ivr/paper/:id/answer —————

const paperCall = (verificationId: string): YesNoCall => ({
  answerPath: `/ivr/paper/${verificationId}/answer`,
  ended: "国際電話不取扱受付センターです。このお電話の確認は、終わっています。失礼いたします。",
  noAnswer: "ボタンが押されませんでした。あとで、もう一度お電話することがあります。失礼いたします。",
});

/** The subscriber picked up: the question, twice, then goodbye without changing anything. */
export async function paperCallTwiml(services: Services, verificationId: string): Promise<string> {
  const question = await paperCallQuestion(services, verificationId);
  return questionTwiml(services, paperCall(verificationId), question.ok ? question.prompt : null);
}

/** The key press (or speech): 1 confirms, 2 refuses, anything else asks once more. */
export async function paperAnswerTwiml(services: Services, verificationId: string, params: { Digits?: string; SpeechResult?: string }): Promise<string> {
  const answer = consentAnswer(params);
  if (answer === null) {
    const question = await paperCallQuestion(services, verificationId);
    return askAgainTwiml(services, paperCall(verificationId), question.ok ? question.prompt : null);
  }
  const result = await recordPaperAnswer(services, verificationId, answer);
  if (!result.ok) return goodbyeTwiml(services, "このお電話の確認は、有効期限が過ぎています。失礼いたします。");
  if (result.answer === "agreed") {
    return goodbyeTwiml(
      services,
      "ありがとうございます。お申し込みを受け付けました。電話会社での手続きが終わりましたら、お手紙でお知らせします。センターが、お金や暗証番号をお聞きすることはありません。失礼いたします。",
    );
  }
  // True whether the page ended or went to a person: a person only checks whether the number was
  // misread, and nothing is done on this line without its subscriber's 1.
  return goodbyeTwiml(services, "承りました。この電話番号では、このお申し込みは進めません。お電話ありがとうございました。");
}
