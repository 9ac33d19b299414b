import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ButtonLink, Notice, PageHeading } from "~/components/ui";
import { speakableGroups } from "~/domain/reference-number";
import { formatDisplay } from "~/domain/phone";
import { requireDraft } from "~/lib/apply-draft.server";
import { receiptFor } from "~/lib/apply-submit.server";
import { directReminderText } from "~/lib/direct-reminder.server";

export const meta: MetaFunction = () => [{ title: "お申し込みを受け付けました｜国際電話の休止のお申し込み" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const draft = await requireDraft(request, context);
  if (!draft.applicationId) throw redirect("/apply/check");
  const receipt = await receiptFor(context, draft.applicationId);
  if (!receipt) throw redirect("/apply");
  return json({
    groups: speakableGroups(receipt.reference),
    statusLabel: receipt.statusLabel,
    number: receipt.number,
    assisted: receipt.assisted,
    centrePhone: formatDisplay(context.services.config.centrePhoneNumber),
    previous: draft.answers.number?.previousE164 ? formatDisplay(draft.answers.number.previousE164) : null,
    // Issue 15, point 4: a scope the carrier takes only directly is said here, at the end.
    reminder: await directReminderText(context.services.db, draft.applicationId),
  });
}

export default function Done() {
  const { groups, number, assisted, centrePhone, previous, reminder } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="panel panel--success">
        <PageHeading>お申し込みを受け付けました</PageHeading>
        <p className="panel__title">受付番号</p>
        <p className="panel__body digits reference" aria-label={`受付番号 ${groups.join("、")}`}>
          {groups.join(" - ")}
        </p>
      </div>
      <p>
        <span className="digits nowrap">{number}</span> の国際電話を止めるお申し込みです。受付番号を、控えておいてください。
      </p>
      {reminder && (
        <Notice variant="warning" title={reminder.title}>
          {reminder.sentences.map((sentence) => (
            <p key={sentence}>{sentence}</p>
          ))}
        </Notice>
      )}
      {previous && (
        <Notice title="前の電話番号について">
          前の番号 <span className="digits nowrap">{previous}</span> の休止の解除も受け付けました。前の番号の電話に確認の電話をかけ、契約者ご本人が「1」を押したときに、お手続きします。
        </Notice>
      )}
      <h2>これからの流れ</h2>
      <ol>
        <li>センターから、ご契約の電話会社にお申し込みを送ります。</li>
        <li>電話会社での手続きは、通常2週間ほどで終わります。</li>
        <li>終わったら、ご住所にお手紙でお知らせします。</li>
      </ol>
      <h2>控えの印刷</h2>
      <p>
        <ButtonLink href="/apply/receipt" variant="secondary">
          {assisted ? "ご本人にお渡しする控えを印刷する（PDF）" : "受付控えを印刷する（PDF）"}
        </ButtonLink>
      </p>
      <h2>状況の確かめ方</h2>
      <ul>
        <li>
          ウェブ：<Link to="/status">お申し込みの状況</Link>で、受付番号と電話番号を入力してください。
        </li>
        <li>
          電話：<span className="digits nowrap">{centrePhone}</span> にかけて、「2」を押してください（24時間）。
        </li>
      </ul>
      <Notice variant="warning" title="ご注意">
        センターや電話会社が、お金や暗証番号、キャッシュカードのことをお聞きすることはありません。
      </Notice>
    </>
  );
}
