import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, ErrorText, errorIdFor, Field, Fieldset, Label, Notice, PageHeading, RadioGroup } from "~/components/ui";
import { CARRIER_NAMES, type CarrierCode } from "~/domain/carriers";
import { requireAccess } from "~/lib/auth.server";
import { claimItemAudited, completeItem } from "~/lib/claims.server";
import { readForm } from "~/lib/csrf.server";
import { requireUuid } from "~/lib/ids";
import { closeScan, confirmScan, loadScanReview, REVIEWABLE_STATUSES, type FieldView } from "~/lib/paper-verify.server";
import { PAPER_QUEUE_STATUSES } from "~/lib/queue-info";
import { formatJstDateTime } from "~/lib/format";
import { CLOSE_REASON_INFO, CLOSE_REASONS } from "~/lib/review-reasons";

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
/** What the server requires (confirmScan), per form: the badges say ※必須 or ※任意 accordingly. */
const REQUIRED: Record<string, ReadonlySet<string>> = {
  application: new Set(["phone", "scope", "carrier", "relation", "name", "kana", "postalCode", "address", "signature"]),
  cancellation: new Set(["phone", "relation", "signature"]),
};
const FORM_TYPE_LABELS: Record<string, string> = { application: "申込書", cancellation: "解除の申出書" };
/** The close form's inputs have their own names, so the two forms' errors and values never mix. */
const CLOSE_FIELDS = { reason: "closeReason", note: "closeNote", name: "closeName", postalCode: "closePostalCode", address: "closeAddress" } as const;

type Values = Record<string, string | string[]>;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "paper", "view");
  const id = requireUuid(params.id);
  const chosen = new URL(request.url).searchParams.get("form") ?? undefined;
  const review = await loadScanReview(context.services, id, { formType: chosen });
  if (!review) throw new Response("Not Found", { status: 404 });
  const claim = REVIEWABLE_STATUSES.includes(review.status) ? await claimItemAudited(context.services, { itemType: "paper", itemId: id, operatorId: operator.id, audit: { subjectType: "scan", ip: context.clientIp } }) : null;
  await context.services.audit.record({ actor: `operator:${operator.id}`, action: "scan.view", subjectType: "scan", subjectId: id, ip: context.clientIp });
  return json({ review, heldBy: claim && !claim.ok && claim.reason === "held" ? claim.holder.displayName : null });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "paper", "act");
  const id = requireUuid(params.id);
  const form = await readForm(request, context);
  const values: Values = {};
  for (const key of new Set(form.keys())) {
    if (key === "csrf") continue;
    const all = form.getAll(key).map(String);
    values[key] = all.length > 1 ? all : all[0]!;
  }
  const intent = form.get("intent") === "close" ? "close" : "confirm";
  const claim = await claimItemAudited(context.services, { itemType: "paper", itemId: id, operatorId: operator.id, audit: { subjectType: "scan", ip: context.clientIp } });
  if (!claim.ok && claim.reason === "held") return json({ intent, errors: {} as Record<string, string>, message: `${claim.holder.displayName}さんが確認中です。`, values }, { status: 409 });
  if (intent === "close") {
    const text = (name: string) => String(form.get(name) ?? "");
    const result = await closeScan(context.services, {
      scanId: id,
      operatorId: operator.id,
      reason: text(CLOSE_FIELDS.reason),
      note: text(CLOSE_FIELDS.note),
      name: text(CLOSE_FIELDS.name),
      postalCode: text(CLOSE_FIELDS.postalCode),
      address: text(CLOSE_FIELDS.address),
      ip: context.clientIp,
    });
    if (!result.ok) {
      const errors = Object.fromEntries(Object.entries(result.errors).map(([k, v]) => [k in CLOSE_FIELDS ? CLOSE_FIELDS[k as keyof typeof CLOSE_FIELDS] : k, v]));
      return json({ intent, errors, message: result.message ?? null, values }, { status: 400 });
    }
    await completeItem(context.services, { itemType: "paper", itemId: id, operatorId: operator.id, outcome: "closed" });
    return redirect(`/ops/paper?closed=${encodeURIComponent(result.message)}`);
  }
  const result = await confirmScan(context.services, { scanId: id, operatorId: operator.id, values });
  if (!result.ok) return json({ intent, errors: result.errors, message: result.message ?? null, values }, { status: 400 });
  await completeItem(context.services, { itemType: "paper", itemId: id, operatorId: operator.id, outcome: result.applicationId ? "application" : result.cancellationId ? "cancellation" : "no_change" });
  return redirect(`/ops/paper?confirmed=${encodeURIComponent(result.message)}`);
}

