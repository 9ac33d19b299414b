import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { hasErrors, StepPage, stepTitle } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CsrfField } from "~/components/CsrfField";
import { Button, ConditionalBadge, Field, RadioGroup } from "~/components/ui";
import { applicantSchema } from "~/domain/apply-forms";
import { applyAnswer } from "~/domain/apply-journey";
import { loadStep, stepAction } from "~/lib/apply-steps.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: stepTitle("お申し込みをする方", hasErrors(data?.lastResult)) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult, returnToCheck } = await loadStep(request, context, "applicant");
  const a = draft.answers.applicant;
  return json({
    lastResult,
    returnToCheck,
    assisted: draft.assisted,
    defaults: {
      relation: a?.relation ?? (draft.assisted ? "other" : ""),
      relationDetail: a?.relationDetail ?? "",
      applicantName: a?.applicantName ?? "",
      contactPhone: a?.contactPhone ?? "",
    },
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  return stepAction({
    request,
    context,
    step: "applicant",
    schema: applicantSchema,
    save: (value, draft) =>
      applyAnswer(draft.answers, "applicant", {
        relation: value.relation,
        relationDetail: value.relation === "self" ? null : (value.relationDetail ?? null),
        applicantName: value.relation === "self" ? null : (value.applicantName ?? null),
        contactPhone: value.contactPhone,
      }),
  });
}

export default function ApplicantStep() {
  const { lastResult, defaults, returnToCheck } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(applicantSchema, lastResult);
  const initial = (name: keyof typeof defaults) => String(fields[name].initialValue ?? defaults[name]);
  return (
    <StepPage
      step="applicant"
      title="お申し込みをする方について教えてください"
      errors={{
        // In the order of the page.
        relation: fields.relation.errors,
        applicantName: fields.applicantName.errors,
        relationDetail: fields.relationDetail.errors,
        contactPhone: fields.contactPhone.errors,
      }}
    >
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        {returnToCheck && <input type="hidden" name="change" value="1" />}
        <RadioGroup
          name="relation"
          legend="お申し込みをする方"
          required
          defaultValue={initial("relation")}
          error={fields.relation.errors}
          options={[
            { value: "self", label: "契約者ご本人" },
            { value: "family", label: "ご家族", hint: "確認の電話で、契約者ご本人に同意のボタンを押していただきます。" },
            { value: "other", label: "その他（警察署・市役所の窓口の方など）", hint: "確認の電話で、契約者ご本人に同意のボタンを押していただきます。" },
          ]}
        />
        {/* Only for family members and helpers: shown when they choose so, with or without JavaScript (app.css). */}
        <div className="only-if-not-self">
          <h2>ご本人以外の方が申し込むとき</h2>
          <Field
            name="applicantName"
            label="お申し込みをする方のお名前"
            required
            width={20}
            autoComplete="name"
            defaultValue={initial("applicantName")}
            error={fields.applicantName.errors}
          />
          <Field
            name="relationDetail"
            label="ご本人との続柄、または所属"
            required
            support="例：長男、娘、〇〇警察署"
            width={20}
            defaultValue={initial("relationDetail")}
            error={fields.relationDetail.errors}
          />
        </div>
        <Field
          name="contactPhone"
          label="ご連絡先の電話番号"
          required={false}
          badge={<ConditionalBadge when="not-self" />}
          support="お申し込みについてお知らせするときに使います。携帯電話の番号でもかまいません。ご本人以外の方は、必ず入力してください。"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          width={13}
          defaultValue={initial("contactPhone")}
          error={fields.contactPhone.errors}
        />
        <Button>次へ</Button>
      </Form>
    </StepPage>
  );
}
