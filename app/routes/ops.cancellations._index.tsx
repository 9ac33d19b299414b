import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { PageHeading } from "~/components/ui";
import { CANCELLATION_CHANNEL_LABELS, RELATION_LABELS, RISK_SEVERITY_LABELS, type RiskSeverity } from "~/domain/cancellation-rules";
import { CANCELLATION_KIND_LABELS } from "~/domain/cancellation-state";
import { requireOperator } from "~/lib/auth.server";
import { CANCELLATION_STAFF_ROLES, reviewQueue } from "~/lib/cancellations.server";
import { formatJstDateTime } from "~/lib/format";

export const meta: MetaFunction = () => [{ title: "取り消しの確認｜受付センター 業務システム" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireOperator(request, context, CANCELLATION_STAFF_ROLES);
  const items = await reviewQueue(context.services);
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "cancellation.queue_view",
    subjectType: "cancellation",
    ip: context.clientIp,
    detail: { ids: items.map((i) => i.id) },
  });
  return json({ items });
}

const SEVERITY_TAG: Record<RiskSeverity, string> = { high: "tag tag--red", medium: "tag tag--yellow", low: "tag tag--blue" };

export default function CancellationQueue() {
  const { items } = useLoaderData<typeof loader>();
  const waiting = items.filter((i) => i.needsOperator);
  const others = items.filter((i) => !i.needsOperator);
  return (
    <>
      <PageHeading>取り消し（解除・取り下げ）の確認</PageHeading>
      <p>
        <Link to="/ops/cancellations/stats">週ごとの統計を見る</Link>
      </p>
      <h2>係の確認が必要なお申し出（{waiting.length}件）</h2>
      {waiting.length === 0 ? (
        <p>いまはありません。</p>
      ) : (
        <ul className="queue-list">
          {waiting.map((item) => (
            <li key={item.id} className="queue-list__item">
              <h3>
                <Link to={`/ops/cancellations/${item.id}`}>
                  受付番号 <span className="digits">{item.reference}</span>（{item.number}）
                </Link>
              </h3>
              <p>
                <span className="tag">{item.statusLabel}</span> {CANCELLATION_KIND_LABELS[item.kind]}／{CANCELLATION_CHANNEL_LABELS[item.channel]}／
                {RELATION_LABELS[item.relation]}
                {item.relationDetail ? `（${item.relationDetail}）` : ""}／受付 {formatJstDateTime(item.receivedAt)}／ご契約者の確認：
                {item.confirmed ? "あり" : "なし"}
              </p>
              {item.reasons.length > 0 && (
                <ul>
                  {item.reasons.map((reason) => (
                    <li key={reason.code}>
                      <span className={SEVERITY_TAG[reason.severity as RiskSeverity]}>{RISK_SEVERITY_LABELS[reason.severity as RiskSeverity]}</span> {reason.operatorText}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      <h2>手続き中のお申し出（{others.length}件）</h2>
      {others.length === 0 ? (
        <p>いまはありません。</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">ご契約者の確認待ち、お知らせ期間中などのお申し出</caption>
          <thead>
            <tr>
              <th scope="col">受付番号</th>
              <th scope="col">電話番号</th>
              <th scope="col">種類</th>
              <th scope="col">お申し出をした方</th>
              <th scope="col">状態</th>
              <th scope="col">受付日時</th>
            </tr>
          </thead>
          <tbody>
            {others.map((item) => (
              <tr key={item.id}>
                <td>
                  <Link to={`/ops/cancellations/${item.id}`} className="digits">
                    {item.reference}
                  </Link>
                </td>
                <td className="digits nowrap">{item.number}</td>
                <td>{CANCELLATION_KIND_LABELS[item.kind]}</td>
                <td>{RELATION_LABELS[item.relation]}</td>
                <td>{item.statusLabel}</td>
                <td className="nowrap">{formatJstDateTime(item.receivedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
