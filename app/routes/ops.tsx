import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { OpsLayout } from "~/components/OpsLayout";
import { getOperator } from "~/lib/auth.server";
import { QUEUE_INFO, QUEUE_TYPES, queueHref } from "~/lib/queue-info";

/** Every work queue, and the paper upload page, in the back-office menu: nothing a person must work is out of reach. */
const WORK_MENU = [
  ...QUEUE_TYPES.map((type) => ({ to: queueHref(type), label: `作業：${QUEUE_INFO[type].label}`, end: true })),
  { to: "/ops/paper", label: "郵送・FAXの受付（アップロード）", end: true },
];

/**
 * Back-office pages carry personal data, TOTP secrets and one-time passwords: never keep them in a
 * browser or proxy cache. (Remix uses this for every child route that has no headers of its own.)
 */
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

/** Layout only: each child route checks its own roles (requireOperator) in its loader and action. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await getOperator(request, context);
  return json({ user: operator ? { displayName: operator.displayName, role: operator.role } : null });
}

export default function OpsRoute() {
  const { user } = useLoaderData<typeof loader>();
  return (
    <OpsLayout user={user} work={WORK_MENU}>
      <Outlet />
    </OpsLayout>
  );
}
