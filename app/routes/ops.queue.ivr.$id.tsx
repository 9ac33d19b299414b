import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { readPostalCode } from "~/domain/typed-text";
import { digitsMessage, jaInput } from "~/locales/ja-input";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Field, Notice, PageHeading, SummaryList } from "~/components/ui";
import { isKatakanaName, toKatakana } from "~/domain/kana";
import { formatDisplay } from "~/domain/phone";
import { STATUS_LABELS, type ApplicationStatus } from "~/domain/application-state";
import { requireAccess } from "~/lib/auth.server";
import { claimItemAudited, holdsClaim, releaseItemAudited } from "~/lib/claims.server";
import { readForm } from "~/lib/csrf.server";
import { formatJstDateTime } from "~/lib/format";
import { requireUuid } from "~/lib/ids";
import { confirmIvrItem, ivrItem } from "~/lib/queues.server";

export const meta: MetaFunction = () => [{ title: "聞き取った内容の確認｜受付センター 業務システム" }];

const schema = z.object({
  name: z.string({ required_error: "お名前を入力してください。" }).trim().min(1, "録音で聞いたお名前を入力してください。").max(60, "お名前は60文字以内で入力してください。"),
  postalCode: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (!value) return null;
      const read = readPostalCode(value);
      if (!read.ok) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: digitsMessage(jaInput.digits.postalCode, read.rejected) });
        return z.NEVER;
      }
      return read.postalCode;
    }),
  address: z.string().trim().max(200, "住所は200文字以内で入力してください。").optional(),
  kana: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (!value) return null;
      const kana = toKatakana(value);
      if (!isKatakanaName(kana)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: "フリガナは、カタカナかひらがなで入力してください。例：ヤマダ ハナコ" });
        return z.NEVER;
      }
      return kana;
    }),
});

async function load(request: Request, context: LoaderFunctionArgs["context"], id: string | undefined) {
  const operator = await requireAccess(request, context, "queue");
  const itemId = requireUuid(id);
  const item = await ivrItem(context.services, itemId);
  if (!item) throw new Response("Not Found", { status: 404 });
  return { operator, item };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { operator, item } = await load(request, context, params.id);
  const mine = await holdsClaim(context.services, { itemType: "ivr", itemId: item.id, operatorId: operator.id });
  // Personal data is shown only to the operator who holds the item (or once it is done, read-only).
  if (!mine && !item.done) return json({ claimed: false as const, id: item.id });
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "ivr_call.view",
    subjectType: "ivr_call",
    subjectId: item.id,
    ip: context.clientIp,
    detail: { fields: ["from", "nameSpeech", "addressSpeech", "recordings", ...(item.application ? ["application.subscriberName"] : []), ...(item.letter ? ["letter.recipient"] : [])] },
  });
  return json({ claimed: true as const, done: item.done, item: { ...item, from: item.from ? formatDisplay(item.from) : null } });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "queue", "act");
  const itemId = requireUuid(params.id);
  const form = await readForm(request, context);
  const intent = String(form.get("intent") ?? "");
  if (intent === "claim") {
    const result = await claimItemAudited(context.services, { itemType: "ivr", itemId, operatorId: operator.id, audit: { subjectType: "ivr", ip: context.clientIp } });
    if (!result.ok) return json({ errors: { "": [result.reason === "held" ? `${result.holder.displayName}さんが担当しています。` : "この項目は、もう済んでいます。"] }, values: null }, { status: 409 });
    return redirect(`/ops/queue/ivr/${itemId}`);
  }
  if (intent === "release") {
    await releaseItemAudited(context.services, { itemType: "ivr", itemId, operatorId: operator.id, audit: { subjectType: "ivr", ip: context.clientIp } });
    return redirect("/ops/queue/ivr");
  }
  if (intent !== "confirm") return json({ errors: { "": ["操作を選び直してください。"] }, values: null }, { status: 400 });
  const values = {
    name: String(form.get("name") ?? ""),
    kana: String(form.get("kana") ?? ""),
    postalCode: String(form.get("postalCode") ?? ""),
    address: String(form.get("address") ?? ""),
  };
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const errors = parsed.error.flatten().fieldErrors;
    return json({ errors: { name: errors.name ?? [], kana: errors.kana ?? [], postalCode: errors.postalCode ?? [], address: errors.address ?? [] }, values }, { status: 400 });
  }
  const result = await confirmIvrItem(context.services, {
    id: itemId,
    operatorId: operator.id,
    name: parsed.data.name,
    kana: parsed.data.kana,
    postalCode: parsed.data.postalCode,
    address: parsed.data.address || null,
    ip: context.clientIp,
  });
  if (!result.ok) {
    const message =
      result.reason === "not_claimed"
        ? "担当の期限が切れたか、ほかの人が担当しています。作業の一覧から、もう一度「担当する」を押してください。"
        : result.reason === "letter_printed"
          ? "この手紙は、もう印刷されました。宛名を直すには、手紙の印刷の担当者に相談してください。"
          : "この項目が見つかりません。";
    return json({ errors: { "": [message] }, values }, { status: 409 });
  }
  return redirect(`/ops/queue/ivr?done=${itemId}`);
}

