import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Field, Notice, PageHeading } from "~/components/ui";
import { auditRow, filtersFrom, searchAudit } from "~/lib/audit-view.server";
import { requireAccess } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";
import { auditActionLabel, auditSubjectLabel } from "~/lib/audit-labels";
import { formatJstDateTime } from "~/lib/format";

export const meta: MetaFunction = () => [{ title: "監査ログ｜受付センター 業務システム" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "audit");
  const filters = filtersFrom(new URL(request.url).searchParams);
  const result = await searchAudit(context.services, filters);
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "audit.view",
    subjectType: "audit_log",
    ip: context.clientIp,
    detail: { filters: Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), rows: result.rows.length },
  });
  return json({ filters, ...result });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "audit", "act");
  const form = await readForm(request, context);
  if (form.get("intent") !== "verify") return json({ chain: null, broken: null }, { status: 400 });
  const chain = await context.services.audit.verifyChain();
  const brokenRow = chain.ok ? null : await auditRow(context.services, chain.brokenAtId);
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "audit.verify_chain",
    subjectType: "audit_log",
    ip: context.clientIp,
    detail: chain.ok ? { ok: true, rows: chain.rows } : { ok: false, rows: chain.rows, brokenAtId: chain.brokenAtId },
  });
  return json({
    chain,
    broken: brokenRow ? { id: brokenRow.id, at: brokenRow.at.toISOString(), actor: brokenRow.actor, action: brokenRow.action, subjectType: brokenRow.subjectType, subjectId: brokenRow.subjectId } : null,
  });
}

const REASONS: Record<string, string> = {
  "row content does not match its hash": "この行の内容が、記録したときのハッシュと合いません（内容が書き換えられています）。",
  "prev_hash does not match the previous row": "この行の前の行が、記録したときと違います（行が削除されたか、差し込まれています）。",
};

export default function AuditRoute() {
  const { filters, rows, errors, nextBefore } = useLoaderData<typeof loader>();
  const verified = useActionData<typeof action>();
  const chain = verified?.chain;
  const next = new URLSearchParams(Object.entries({ ...filters, before: nextBefore ? String(nextBefore) : "" }).filter(([, v]) => v) as [string, string][]);
  return (
    <>
      {Object.keys(errors).length > 0 && <ErrorSummary errors={errors as Record<string, string>} />}
      <PageHeading>監査ログ</PageHeading>
      <p>個人情報の閲覧と変更、ログインなどの記録です。記録は追記だけで、各行は前の行のハッシュを含む鎖になっています。</p>

      <h2>鎖の検査</h2>
      <Form method="post">
        <CsrfField />
        <p>すべての行のハッシュを計算し直して、書き換えや削除がないか確かめます。</p>
        <Button name="intent" value="verify">
          鎖を検査する
        </Button>
      </Form>
      {chain &&
        (chain.ok ? (
          <Notice variant="success" title="改ざんは見つかりませんでした" role="status">
            <p>{chain.rows}行すべての鎖がつながっています。</p>
          </Notice>
        ) : (
          <Notice variant="warning" title="鎖が切れています" role="alert">
            <p>
              {chain.rows}行目（ID {chain.brokenAtId}）で鎖が切れています。{REASONS[chain.reason] ?? chain.reason}
            </p>
            {verified.broken && (
              <p>
                この行：{formatJstDateTime(verified.broken.at)}／{verified.broken.actor}／{verified.broken.action}／{verified.broken.subjectType} {verified.broken.subjectId ?? ""}{" "}
                <a href={`/ops/audit?before=${chain.brokenAtId}`}>この行の前後を見る</a>
              </p>
            )}
          </Notice>
        ))}

      <h2>絞り込み</h2>
      <Form method="get" className="filters" noValidate>
        <div className="filters__grid">
          <Field name="actor" label="操作した人" required={false} support="ユーザー名、または operator:… applicant system など" defaultValue={filters.actor} error={errors.actor} width={20} />
          <Field name="action" label="操作" required={false} support="例：line.view　末尾に * で前方一致（line.*）" defaultValue={filters.action} error={errors.action} width={20} />
          <Field name="subjectType" label="対象の種類" required={false} support="例：application、line、operator" defaultValue={filters.subjectType} width={20} />
          <Field name="subjectId" label="対象のID" required={false} defaultValue={filters.subjectId} width={30} />
          <Field name="from" label="期間（から）" required={false} type="date" defaultValue={filters.from} error={errors.from} width={13} />
          <Field name="to" label="期間（まで）" required={false} type="date" defaultValue={filters.to} error={errors.to} width={13} />
        </div>
        <div className="button-row">
          <Button>絞り込む</Button>
          <a href="/ops/audit" className="button button--secondary">
            条件をはずす
          </a>
        </div>
      </Form>

      <h2>記録（新しい順、{rows.length}件）</h2>
      {rows.length === 0 ? (
        <p>条件に合う記録はありません。</p>
      ) : (
        <div className="table-wrapper">
          <table className="table table--compact audit-table">
            <caption className="visually-hidden">監査ログ</caption>
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">日時</th>
                <th scope="col">操作した人</th>
                <th scope="col">操作</th>
                <th scope="col">対象</th>
                <th scope="col">接続元（ハッシュ）</th>
                <th scope="col">内容（ID・項目名のみ）</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="numeric">{r.id}</td>
                  <td className="nowrap">{formatJstDateTime(r.at)}</td>
                  <td>
                    {r.actorName ? `${r.actorName}` : r.actor}
                    {r.actorName && (
                      <div className="muted small nowrap">
                        <code>{r.actor}</code>
                      </div>
                    )}
                  </td>
                  <td>{auditActionLabel(r.action)}</td>
                  <td>
                    {auditSubjectLabel(r.subjectType)}
                    {r.subjectId && (
                      // Identifiers are shown whole on one line (the table scrolls), never broken mid-word.
                      <div className="muted small nowrap">
                        <code>{r.subjectId}</code>
                      </div>
                    )}
                  </td>
                  <td>
                    <code className="nowrap" title={r.ipHash ?? undefined}>{r.ipHash ? `${r.ipHash.slice(0, 12)}…` : "—"}</code>
                  </td>
                  <td className="audit-table__detail" data-technical>
                    <code>{JSON.stringify(r.detail)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextBefore && (
        <p>
          <a href={`/ops/audit?${next.toString()}`}>さらに古い記録を見る</a>
        </p>
      )}
    </>
  );
}
