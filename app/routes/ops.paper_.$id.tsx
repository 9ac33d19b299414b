import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Notice, PageHeading } from "~/components/ui";
import { CARRIER_NAMES, type CarrierCode } from "~/domain/carriers";
import { requireAccess } from "~/lib/auth.server";
import { claimItem, completeItem } from "~/lib/claims.server";
import { readForm } from "~/lib/csrf.server";
import { requireUuid } from "~/lib/ids";
import { confirmScan, loadScanReview, REVIEWABLE_STATUSES, type FieldView } from "~/lib/paper-verify.server";

export const meta: MetaFunction<typeof loader> = () => [{ title: "申込書の確認｜受付センター 業務システム" }];

const LABELS: Record<string, string> = {
  phone: "止める電話番号",
  reference: "受付番号",
  name: "お名前",
  kana: "フリガナ",
  postalCode: "郵便番号",
  address: "住所",
  contactPhone: "連絡先",
  date: "記入日",
  reasonText: "理由（自由記入）",
  signature: "署名",
};
const GROUP_LABELS: Record<string, string> = { scope: "止める電話", carrier: "電話会社", relation: "申込者", reason: "理由" };
const CHOICE_LABELS: Record<string, string> = {
  outgoing: "発信休止",
  incoming: "着信休止",
  self: "本人",
  family: "家族",
  other: "その他",
  unknown: "わからない",
  "need-international": "国際電話が必要",
  "not-requested": "申し込んでいない",
  "family-applied": "家族が申し込んだ",
  ...(CARRIER_NAMES as Record<CarrierCode, string>),
};
const MULTIPLE = new Set(["scope"]);

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "paper", "view");
  const id = requireUuid(params.id);
  const review = await loadScanReview(context.services, id);
  if (!review) throw new Response("Not Found", { status: 404 });
  const claim = REVIEWABLE_STATUSES.includes(review.status) ? await claimItem(context.services, { itemType: "paper", itemId: id, operatorId: operator.id }) : null;
  await context.services.audit.record({ actor: `operator:${operator.id}`, action: "scan.view", subjectType: "scan", subjectId: id, ip: context.clientIp });
  return json({ review, heldBy: claim && !claim.ok && claim.reason === "held" ? claim.holder.displayName : null });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "paper", "act");
  const id = requireUuid(params.id);
  const form = await readForm(request, context);
  const claim = await claimItem(context.services, { itemType: "paper", itemId: id, operatorId: operator.id });
  if (!claim.ok && claim.reason === "held") return json({ errors: {} as Record<string, string>, message: `${claim.holder.displayName}さんが確認中です。` }, { status: 409 });
  const values: Record<string, string | string[]> = {};
  for (const key of new Set(form.keys())) {
    if (key === "csrf") continue;
    const all = form.getAll(key).map(String);
    values[key] = all.length > 1 ? all : all[0]!;
  }
  const result = await confirmScan(context.services, { scanId: id, operatorId: operator.id, values });
  if (!result.ok) return json({ errors: result.errors, message: result.message ?? null }, { status: 400 });
  await completeItem(context.services, { itemType: "paper", itemId: id, operatorId: operator.id, outcome: result.applicationId ? "application" : result.cancellationId ? "cancellation" : "no_change" });
  return redirect(`/ops/paper?confirmed=${encodeURIComponent(result.message)}`);
}

function fieldValue(field: FieldView): string {
  if (typeof field.value === "string") return field.value;
  return "";
}

function Confidence({ field }: { field: FieldView }) {
  return (
    <p className={field.accepted ? "muted" : "error-text"}>
      {field.accepted ? "読み取り：確か" : "読み取り：要確認"}（{Math.round(field.confidence * 100)}%）
      {field.problems.length > 0 && `　${field.problems.join("　")}`}
    </p>
  );
}

