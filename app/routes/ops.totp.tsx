import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { CodeField } from "~/components/ops/CodeField";
import { Button, ErrorSummary, Notice, PageHeading } from "~/components/ui";
import {
  checkSecondFactor,
  clearPendingLoginCookie,
  LOGIN_STEP_PATHS,
  pendingLoginState,
} from "~/lib/auth.server";
import { SECOND_FACTOR_MESSAGES } from "~/lib/login-messages";
import { readForm } from "~/lib/csrf.server";

export const meta: MetaFunction<typeof loader, Record<string, unknown>> = ({ data }) => [
  { title: `${data && "locked" in data && data.locked ? "エラー：" : ""}確認コードの入力｜受付センター 業務システム` },
];


export async function loader({ request, context }: LoaderFunctionArgs) {
  const state = await pendingLoginState(request, context);
  if (!state) return redirect("/ops/login");
  if (state.step !== "totp") return redirect(LOGIN_STEP_PATHS[state.step]);
  return json({ locked: state.locked }, { headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const state = await pendingLoginState(request, context);
  if (!state) return redirect("/ops/login");
  if (state.step !== "totp") return redirect(LOGIN_STEP_PATHS[state.step]);
  // Checked, counted, audited and (when right) the session started, in one transaction.
  const result = await checkSecondFactor(context, state.operator.id, String(form.get("code") ?? ""), "login");
  if (!result.ok) {
    return json({ errors: { code: [SECOND_FACTOR_MESSAGES[result.reason]] } }, { status: result.reason === "format" ? 400 : 401 });
  }
  const headers = new Headers();
  headers.append("Set-Cookie", result.cookie);
  headers.append("Set-Cookie", clearPendingLoginCookie(context));
  return redirect(state.pending.redirectTo, { headers });
}

export default function TotpRoute() {
  const { locked } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <div className="main--narrow">
      <ErrorSummary errors={data?.errors ?? null} />
      <PageHeading caption="ログイン（2／2）">確認コードの入力</PageHeading>
      {locked && <Notice variant="warning">{SECOND_FACTOR_MESSAGES.locked}</Notice>}
      <p>スマートフォンの認証アプリを開いて、「{"国際電話不取扱受付センター"}」の6けたの番号を入力してください。番号は30秒ごとに変わります。</p>
      <Form method="post" noValidate>
        <CsrfField />
        <CodeField error={data?.errors?.code} />
        <Button>ログイン</Button>
      </Form>
      <p>
        <a href="/ops/login">はじめからやり直す</a>
      </p>
    </div>
  );
}
