import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { hasErrors, StepPage, stepTitle } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CsrfField } from "~/components/CsrfField";
import { Button, Field } from "~/components/ui";
import { numberSchema } from "~/domain/apply-forms";
import { applyAnswer } from "~/domain/apply-journey";
import { formatDisplay } from "~/domain/phone";
import { loadStep, stepAction } from "~/lib/apply-steps.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: stepTitle("止めたい電話番号", hasErrors(data?.lastResult)) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult, returnToCheck } = await loadStep(request, context, "number");
  const current = draft.answers.number;
  return json({
    lastResult,
    returnToCheck,
    defaults: {
      number: current ? formatDisplay(current.e164) : "",
      previousNumber: current?.previousE164 ? formatDisplay(current.previousE164) : "",
    },
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  return stepAction({
    request,
    context,
    step: "number",
    schema: numberSchema,
    save: (value, draft) => applyAnswer(draft.answers, "number", { e164: value.number, previousE164: value.previousNumber }),
  });
}

export default function NumberStep() {
  const { lastResult, defaults, returnToCheck } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(numberSchema, lastResult);
  return (
    <StepPage step="number" title="国際電話を止めたい、固定電話の番号を入力してください" errors={{ number: fields.number.errors, previousNumber: fields.previousNumber.errors }}>
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        {returnToCheck && <input type="hidden" name="change" value="1" />}
        <Field
          name="number"
          label="止めたい電話番号"
          required
          support="市外局番から入力してください。例：03-1234-5678　携帯電話、050で始まるIP電話、0120などは対象外です。"
          inputMode="tel"
          autoComplete="tel-national"
          type="tel"
          width={13}
          defaultValue={String(fields.number.initialValue ?? defaults.number)}
          error={fields.number.errors}
        />
        <Field
          name="previousNumber"
          label="引っ越しなどで番号が変わった方：前の電話番号"
          required={false}
          support="前の番号で国際電話を止めていた方は、入力してください。前の番号の休止を解除し、新しい番号で止めます。"
          inputMode="tel"
          type="tel"
          width={13}
          defaultValue={String(fields.previousNumber.initialValue ?? defaults.previousNumber)}
          error={fields.previousNumber.errors}
        />
        <Button>次へ</Button>
      </Form>
    </StepPage>
  );
}
