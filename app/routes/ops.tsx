import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { OpsLayout } from "~/components/OpsLayout";
import { getOperator } from "~/lib/auth.server";

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
    <OpsLayout user={user}>
      <Outlet />
    </OpsLayout>
  );
}
