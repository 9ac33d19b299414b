import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Field, PageHeading } from "~/components/ui";
import { STATUS_LABELS, type ApplicationStatus } from "~/domain/application-state";
import { CARRIER_NAMES, type CarrierCode } from "~/domain/carriers";
import { requireAccess } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";
import { formatJstDate } from "~/lib/format";
import { searchLines } from "~/lib/search.server";
import { CHANNEL_LABELS } from "~/lib/ops-labels";

export const meta: MetaFunction = () => [{ title: "検索｜受付センター 業務システム" }];

const KIND_LABELS = { phone: "電話番号", reference: "受付番号", kana: "フリガナ" } as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAccess(request, context, "search");
  return json({});
}

/**
 * The search is a POST: what is typed (a name, a number) stays out of the address bar, the browser
 * history and the server's access logs.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "search");
  const form = await readForm(request, context);
  const q = String(form.get("q") ?? "");
  const outcome = await searchLines(context.services, q);
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "search.run",
    subjectType: "line",
    ip: context.clientIp,
    detail: outcome.ok ? { kind: outcome.kind, results: outcome.results.length, lineIds: outcome.results.map((r) => r.lineId) } : { kind: "invalid" },
  });
  if (!outcome.ok) return json({ q, error: outcome.message, outcome: null }, { status: 400 });
  return json({ q, error: null, outcome });
}

export default function SearchRoute() {
  const data = useActionData<typeof action>();
  const outcome = data?.outcome;
  return (
    <>
      {data?.error && <ErrorSummary errors={{ q: [data.error] }} />}
      <PageHeading>検索</PageHeading>
      <Form method="post" noValidate className="toolbar" role="search" aria-label="回線の検索">
        <CsrfField />
        <Field
          name="q"
          label="電話番号・受付番号・フリガナ"
          required
          support="例：03-1234-5678、12345678901（受付番号）、ヤマダ ハナコ（フリガナは完全に一致するものだけ）"
          defaultValue={data?.q}
          error={data?.error ?? undefined}
          width={30}
          autoComplete="off"
        />
        <Button>検索する</Button>
      </Form>
      {outcome && (
        <section aria-labelledby="results-heading">
          <h2 id="results-heading">{`${KIND_LABELS[outcome.kind]}で検索：${outcome.results.length}件`}</h2>
          {outcome.results.length === 0 ? (
            <p>見つかりませんでした。入力した内容を確かめてください。フリガナは、お申し込みのときの表記と完全に一致する必要があります。</p>
          ) : (
            <div className="table-wrapper">
              <table className="table">
                <caption className="visually-hidden">検索結果</caption>
                <thead>
                  <tr>
                    <th scope="col">電話番号</th>
                    <th scope="col">一致した項目</th>
                    <th scope="col">電話会社</th>
                    <th scope="col">お申し込み</th>
                  </tr>
                </thead>
                <tbody>
                  {outcome.results.map((r) => (
                    <tr key={r.lineId}>
                      <th scope="row">
                        <a href={`/ops/lines/${r.lineId}`} className="digits">
                          {r.number}
                        </a>
                      </th>
                      <td>{r.matchedBy.join("、")}</td>
                      <td>{r.carrierCode ? (CARRIER_NAMES[r.carrierCode as CarrierCode] ?? r.carrierCode) : "未定"}</td>
                      <td>
                        {r.applications.length === 0 ? (
                          "なし"
                        ) : (
                          <ul className="plain-list">
                            {r.applications.map((a) => (
                              <li key={a.id}>
                                <span className="digits">{a.reference}</span> {STATUS_LABELS[a.status as ApplicationStatus]?.label ?? a.status}（
                                {CHANNEL_LABELS[a.channel] ?? a.channel}、{formatJstDate(a.createdAt)}）
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </>
  );
}
