import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { CodeField } from "~/components/ops/CodeField";
import { Button, ErrorSummary, PageHeading } from "~/components/ui";
import { checkSecondFactor, clearPendingLoginCookie, LOGIN_STEP_PATHS, pendingLoginState, totpEnrolment } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";
import { groupedSecret } from "~/lib/totp.server";
import { SECOND_FACTOR_MESSAGES } from "~/lib/login-messages";

export const meta: MetaFunction = () => [{ title: "認証アプリの登録｜受付センター 業務システム" }];

async function enrolmentView(request: Request, context: LoaderFunctionArgs["context"]) {
  const state = await pendingLoginState(request, context);
  if (!state) throw redirect("/ops/login");
  if (state.step !== "enrol_totp") throw redirect(LOGIN_STEP_PATHS[state.step]);
  const enrolment = await totpEnrolment(context, state.operator.id);
  if (!enrolment) throw redirect(LOGIN_STEP_PATHS.totp);
  return { state, enrolment };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { enrolment, state } = await enrolmentView(request, context);
  return json(
    { qrDataUrl: enrolment.qrDataUrl, secret: groupedSecret(enrolment.secret), username: state.operator.username },
    // The page carries the secret: never keep it in a cache.
    { headers: { "Cache-Control": "no-store" } },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const { state, enrolment } = await enrolmentView(request, context);
  const result = await checkSecondFactor(context, state.operator.id, String(form.get("code") ?? ""), "enrol");
  const view = { qrDataUrl: enrolment.qrDataUrl, secret: groupedSecret(enrolment.secret), username: state.operator.username };
  // Checked, counted, audited and (when right) enrolment, login and session, in one transaction.
  if (!result.ok) {
    return json({ ...view, errors: { code: [SECOND_FACTOR_MESSAGES[result.reason]] } }, { status: result.reason === "format" ? 400 : 401, headers: { "Cache-Control": "no-store" } });
  }
  const headers = new Headers();
  headers.append("Set-Cookie", result.cookie);
  headers.append("Set-Cookie", clearPendingLoginCookie(context));
  return redirect(state.pending.redirectTo, { headers });
}

export default function TotpEnrolRoute() {
  const loaded = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const view = data ?? loaded;
  return (
    <div className="main--narrow">
      <ErrorSummary errors={data?.errors ?? null} />
      <PageHeading caption="はじめてのログイン">認証アプリの登録</PageHeading>
      <p>この業務システムでは、パスワードのほかに、スマートフォンの認証アプリに表示される番号でご本人を確かめます。</p>
      <ol>
        <li>スマートフォンの認証アプリ（Google Authenticator、Microsoft Authenticator など）を開きます。</li>
        <li>アプリでアカウントを追加し、下のQRコードを読み取ります。</li>
        <li>アプリに表示された6けたの番号を入力して、「登録してログイン」を押します。</li>
      </ol>
      <figure className="totp-qr">
        <img src={view.qrDataUrl} alt={`認証アプリに登録するQRコード（ユーザー名 ${view.username}）`} width={246} height={246} />
        <figcaption>
          QRコードを読み取れないときは、アプリに次の文字を入力してください（「時間ベース」を選びます）。
          <br />
          <code className="totp-secret" data-totp-secret>
            {view.secret}
          </code>
        </figcaption>
      </figure>
      <Form method="post" noValidate>
        <CsrfField />
        <CodeField error={data?.errors?.code} />
        <Button>登録してログイン</Button>
      </Form>
      <p>
        <a href="/ops/login">はじめからやり直す</a>
      </p>
    </div>
  );
}
