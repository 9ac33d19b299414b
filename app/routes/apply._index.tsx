import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { ja } from "~/locales/ja";
import { Button, Notice, PageHeading } from "~/components/ui";
import { firstIncompleteStep, STEP_PATHS } from "~/domain/apply-journey";
import { createDraft, getDraft } from "~/lib/apply-draft.server";
import { readForm } from "~/lib/csrf.server";

export const meta: MetaFunction = () => [{ title: "ウェブでのお申し込み｜国際電話不取扱受付センター" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const draft = await getDraft(request, context);
  return json({
    assisted: url.searchParams.get("assisted") === "1",
    expired: url.searchParams.get("expired") === "1",
    notStarted: url.searchParams.get("start") === "1",
    resume: draft && !draft.applicationId ? STEP_PATHS[firstIncompleteStep(draft.answers)] : null,
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const { setCookie } = await createDraft(context, { assisted: form.get("assisted") === "1" });
  return redirect(STEP_PATHS.number, { status: 303, headers: { "Set-Cookie": setCookie } });
}

export default function ApplyStart() {
  const { assisted, expired, notStarted, resume } = useLoaderData<typeof loader>();
  return (
    <>
      {expired && (
        <Notice variant="warning" title="はじめからお願いします">
          時間がたったため、入力した内容が消えました。お手数ですが、はじめからお願いします。
        </Notice>
      )}
      {notStarted && !expired && <Notice title={ja.journey.notStartedTitle}>{ja.journey.notStarted}</Notice>}
      <PageHeading caption={assisted ? "窓口での代理入力" : undefined}>ウェブで国際電話の休止を申し込む</PageHeading>
      <p>5分ほどで終わります。パスワードは、いりません。</p>
      <p>
        紙の申込書で申し込むときは、<Link to="/forms">申込書の印刷・取り寄せ</Link>へ。
      </p>
      <h2>用意するもの</h2>
      <ul>
        <li>止めたい固定電話の番号</li>
        <li>その電話のそばにいること（確認の電話がかかってきます）</li>
        <li>契約者のお名前と住所</li>
      </ul>
      <h2>確認の電話について</h2>
      <p>
        止めたい電話番号に、センターから電話をかけます。電話で読み上げる4けたの番号を、画面に入力してください。ご家族などが申し込むときは、電話に出た契約者ご本人に、同意のボタンを押していただきます。
      </p>
      {assisted && (
        <Notice title="窓口の方へ">
          ご本人と一緒に入力してください。最後に、ご本人にお渡しする控えを印刷できます。
        </Notice>
      )}
      <Form method="post">
        <CsrfField />
        {assisted && <input type="hidden" name="assisted" value="1" />}
        <Button>はじめる</Button>
      </Form>
      {resume && (
        <p>
          <Link to={resume}>入力の続きから再開する</Link>
        </p>
      )}
    </>
  );
}
