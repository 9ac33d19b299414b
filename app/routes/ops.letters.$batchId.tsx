import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, ButtonLink, Notice, PageHeading, SummaryList } from "~/components/ui";
import { requireAccess } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";
import { formatJstDateTime } from "~/lib/format";
import { requireUuid } from "~/lib/ids";
import { batchDetail, markBatchMailed } from "~/lib/letters.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `手紙 第${data.batch.sequence}便` : "手紙"}｜受付センター 業務システム` }];

const STATUS_LABELS: Record<string, string> = { printed: "印刷済み", mailed: "発送済み", queued: "印刷待ち" };

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "letters");
  const batch = await batchDetail(context.services, requireUuid(params.batchId));
  if (!batch) throw new Response("Not Found", { status: 404 });
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "letter.batch_view",
    subjectType: "letter_batch",
    subjectId: batch.id,
    ip: context.clientIp,
    detail: { ids: batch.letters.map((l) => l.id), fields: ["recipientName"] },
  });
  return json({ batch });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "letters", "act");
  const batchId = requireUuid(params.batchId);
  const form = await readForm(request, context);
  if (form.get("intent") !== "mailed") return json({ message: "操作を選び直してください。", ok: false }, { status: 400 });
  const result = await markBatchMailed(context.services, { batchId, operatorId: operator.id, ip: context.clientIp });
  if (!result.ok) {
    if (result.reason === "not_found") throw new Response("Not Found", { status: 404 });
    return json({ message: "この便は、もう発送済みです。", ok: false }, { status: 409 });
  }
  return json({ message: `${result.letters}通を発送済みにしました。`, ok: true });
}

export default function LetterBatchRoute() {
  const { batch } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <>
      <PageHeading caption={<a href="/ops/letters">手紙の印刷</a>}>手紙 第{batch.sequence}便</PageHeading>
      {data?.message && (
        <Notice variant={data.ok ? "success" : "warning"} role="status">
          {data.message}
        </Notice>
      )}
      <SummaryList
        rows={[
          { key: "作成", value: `${formatJstDateTime(batch.createdAt)}${batch.createdBy ? `（${batch.createdBy}）` : ""}` },
          { key: "通数", value: `${batch.count}通` },
          { key: "発送", value: batch.mailedAt ? `発送済み（${formatJstDateTime(batch.mailedAt)}）` : "未発送" },
        ]}
      />
      <p>
        <ButtonLink href={`/ops/letters/pdf/${batch.id}`} download={`letters-${batch.sequence}.pdf`}>
          印刷用のPDFを開く
        </ButtonLink>
      </p>
      <p>1ページ目は便の案内です（封筒に入れません）。2ページ目から、1通ずつ三つ折りにして窓あき封筒に入れ、宛名が窓から見えることを確かめてください。</p>
      {!batch.mailedAt && (
        <Form method="post">
          <CsrfField />
          <p>封筒をすべて郵便に出したら、発送済みにします。</p>
          <Button name="intent" value="mailed">
            この便を発送済みにする
          </Button>
        </Form>
      )}
      <h2>この便の手紙</h2>
      <div className="table-wrapper">
        <table className="table table--compact">
          <caption className="visually-hidden">この便の手紙（印刷順）</caption>
          <thead>
            <tr>
              <th scope="col">順</th>
              <th scope="col">種類</th>
              <th scope="col">宛名</th>
              <th scope="col">状態</th>
            </tr>
          </thead>
          <tbody>
            {batch.letters.map((l, i) => (
              <tr key={l.id}>
                <td className="numeric">{i + 1}</td>
                <td>{l.templateLabel}</td>
                <td>{l.recipientName}</td>
                <td>{STATUS_LABELS[l.status] ?? l.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
