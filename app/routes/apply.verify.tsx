import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { hasErrors, StepPage, stepTitle } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CsrfField } from "~/components/CsrfField";
import { Button, Notice, RadioGroup } from "~/components/ui";
import { verifyMethodSchema } from "~/domain/apply-forms";
import { formatDisplay } from "~/domain/phone";
import { guardStep, requireDraft, saveFlash } from "~/lib/apply-draft.server";
import { loadStep } from "~/lib/apply-steps.server";
import { startForDraft } from "~/lib/apply-verification.server";
import { readForm } from "~/lib/csrf.server";
import { deviceFrom } from "~/lib/verification-limits.server";
import { ja } from "~/locales/ja";
import { parseWithZod } from "@conform-to/zod";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: stepTitle("電話番号の確認", hasErrors(data?.lastResult)) }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult } = await loadStep(request, context, "verify");
  const limited = (lastResult as { limited?: string } | null)?.limited ?? null;
  return json({
    lastResult: limited ? null : lastResult,
    limited,
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
  const device = deviceFrom(request, context);
  const headers = device.setCookie ? { "Set-Cookie": device.setCookie } : undefined;
  const result = await startForDraft(context, draft, submission.value.method, device);
  if (!result.ok) {
    // A limit is not a mistake in what was typed: a notice with the way forward, not an error summary.
    await saveFlash(context, draft, "verify", { limited: result.message, initialValue: { method: submission.value.method } });
    return redirect("/apply/verify", { status: 303, headers });
  }
  return redirect("/apply/code", { status: 303, headers });
}

export default function VerifyStep() {
  const { lastResult, limited, number, notSelf, centreNumber } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(verifyMethodSchema, lastResult);
  return (
    <StepPage step="verify" title="この電話番号で、お申し込みを確認します" errors={{ method: fields.method.errors }}>
      {limited && (
        <Notice variant="warning" title={ja.verification.limitedTitle} role="alert">
          {limited}
        </Notice>
      )}
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
