/**
 * The /cancel journey's answers, kept on the server in `cancel_drafts` (sealed), found through a
 * random token in an HttpOnly cookie — the same pattern as the /apply drafts (apply-draft.server.ts),
 * with its own table and cookie so neither journey can disturb the other. The last post's errors are
 * kept here too ("flash"): post → redirect → get, nothing typed is lost.
 */
import { createHash, randomBytes } from "node:crypto";
import { parseWithZod } from "@conform-to/zod";
import { redirect, type AppLoadContext } from "@remix-run/node";
import { and, eq, gt } from "drizzle-orm";
import type { z } from "zod";
import { cancelDrafts } from "../../db/schema";
import {
  CANCEL_STEP_PATHS,
  canVisitCancelStep,
  firstIncompleteCancelStep,
  nextCancelStep,
  type CancelAnswers,
  type CancelStep,
} from "../domain/cancel-forms";
import { readForm } from "./csrf.server";

const COOKIE = "cancel_draft";
export const CANCEL_DRAFT_TTL_MS = 2 * 60 * 60 * 1000;
const DRAFT_COOKIE_MAX_AGE_S = 7 * 24 * 60 * 60;

export type FlashResult = Record<string, unknown>;
type Stored = { answers: CancelAnswers; flash?: { key: string; result: FlashResult } };

export type CancelDraft = {
  id: string;
  answers: CancelAnswers;
  cancellationId: string | null;
  flash: { key: string; result: FlashResult } | undefined;
};

const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");

function tokenFrom(request: Request): string | undefined {
  return (request.headers.get("Cookie") ?? "").match(/(?:^|;\s*)cancel_draft=([A-Za-z0-9_-]{43})/)?.[1];
}

function cookieFor(context: AppLoadContext, token: string, maxAgeSeconds: number): string {
  const secure = context.services.config.publicBaseUrl.startsWith("https://") ? "; Secure" : "";
  return `${COOKIE}=${token}; Path=/cancel; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

export async function getCancelDraft(request: Request, context: AppLoadContext): Promise<CancelDraft | null> {
  const token = tokenFrom(request);
  if (!token) return null;
  const { db, pii, now } = context.services;
  const [row] = await db
    .select()
    .from(cancelDrafts)
    .where(and(eq(cancelDrafts.tokenHash, hashToken(token)), gt(cancelDrafts.expiresAt, now())));
  if (!row) return null;
  const stored = JSON.parse(pii.open(row.answersEnc)) as Stored;
  return { id: row.id, answers: stored.answers, cancellationId: row.cancellationId, flash: stored.flash };
}

export async function requireCancelDraft(request: Request, context: AppLoadContext): Promise<CancelDraft> {
  const draft = await getCancelDraft(request, context);
  if (!draft) throw redirect(tokenFrom(request) ? "/cancel?expired=1" : "/cancel?start=1");
  return draft;
}

export function guardCancelStep(draft: CancelDraft, step: CancelStep): void {
  if (draft.cancellationId) throw redirect("/cancel/done");
  if (!canVisitCancelStep(step, draft.answers)) throw redirect(CANCEL_STEP_PATHS[firstIncompleteCancelStep(draft.answers)]);
}

export async function createCancelDraft(context: AppLoadContext): Promise<{ setCookie: string }> {
  const { db, pii, now } = context.services;
  const token = randomBytes(32).toString("base64url");
  const created = now();
  await db.insert(cancelDrafts).values({
    tokenHash: hashToken(token),
    answersEnc: pii.seal(JSON.stringify({ answers: {} } satisfies Stored)),
    createdAt: created,
    updatedAt: created,
    expiresAt: new Date(created.getTime() + CANCEL_DRAFT_TTL_MS),
  });
  // The cookie outlives the draft (whose expiry slides with every answer): a person whose draft
  // has run out is told so, and one who never started is not (issue 16, point 9).
  return { setCookie: cookieFor(context, token, DRAFT_COOKIE_MAX_AGE_S) };
}

async function write(context: AppLoadContext, draft: CancelDraft, stored: Stored, extra: Partial<typeof cancelDrafts.$inferInsert> = {}) {
  const { db, pii, now } = context.services;
  await db
    .update(cancelDrafts)
    .set({ answersEnc: pii.seal(JSON.stringify(stored)), updatedAt: now(), expiresAt: new Date(now().getTime() + CANCEL_DRAFT_TTL_MS), ...extra })
    .where(eq(cancelDrafts.id, draft.id));
}

export function saveCancelFlash(context: AppLoadContext, draft: CancelDraft, key: string, result: FlashResult) {
  return write(context, draft, { answers: draft.answers, flash: { key, result } });
}

/** The last post's result for this page, once. */
export async function takeCancelFlash(context: AppLoadContext, draft: CancelDraft, key: string): Promise<FlashResult | null> {
  if (draft.flash?.key !== key) return null;
  await write(context, draft, { answers: draft.answers });
  return draft.flash.result;
}

export function markCancelSubmitted(context: AppLoadContext, draft: CancelDraft, cancellationId: string) {
  return write(context, draft, { answers: draft.answers }, { cancellationId });
}

// ————— the shared loader and action of a question step —————

export async function loadCancelStep(request: Request, context: AppLoadContext, step: CancelStep) {
  const draft = await requireCancelDraft(request, context);
  guardCancelStep(draft, step);
  const lastResult = await takeCancelFlash(context, draft, step);
  const returnToCheck = new URL(request.url).searchParams.get("change") === "1";
  return { draft, lastResult, returnToCheck };
}

export async function cancelStepAction<Schema extends z.ZodTypeAny>(options: {
  request: Request;
  context: AppLoadContext;
  step: CancelStep;
  schema: Schema;
  save: (value: z.output<Schema>, draft: CancelDraft) => CancelAnswers;
}) {
  const { request, context, step, schema, save } = options;
  const draft = await requireCancelDraft(request, context);
  guardCancelStep(draft, step);
  const form = await readForm(request, context);
  const returnToCheck = new URL(request.url).searchParams.get("change") === "1" || form.get("change") === "1";
  const here = `${CANCEL_STEP_PATHS[step]}${returnToCheck ? "?change=1" : ""}`;
  const submission = parseWithZod(form, { schema });
  if (submission.status !== "success") {
    await saveCancelFlash(context, draft, step, submission.reply() as FlashResult);
    return redirect(here, 303);
  }
  const answers = save(submission.value as z.output<Schema>, draft);
  await write(context, draft, { answers });
  return redirect(CANCEL_STEP_PATHS[nextCancelStep(step, answers, { returnToCheck })], 303);
}
