import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Notice, PageHeading } from "~/components/ui";
import { ACTION_LABELS, ORDER_STATUS_LABELS, type OrderStatus } from "~/domain/carrier-orders";
import { CARRIER_NAMES, SCOPE_LABELS, isCarrierCode, isScope } from "~/domain/carriers";
import { formatReference } from "~/domain/reference-number";
import { requireOperator } from "~/lib/auth.server";
import { slaReport } from "~/lib/carrier-sla.server";
import { formatJstDateTime } from "~/lib/format";

export const meta: MetaFunction = () => [{ title: "電話会社の対応の遅れ（SLA）｜受付センター 業務システム" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireOperator(request, context, ["operator", "supervisor", "admin"]);
  const report = await slaReport(context.services);
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "carrier_sla.view",
    subjectType: "carrier_order",
    ip: context.clientIp,
    detail: { lateBatches: report.lateBatches.length, lateOrders: report.lateOrderCount },
  });
  return json(report);
}

const carrierName = (code: string) => (isCarrierCode(code) ? CARRIER_NAMES[code] : code);
const hours = (h: number) => (h >= 48 ? `${Math.floor(h / 24)}日` : `${Math.max(1, Math.floor(h))}時間`);

export default function SlaRoute() {
  const report = useLoaderData<typeof loader>();
  const clean = report.lateBatches.length === 0 && report.lateOrderCount === 0;
  return (
    <>
      <PageHeading>電話会社の対応の遅れ（SLA）</PageHeading>
      <p>
        バッチを作ってから <strong>{report.config.ackHours}時間</strong> 以内に受領確認がないバッチと、指示を作ってから <strong>{report.config.doneHours}時間</strong> 以内に結果が届かない指示を表示します（設定：CARRIER_SLA_ACK_HOURS、CARRIER_SLA_DONE_HOURS）。
      </p>
      {clean ? (
        <Notice variant="success" title="遅れはありません" />
      ) : (
        <>
          <h2>電話会社ごとの件数</h2>
          <table className="table">
            <caption className="visually-hidden">電話会社ごとの遅れの件数</caption>
            <thead>
              <tr>
                <th scope="col">電話会社</th>
                <th scope="col" className="numeric">受領確認のないバッチ</th>
                <th scope="col" className="numeric">結果のない指示</th>
              </tr>
            </thead>
            <tbody>
              {report.byCarrier.map((row) => (
                <tr key={row.carrierCode}>
                  <th scope="row">{carrierName(row.carrierCode)}</th>
                  <td className="numeric digits">{row.notAcknowledged}</td>
                  <td className="numeric digits">{row.notDone}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>受領確認のないバッチ</h2>
          {report.lateBatches.length === 0 ? (
            <p>ありません。</p>
          ) : (
            <table className="table table--compact">
              <caption className="visually-hidden">受領確認のないバッチ（古い順）</caption>
              <thead>
                <tr>
                  <th scope="col">電話会社</th>
                  <th scope="col">番号</th>
                  <th scope="col" className="numeric">件数</th>
                  <th scope="col">作成</th>
                  <th scope="col">送信・取得</th>
                  <th scope="col">遅れ</th>
                </tr>
              </thead>
              <tbody>
                {report.lateBatches.map((b) => (
                  <tr key={b.id}>
                    <th scope="row">{carrierName(b.carrierCode)}</th>
                    <td className="digits">{`第${b.sequence}号`}</td>
                    <td className="numeric digits">{b.recordCount}</td>
                    <td className="nowrap">{formatJstDateTime(b.cutAt)}</td>
                    <td className="nowrap">{b.sentAt ? formatJstDateTime(b.sentAt) : "まだ取りに来ていません"}</td>
                    <td>{hours(b.overdueHours)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>{`結果のない指示（${report.lateOrderCount}件）`}</h2>
          {report.lateOrders.length === 0 ? (
            <p>ありません。</p>
          ) : (
            <table className="table table--compact">
              <caption className="visually-hidden">結果のない指示（古い順に最大200件）</caption>
              <thead>
                <tr>
                  <th scope="col">電話会社</th>
                  <th scope="col">指示</th>
                  <th scope="col">受付番号</th>
                  <th scope="col">状態</th>
                  <th scope="col">バッチ</th>
                  <th scope="col">作成</th>
                  <th scope="col">遅れ</th>
                </tr>
              </thead>
              <tbody>
                {report.lateOrders.map((o) => (
                  <tr key={o.id}>
                    <th scope="row">{carrierName(o.carrierCode)}</th>
                    <td>
                      {`${ACTION_LABELS[o.action]}（${isScope(o.scope) ? SCOPE_LABELS[o.scope] : o.scope}）`}
                    </td>
                    <td className="digits">{o.reference ? formatReference(o.reference) : "—"}</td>
                    <td>{ORDER_STATUS_LABELS[o.status as OrderStatus] ?? o.status}</td>
                    <td className="digits">{o.sequence === null ? "—" : `第${o.sequence}号`}</td>
                    <td className="nowrap">{formatJstDateTime(o.createdAt)}</td>
                    <td>{hours(o.overdueHours)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
