import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, Label, Notice, PageHeading, SummaryList } from "~/components/ui";
import { STATUS_LABELS, type ApplicationStatus } from "~/domain/application-state";
import { CANCEL_REASON_LABELS, isCancelReasonCode } from "~/domain/cancel-forms";
import { CANCELLATION_CHANNEL_LABELS, RELATION_LABELS, RISK_SEVERITY_LABELS, type RiskSeverity } from "~/domain/cancellation-rules";
import {
  CANCELLATION_EVENT_LABELS,
  CANCELLATION_KIND_LABELS,
  CANCELLATION_STATUS_LABELS,
  type CancellationEventType,
  type CancellationStatus,
} from "~/domain/cancellation-state";
import { requireOperator } from "~/lib/auth.server";
import { CANCELLATION_STAFF_ROLES, cancellationDetail, OPERATOR_ACTIONS, operatorAction, type OperatorAction } from "~/lib/cancellations.server";
import { readForm } from "~/lib/csrf.server";
import { flashCookie, readFlashCookie } from "~/lib/flash-cookie.server";
import { formatJstDateTime } from "~/lib/format";
import { CANCELLATION_SERVICE_EVENT_LABELS, UNKNOWN_RECORD } from "~/lib/ops-labels";
import { requireUuid } from "~/lib/ids";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.flash && !data.flash.ok ? "エラー：" : ""}取り消しのお申し出 ${data?.detail.item.reference ?? ""}｜受付センター 業務システム` },
];

const COOKIE = "cancellation_action";
type Flash = { ok: true; message: string } | { ok: false; message: string };

const ACTION_LABELS: Record<OperatorAction, string> = {
  call_back: "折り返し電話で確認",
  approve: "メモを付けて承認",
  decline: "お断りする",
  release: "確認待ちに戻す",
  record_objection: "異議を記録（電話で受けたとき）",
  requester_withdrew: "申出者の取り下げを記録",
};

/** The actions whose form asks for the reason (the domain refuses them without it: note_required). */
const NOTE_REQUIRED: ReadonlySet<OperatorAction> = new Set<OperatorAction>(["approve", "decline"]);

const CONFIRMATION_LABELS: Record<string, string> = {
  callback_press_1: "回線への折り返し電話で「1」",
  ivr_call_from_line: "契約の回線から自動音声に電話（ご本人）",
};

const ACTOR_LABELS: Record<string, string> = {
  system: "システム",
  subscriber: "ご契約者（電話）",
  requester: "申出者（ウェブ）",
  applicant: "申込者",
  ivr: "自動音声",
  operator: "係",
};

function eventLabel(source: string, type: string, toStatus: string | null): string {
  if (source === "application") return `申込：${STATUS_LABELS[(toStatus ?? type) as ApplicationStatus]?.label ?? UNKNOWN_RECORD}`;
  const label = CANCELLATION_EVENT_LABELS[type as CancellationEventType] ?? CANCELLATION_SERVICE_EVENT_LABELS[type] ?? UNKNOWN_RECORD;
  const status = toStatus ? CANCELLATION_STATUS_LABELS[toStatus as CancellationStatus]?.label : null;
  return `取り消し：${label}${status && type !== "received" ? `（→ ${status}）` : ""}`;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireOperator(request, context, CANCELLATION_STAFF_ROLES);
  const id = requireUuid(params.id);
  const detail = await cancellationDetail(context.services, id);
  if (!detail) throw new Response("お申し出が見つかりません。", { status: 404 });
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "cancellation.view",
    subjectType: "cancellation",
    subjectId: id,
    ip: context.clientIp,
    detail: { fields: ["requester_name", "requester_contact", "reason_text"] },
  });
  const { value: flash, clear } = readFlashCookie<Flash>(request, context, COOKIE);
  return json(
    {
      detail: {
        ...detail,
        timeline: detail.timeline.map((e) => ({ at: e.at, label: eventLabel(e.source, e.type, e.toStatus), reference: e.reference, actor: ACTOR_LABELS[e.actor] ?? e.actor })),
      },
      role: operator.role,
      flash,
    },
    flash ? { headers: { "Set-Cookie": clear } } : undefined,
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const operator = await requireOperator(request, context, CANCELLATION_STAFF_ROLES);
  const id = requireUuid(params.id);
  const form = await readForm(request, context);
  const intent = String(form.get("intent") ?? "");
  const back = (flash: Flash) => redirect(`/ops/cancellations/${id}`, { status: 303, headers: { "Set-Cookie": flashCookie(context, COOKIE, flash) } });
  if (!(OPERATOR_ACTIONS as readonly string[]).includes(intent)) return back({ ok: false, message: "操作を選んでください。" });
  const result = await operatorAction(context.services, {
    cancellationId: id,
    operatorId: operator.id,
    role: operator.role,
    action: intent as OperatorAction,
    note: String(form.get("note") ?? ""),
    ip: context.clientIp,
  });
  if (!result.ok) return back({ ok: false, message: result.message });
  return back({ ok: true, message: `「${ACTION_LABELS[intent as OperatorAction]}」を記録しました。いまの状態：${CANCELLATION_STATUS_LABELS[result.status].label}` });
}

export default function CancellationDetailPage() {
  const { detail, flash } = useLoaderData<typeof loader>();
  const { item, requester, application, confirmation } = detail;
  const rows = [
    { key: "受付番号", value: item.reference },
    { key: "電話番号", value: item.number },
    { key: "種類", value: CANCELLATION_KIND_LABELS[item.kind] },
    { key: "状態", value: item.statusLabel },
    { key: "受付方法", value: CANCELLATION_CHANNEL_LABELS[item.channel] },
    { key: "受付日時", value: formatJstDateTime(item.receivedAt) },
    { key: "お申し出をした方", value: `${RELATION_LABELS[item.relation]}${item.relationDetail ? `（${item.relationDetail}）` : ""}${requester.name ? ` ${requester.name} さま` : ""}` },
    { key: "ご連絡先", value: requester.contact ?? "" },
    {
      key: "理由",
      value: `${isCancelReasonCode(requester.reasonCode) ? CANCEL_REASON_LABELS[requester.reasonCode] : requester.reasonCode}${requester.reasonText ? `：${requester.reasonText}` : ""}`,
    },
    { key: "ご契約者ご本人の確認", value: confirmation ? `${CONFIRMATION_LABELS[confirmation.method] ?? confirmation.method}（${formatJstDateTime(confirmation.at)}）` : "まだありません" },
    ...(detail.coolingOffUntil ? [{ key: "お知らせ期間の終わり", value: formatJstDateTime(detail.coolingOffUntil) }] : []),
    ...(detail.objection ? [{ key: "異議", value: `${formatJstDateTime(detail.objection.at)}（${detail.objection.by === "other" ? "その他の方" : "最初の申込者"}）` }] : []),
    ...(detail.decision
      ? [{ key: "決定", value: `${CANCELLATION_STATUS_LABELS[detail.decision.status as CancellationStatus]?.label ?? UNKNOWN_RECORD}${detail.decision.note ? `：${detail.decision.note}` : ""}` }]
      : []),
  ];
  const appRows = application
    ? [
        { key: "申込の受付番号", value: application.reference },
        { key: "申込の状態", value: STATUS_LABELS[application.status]?.label ?? UNKNOWN_RECORD },
        { key: "申し込んだ方", value: RELATION_LABELS[application.relation] },
        { key: "申込日時", value: formatJstDateTime(application.createdAt) },
      ]
    : [];
  return (
    <>
      <p>
        <Link to="/ops/cancellations">一覧にもどる</Link>
      </p>
      {flash && (
        <Notice variant={flash.ok ? "success" : "warning"} role={flash.ok ? "status" : "alert"} title={flash.ok ? "記録しました" : "この操作はできませんでした"}>
          <p>{flash.message}</p>
        </Notice>
      )}
      <PageHeading caption="取り消しのお申し出">受付番号 {item.reference}</PageHeading>
      <h2>確認ルールの判定</h2>
      {item.reasons.length === 0 ? (
        <p>当てはまるルールはありません。</p>
      ) : (
        <ul>
          {item.reasons.map((reason) => (
            <li key={reason.code}>
              <strong>{RISK_SEVERITY_LABELS[reason.severity as RiskSeverity]}</strong>：{reason.operatorText}
            </li>
          ))}
        </ul>
      )}
      <h2>お申し出の内容</h2>
      <SummaryList rows={rows} />
      {appRows.length > 0 && (
        <>
          <h2>取り消す対象のお申し込み</h2>
          <SummaryList rows={appRows} />
        </>
      )}
      {detail.possible.length > 0 && (
        <section aria-labelledby="actions-heading">
          <h2 id="actions-heading">操作</h2>
          <p>承認は、ご契約者ご本人の回線での確認が記録されているときだけできます。</p>
          {/* Approval and refusal need the reason; the other actions do not: one form each, so each memo's badge is true. */}
          {detail.possible.some((action) => NOTE_REQUIRED.has(action)) && (
            <Form method="post">
              <CsrfField />
              <div className="field">
                <Label htmlFor="note-decision" required>
                  メモ（判断の理由）
                </Label>
                <p className="support-text" id="note-decision-support">
                  承認とお断りには、判断の理由を残してください。
                </p>
                <textarea id="note-decision" name="note" className="input input--full" rows={3} maxLength={1000} aria-required="true" aria-describedby="note-decision-support" />
              </div>
              <div className="button-group">
                {detail.possible
                  .filter((action) => NOTE_REQUIRED.has(action))
                  .map((action) => (
                    <Button key={action} name="intent" value={action} variant={action === "approve" ? "primary" : "secondary"}>
                      {ACTION_LABELS[action]}
                    </Button>
                  ))}
              </div>
            </Form>
          )}
          {detail.possible.some((action) => !NOTE_REQUIRED.has(action)) && (
            <Form method="post">
              <CsrfField />
              <div className="field">
                <Label htmlFor="note" required={false}>
                  メモ
                </Label>
                <textarea id="note" name="note" className="input input--full" rows={3} maxLength={1000} />
              </div>
              <div className="button-group">
                {detail.possible
                  .filter((action) => !NOTE_REQUIRED.has(action))
                  .map((action) => (
                    <Button key={action} name="intent" value={action} variant={action === "call_back" ? "primary" : "secondary"}>
                      {ACTION_LABELS[action]}
                    </Button>
                  ))}
              </div>
            </Form>
          )}
        </section>
      )}
      <h2>この回線の記録</h2>
      <table className="table table--compact">
        <caption className="visually-hidden">お申し込みと取り消しの出来事、古い順</caption>
        <thead>
          <tr>
            <th scope="col">日時</th>
            <th scope="col">受付番号</th>
            <th scope="col">出来事</th>
            <th scope="col">だれが</th>
          </tr>
        </thead>
        <tbody>
          {detail.timeline.map((entry, index) => (
            <tr key={`${entry.at}-${index}`}>
              <td className="nowrap">{formatJstDateTime(entry.at)}</td>
              <td className="digits">{entry.reference}</td>
              <td>{entry.label}</td>
              <td>{entry.actor}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
