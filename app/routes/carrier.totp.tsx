/** Carrier sign-in, step 2 of 2: the authenticator app's code (issue 12; the operators' TOTP). */
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { CodeField } from "~/components/ops/CodeField";
import { Button, ErrorSummary, Notice, PageHeading } from "~/components/ui";
import { CARRIER_LOGIN_STEP_PATHS, carrierPendingLoginState, carrierSecondFactorStep, clearCarrierPendingLoginCookie } from "~/lib/carrier-auth.server";
import { readForm } from "~/lib/csrf.server";
import { SECOND_FACTOR_MESSAGES } from "~/lib/login-messages";

/** Sign-in pages (the enrolment one carries the secret) are never cached. */
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export const meta: MetaFunction<typeof loader, Record<string, unknown>> = ({ data }) => [
  { title: `${data && "locked" in data && data.locked ? "エラー：" : ""}確認コードの入力｜電話会社向けページ` },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const state = await carrierPendingLoginState(request, context);
  if (!state) return redirect("/carrier/login");
  if (state.step !== "totp") return redirect(CARRIER_LOGIN_STEP_PATHS[state.step]);
  return json({ locked: state.locked }, { headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const state = await carrierPendingLoginState(request, context);
  if (!state) return redirect("/carrier/login");
  if (state.step !== "totp") return redirect(CARRIER_LOGIN_STEP_PATHS[state.step]);
  // Checked, counted, audited and (when right) the session started, in one transaction.
  const result = await carrierSecondFactorStep(context, state.user.id, String(form.get("code") ?? ""), "login");
  if (!result.ok) return json({ errors: { code: [SECOND_FACTOR_MESSAGES[result.reason]] } }, { status: result.reason === "format" ? 400 : 401 });
  const headers = new Headers();
  headers.append("Set-Cookie", result.cookie);
  headers.append("Set-Cookie", clearCarrierPendingLoginCookie(context));
  return redirect(state.pending.redirectTo, { headers });
}

export default function CarrierTotpRoute() {
  const { locked } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <div className="main--narrow">
      <ErrorSummary errors={data?.errors ?? null} />
      <PageHeading caption="ログイン（2／2）">確認コードの入力</PageHeading>
      {locked && <Notice variant="warning">{SECOND_FACTOR_MESSAGES.locked}</Notice>}
      <p>スマートフォンの認証アプリを開いて、「国際電話不取扱受付センター」の6けたの番号を入力してください。番号は30秒ごとに変わります。</p>
      <Form method="post" noValidate>
        <CsrfField />
        <CodeField error={data?.errors?.code} />
        <Button>ログイン</Button>
      </Form>
      <p>
        <a href="/carrier/login">はじめからやり直す</a>
      </p>
    </div>
  );
}
