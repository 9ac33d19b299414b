import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { OneTimePassword } from "~/components/ops/OneTimePassword";
import { Button, Notice, PageHeading, RadioGroup, SummaryList } from "~/components/ui";
import { auditedChange } from "~/lib/audit.server";
import { requireAccess } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";
import { formatJstDateTime } from "~/lib/format";
import { requireUuid } from "~/lib/ids";
import {
  CHANGE_REFUSAL_MESSAGES,
  disableOperator,
  enableOperator,
  getOperatorSummary,
  resetPassword,
  resetTotp,
  revokeOperatorSessions,
  setRole,
} from "~/lib/operators.server";
import { ROLE_LABELS, ROLES } from "~/lib/roles";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? data.operator.username : "職員"}｜職員の管理｜受付センター 業務システム` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const admin = await requireAccess(request, context, "admin");
  const operator = await getOperatorSummary(context.services, requireUuid(params.id));
  if (!operator) throw new Response("Not Found", { status: 404 });
  await context.services.audit.record({ actor: `operator:${admin.id}`, action: "operator.view", subjectType: "operator", subjectId: operator.id, ip: context.clientIp });
  return json({ operator, self: operator.id === admin.id });
}

const DONE: Record<string, string> = {
  role: "役割を変更しました。",
  disable: "アカウントを無効にし、ログイン中の画面をすべて終了しました。",
  enable: "アカウントを有効にしました。",
  reset_totp: "認証アプリの登録を取り消しました。次のログインで、新しく登録します。",
  reset_password: "仮のパスワードを作りました。",
  revoke_sessions: "ログイン中の画面をすべて終了しました。",
};

export async function action({ request, context, params }: ActionFunctionArgs) {
  const admin = await requireAccess(request, context, "admin", "act");
  const operatorId = requireUuid(params.id);
  const form = await readForm(request, context);
  const intent = String(form.get("intent") ?? "");
  const input = { operatorId, by: admin.id };
  // The change and its audit row ('operator.<intent>') in one transaction (auditedChange, issue 12).
  const result = await auditedChange(context.services, async (s) =>
    intent === "role"
      ? await setRole(s, { ...input, role: String(form.get("role") ?? "") })
      : intent === "disable"
        ? await disableOperator(s, input)
        : intent === "enable"
          ? await enableOperator(s, input)
          : intent === "reset_totp"
            ? await resetTotp(s, input)
            : intent === "reset_password"
              ? await resetPassword(s, input)
              : intent === "revoke_sessions"
                ? await revokeOperatorSessions(s, input)
                : null,
    (changed) => {
      if (!changed?.ok) return null;
      const { ok: _ok, password: _password, ...detail } = changed as { ok: true; password?: unknown } & Record<string, unknown>;
      // What changed and how many sessions ended; never the password.
      return { actor: `operator:${admin.id}`, action: `operator.${intent}`, subjectType: "operator", subjectId: operatorId, ip: context.clientIp, detail };
    },
  );
  if (!result) return json({ ok: false as const, message: "操作を選び直してください。", password: null }, { status: 400 });
  if (!result.ok) return json({ ok: false as const, message: CHANGE_REFUSAL_MESSAGES[result.reason], password: null }, { status: result.reason === "not_found" ? 404 : 409 });
  const returned = (result as { password?: unknown }).password;
  const password = typeof returned === "string" ? returned : null;
  return json({ ok: true as const, message: DONE[intent] ?? "変更しました。", password }, { headers: { "Cache-Control": "no-store" } });
}

export default function OperatorRoute() {
  const { operator, self } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <>
      <PageHeading caption={<a href="/ops/admin">職員の管理</a>}>
        {operator.displayName}（{operator.username}）
      </PageHeading>
      {data && !data.password && (
        <Notice variant={data.ok ? "success" : "warning"} role={data.ok ? "status" : "alert"}>
          {data.message}
        </Notice>
      )}
      {data?.password && <OneTimePassword username={operator.username} password={data.password} />}
      <SummaryList
        rows={[
          { key: "役割", value: ROLE_LABELS[operator.role] ?? operator.role },
          { key: "状態", value: operator.disabled ? "無効" : operator.locked ? "ロック中（失敗が続いたため）" : "有効" },
          { key: "認証アプリ", value: operator.totpEnrolled ? "登録済み" : "未登録（次のログインで登録）" },
          { key: "パスワード", value: operator.mustChangePassword ? "仮のパスワード（次のログインで変更）" : "本人が設定済み" },
          { key: "最後のログイン", value: operator.lastLoginAt ? formatJstDateTime(operator.lastLoginAt) : "—" },
          { key: "ログイン中の画面", value: `${operator.activeSessions}` },
        ]}
      />
      {self && <p>ご自分のアカウントでは、ログイン中の画面の終了だけができます。</p>}

      {!self && (
        <>
          <h2>役割の変更</h2>
          <Form method="post" noValidate>
            <CsrfField />
            <RadioGroup name="role" legend="役割" required options={ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }))} defaultValue={operator.role} />
            <Button name="intent" value="role">
              役割を変更する
            </Button>
          </Form>

          <h2>アカウント</h2>
          <Form method="post">
            <CsrfField />
            <div className="button-row">
              {operator.disabled ? (
                <Button name="intent" value="enable" variant="secondary">
                  有効にする
                </Button>
              ) : (
                <Button name="intent" value="disable" variant="secondary">
                  無効にする（ログインできなくする）
                </Button>
              )}
              <Button name="intent" value="reset_password" variant="secondary">
                仮のパスワードを作る
              </Button>
              <Button name="intent" value="reset_totp" variant="secondary">
                認証アプリの登録を取り消す
              </Button>
            </div>
          </Form>
        </>
      )}
      <h2>ログイン中の画面</h2>
      <Form method="post">
        <CsrfField />
        <p>パソコンをなくしたときなどに、この職員のログインをすべて終了させます。</p>
        <Button name="intent" value="revoke_sessions" variant="secondary">
          すべてのログインを終了する
        </Button>
      </Form>
    </>
  );
}
