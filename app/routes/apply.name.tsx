import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { hasErrors, StepPage, stepTitle } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CsrfField } from "~/components/CsrfField";
import { Button, Field } from "~/components/ui";
import { nameSchema } from "~/domain/apply-forms";
import { applyAnswer } from "~/domain/apply-journey";
import { loadStep, stepAction } from "~/lib/apply-steps.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: stepTitle("契約者のお名前", hasErrors(data?.lastResult)) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult, returnToCheck } = await loadStep(request, context, "name");
  return json({ lastResult, returnToCheck, defaults: { kanji: draft.answers.name?.kanji ?? "", kana: draft.answers.name?.kana ?? "" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  return stepAction({
    request,
    context,
    step: "name",
    schema: nameSchema,
    save: (value, draft) => applyAnswer(draft.answers, "name", { kanji: value.kanji, kana: value.kana }),
  });
}

export default function NameStep() {
  const { lastResult, defaults, returnToCheck } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(nameSchema, lastResult);
  return (
    <StepPage step="name" title="電話の契約者のお名前を入力してください" errors={{ kanji: fields.kanji.errors, kana: fields.kana.errors }}>
      <p>電話会社と契約している方のお名前です。電話会社に届けているお名前と同じにしてください。</p>
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        {returnToCheck && <input type="hidden" name="change" value="1" />}
        <Field name="kanji" label="お名前" required support="例：山田 花子" width={20} autoComplete="name" defaultValue={String(fields.kanji.initialValue ?? defaults.kanji)} error={fields.kanji.errors} />
        <Field
          name="kana"
          label="フリガナ"
          required
          support="カタカナかひらがなで入力してください。例：ヤマダ ハナコ"
          width={20}
          defaultValue={String(fields.kana.initialValue ?? defaults.kana)}
          error={fields.kana.errors}
        />
        <Button>次へ</Button>
      </Form>
    </StepPage>
  );
}