export default function IvrItemRoute() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  if (!data.claimed) {
    return (
      <>
        <PageHeading caption={<a href="/ops/queue/ivr">電話（自動音声）で聞き取ったお名前</a>}>聞き取った内容の確認</PageHeading>
        {result?.errors && <ErrorSummary errors={result.errors} />}
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
  const { item, done } = data;
  const values = result?.values;
  const errors = result?.errors as Record<string, string[]> | undefined;
  return (
    <>
      {errors && <ErrorSummary errors={errors} />}
      <PageHeading caption={<a href="/ops/queue/ivr">電話（自動音声）で聞き取ったお名前</a>}>
        {item.purpose === "form" ? "申込書の郵送：宛名の確認" : "電話での申し込み：お名前の確認"}
      </PageHeading>
      {done && <Notice variant="success">この項目は確認済みです。</Notice>}
      <SummaryList
        rows={[
          { key: "電話の日時", value: formatJstDateTime(item.at) },
          { key: "発信者番号", value: item.from ?? "非通知" },
          { key: "音声認識で聞き取ったお名前", value: item.heard.name ?? "" },
          ...(item.purpose === "form"
            ? [
                { key: "聞き取った郵便番号", value: item.heard.postalCode ?? "" },
                { key: "聞き取ったご住所", value: item.heard.address ?? "" },
              ]
            : []),
          ...(item.application
            ? [
                {
                  key: "お申し込み",
                  value: (
                    <>
                      受付番号 <span className="digits">{item.application.reference}</span>（{STATUS_LABELS[item.application.status as ApplicationStatus]?.label ?? item.application.status}）{" "}
                      <a href={`/ops/lines/${item.application.lineId}`}>回線の記録を見る</a>
                    </>
                  ),
                },
              ]
            : []),
        ]}
      />
      <h2>録音</h2>
      {item.recordings.name || item.recordings.address ? (
        <ul>
          {item.recordings.name && (
            <li>
              <a href={item.recordings.name} rel="noreferrer" target="_blank">
                お名前の録音を聞く（新しいタブで開きます）
              </a>
            </li>
          )}
          {item.recordings.address && (
            <li>
              <a href={item.recordings.address} rel="noreferrer" target="_blank">
                ご住所の録音を聞く（新しいタブで開きます）
              </a>
            </li>
          )}
        </ul>
      ) : (
        <p>録音はありません。聞き取った文字だけで確かめてください。</p>
      )}
      {!done && (
        <>
          <h2>確認した内容</h2>
          <p>録音を聞いて、正しい表記を入力してください。聞き取りが正しければ、そのまま「確認して保存する」を押します。</p>
          <Form method="post" noValidate>
            <CsrfField />
            <Field
              name="name"
              label="お名前（漢字）"
              required
              defaultValue={values?.name ?? item.application?.subscriberName ?? item.letter?.name ?? item.heard.name ?? ""}
              error={errors?.name}
            />
            {item.application && (
              <Field
                name="kana"
                label="フリガナ"
                required={false}
                support="電話では聞き取っていません。録音から分かるときに入力すると、フリガナで検索できるようになります。"
                defaultValue={values?.kana ?? item.application.subscriberKana ?? ""}
                error={errors?.kana}
              />
            )}
            {item.purpose === "form" && (
              <>
                <Field
                  name="postalCode"
                  label="郵便番号"
                  required={false}
                  inputMode="numeric"
                  width={10}
                  support="7けたの数字。例：1000001"
                  defaultValue={values?.postalCode ?? item.letter?.postalCode ?? item.heard.postalCode ?? ""}
                  error={errors?.postalCode}
                />
                <Field name="address" label="ご住所" required={false} defaultValue={values?.address ?? item.letter?.address ?? item.heard.address ?? ""} error={errors?.address} />
              </>
            )}
            <div className="button-row">
              <Button name="intent" value="confirm">
                確認して保存する
              </Button>
              <Button name="intent" value="release" variant="secondary">
                担当をやめる
              </Button>
            </div>
          </Form>
        </>
      )}
    </>
  );
}
