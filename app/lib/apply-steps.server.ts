/**
 * The shared shape of a question step's loader and action: check the draft and the journey, show
 * the last post's errors once, validate with the step's zod schema, save, and go to the next step.
 */
import { parseWithZod } from "@conform-to/zod";
import { redirect, type AppLoadContext } from "@remix-run/node";
import type { z } from "zod";
import { nextStep, STEP_PATHS, type ApplyAnswers, type ApplyStep } from "../domain/apply-journey";
import { guardStep, requireDraft, saveAnswers, saveFlash, takeFlash, type Draft, type FlashResult } from "./apply-draft.server";
import { readForm } from "./csrf.server";

export async function loadStep(request: Request, context: AppLoadContext, step: ApplyStep) {
  const draft = await requireDraft(request, context);
  guardStep(draft, step);
  const lastResult = await takeFlash(context, draft, step);
  const returnToCheck = new URL(request.url).searchParams.get("change") === "1";
  return { draft, lastResult, returnToCheck };
}

export type StepActionOptions<Schema extends z.ZodTypeAny> = {
  request: Request;
  context: AppLoadContext;
  step: ApplyStep;
  schema: Schema;
  /** Turns the valid value into the new answers (may also do I/O, e.g. a postal code lookup). */
  save: (value: z.output<Schema>, draft: Draft) => Promise<ApplyAnswers | { errors: Record<string, string[]> }> | ApplyAnswers | { errors: Record<string, string[]> };
};

export async function stepAction<Schema extends z.ZodTypeAny>({ request, context, step, schema, save }: StepActionOptions<Schema>) {
  const draft = await requireDraft(request, context);
  guardStep(draft, step);
  const form = await readForm(request, context);
  const url = new URL(request.url);
  const returnToCheck = url.searchParams.get("change") === "1" || form.get("change") === "1";
  const here = `${STEP_PATHS[step]}${returnToCheck ? "?change=1" : ""}`;
  const submission = parseWithZod(form, { schema });
  if (submission.status !== "success") {
    await saveFlash(context, draft, step, submission.reply() as FlashResult);
    return redirect(here, 303);
  }
  const saved = await save(submission.value as z.output<Schema>, draft);
  if ("errors" in saved) {
    await saveFlash(context, draft, step, submission.reply({ fieldErrors: saved.errors }) as FlashResult);
    return redirect(here, 303);
  }
  await saveAnswers(context, draft, saved);
  return redirect(STEP_PATHS[nextStep(step, saved, { returnToCheck })], 303);
}