function fieldValue(field: FieldView, typed: Values | null): string {
  const value = typed?.[field.name];
  if (typeof value === "string") return value;
  if (typeof field.value === "string") return field.value;
  return "";
}

function isChecked(field: FieldView, group: string, typed: Values | null): boolean {
  if (!typed) return field.value === true;
  const value = typed[group];
  return (Array.isArray(value) ? value : value ? [value] : []).includes(field.choice ?? "");
}

function Confidence({ field }: { field: FieldView }) {
  return (
    <p className={field.accepted ? "muted" : "error-text"}>
      {field.accepted ? "読み取り：確か" : "読み取り：要確認"}（{Math.round(field.confidence * 100)}%）
      {field.problems.length > 0 && `　${field.problems.join("　")}`}
    </p>
  );
}

function PageImage({ id, kind, keying }: { id: string; kind: "image" | "pdf" | "file"; keying: boolean }) {
  const href = `/ops/paper/${id}/page`;
  if (kind === "image" && keying) return <img src={href} alt="届いたページ全体の画像" className="paper-review__crop" />;
  if (kind === "image") {
    return (
      <p>
        <a href={href} target="_blank" rel="noreferrer">
          ページ全体の画像を見る（別の画面で開きます）
        </a>
      </p>
    );
  }
  if (kind === "pdf") {
    return (
      <p>
        <a href={href} target="_blank" rel="noreferrer">
          届いたファイル（PDF）を別の画面で開く
        </a>
      </p>
    );
  }
  return (
    <p>
      画像として表示できないファイルです。<a href={href}>届いたファイルをダウンロードする</a>
    </p>
  );
}

