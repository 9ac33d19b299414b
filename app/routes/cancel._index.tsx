import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { ja } from "~/locales/ja";
import { Button, Notice, PageHeading } from "~/components/ui";
import { CANCEL_STEP_PATHS, firstIncompleteCancelStep } from "~/domain/cancel-forms";
import { formatDisplay } from "~/domain/phone";
import { createCancelDraft, getCancelDraft } from "~/lib/cancel-draft.server";
import { readForm } from "~/lib/csrf.server";

export const meta: MetaFunction = () => [{ title: "国際電話の休止の解除・取り下げのお申し出｜国際電話不取扱受付センター" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const draft = await getCancelDraft(request, context);
  return json({
    expired: url.searchParams.get("expired") === "1",
    notStarted: url.searchParams.get("start") === "1",
    resume: draft && !draft.cancellationId ? CANCEL_STEP_PATHS[firstIncompleteCancelStep(draft.answers)] : null,
    centrePhone: formatDisplay(context.services.config.centrePhoneNumber),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  await readForm(request, context);
  const { setCookie } = await createCancelDraft(context);
  return redirect(CANCEL_STEP_PATHS.number, { status: 303, headers: { "Set-Cookie": setCookie } });
}

export default function CancelStart() {
  const { expired, notStarted, resume, centrePhone } = useLoaderData<typeof loader>();
  return (
    <>
      {expired && (
        <Notice variant="warning" title="はじめからお願いします">
          時間がたったため、入力した内容が消えました。お手数ですが、はじめからお願いします。
        </Notice>
      )}
      {notStarted && !expired && <Notice title={ja.journey.notStartedTitle}>{ja.journey.notStarted}</Notice>}
      <PageHeading>国際電話の休止をやめたい方（解除・取り下げ）</PageHeading>
      <p>国際電話を止めるお申し込みを取り下げたい方や、止めている国際電話を元に戻したい方は、ここからお申し出ください。</p>
      <p>
        紙の申込書でお申し出をするときは、<Link to="/forms">申込書の印刷・取り寄せ</Link>へ。
      </p>
      <h2>ご契約者ご本人に、必ず確かめます</h2>
      <p>
        お申し出のあと、センターから、ご契約の固定電話に確認の電話をかけます。ご契約者ご本人が、電話のボタンの「1」を押して同意されたときだけ、お手続きをします。
      </p>
      <p>ご家族の方がお申し出をするときは、ご契約者ご本人が電話に出られるときに、お申し出ください。</p>
      <h2>すぐには元に戻りません</h2>
      <ul>
        <li>止めている国際電話を元に戻すときは、最初にお申し込みをされた方にもお知らせして、3日ほどお待ちいただいてから、電話会社に手続きを送ります。</li>
        <li>電話会社での手続きにも、日数がかかります。</li>
      </ul>
      <h2>用意するもの</h2>
      <ul>
        <li>国際電話を止めている（止めるお申し込みをした）固定電話の番号</li>
        <li>お申し出をする方の、ご連絡先の電話番号</li>
      </ul>
      <Form method="post">
        <CsrfField />
        <Button>はじめる</Button>
      </Form>
      {resume && (
        <p>
          <Link to={resume}>入力の続きから再開する</Link>
        </p>
      )}
      <h2>お電話でもお申し出いただけます</h2>
      <p>
        ご契約の固定電話から <span className="digits nowrap">{centrePhone}</span> にかけて、「4」を押してください（24時間）。
      </p>
      <p>
        休止の解除のお知らせを受け取った方で、反対のときは、<Link to="/cancel/object">解除への反対のお申し出</Link>へ。
      </p>
      <Notice variant="warning" title="ご注意">
        「国際電話を元に戻すように」と、知らない人から電話で言われた場合は、詐欺のおそれがあります。お申し出をしないでください。
      </Notice>
    </>
  );
}
