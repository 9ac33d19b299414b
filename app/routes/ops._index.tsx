import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BarChart } from "~/components/ops/BarChart";
import { formatAge } from "~/components/ops/format";
import { PageHeading } from "~/components/ui";
import { requireAccess } from "~/lib/auth.server";
import { QUEUE_INFO, queueHref } from "~/lib/queue-info";
import { queueBacklogs } from "~/lib/queues.server";
import { can } from "~/lib/roles";
import { applicationsByChannel, slaBreachCounts } from "~/lib/stats.server";

export const meta: MetaFunction = () => [{ title: "ダッシュボード｜受付センター 業務システム" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "dashboard");
  const { services } = context;
  const [channels, backlogs, sla] = [await applicationsByChannel(services), await queueBacklogs(services), await slaBreachCounts(services)];
  return json({ channels, backlogs, sla, now: services.now().toISOString(), role: operator.role });
}

export default function Dashboard() {
  const { channels, backlogs, sla, now, role } = useLoaderData<typeof loader>();
  const canWork = can(role, "queue");
  return (
    <>
      <PageHeading>ダッシュボード</PageHeading>

      <h2 id="applications">お申し込みの件数</h2>
      <BarChart
        title="受付方法ごとのお申し込み件数（今日と今週）"
        series={[
          { label: "今日", className: "chart__bar--today" },
          { label: "今週（月曜から）", className: "chart__bar--week" },
        ]}
        rows={channels.map((c) => ({ label: c.label, values: [c.today, c.week] }))}
      />
      <div className="table-wrapper">
        <table className="table table--compact">
          <caption>受付方法ごとのお申し込み件数</caption>
          <thead>
            <tr>
              <th scope="col">受付方法</th>
              <th scope="col" className="numeric">
                今日
              </th>
              <th scope="col" className="numeric">
                今週
              </th>
            </tr>
          </thead>
          <tbody>
            {channels.map((c) => (
              <tr key={c.channel}>
                <th scope="row">{c.label}</th>
                <td className="numeric">{c.today}</td>
                <td className="numeric">{c.week}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2 id="queues">作業の待ち件数</h2>
      <BarChart
        title="作業の種類ごとの待ち件数"
        series={[{ label: "待ち件数", className: "chart__bar--queue" }]}
        rows={backlogs.map((b) => ({ label: b.label, values: [b.count] }))}
      />
      <div className="table-wrapper">
        <table className="table table--compact">
          <caption>作業の種類ごとの待ち件数と、いちばん古い項目の経過時間</caption>
          <thead>
            <tr>
              <th scope="col">作業</th>
              <th scope="col" className="numeric">
                待ち件数
              </th>
              <th scope="col" className="numeric">
                担当中
              </th>
              <th scope="col" className="numeric">
                いちばん古い項目
              </th>
            </tr>
          </thead>
          <tbody>
            {backlogs.map((b) => (
              <tr key={b.type}>
                <th scope="row">{canWork ? <a href={queueHref(b.type)}>{b.label}</a> : b.label}</th>
                <td className="numeric">{b.count}</td>
                <td className="numeric">{QUEUE_INFO[b.type].claimable ? b.claimed : "—"}</td>
                <td className="numeric">{formatAge(b.oldestAt, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2 id="sla">電話会社の対応の遅れ</h2>
      <p>
        送った依頼を{sla.ackHours}時間以内に受け取ったと返事がないもの（受領確認なし）と、依頼してから{sla.doneHours}
        時間以内に結果が届かないもの（結果なし）の件数です。
      </p>
      <div className="table-wrapper">
        <table className="table table--compact">
          <caption>電話会社ごとの期限切れの依頼</caption>
          <thead>
            <tr>
              <th scope="col">電話会社</th>
              <th scope="col" className="numeric">
                受領確認なし
              </th>
              <th scope="col" className="numeric">
                結果なし
              </th>
            </tr>
          </thead>
          <tbody>
            {sla.byCarrier.length === 0 ? (
              <tr>
                <td colSpan={3}>期限切れの依頼はありません。</td>
              </tr>
            ) : (
              sla.byCarrier.map((r) => (
                <tr key={r.carrier}>
                  <th scope="row">{r.carrier}</th>
                  <td className="numeric">{r.notAcknowledged}</td>
                  <td className="numeric">{r.notDone}</td>
                </tr>
              ))
            )}
          </tbody>
          {sla.byCarrier.length > 0 && (
            <tfoot>
              <tr>
                <th scope="row">合計</th>
                <td className="numeric">{sla.notAcknowledged}</td>
                <td className="numeric">{sla.notDone}</td>
              </tr>
            </tfoot>
          )}
        </table>
      </div>
    </>
  );
}
