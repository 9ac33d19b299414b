/**
 * Line verification without a password: the line itself proves the request is wanted.
 *  - call-back: the centre calls the line and reads a 4-digit code twice; the applicant types it.
 *    When the applicant is not the subscriber, the call first asks the subscriber to press 1 to
 *    agree, and only then reads the code (課題②: the person who needs it really wants it).
 *  - call-in: the page shows a code; the applicant calls the centre from the line and keys it in;
 *    the IVR matches the caller ID and the code.
 * Codes live 10 minutes, are stored only as keyed hashes, allow 5 tries, can be resent after 60 s,
 * and sending is rate-limited per line and per client.
 */
import { randomInt } from "node:crypto";
import { and, desc, eq, gte, isNull, sql } from "drizzle-orm";
import { lines, verifications } from "../../db/schema";
import type { DbOrTx } from "../../db/client";
import type { Services } from "./services.server";

export const CODE_TTL_MS = 10 * 60 * 1000;
export const MAX_ATTEMPTS = 5;
export const RESEND_AFTER_MS = 60 * 1000;
export const MAX_SENDS_PER_VERIFICATION = 3;
/** Calls to one line per hour: a stranger must not be able to make someone's phone ring all day. */
export const MAX_STARTS_PER_LINE_PER_HOUR = 3;
export const MAX_STARTS_PER_CLIENT_PER_HOUR = 10;

export type VerificationMethod = "callback" | "call_in";
export type VerificationPurpose = "apply" | "cancel";

export type VerificationState =
  | "awaiting_consent"
  | "code_sent"
  | "verified"
  | "expired"
  | "locked"
  | "consent_refused";

export const VERIFICATION_MESSAGES = {
  rate_limited_line:
    "この電話番号には、短い間に何度も確認の電話をかけています。1時間ほど待ってから、もう一度お試しください。",
  rate_limited_client: "確認のお手続きが多すぎます。1時間ほど待ってから、もう一度お試しください。",
  wrong_code: "確認番号が違います。電話で聞いた4けたの番号を、もう一度入力してください。",
  expired: "確認番号の有効期限（10分）が過ぎました。「もう一度電話をかける」を押して、新しい番号をお聞きください。",
  locked: "確認番号を5回まちがえたため、この番号は使えなくなりました。「もう一度電話をかける」を押してください。",
  consent_refused:
    "契約者ご本人が、お電話で「同意しない」を選ばれました。このままではお申し込みできません。ご本人とご相談ください。",
  not_yet: "まだ確認できていません。電話でお聞きになった番号を入力してください。",
  resend_too_soon: "電話をかけてから1分たつまで、もう一度かけることはできません。少し待ってから、お試しください。",
  too_many_sends: "この確認では、これ以上電話をかけられません。はじめからお手続きをやり直してください。",
} as const;

export type VerificationFailure = keyof typeof VERIFICATION_MESSAGES;

/** Digits read one by one, with pauses, twice (DESIGN: numbers are read digit by digit). */
export function spokenCode(code: string): string {
  const digits = code.split("").join("、");
  return `国際電話不取扱受付センターです。確認番号をお知らせします。確認番号は、${digits}、です。もう一度申し上げます。確認番号は、${digits}、です。画面に入力してください。`;
}

export function consentPrompt(applicantLabel: string): string {
  return `国際電話不取扱受付センターです。${applicantLabel}が、この電話の国際電話を止めるお申し込みをしています。お申し込みに同意される場合は、1を押してください。同意されない場合は、2を押してください。`;
}

/** A fresh 4-digit code (also used by the automatic retry of an unanswered call, comms-call-status.server.ts). */
export function newCode(): string {
  return String(randomInt(0, 10_000)).padStart(4, "0");
}

export function codeHash(services: Pick<Services, "pii">, verificationId: string, code: string): string {
  return services.pii.searchHash(`verification-code:${verificationId}:${code}`);
}

export async function upsertLine(db: DbOrTx, e164: string, now: Date): Promise<string> {
  const [row] = await db
    .insert(lines)
    .values({ e164, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: lines.e164, set: { updatedAt: now } })
    .returning({ id: lines.id });
  return row!.id;
}

export type StartInput = {
  lineE164: string;
  purpose: VerificationPurpose;
  method: VerificationMethod;
  /** Set when the applicant is not the subscriber: the call asks for consent first. */
  consentFrom?: { applicantLabel: string } | null;
  applicationId?: string | null;
  cancellationId?: string | null;
  /** Any stable identifier of the client (IP); only its keyed hash is stored. */
  client: string;
};

export type StartResult =
  | { ok: true; verificationId: string; code: string | null }
  | { ok: false; reason: "rate_limited_line" | "rate_limited_client"; message: string };

