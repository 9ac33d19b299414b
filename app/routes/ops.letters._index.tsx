import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { Button, Notice, PageHeading } from "~/components/ui";
import { requireAccess } from "~/lib/auth.server";
import { readForm } from "~/lib/csrf.server";
import { formatJstDateTime } from "~/lib/format";
import { createLetterBatch, listBatches, printQueue } from "~/lib/letters.server";
import { MAX_LETTERS_PER_BATCH } from "~/lib/ops-labels";

export const meta: MetaFunction = () => [{ title: "手紙の印刷｜受付センター 業務システム" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "letters");
  const [queue, batches] = [await printQueue(context.services), await listBatches(context.services)];
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "letter.queue_view",
    subjectType: "outbox",
    ip: context.clientIp,
    detail: { ids: queue.map((l) => l.id), fields: ["recipientName"] },
  });
  return json({ queue, batches });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "letters", "act");
  const form = await readForm(request, context);
  if (form.get("intent") !== "print") return json({ message: "操作を選び直してください。" }, { status: 400 });
  const result = await createLetterBatch(context.services, { operatorId: operator.id, ip: context.clientIp });
  if (!result.ok) return json({ message: "印刷できる手紙はありません。" }, { status: 409 });
  return redirect(`/ops/letters/${result.batchId}`);
}

export default function LettersRoute() {
  const { queue, batches } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const ready = queue.filter((l) => !l.needsCheck);
  const waiting = queue.filter((l) => l.needsCheck);
  return (
    <>
      <PageHeading>手紙の印刷</PageHeading>
      {data?.message && (
        <Notice variant="warning" role="alert">
          {data.message}
        </Notice>
      )}
      <h2>印刷を待っている手紙（{ready.length}通）</h2>
      {ready.length === 0 ? (
        <p>いまはありません。</p>
      ) : (
        <>
          <p>
            「印刷用のPDFを作る」を押すと、待っている手紙（1回に{MAX_LETTERS_PER_BATCH}通まで、古い順）を1つのPDFにまとめ、「印刷済み」にします。宛名は窓あき封筒（長形3号）の窓に合わせて印刷されます。
          </p>
          <Form method="post">
            <CsrfField />
            <Button name="intent" value="print">
              印刷用のPDFを作る（{Math.min(ready.length, MAX_LETTERS_PER_BATCH)}通）
            </Button>
          </Form>
          <div className="table-wrapper">
            <table className="table table--compact">
              <caption className="visually-hidden">印刷を待っている手紙（古い順）</caption>
              <thead>
                <tr>
                  <th scope="col">受付</th>
                  <th scope="col">種類</th>
                  <th scope="col">宛名</th>
                </tr>
              </thead>
              <tbody>
                {ready.map((l) => (
                  <tr key={l.id}>
                    <td className="nowrap">{formatJstDateTime(l.createdAt)}</td>
                    <td>{l.templateLabel}</td>
                    <td>{l.recipientName}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {waiting.length > 0 && (
        <>
          <h2>宛名の確認を待っている手紙（{waiting.length}通）</h2>
          <p>音声認識で聞き取った宛名は、録音と照らして確かめてから印刷します。</p>
          <ul>
            {waiting.map((l) => (
              <li key={l.id}>
                {formatJstDateTime(l.createdAt)} {l.templateLabel}
                {l.ivrCallId && (
                  <>
                    {" "}
                    <a href={`/ops/queue/ivr/${l.ivrCallId}`}>宛名を確かめる</a>
                  </>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>これまでの印刷</h2>
      {batches.length === 0 ? (
        <p>まだありません。</p>
      ) : (
        <div className="table-wrapper">
          <table className="table table--compact">
            <caption className="visually-hidden">これまでの印刷（新しい順）</caption>
            <thead>
              <tr>
                <th scope="col">便</th>
                <th scope="col">作成</th>
                <th scope="col" className="numeric">
                  通数
                </th>
                <th scope="col">発送</th>
              </tr>
            </thead>
            <tbody>
              {batches.map((b) => (
                <tr key={b.id}>
                  <th scope="row">
                    <a href={`/ops/letters/${b.id}`}>第{b.sequence}便</a>
                  </th>
                  <td>
                    {formatJstDateTime(b.createdAt)}
                    {b.createdBy ? `（${b.createdBy}）` : ""}
                  </td>
                  <td className="numeric">{b.count}</td>
                  <td>{b.mailedAt ? `発送済み（${formatJstDateTime(b.mailedAt)}）` : "未発送"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
