import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Notice, PageHeading } from "~/components/ui";
import { BATCH_SCHEDULE_LABELS, isBatchSchedule } from "~/domain/carrier-schedules";
import { FILE_FORMAT_LABELS, isFileFormat } from "~/domain/carrier-files";
import { requireOperator } from "~/lib/auth.server";
import { openExceptionCount } from "~/lib/carrier-orders.server";
import { listCarriers } from "~/lib/carrier-registry.server";
import { formatJstDateTime } from "~/lib/format";

export const meta: MetaFunction = () => [{ title: "電話会社の設定｜受付センター 業務システム" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireOperator(request, context, ["admin"]);
  const carriers = await listCarriers(context.services);
  await context.services.audit.record({ actor: `operator:${operator.id}`, action: "carrier.list", subjectType: "carrier", ip: context.clientIp });
  return json({ carriers, openExceptions: await openExceptionCount(context.services) });
}

export default function CarriersRoute() {
  const { carriers, openExceptions } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeading>電話会社の設定</PageHeading>
      {openExceptions > 0 && (
        <Notice variant="warning" title={`対応が必要な例外が ${openExceptions} 件あります`}>
          <p>
            <a href="/ops/carriers/exceptions">例外の一覧を見る</a>
          </p>
        </Notice>
      )}
      <p>
        電話会社ごとに、受け付ける休止の種類、受け渡しの方法、バッチを作る間隔、ファイルの形式、API キー、電話会社の利用者を設定します。{" "}
        <a href="/ops/sla">対応の遅れ（SLA）を見る</a>
      </p>
      <div className="table-wrapper">
        <table className="table">
          <caption className="visually-hidden">電話会社の一覧</caption>
          <thead>
            <tr>
              <th scope="col">電話会社</th>
              <th scope="col">受け渡し</th>
              <th scope="col">間隔</th>
              <th scope="col">形式</th>
              <th scope="col" className="numeric">バッチ待ち</th>
              <th scope="col" className="numeric">結果待ち</th>
              <th scope="col">最後のバッチ</th>
            </tr>
          </thead>
          <tbody>
            {carriers.map((c) => (
              <tr key={c.code}>
                <th scope="row">
                  <a href={`/ops/carriers/${c.code}`}>{c.nameJa}</a>
                  <br />
                  <span className="muted">{c.code}</span>
                  {!c.active && (
                    <>
                      {" "}
                      <span className="tag tag--red">停止中</span>
                    </>
                  )}
                </th>
                <td>{c.deliveryMode === "push" ? "プッシュ（センターから送信）" : "プル（電話会社が取得）"}</td>
                <td>{isBatchSchedule(c.schedule) ? BATCH_SCHEDULE_LABELS[c.schedule] : c.schedule}</td>
                <td>{isFileFormat(c.fileFormat) ? FILE_FORMAT_LABELS[c.fileFormat] : c.fileFormat}</td>
                <td className="numeric digits">{c.pending}</td>
                <td className="numeric digits">{c.awaitingResults}</td>
                <td>{c.lastSequence === null ? "まだありません" : `第${c.lastSequence}号（${formatJstDateTime(c.lastCutAt!)}）`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
