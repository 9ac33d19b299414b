import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useSearchParams } from "@remix-run/react";
import { loginSchema } from "~/domain/login-form";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Field, PageHeading } from "~/components/ui";
import { carrierPasswordStep, getCarrierUser } from "~/lib/carrier-auth.server";
import { readForm } from "~/lib/csrf.server";

export const meta: MetaFunction<typeof loader, Record<string, unknown>> = ({ data }) => [
  { title: `${data && "failed" in data ? "エラー：" : ""}ログイン｜電話会社向けページ` },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getCarrierUser(request, context)) return redirect("/carrier");
  return json({});
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const parsed = loginSchema.safeParse(Object.fromEntries(form));
  const username = String(form.get("username") ?? "");
  if (!parsed.success) {
    const errors = parsed.error.flatten().fieldErrors;
    return json({ failed: true, username, errors: { username: errors.username, password: errors.password } }, { status: 400 });
  }
  // Checked, counted and audited in one transaction; a correct password leads to the second factor.
  const result = await carrierPasswordStep(context, { username: parsed.data.username, password: parsed.data.password, redirectTo: parsed.data.redirectTo });
  if (!result.ok) {
    const message =
      result.reason === "locked"
        ? "ログインに続けて失敗したため、しばらくログインできません。15分ほど待ってから、もう一度お試しください。"
        : "ユーザー名かパスワードが違います。確かめて、もう一度入力してください。";
    return json({ failed: true, username, errors: { username: undefined, password: [message] } }, { status: 401 });
  }
  return redirect(result.next, { headers: { "Set-Cookie": result.cookie } });
}

export default function CarrierLogin() {
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors = data?.errors;
  return (
    <div className="main--narrow">
      <ErrorSummary errors={errors ? { username: errors.username ?? [], password: errors.password ?? [] } : null} />
      <PageHeading>電話会社の担当者のログイン</PageHeading>
      <p>センターから受け取ったユーザー名とパスワードを入力してください。そのあと、スマートフォンの認証アプリに表示される6けたの番号を入力します。</p>
      <Form method="post" noValidate>
        <CsrfField />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/carrier"} />
        <Field name="username" label="ユーザー名" required autoComplete="username" defaultValue={data?.username} error={errors?.username} />
        <Field name="password" label="パスワード" required type="password" autoComplete="current-password" error={errors?.password} />
        <Button>ログイン</Button>
      </Form>
    </div>
  );
}
