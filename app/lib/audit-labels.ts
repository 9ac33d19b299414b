/**
 * Japanese names of audit-log actions and subjects for the audit page (issue 16, point 6): an auditor
 * reads 「回線の記録を閲覧」, not `line.view`. An action is `<area>.<verb>`; the area and the verb are
 * named separately, so a new action of a known area and verb is named too. Codes stay the filter's
 * syntax (the filter field explains it). Plain data: read by the server and in the browser.
 */
const AREAS: Readonly<Record<string, string>> = {
  application: "お申し込み",
  audit: "監査ログ",
  cancellation: "取り消し",
  carrier: "電話会社",
  carrier_api: "電話会社向けAPI",
  carrier_batch: "電話会社への便",
  carrier_exception: "電話会社への送付の例外",
  carrier_results: "電話会社の結果",
  carrier_sla: "電話会社の対応の遅れ",
  carrier_user: "電話会社の利用者",
  entry: "電話での申し込みの入力",
  form_request: "申込書の郵送の依頼",
  ivr_call: "自動音声の通話",
  letter: "手紙",
  line: "回線の記録",
  operator: "職員",
  outbox: "送信記録",
  paper: "郵送・FAX",
  queue: "作業の一覧",
  scan: "郵送・FAXの申込書",
  search: "検索",
  stats: "統計",
};

const VERBS: Readonly<Record<string, string>> = {
  view: "閲覧",
  list: "一覧の閲覧",
  list_view: "一覧の閲覧",
  queue_view: "確認待ちの一覧の閲覧",
  page_view: "ページ画像の閲覧",
  batch_view: "印刷分の閲覧",
  create: "作成",
  update: "変更",
  verify: "回線の確認を記録",
  reject: "お断り",
  withdraw: "取り下げ",
  approve: "承認",
  decline: "お断り",
  call_back: "折り返し電話で確認",
  release: "確認待ちに戻す",
  record_objection: "異議を記録",
  requester_withdrew: "申出者の取り下げを記録",
  objection: "異議の申し出",
  objection_failed: "異議の申し出（番号の誤り）",
  subscriber_answer: "ご契約者の電話での回答",
  stats_export: "統計のダウンロード",
  export: "ダウンロード",
  verify_chain: "記録の鎖の検証",
  acknowledge: "受領",
  download: "ダウンロード",
  push: "送信",
  upload: "アップロード",
  logout: "ログアウト",
  login: "ログイン",
  password_ok: "パスワードの確認",
  password_changed: "パスワードの変更",
  totp_enrolled: "認証アプリの登録",
  totp_failed: "認証アプリの番号の誤り",
  callback_resend: "確認の電話をかけ直し",
  submit: "送信",
  batch_mailed: "発送を記録",
  batch_pdf: "印刷用PDFの作成",
  batch_print: "印刷",
  simulate_call: "模擬の通話",
  claim: "担当",
  complete: "完了",
  run: "実行",
  close: "対応済みにする",
  resend: "送り直し",
  retry: "再試行",
  cancellation_submitted: "取り消しの申し出として登録",
  confirm: "内容の確定",
  line_confirmation_call_in: "回線からの電話で確認",
  line_confirmation_started: "回線の確認の電話を開始",
  line_confirmed: "回線で確認",
  line_refused: "回線でご契約者が不同意（2）",
  line_unanswered: "回線の確認に応答なし",
  disable: "利用停止",
  enable: "利用再開",
  reset_password: "パスワードの再発行",
  reset_totp: "認証アプリの再登録",
  change_role: "役割の変更",
  role: "役割の変更",
  revoke_sessions: "ログイン中の画面をすべて終了",
  unauthorized: "認証の失敗",
};

const SUBJECTS: Readonly<Record<string, string>> = {
  application: "お申し込み",
  audit_log: "監査ログ",
  cancellation: "取り消し",
  carrier: "電話会社",
  carrier_batch: "電話会社への便",
  carrier_exception: "電話会社への送付の例外",
  carrier_order: "電話会社への依頼",
  carrier_user: "電話会社の利用者",
  ivr: "自動音声",
  ivr_call: "自動音声の通話",
  letter_batch: "手紙の印刷分",
  line: "回線",
  operator: "職員",
  outbox: "送信記録",
  paper_intake: "郵送・FAXの受付",
  queue: "作業の一覧",
  scan: "郵送・FAXの申込書",
  statistics: "統計",
};

/** The label of `<area>.<verb>` (or a bare verb) when both parts are named; null otherwise. */
function namedAction(code: string): string | null {
  const dot = code.indexOf(".");
  const area = dot >= 0 ? AREAS[code.slice(0, dot)] : undefined;
  const verb = VERBS[dot >= 0 ? code.slice(dot + 1) : code];
  return area && verb ? `${area}：${verb}` : verb && dot < 0 ? verb : null;
}

/**
 * 「回線の記録：閲覧」; `…_refused` is 「…（できず）」 unless the whole verb is named (`scan.line_refused`
 * is the subscriber's 2, not a refused scan.line); unknown parts are 「その他の操作」.
 */
export function auditActionLabel(action: string): string {
  const named = namedAction(action);
  if (named) return named;
  if (action.endsWith("_refused")) return `${namedAction(action.slice(0, -"_refused".length)) ?? "その他の操作"}（できず）`;
  return "その他の操作";
}

export function auditSubjectLabel(subjectType: string): string {
  return SUBJECTS[subjectType] ?? "その他";
}

/** Every code the labels know, for the test that each action written in the code has a name. */
export const AUDIT_AREAS = Object.keys(AREAS);
export const AUDIT_VERBS = Object.keys(VERBS);
