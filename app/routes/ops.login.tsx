import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useSearchParams } from "@remix-run/react";
import { loginSchema } from "~/domain/login-form";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Field, PageHeading } from "~/components/ui";
import { checkPassword, getOperator, LOGIN_STEP_PATHS, nextLoginStep, pendingLoginCookie, safeRedirectPath } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";

export const meta: MetaFunction<typeof loader, Record<string, unknown>> = ({ data }) => [
  { title: `${data && "failed" in data ? "エラー：" : ""}ログイン｜受付センター 業務システム` },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getOperator(request, context)) return redirect("/ops");
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
  // Checked, counted and audited in one transaction (checkPassword).
  const result = await checkPassword(context, parsed.data.username, parsed.data.password);
  if (!result.ok) {
    const message =
      result.reason === "locked"
        ? "ログインに続けて失敗したため、しばらくログインできません。15分ほど待ってから、もう一度お試しください。"
        : "ユーザー名かパスワードが違います。確かめて、もう一度入力してください。";
    return json({ failed: true, username, errors: { username: undefined, password: [message] } }, { status: 401 });
  }
  const cookie = pendingLoginCookie(context, result.operatorId, safeRedirectPath(parsed.data.redirectTo));
  return redirect(LOGIN_STEP_PATHS[await nextLoginStep(context, result.operatorId)], { headers: { "Set-Cookie": cookie } });
}

export default function LoginRoute() {
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors = data?.errors;
  return (
    <div className="main--narrow">
      <ErrorSummary errors={errors ? { username: errors.username ?? [], password: errors.password ?? [] } : null} />
      <PageHeading>ログイン</PageHeading>
      <p>ユーザー名とパスワードのあと、認証アプリに表示される6けたの番号を入力します。</p>
      <Form method="post" noValidate>
        <CsrfField />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/ops"} />
        <Field name="username" label="ユーザー名" required autoComplete="username" defaultValue={data?.username} error={errors?.username} />
        <Field name="password" label="パスワード" required type="password" autoComplete="current-password" error={errors?.password} />
        <Button>ログイン</Button>
      </Form>
    </div>
  );
}
