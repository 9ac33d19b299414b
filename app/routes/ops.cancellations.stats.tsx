import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { WeeklyBarChart, type ChartSeries } from "~/components/cancellations/WeeklyBarChart";
import { PageHeading } from "~/components/ui";
import { requireOperator } from "~/lib/auth.server";
import { RELATION_COLUMN_LABELS, RELATION_KEYS, SINCE_BUCKET_LABELS, SINCE_BUCKETS } from "~/lib/cancellation-stats-labels";
import { weeklyCancellationStats } from "~/lib/cancellation-stats.server";
import { CANCELLATION_STAFF_ROLES } from "~/lib/cancellations.server";

export const meta: MetaFunction = () => [{ title: "取り消しの統計｜受付センター 業務システム" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireOperator(request, context, CANCELLATION_STAFF_ROLES);
  return json({ weeks: await weeklyCancellationStats(context.services, 12) });
}

// Colours told apart without relying on hue alone: dark / mid / light, and the table beside each chart.
const RELATION_SERIES: ChartSeries[] = [
  { key: "self", label: RELATION_COLUMN_LABELS.self, colour: "#0017c1" },
  { key: "family", label: RELATION_COLUMN_LABELS.family, colour: "#e25100" },
  { key: "other", label: RELATION_COLUMN_LABELS.other, colour: "#9ea9ff" },
];
const SINCE_SERIES: ChartSeries[] = [
  { key: "under7", label: SINCE_BUCKET_LABELS.under7, colour: "#8c0013" },
  { key: "under30", label: SINCE_BUCKET_LABELS.under30, colour: "#e25100" },
  { key: "under90", label: SINCE_BUCKET_LABELS.under90, colour: "#7a9bff" },
  { key: "over90", label: SINCE_BUCKET_LABELS.over90, colour: "#00118f" },
];
const REVIEW_SERIES: ChartSeries[] = [
  { key: "flagged", label: "要確認（ルール）", colour: "#e25100" },
  { key: "declined", label: "お断り（係）", colour: "#8c0013" },
  { key: "refused", label: "ご契約者が不同意", colour: "#00118f" },
];

export default function CancellationStats() {
  const { weeks } = useLoaderData<typeof loader>();
  const total = weeks.reduce((sum, w) => sum + w.total, 0);
  const range = weeks.length > 0 ? `${weeks[0]!.week} の週から ${weeks[weeks.length - 1]!.week} の週まで` : "";
  return (
    <>
      <PageHeading caption="取り消し（解除・取り下げ）">週ごとの統計</PageHeading>
      <p>
        {range}（{weeks.length}週、週は月曜日から）。取り消しのお申し出は合計 <span className="digits">{total}</span> 件です。{" "}
        <a href="/ops/cancellations/stats.csv" download>
          CSVでダウンロード
        </a>
        {" ／ "}
        <Link to="/ops/cancellations">確認の一覧へ</Link>
      </p>

      <h2>お申し出をした方</h2>
      <WeeklyBarChart
        title="週ごとの取り消しのお申し出（お申し出をした方別）"
        description={`積み上げ棒グラフ。${range}。${weeks.map((w) => `${w.week}の週：ご本人${w.byRelation.self}件、ご家族${w.byRelation.family}件、その他${w.byRelation.other}件`).join("。")}`}
        series={RELATION_SERIES}
        rows={weeks.map((w) => ({ label: w.week, values: w.byRelation }))}
      />
      <table className="table table--compact">
        <caption>お申し出をした方別の件数</caption>
        <thead>
          <tr>
            <th scope="col">週（月曜日）</th>
            {RELATION_KEYS.map((k) => (
              <th key={k} scope="col" className="numeric">
                {RELATION_COLUMN_LABELS[k]}
              </th>
            ))}
            <th scope="col" className="numeric">
              合計
            </th>
          </tr>
        </thead>
        <tbody>
          {weeks.map((w) => (
            <tr key={w.week}>
              <th scope="row">{w.week}</th>
              {RELATION_KEYS.map((k) => (
                <td key={k} className="numeric">
                  {w.byRelation[k]}
                </td>
              ))}
              <td className="numeric">{w.total}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>お申し込みから取り消しまでの日数</h2>
      <WeeklyBarChart
        title="週ごとの取り消しのお申し出（お申し込みからの日数別）"
        description={`積み上げ棒グラフ。${weeks.map((w) => `${w.week}の週：${SINCE_BUCKETS.map((b) => `${SINCE_BUCKET_LABELS[b]}${w.bySince[b]}件`).join("、")}`).join("。")}`}
        series={SINCE_SERIES}
        rows={weeks.map((w) => ({ label: w.week, values: w.bySince }))}
      />
      <table className="table table--compact">
        <caption>お申し込みからの日数別の件数</caption>
        <thead>
          <tr>
            <th scope="col">週（月曜日）</th>
            {SINCE_BUCKETS.map((b) => (
              <th key={b} scope="col" className="numeric">
                {SINCE_BUCKET_LABELS[b]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((w) => (
            <tr key={w.week}>
              <th scope="row">{w.week}</th>
              {SINCE_BUCKETS.map((b) => (
                <td key={b} className="numeric">
                  {w.bySince[b]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>

      <h2>確認が必要だったもの、お断りしたもの</h2>
      <WeeklyBarChart
        title="週ごとの要確認・お断り・不同意の件数"
        description={`棒グラフ。${weeks.map((w) => `${w.week}の週：要確認${w.flagged}件、お断り${w.declined}件、不同意${w.refused}件`).join("。")}`}
        series={REVIEW_SERIES}
        rows={weeks.map((w) => ({ label: w.week, values: { flagged: w.flagged, declined: w.declined, refused: w.refused } }))}
        mode="grouped"
      />
      <table className="table table--compact">
        <caption>確認・決定の件数と、送付前に取り下げたお申し込みの割合</caption>
        <thead>
          <tr>
            <th scope="col">週（月曜日）</th>
            <th scope="col" className="numeric">
              要確認（ルール）
            </th>
            <th scope="col" className="numeric">
              お断り（係）
            </th>
            <th scope="col" className="numeric">
              ご契約者が不同意
            </th>
            <th scope="col" className="numeric">
              承認
            </th>
            <th scope="col" className="numeric">
              送付前の取り下げ
            </th>
            <th scope="col" className="numeric">
              その週の申込
            </th>
            <th scope="col" className="numeric">
              取り下げの割合
            </th>
          </tr>
        </thead>
        <tbody>
          {weeks.map((w) => (
            <tr key={w.week}>
              <th scope="row">{w.week}</th>
              <td className="numeric">{w.flagged}</td>
              <td className="numeric">{w.declined}</td>
              <td className="numeric">{w.refused}</td>
              <td className="numeric">{w.approved}</td>
              <td className="numeric">{w.withdrawnBeforeDispatch}</td>
              <td className="numeric">{w.applications}</td>
              <td className="numeric">{w.withdrawnShare === null ? "–" : `${w.withdrawnShare}%`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        「送付前の取り下げ」は、電話会社に送る前に取り下げになったお申し込み（受付と確認の作業がむだになったもの）です。割合は、その週に受け付けたお申し込みの件数に対する割合です。
      </p>
    </>
  );
}
