import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CsrfField } from "~/components/CsrfField";
import { formatAge } from "~/components/ops/format";
import { Button, Notice, PageHeading } from "~/components/ui";
import { requireAccess } from "~/lib/auth.server";
import { claimItemAudited, releaseItemAudited } from "~/lib/claims.server";
import { readForm } from "~/lib/csrf.server";
import { formatJstDateTime } from "~/lib/format";
import { isQueueType, QUEUE_INFO, type QueueType } from "~/lib/queue-info";
import { listQueue } from "~/lib/queues.server";
import { hasCapability } from "~/lib/roles";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? QUEUE_INFO[data.type].label : "作業"}｜受付センター 業務システム` }];

function queueType(value: string | undefined): QueueType {
  if (!isQueueType(value) || value === "letters") throw new Response("Not Found", { status: 404 });
  return value;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "queue");
  const type = queueType(params.type);
  const items = await listQueue(context.services, type, operator.id);
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "queue.view",
    subjectType: "queue",
    subjectId: type,
    ip: context.clientIp,
    detail: { ids: items.map((i) => i.id) },
  });
  return json({ type, items, now: context.services.now().toISOString(), canRelease: hasCapability(operator.role, "releaseOthersClaims") });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const operator = await requireAccess(request, context, "queue", "act");
  const type = queueType(params.type);
  const form = await readForm(request, context);
  const intent = String(form.get("intent") ?? "");
  const id = String(form.get("id") ?? "");
  if (!id || !/^[0-9a-f-]{36}$/i.test(id)) return json({ message: "項目を選び直してください。" }, { status: 400 });
  const items = await listQueue(context.services, type, operator.id, 1000);
  const item = items.find((i) => i.id === id);
  if (intent === "claim") {
    if (!item) return json({ message: "この項目は、もう作業の一覧にありません。ほかの人が済ませたかもしれません。" }, { status: 409 });
    const result = await claimItemAudited(context.services, { itemType: type, itemId: id, operatorId: operator.id, audit: { subjectType: type, ip: context.clientIp } });
    if (!result.ok) {
      const message =
        result.reason === "held"
          ? `この項目は、${result.holder.displayName}さんが担当しています（${formatJstDateTime(result.holder.expiresAt)}まで）。ほかの項目を選んでください。`
          : "この項目は、もう済んでいます。";
      return json({ message }, { status: 409 });
    }
    return redirect(item.href);
  }
  if (intent === "release" || intent === "release_other") {
    const force = intent === "release_other";
    if (force && !hasCapability(operator.role, "releaseOthersClaims")) {
      throw new Response("この操作はスーパーバイザーか管理者だけができます。", { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    }
    await releaseItemAudited(context.services, { itemType: type, itemId: id, operatorId: operator.id, force, audit: { subjectType: type, ip: context.clientIp } });
    return redirect(`/ops/queue/${type}`);
  }
  return json({ message: "操作を選び直してください。" }, { status: 400 });
}

export default function QueueRoute() {
  const { type, items, now, canRelease } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const info = QUEUE_INFO[type];
  return (
    <>
      <PageHeading caption={<a href="/ops/queue">作業の一覧</a>}>{info.label}</PageHeading>
      {data?.message && (
        <Notice variant="warning" role="alert">
          {data.message}
        </Notice>
      )}
      <p>{info.description}</p>
      {items.length === 0 ? (
        <p>待っている項目はありません。</p>
      ) : (
        <div className="table-wrapper">
          <table className="table">
            <caption className="visually-hidden">{info.label}（古い順）</caption>
            <thead>
              <tr>
                <th scope="col">受付</th>
                <th scope="col">内容</th>
                <th scope="col">担当</th>
                <th scope="col">操作</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td className="nowrap">
                    {formatJstDateTime(item.createdAt)}
                    <br />
                    <span className="muted">{formatAge(item.createdAt, now)}</span>
                  </td>
                  <td>
                    <div>{item.title}</div>
                    <div className="muted">{item.detail}</div>
                  </td>
                  <td>{item.claim ? (item.claim.mine ? "あなた" : `${item.claim.displayName}さん`) : "なし"}</td>
                  <td>
                    {item.claim?.mine ? (
                      <div className="button-row">
                        <a className="button button--primary button--small" href={item.href}>
                          作業を続ける
                        </a>
                        <Form method="post">
                          <CsrfField />
                          <input type="hidden" name="id" value={item.id} />
                          <button type="submit" name="intent" value="release" className="button button--secondary button--small">
                            担当をやめる
                          </button>
                        </Form>
                      </div>
                    ) : item.claim ? (
                      canRelease ? (
                        <Form method="post">
                          <CsrfField />
                          <input type="hidden" name="id" value={item.id} />
                          <button type="submit" name="intent" value="release_other" className="button button--secondary button--small">
                            担当を外す<span className="visually-hidden">（{item.claim.displayName}さん）</span>
                          </button>
                        </Form>
                      ) : (
                        <span className="muted">担当中</span>
                      )
                    ) : (
                      <Form method="post">
                        <CsrfField />
                        <input type="hidden" name="id" value={item.id} />
                        <Button name="intent" value="claim" className="button--small">
                          担当する<span className="visually-hidden">（{item.title}、{formatJstDateTime(item.createdAt)}）</span>
                        </Button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