/** With `outerTx` it joins the caller's transaction (one start per draft: apply-verification.server.ts). */
export async function startVerification(services: Services, input: StartInput, outerTx?: DbOrTx): Promise<StartResult> {
  const now = services.now();
  const hourAgo = new Date(now.getTime() - 60 * 60 * 1000);
  const clientHash = services.pii.searchHash(`client:${input.client}`);

  const run = async (tx: DbOrTx): Promise<StartResult> => {
    const lineId = await upsertLine(tx, input.lineE164, now);
    // Serialise starts per line so two tabs cannot both slip under the limit.
    await tx.execute(sql`select id from lines where id = ${lineId} for update`);
    const [perLine] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(verifications)
      .where(and(eq(verifications.lineId, lineId), eq(verifications.method, "callback"), gte(verifications.createdAt, hourAgo)));
    if (input.method === "callback" && Number(perLine?.n ?? 0) >= MAX_STARTS_PER_LINE_PER_HOUR) {
      return { ok: false, reason: "rate_limited_line", message: VERIFICATION_MESSAGES.rate_limited_line } as const;
    }
    const [perClient] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(verifications)
      .where(and(eq(verifications.clientHash, clientHash), gte(verifications.createdAt, hourAgo)));
    if (Number(perClient?.n ?? 0) >= MAX_STARTS_PER_CLIENT_PER_HOUR) {
      return { ok: false, reason: "rate_limited_client", message: VERIFICATION_MESSAGES.rate_limited_client } as const;
    }

    const needsConsent = Boolean(input.consentFrom);
    const [row] = await tx
      .insert(verifications)
      .values({
        lineId,
        applicationId: input.applicationId ?? null,
        cancellationId: input.cancellationId ?? null,
        method: input.method,
        purpose: input.purpose,
        clientHash,
        expiresAt: new Date(now.getTime() + CODE_TTL_MS),
        createdAt: now,
      })
      .returning({ id: verifications.id });
    const verificationId = row!.id;

    // With consent, the code is made only when the subscriber presses 1 (see recordConsent).
    const code = needsConsent && input.method === "callback" ? null : newCode();
    await tx
      .update(verifications)
      .set({ codeHash: code ? codeHash(services, verificationId, code) : null, sends: 1, lastSentAt: now })
      .where(eq(verifications.id, verificationId));
    if (input.method === "callback") await placeVerificationCall(services, tx, verificationId, input, code, 1);
    return { ok: true, verificationId, code: input.method === "call_in" ? code : null } as const;
  };
  return outerTx ? run(outerTx) : services.db.transaction(run);
}

async function placeVerificationCall(
  services: Services,
  tx: DbOrTx,
  verificationId: string,
  input: Pick<StartInput, "lineE164" | "consentFrom">,
  code: string | null,
  sendNumber: number,
) {
  const content = input.consentFrom
    ? {
        kind: "url" as const,
        url: `${services.config.publicBaseUrl}/ivr/verification/${verificationId}`,
        fallbackText: consentPrompt(input.consentFrom.applicantLabel),
      }
    : { kind: "say" as const, text: spokenCode(code!) };
  await services.comms.queueCall(
    { idempotencyKey: `verification:${verificationId}:${sendNumber}`, purpose: "verification", to: input.lineE164, verificationId, content },
    tx,
  );
}

export async function getVerification(services: Pick<Services, "db">, verificationId: string) {
  const [row] = await services.db.select().from(verifications).where(eq(verifications.id, verificationId));
  return row ?? null;
}

export function stateOf(row: NonNullable<Awaited<ReturnType<typeof getVerification>>>, now: Date): VerificationState {
  if (row.verifiedAt) return "verified";
  if (row.consent === "refused") return "consent_refused";
  if (row.attempts >= row.maxAttempts) return "locked";
  if (row.expiresAt <= now) return "expired";
  if (row.method === "callback" && !row.codeHash) return "awaiting_consent";
  return "code_sent";
}

export type CheckResult = { ok: true; verifiedAt: Date; consentAt: Date | null } | { ok: false; reason: VerificationFailure; message: string };

/** The applicant types the code they heard. Every try counts, right or wrong. */
export async function checkCode(services: Services, verificationId: string, code: string): Promise<CheckResult> {
  const now = services.now();
  return services.db.transaction(async (tx) => {
    const [row] = await tx.select().from(verifications).where(eq(verifications.id, verificationId)).for("update");
    if (!row) return { ok: false, reason: "expired", message: VERIFICATION_MESSAGES.expired } as const;
    const state = stateOf(row, now);
    if (state === "verified") return { ok: true, verifiedAt: row.verifiedAt!, consentAt: row.consent === "agreed" ? row.verifiedAt : null } as const;
    if (state === "awaiting_consent") return { ok: false, reason: "not_yet", message: VERIFICATION_MESSAGES.not_yet } as const;
    if (state !== "code_sent") return { ok: false, reason: state, message: VERIFICATION_MESSAGES[state] } as const;
    const attempts = row.attempts + 1;
    const matches = row.codeHash === codeHash(services, verificationId, code);
    await tx
      .update(verifications)
      .set({ attempts, verifiedAt: matches ? now : null })
      .where(eq(verifications.id, verificationId));
    if (matches) return { ok: true, verifiedAt: now, consentAt: row.consent === "agreed" ? now : null } as const;
    if (attempts >= row.maxAttempts) return { ok: false, reason: "locked", message: VERIFICATION_MESSAGES.locked } as const;
    return { ok: false, reason: "wrong_code", message: VERIFICATION_MESSAGES.wrong_code } as const;
  });
}

