import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, Notice, PageHeading } from "~/components/ui";
import { requireAccess } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";
import { formatJstDateTime } from "~/lib/format";
import { ingestFile, MAX_UPLOAD_BYTES } from "~/lib/paper-intake.server";
import { recentScans } from "~/lib/paper-list.server";

export const meta: MetaFunction = () => [{ title: "郵送・FAXの受付｜受付センター 業務システム" }];

const STATUS: Record<string, string> = {
  pending: "読み取り待ち",
  confirming: "回線の確認中（電話は9時〜20時）",
  ocr_done: "確認待ち（すべて読めた）",
  needs_review: "確認待ち（確かめる欄あり）",
  exception: "読み取れない（例外）",
  verified: "確認済み",
  closed: "終了（手続きにできない）",
};
const SOURCES: Record<string, string> = { upload: "アップロード", fax_folder: "FAX", mail: "郵送" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAccess(request, context, "paper", "view");
  return json({ scans: await recentScans(context.services) });
}

/** One line per chosen file, whatever happened to it (issue 14 ⑥). */
type UploadLine = { name: string; outcome: "accepted" | "duplicate" | "empty" | "too_large" | "unreadable"; message: string };
type UploadResult = { results: UploadLine[]; error: string | null };

const OUTCOME_LABEL: Record<UploadLine["outcome"], string> = {
  accepted: "受け付けました",
  duplicate: "受け付け済み",
  empty: "空のファイル",
  too_large: "大きすぎるファイル",
  unreadable: "読めないファイル（例外へ）",
};

export async function action({ request, context }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "paper", "act");
  const form = await readForm(request, context);
  // A browser sends one empty part with no name when no file was chosen; every named part is a file
  // the operator chose, and gets its own line below, 0 bytes included.
  const files = form.getAll("files").filter((f): f is File => typeof f === "object" && f !== null && "arrayBuffer" in f && (f.size > 0 || f.name !== ""));
  if (files.length === 0) return json<UploadResult>({ results: [], error: "ファイルを選んでください（PDF、TIFF、PNG、JPEG）。" }, { status: 400 });
  const results: UploadLine[] = [];
  for (const file of files) {
    const name = file.name || "（名前なし）";
    if (file.size === 0) {
      results.push({ name, outcome: "empty", message: "中身が空のファイル（0バイト）です。受け付けていません。もう一度スキャンしてください。" });
      continue;
    }
    if (file.size > MAX_UPLOAD_BYTES) {
      results.push({ name, outcome: "too_large", message: "20MBを超えるファイルは受け付けられません。分けてアップロードしてください。" });
      continue;
    }
    const result = await ingestFile(context.services, { bytes: Buffer.from(await file.arrayBuffer()), filename: file.name, source: "upload", uploadedBy: operator.id, ip: context.clientIp });
    results.push(
      result.kind === "created"
        ? { name, outcome: "accepted", message: `${result.pages}ページを受け付けました。読み取りを始めます。` }
        : result.kind === "duplicate"
          ? { name, outcome: "duplicate", message: "同じファイルは、すでに受け付けています。" }
          : { name, outcome: "unreadable", message: `${result.message} 例外の一覧に入れました。` },
    );
  }
  return json<UploadResult>({ results, error: null });
}

export default function PaperRoute() {
  const { scans } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const confirmed = params.get("confirmed");
  const closed = params.get("closed");
  return (
    <>
      <PageHeading>郵送・FAXの受付</PageHeading>
      {confirmed && (
        <Notice variant="success" title="登録しました" role="status">
          {confirmed}
        </Notice>
      )}
      {closed && (
        <Notice variant="success" title="終わりにしました" role="status">
          {closed}
        </Notice>
      )}
      {result?.error && (
        <Notice variant="warning" title="アップロードできませんでした" role="alert">
          {result.error}
        </Notice>
      )}
      {result && result.results.length > 0 && (
        <Notice
          variant={result.results.every((r) => r.outcome === "accepted" || r.outcome === "duplicate") ? "success" : "warning"}
          title={`アップロードの結果（${result.results.length}ファイル）`}
          role="status"
        >
          <ul>
            {result.results.map((r, i) => (
              <li key={i} data-outcome={r.outcome}>
                {r.name}：<strong>{OUTCOME_LABEL[r.outcome]}</strong> {r.message}
              </li>
            ))}
          </ul>
        </Notice>
      )}
      <Form method="post" encType="multipart/form-data">
        <CsrfField />
        <div className="field">
          <label htmlFor="files" className="label">
            <span className="label__text">スキャンした申込書・FAX</span> <span className="requirement-badge requirement-badge--required">※必須</span>
          </label>
          <div id="files-support" className="support-text">
            PDF、TIFF（FAXのG3/G4を含む）、PNG、JPEG。いくつでもまとめて選べます。1ファイル20MB・20ページまで（600dpiまでのスキャン）。
          </div>
          <input id="files" name="files" type="file" multiple accept=".pdf,.tif,.tiff,.png,.jpg,.jpeg,application/pdf,image/tiff,image/png,image/jpeg" aria-describedby="files-support" className="input" />
        </div>
        <Button>アップロードする</Button>
      </Form>
      <h2>受け付けたページ</h2>
      {scans.length === 0 ? (
        <p>まだありません。</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">新しい順に最大100ページ</caption>
          <thead>
            <tr>
              <th scope="col">受付日時</th>
              <th scope="col">ファイル</th>
              <th scope="col">状態</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {scans.map((scan) => (
              <tr key={scan.id}>
                <td className="nowrap">{formatJstDateTime(scan.at)}</td>
                <td>
                  {SOURCES[scan.source] ?? scan.source}：{scan.filename ?? "（名前なし）"} {scan.page}ページ目
                </td>
                <td>
                  {STATUS[scan.status] ?? scan.status}
                  {scan.exception && (
                    <div>
                      <strong>{scan.exception}</strong>
                    </div>
                  )}
                  {scan.exceptionHelp && scan.workable && <div className="muted">{scan.exceptionHelp}</div>}
                </td>
                <td>
                  {scan.workable ? (
                    <Link to={`/ops/paper/${scan.id}`}>
                      {scan.status === "exception" ? "画像を見て入力する" : "確かめる"}
                      <span className="visually-hidden">（{scan.filename ?? "名前なし"} {scan.page}ページ目）</span>
                    </Link>
                  ) : scan.status === "verified" || scan.status === "closed" ? (
                    <Link to={`/ops/paper/${scan.id}`}>
                      見る<span className="visually-hidden">（{scan.filename ?? "名前なし"} {scan.page}ページ目）</span>
                    </Link>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
