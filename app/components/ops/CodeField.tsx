import { Field } from "~/components/ui";
import type { ErrorMessages } from "~/components/ui";

/** The 6-digit code of an authenticator app: numeric keyboard, one-time-code autofill. */
export function CodeField({ error }: { error?: ErrorMessages }) {
  return (
    <Field
      name="code"
      label="確認コード（6けた）"
      required
      support="認証アプリに表示されている6けたの数字を入力してください。"
      inputMode="numeric"
      autoComplete="one-time-code"
      width={7}
      maxLength={7}
      error={error}
    />
  );
}
