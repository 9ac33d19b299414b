import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Notice, PageHeading } from "~/components/ui";
import { formatDisplay } from "~/domain/phone";
import { speakableGroups } from "~/domain/reference-number";
import { requireCancelDraft } from "~/lib/cancel-draft.server";
import { CANCELLATION_POLICY, cancellationReceipt } from "~/lib/cancellations.server";

export const meta: MetaFunction = () => [{ title: "お申し出を受け付けました｜国際電話の休止の解除・取り下げ" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const draft = await requireCancelDraft(request, context);
  if (!draft.cancellationId) throw redirect("/cancel/check");
  const receipt = await cancellationReceipt(context.services, draft.cancellationId);
  if (!receipt) throw redirect("/cancel");
  return json({
    groups: speakableGroups(receipt.reference),
    number: receipt.number,
    coolingOffHours: CANCELLATION_POLICY.state.coolingOffHours,
    centrePhone: formatDisplay(context.services.config.centrePhoneNumber),
  });
}

export default function CancelDone() {
  const { groups, number, coolingOffHours, centrePhone } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="panel panel--success">
        <PageHeading>お申し出を受け付けました</PageHeading>
        <p className="panel__title">受付番号</p>
        <p className="panel__body digits reference" aria-label={`受付番号 ${groups.join("、")}`}>
          {groups.join(" - ")}
        </p>
      </div>
      <p>受付番号を、控えておいてください。</p>
      <Notice variant="warning" title="まだ、国際電話は元に戻っていません">
        このお申し出だけでは、国際電話はつながるようになりません。
      </Notice>
      <h2>これからの流れ</h2>
      <ol>
        <li>
          ご本人に確認の電話をします。センターから <span className="digits nowrap">{number}</span> に電話をかけます。ご契約者ご本人が電話に出て、ボタンの「1」を押してください。
        </li>
        <li>ご本人が「2」を押したときや、確かめられなかったときは、お手続きをしません。国際電話は止めたままです。</li>
        <li>内容によっては、センターの係の者が、ご連絡先にお電話することがあります。</li>
        <li>
          止めている国際電話を元に戻すときは、最初にお申し込みをされた方にもお知らせして、{coolingOffHours}時間お待ちいただいてから、電話会社に手続きを送ります。電話会社での手続きにも、日数がかかります。
        </li>
        <li>お申し込みがまだ電話会社に送られていないときは、ご本人の確認のあと、お申し込みを取り下げます。</li>
      </ol>
      <h2>お問い合わせ</h2>
      <p>
        センター <span className="digits nowrap">{centrePhone}</span>（受付番号をお伝えください）
      </p>
      <p>
        <Link to="/">トップページへ</Link>
      </p>
      <Notice variant="warning" title="ご注意">
        センターや電話会社が、お金や暗証番号、キャッシュカードのことをお聞きすることはありません。
      </Notice>
    </>
  );
}
