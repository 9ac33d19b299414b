import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Field, Notice, PageHeading, RadioGroup, SummaryList } from "~/components/ui";
import { loadApplicationReview, rejectApplication, verifyApplication } from "~/lib/application-review.server";
import { requireAccess } from "~/lib/auth.server";
import { formatPostalCode } from "~/domain/typed-text";
import { claimItemAudited, holdsClaim, releaseItemAudited } from "~/lib/claims.server";
import { readForm } from "~/lib/csrf.server";
import { formatJstDateTime } from "~/lib/format";
import { requireUuid } from "~/lib/ids";
import { QUEUE_INFO, queueHref } from "~/lib/queue-info";
import { REJECT_REASON_INFO, REJECT_REASONS } from "~/lib/review-reasons";

export const meta: MetaFunction = () => [{ title: `${QUEUE_INFO.application.label}｜受付センター 業務システム` }];

const QUEUE_URL = queueHref("application");

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "queue");
  const item = await loadApplicationReview(context.services, requireUuid(params.id));
  if (!item) throw new Response("Not Found", { status: 404 });
  const mine = await holdsClaim(context.services, { itemType: "application", itemId: item.id, operatorId: operator.id });
  // Personal data is shown to the operator who holds the item, or read-only once it is settled.
  if (item.workable && !mine) {
    return json({
      claimed: false as const,
      item: { id: item.id, referenceDisplay: item.referenceDisplay, channelLabel: item.channelLabel, relationLabel: item.relationLabel, statusLabel: item.statusLabel, createdAt: item.createdAt },
    });
  }
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "application.view",
    subjectType: "application",
    subjectId: item.id,
    ip: context.clientIp,
    detail: { fields: item.openedFields, queue: "application" },
  });
  return json({ claimed: true as const, item, mine });
}

type ActionData = { intent: string; errors: Record<string, string[]> };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "queue", "act");
  const id = requireUuid(params.id);
  const form = await readForm(request, context);
  const intent = String(form.get("intent") ?? "");
  const fail = (status: number, errors: Record<string, string[]>) => json<ActionData>({ intent, errors }, { status });
  if (intent === "claim") {
    const result = await claimItemAudited(context.services, { itemType: "application", itemId: id, operatorId: operator.id, audit: { subjectType: "application", ip: context.clientIp } });
    if (!result.ok) return fail(409, { "": [result.reason === "held" ? `${result.holder.displayName}さんが担当しています。` : "この項目は、もう済んでいます。"] });
    return redirect(`/ops/applications/${id}`);
  }
  if (intent === "release") {
    await releaseItemAudited(context.services, { itemType: "application", itemId: id, operatorId: operator.id, audit: { subjectType: "application", ip: context.clientIp } });
    return redirect(QUEUE_URL);
  }
  if (intent !== "verify" && intent !== "reject") return fail(400, { "": ["操作を選び直してください。"] });
  const result =
    intent === "verify"
      ? await verifyApplication(context.services, { id, operatorId: operator.id, note: String(form.get("verifyNote") ?? ""), ip: context.clientIp })
      : await rejectApplication(context.services, {
          id,
          operatorId: operator.id,
          reason: String(form.get("reason") ?? ""),
          note: String(form.get("rejectNote") ?? ""),
          ip: context.clientIp,
        });
  if (!result.ok) {
    if (result.reason === "invalid") {
      const field = (name: string) => (name === "note" ? (intent === "verify" ? "verifyNote" : "rejectNote") : name);
      return fail(400, Object.fromEntries(Object.entries(result.errors).map(([k, v]) => [field(k), [v]])));
    }
    return fail(result.reason === "not_found" ? 404 : 409, { "": [result.message] });
  }
  return redirect(QUEUE_URL);
}

