import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { PageHeading } from "~/components/ui";
import { BATCH_STATUS_LABELS } from "~/domain/carrier-batch";
import { requireCarrierUser } from "~/lib/carrier-auth.server";
import { listBatches } from "~/lib/carrier-batches.server";
import { publicKeyInfo } from "~/lib/carrier-signing.server";
import { formatJstDateTime } from "~/lib/format";

export const meta: MetaFunction = () => [{ title: "バッチの一覧｜電話会社向けページ" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireCarrierUser(request, context);
  const batches = await listBatches(context.services, user.carrierCode, { only: "all", limit: 100 });
  return json({ carrierCode: user.carrierCode, batches, publicKey: publicKeyInfo(context.services.config) });
}

export default function CarrierBatches() {
  const { batches, publicKey } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeading>バッチの一覧</PageHeading>
      <p>センターからの指示（休止・休止の解除・契約の問い合わせ）のバッチです。新しい順に100件まで表示します。</p>
      {batches.length === 0 ? (
        <p>まだバッチはありません。</p>
      ) : (
        <div className="table-wrapper">
          <table className="table">
            <caption className="visually-hidden">バッチの一覧（新しい順）</caption>
            <thead>
              <tr>
                <th scope="col">番号</th>
                <th scope="col" className="numeric">件数</th>
                <th scope="col">状態</th>
                <th scope="col">作成</th>
                <th scope="col">ダウンロード</th>
              </tr>
            </thead>
            <tbody>
              {batches.map((b) => (
                <tr key={b.id}>
                  <th scope="row">
                    <a href={`/carrier/batches/${b.id}`}>{`第${b.sequence}号`}</a>
                  </th>
                  <td className="numeric digits">{b.recordCount}</td>
                  <td>{BATCH_STATUS_LABELS[b.status]}</td>
                  <td className="nowrap">{formatJstDateTime(b.cutAt)}</td>
                  <td className="nowrap">
                    <a href={`/carrier/batches/${b.id}/file?format=csv`} download>
                      CSV<span className="visually-hidden">（{`第${b.sequence}号`}）</span>
                    </a>{" "}
                    <a href={`/carrier/batches/${b.id}/file?format=json`} download>
                      JSON<span className="visually-hidden">（{`第${b.sequence}号`}）</span>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>署名を確かめるための公開鍵</h2>
      <p>
        各バッチには、センターの Ed25519 署名がついています。署名は「マニフェスト」（件数とファイルの SHA-256 を書いた文書）に対するものです。次の公開鍵で確かめてください。鍵 ID：
        <code>{publicKey.keyId}</code>
      </p>
      <pre>{publicKey.publicKeyPem}</pre>
    </>
  );
}
