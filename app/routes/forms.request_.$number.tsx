import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CentreContactBlock } from "~/components/CentreContactBlock";
import { Notice, PageHeading } from "~/components/ui";
import { centreContact } from "~/lib/centre-contact";
import { mailedFormStatus } from "~/lib/form-requests.server";
import { jaForms } from "~/locales/ja-forms";

export const meta: MetaFunction = () => [{ title: `${jaForms.request.doneTitle}｜国際電話不取扱受付センター` }];

/** The mailed form's request number and how far it has gone (no personal data on this page). */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const requestNumber = String(params.number ?? "").toUpperCase();
  const status = await mailedFormStatus(context.services, requestNumber);
  if (!status) throw new Response("そのご請求番号は見つかりません。", { status: 404 });
  return json({ requestNumber, status, centre: centreContact(context.services.config) });
}

export default function FormRequestDone() {
  const { requestNumber, status, centre } = useLoaderData<typeof loader>();
  const t = jaForms.request;
  const statusText = status === "printed" ? t.statusPrinted : status === "mailed" ? t.statusSent : t.statusQueued;
  return (
    <>
      <div className="panel panel--success">
        <PageHeading>{t.doneTitle}</PageHeading>
        <p className="panel__title">{t.requestNumber}</p>
        <p className="panel__body digits reference" data-testid="request-number">
          {requestNumber}
        </p>
      </div>
      <p>{t.requestNumberNote}</p>
      <p>{t.mailSent}</p>
      <h2>{t.statusHeading}</h2>
      <p data-testid="request-status">{statusText}</p>
      <Notice title="あとで確かめるとき">{t.checkStatus}</Notice>
      <CentreContactBlock centre={centre} />
      <p>
        <Link to="/forms">申込書のページへ戻る</Link>
      </p>
    </>
  );
}
