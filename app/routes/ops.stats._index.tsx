import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { BarChart } from "~/components/ops/BarChart";
import { Button, ErrorSummary, Field, PageHeading } from "~/components/ui";
import { requireAccess } from "~/lib/auth.server";
import { periodFrom, statistics } from "~/lib/stats.server";

export const meta: MetaFunction = () => [{ title: "統計｜受付センター 業務システム" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "stats");
  const params = new URL(request.url).searchParams;
  const period = periodFrom(params, context.services.now());
  if (!period.ok) return json({ error: period.message, from: params.get("from") ?? "", to: params.get("to") ?? "", stats: null }, { status: 400 });
  const stats = await statistics(context.services, period.period);
  await context.services.audit.record({ actor: `operator:${operator.id}`, action: "stats.view", subjectType: "statistics", ip: context.clientIp, detail: { from: period.from, to: period.to } });
  return json({ error: null, from: period.from, to: period.to, stats });
}

const hours = (h: number | null) => (h === null ? "—" : h >= 48 ? `${h}時間（約${Math.round((h / 24) * 10) / 10}日）` : `${h}時間`);

export default function StatsRoute() {
  const { error, from, to, stats } = useLoaderData<typeof loader>();
  const query = new URLSearchParams({ from, to }).toString();
  return (
    <>
      {error && <ErrorSummary errors={{ from: [error] }} />}
      <PageHeading>統計</PageHeading>
      <p>期間中に受け付けたお申し込みの件数（受付方法・電話会社・都道府県別）と、受付から手続き完了までの時間です。総務省への報告用に、CSVファイル（Excelで開けます）をダウンロードできます。</p>
      <Form method="get" className="toolbar" noValidate>
        <Field name="from" label="期間（から）" required type="date" defaultValue={from} width={13} error={error ?? undefined} />
        <Field name="to" label="期間（まで）" required type="date" defaultValue={to} width={13} />
        <Button>集計する</Button>
      </Form>
      {stats && (
        <>
          <p>
            <a className="button button--secondary" href={`/ops/stats/csv?${query}`} download={`statistics-${from}-${to}.csv`}>
              CSVをダウンロード（{from}〜{to}）
            </a>
          </p>
          <h2>受付方法別（合計 {stats.total}件）</h2>
          <BarChart title="受付方法別のお申し込み件数" series={[{ label: "件数", className: "chart__bar--week" }]} rows={stats.byChannel.map((r) => ({ label: r.label, values: [r.count] }))} />
          <CountTable caption="受付方法別の件数" head="受付方法" rows={stats.byChannel} />
          <h2>電話会社別</h2>
          <CountTable caption="電話会社別の件数" head="電話会社" rows={stats.byCarrier} />
          <h2>都道府県別</h2>
          <CountTable caption="都道府県別の件数" head="都道府県" rows={stats.byPrefecture} />
          <h2>受付から手続き完了までの時間</h2>
          <p>期間中に手続きが完了したお申し込みについて、受付から完了までの時間の中央値（半分がこれより早い）と90パーセンタイル（9割がこれより早い）です。</p>
          <div className="table-wrapper">
            <table className="table table--compact">
              <caption className="visually-hidden">受付から手続き完了までの時間</caption>
              <thead>
                <tr>
                  <th scope="col">受付方法</th>
                  <th scope="col" className="numeric">
                    完了件数
                  </th>
                  <th scope="col" className="numeric">
                    中央値
                  </th>
                  <th scope="col" className="numeric">
                    90パーセンタイル
                  </th>
                </tr>
              </thead>
              <tbody>
                {stats.leadTime.map((r) => (
                  <tr key={r.group}>
                    <th scope="row">{r.label}</th>
                    <td className="numeric">{r.completed}</td>
                    <td className="numeric">{hours(r.p50Hours)}</td>
                    <td className="numeric">{hours(r.p90Hours)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

function CountTable({ caption, head, rows }: { caption: string; head: string; rows: { key: string; label: string; count: number }[] }) {
  if (rows.length === 0) return <p>期間中のお申し込みはありません。</p>;
  return (
    <div className="table-wrapper">
      <table className="table table--compact">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{head}</th>
            <th scope="col" className="numeric">
              件数
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td className="numeric">{r.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
