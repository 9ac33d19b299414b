import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { PageHeading } from "~/components/ui";
import { requireOperator } from "~/lib/auth.server";
import { dashboardCounts } from "~/lib/dashboard.server";

export const meta: MetaFunction = () => [{ title: "ダッシュボード｜受付センター 業務システム" }];

const CHANNEL_LABELS: Record<string, string> = { web: "ウェブ", ivr: "電話（自動音声）", paper: "郵送・FAX", operator: "職員入力" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireOperator(request, context);
  return json(await dashboardCounts(context.services));
}

export default function Dashboard() {
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeading>ダッシュボード</PageHeading>
      <h2>お申し込みの件数</h2>
      <table className="table">
        <caption className="visually-hidden">受付方法ごとのお申し込み件数</caption>
        <thead>
          <tr>
            <th scope="col">受付方法</th>
            <th scope="col">今日</th>
            <th scope="col">今週</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(CHANNEL_LABELS).map(([channel, label]) => (
            <tr key={channel}>
              <th scope="row">{label}</th>
              <td className="digits">{data.today[channel] ?? 0}</td>
              <td className="digits">{data.week[channel] ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>送信待ち・保留中のメッセージ</h2>
      <p>
        アウトボックスに <span className="digits">{data.outboxWaiting}</span> 件あります。{" "}
        <a href="/ops/outbox">送信記録を見る</a>
      </p>
    </>
  );
}