export default function ScanReviewRoute() {
  const { review, heldBy } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors ?? {};
  const done = review.applicationId || review.cancellationId || review.status === "verified";
  // Check boxes are shown as one question per group, where the group's first box comes in the order.
  const seenGroups = new Set<string>();
  const items: ({ kind: "field"; field: FieldView } | { kind: "group"; group: string; fields: FieldView[] })[] = [];
  for (const field of review.fields) {
    if (field.kind === "checkbox" && field.group) {
      if (seenGroups.has(field.group)) continue;
      seenGroups.add(field.group);
      items.push({ kind: "group", group: field.group, fields: review.fields.filter((f) => f.group === field.group) });
    } else items.push({ kind: "field", field });
  }
  return (
    <>
      <PageHeading caption={review.formType === "application" ? "申込書" : "解除の申出書"}>読み取った内容の確認</PageHeading>
      <ErrorSummary errors={Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, [v]]))} />
      {result?.message && (
        <Notice variant="warning" role="alert">
          {result.message}
        </Notice>
      )}
      {heldBy && <Notice variant="warning">{heldBy}さんが確認中です。</Notice>}
      {done ? (
        <Notice variant="success">この申込書は確認済みです。</Notice>
      ) : (
        <Form method="post" className="paper-review">
          <CsrfField />
          <p>画像と見比べて、違うところだけ直してください。確かでない欄が先に並んでいます。最後に「確認して登録する」を押します（Enter キーでも登録できます）。</p>
          {items.map((item) =>
            item.kind === "group" ? (
              <fieldset key={item.group} className="fieldset paper-review__item">
                <legend className="legend">{GROUP_LABELS[item.group] ?? item.group}</legend>
                {item.fields.map((f) => (
                  <div key={f.name} className="choice">
                    <img src={f.crop} alt={`${CHOICE_LABELS[f.choice ?? ""] ?? f.choice}の欄の画像`} className="paper-review__crop paper-review__crop--box" />
                    <input
                      className="choice__input"
                      type={MULTIPLE.has(item.group) ? "checkbox" : "radio"}
                      id={`${item.group}-${f.choice}`}
                      name={item.group}
                      value={f.choice}
                      defaultChecked={f.value === true}
                      aria-describedby={errors[item.group] ? `${item.group}-error` : undefined}
                    />
                    <label className="choice__label" htmlFor={`${item.group}-${f.choice}`}>
                      {CHOICE_LABELS[f.choice ?? ""] ?? f.choice}
                      {f.value === null ? "（はっきりしない）" : ""}
                    </label>
                  </div>
                ))}
                {errors[item.group] && (
                  <p id={`${item.group}-error`} className="error-text">
                    {errors[item.group]}
                  </p>
                )}
              </fieldset>
            ) : item.field.kind === "signature" ? (
              <div key="signature" className="field paper-review__item">
                <img src={item.field.crop} alt="署名欄の画像" className="paper-review__crop" />
                <div className="choice">
                  <input className="choice__input" type="checkbox" id="signature" name="signature" defaultChecked={item.field.value === true} />
                  <label className="choice__label" htmlFor="signature">
                    署名欄に記入がある
                  </label>
                </div>
                {errors.signature && <p className="error-text">{errors.signature}</p>}
              </div>
            ) : (
              <div key={item.field.name} className="field paper-review__item">
                <label htmlFor={item.field.name} className="label">
                  <span className="label__text">{LABELS[item.field.name] ?? item.field.name}</span>
                </label>
                <img src={item.field.crop} alt={`${LABELS[item.field.name] ?? item.field.name}の欄の画像`} className="paper-review__crop" />
                <Confidence field={item.field} />
                <input
                  id={item.field.name}
                  name={item.field.name}
                  className="input input--full"
                  defaultValue={fieldValue(item.field)}
                  aria-invalid={errors[item.field.name] ? true : undefined}
                  aria-describedby={errors[item.field.name] ? `${item.field.name}-error` : undefined}
                />
                {errors[item.field.name] && (
                  <p id={`${item.field.name}-error`} className="error-text">
                    {errors[item.field.name]}
                  </p>
                )}
              </div>
            ),
          )}
          <Button>確認して登録する</Button>
        </Form>
      )}
      <p>
        <Link to="/ops/paper">受付の一覧に戻る</Link>
      </p>
    </>
  );
}
