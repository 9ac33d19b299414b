/** Carrier sign-in, first time: register the authenticator app (issue 12; the operators' TOTP enrolment). */
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { CodeField } from "~/components/ops/CodeField";
import { Button, ErrorSummary, PageHeading } from "~/components/ui";
import {
  CARRIER_LOGIN_STEP_PATHS,
  carrierPendingLoginState,
  carrierSecondFactorStep,
  carrierTotpEnrolment,
  clearCarrierPendingLoginCookie,
} from "~/lib/carrier-auth.server";
import { readForm } from "~/lib/csrf.server";
import { SECOND_FACTOR_MESSAGES } from "~/lib/login-messages";
import { groupedSecret } from "~/lib/totp.server";

/** Sign-in pages (the enrolment one carries the secret) are never cached. */
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export const meta: MetaFunction = () => [{ title: "認証アプリの登録｜電話会社向けページ" }];

async function enrolmentView(request: Request, context: LoaderFunctionArgs["context"]) {
  const state = await carrierPendingLoginState(request, context);
  if (!state) throw redirect("/carrier/login");
  if (state.step !== "enrol_totp") throw redirect(CARRIER_LOGIN_STEP_PATHS[state.step]);
  const enrolment = await carrierTotpEnrolment(context, state.user.id);
  if (!enrolment) throw redirect(CARRIER_LOGIN_STEP_PATHS.totp);
  return { state, view: { qrDataUrl: enrolment.qrDataUrl, secret: groupedSecret(enrolment.secret), username: state.user.username } };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { view } = await enrolmentView(request, context);
  // The page carries the secret: never keep it in a cache.
  return json(view, { headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const { state, view } = await enrolmentView(request, context);
  const result = await carrierSecondFactorStep(context, state.user.id, String(form.get("code") ?? ""), "enrol");
  if (!result.ok) {
    return json({ ...view, errors: { code: [SECOND_FACTOR_MESSAGES[result.reason]] } }, { status: result.reason === "format" ? 400 : 401, headers: { "Cache-Control": "no-store" } });
  }
  const headers = new Headers();
  headers.append("Set-Cookie", result.cookie);
  headers.append("Set-Cookie", clearCarrierPendingLoginCookie(context));
  return redirect(state.pending.redirectTo, { headers });
}

export default function CarrierTotpEnrolRoute() {
  const loaded = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const view = data ?? loaded;
  return (
    <div className="main--narrow">
      <ErrorSummary errors={data?.errors ?? null} />
      <PageHeading caption="はじめてのログイン">認証アプリの登録</PageHeading>
      <p>電話会社向けページでは、パスワードのほかに、スマートフォンの認証アプリに表示される番号でご本人を確かめます。</p>
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
        <a href="/carrier/login">はじめからやり直す</a>
      </p>
    </div>
  );
}
