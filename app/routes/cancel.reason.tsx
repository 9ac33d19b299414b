import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { hasErrors } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CancelStepPage, cancelTitle } from "~/components/cancel/CancelStepPage";
import { CsrfField } from "~/components/CsrfField";
import { Button, cx, ErrorText, Label, RadioGroup, SupportText } from "~/components/ui";
import { CANCEL_REASON_LABELS, CHOOSABLE_REASONS, cancelReasonSchema } from "~/domain/cancel-forms";
import { cancelStepAction, loadCancelStep } from "~/lib/cancel-draft.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: cancelTitle("理由", hasErrors(data?.lastResult)) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult, returnToCheck } = await loadCancelStep(request, context, "reason");
  const r = draft.answers.reason;
  return json({ lastResult, returnToCheck, defaults: { code: r?.code ?? "", text: r?.text ?? "" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  return cancelStepAction({
    request,
    context,
    step: "reason",
    schema: cancelReasonSchema,
    save: (value, draft) => ({ ...draft.answers, reason: { code: value.code, text: value.text || null } }),
  });
}

export default function CancelReasonStep() {
  const { lastResult, defaults, returnToCheck } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(cancelReasonSchema, lastResult);
  const textErrors = fields.text.errors;
  return (
    <CancelStepPage step="reason" title="休止をやめたい理由を教えてください" errors={{ code: fields.code.errors, text: textErrors }}>
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        {returnToCheck && <input type="hidden" name="change" value="1" />}
        <RadioGroup
          name="code"
          legend="理由"
          required
          defaultValue={String(fields.code.initialValue ?? defaults.code)}
          error={fields.code.errors}
          options={CHOOSABLE_REASONS.map((code) => ({ value: code, label: CANCEL_REASON_LABELS[code] }))}
        />
        <div className={cx("field", textErrors?.length ? "field--error" : false)}>
          <Label htmlFor="text" required={false}>
            くわしい理由
          </Label>
          <SupportText id="text-support">「その他」を選んだときは、必ず入力してください。400文字まで。</SupportText>
          <textarea
            id="text"
            name="text"
            className={cx("input", "input--full", textErrors?.length ? "input--error" : false)}
            rows={4}
            maxLength={400}
            aria-describedby={textErrors?.length ? "text-support text-error" : "text-support"}
            aria-invalid={textErrors?.length ? true : undefined}
            defaultValue={String(fields.text.initialValue ?? defaults.text)}
          />
          {textErrors?.length ? <ErrorText id="text-error">{textErrors.join(" ")}</ErrorText> : null}
        </div>
        <Button>次へ</Button>
      </Form>
    </CancelStepPage>
  );
}
