import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { formatAge } from "~/components/ops/format";
import { PageHeading } from "~/components/ui";
import { requireAccess } from "~/lib/auth.server";
import { QUEUE_INFO, queueHref } from "~/lib/queue-info";
import { queueBacklogs } from "~/lib/queues.server";

export const meta: MetaFunction = () => [{ title: "作業の一覧｜受付センター 業務システム" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAccess(request, context, "queue");
  return json({ backlogs: await queueBacklogs(context.services), now: context.services.now().toISOString() });
}

export default function QueuesRoute() {
  const { backlogs, now } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeading>作業の一覧</PageHeading>
      <p>作業を選んで、「担当する」を押してから始めてください。担当している間は、ほかの人は同じ項目を開けません。</p>
      <ul className="queue-list">
        {backlogs.map((b) => (
          <li key={b.type} className="queue-list__item">
            <h2 className="queue-list__title">
              <a href={queueHref(b.type)}>{b.label}</a>
            </h2>
            <p>{QUEUE_INFO[b.type].description}</p>
            <p>
              待ち <strong>{b.count}件</strong>
              {QUEUE_INFO[b.type].claimable && <>（うち担当中 {b.claimed}件）</>}
              {b.oldestAt && <>／いちばん古いもの {formatAge(b.oldestAt, now)}</>}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
