import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Notice, PageHeading } from "~/components/ui";
import { requireOperator } from "~/lib/auth.server";
import { CALL_OUTCOME_LABELS } from "~/lib/comms-labels";
import { latestOutbox } from "~/lib/outbox-view.server";
import { formatJstDateTime } from "~/lib/format";

export const meta: MetaFunction = () => [{ title: "送信記録（アウトボックス）｜受付センター 業務システム" }];

const CHANNEL_LABELS: Record<string, string> = { sms: "SMS", call: "電話（音声）", letter: "手紙" };
const STATUS_LABELS: Record<string, string> = {
  queued: "送信待ち",
  sending: "送信中",
  sent: "送信済み",
  delivered: "配達済み",
  held: "アウトボックスに保留（外部に送信しない設定）",
  failed: "失敗（再試行します）",
  printed: "印刷済み",
  mailed: "発送済み",
  not_needed: "不要になったため取りやめ（かけ直しの前に確認済み）",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireOperator(request, context, ["operator", "supervisor", "admin"]);
  const items = await latestOutbox(context.services);
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "outbox.view",
    subjectType: "outbox",
    ip: context.clientIp,
    detail: { ids: items.map((i) => i.id) },
  });
  return json({ items, provider: context.services.comms.providerName });
}

export default function OutboxRoute() {
  const { items, provider } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeading>送信記録（アウトボックス）</PageHeading>
      {provider === "outbox" && (
        <Notice title="外部には送信していません">
          Twilio が設定されていないため、SMS と電話はここに記録されるだけです。確認の電話で読み上げる番号も、ここで確かめられます。
        </Notice>
      )}
      {items.length === 0 ? (
        <p>まだ記録はありません。</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">新しい順に最大100件</caption>
          <thead>
            <tr>
              <th scope="col">日時</th>
              <th scope="col">種類</th>
              <th scope="col">宛先</th>
              <th scope="col">内容</th>
              <th scope="col">状態</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td className="nowrap">{formatJstDateTime(item.createdAt)}</td>
                <td>{CHANNEL_LABELS[item.channel] ?? item.channel}</td>
                <td className="nowrap digits">{item.to}</td>
                <td>
                  {item.text}
                  {provider === "outbox" && item.channel === "call" && (
                    <>
                      {" "}
                      <a href={`/ops/outbox/${item.id}/call`}>電話に出る（模擬）</a>
                    </>
                  )}
                </td>
                <td>
                  {STATUS_LABELS[item.status] ?? item.status}
                  {item.callOutcome && <>（{CALL_OUTCOME_LABELS[item.callOutcome] ?? item.callOutcome}）</>}
                  {item.notBefore && item.status === "queued" && <>（再発信 {formatJstDateTime(item.notBefore)}）</>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
