import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { StepPage, stepTitle } from "~/components/apply/StepPage";
import { CsrfField } from "~/components/CsrfField";
import { Button, Notice, SummaryList } from "~/components/ui";
import { STEP_PATHS } from "~/domain/apply-journey";
import { CARRIER_CHOICE_LABELS, SCOPE_LABELS } from "~/domain/carriers";
import { formatDisplay, toE164 } from "~/domain/phone";
import { guardStep, requireDraft, saveFlash } from "~/lib/apply-draft.server";
import { loadStep } from "~/lib/apply-steps.server";
import { routeForAnswers } from "~/lib/apply-routing.server";
import { submitDraft } from "~/lib/apply-submit.server";
import { readForm } from "~/lib/csrf.server";
import { formatPostalCode } from "~/domain/typed-text";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: stepTitle("お申し込み内容の確認", Boolean(data?.problem)) }];

const RELATION_LABELS = { self: "契約者ご本人", family: "ご家族", other: "その他" } as const;
const change = (path: string) => `${path}?change=1`;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { draft, lastResult } = await loadStep(request, context, "check");
  const a = draft.answers;
  const { explanations } = await routeForAnswers(context.services, a, a.scope!.scopes);
  const applicant = a.applicant!;
  const rows = [
    { key: "止めたい電話番号", value: formatDisplay(a.number!.e164), changeHref: change(STEP_PATHS.number) },
    ...(a.number!.previousE164 ? [{ key: "前の電話番号", value: formatDisplay(a.number!.previousE164), changeHref: change(STEP_PATHS.number) }] : []),
    {
      key: "お申し込みをする方",
      value:
        applicant.relation === "self"
          ? RELATION_LABELS.self
          : `${RELATION_LABELS[applicant.relation]}（${applicant.relationDetail ?? ""}）${applicant.applicantName ?? ""} さま`,
      changeHref: change(STEP_PATHS.applicant),
    },
    ...(applicant.contactPhone
      ? [{ key: "ご連絡先", value: formatDisplay(toE164(applicant.contactPhone) ?? applicant.contactPhone), changeHref: change(STEP_PATHS.applicant) }]
      : []),
    { key: "電話番号の確認", value: a.verification?.consentAt ? "確認済み（契約者ご本人が同意）" : "確認済み", changeHref: undefined },
    { key: "契約者のお名前", value: `${a.name!.kanji}（${a.name!.kana}）`, changeHref: change(STEP_PATHS.name) },
    { key: "ご住所", value: `〒${formatPostalCode(a.address!.postalCode)} ${a.address!.address}`, changeHref: change(STEP_PATHS.address) },
    { key: "電話会社", value: CARRIER_CHOICE_LABELS[a.carrier!.choice], changeHref: change(STEP_PATHS.carrier) },
    { key: "止める電話", value: a.scope!.scopes.map((s) => SCOPE_LABELS[s]).join("、"), changeHref: change(STEP_PATHS.scope) },
  ];
  const problem = (lastResult as { message?: string } | null)?.message ?? null;
  return json({ rows, explanations, problem });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const draft = await requireDraft(request, context);
  if (draft.applicationId) return redirect("/apply/done", 303);
  guardStep(draft, "check");
  await readForm(request, context);
  const result = await submitDraft(context, draft);
  switch (result.kind) {
    case "created":
    case "replayed":
      return redirect("/apply/done", 303);
    case "already_covered":
      return redirect("/apply/covered", 303);
    case "not_routable":
      await saveFlash(context, draft, "check", { message: result.message });
      return redirect("/apply/check", 303);
  }
}

export default function CheckStep() {
  const { rows, explanations, problem } = useLoaderData<typeof loader>();
  return (
    <StepPage step="check" title="お申し込み内容を確かめてください" errors={problem ? [{ id: "submit", message: problem }] : null}>
      <SummaryList rows={rows} />
      <Notice title="電話会社での手続きについて">
        <ul>
          {explanations.map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
      </Notice>
      <Form method="post">
        <CsrfField />
        <Button id="submit">この内容で申し込む</Button>
      </Form>
    </StepPage>
  );
}