export default function ScanReviewRoute() {
  const { review, heldBy } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string> = result?.errors ?? {};
  const confirmValues = result && result.intent === "confirm" ? result.values : null;
  const closeValues = result && result.intent === "close" ? result.values : null;
  const closeText = (name: string, fallback: string) => {
    const value = closeValues?.[name];
    return typeof value === "string" ? value : fallback;
  };
  const closed = review.status === "closed";
  const done = review.applicationId || review.cancellationId || review.status === "verified";
  const workable = !done && !closed && (PAPER_QUEUE_STATUSES as readonly string[]).includes(review.status);
  const formKnown = review.formType === "application" || review.formType === "cancellation";
  const required = REQUIRED[review.formType] ?? new Set<string>();
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
      <PageHeading caption={FORM_TYPE_LABELS[review.formType] ?? "用紙の種類がわからないページ"}>{review.keying ? "届いたページの入力" : "読み取った内容の確認"}</PageHeading>
      <ErrorSummary errors={Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, [v]]))} />
      {result?.message && (
        <Notice variant="warning" role="alert">
          {result.message}
        </Notice>
      )}
      {heldBy && <Notice variant="warning">{heldBy}さんが確認中です。</Notice>}
      {review.reason && !closed && (
        <Notice variant="warning" title={review.reason.label}>
          {review.reason.help}
        </Notice>
      )}
      {done && <Notice variant="success">この申込書は確認済みです。</Notice>}
      {(review.applicationId || review.cancellationId || review.lineId) && (
        <ul className="links">
          {review.applicationId && (
            <li>
              <Link to={`/ops/applications/${review.applicationId}`}>このページからのお申し込みを見る</Link>
            </li>
          )}
          {review.cancellationId && (
            <li>
              <Link to={`/ops/cancellations/${review.cancellationId}`}>このページからの解除のお申し出を見る</Link>
            </li>
          )}
          {review.lineId && (
            <li>
              <Link to={`/ops/lines/${review.lineId}`}>この電話番号の記録を見る</Link>
            </li>
          )}
        </ul>
      )}
      {review.lineCall && <Notice variant="info">{lineCallText(review.lineCall)}結果が出るまで、登録も終わりにもできません。</Notice>}
      {closed && (
        <Notice variant="success" title={review.formType === "cancellation" ? "このページは、解除の手続きをせずに終わっています" : "このページは「申し込みにできない」として終わっています"}>
          理由：{review.reason?.label ?? "記録なし"}
        </Notice>
      )}

      <h2>届いたページ</h2>
      <PageImage id={review.id} kind={review.page.kind} keying={review.keying} />

      {workable && review.keying && !formKnown && (
        <Form method="get">
          <RadioGroup
            name="form"
            id="formType"
            legend="用紙の種類"
            required
            support="画像を見て、どちらの用紙か選んでください。センターの用紙でないときや白紙のときは、下の「申し込みにできない」を選びます。"
            error={errors.formType}
            options={[
              { value: "application", label: "申込書（国際電話を止める）" },
              { value: "cancellation", label: "解除の申出書（止めるのをやめる）" },
            ]}
          />
          <Button>この用紙で入力する</Button>
        </Form>
      )}

      {workable && formKnown && (
        <Form method="post" action={review.keying ? `/ops/paper/${review.id}?form=${review.formType}` : `/ops/paper/${review.id}`} className="paper-review" noValidate>
          <CsrfField />
          {review.keying && <input type="hidden" name="formType" value={review.formType} />}
          {review.keying ? (
            <p>
              読み取りができなかったページです。画像を見て、各欄を入力してください。最後に「確認して登録する」を押します。
              <a href={`/ops/paper/${review.id}?form=${review.formType === "application" ? "cancellation" : "application"}`}>
                {review.formType === "application" ? "解除の申出書として入力する" : "申込書として入力する"}
              </a>
            </p>
          ) : (
            <p>画像と見比べて、違うところだけ直してください。確かでない欄が先に並んでいます。最後に「確認して登録する」を押します（Enter キーでも登録できます）。</p>
          )}
          {items.map((item) =>
            item.kind === "group" ? (
              <Fieldset
                key={item.group}
                id={item.group}
                className="paper-review__item"
                legend={GROUP_LABELS[item.group] ?? item.group}
                required={required.has(item.group)}
                support={MULTIPLE.has(item.group) ? "当てはまるものをすべて選びます。" : undefined}
                error={errors[item.group]}
              >
                {item.fields.map((f, index) => (
                  <div key={f.name} className="choice">
                    {f.crop && <img src={f.crop} alt={`${CHOICE_LABELS[f.choice ?? ""] ?? f.choice}の欄の画像`} className="paper-review__crop paper-review__crop--box" />}
                    <input
                      className="choice__input"
                      type={MULTIPLE.has(item.group) ? "checkbox" : "radio"}
                      id={index === 0 ? item.group : `${item.group}-${f.choice}`}
                      name={item.group}
                      value={f.choice}
                      defaultChecked={isChecked(f, item.group, confirmValues)}
                    />
                    <label className="choice__label" htmlFor={index === 0 ? item.group : `${item.group}-${f.choice}`}>
                      {CHOICE_LABELS[f.choice ?? ""] ?? f.choice}
                      {!review.keying && f.value === null ? "（はっきりしない）" : ""}
                    </label>
                  </div>
                ))}
              </Fieldset>
            ) : item.field.kind === "signature" ? (
              <div key="signature" className={`field paper-review__item${errors.signature ? " field--error" : ""}`}>
                {item.field.crop && <img src={item.field.crop} alt="署名欄の画像" className="paper-review__crop" />}
                <div className="choice">
                  <input
                    className="choice__input"
                    type="checkbox"
                    id="signature"
                    name="signature"
                    defaultChecked={confirmValues ? confirmValues.signature === "on" : item.field.value === true}
                    aria-invalid={errors.signature ? true : undefined}
                    aria-describedby={errors.signature ? errorIdFor("signature") : undefined}
                  />
                  <label className="choice__label" htmlFor="signature">
                    署名欄に記入がある <span className="requirement-badge requirement-badge--required">※必須</span>
                  </label>
                </div>
                {errors.signature && <ErrorText id={errorIdFor("signature")}>{errors.signature}</ErrorText>}
              </div>
            ) : (
              <div key={item.field.name} className={`field paper-review__item${errors[item.field.name] ? " field--error" : ""}`}>
                <Label htmlFor={item.field.name} required={required.has(item.field.name)}>
                  {item.field.name === "phone" && review.formType === "cancellation" ? "休止を解除する電話番号" : (LABELS[item.field.name] ?? item.field.name)}
                </Label>
                {item.field.crop && <img src={item.field.crop} alt={`${LABELS[item.field.name] ?? item.field.name}の欄の画像`} className="paper-review__crop" />}
                {!review.keying && <Confidence field={item.field} />}
                <input
                  id={item.field.name}
                  name={item.field.name}
                  className="input input--full"
                  defaultValue={fieldValue(item.field, confirmValues)}
                  aria-invalid={errors[item.field.name] ? true : undefined}
                  aria-describedby={errors[item.field.name] ? errorIdFor(item.field.name) : undefined}
                />
                {errors[item.field.name] && <ErrorText id={errorIdFor(item.field.name)}>{errors[item.field.name]}</ErrorText>}
              </div>
            ),
          )}
          <Button name="intent" value="confirm">
            確認して登録する
          </Button>
        </Form>
      )}

      {workable && (
        <section aria-labelledby="close-heading">
          <h2 id="close-heading">申し込みにできない</h2>
          <p>
            このページからは申し込み（または解除のお申し出）を登録できないときに使います。ページは作業の一覧から外れ、理由が記録されます。住所がわかるときは、送り主に理由と申し込みの方法を書いた手紙を送ります。
          </p>
          <Form method="post" noValidate>
            <CsrfField />
            <RadioGroup
              name={CLOSE_FIELDS.reason}
              legend="申し込みにできない理由"
              required
              defaultValue={closeText(CLOSE_FIELDS.reason, "")}
              error={errors[CLOSE_FIELDS.reason]}
              options={CLOSE_REASONS.map((code) => ({ value: code, label: CLOSE_REASON_INFO[code].label, hint: CLOSE_REASON_INFO[code].hint }))}
            />
            <Field
              name={CLOSE_FIELDS.note}
              label="メモ"
              required={false}
              support="「その他」を選んだときは、理由を短く書いてください（必須）。送り主への手紙にもそのまま書かれます。"
              defaultValue={closeText(CLOSE_FIELDS.note, "")}
              error={errors[CLOSE_FIELDS.note]}
              maxLength={200}
            />
            <Fieldset id="recipient" legend="手紙の宛先" required={false} support="ページに書かれた送り主のお名前と住所です。住所がわからないときは空欄のままにします（手紙は送らず、理由だけを記録します）。">
              <Field name={CLOSE_FIELDS.name} label="お名前" required={false} defaultValue={closeText(CLOSE_FIELDS.name, review.recipient.name)} error={errors[CLOSE_FIELDS.name]} maxLength={60} />
              <Field
                name={CLOSE_FIELDS.postalCode}
                label="郵便番号"
                required={false}
                support="7けたの数字。例：1000001"
                inputMode="numeric"
                width={7}
                defaultValue={closeText(CLOSE_FIELDS.postalCode, review.recipient.postalCode)}
                error={errors[CLOSE_FIELDS.postalCode]}
              />
              <Field name={CLOSE_FIELDS.address} label="住所" required={false} defaultValue={closeText(CLOSE_FIELDS.address, review.recipient.address)} error={errors[CLOSE_FIELDS.address]} maxLength={200} />
            </Fieldset>
            <Button name="intent" value="close" variant="secondary">
              申し込みにできないとして終わりにする
            </Button>
          </Form>
        </section>
      )}
      <p>
        <Link to="/ops/paper">受付の一覧に戻る</Link>
        {" ／ "}
        <Link to="/ops/queue/paper">作業の一覧（郵送・FAX）に戻る</Link>
      </p>
    </>
  );
}

/** Where the line's confirmation stands: a call open now, or when the next one is placed (calling hours only). */
function lineCallText(call: { calls: number; open: boolean; nextAt: string | null; callInUntil: string | null }): string {
  if (call.open) return `このページは、いま回線に確認の電話をしています（${call.calls}回目）。`;
  if (call.callInUntil !== null) {
    return `確認の電話（${call.calls}回）は留守番電話でした。この電話からセンターにかけるよう伝言を残したので、${formatJstDateTime(call.callInUntil)} まで、お電話を待ちます。`;
  }
  if (call.nextAt === null) return "確認の電話に、答えがありませんでした。まもなく、この作業の一覧に入ります。";
  const when = formatJstDateTime(call.nextAt);
  return call.calls === 0
    ? `このページは、回線に確認の電話をかけます（${when}ごろ。電話は午前9時から午後8時のあいだにかけます）。`
    : `確認の電話（${call.calls}回）に、まだ答えがありません。次の電話は ${when} ごろにかけます。`;
}
