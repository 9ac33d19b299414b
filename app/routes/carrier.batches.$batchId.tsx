import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, ErrorSummary, Label, Notice, PageHeading } from "~/components/ui";
import { BATCH_STATUS_LABELS } from "~/domain/carrier-batch";
import { REASON_CODES, RESULT_COLUMNS } from "~/domain/carrier-results";
import type { ResultError } from "~/domain/carrier-results";
import { requireCarrierUser } from "~/lib/carrier-auth.server";
import { acknowledgeBatch, getBatch } from "~/lib/carrier-batches.server";
import { MAX_UPLOAD_BYTES, uploadResults } from "~/lib/carrier-results.server";
import { readForm } from "~/lib/csrf.server";
import { formatJstDateTime } from "~/lib/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `第${data?.batch.sequence ?? ""}号のバッチ｜電話会社向けページ` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireCarrierUser(request, context);
  const batch = await getBatch(context.services, user.carrierCode, params.batchId ?? "");
  if (!batch) throw new Response("Not Found", { status: 404 });
  return json({ batch });
}

type ActionData =
  | { intent: "ack"; already: boolean }
  | { intent: "results"; ok: true; records: number; applied: number; unchanged: number }
  | { intent: "results"; ok: false; errors: ResultError[]; message: string };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireCarrierUser(request, context);
  const batchId = params.batchId ?? "";
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_UPLOAD_BYTES + 64 * 1024) {
    return json<ActionData>({ intent: "results", ok: false, errors: [], message: `ファイルが大きすぎます（${MAX_UPLOAD_BYTES / 1024 / 1024} MB まで）。` }, { status: 413 });
  }
  const form = await readForm(request, context);
  const intent = String(form.get("intent") ?? "");
  if (intent === "ack") {
    const result = await acknowledgeBatch(context.services, user.carrierCode, batchId, user.actor);
    if (!result) throw new Response("Not Found", { status: 404 });
    return json<ActionData>({ intent: "ack", already: result.alreadyAcknowledged });
  }
  const file = form.get("file");
  if (!file || typeof file === "string" || file.size === 0) {
    return json<ActionData>({ intent: "results", ok: false, errors: [], message: "結果のファイルをえらんでください。" }, { status: 400 });
  }
  const outcome = await uploadResults(context.services, {
    carrierCode: user.carrierCode,
    batchId,
    bytes: new Uint8Array(await file.arrayBuffer()),
    contentType: file.type || null,
    fileName: file.name,
    actor: user.actor,
    ip: context.clientIp,
  });
  if (outcome.ok) return json<ActionData>({ intent: "results", ok: true, records: outcome.records, applied: outcome.applied, unchanged: outcome.unchanged });
  if (outcome.status === 404) throw new Response("Not Found", { status: 404 });
  return json<ActionData>(
    { intent: "results", ok: false, errors: outcome.errors, message: "ファイルに誤りがあるため、受け付けませんでした。どの結果も登録していません。直して、もう一度送ってください。" },
    { status: outcome.status },
  );
}

export default function CarrierBatch() {
  const { batch } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as ActionData | undefined;
  const failed = data?.intent === "results" && !data.ok ? data : null;
  return (
    <>
      <ErrorSummary errors={failed ? [{ id: "file", message: failed.message }] : null} />
      <PageHeading caption={<a href="/carrier">バッチの一覧</a>}>{`第${batch.sequence}号のバッチ`}</PageHeading>
      {data?.intent === "ack" && <Notice variant="success" role="status" title={data.already ? "このバッチは、受領確認済みです。" : "受領確認を送りました。"} />}
      {data?.intent === "results" && data.ok && (
        <Notice variant="success" role="status" title="結果を登録しました">
          <p>
            {`${data.records}件のうち、新しく登録した結果は${data.applied}件、すでに登録済みで変わらなかった結果は${data.unchanged}件です。`}
          </p>
        </Notice>
      )}
      <dl className="details-grid">
        <dt>状態</dt>
        <dd>{BATCH_STATUS_LABELS[batch.status]}</dd>
        <dt>件数</dt>
        <dd className="digits">{batch.recordCount}</dd>
        <dt>作成</dt>
        <dd>{formatJstDateTime(batch.cutAt)}</dd>
        <dt>受領確認</dt>
        <dd>{batch.ackedAt ? formatJstDateTime(batch.ackedAt) : "まだです"}</dd>
        <dt>CSV の SHA-256</dt>
        <dd>
          <code>{batch.csvSha256}</code>（{batch.csvEncoding === "shift_jis" ? "Shift_JIS" : "UTF-8"}）
        </dd>
        <dt>JSON の SHA-256</dt>
        <dd>
          <code>{batch.jsonSha256}</code>
        </dd>
        <dt>署名（Ed25519、base64）</dt>
        <dd>
          <code>{batch.signature}</code>
        </dd>
      </dl>
      <h2>マニフェスト（署名の対象）</h2>
      <pre>{batch.manifest}</pre>
      <h2>ダウンロード</h2>
      <ul>
        <li>
          <a href={`/carrier/batches/${batch.id}/file?format=csv`} download>
            CSV ファイル
          </a>
        </li>
        <li>
          <a href={`/carrier/batches/${batch.id}/file?format=json`} download>
            JSON ファイル
          </a>
        </li>
      </ul>
      <h2>受領確認</h2>
      <Form method="post">
        <CsrfField />
        <input type="hidden" name="intent" value="ack" />
        <Button variant="secondary">このバッチを受け取りました</Button>
      </Form>
      <h2>結果の登録</h2>
      <p>
        CSV（UTF-8 か Shift_JIS）か JSON のファイルで送ってください。見出しは {RESULT_COLUMNS.join(", ")} です。result は DONE（完了：effective_date が必要）、REJECTED（不可：reason_code が必要。{REASON_CODES.join(", ")}）、ACCEPTED（問い合わせに「自社の契約」と答えるとき）のどれかです。ファイルに1か所でも誤りがあると、全体を受け付けません。同じ結果を2回送っても問題ありません。
      </p>
      {failed && failed.errors.length > 0 && (
        <table className="table table--compact">
          <caption>ファイルの誤り（{failed.errors.length}件）</caption>
          <thead>
            <tr>
              <th scope="col">行</th>
              <th scope="col">項目</th>
              <th scope="col">内容</th>
            </tr>
          </thead>
          <tbody>
            {failed.errors.slice(0, 200).map((e, i) => (
              <tr key={i}>
                <td className="digits">{e.line || "—"}</td>
                <td>
                  <code>{e.field}</code>
                </td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Form method="post" encType="multipart/form-data">
        <CsrfField />
        <input type="hidden" name="intent" value="results" />
        <div className={`field${failed ? " field--error" : ""}`}>
          <Label htmlFor="file" required>
            結果のファイル
          </Label>
          <input id="file" name="file" type="file" accept=".csv,.json,text/csv,application/json" className="input" aria-invalid={failed ? true : undefined} />
        </div>
        <Button>結果を送る</Button>
      </Form>
    </>
  );
}
