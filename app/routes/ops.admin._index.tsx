import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ButtonLink, PageHeading } from "~/components/ui";
import { requireAccess } from "~/lib/auth.server";
import { formatJstDateTime } from "~/lib/format";
import { listOperators } from "~/lib/operators.server";
import { ROLE_LABELS } from "~/lib/roles";

export const meta: MetaFunction = () => [{ title: "職員の管理｜受付センター 業務システム" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "admin");
  const operators = await listOperators(context.services);
  await context.services.audit.record({ actor: `operator:${operator.id}`, action: "operator.list_view", subjectType: "operator", ip: context.clientIp, detail: { count: operators.length } });
  return json({ operators });
}

export default function AdminRoute() {
  const { operators } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeading>職員の管理</PageHeading>
      <p>
        <ButtonLink href="/ops/admin/new">職員を追加する</ButtonLink>
      </p>
      <div className="table-wrapper">
        <table className="table">
          <caption className="visually-hidden">職員の一覧</caption>
          <thead>
            <tr>
              <th scope="col">ユーザー名</th>
              <th scope="col">名前</th>
              <th scope="col">役割</th>
              <th scope="col">状態</th>
              <th scope="col">最後のログイン</th>
              <th scope="col" className="numeric">
                ログイン中
              </th>
            </tr>
          </thead>
          <tbody>
            {operators.map((o) => (
              <tr key={o.id}>
                <th scope="row">
                  <a href={`/ops/admin/${o.id}`}>{o.username}</a>
                </th>
                <td>{o.displayName}</td>
                <td>{ROLE_LABELS[o.role] ?? o.role}</td>
                <td>
                  {[
                    o.disabled ? "無効" : "有効",
                    o.locked ? "ロック中" : "",
                    o.totpEnrolled ? "" : "認証アプリ未登録",
                    o.mustChangePassword ? "仮パスワード" : "",
                  ]
                    .filter(Boolean)
                    .join("／")}
                </td>
                <td>{o.lastLoginAt ? formatJstDateTime(o.lastLoginAt) : "—"}</td>
                <td className="numeric">{o.activeSessions}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
