import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { hasErrors } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CancelStepPage, cancelTitle } from "~/components/cancel/CancelStepPage";
import { CsrfField } from "~/components/CsrfField";
import { Button, Field, RadioGroup } from "~/components/ui";
import { cancelRequesterSchema } from "~/domain/cancel-forms";
import { cancelStepAction, loadCancelStep } from "~/lib/cancel-draft.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: cancelTitle("お申し出をする方", hasErrors(data?.lastResult)) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult, returnToCheck } = await loadCancelStep(request, context, "requester");
  const r = draft.answers.requester;
  return json({
    lastResult,
    returnToCheck,
    defaults: { relation: r?.relation ?? "", relationDetail: r?.relationDetail ?? "", requesterName: r?.requesterName ?? "" },
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  return cancelStepAction({
    request,
    context,
    step: "requester",
    schema: cancelRequesterSchema,
    save: (value, draft) => ({
      ...draft.answers,
      requester: {
        relation: value.relation,
        relationDetail: value.relation === "self" ? null : (value.relationDetail ?? null),
        requesterName: value.relation === "self" ? null : (value.requesterName ?? null),
      },
    }),
  });
}

export default function CancelRequesterStep() {
  const { lastResult, defaults, returnToCheck } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(cancelRequesterSchema, lastResult);
  const initial = (name: keyof typeof defaults) => String(fields[name].initialValue ?? defaults[name]);
  return (
    <CancelStepPage
      step="requester"
      title="お申し出をする方について教えてください"
      errors={{ relation: fields.relation.errors, requesterName: fields.requesterName.errors, relationDetail: fields.relationDetail.errors }}
    >
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        {returnToCheck && <input type="hidden" name="change" value="1" />}
        <RadioGroup
          name="relation"
          legend="お申し出をする方"
          required
          defaultValue={initial("relation")}
          error={fields.relation.errors}
          options={[
            { value: "self", label: "ご契約者ご本人" },
            { value: "family", label: "ご家族", hint: "確認の電話で、ご契約者ご本人に同意のボタンを押していただきます。" },
            { value: "other", label: "その他（ご家族以外の方）", hint: "確認の電話で、ご契約者ご本人に同意のボタンを押していただきます。" },
          ]}
        />
        <h2>ご本人以外の方がお申し出をするとき</h2>
        <p>ご家族やその他の方は、次の2つを必ず入力してください。</p>
        <Field
          name="requesterName"
          label="お申し出をする方のお名前"
          required={false}
          width={20}
          autoComplete="name"
          defaultValue={initial("requesterName")}
          error={fields.requesterName.errors}
        />
        <Field
          name="relationDetail"
          label="ご契約者との続柄、またはご関係"
          required={false}
          support="例：長男、娘、〇〇市役所"
          width={20}
          defaultValue={initial("relationDetail")}
          error={fields.relationDetail.errors}
        />
        <Button>次へ</Button>
      </Form>
    </CancelStepPage>
  );
}
