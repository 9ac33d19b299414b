import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { hasErrors } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CancelStepPage, cancelTitle } from "~/components/cancel/CancelStepPage";
import { CsrfField } from "~/components/CsrfField";
import { Button, Field } from "~/components/ui";
import { cancelNumberSchema } from "~/domain/cancel-forms";
import { formatDisplay } from "~/domain/phone";
import { cancelStepAction, loadCancelStep } from "~/lib/cancel-draft.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: cancelTitle("電話番号", hasErrors(data?.lastResult)) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult, returnToCheck } = await loadCancelStep(request, context, "number");
  const current = draft.answers.number;
  return json({ lastResult, returnToCheck, defaults: { number: current ? formatDisplay(current.e164) : "" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  return cancelStepAction({
    request,
    context,
    step: "number",
    schema: cancelNumberSchema,
    save: (value, draft) => ({ ...draft.answers, number: { e164: value.number } }),
  });
}

export default function CancelNumberStep() {
  const { lastResult, defaults, returnToCheck } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(cancelNumberSchema, lastResult);
  return (
    <CancelStepPage step="number" title="国際電話を止めている固定電話の番号を入力してください" errors={{ number: fields.number.errors }}>
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        {returnToCheck && <input type="hidden" name="change" value="1" />}
        <Field
          name="number"
          label="固定電話の番号"
          required
          support="市外局番から入力してください。例：03-1234-5678　お申し込み中で、まだ止まっていない場合も、この番号を入力してください。"
          inputMode="tel"
          type="tel"
          autoComplete="tel-national"
          width={13}
          defaultValue={String(fields.number.initialValue ?? defaults.number)}
          error={fields.number.errors}
        />
        <Button>次へ</Button>
      </Form>
    </CancelStepPage>
  );
}