export default function ApplicationItemRoute() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors;
  const caption = <a href={QUEUE_URL}>{QUEUE_INFO.application.label}</a>;
  if (!data.claimed) {
    const { item } = data;
    return (
      <>
        {errors && <ErrorSummary errors={errors} />}
        <PageHeading caption={caption}>お申し込みの確認</PageHeading>
        <SummaryList
          rows={[
            { key: "受付番号", value: <span className="digits">{item.referenceDisplay}</span> },
            { key: "受付日時", value: formatJstDateTime(item.createdAt) },
            { key: "受付方法", value: item.channelLabel },
            { key: "申込者", value: item.relationLabel },
            { key: "状態", value: item.statusLabel },
          ]}
        />
        <p>この項目を開くには、先に担当してください。担当している間は、ほかの人は開けません。</p>
        <Form method="post">
          <CsrfField />
          <Button name="intent" value="claim">
            担当する
          </Button>
        </Form>
      </>
    );
  }
  const { item, mine } = data;
  return (
    <>
      {errors && <ErrorSummary errors={errors} />}
      <PageHeading caption={caption}>お申し込みの確認</PageHeading>
      {!item.workable && <Notice variant="success">このお申し込みは、確認が済んでいます（いまの状態：{item.statusLabel}）。</Notice>}
      <SummaryList
        rows={[
          { key: "受付番号", value: <span className="digits">{item.referenceDisplay}</span> },
          { key: "状態", value: item.statusLabel },
          { key: "止める電話番号", value: <span className="digits">{item.number}</span> },
          { key: "止めるもの", value: item.scopes.join("、") },
          { key: "電話会社", value: item.carrierChoice },
          { key: "受付方法", value: item.channelLabel },
          { key: "申込者", value: `${item.relationLabel}${item.relationDetail ? `（${item.relationDetail}）` : ""}` },
          { key: "申込者のお名前", value: item.applicantName ?? "" },
          { key: "契約者の同意", value: item.consent ? "回線で同意あり" : "まだ" },
          { key: "契約者のお名前", value: item.subscriberName ?? "" },
          { key: "フリガナ", value: item.subscriberKana ?? "" },
          { key: "ご住所", value: item.address ? [item.postalCode ? `〒${formatPostalCode(item.postalCode)}` : "", item.address].filter(Boolean).join(" ") : "" },
          { key: "連絡先", value: item.contactPhone ?? "" },
          { key: "受付日時", value: formatJstDateTime(item.createdAt) },
        ]}
      />
      <p>
        <a href={`/ops/lines/${item.lineId}`}>この回線の記録（ほかのお申し込みや連絡）を見る</a>
      </p>
      <h2>これまでの経過</h2>
      <ol className="timeline">
        {item.timeline.map((entry, index) => (
          <li key={index}>
            <span className="nowrap">{formatJstDateTime(entry.at)}</span>　{entry.label}（{entry.actor}）{entry.detail && <span className="muted">　{entry.detail}</span>}
          </li>
        ))}
      </ol>
      {item.calls.length > 0 && (
        <>
          <h2>確認の電話</h2>
          <ul>
            {item.calls.map((call, index) => (
              <li key={index}>
                {formatJstDateTime(call.at)}　{call.method}：
                {call.verifiedAt ? "確認できた" : call.consent === "refused" ? "契約者が同意しなかった" : `確認できていない（期限 ${formatJstDateTime(call.expiresAt)}）`}
              </li>
            ))}
          </ul>
        </>
      )}
      {item.workable &&
        (mine ? (
          <>
            <h2>回線で確認できた</h2>
            <p>回線に電話するなどして、契約者ご本人がこのお申し込みを望んでいると確かめられたときに使います。お申し込みは電話会社に送られます。</p>
            <Form method="post" noValidate>
              <CsrfField />
              <Field
                name="verifyNote"
                label="どのように確かめたか"
                required
                support="短く書きます。例：回線に電話し、契約者ご本人がお申し込みを認めた。お名前や住所などの個人情報は書かないでください。"
                error={errors?.verifyNote}
                maxLength={200}
              />
              <Button name="intent" value="verify">
                回線で確認できた
              </Button>
            </Form>
            <h2>お受けできない</h2>
            <p>
              {item.address
                ? "申込者に、理由と申し込みの方法を書いた手紙を送ります。"
                : "住所がわからないので、手紙は送りません。理由だけを記録します。"}
            </p>
            <Form method="post" noValidate>
              <CsrfField />
              <RadioGroup
                name="reason"
                legend="お受けできない理由"
                required
                error={errors?.reason}
                options={REJECT_REASONS.map((code) => ({ value: code, label: REJECT_REASON_INFO[code].label, hint: REJECT_REASON_INFO[code].hint }))}
              />
              <Field
                name="rejectNote"
                label="メモ"
                required={false}
                support="「その他」を選んだときは、理由を短く書いてください（必須）。申込者への手紙にもそのまま書かれます。"
                error={errors?.rejectNote}
                maxLength={200}
              />
              <Button name="intent" value="reject" variant="secondary">
                お受けできない
              </Button>
            </Form>
            <Form method="post">
              <CsrfField />
              <p>
                <Button name="intent" value="release" variant="secondary">
                  担当をやめる
                </Button>
              </p>
            </Form>
          </>
        ) : (
          <Form method="post">
            <CsrfField />
            <p>対応するには、先に担当してください。</p>
            <Button name="intent" value="claim">
              担当する
            </Button>
          </Form>
        ))}
    </>
  );
}
