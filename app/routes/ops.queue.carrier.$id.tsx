import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Field, Notice, PageHeading, RadioGroup, SummaryList } from "~/components/ui";
import { CARRIER_NAMES, type CarrierCode } from "~/domain/carriers";
import { requireAccess } from "~/lib/auth.server";
import { claimItemAudited, holdsClaim, releaseItemAudited } from "~/lib/claims.server";
import { readForm } from "~/lib/csrf.server";
import { formatJstDateTime } from "~/lib/format";
import { requireUuid } from "~/lib/ids";
import { carrierItem, resolveCarrierItem, type CarrierAction } from "~/lib/queues.server";

export const meta: MetaFunction = () => [{ title: "電話会社とのやりとりの例外｜受付センター 業務システム" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "queue");
  const item = await carrierItem(context.services, requireUuid(params.id));
  if (!item) throw new Response("Not Found", { status: 404 });
  const mine = await holdsClaim(context.services, { itemType: "carrier", itemId: item.id, operatorId: operator.id });
  await context.services.audit.record({ actor: `operator:${operator.id}`, action: "carrier_exception.view", subjectType: "carrier_exception", subjectId: item.id, ip: context.clientIp });
  return json({ item, mine });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "queue", "act");
  const id = requireUuid(params.id);
  const form = await readForm(request, context);
  const intent = String(form.get("intent") ?? "");
  if (intent === "claim") {
    const result = await claimItemAudited(context.services, { itemType: "carrier", itemId: id, operatorId: operator.id, audit: { subjectType: "carrier", ip: context.clientIp } });
    if (!result.ok) return json({ errors: { "": [result.reason === "held" ? `${result.holder.displayName}さんが担当しています。` : "この項目は、もう済んでいます。"] } }, { status: 409 });
    return redirect(`/ops/queue/carrier/${id}`);
  }
  if (intent === "release") {
    await releaseItemAudited(context.services, { itemType: "carrier", itemId: id, operatorId: operator.id, audit: { subjectType: "carrier", ip: context.clientIp } });
    return redirect("/ops/queue/carrier");
  }
  if (intent !== "resolve") return json({ errors: { "": ["操作を選び直してください。"] } }, { status: 400 });
  const how = String(form.get("how") ?? "");
  if (!["close", "retry", "resend"].includes(how)) return json({ errors: { how: ["どのように対応するか、1つ選んでください。"] } }, { status: 400 });
  const result = await resolveCarrierItem(context.services, {
    id,
    operatorId: operator.id,
    action: how as CarrierAction,
    note: String(form.get("note") ?? ""),
    carrierCode: String(form.get("carrierCode") ?? ""),
    ip: context.clientIp,
  });
  if (!result.ok) {
    if (result.reason === "not_claimed") return json({ errors: { "": ["担当の期限が切れたか、ほかの人が担当しています。もう一度「担当する」を押してください。"] } }, { status: 409 });
    return json({ errors: { [result.field === "form" ? "" : result.field]: [result.message] } }, { status: 400 });
  }
  return redirect("/ops/queue/carrier");
}

export default function CarrierItemRoute() {
  const { item, mine } = useLoaderData<typeof loader>();
  const active = item.carriers;
  const data = useActionData<typeof action>();
  const errors = data?.errors as Record<string, string[]> | undefined;
  return (
    <>
      {errors && <ErrorSummary errors={errors} />}
      <PageHeading caption={<a href="/ops/queue/carrier">電話会社とのやりとりの例外</a>}>{item.kindLabel}</PageHeading>
      {item.resolvedAt && <Notice variant="success">この例外は {formatJstDateTime(item.resolvedAt)} に対応済みです。</Notice>}
      <SummaryList
        rows={[
          { key: "発生", value: formatJstDateTime(item.createdAt) },
          { key: "電話会社", value: item.carrierCode ? (CARRIER_NAMES[item.carrierCode as CarrierCode] ?? item.carrierCode) : "" },
          { key: "理由コード", value: item.reasonCode ?? "" },
          { key: "電話番号", value: item.number ?? "" },
          { key: "お申し込み", value: item.application ? <span className="digits">{item.application.reference}</span> : "" },
        ]}
      />
      {item.lineId && (
        <p>
          <a href={`/ops/lines/${item.lineId}`}>この回線の記録（タイムライン）を見る</a>
        </p>
      )}
      {!item.resolvedAt &&
        (mine ? (
          <Form method="post" noValidate>
            <CsrfField />
            <RadioGroup
              name="how"
              legend="どのように対応しますか"
              required
              options={[
                { value: "close", label: "対応済みにする（申し込んだ方に連絡した、など）", hint: "下のメモに、対応の内容を書いてください。" },
                ...(item.kind === "not_routable" ? [{ value: "retry", label: "もう一度、送り先を決める（電話会社の設定を直したあと）" }] : []),
                { value: "resend", label: "選んだ電話会社に送り直す" },
              ]}
              error={errors?.how}
            />
            <RadioGroup
              name="carrierCode"
              legend="送り直す電話会社（「送り直す」のときだけ）"
              required={false}
              options={active.map((c) => ({ value: c.code, label: c.nameJa }))}
              error={errors?.carrierCode}
            />
            <Field name="note" label="メモ" required={false} support="対応の内容を短く書きます。お名前や住所などの個人情報は書かないでください。" error={errors?.note} />
            <div className="button-row">
              <Button name="intent" value="resolve">
                この内容で対応する
              </Button>
              <Button name="intent" value="release" variant="secondary">
                担当をやめる
              </Button>
            </div>
          </Form>
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
