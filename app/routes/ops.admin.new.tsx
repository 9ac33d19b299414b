import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { CsrfField } from "~/components/CsrfField";
import { OneTimePassword } from "~/components/ops/OneTimePassword";
import { Button, ErrorSummary, Field, PageHeading, RadioGroup } from "~/components/ui";
import { requireAccess } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";
import { createOperator } from "~/lib/operators.server";
import { USERNAME_PATTERN } from "~/lib/ops-labels";
import { ROLE_LABELS, ROLES } from "~/lib/roles";

export const meta: MetaFunction = () => [{ title: "職員の追加｜受付センター 業務システム" }];

const schema = z.object({
  username: z
    .string({ required_error: "ユーザー名を入力してください。" })
    .trim()
    .toLowerCase()
    .regex(USERNAME_PATTERN, "ユーザー名は、3〜32文字の半角英小文字・数字と「. _ -」で入力してください。例：yamada.h"),
  displayName: z.string({ required_error: "名前を入力してください。" }).trim().min(1, "画面に表示する名前を入力してください。").max(40, "名前は40文字以内で入力してください。"),
  role: z.enum(ROLES, { required_error: "役割を1つ選んでください。", invalid_type_error: "役割を1つ選んでください。" }),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAccess(request, context, "admin");
  return json({});
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireAccess(request, context, "admin", "act");
  const form = await readForm(request, context);
  const values = { username: String(form.get("username") ?? ""), displayName: String(form.get("displayName") ?? ""), role: String(form.get("role") ?? "") };
  const parsed = schema.safeParse({ ...values, role: values.role || undefined });
  if (!parsed.success) {
    const e = parsed.error.flatten().fieldErrors;
    return json({ errors: { username: e.username ?? [], displayName: e.displayName ?? [], role: e.role ?? [] }, values, created: null }, { status: 400 });
  }
  // Created and audited in one transaction (createOperator with the client address).
  const result = await createOperator(context.services, { ...parsed.data, createdBy: admin.id, ip: context.clientIp });
  if (!result.ok) {
    return json({ errors: { username: ["このユーザー名は、もう使われています。別のユーザー名にしてください。"], displayName: [], role: [] }, values, created: null }, { status: 409 });
  }
  return json(
    { errors: null, values: null, created: { id: result.operatorId, username: parsed.data.username, password: result.password } },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function NewOperatorRoute() {
  const data = useActionData<typeof action>();
  if (data?.created) {
    return (
      <>
        <PageHeading caption={<a href="/ops/admin">職員の管理</a>}>職員を追加しました</PageHeading>
        <OneTimePassword username={data.created.username} password={data.created.password} />
        <p>
          <a href={`/ops/admin/${data.created.id}`}>この職員の設定を見る</a>　<a href="/ops/admin">職員の一覧に戻る</a>
        </p>
      </>
    );
  }
  const e = data?.errors;
  const v = data?.values;
  return (
    <>
      {e && <ErrorSummary errors={e} />}
      <PageHeading caption={<a href="/ops/admin">職員の管理</a>}>職員の追加</PageHeading>
      <p>追加すると、仮のパスワードが1回だけ表示されます。職員は最初のログインで、自分のパスワードと認証アプリを登録します。</p>
      <Form method="post" noValidate>
        <CsrfField />
        <Field name="username" label="ユーザー名" required support="半角英小文字・数字と「. _ -」、3〜32文字。例：yamada.h" autoComplete="off" width={20} defaultValue={v?.username} error={e?.username} />
        <Field name="displayName" label="名前（画面に表示）" required support="例：山田 花子" defaultValue={v?.displayName} error={e?.displayName} width={20} />
        <RadioGroup
          name="role"
          legend="役割"
          required
          options={ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role], hint: ROLE_HINTS[role] }))}
          defaultValue={v?.role}
          error={e?.role}
        />
        <Button>追加する</Button>
      </Form>
    </>
  );
}

const ROLE_HINTS: Record<(typeof ROLES)[number], string> = {
  operator: "作業の一覧、検索、電話での入力、手紙の印刷",
  supervisor: "オペレーターの仕事に加えて、統計と、ほかの人の担当を外すこと",
  admin: "職員の管理と電話会社の設定（業務の画面も使えます）",
  auditor: "監査ログと統計だけ（個人情報は見られません）",
};
