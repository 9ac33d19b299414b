import { useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { z } from "zod";

/**
 * conform with the step's zod schema: the browser checks the answers with the same schema as the
 * server when the person presses the button, and after that, as they correct them (so an error goes
 * away as soon as it is fixed). Without JavaScript the server's result is shown.
 *
 * Not on blur: an error summary and error texts appearing when a field loses focus move the page
 * under the pointer, so a press on 「次へ」 right after typing could land beside the button and be
 * lost, and a screen reader would announce an alert while the person is only moving between fields.
 */
export function useStepForm<Schema extends z.ZodTypeAny>(
  schema: Schema,
  lastResult: unknown,
  /**
   * Another schema for a button with name="intent" and this value, e.g. the postal code lookup,
   * which needs only the postal code: the browser must check what the server will check.
   */
  intentSchemas: Readonly<Record<string, z.ZodTypeAny>> = {},
) {
  return useForm<z.input<Schema>>({
    id: "step-form",
    lastResult: (lastResult ?? undefined) as SubmissionResult<string[]> | undefined,
    onValidate: ({ formData }) => {
      const intent = formData.get("intent");
      const forIntent = typeof intent === "string" && Object.hasOwn(intentSchemas, intent) ? intentSchemas[intent] : undefined;
      return parseWithZod(formData, { schema: (forIntent ?? schema) as Schema });
    },
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
}
