/** What the sign-in pages say when a code is refused (plain Japanese, what to do next). */
export const SECOND_FACTOR_MESSAGES = {
  format: "確認コードは6けたの数字です。認証アプリに表示されている番号を入力してください。",
  wrong: "確認コードが違います。認証アプリに表示されている、いまの番号を入力してください。",
  replayed: "この確認コードは、もう使われました。認証アプリに次の番号が表示されてから入力してください。",
  locked: "続けて失敗したため、しばらくログインできません。15分ほど待ってから、もう一度お試しください。",
  not_enrolled: "認証アプリの登録が済んでいません。はじめからログインしてください。",
} as const;