/**
 * The subscriber's answer on the call-back (IVR webhook). Pressing 1 records consent and returns a
 * fresh code to read aloud; pressing 2 records the refusal. A second answer does not change the first.
 */
export async function recordConsent(
  services: Services,
  verificationId: string,
  agreed: boolean,
): Promise<{ ok: true; code: string | null; consent: "agreed" | "refused" } | { ok: false }> {
  const now = services.now();
  return services.db.transaction(async (tx) => {
    const [row] = await tx.select().from(verifications).where(eq(verifications.id, verificationId)).for("update");
    if (!row || row.method !== "callback" || row.expiresAt <= now || row.verifiedAt) return { ok: false } as const;
    if (row.consent === "refused") return { ok: true, code: null, consent: "refused" } as const;
    if (!agreed) {
      await tx.update(verifications).set({ consent: "refused" }).where(eq(verifications.id, verificationId));
      return { ok: true, code: null, consent: "refused" } as const;
    }
    // Each time the subscriber agrees on a call, a new code is read (and the old one stops working).
    const code = newCode();
    await tx
      .update(verifications)
      .set({ consent: "agreed", codeHash: codeHash(services, verificationId, code), expiresAt: new Date(now.getTime() + CODE_TTL_MS) })
      .where(eq(verifications.id, verificationId));
    return { ok: true, code, consent: "agreed" } as const;
  });
}

export type ResendResult = { ok: true } | { ok: false; reason: "resend_too_soon" | "too_many_sends" | "consent_refused" | "rate_limited_line"; message: string; retryAfterSeconds?: number };

/** Calls again with a new code (the old one stops working). Counts against the per-line limit too. */
export async function resendCode(
  services: Services,
  verificationId: string,
  input: Pick<StartInput, "lineE164" | "consentFrom">,
): Promise<ResendResult> {
  const now = services.now();
  return services.db.transaction(async (tx) => {
    const [row] = await tx.select().from(verifications).where(eq(verifications.id, verificationId)).for("update");
    if (!row || row.method !== "callback") return { ok: false, reason: "too_many_sends", message: VERIFICATION_MESSAGES.too_many_sends } as const;
    if (row.consent === "refused") return { ok: false, reason: "consent_refused", message: VERIFICATION_MESSAGES.consent_refused } as const;
    const wait = (row.lastSentAt?.getTime() ?? 0) + RESEND_AFTER_MS - now.getTime();
    if (wait > 0) return { ok: false, reason: "resend_too_soon", message: VERIFICATION_MESSAGES.resend_too_soon, retryAfterSeconds: Math.ceil(wait / 1000) } as const;
    if (row.sends >= MAX_SENDS_PER_VERIFICATION) return { ok: false, reason: "too_many_sends", message: VERIFICATION_MESSAGES.too_many_sends } as const;
    const code = input.consentFrom ? null : newCode();
    await tx
      .update(verifications)
      .set({
        codeHash: code ? codeHash(services, verificationId, code) : null,
        consent: null,
        attempts: 0,
        sends: row.sends + 1,
        lastSentAt: now,
        expiresAt: new Date(now.getTime() + CODE_TTL_MS),
      })
      .where(eq(verifications.id, verificationId));
    await placeVerificationCall(services, tx, verificationId, input, code, row.sends + 1);
    return { ok: true } as const;
  });
}

/**
 * Call-in: the caller ID is the line, the digits are the code the web page showed. Matches the most
 * recent open call-in verification of that line.
 */
export async function verifyCallIn(services: Services, callerE164: string, code: string): Promise<{ ok: true; verificationId: string } | { ok: false; reason: "no_pending" | "wrong_code" | "locked" }> {
  const now = services.now();
  return services.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ verification: verifications })
      .from(verifications)
      .innerJoin(lines, eq(lines.id, verifications.lineId))
      .where(and(eq(lines.e164, callerE164), eq(verifications.method, "call_in"), isNull(verifications.verifiedAt), gte(verifications.expiresAt, now)))
      .orderBy(desc(verifications.createdAt))
      .limit(1)
      .for("update");
    const v = row?.verification;
    if (!v) return { ok: false, reason: "no_pending" } as const;
    if (v.attempts >= v.maxAttempts) return { ok: false, reason: "locked" } as const;
    const matches = v.codeHash === codeHash(services, v.id, code);
    await tx.update(verifications).set({ attempts: v.attempts + 1, verifiedAt: matches ? now : null }).where(eq(verifications.id, v.id));
    if (!matches) return { ok: false, reason: v.attempts + 1 >= v.maxAttempts ? "locked" : "wrong_code" } as const;
    return { ok: true, verificationId: v.id } as const;
  });
}
