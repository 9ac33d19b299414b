import { useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { z } from "zod";

/**
 * conform with the step's zod schema: the browser validates with the same schema as the server
 * (on blur, then as the person types), and without JavaScript the server's result is shown.
 */
export function useStepForm<Schema extends z.ZodTypeAny>(schema: Schema, lastResult: unknown) {
  return useForm<z.input<Schema>>({
    id: "step-form",
    lastResult: (lastResult ?? undefined) as SubmissionResult<string[]> | undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
}
