import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { PageHeading, SummaryList } from "~/components/ui";
import { SCOPE_LABELS, type Scope } from "~/domain/carriers";
import { requireAccess } from "~/lib/auth.server";
import { formatPostalCode } from "~/domain/typed-text";
import { formatJstDateTime } from "~/lib/format";
import { requireUuid } from "~/lib/ids";
import { can } from "~/lib/roles";
import { carrierChoiceLabel, CHANNEL_LABELS, RELATION_LABELS } from "~/lib/ops-labels";
import { lineView, type TimelineKind } from "~/lib/timeline.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `${data.view.line.number}の記録` : "回線の記録"}｜受付センター 業務システム` }];

const KIND_LABELS: Record<TimelineKind, string> = {
  application: "お申し込み",
  verification: "回線の確認",
  cancellation: "解除",
  carrier: "電話会社",
  message: "連絡",
  ivr: "自動音声",
  paper: "紙・FAX",
};
const KIND_TAGS: Record<TimelineKind, string> = {
  application: "tag tag--blue",
  verification: "tag tag--green",
  cancellation: "tag tag--red",
  carrier: "tag tag--yellow",
  message: "tag",
  ivr: "tag",
  paper: "tag",
};
const METHOD_LABELS: Record<string, string> = { callback: "確認の電話", call_in: "ウェブの確認電話", caller_id: "発信者番号", letter: "郵便" };

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "lines");
  const view = await lineView(context.services, requireUuid(params.id));
  if (!view) throw new Response("Not Found", { status: 404 });
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "line.view",
    subjectType: "line",
    subjectId: view.line.id,
    ip: context.clientIp,
    detail: { fields: view.openedFields, ...view.ids },
  });
  return json({ view, canCancel: can(operator.role, "cancellations") });
}

export default function LineRoute() {
  const { view, canCancel } = useLoaderData<typeof loader>();
  const { line } = view;
  return (
    <>
      <PageHeading caption="回線の記録">
        <span className="digits">{line.number}</span>
      </PageHeading>
      <SummaryList
        rows={[
          { key: "電話会社", value: line.carrierName ?? "未定" },
          { key: "都道府県", value: line.prefecture ?? "" },
          { key: "発信休止", value: line.outgoing },
          { key: "着信休止", value: line.incoming },
        ]}
      />

      <h2>お申し込み（{view.applications.length}件）</h2>
      {view.applications.length === 0 && <p>お申し込みはありません。</p>}
      {view.applications.map((a) => (
        <section key={a.id} className="record" aria-labelledby={`app-${a.id}`}>
          <h3 id={`app-${a.id}`}>
            受付番号 <span className="digits">{a.reference}</span>：{a.statusLabel}
            {a.replacesThisLine && "（この回線からの引っ越し）"}
          </h3>
          <SummaryList
            rows={[
              { key: "受付", value: `${formatJstDateTime(a.createdAt)}（${CHANNEL_LABELS[a.channel] ?? a.channel}${a.assisted ? "、支援者と一緒に入力" : ""}）` },
              { key: "止めるもの", value: a.scopes.map((s) => SCOPE_LABELS[s as Scope] ?? s).join("、") },
              { key: "契約者のお名前", value: a.subscriberName ?? "" },
              { key: "フリガナ", value: a.subscriberKana ?? "" },
              { key: "申し込んだ方", value: `${RELATION_LABELS[a.relation] ?? a.relation}${a.relationDetail ? `（${a.relationDetail}）` : ""}${a.applicantName ? `　${a.applicantName}` : ""}` },
              { key: "住所", value: [a.postalCode ? `〒${formatPostalCode(a.postalCode)}` : "", a.address ?? ""].filter(Boolean).join(" ") },
              { key: "連絡先", value: a.contactPhone ?? "" },
              { key: "電話会社（申告）", value: carrierChoiceLabel(a.carrierChoice) },
              { key: "回線の確認", value: a.verificationMethod ? (METHOD_LABELS[a.verificationMethod] ?? a.verificationMethod) : "まだ" },
            ]}
          />
        </section>
      ))}

      {view.cancellations.length > 0 && (
        <>
          <h2>解除・取り下げのお申し出（{view.cancellations.length}件）</h2>
          <ul>
            {view.cancellations.map((c) => (
              <li key={c.id}>
                {canCancel ? <a href={`/ops/cancellations/${c.id}`}>受付番号 {c.reference}</a> : `受付番号 ${c.reference}`}：{c.kind}（{c.statusLabel}、
                {formatJstDateTime(c.createdAt)}）
              </li>
            ))}
          </ul>
        </>
      )}

      <h2>タイムライン（{view.timeline.length}件、古い順）</h2>
      {view.timeline.length === 0 ? (
        <p>記録はありません。</p>
      ) : (
        <ol className="timeline">
          {view.timeline.map((entry, index) => (
            <li key={index} className="timeline__item">
              <p className="timeline__meta">
                <time dateTime={entry.at}>{formatJstDateTime(entry.at)}</time> <span className={KIND_TAGS[entry.kind]}>{KIND_LABELS[entry.kind]}</span>
              </p>
              <p className="timeline__title">{entry.title}</p>
              {entry.detail && <p className="timeline__detail">{entry.detail}</p>}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
