import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { hasErrors } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CancelStepPage, cancelTitle } from "~/components/cancel/CancelStepPage";
import { CsrfField } from "~/components/CsrfField";
import { Button, Field } from "~/components/ui";
import { cancelContactSchema } from "~/domain/cancel-forms";
import { cancelStepAction, loadCancelStep } from "~/lib/cancel-draft.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: cancelTitle("ご連絡先", hasErrors(data?.lastResult)) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult, returnToCheck } = await loadCancelStep(request, context, "contact");
  return json({ lastResult, returnToCheck, self: draft.answers.requester?.relation === "self", defaults: { phone: draft.answers.contact?.phone ?? "" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  return cancelStepAction({
    request,
    context,
    step: "contact",
    schema: cancelContactSchema,
    save: (value, draft) => ({ ...draft.answers, contact: { phone: value.phone } }),
  });
}

export default function CancelContactStep() {
  const { lastResult, defaults, returnToCheck, self } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(cancelContactSchema, lastResult);
  return (
    <CancelStepPage step="contact" title="ご連絡先の電話番号を入力してください" errors={{ phone: fields.phone.errors }}>
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        {returnToCheck && <input type="hidden" name="change" value="1" />}
        <Field
          name="phone"
          label="ご連絡先の電話番号"
          required
          support={
            self
              ? "センターの係の者から、お申し出についてご連絡するときに使います。国際電話を止めている電話の番号でもかまいません。"
              : "センターの係の者から、お申し出についてご連絡するときに使います。携帯電話の番号でもかまいません。"
          }
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          width={13}
          defaultValue={String(fields.phone.initialValue ?? defaults.phone)}
          error={fields.phone.errors}
        />
        <Button>次へ</Button>
      </Form>
    </CancelStepPage>
  );
}
