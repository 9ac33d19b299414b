import { Notice } from "~/components/ui";

/** A one-time password, shown once: it is not stored anywhere readable. */
export function OneTimePassword({ username, password }: { username: string; password: string }) {
  return (
    <Notice variant="success" title="仮のパスワードを作りました" role="status">
      <p>
        次の仮のパスワードを、<strong>{username}</strong>さんに直接お渡しください。この画面を閉じると、もう表示できません。最初のログインで、ご自分のパスワードと認証アプリを登録します。
      </p>
      <p className="one-time-password">
        <code data-one-time-password>{password}</code>
      </p>
    </Notice>
  );
}
