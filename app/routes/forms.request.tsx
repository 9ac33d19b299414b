import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useStepForm } from "~/components/apply/useStepForm";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Field, Notice, PageHeading, RadioGroup } from "~/components/ui";
import { formRequestSchema } from "~/domain/form-request";
import { readFlashCookie } from "~/lib/flash-cookie.server";
import { FORM_REQUEST_COOKIE } from "~/lib/form-requests.server";
import { jaForms } from "~/locales/ja-forms";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.lastResult ? "エラー：" : ""}${jaForms.request.title}｜国際電話不取扱受付センター` },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { value, clear } = readFlashCookie<Record<string, unknown>>(request, context, FORM_REQUEST_COOKIE);
  return json({ lastResult: value }, value ? { headers: { "Set-Cookie": clear } } : undefined);
}

export default function FormRequestPage() {
  const { lastResult } = useLoaderData<typeof loader>();
  const [form, fields] = useStepForm(formRequestSchema, lastResult);
  const t = jaForms.request;
  const formErrors = ((lastResult?.error as Record<string, string[]> | undefined)?.[""] ?? []) as string[];
  const value = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  return (
    <>
      <ErrorSummary
        errors={{
          number: fields.number.errors,
          name: fields.name.errors,
          kana: fields.kana.errors,
          delivery: fields.delivery.errors,
          postalCode: fields.postalCode.errors,
          address: fields.address.errors,
          "": formErrors,
        }}
      />
      <PageHeading>{t.title}</PageHeading>
      <p>{t.lead}</p>
      <Notice title="この申込書で申し込めること">国際電話を止めるお申し込みの申込書です。止めている国際電話を元に戻すときは、<Link to="/forms">解除・取り下げの申込書</Link>を使ってください。</Notice>
      {/* A plain form post (reloadDocument) to a resource route: "print" answers with the PDF itself. */}
      <Form method="post" action="/forms/request/send" id={form.id} onSubmit={form.onSubmit} noValidate reloadDocument>
        <CsrfField />
        <Field
          name="number"
          label="止めたい固定電話の番号"
          required
          support="市外局番から入力してください。例：0312345678"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          width={13}
          defaultValue={value(fields.number.initialValue)}
          error={fields.number.errors}
        />
        <Field name="name" label="電話の契約者のお名前" required support="例：山田 花子" autoComplete="off" width={20} defaultValue={value(fields.name.initialValue)} error={fields.name.errors} />
        <Field name="kana" label="フリガナ" required={false} support="カタカナかひらがなで入力してください。例：ヤマダ ハナコ" autoComplete="off" width={20} defaultValue={value(fields.kana.initialValue)} error={fields.kana.errors} />
        <RadioGroup
          name="delivery"
          legend={t.deliveryLegend}
          required
          defaultValue={value(fields.delivery.initialValue)}
          error={fields.delivery.errors}
          options={[
            { value: "print", label: t.deliveryPrint, hint: t.deliveryPrintHint },
            { value: "mail", label: t.deliveryMail, hint: t.deliveryMailHint },
          ]}
        />
        <Field
          name="postalCode"
          label="郵便番号"
          required={false}
          badge={<span className="requirement-badge requirement-badge--required">※郵便で受け取るときは必須</span>}
          support="7けたの数字で入力してください。例：1000001"
          inputMode="numeric"
          autoComplete="postal-code"
          width={10}
          defaultValue={value(fields.postalCode.initialValue)}
          error={fields.postalCode.errors}
        />
        <Field
          name="address"
          label="住所（申込書に印刷し、郵便をお届けする住所）"
          required={false}
          badge={<span className="requirement-badge requirement-badge--required">※郵便で受け取るときは必須</span>}
          support="都道府県から、建物の名前と部屋の番号まで入力してください。"
          autoComplete="street-address"
          width="full"
          defaultValue={value(fields.address.initialValue)}
          error={fields.address.errors}
        />
        <Button>{t.submit}</Button>
      </Form>
      <p>
        <Link to="/forms">申込書のページへ戻る</Link>
      </p>
    </>
  );
}
