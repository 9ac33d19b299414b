import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { PageHeading } from "~/components/ui";
import { requireOperator } from "~/lib/auth.server";
import { formatJstDateTime } from "~/lib/format";
import { callsForReview } from "~/lib/ivr-calls-view.server";

export const meta: MetaFunction = () => [{ title: "電話受付の確認｜受付センター 業務システム" }];

const PURPOSES: Record<string, string> = { apply: "申し込み", form: "申込書の郵送", cancel: "解除", status: "状況確認", call_in: "ウェブの確認", operator: "オペレーター" };
const STATUSES: Record<string, string> = { incomplete: "途中で切れた", completed: "完了", in_progress: "通話中" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireOperator(request, context, ["operator", "supervisor", "admin"]);
  const calls = await callsForReview(context.services);
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "ivr_call.view",
    subjectType: "ivr_call",
    ip: context.clientIp,
    detail: { ids: calls.map((c) => c.id) },
  });
  return json({ calls });
}

/** Calls that hung up part-way, and names heard by speech recognition to check against the recording. */
export default function CallsRoute() {
  const { calls } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeading>電話受付の確認</PageHeading>
      <p>途中で切れた電話と、音声で聞き取ったお名前・ご住所（録音と照らして確認してください）の一覧です。</p>
      {calls.length === 0 ? (
        <p>確認が必要な電話はありません。</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">新しい順</caption>
          <thead>
            <tr>
              <th scope="col">日時</th>
              <th scope="col">発信者番号</th>
              <th scope="col">用件</th>
              <th scope="col">状態</th>
              <th scope="col">聞き取った内容</th>
              <th scope="col">受付番号</th>
            </tr>
          </thead>
          <tbody>
            {calls.map((call) => (
              <tr key={call.id}>
                <td className="nowrap">{formatJstDateTime(call.at)}</td>
                <td className="nowrap digits">{call.from ?? "非通知"}</td>
                <td>{call.purpose ? (PURPOSES[call.purpose] ?? call.purpose) : "メニュー"}</td>
                <td>{STATUSES[call.status] ?? call.status}{call.status === "incomplete" ? `（${call.node}）` : ""}</td>
                <td>
                  {call.nameSpeech && <div>名前：{call.nameSpeech}</div>}
                  {call.addressSpeech && <div>住所：{call.addressSpeech}</div>}
                  {call.nameRecordingUrl && <div className="muted">録音あり</div>}
                </td>
                <td className="digits">{call.reference ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
