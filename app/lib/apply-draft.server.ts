/**
 * The web journey's answers, kept on the server in `apply_drafts` (sealed), found through a random
 * token in an HttpOnly cookie. Errors of the last post are kept here too ("flash"), so every step
 * follows post → redirect → get: the page with errors has its own <title> prefix, a refresh never
 * re-posts, and nothing the person typed is lost.
 */
import { createHash, randomBytes } from "node:crypto";
import { redirect, type AppLoadContext } from "@remix-run/node";
import { and, eq, gt } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { applyDrafts } from "../../db/schema";
import type { ApplyAnswers, ApplyStep } from "../domain/apply-journey";
import { canVisit, firstIncompleteStep, STEP_PATHS } from "../domain/apply-journey";

const COOKIE = "apply_draft";
export const DRAFT_TTL_MS = 2 * 60 * 60 * 1000;
const DRAFT_COOKIE_MAX_AGE_S = 7 * 24 * 60 * 60;

/** What conform's `submission.reply()` gives: kept to show errors and the values typed. */
export type FlashResult = Record<string, unknown>;

type Stored = { answers: ApplyAnswers; flash?: { key: string; result: FlashResult } };

export type Draft = {
  id: string;
  answers: ApplyAnswers;
  assisted: boolean;
  verificationId: string | null;
  applicationId: string | null;
  flash: { key: string; result: FlashResult } | undefined;
};

const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");

function tokenFrom(request: Request): string | undefined {
  return (request.headers.get("Cookie") ?? "").match(/(?:^|;\s*)apply_draft=([A-Za-z0-9_-]{43})/)?.[1];
}

function cookieFor(context: AppLoadContext, token: string, maxAgeSeconds: number): string {
  const secure = context.services.config.publicBaseUrl.startsWith("https://") ? "; Secure" : "";
  return `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

export async function getDraft(request: Request, context: AppLoadContext): Promise<Draft | null> {
  const token = tokenFrom(request);
  if (!token) return null;
  const { db, pii, now } = context.services;
  const [row] = await db
    .select()
    .from(applyDrafts)
    .where(and(eq(applyDrafts.tokenHash, hashToken(token)), gt(applyDrafts.expiresAt, now())));
  if (!row) return null;
  const stored = JSON.parse(pii.open(row.answersEnc)) as Stored;
  return {
    id: row.id,
    answers: stored.answers,
    assisted: row.assisted,
    verificationId: row.verificationId,
    applicationId: row.applicationId,
    flash: stored.flash,
  };
}

/** For loaders and actions of steps: the draft, or back to the start page. */
export async function requireDraft(request: Request, context: AppLoadContext): Promise<Draft> {
  const draft = await getDraft(request, context);
  if (!draft) throw redirect(tokenFrom(request) ? "/apply?expired=1" : "/apply?start=1");
  return draft;
}

/** A step page may be shown only when every earlier step is complete; otherwise go to the first gap. */
export function guardStep(draft: Draft, step: ApplyStep): void {
  if (draft.applicationId) throw redirect("/apply/done");
  if (!canVisit(step, draft.answers)) throw redirect(STEP_PATHS[firstIncompleteStep(draft.answers)]);
}

export async function createDraft(context: AppLoadContext, options: { assisted: boolean }): Promise<{ setCookie: string }> {
  const { db, pii, now } = context.services;
  const token = randomBytes(32).toString("base64url");
  const created = now();
  await db.insert(applyDrafts).values({
    tokenHash: hashToken(token),
    answersEnc: pii.seal(JSON.stringify({ answers: {} } satisfies Stored)),
    assisted: options.assisted,
    createdAt: created,
    updatedAt: created,
    expiresAt: new Date(created.getTime() + DRAFT_TTL_MS),
  });
  // The cookie outlives the draft (whose expiry slides with every answer): a person whose draft
  // has run out is told so, and one who never started is not (issue 16, point 9).
  return { setCookie: cookieFor(context, token, DRAFT_COOKIE_MAX_AGE_S) };
}

async function write(context: AppLoadContext, draft: Draft, stored: Stored, extra: Partial<typeof applyDrafts.$inferInsert> = {}, db: DbOrTx = context.services.db) {
  const { pii, now } = context.services;
  await db
    .update(applyDrafts)
    .set({ answersEnc: pii.seal(JSON.stringify(stored)), updatedAt: now(), expiresAt: new Date(now().getTime() + DRAFT_TTL_MS), ...extra })
    .where(eq(applyDrafts.id, draft.id));
}

export function saveAnswers(context: AppLoadContext, draft: Draft, answers: ApplyAnswers, extra: Partial<typeof applyDrafts.$inferInsert> = {}) {
  return write(context, draft, { answers }, extra);
}

/** saveAnswers inside the caller's transaction (one that holds the draft from lockDraft). */
export function saveAnswersIn(tx: DbOrTx, context: AppLoadContext, draft: Draft, answers: ApplyAnswers, extra: Partial<typeof applyDrafts.$inferInsert> = {}) {
  return write(context, draft, { answers }, extra, tx);
}

/**
 * The draft as it is now, locked until the caller's transaction ends: a second POST of the same
 * step (a double click, a slow network resending) waits here and then sees what the first one did.
 */
export async function lockDraft(tx: DbOrTx, context: AppLoadContext, draftId: string): Promise<Draft | null> {
  const [row] = await tx.select().from(applyDrafts).where(eq(applyDrafts.id, draftId)).for("update");
  if (!row) return null;
  const stored = JSON.parse(context.services.pii.open(row.answersEnc)) as Stored;
  return { id: row.id, answers: stored.answers, assisted: row.assisted, verificationId: row.verificationId, applicationId: row.applicationId, flash: stored.flash };
}

export function saveFlash(context: AppLoadContext, draft: Draft, key: string, result: FlashResult) {
  return write(context, draft, { answers: draft.answers, flash: { key, result } });
}

/** The last post's result for this page, once: a later visit shows a clean form. */
export async function takeFlash(context: AppLoadContext, draft: Draft, key: string): Promise<FlashResult | null> {
  if (draft.flash?.key !== key) return null;
  await write(context, draft, { answers: draft.answers });
  return draft.flash.result;
}

/** With `tx`, in the caller's transaction (the one that creates the application: apply-submit.server.ts). */
export function markSubmitted(context: AppLoadContext, draft: Draft, applicationId: string, tx?: DbOrTx) {
  return write(context, draft, { answers: draft.answers }, { applicationId }, tx);
}

export function clearDraftCookie(context: AppLoadContext): string {
  return cookieFor(context, "", 0);
}
