import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { CancelStepPage, cancelTitle } from "~/components/cancel/CancelStepPage";
import { CsrfField } from "~/components/CsrfField";
import { Button, Notice, SummaryList } from "~/components/ui";
import { RELATION_LABELS } from "~/domain/cancellation-rules";
import { CANCEL_REASON_LABELS, CANCEL_STEP_PATHS, type CancelAnswers } from "~/domain/cancel-forms";
import { formatDisplay } from "~/domain/phone";
import { guardCancelStep, loadCancelStep, markCancelSubmitted, requireCancelDraft, saveCancelFlash } from "~/lib/cancel-draft.server";
import { requestCancellation } from "~/lib/cancellations.server";
import { readForm } from "~/lib/csrf.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: cancelTitle("お申し出の内容の確認", Boolean(data?.problem)) }];

const change = (path: string) => `${path}?change=1`;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult } = await loadCancelStep(request, context, "check");
  const a = draft.answers as Required<CancelAnswers>;
  const requester =
    a.requester.relation === "self"
      ? RELATION_LABELS.self
      : `${RELATION_LABELS[a.requester.relation]}（${a.requester.relationDetail ?? ""}）${a.requester.requesterName ?? ""} さま`;
  const rows = [
    { key: "固定電話の番号", value: formatDisplay(a.number.e164), changeHref: change(CANCEL_STEP_PATHS.number) },
    { key: "お申し出をする方", value: requester, changeHref: change(CANCEL_STEP_PATHS.requester) },
    { key: "ご連絡先", value: a.contact.phone, changeHref: change(CANCEL_STEP_PATHS.contact) },
    {
      key: "理由",
      value: a.reason.text ? `${CANCEL_REASON_LABELS[a.reason.code]}：${a.reason.text}` : CANCEL_REASON_LABELS[a.reason.code],
      changeHref: change(CANCEL_STEP_PATHS.reason),
    },
  ];
  const problem = (lastResult as { message?: string } | null)?.message ?? null;
  return json({ rows, problem, number: formatDisplay(a.number.e164) });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const draft = await requireCancelDraft(request, context);
  if (draft.cancellationId) return redirect("/cancel/done", 303);
  guardCancelStep(draft, "check");
  await readForm(request, context);
  const a = draft.answers as Required<CancelAnswers>;
  const result = await requestCancellation(context.services, {
    channel: "web",
    // The draft is one submission: a double click, or back and submit again, replays it.
    idempotencyKey: `web-cancel:${draft.id}`,
    actor: "requester",
    lineE164: a.number.e164,
    requesterRelation: a.requester.relation,
    requesterRelationDetail: a.requester.relationDetail,
    requesterName: a.requester.requesterName,
    requesterContact: a.contact.phone,
    reasonCode: a.reason.code,
    reasonText: a.reason.text,
    lineVerification: "callback_at_intake",
    client: context.clientIp,
  });
  if (result.kind === "created" || result.kind === "replayed") {
    await markCancelSubmitted(context, draft, result.cancellationId);
    return redirect("/cancel/done", 303);
  }
  await saveCancelFlash(context, draft, "check", { message: result.message });
  return redirect("/cancel/check", 303);
}

export default function CancelCheckStep() {
  const { rows, problem, number } = useLoaderData<typeof loader>();
  return (
    <CancelStepPage step="check" title="お申し出の内容を確かめてください" errors={problem ? [{ id: "submit", message: problem }] : null}>
      <SummaryList rows={rows} />
      <Notice title="送信したあとのこと">
        <p>
          センターから、<span className="digits nowrap">{number}</span> に確認の電話をかけます。ご契約者ご本人が電話に出て、ボタンの「1」を押してください。ご本人が同意されないときは、お手続きをしません。
        </p>
      </Notice>
      <Form method="post">
        <CsrfField />
        <Button id="submit">この内容で申し出る</Button>
      </Form>
    </CancelStepPage>
  );
}
