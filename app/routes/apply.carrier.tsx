import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { hasErrors, StepPage, stepTitle } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CsrfField } from "~/components/CsrfField";
import { Button, RadioGroup } from "~/components/ui";
import { carrierSchema } from "~/domain/apply-forms";
import { applyAnswer } from "~/domain/apply-journey";
import { CARRIER_CHOICE_LABELS, CARRIER_CHOICES } from "~/domain/carriers";
import { loadStep, stepAction } from "~/lib/apply-steps.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: stepTitle("電話会社", hasErrors(data?.lastResult)) }];

const HINTS: Partial<Record<(typeof CARRIER_CHOICES)[number], string>> = {
  ntt: "ご住所から、NTT東日本かNTT西日本かを決めます。",
  unknown: "センターから電話会社に問い合わせます。少し時間がかかります。",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult, returnToCheck } = await loadStep(request, context, "carrier");
  return json({ lastResult, returnToCheck, defaults: { choice: draft.answers.carrier?.choice ?? "" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  return stepAction({
    request,
    context,
    step: "carrier",
    schema: carrierSchema,
    save: (value, draft) => applyAnswer(draft.answers, "carrier", { choice: value.choice }),
  });
}

export default function CarrierStep() {
  const { lastResult, defaults, returnToCheck } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(carrierSchema, lastResult);
  return (
    <StepPage step="carrier" title="ご契約の電話会社を選んでください" errors={{ choice: fields.choice.errors }}>
      <p>電話料金の請求書などに書いてあります。わからないときは「わからない」を選んでください。</p>
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        {returnToCheck && <input type="hidden" name="change" value="1" />}
        <RadioGroup
          name="choice"
          legend="電話会社"
          required
          defaultValue={String(fields.choice.initialValue ?? defaults.choice)}
          error={fields.choice.errors}
          options={CARRIER_CHOICES.map((value) => ({ value, label: CARRIER_CHOICE_LABELS[value], hint: HINTS[value] }))}
        />
        <Button>次へ</Button>
      </Form>
    </StepPage>
  );
}
