import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { hasErrors, StepPage, stepTitle } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CsrfField } from "~/components/CsrfField";
import { Button, RadioGroup } from "~/components/ui";
import { verifyMethodSchema } from "~/domain/apply-forms";
import { formatDisplay } from "~/domain/phone";
import { guardStep, requireDraft, saveFlash } from "~/lib/apply-draft.server";
import { loadStep } from "~/lib/apply-steps.server";
import { startForDraft } from "~/lib/apply-verification.server";
import { readForm } from "~/lib/csrf.server";
import { parseWithZod } from "@conform-to/zod";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: stepTitle("電話番号の確認", hasErrors(data?.lastResult)) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult } = await loadStep(request, context, "verify");
  return json({
    lastResult,
    number: formatDisplay(draft.answers.number!.e164),
    notSelf: draft.answers.applicant?.relation !== "self",
    centreNumber: formatDisplay(context.services.config.centrePhoneNumber),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const draft = await requireDraft(request, context);
  guardStep(draft, "verify");
  const form = await readForm(request, context);
  const submission = parseWithZod(form, { schema: verifyMethodSchema });
  if (submission.status !== "success") {
    await saveFlash(context, draft, "verify", submission.reply());
    return redirect("/apply/verify", 303);
  }
  const result = await startForDraft(context, draft, submission.value.method);
  if (!result.ok) {
    await saveFlash(context, draft, "verify", submission.reply({ fieldErrors: { method: [result.message] } }));
    return redirect("/apply/verify", 303);
  }
  return redirect("/apply/code", 303);
}

export default function VerifyStep() {
  const { lastResult, number, notSelf, centreNumber } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(verifyMethodSchema, lastResult);
  return (
    <StepPage step="verify" title="この電話番号で、お申し込みを確認します" errors={{ method: fields.method.errors }}>
      <p>
        パスワードのかわりに、<span className="digits nowrap">{number}</span> の電話で確認します。
        {notSelf && "電話に出た契約者ご本人に、同意のボタン（1）を押していただきます。"}
      </p>
      <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
        <CsrfField />
        <RadioGroup
          name="method"
          legend="確認の方法"
          required
          defaultValue={String(fields.method.initialValue ?? "callback")}
          error={fields.method.errors}
          options={[
            {
              value: "callback",
              label: "センターから電話をかけてもらう（おすすめ）",
              hint: "すぐに電話がかかってきます。読み上げる4けたの番号を、次の画面に入力してください。",
            },
            {
              value: "call_in",
              label: "自分でセンターに電話をかける",
              hint: `次の画面に4けたの番号を表示します。${number} の電話から ${centreNumber} にかけて、その番号を押してください。`,
            },
          ]}
        />
        <Button>確認の電話に進む</Button>
      </Form>
    </StepPage>
  );
}
