import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, CheckboxGroup, ErrorSummary, Field, Notice, PageHeading, RadioGroup } from "~/components/ui";
import { CARRIER_CHOICE_LABELS, CARRIER_CHOICES, SCOPE_DESCRIPTIONS, SCOPE_LABELS, SCOPES } from "~/domain/carriers";
import { requireAccess } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";
import { entrySchema, newEntryToken, submitEntry } from "~/lib/entry.server";

export const meta: MetaFunction<typeof loader, Record<string, unknown>> = ({ data }) => [
  { title: `${data && "errors" in data ? "エラー：" : ""}電話でのお申し込みの入力｜受付センター 業務システム` },
];

const FIELDS = ["number", "previousNumber", "relation", "relationDetail", "applicantName", "contactPhone", "kanji", "kana", "postalCode", "address", "choice", "scopes"] as const;
type FieldName = (typeof FIELDS)[number];
type Values = Partial<Record<Exclude<FieldName, "scopes">, string>> & { scopes?: string[] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAccess(request, context, "entry");
  // One token per form: submitting the same form twice makes one application.
  return json({ token: newEntryToken() });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "entry", "act");
  const form = await readForm(request, context);
  const values: Values = {};
  for (const name of FIELDS) if (name !== "scopes") values[name] = String(form.get(name) ?? "");
  values.scopes = form.getAll("scopes").map(String);
  const token = String(form.get("token") ?? "");
  const parsed = entrySchema.safeParse({ ...values, token, relation: values.relation || undefined, choice: values.choice || undefined });
  if (!parsed.success) {
    const fieldErrors = parsed.error.flatten().fieldErrors as Record<string, string[] | undefined>;
    const errors: Record<string, string[]> = {};
    for (const name of [...FIELDS, "token"]) if (fieldErrors[name]?.length) errors[name] = fieldErrors[name]!;
    return json({ errors, values, token, notice: null }, { status: 400 });
  }
  const result = await submitEntry(context.services, { operatorId: operator.id, values: parsed.data, ip: context.clientIp });
  if (result.kind === "already_covered") {
    return json({ errors: null, values, token, notice: "この電話番号は、すでにお申し込みを受け付けています。新しいお申し込みは不要です。検索から、回線の記録を確かめてください。" }, { status: 409 });
  }
  if (result.kind === "not_routable") {
    return json({ errors: null, values, token, notice: result.message }, { status: 422 });
  }
  return redirect(`/ops/entry/${result.applicationId}`);
}

export default function EntryRoute() {
  const { token: freshToken } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const v = data?.values ?? {};
  const e = data?.errors ?? {};
  const token = data?.token ?? freshToken;
  return (
    <>
      {data?.errors && <ErrorSummary errors={data.errors} />}
      <PageHeading>電話でのお申し込みの入力</PageHeading>
      <p>
        お電話をいただいた方に代わって、お申し込みを入力します。入力が終わると、センターからお申し込みの電話番号に確認の電話をかけます。電話に出た方が聞いた4けたの番号を、次の画面で入力すると、お申し込みが確認済みになります。
      </p>
      {data?.notice && (
        <Notice variant="warning" role="alert">
          {data.notice}
        </Notice>
      )}
      <Form method="post" noValidate>
        <CsrfField />
        <input type="hidden" name="token" value={token} />
        <h2>電話番号</h2>
        <Field name="number" label="止めたい固定電話の番号" required type="tel" inputMode="tel" width={16} support="市外局番から。例：03-1234-5678" defaultValue={v.number} error={e.number} />
        <Field
          name="previousNumber"
          label="引っ越しなどで変わる前の電話番号"
          required={false}
          type="tel"
          inputMode="tel"
          width={16}
          support="前の番号の休止を解除するときだけ入力します。"
          defaultValue={v.previousNumber}
          error={e.previousNumber}
        />
        <h2>お申し込みをする方</h2>
        <RadioGroup
          name="relation"
          legend="お電話の方は"
          required
          options={[
            { value: "self", label: "契約者ご本人" },
            { value: "family", label: "ご家族" },
            { value: "other", label: "その他（警察・市役所・支援者など）" },
          ]}
          defaultValue={v.relation}
          error={e.relation}
        />
        <Field name="applicantName" label="お電話の方のお名前" required={false} support="ご本人以外のときは必ず入力します。" defaultValue={v.applicantName} error={e.applicantName} />
        <Field name="relationDetail" label="ご本人との続柄・所属" required={false} support="例：長男、〇〇警察署" defaultValue={v.relationDetail} error={e.relationDetail} />
        <Field name="contactPhone" label="ご連絡先の電話番号" required={false} type="tel" inputMode="tel" width={16} support="ご本人以外のときは必ず入力します。携帯電話でもかまいません。" defaultValue={v.contactPhone} error={e.contactPhone} />
        <h2>契約者</h2>
        <Field name="kanji" label="契約者のお名前" required support="例：山田 花子" defaultValue={v.kanji} error={e.kanji} />
        <Field name="kana" label="フリガナ" required support="カタカナかひらがなで。例：ヤマダ ハナコ" defaultValue={v.kana} error={e.kana} />
        <Field name="postalCode" label="郵便番号" required inputMode="numeric" width={10} support="7けたの数字。例：1000001" defaultValue={v.postalCode} error={e.postalCode} />
        <Field name="address" label="住所" required support="都道府県から。例：東京都千代田区千代田1-1" defaultValue={v.address} error={e.address} />
        <h2>電話会社と止めるもの</h2>
        <RadioGroup
          name="choice"
          legend="ご契約の電話会社"
          required
          options={CARRIER_CHOICES.map((value) => ({ value, label: CARRIER_CHOICE_LABELS[value] }))}
          defaultValue={v.choice}
          error={e.choice}
        />
        <CheckboxGroup
          name="scopes"
          legend="止めたい電話"
          required
          options={SCOPES.map((value) => ({ value, label: SCOPE_LABELS[value], hint: SCOPE_DESCRIPTIONS[value] }))}
          defaultValues={v.scopes ?? []}
          error={e.scopes}
        />
        <Button>入力を終えて、確認の電話をかける</Button>
      </Form>
    </>
  );
}
