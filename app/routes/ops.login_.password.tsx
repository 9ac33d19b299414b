import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Field, PageHeading } from "~/components/ui";
import { LOGIN_STEP_PATHS, nextLoginStep, pendingLoginState, setOwnPassword } from "~/lib/auth.server";
import { MIN_PASSWORD_LENGTH } from "~/lib/ops-labels";
import { readForm } from "~/lib/csrf.server";
import { verifyPassword } from "~/lib/password.server";

export const meta: MetaFunction = () => [{ title: "新しいパスワードの設定｜受付センター 業務システム" }];

const schema = z
  .object({
    password: z
      .string({ required_error: "新しいパスワードを入力してください。" })
      .min(MIN_PASSWORD_LENGTH, `パスワードは${MIN_PASSWORD_LENGTH}文字以上にしてください。長い文（例：好きな言葉を4つ並べる）が覚えやすく安全です。`)
      .max(200, "パスワードは200文字以内にしてください。"),
    confirm: z.string({ required_error: "確認のため、同じパスワードをもう一度入力してください。" }),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "2つのパスワードが違います。同じパスワードを入力してください。" });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const state = await pendingLoginState(request, context);
  if (!state) return redirect("/ops/login");
  if (state.step !== "change_password") return redirect(LOGIN_STEP_PATHS[state.step]);
  return json({}, { headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, context);
  const state = await pendingLoginState(request, context);
  if (!state) return redirect("/ops/login");
  if (state.step !== "change_password") return redirect(LOGIN_STEP_PATHS[state.step]);
  const parsed = schema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    const errors = parsed.error.flatten().fieldErrors;
    return json({ errors: { password: errors.password, confirm: errors.confirm } }, { status: 400 });
  }
  if (await verifyPassword(state.operator.passwordHash, parsed.data.password)) {
    return json({ errors: { password: ["仮のパスワードは使えません。新しいパスワードを決めて入力してください。"], confirm: undefined } }, { status: 400 });
  }
  // Changed and audited in one transaction (setOwnPassword).
  await setOwnPassword(context, state.operator.id, parsed.data.password);
  return redirect(LOGIN_STEP_PATHS[await nextLoginStep(context, state.operator.id)]);
}

export default function NewPasswordRoute() {
  const data = useActionData<typeof action>();
  const errors = data?.errors;
  return (
    <div className="main--narrow">
      <ErrorSummary errors={errors ? { password: errors.password ?? [], confirm: errors.confirm ?? [] } : null} />
      <PageHeading caption="はじめてのログイン">新しいパスワードの設定</PageHeading>
      <p>管理者から受け取った仮のパスワードは、1回しか使えません。ご自分だけが知っているパスワードを決めてください。</p>
      <Form method="post" noValidate>
        <CsrfField />
        <Field
          name="password"
          label="新しいパスワード"
          required
          type="password"
          autoComplete="new-password"
          support={`${MIN_PASSWORD_LENGTH}文字以上で入力してください。`}
          error={errors?.password}
        />
        <Field name="confirm" label="新しいパスワード（確認のため、もう一度）" required type="password" autoComplete="new-password" error={errors?.confirm} />
        <Button>パスワードを設定する</Button>
      </Form>
    </div>
  );
}
