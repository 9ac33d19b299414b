import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { hasErrors, StepPage, stepTitle } from "~/components/apply/StepPage";
import { useStepForm } from "~/components/apply/useStepForm";
import { CsrfField } from "~/components/CsrfField";
import { Button, Field, Notice } from "~/components/ui";
import { codeSchema } from "~/domain/apply-forms";
import { nextStep, STEP_PATHS } from "~/domain/apply-journey";
import { formatDisplay } from "~/domain/phone";
import { guardStep, requireDraft, saveFlash, takeFlash } from "~/lib/apply-draft.server";
import { callInDoneForDraft, checkCodeForDraft, resendForDraft, verificationView } from "~/lib/apply-verification.server";
import { readForm } from "~/lib/csrf.server";
import { VERIFICATION_MESSAGES } from "~/lib/verification.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: stepTitle("確認番号の入力", hasErrors(data?.lastResult) || Boolean(data?.problem)) },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const draft = await requireDraft(request, context);
  guardStep(draft, "verify");
  const view = await verificationView(context, draft);
  if (!view) throw redirect("/apply/verify");
  if (draft.answers.verification) throw redirect(STEP_PATHS[nextStep("verify", draft.answers)]);
  const lastResult = await takeFlash(context, draft, "code");
  const problem = view.state === "expired" || view.state === "locked" || view.state === "consent_refused" ? VERIFICATION_MESSAGES[view.state] : null;
  return json({
    lastResult,
    problem,
    view,
    number: formatDisplay(draft.answers.number!.e164),
    callInCode: draft.answers.callIn?.code ?? null,
    centreNumber: formatDisplay(context.services.config.centrePhoneNumber),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const draft = await requireDraft(request, context);
  guardStep(draft, "verify");
  if (!draft.verificationId) return redirect("/apply/verify", 303);
  const form = await readForm(request, context);
  const intent = form.get("intent");

  if (intent === "resend") {
    const result = await resendForDraft(context, draft);
    if (!result.ok) await saveFlash(context, draft, "code", { status: "error", error: { code: [result.message] } });
    return redirect("/apply/code", 303);
  }
  if (intent === "call_in_done") {
    const result = await callInDoneForDraft(context, draft);
    if (!result.ok) {
      await saveFlash(context, draft, "code", {
        status: "error",
        error: { code: ["まだ確認できていません。表示している電話番号から、センターに電話をかけて、4けたの番号を押してください。"] },
      });
      return redirect("/apply/code", 303);
    }
    return redirect(STEP_PATHS[nextStep("verify", result.answers)], 303);
  }

  const submission = parseWithZod(form, { schema: codeSchema });
  if (submission.status !== "success") {
    await saveFlash(context, draft, "code", submission.reply());
    return redirect("/apply/code", 303);
  }
  const result = await checkCodeForDraft(context, draft, submission.value.code);
  if (!result.ok) {
    await saveFlash(context, draft, "code", submission.reply({ fieldErrors: { code: [result.message] } }));
    return redirect("/apply/code", 303);
  }
  return redirect(STEP_PATHS[nextStep("verify", result.answers)], 303);
}

/** 「14時05分」: the time of the next call, in Japan. */
function formatJstTime(iso: string): string {
  const at = new Date(new Date(iso).getTime() + 9 * 3_600_000);
  return `${at.getUTCHours()}時${String(at.getUTCMinutes()).padStart(2, "0")}分`;
}

export default function CodeStep() {
  const { lastResult, problem, view, number, callInCode, centreNumber } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(codeSchema, lastResult);
  const codeErrors = fields.code.errors;

  if (view.method === "call_in") {
    return (
      <StepPage step="verify" title="センターに電話をかけて、番号を押してください" errors={{ code: codeErrors }}>
        <ol>
          <li>
            <span className="digits nowrap">{number}</span> の電話から、<span className="digits nowrap">{centreNumber}</span> にかけてください。
          </li>
          <li>音声の案内で、次の4けたの番号を押してください。</li>
        </ol>
        <div className="panel">
          <p className="panel__title">確認番号</p>
          <p className="panel__body digits" aria-label={`確認番号 ${callInCode?.split("").join(" ")}`}>
            {callInCode}
          </p>
        </div>
        <p>番号は10分間使えます。</p>
        <Form method="post">
          <CsrfField />
          <input type="hidden" name="intent" value="call_in_done" />
          <Button>電話をかけ終わりました（次へ）</Button>
        </Form>
      </StepPage>
    );
  }

  return (
    <StepPage step="verify" title="電話で聞いた4けたの番号を入力してください" errors={problem ? [{ id: "resend", message: problem }] : { code: codeErrors }}>
      {view.needsConsent ? (
        <Notice title="確認の電話をかけました">
          <span className="digits nowrap">{number}</span>{" "}
          に電話をかけました。契約者ご本人が電話に出て、同意のボタン「1」を押すと、確認番号を2回読み上げます。
        </Notice>
      ) : (
        <Notice title="確認の電話をかけました">
          <span className="digits nowrap">{number}</span> に電話をかけました。4けたの確認番号を2回読み上げます。
        </Notice>
      )}
      {view.call?.gaveUp ? (
        <Notice title="お電話に、出ていただけませんでした">
          <span className="digits nowrap">{number}</span> に{view.call.calls}回お電話しましたが、つながりませんでした（話し中、お留守、または留守番電話でした）。
          <br />
          かわりに、その電話から、センターにお電話いただくこともできます。下の「センターに電話をかけて確認する」を押してください。
        </Notice>
      ) : view.call?.retryAt ? (
        <Notice title="お電話に、出ていただけませんでした">
          {formatJstTime(view.call.retryAt)}ごろに、もう一度お電話します。電話の近くで、お待ちください。
        </Notice>
      ) : null}
      {!problem && (
        <Form method="post" id={form.id} onSubmit={form.onSubmit} noValidate>
          <CsrfField />
          <input type="hidden" name="intent" value="check" />
          <Field
            name="code"
            label="確認番号（4けた）"
            required
            support="電話で聞いた数字を入力してください。番号は10分間使えます。"
            inputMode="numeric"
            autoComplete="one-time-code"
            width={4}
            maxLength={8}
            defaultValue={String(fields.code.initialValue ?? "")}
            error={codeErrors}
          />
          <Button>確認する</Button>
        </Form>
      )}
      <h2>電話がかかってこないとき</h2>
      <p>
        電話番号がまちがっていないか確かめてください。<Link to="/apply/number?change=1">電話番号を直す</Link>
      </p>
      <Form method="post">
        <CsrfField />
        <input type="hidden" name="intent" value="resend" />
        <Button variant="secondary" id="resend">
          もう一度電話をかける
        </Button>
      </Form>
      {view.resendInSeconds > 0 && <p className="muted">もう一度かけられるのは、電話をかけてから1分たってからです。</p>}
      <p>
        <Link to="/apply/verify">{view.call?.gaveUp ? "センターに電話をかけて確認する" : "確認の方法を変える"}</Link>
      </p>
    </StepPage>
  );
}
